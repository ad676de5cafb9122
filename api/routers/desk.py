"""The provider desk's API: the reports of my scope, one report with its whole timeline, the
answers, my systems for a small map, indicators, response templates, contact details.

Thin: parse, call one ``geodata.desk`` function with the caller's scope, map the result. A
report outside the scope is 404 exactly like a missing code; a change the role does not allow
is 403; a move the lifecycle refuses is 409; bad input 400/422. Nothing changes on an error.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from sqlalchemy.orm import Session

from api.auth import Principal, PrincipalDep
from api.deps import SessionDep
from api.schemas.desk import AnswerIn, ContactIn, TemplateIn
from api.schemas.responses import JSON
from api.stored import photo_response
from geodata.accounts.errors import Forbidden, ProviderNotFound
from geodata.desk import contacts, listing, systems, templates
from geodata.desk.actions import Answer, Caller, answer
from geodata.desk.detail import report_detail
from geodata.desk.indicators import indicators_for
from geodata.desk.rules import find_report
from geodata.errors import NotFound
from geodata.models import Provider, ReportCategory, ReportStatus
from geodata.storage import media_store

router = APIRouter(prefix="/api/v1/desk", tags=["desk"])


def staff_principal(principal: PrincipalDep) -> Principal:
    """Signed in (401 otherwise) and holding at least one role (403 otherwise)."""
    if not principal.scope.is_staff:
        raise Forbidden()
    return principal


StaffDep = Annotated[Principal, Depends(staff_principal)]


def caller(principal: Principal) -> Caller:
    channel = "desk" if principal.via == "browser" else "api"
    return Caller(principal.scope, principal.label, channel)


def _photo_urls(item: dict[str, Any]) -> dict[str, Any]:
    base = f"/api/v1/desk/reports/{item['tracking_code']}"
    has_photo = item.pop("has_photo", False)
    item.setdefault("photo_url", f"{base}/photo" if has_photo else None)
    item.setdefault("thumbnail_url", f"{base}/thumbnail" if has_photo else None)
    return item


@router.get("/reports", summary="The reports of my scope, those needing attention first")
def list_reports(
    principal: StaffDep,
    session: SessionDep,
    status: ReportStatus | None = None,
    category: ReportCategory | None = None,
    system: Annotated[str | None, Query(max_length=40, description="System code")] = None,
    district: Annotated[str | None, Query(pattern=r"^[0-9]{6}$", description="INEI ubigeo")] = None,
    min_age_days: Annotated[
        int | None,
        Query(ge=0, le=listing.MAX_AGE_DAYS, description="Sent at least this many days ago"),
    ] = None,
    max_age_days: Annotated[
        int | None,
        Query(ge=0, le=listing.MAX_AGE_DAYS, description="Sent in the last so many days"),
    ] = None,
    overdue: Annotated[
        bool | None, Query(description="Validated, unacknowledged and past its due time")
    ] = None,
    failed: Annotated[bool, Query(description="Moderators: validation failed")] = False,
    limit: Annotated[int, Query(ge=1, le=listing.MAX_LIMIT)] = 50,
    offset: Annotated[int, Query(ge=0, le=listing.MAX_OFFSET)] = 0,
) -> JSON:
    filters = listing.Filters(
        status=status,
        category=category,
        system=system,
        district=district,
        min_age_days=min_age_days,
        max_age_days=max_age_days,
        overdue=overdue,
        failed=failed,
    )
    page = listing.list_reports(session, principal.scope, filters, limit=limit, offset=offset)
    return JSON(
        {
            "items": [_photo_urls(i) for i in page.items],
            "total": page.total,
            "limit": page.limit,
            "offset": page.offset,
        }
    )


@router.get("/reports/{code}", summary="One report with its whole timeline")
def get_report(code: str, principal: StaffDep, session: SessionDep) -> JSON:
    report = find_report(session, principal.scope, code)
    return JSON(_photo_urls(report_detail(session, principal.scope, report)))


DESK_IMAGE: dict[int | str, Any] = {
    200: {"description": "The JPEG image.", "content": {"image/jpeg": {}}},
    304: {"description": "Not modified (If-None-Match)."},
    307: {"description": "Stored in object storage: a short-lived signed URL of the image."},
    404: {"description": "No such report in my scope, or it has no photo."},
}


def _desk_photo(
    request: Request, session: Session, principal: Principal, code: str, thumb: bool
) -> Response:
    report = find_report(session, principal.scope, code)
    key = report.thumbnail_path if thumb else report.photo_path
    if key is None:
        raise NotFound()
    return photo_response(request, media_store(), key)


@router.get(
    "/reports/{code}/photo",
    summary="The photo of a report in my scope (public or not)",
    response_class=Response,
    responses=DESK_IMAGE,
)
def get_photo(code: str, request: Request, principal: StaffDep, session: SessionDep) -> Response:
    return _desk_photo(request, session, principal, code, thumb=False)


@router.get(
    "/reports/{code}/thumbnail",
    summary="The thumbnail of a report in my scope",
    response_class=Response,
    responses=DESK_IMAGE,
)
def get_thumbnail(
    code: str, request: Request, principal: StaffDep, session: SessionDep
) -> Response:
    return _desk_photo(request, session, principal, code, thumb=True)


@router.post(
    "/reports/{code}/updates",
    summary="Answer a report: acknowledge, in progress, resolve, reject, note, confirm, "
    "reassign, merge, reopen, validate again",
    status_code=201,
    responses={
        403: {"description": "The role does not allow this."},
        404: {"description": "No such report in my scope."},
        409: {"description": "The report's status does not allow this."},
    },
)
def post_update(code: str, body: AnswerIn, principal: StaffDep, session: SessionDep) -> JSON:
    given = Answer(
        action=body.action,
        note=body.note,
        public=body.public,
        provider_id=body.provider_id,
        escalate=body.escalate,
        duplicate_of=body.duplicate_of,
    )
    result = answer(session, caller(principal), code, given)
    session.flush()
    update = result.update
    return JSON(
        {
            "tracking_code": result.report.tracking_code,
            "status": result.report.status.value,
            "provider_id": result.report.provider_id,
            "confirmed_at": result.report.confirmed_at,
            "is_duplicate": result.report.duplicate_of_id is not None,
            "update": (
                {
                    "to_status": update.to_status.value,
                    "actor_name": update.actor_name,
                    "note": update.note,
                    "is_public": update.is_public,
                    "created_at": update.created_at,
                }
                if update is not None
                else None
            ),
        },
        status_code=201,
    )


@router.get("/systems", summary="My systems (GeoJSON): colour, alert, open reports")
def get_systems(principal: StaffDep, session: SessionDep) -> JSON:
    return JSON(systems.systems_geojson(session, principal.scope))


@router.get("/indicators", summary="How my bodies answer: received, open, overdue, medians")
def get_indicators(principal: StaffDep, session: SessionDep) -> JSON:
    return JSON({"items": indicators_for(session, principal.scope)})


@router.get("/templates", summary="Response templates of a body (its copies over the defaults)")
def get_templates(
    principal: StaffDep,
    session: SessionDep,
    provider_id: Annotated[int | None, Query(ge=1)] = None,
    language: Annotated[str, Query(pattern="^(es|en)$")] = "es",
) -> JSON:
    scope = principal.scope
    if provider_id is None and len({b.provider_id for b in scope.bodies}) == 1:
        provider_id = scope.bodies[0].provider_id
    return JSON(
        {
            "provider_id": provider_id,
            "items": templates.templates_for(session, provider_id, language),
        }
    )


@router.put("/templates/{key}", summary="Write my body's own copy of a template")
def put_template(
    key: str,
    body: TemplateIn,
    principal: StaffDep,
    session: SessionDep,
    provider_id: Annotated[int | None, Query(ge=1)] = None,
) -> JSON:
    owner = templates.body_of(principal.scope, provider_id)
    saved = templates.save_template(
        session,
        principal.scope,
        owner,
        key,
        title=body.title,
        body=body.body,
        language=body.language,
        who=principal.label,
    )
    return JSON({"provider_id": owner, **saved})


@router.delete("/templates/{key}", summary="Drop my body's copy: the default applies again")
def delete_template(
    key: str,
    principal: StaffDep,
    session: SessionDep,
    provider_id: Annotated[int | None, Query(ge=1)] = None,
    language: Annotated[str, Query(pattern="^(es|en)$")] = "es",
) -> Response:
    owner = templates.body_of(principal.scope, provider_id)
    templates.revert_template(
        session, principal.scope, owner, key, language=language, who=principal.label
    )
    return Response(status_code=204)


@router.get("/providers/{provider_id}", summary="A body's public contact details")
def get_provider(provider_id: int, principal: StaffDep, session: SessionDep) -> JSON:
    provider = session.get(Provider, provider_id)
    if provider is None:
        raise ProviderNotFound()
    item = contacts.public_contact(provider)
    item["editable"] = principal.scope.can_edit_provider(provider_id)
    return JSON(item)


@router.patch("/providers/{provider_id}", summary="Fill or correct my body's contact details")
def patch_provider(
    provider_id: int, body: ContactIn, principal: StaffDep, session: SessionDep
) -> JSON:
    changes = {f: getattr(body, f) for f in body.model_fields_set}
    provider = contacts.update_contact(
        session, principal.scope, provider_id, changes, who=principal.label
    )
    return JSON(contacts.public_contact(provider))
