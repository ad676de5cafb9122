"""``/desk/avisos``: the notices about my body's reports that could not be delivered (a dead
e-mail, a refused number), so that someone fixes the contact or calls instead."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.deps import SessionDep
from geodata.models import DeliveryStatus
from geodata.notify.desk_view import notices
from web.desk import _language, _staff
from web.desk_view import page

router = APIRouter(include_in_schema=False)


@router.get("/desk/avisos", response_class=HTMLResponse)
async def desk_notices(request: Request, session: SessionDep) -> Response:
    language = _language(request)
    principal = await _staff(request, session, language)
    if isinstance(principal, Response):
        return principal
    return page(
        "desk/notices.html",
        language,
        request,
        principal=principal,
        failed=notices(session, principal.scope, DeliveryStatus.FAILED),
        sent=notices(session, principal.scope, DeliveryStatus.SENT, limit=20),
    )
