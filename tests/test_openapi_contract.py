"""The OpenAPI document tells the truth: schemathesis (property-based, from the document alone)
sends valid and invalid requests to every operation and checks each answer against it: no
5xx, only documented status codes, content types, headers and bodies, valid data accepted and
invalid data refused.

Bounded in time: ``YAKU_CONTRACT_EXAMPLES`` examples per operation (default 30), no deadline
per example; the whole module runs in well under two minutes on two cores.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from PIL import Image
from schemathesis.config import SchemathesisConfig
from sqlalchemy.orm import Session

from api.deps import get_read_session, get_session
from api.main import create_app
from api.routers.downloads import publish_dir
from api.routers.reports import get_intake
from geodata.accounts.errors import InvalidIdentifier
from geodata.accounts.identifiers import parse_identifier
from tests.conftest import clear_rate_limits
from tests.ogc_support import publish
from tests.test_reports_api import SessionIntake

EXAMPLES = int(os.environ.get("YAKU_CONTRACT_EXAMPLES", "30"))

app = create_app()
# For the intake, schemathesis's coverage phase cannot yet judge a multipart body holding a
# binary part under oneOf ("Unsupported type: 'Binary'"), and its examples phase composes a
# reading from the fields' defaults (neither value nor present), which the schema's anyOf
# itself refuses; the fuzzing phase, valid and invalid cases alike, covers that operation.
CONFIG = SchemathesisConfig.from_str(
    """
[[operations]]
include-path = "/api/v1/reports"
include-method = "POST"
phases.coverage.enabled = false
phases.examples.enabled = false
"""
)
schema = schemathesis.openapi.from_asgi("/api/openapi.json", app, config=CONFIG)


# Rules a JSON Schema cannot state, taught to the generator so that its "valid" requests are
# valid; invalid ones are still generated and must be refused.
@schema.hook("map_query")
def _boxes_in_order(context: Any, query: dict[str, Any] | None) -> dict[str, Any] | None:
    """A bbox's minimum comes before its maximum, and latitudes stay within +-90."""
    if query and isinstance(query.get("bbox"), str):
        try:
            n = [float(v) for v in query["bbox"].split(",")]
        except ValueError:
            return query
        if len(n) in (4, 6):
            west, south, east, north = (n[0], n[1], n[-3], n[-2]) if len(n) == 6 else n
            lon = sorted(max(-180.0, min(180.0, v)) for v in (west, east))
            lat = sorted(max(-90.0, min(90.0, v)) for v in (south, north))
            query["bbox"] = ",".join(f"{v:g}" for v in (lon[0], lat[0], lon[1], lat[1]))
    return query


def _tiny_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (10, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


TINY_PNG = _tiny_png()


@schema.hook("map_case")
def _consistent_report(context: Any, case: Any) -> Any:
    """The Idempotency-Key header and the body's idempotency_key, when both given, agree; a
    valid report's photo is an image (random bytes are not, and are refused with 415)."""
    # cases built from the document's examples carry no generation mode: they are valid ones;
    # an invalid case is left as generated (its mutation is the point)
    positive = case.meta is None or case.meta.generation.mode.is_positive
    header = (case.headers or {}).get("Idempotency-Key")
    if positive and header and isinstance(case.body, dict) and case.body.get("idempotency_key"):
        case.body["idempotency_key"] = header
    if positive and isinstance(case.body, dict) and isinstance(case.body.get("identifier"), str):
        # an e-mail or a phone number that exists in Peru's numbering plan (a pattern can
        # describe the shape, not which numbers exist)
        try:
            parse_identifier(case.body["identifier"])
        except InvalidIdentifier:
            case.body["identifier"] = "jass.sanjose@example.org"
    if positive and isinstance(case.body, dict) and "photo" in case.body:
        case.body["photo"] = TINY_PNG
    if positive and isinstance(case.body, dict) and isinstance(case.body.get("measurements"), list):
        # the generator sometimes ignores a referenced schema's anyOf (value or present): a
        # reading with neither is no reading, and is refused
        for reading in case.body["measurements"]:
            empty = isinstance(reading, dict) and reading.get("value") is None
            if empty and not isinstance(reading.get("present"), bool):
                reading["value"] = 0.5
    return case


@pytest.fixture(scope="module")
def published(engine: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("publish")
    with Session(engine) as session:
        publish(session, directory)
        session.rollback()
    return directory


@pytest.fixture
def on_test_session(
    session: Session, published: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Every request on the test's rolled-back session; nothing sent to the workers."""

    def _session() -> Iterator[Session]:
        yield session
        session.flush()

    app.dependency_overrides[get_session] = _session
    app.dependency_overrides[get_read_session] = _session
    app.dependency_overrides[get_intake] = lambda: SessionIntake(session)
    app.dependency_overrides[publish_dir] = lambda: published
    monkeypatch.setattr("api.routers.reports.enqueue_validation", lambda _id: None)
    yield
    app.dependency_overrides.clear()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_every_operation_keeps_its_contract(case: Any, on_test_session: None) -> None:
    clear_rate_limits()  # budgets would fill up across examples: a 429 tells nothing here
    case.call_and_validate()
