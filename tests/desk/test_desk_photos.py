"""Staff see the photo of a report in their scope through the desk's own routes, public or
not; the public routes serve it only while the report is public."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy.orm import Session

from geodata.media import store_photo
from geodata.models import ReportStatus
from geodata.settings import get_settings
from geodata.storage import media_store
from tests.desk.conftest import World
from tests.desk.support import api


def test_desk_photo_routes_follow_the_scope_not_the_public_status(
    client: TestClient, session: Session, world: World
) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), (10, 200, 90)).save(buffer, format="PNG")
    settings = get_settings()
    stored = store_photo(buffer.getvalue(), media_store(), settings.secret_key, 10**7)
    report = world.report_a
    report.photo_path, report.thumbnail_path = stored.photo_path, stored.thumbnail_path
    report.status = ReportStatus.REJECTED
    report.rejection_reason = "not water"
    session.flush()
    code = report.tracking_code
    desk = f"/api/v1/desk/reports/{code}"

    assert client.get(f"/api/v1/reports/{code}/photo").status_code == 404  # not public
    detail = api(client, "GET", desk, world.staff["moderator"]).json()
    assert detail["photo_url"] == f"{desk}/photo"
    for role in ("moderator", "provider_staff"):
        for part in ("photo", "thumbnail"):
            answer = api(client, "GET", f"{desk}/{part}", world.staff[role])
            assert answer.status_code == 200, (role, part, answer.text)
            assert answer.headers["content-type"] == "image/jpeg"
    assert api(client, "GET", f"{desk}/photo", world.staff["other"]).status_code == 404
    assert api(client, "GET", f"{desk}/photo", None).status_code == 401
