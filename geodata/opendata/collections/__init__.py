"""The four public collections: what each shows, how it is filtered, and what it never shows.

Each collection is a FROM clause plus named SQL expressions for its public properties. Only the
expressions listed here ever leave the database, so private columns (``report.reporter_contact``,
``reporter_fingerprint``, ``idempotency_key``, photo paths, provider contacts) cannot leak by
accident: they are simply never selected.
"""

from geodata.opendata.collections.base import Collection, Filter, SQLExpression
from geodata.opendata.collections.districts import districts
from geodata.opendata.collections.reports import reports
from geodata.opendata.collections.water import water_sources, water_systems

COLLECTIONS: dict[str, Collection] = {
    c.id: c for c in (water_systems(), water_sources(), reports(), districts())
}

__all__ = ["COLLECTIONS", "Collection", "Filter", "SQLExpression"]
