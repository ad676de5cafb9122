"""Throughput of a CQL2-filtered OGC API items page over 100,000 systems, beside pgbench.

The page: ``filter=status = 'red' AND population_served > 100`` with a bbox, 100 features.
Both sides run the very same SQL statement (the API's own ``page_statement`` for that parsed
filter, compiled with its bound values) over the same set of bboxes, at the same concurrency,
in the same run, rounds alternating (``bench.bench_ogc`` measures the unfiltered page the same
way):

* pgbench: one script per bbox, prepared statements, straight into PostgreSQL;
* the API: uvicorn (``api.main:app``) loaded by ``wrk`` rotating over the same requests.

Target: the API reaches at least 0.6 of the database's own throughput.

    .venv/bin/python -m bench.bench_ogc_filter [--systems 100000] [--duration 10] [--rounds 3]
"""

from __future__ import annotations

import sys
from typing import Any

from bench.bench_ogc import Page, compare

FILTER = "status = 'red' AND population_served > 100"


def _full_and_red(body: dict[str, Any]) -> bool:
    features = body["features"]
    return body["numberReturned"] == 100 and all(
        f["properties"]["status"] == "red" for f in features
    )


FILTERED_PAGE = Page(
    "API GET items?bbox&filter",
    extra={"filter": FILTER},
    box_degrees=0.2,  # about 22 km: a quarter of the synthetic systems are red, pages are full
    seed=11,
    check=_full_and_red,
)


def main() -> int:
    return compare(FILTERED_PAGE, __doc__ or "", "yaku_bench_ogc")


if __name__ == "__main__":
    sys.exit(main())
