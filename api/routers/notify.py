"""Messaging API: public subscriptions to a system's or a district's water status (confirm,
one-click unsubscribe), the answer to "is it really fixed?", and the desk's notices.

Answers never carry an address nor say whether one was already subscribed.
"""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter

from api.deps import SessionDep
from api.routers.desk import StaffDep
from api.schemas.notify import FollowUpIn, SubscriptionIn, TokenIn
from api.schemas.responses import JSON
from geodata.models import DeliveryStatus
from geodata.notify import followups, subscriptions
from geodata.notify.desk_view import notices

router = APIRouter(prefix="/api/v1", tags=["messaging"])


@router.post(
    "/subscriptions",
    summary="Be told when a water system's or a district's status changes",
    status_code=202,
    responses={
        400: {"description": "Not an e-mail or phone, or a phone without recorded consent."},
        404: {"description": "No such water system or district."},
    },
)
def subscribe(body: SubscriptionIn, session: SessionDep) -> JSON:
    """An e-mail receives a link to confirm; a phone counts at once when its WhatsApp or SMS
    consent is recorded (it wrote to us first)."""
    target = subscriptions.find_target(session, system=body.system_code, district=body.district)
    subscriptions.subscribe(session, target, body.contact, body.language)
    by_email = "@" in body.contact
    return JSON(
        {"accepted": True, "confirm_by_link": by_email, "target": target.name}, status_code=202
    )


@router.post(
    "/subscriptions/confirm",
    summary="Confirm an e-mail subscription with the token of its link",
    responses={404: {"description": "Not a valid link, or the subscription is gone."}},
)
def confirm(body: TokenIn, session: SessionDep) -> JSON:
    subscriptions.confirm(session, body.token)
    return JSON({"confirmed": True})


@router.post(
    "/subscriptions/unsubscribe",
    summary="End a subscription with the token of its unsubscribe link",
    responses={404: {"description": "Not a valid link, or already ended."}},
)
def unsubscribe(body: TokenIn, session: SessionDep) -> JSON:
    subscriptions.unsubscribe(session, body.token)
    return JSON({"unsubscribed": True})


@router.post(
    "/followups/answer",
    summary='Answer "is it really fixed?" with the token of its link',
    responses={
        404: {"description": "Not a valid link."},
        409: {"description": "Already answered."},
    },
)
def answer_followup(body: FollowUpIn, session: SessionDep) -> JSON:
    """ "No" re-opens the report on the desk (back to acknowledged, with a public note)."""
    report = followups.answer(session, body.token, body.fixed)
    return JSON({"tracking_code": report.tracking_code, "status": report.status.value})


@router.get("/desk/notices", summary="Notices about my reports: failed ones first, or sent")
def desk_notices(
    principal: StaffDep, session: SessionDep, status: Literal["failed", "sent"] = "failed"
) -> JSON:
    """Recipients are masked; the error says why a notice could not be delivered."""
    return JSON({"items": notices(session, principal.scope, DeliveryStatus(status))})
