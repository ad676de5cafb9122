"""The desk in headless Chromium at 360 px: signed in (session cookie), acknowledge with the
pre-filled template, answer with a public note, then the answer on the citizen's tracking page.

The data is committed (the live server is another process) and removed afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, or_
from sqlalchemy.orm import Session

from geodata.models import Account, AuditEvent, Report, ReportCategory, Role
from geodata.reports.validation import validate_report
from tests import account_factories as accounts
from tests import report_factories as make
from tests.celery_support import flush_redis
from tests.web.test_browser import fits_360, watch

pytestmark = pytest.mark.browser

NOTE = "Mañana a las 9 cambiamos la tubería rota."


@dataclass(frozen=True)
class DeskCase:
    code: str
    cookie: str
    provider: str


@pytest.fixture
def desk_case(engine: Engine) -> Iterator[DeskCase]:
    with Session(engine, expire_on_commit=False) as session:
        place = make.systems(session, 1, offset=75)[0]
        provider = accounts.provider_of(session, place.id)
        accepted = make.report(
            session,
            place,
            ReportCategory.LEAK,
            description="Fuga grande en la calle principal",
            contact="vecino-privado@example.org",
            device_id="desk-browser",
        )
        validate_report(session, accepted.id)
        member = accounts.staff(session, Role.PROVIDER_STAFF, provider)
        member.account.display_name = "Rosa Quispe"
        session.commit()
        case = DeskCase(accepted.tracking_code, member.cookie, provider.name)
        account_id = member.account.id
    yield case
    with Session(engine) as session:
        session.execute(delete(Report).where(Report.id == accepted.id))
        session.execute(
            delete(AuditEvent).where(
                or_(AuditEvent.subject_id == case.code, AuditEvent.account_id == account_id)
            )
        )
        session.execute(delete(Account).where(Account.id == account_id))
        session.commit()
    flush_redis()  # the aggregation jobs the answers sent (no worker runs here)


def test_acknowledge_and_answer_then_the_citizen_sees_it(
    live_server: str, phone: Any, artifacts: Path, desk_case: DeskCase
) -> None:
    phone.add_cookies([{"name": "yaku_session", "value": desk_case.cookie, "url": live_server}])
    page = phone.new_page()
    seen = watch(page, live_server)
    page.goto(f"{live_server}/desk")
    item = page.locator(f'li.desk-item[data-code="{desk_case.code}"]')
    item.wait_for()
    page.wait_for_selector("#desk-map[data-loaded='1']")  # my one system, on the small map
    assert fits_360(page)
    page.screenshot(path=str(artifacts / "desk-list-360.png"), full_page=True)

    item.locator("a.desk-link").click()
    page.wait_for_url(f"**/desk/reportes/{desk_case.code}")
    assert page.locator("#desk-contact").inner_text() == "vecino-privado@example.org"
    page.locator("label[for=a-acknowledge]").click()
    note = page.locator("#note")
    assert note.input_value().startswith("Recibimos su reporte")  # the template, pre-filled
    assert fits_360(page)
    page.locator("#answer-send").click()
    page.wait_for_url(f"**/desk/reportes/{desk_case.code}?hecho=acknowledge")
    assert page.locator("#desk-status").inner_text() == "Visto por el prestador"

    page.locator("label[for=a-note]").click()
    assert note.input_value() == ""  # the untouched template gave way to the new choice
    note.fill(NOTE)
    assert page.locator("#public").is_checked()
    page.locator("#answer-send").click()
    page.wait_for_url(f"**/desk/reportes/{desk_case.code}?hecho=note")
    page.screenshot(path=str(artifacts / "desk-report-360.png"), full_page=True)

    page.goto(f"{live_server}/seguimiento/{desk_case.code}")
    body = page.locator("main").inner_text()
    assert "Visto por el prestador" in body
    assert "Recibimos su reporte" in body and NOTE in body
    assert desk_case.provider in body
    assert "Rosa" not in body and "vecino-privado" not in body
    assert fits_360(page)
    page.screenshot(path=str(artifacts / "desk-tracking-360.png"), full_page=True)
    assert seen["outside"] == [] and seen["errors"] == []
