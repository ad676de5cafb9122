"""What Yaku answers by SMS or WhatsApp, in plain words (English msgids, Spanish by default)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from geodata.i18n import translate
from geodata.models import ReportStatus
from geodata.reports import statuses
from geodata.reports.errors import ReportNotFound
from geodata.reports.queries import report_by_code

LANGUAGE = "es"

HELP = (
    "To report a water problem write: AGUA <system code> <problem> (NOHAY, TURBIA, OLOR, "
    "ROTA, FUGA), e.g. AGUA 160421 NOHAY. To follow a report: ESTADO <tracking code>."
)
HELP_WHATSAPP = "You can also share your location here and then tell us the problem."
PROVIDER_HELP = (
    "To answer a report, reply with a number: 1 received, 2 being repaired, 3 resolved, "
    "4 not ours; you may add its tracking code and a public note, e.g. 3 ABCD2345 we changed "
    "the pipe."
)
REPORT_RECEIVED = (
    "Thank you, we received your report. Your tracking code is {code}. "
    "Send ESTADO {code} to know how it goes."
)
NEED_PLACE = (
    "We received your message. Where is the problem? Within {minutes} minutes, send the "
    "water system's code (e.g. AGUA 160421 NOHAY)."
)
NEED_PLACE_WHATSAPP = "Or share your location here."
UNKNOWN_SYSTEM = "We did not find the water system {code}; check its code on the map."
LOCATION_WAITING = (
    "We received your location. Now tell us the problem within {minutes} minutes, "
    "e.g. NOHAY, TURBIA, OLOR, ROTA or FUGA."
)
ONLY_TEXT = "We can only read text messages and shared locations."
STATUS_LINE = "Report {code}: {status}."
STATUS_NOTE = "{body}: {note}"
STATUS_NOT_FOUND = "We did not find a report with the code {code}. Check it and try again."
STATUS_NO_CODE = "Send ESTADO followed by your tracking code, e.g. ESTADO ABCD2345."
ANSWER_DONE = "Done: report {code} is now {status}."
ANSWER_REFUSED = "Your answer was not recorded: {reason}"
CITIZEN_STATUS = "News about your report {code}: {body} marked it as {status}."
CITIZEN_NOTE = "News about your report {code} from {body}:"


def say(msgid: str, **params: Any) -> str:
    text = translate(msgid, LANGUAGE)
    return text.format(**params) if params else text


def lines(*parts: str) -> str:
    return "\n".join(p for p in parts if p)


def status_label(status: ReportStatus | str) -> str:
    return say(statuses.LABELS[ReportStatus(status)])


def help_text(channel: str, answers: bool = False) -> str:
    """The syntax; for a number that may answer reports, how to answer first."""
    return lines(
        say(PROVIDER_HELP) if answers else "",
        say(HELP),
        say(HELP_WHATSAPP) if channel == "whatsapp" else "",
    )


def status_reply(session: Session, code: str | None) -> str:
    """``ESTADO <code>``: the report's status as its public tracking page tells it, with the
    latest public answer (never the reporter's contact, nor internal notes)."""
    if not code:
        return say(STATUS_NO_CODE)
    try:
        item = report_by_code(session, code, LANGUAGE)
    except ReportNotFound:
        return say(STATUS_NOT_FOUND, code=code)
    answer = next(
        (u for u in reversed(item["updates"]) if u["note"] and u["actor_kind"] != "citizen"), None
    )
    note = say(STATUS_NOTE, body=answer["actor_name"], note=answer["note"]) if answer else ""
    head = say(STATUS_LINE, code=item["tracking_code"], status=status_label(item["status"]))
    return lines(head, note)
