"""What the notices say, short enough for an SMS and plain for a JASS volunteer (English msgids,
translated in ``geodata/locale/*/messages-messaging.po``; Spanish by default)."""

from __future__ import annotations

from collections.abc import Sequence

from geodata.i18n import translate
from geodata.models import Report, ReportStatus, WaterStatus
from geodata.open311 import SERVICE_NAMES
from geodata.reports import statuses
from geodata.settings import get_settings

COLOUR_WORDS: dict[WaterStatus, str] = {
    WaterStatus.GREEN: "green (water within the limits)",
    WaterStatus.YELLOW: "yellow (take care)",
    WaterStatus.RED: "red (not safe to drink)",
    WaterStatus.GREY: "grey (no recent evidence)",
}
MAX_DESCRIPTION = 300
DIGEST_LINES = 40


def url(path: str) -> str:
    return f"{get_settings().base_url}{path}"


def category(report: Report, language: str) -> str:
    return translate(SERVICE_NAMES[report.category], language)


def _description(report: Report) -> str:
    text = " ".join((report.public_description or "").split())
    return text if len(text) <= MAX_DESCRIPTION else text[: MAX_DESCRIPTION - 1] + "…"


def urgent_notice(report: Report, answer_url: str | None, language: str = "es") -> tuple[str, str]:
    _ = lambda m: translate(m, language)  # noqa: E731
    subject = _("Urgent report {code}: {category}").format(
        code=report.tracking_code, category=category(report, language)
    )
    lines = [
        _("A citizen reported an urgent problem: {category}.").format(
            category=category(report, language)
        ),
        _description(report),
        _("Tracking code: {code}").format(code=report.tracking_code),
    ]
    if answer_url:
        lines.append(_("Answer without signing in: {url}").format(url=answer_url))
    lines.append(_("On the desk: {url}").format(url=url(f"/desk/reportes/{report.tracking_code}")))
    return subject, "\n".join(line for line in lines if line)


def handed_notice(report: Report, answer_url: str | None, language: str = "es") -> tuple[str, str]:
    _ = lambda m: translate(m, language)  # noqa: E731
    subject = _("Report {code} handed to you: {category}").format(
        code=report.tracking_code, category=category(report, language)
    )
    lines = [
        _("Another body handed you this report: {category}.").format(
            category=category(report, language)
        ),
        _description(report),
        _("Tracking code: {code}").format(code=report.tracking_code),
    ]
    if answer_url:
        lines.append(_("Answer without signing in: {url}").format(url=answer_url))
    lines.append(_("On the desk: {url}").format(url=url(f"/desk/reportes/{report.tracking_code}")))
    return subject, "\n".join(line for line in lines if line)


def overdue_notice(
    report: Report, provider_name: str | None, language: str = "es"
) -> tuple[str, str]:
    _ = lambda m: translate(m, language)  # noqa: E731
    subject = _("Report {code} not acknowledged in time").format(code=report.tracking_code)
    lines = [
        _(
            "{body} did not acknowledge report {code} ({category}) in time; it is escalated to you."
        ).format(
            body=provider_name or _("Nobody"),
            code=report.tracking_code,
            category=category(report, language),
        ),
        _description(report),
        _("On the desk: {url}").format(url=url(f"/desk/reportes/{report.tracking_code}")),
    ]
    return subject, "\n".join(line for line in lines if line)


def digest(reports: Sequence[Report], language: str = "es") -> tuple[str, str]:
    _ = lambda m: translate(m, language)  # noqa: E731
    subject = _("{count} new reports for your water systems").format(count=len(reports))
    lines = [_("New reports checked since the last summary:")]
    for report in reports[:DIGEST_LINES]:
        lines.append(
            f"- {report.tracking_code} · {category(report, language)} · "
            + url(f"/desk/reportes/{report.tracking_code}")
        )
    if len(reports) > DIGEST_LINES:
        lines.append(_("… and {count} more on the desk.").format(count=len(reports) - DIGEST_LINES))
    lines.append(_("On the desk: {url}").format(url=url("/desk")))
    return subject, "\n".join(lines)


def citizen_update(
    report: Report, to_status: ReportStatus, changed: bool, actor: str | None, note: str | None
) -> tuple[str, str]:
    language = report.language
    _ = lambda m: translate(m, language)  # noqa: E731
    subject = _("Your report {code}").format(code=report.tracking_code)
    if changed:
        first = _("Your report {code} is now: {status}.").format(
            code=report.tracking_code, status=_(statuses.LABELS[to_status])
        )
    else:
        first = _("{body} answered your report {code}.").format(
            body=actor or "Yaku", code=report.tracking_code
        )
    lines = [first]
    if note:
        lines.append(f"{actor or 'Yaku'}: {note}")
    lines.append(_("Follow it: {url}").format(url=url(f"/seguimiento/{report.tracking_code}")))
    return subject, "\n".join(lines)


def followup_question(report: Report, answer_url: str) -> tuple[str, str]:
    _ = lambda m: translate(m, report.language)  # noqa: E731
    subject = _("Is it really fixed? Report {code}").format(code=report.tracking_code)
    text = "\n".join(
        [
            _("Some weeks ago your report {code} ({category}) was marked resolved.").format(
                code=report.tracking_code, category=category(report, report.language)
            ),
            _("Is the problem really fixed? Tell us here: {url}").format(url=answer_url),
        ]
    )
    return subject, text


def status_change(
    name: str,
    code: str,
    colour: WaterStatus,
    reason: str | None,
    unsubscribe_url: str,
    language: str,
) -> tuple[str, str]:
    _ = lambda m: translate(m, language)  # noqa: E731
    subject = _("Water status of {name}: {colour}").format(
        name=name, colour=_(COLOUR_WORDS[colour])
    )
    lines = [
        _("The water status of {name} ({code}) is now {colour}.").format(
            name=name, code=code, colour=_(COLOUR_WORDS[colour])
        ),
        reason or "",
        url(f"/sistemas/{code}"),
        _("To stop these messages: {url}").format(url=unsubscribe_url),
    ]
    return subject, "\n".join(line for line in lines if line)


def status_changes(
    changed: Sequence[tuple[str, str, WaterStatus]], unsubscribe_url: str, language: str
) -> tuple[str, str]:
    """Several systems of a subscription changed at once: one message listing them."""
    _ = lambda m: translate(m, language)  # noqa: E731
    subject = _("Water status: {count} systems changed").format(count=len(changed))
    lines = [_("The water status of these systems changed:")]
    for name, code, colour in changed[:DIGEST_LINES]:
        lines.append(f"- {name} ({code}): {_(COLOUR_WORDS[colour])} · " + url(f"/sistemas/{code}"))
    if len(changed) > DIGEST_LINES:
        lines.append(_("… and {count} more on the map.").format(count=len(changed) - DIGEST_LINES))
    lines.append(_("To stop these messages: {url}").format(url=unsubscribe_url))
    return subject, "\n".join(lines)


def confirm_subscription(
    target: str, confirm_url: str, unsubscribe_url: str, language: str
) -> tuple[str, str]:
    _ = lambda m: translate(m, language)  # noqa: E731
    subject = _("Confirm your subscription: {target}").format(target=target)
    text = "\n".join(
        [
            _(
                "Someone (we hope you) asked to be told when the water status of {target} changes."
            ).format(target=target),
            _("To confirm, open: {url}").format(url=confirm_url),
            _("If it was not you, ignore this message: {url}").format(url=unsubscribe_url),
        ]
    )
    return subject, text
