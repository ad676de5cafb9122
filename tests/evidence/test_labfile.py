"""Laboratory results files (DIRESA): real lab values from ../shared, CSV and XLSX, bad rows with
their lines, all or nothing, re-uploads that change nothing, units converted or refused, scope
and the audit log; through the core and through POST /api/v1/lab-results."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geodata import jobs
from geodata.accounts.errors import Forbidden
from geodata.evidence.errors import FileRefused, MissingColumns, OldExcelFile
from geodata.evidence.labfile import upload_lab_file
from geodata.models import AuditEvent, Measurement, ReadingBatch, Role, WaterSource
from tests.account_factories import staff
from tests.evidence.support import (
    LAB_HEADER,
    jass_systems,
    kenya_arsenic_rows,
    lab_csv,
    lab_xlsx,
    malawi_lab_rows,
    official_count,
)

DAY = "12/05/2026"  # day/month/year, as Peruvian laboratories write it


def upload(session: Session, data: bytes, name: str = "resultados.csv", scope: object = None):
    who = staff(session, Role.HEALTH)
    return upload_lab_file(
        session,
        scope or who.scope(session),  # type: ignore[arg-type]
        data,
        name,
        actor="diresa@example.org",
        account_id=who.account.id,
        now=datetime(2026, 6, 1, 12, 0, tzinfo=UTC),
    )


@pytest.fixture
def codes(session: Session) -> list[str]:
    return [s.code for s in jass_systems(session, 3)]


def test_real_lab_results_become_classified_lab_measurements(
    session: Session, codes: list[str]
) -> None:
    rows = malawi_lab_rows(codes, DAY) + kenya_arsenic_rows(codes, DAY)
    delivery = upload(session, lab_csv(rows))
    assert delivery.loaded == len(rows) and delivery.already == 0
    stored = session.scalars(select(Measurement).where(Measurement.batch_id == delivery.batch_id))
    by_key = {m.record_key: m for m in stored}
    assert len(by_key) == len(rows)
    assert {(m.measured_by.value, m.method.value) for m in by_key.values()} == {("lab", "lab")}
    ph = by_key["lab:19-072:ph"]  # the real sample 19-072 of Khaoleya borehole 4: pH 6.52
    assert (ph.value, ph.compliance.value, ph.sample_id) == (6.52, "within", "19-072")
    assert ph.sampled_at == datetime.fromisoformat("2026-05-12T14:30:00+00:00")  # 09:30 in Peru
    assert ph.record_source == "laboratorio DIRESA LL"
    arsenic = by_key["lab:KW-0:arsenic"]  # 2.259 µg/L in Kwale -> 0.00226 mg/L, within 0.010
    assert arsenic.unit == "mg/L" and arsenic.value == pytest.approx(0.00226, abs=1e-6)
    assert arsenic.compliance.value == "within"
    coliforms = by_key["lab:19-072:thermotolerant_coliforms"]
    assert (coliforms.value, coliforms.compliance.value) == (0.0, "within")
    systems = sorted({m.system_id for m in by_key.values()})
    assert jobs.Job(jobs.AGGREGATE_SYSTEMS, (systems,)) in jobs.pending(session)
    batch = session.get(ReadingBatch, delivery.batch_id)
    assert batch is not None
    assert (batch.kind, batch.file_name, batch.rows, batch.loaded) == (
        "lab_file",
        "resultados.csv",
        len(rows),
        len(rows),
    )
    assert batch.content_hash == delivery.digest
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "lab_results.upload",
            AuditEvent.subject_id == str(delivery.batch_id),
        )
    ).one()
    assert event.actor == "diresa@example.org"
    assert event.details["sha256"] == delivery.digest and event.details["loaded"] == len(rows)


def test_the_same_results_as_xlsx_and_again_as_csv_change_nothing(
    session: Session, codes: list[str]
) -> None:
    rows = malawi_lab_rows(codes, DAY)
    as_dates = [[*r[:2], date(2026, 5, 12), *r[3:]] for r in rows]  # real Excel date cells
    first = upload(session, lab_xlsx(as_dates), "resultados.xlsx")
    assert first.loaded == len(rows)
    uploads = select(func.count()).where(
        AuditEvent.action == "lab_results.upload", AuditEvent.subject_id == str(first.batch_id)
    )
    assert session.scalar(uploads) == 1
    every_upload = select(func.count()).where(AuditEvent.action == "lab_results.upload")
    before = session.scalar(every_upload)
    same_file = upload(session, lab_xlsx(as_dates), "resultados.xlsx")
    assert same_file.loaded == 0  # openpyxl writes a timestamp: other bytes, same results
    csv_again = upload(session, lab_csv(rows))
    assert (csv_again.loaded, csv_again.already) == (0, len(rows))
    assert session.scalar(every_upload) == before
    assert session.scalar(select(func.count()).select_from(ReadingBatch)) == 1
    assert official_count(session) == len(rows)


def test_a_file_uploaded_twice_byte_for_byte_is_recognised(
    session: Session, codes: list[str]
) -> None:
    data = lab_csv(malawi_lab_rows(codes, DAY))
    upload(session, data)
    again = upload(session, data)
    assert again.delivered_before is not None and again.loaded == 0


def test_a_file_with_bad_rows_loads_nothing_and_names_every_line(
    session: Session, codes: list[str]
) -> None:
    good = malawi_lab_rows(codes, DAY)
    bad = [
        ["NO-EXISTE", "red", DAY, "09:00", "pH", "7", "", "DIRESA LL", "B-1"],
        [codes[0], "techo", DAY, "09:00", "pH", "7", "", "DIRESA LL", "B-2"],
        [codes[0], "red", "31/02/2026", "09:00", "pH", "7", "", "DIRESA LL", "B-3"],
        [codes[0], "red", "12/05/2099", "09:00", "pH", "7", "", "DIRESA LL", "B-4"],
        [codes[0], "red", DAY, "09:00", "Radón", "7", "Bq/L", "DIRESA LL", "B-5"],
        [codes[0], "red", DAY, "09:00", "Arsénico", "5", "mg/m3", "DIRESA LL", "B-6"],
        [codes[0], "red", DAY, "09:00", "Nitratos", "11", "mg/L", "DIRESA LL", "B-7"],
        [
            codes[0],
            "red",
            DAY,
            "09:00",
            "Cloro residual libre",
            "siete",
            "mg/L",
            "DIRESA LL",
            "B-8",
        ],
        [codes[0], "red", DAY, "09:00", "pH", "19", "", "DIRESA LL", "B-9"],
        [codes[0], "red", DAY, "09:00", "pH", "7", "", "DIRESA LL", ""],
        [codes[0], "red", DAY, "09:00", "Plomo", "<0.05", "mg/L", "DIRESA LL", "B-11"],
        [codes[0], "red", DAY, "09:00", "pH", "7", "", "DIRESA LL", "B-12"],
        [codes[0], "red", DAY, "09:00", "pH", "7.1", "", "DIRESA LL", "B-12"],
    ]
    with pytest.raises(FileRefused) as refused:
        upload(session, lab_csv(good + bad))
    lines = refused.value.rendered_rows("es")
    first_bad = len(good) + 2  # header is line 1
    expected = {
        0: "código de sistema o fuente desconocido 'NO-EXISTE'",
        1: "punto de muestreo desconocido 'techo'",
        2: "no es una fecha",
        3: "está en el futuro",
        4: "parámetro de calidad del agua desconocido 'Radón'",
        5: "la unidad 'mg/m3' no se acepta",
        6: "'mg/L' es ambiguo; escriba 'mg NO3/L' o 'mg NO3-N/L'",
        7: "'value' debe ser un número; dice 'siete'",
        8: "no es una lectura posible",
        9: "falta el campo obligatorio 'sample_id'",
        10: "no se puede comparar con los límites de la norma",
        12: f"aparecen dos veces en el archivo (línea {first_bad + 11})",
    }
    assert len(lines) == len(expected), lines
    for offset, text in expected.items():
        line = next(x for x in lines if x.startswith(f"fila {first_bad + offset}:"))
        assert text in line, line
    assert refused.value.localized("en") == f"{len(expected)} rows have errors; nothing was loaded."
    assert official_count(session) == 0
    assert session.scalar(select(func.count()).select_from(ReadingBatch)) == 0


def test_a_result_already_recorded_with_another_value_refuses_the_file(
    session: Session, codes: list[str]
) -> None:
    rows = malawi_lab_rows(codes, DAY)
    upload(session, lab_csv(rows))
    changed = [list(r) for r in rows]
    changed[0][5] = "8.9"  # the pH of sample 19-072, "corrected"
    with pytest.raises(FileRefused) as refused:
        upload(session, lab_csv(changed))
    assert refused.value.rendered_rows("es") == [
        "fila 2: ph de esta muestra ya está registrado con otro valor (6.52 pH)"
    ]
    assert official_count(session) == len(rows)


def test_units_presence_and_detection_limits(session: Session, codes: list[str]) -> None:
    code = codes[0]
    rows = [
        [code, "red", DAY, "08:00", "Cloro residual libre", "600", "µg/L", "Lab", "U-1"],
        [code, "red", DAY, "08:00", "E. coli", "Ausencia", "", "Lab", "U-1"],
        [code, "red", DAY, "08:00", "Coliformes totales", "<1.8", "NMP/100 mL", "Lab", "U-1"],
        [code, "red", DAY, "08:00", "Coliformes termotolerantes", "2", "NMP/100mL", "Lab", "U-1"],
        [code, "red", DAY, "08:00", "Conductividad", "0.658", "mS/cm", "Lab", "U-1"],
        [code, "red", DAY, "08:00", "Nitratos", "11.3", "mg NO3-N/L", "Lab", "U-1"],
        [code, "red", DAY, "08:00", "Arsénico", "<0.001", "mg/L", "Lab", "U-1"],
        [code, "red", DAY, "08:00", "Turbiedad", ">50", "UNT", "Lab", "U-1"],
    ]
    delivery = upload(session, lab_csv(rows, sep=";"))
    assert delivery.loaded == len(rows)
    values = dict(
        session.execute(
            select(Measurement.parameter_code, Measurement.value).where(
                Measurement.batch_id == delivery.batch_id
            )
        ).all()
    )
    assert values["free_chlorine"] == 0.6
    assert values["e_coli"] == 0.0 and values["total_coliforms"] == 0.0
    assert values["thermotolerant_coliforms"] == 2.0  # NMP counted as UFC
    assert values["conductivity"] == 658.0
    assert values["nitrate"] == pytest.approx(50.02, abs=0.01)  # as N x 4.427
    assert values["arsenic"] == 0.001
    assert values["turbidity"] == 50.0


def test_a_sample_of_a_source_is_linked_to_the_source(session: Session) -> None:
    source = session.scalars(select(WaterSource).order_by(WaterSource.id).limit(1)).one()
    rows = [[source.code, "captación", DAY, "07:00", "Turbiedad", "12", "NTU", "Lab", "S-1"]]
    delivery = upload(session, lab_csv(rows))
    stored = session.scalars(
        select(Measurement).where(Measurement.batch_id == delivery.batch_id)
    ).one()
    assert (stored.source_id, stored.system_id) == (source.id, None)
    assert jobs.Job(jobs.AGGREGATE_SOURCES, ([source.id],)) in jobs.pending(session)


def test_english_headers_and_missing_columns(session: Session, codes: list[str]) -> None:
    header = [
        "code",
        "sample_point",
        "sampled_at",
        "parameter",
        "result",
        "unit",
        "lab",
        "sample_id",
    ]
    rows = [[codes[0], "tap", "2026-05-12T10:15:00-05:00", "ph", "7.4", "", "Lab", "E-1"]]
    assert upload(session, lab_csv(rows, header=header)).loaded == 1
    with pytest.raises(MissingColumns) as missing:
        upload(session, lab_csv([r[:-1] for r in rows], header=header[:-1]))
    assert "sample_id" in missing.value.localized("es")


def test_unreadable_files_are_clear_errors(session: Session) -> None:
    with pytest.raises(OldExcelFile):
        upload(session, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "viejo.xls")
    with pytest.raises(FileRefused):  # a header and garbage rows
        upload(session, lab_csv([["x"] * len(LAB_HEADER)]))


def test_only_health_staff_and_administrators_upload_lab_results(
    session: Session, codes: list[str]
) -> None:
    from tests.account_factories import provider_of

    data = lab_csv(malawi_lab_rows(codes, DAY))
    system_id = jass_systems(session, 1)[0].id
    for role, provider in (
        (Role.PROVIDER_STAFF, provider_of(session, system_id)),
        (Role.ANALYST, None),
        (Role.MODERATOR, None),
    ):
        who = staff(session, role, provider)
        with pytest.raises(Forbidden):
            upload(session, data, scope=who.scope(session))
    assert official_count(session) == 0
    admin = staff(session, Role.ADMINISTRATOR)
    assert upload(session, data, scope=admin.scope(session)).loaded > 0


def test_the_api_upload_answers_with_every_bad_row_and_stores_nothing(
    session: Session, client: TestClient, codes: list[str]
) -> None:
    health = staff(session, Role.HEALTH)
    session.commit()
    rows = malawi_lab_rows(codes, DAY)
    bad = [*rows, ["NO-EXISTE", "red", DAY, "09:00", "pH", "7", "", "Lab", "B-1"]]
    files = {"file": ("lab.csv", lab_csv(bad), "text/csv")}
    refused = client.post("/api/v1/lab-results", files=files, headers=health.headers)
    assert refused.status_code == 422
    body = refused.json()["error"]
    assert body["code"] == "file_refused"
    assert body["rows"] == [
        f"fila {len(rows) + 2}: código de sistema o fuente desconocido 'NO-EXISTE'"
    ]
    assert official_count(session) == 0
    files = {"file": ("lab.xlsx", lab_xlsx(rows), "application/octet-stream")}
    created = client.post("/api/v1/lab-results", files=files, headers=health.headers)
    assert created.status_code == 201, created.text
    assert created.json()["loaded"] == len(rows)
    files = {"file": ("lab.csv", lab_csv(rows), "text/csv")}
    again = client.post("/api/v1/lab-results", files=files, headers=health.headers)
    assert again.status_code == 200
    assert (again.json()["loaded"], again.json()["already_recorded"]) == (0, len(rows))


def test_the_api_refuses_other_roles_and_empty_or_huge_files(
    session: Session, client: TestClient, codes: list[str]
) -> None:
    analyst = staff(session, Role.ANALYST)
    health = staff(session, Role.HEALTH)
    session.commit()
    files = {"file": ("lab.csv", lab_csv(malawi_lab_rows(codes, DAY)), "text/csv")}
    assert (
        client.post("/api/v1/lab-results", files=files, headers=analyst.headers).status_code == 403
    )
    assert client.post("/api/v1/lab-results", files=files).status_code == 401
    empty = {"file": ("lab.csv", b"", "text/csv")}
    assert (
        client.post("/api/v1/lab-results", files=empty, headers=health.headers).status_code == 400
    )
    assert official_count(session) == 0
