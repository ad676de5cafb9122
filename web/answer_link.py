"""``/responder/{token}``: a body answers one report from the link in its notice, without an
account (``geodata.desk.links``). The page shows the report's public face plus where it is and
by when to answer; the form acknowledges or resolves it and adds a public note, once."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from api.deps import SessionDep
from geodata.desk import templates
from geodata.desk.links import LinkState, Opened, answer_by_link, view_link
from geodata.reports.queries import report_by_code
from web.desk_view import page
from web.i18n import LANGUAGE_COOKIE, choose_language

router = APIRouter(include_in_schema=False)

# Pages per outcome: a distinct status for each, so clients and people can tell them apart.
STATUS = {
    LinkState.VALID: 200,
    LinkState.EXPIRED: 410,
    LinkState.USED: 409,
    LinkState.TAMPERED: 404,
    LinkState.MOVED: 409,
}


def _language(request: Request) -> str:
    return choose_language(request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE))


def _context(session: Session, opened: Opened, language: str) -> dict[str, Any]:
    if opened.state is not LinkState.VALID or opened.report is None:
        return {"report": None, "provider": opened.provider}
    report = report_by_code(session, opened.report.tracking_code)  # public fields only
    provider_id = opened.provider.id if opened.provider else None
    return {
        "report": report,
        "provider": opened.provider,
        "due_at": opened.report.due_at,
        "thumbnail": (
            f"/api/v1/reports/{report['tracking_code']}/thumbnail"
            if opened.report.thumbnail_path
            else None
        ),
        "prefill": templates.prefills(session, provider_id, opened.report.language),
        "status_now": opened.report.status.value,
    }


@router.get("/responder/{token}", response_class=HTMLResponse)
def link_page(request: Request, session: SessionDep, token: str) -> Response:
    language = _language(request)
    opened = view_link(session, token)
    return page(
        "desk/link.html",
        language,
        request,
        status_code=STATUS[opened.state],
        state=opened.state.value,
        token=token,
        **_context(session, opened, language),
    )


@router.post("/responder/{token}", response_class=HTMLResponse)
async def link_answer(request: Request, session: SessionDep, token: str) -> Response:
    language = _language(request)
    form = await request.form()
    action, note = form.get("action"), form.get("note")
    outcome = answer_by_link(
        session,
        token,
        action if isinstance(action, str) else "",
        note if isinstance(note, str) else None,
    )
    if outcome.error is not None:
        opened = view_link(session, token)
        return page(
            "desk/link.html",
            language,
            request,
            status_code=outcome.error.status_code,
            state=opened.state.value,
            token=token,
            error=outcome.error.localized(language),
            **_context(session, opened, language),
        )
    state = "answered" if outcome.state is LinkState.VALID else outcome.state.value
    return page(
        "desk/link.html",
        language,
        request,
        status_code=STATUS[outcome.state],
        state=state,
        token=token,
        report=None,
        provider=None,
    )
