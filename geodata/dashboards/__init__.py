"""Dashboards: the state of the water and of the answers, per area and per body, in SQL.

``refresh`` writes the summary tables (``geodata.models.dashboards``) from the status history,
the reports and the monthly compliance, set-based in PostgreSQL; ``figures`` reads them for the
pages, the CSV files and the open data; ``areamap`` draws an area's boundary and systems.
"""
