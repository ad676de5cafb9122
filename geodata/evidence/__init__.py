"""Official evidence: operators' readings, laboratory results, and what they add up to.

* ``readings``: an operator's round (the desk form, the API): scope, plausibility, all or nothing.
* ``logbook``: ``yaku import-readings``, a chlorine logbook typed into a spreadsheet.
* ``labfile``: a laboratory's results file (DIRESA surveillance), one row per sample and parameter.
* ``units``, ``fields``, ``sheets``: units the catalogue can convert, words people type, CSV/XLSX.
* ``store``: the one way official readings become ``Measurement`` rows (natural keys: a second
  delivery of the same reading changes nothing; a different value under the same key is refused).
* ``compliance``: DS 031-2010-SA Art. 66 per system and month, computed in PostgreSQL; staleness.
* ``monthly``: the monthly report of a district for its ATM.
"""
