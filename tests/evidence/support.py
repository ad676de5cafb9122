"""Helpers for the official-evidence tests: real seeded systems of two JASS of one district,
staff of every role, rounds through the real API, lab files built from the real water-quality
datasets of ../shared."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.orm import Session

from geodata.models import Measurement, Provider, ProviderKind, WaterSystem
from tests.conftest import SHARED_DIR

WATER_QUALITY = SHARED_DIR / "datasets" / "water_quality"


@dataclass(frozen=True)
class System:
    id: int
    code: str
    provider_id: int
    district_id: int


def jass_systems(session: Session, count: int = 2, district_id: int = 56) -> list[System]:
    """Systems of ``count`` different JASS of one district (56 has 28 JASS)."""
    rows = session.execute(
        select(WaterSystem.id, WaterSystem.code, WaterSystem.provider_id, WaterSystem.district_id)
        .join(Provider, Provider.id == WaterSystem.provider_id)
        .where(WaterSystem.district_id == district_id, Provider.kind == ProviderKind.JASS)
        .order_by(WaterSystem.id)
    ).all()
    chosen: list[System] = []
    for row in rows:
        if row.provider_id not in {s.provider_id for s in chosen}:
            chosen.append(System(*row))
        if len(chosen) == count:
            return chosen
    raise AssertionError("not enough JASS in the district")


def other_district_system(session: Session, district_id: int = 56) -> System:
    row = session.execute(
        select(WaterSystem.id, WaterSystem.code, WaterSystem.provider_id, WaterSystem.district_id)
        .where(WaterSystem.district_id != district_id, WaterSystem.provider_id.is_not(None))
        .order_by(WaterSystem.id)
        .limit(1)
    ).one()
    return System(*row)


def recent(hours: float = 2.0) -> datetime:
    return datetime.now(UTC) - timedelta(hours=hours)


def sample(point: str = "network", at: datetime | None = None, **measured: Any) -> dict[str, Any]:
    """A sample of the API: ``chlorine=0.8`` (mg/L), ``ph=7.1``, ``e_coli=False`` (presence);
    a (value, unit) tuple gives the unit."""
    names = {"chlorine": "free_chlorine"}
    measurements = []
    for name, value in measured.items():
        parameter = names.get(name, name)
        if isinstance(value, bool):
            measurements.append({"parameter": parameter, "present": value})
        elif isinstance(value, tuple):
            measurements.append({"parameter": parameter, "value": value[0], "unit": value[1]})
        else:
            measurements.append({"parameter": parameter, "value": value})
    return {
        "sample_point": point,
        "sampled_at": (at or recent()).isoformat(),
        "measurements": measurements,
    }


def post_round(
    client: TestClient,
    headers: dict[str, str],
    system_code: str,
    samples: list[dict[str, Any]],
    key: str | None = None,
    lang: str | None = None,
) -> Any:
    extra = {"Idempotency-Key": key} if key else {}
    url = "/api/v1/readings" + (f"?lang={lang}" if lang else "")
    return client.post(
        url, json={"system": system_code, "readings": samples}, headers={**headers, **extra}
    )


def official_count(session: Session, system_id: int | None = None) -> int:
    query = select(func.count()).select_from(Measurement).where(Measurement.record_key.is_not(None))
    if system_id is not None:
        query = query.where(Measurement.system_id == system_id)
    return int(session.scalar(query) or 0)


LAB_HEADER = [
    "codigo",
    "punto_de_muestreo",
    "fecha_de_muestreo",
    "hora",
    "parametro",
    "valor",
    "unidad",
    "laboratorio",
    "codigo_de_muestra",
]


def lab_csv(rows: Iterable[list[Any]], header: list[str] = LAB_HEADER, sep: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def lab_xlsx(rows: Iterable[list[Any]], header: list[str] = LAB_HEADER) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def malawi_lab_rows(
    system_codes: list[str], day: str, nitrate_unit: str = "mg NO3/L"
) -> list[list[Any]]:
    """Real laboratory results (openwashdata/boreholelabdata, Malawi; CC BY 4.0) of the first
    boreholes, as rows of our lab format for the given La Libertad systems (one per borehole):
    pH, turbidity (NTU), faecal coliforms (count per 100 mL) and nitrate."""
    with (WATER_QUALITY / "boreholelabdata_malawi.csv").open(encoding="utf-8") as handle:
        records = list(csv.DictReader(handle))
    rows: list[list[Any]] = []
    for code, record in zip(system_codes, records, strict=False):
        sample_id = record["lab_sample_no"] if record["lab_sample_no"] != "NA" else None
        sample_id = sample_id or f"MW-{records.index(record) + 1:03d}"
        for parameter, column, unit in (
            ("pH", "ph_value", ""),
            ("Turbiedad", "turbidity_ntu", "UNT"),
            ("Coliformes termotolerantes", "faecal_coli_count", "UFC/100 mL"),
            ("Nitratos", "nitrate_mg_l", nitrate_unit),
        ):
            value = record[column]
            if value in ("NA", "", "-9"):
                continue
            rows.append([code, "red", day, "09:30", parameter, value, unit, "DIRESA LL", sample_id])
    return rows


def kenya_arsenic_rows(system_codes: list[str], day: str) -> list[list[Any]]:
    """Real arsenic and lead results in µg/L (openwashdata/grdwtrsmpkwale, Kwale, Kenya)."""
    with (WATER_QUALITY / "grdwtrsmpkwale_kwale_kenya_water_samples.csv").open() as handle:
        records = list(csv.DictReader(handle))
    rows: list[list[Any]] = []
    for index, (code, record) in enumerate(zip(system_codes, records, strict=False)):
        for parameter, column in (("Arsénico", "As"), ("Plomo", "Pb")):
            value = round(float(record[column]), 3)
            rows.append(
                [code, "grifo", day, "10:00", parameter, value, "µg/L", "DIRESA LL", f"KW-{index}"]
            )
    return rows


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


STATUS_COLUMNS = (
    "status",
    "status_evidence",
    "status_evidence_at",
    "status_reason",
    "status_updated_at",
    "alert_category",
    "alert_since",
)


@contextmanager
def restoring(engine: Engine, system_ids: list[int]) -> Iterator[None]:
    """For tests that commit (workers, the command line, the live server): afterwards, remove
    the batches (and so the measurements) made meanwhile, and give the systems and their
    districts back their status, history, compliance and indicators."""
    from geodata.models import AuditEvent, DistrictIndicator, StatusChange, SystemComplianceMonth
    from geodata.models import ReadingBatch as Batch

    with Session(engine) as s:
        last_event = s.scalar(select(func.max(AuditEvent.id))) or 0
        last_batch = s.scalar(select(func.max(Batch.id))) or 0
        last_change = s.scalar(select(func.max(StatusChange.id))) or 0
        systems = {
            row.id: {c: getattr(row, c) for c in STATUS_COLUMNS}
            for row in s.scalars(select(WaterSystem).where(WaterSystem.id.in_(system_ids)))
        }
        districts = {
            d
            for (d,) in s.execute(
                select(WaterSystem.district_id).where(WaterSystem.id.in_(system_ids))
            )
            if d is not None
        }
        indicators = [
            {c.key: getattr(i, c.key) for c in DistrictIndicator.__table__.columns}
            for i in s.scalars(
                select(DistrictIndicator).where(DistrictIndicator.district_id.in_(districts))
            )
        ]
    try:
        yield
    finally:
        with Session(engine) as s:
            s.execute(delete(Batch).where(Batch.id > last_batch))
            s.execute(delete(AuditEvent).where(AuditEvent.id > last_event))
            s.execute(delete(StatusChange).where(StatusChange.id > last_change))
            s.execute(
                delete(SystemComplianceMonth).where(SystemComplianceMonth.system_id.in_(system_ids))
            )
            for system_id, values in systems.items():
                s.execute(update(WaterSystem).where(WaterSystem.id == system_id).values(**values))
            s.execute(delete(DistrictIndicator).where(DistrictIndicator.district_id.in_(districts)))
            if indicators:
                s.execute(insert(DistrictIndicator), indicators)
            s.commit()
