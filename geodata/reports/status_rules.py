"""The traffic light of a water system or source, from the evidence it rests on.

RULE_TEXT_ES states the same rule in plain Spanish for the map. In code:

* Red: a faecal indicator (E. coli, thermotolerant coliforms) detected, free chlorine below
  0.3 mg/L, or water missing ("sin agua" reports).
* Yellow: chlorine 0.3-0.5 mg/L, turbidity above 5 NTU, pH outside 6.5-8.5, any other reading
  outside the limits, intermittent supply, bad taste/smell/colour, turbid water, suspected
  contamination or broken infrastructure reports; or evidence older than
  ``evidence_max_age_days`` (the SIASAR survey of 2015-16 counts as old official evidence); or a
  single citizen reading within the limits (it cannot make a system green on its own).
* Green: recent evidence within the limits: official (laboratory, DIRESA, operator) or at least
  two independent citizens whose readings agree.
* Grey: no evidence at all.

Whose evidence counts. Official evidence outranks citizen evidence: when there is recent
official evidence, the colour rests on it, and citizen evidence can only make it worse if it
was observed after the newest official observation, never better. A citizen problem changes
the colour only when it is backed: reported by at least two independent citizens (different
phone or contact AND different network address), or confirmed by the responsible body. One
citizen alone (or several from one phone or one network address) raises an *unconfirmed
citizen alert* instead: shown at once with its health advice, sent to the body, while the
colour waits. The alert ends when its report is resolved (it is no longer live), when the body
confirms it (it then counts for the colour), when an independent citizen backs it, or when a
later official observation covers its period.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from geodata.messages import Message, Text, message, render
from geodata.models import EvidenceKind, WaterStatus

RULE_TEXT_ES = (
    "Rojo: se detectó contaminación fecal (E. coli o coliformes termotolerantes), el cloro "
    "residual está por debajo de 0.3 mg/L, o la población reporta que no hay agua. "
    "Amarillo: cloro entre 0.3 y 0.5 mg/L, turbiedad mayor a 5 NTU, pH fuera de 6.5 a 8.5, "
    "servicio intermitente, reportes de mal olor, sabor o color, o información con más de "
    "{days} días de antigüedad. "
    "Verde: información reciente dentro de los límites de la norma (DS 031-2010-SA), de una "
    "fuente oficial (laboratorio, DIRESA u operador) o de al menos dos vecinos que coinciden; "
    "un solo reporte ciudadano nunca pone un sistema en verde. "
    "Gris: no hay información. "
    "La información oficial pesa más que la ciudadana. "
    "El reporte de un solo vecino cambia el color solo si otro vecino, desde otro teléfono y "
    "otra red, informa lo mismo, o si el responsable lo confirma; mientras tanto se muestra "
    "como alerta ciudadana sin confirmar, con su consejo de salud."
)

_SEVERITY = {WaterStatus.GREEN: 0, WaterStatus.YELLOW: 1, WaterStatus.RED: 2}


@dataclass(frozen=True, slots=True)
class Finding:
    """One observation about a system or source and what it means for the colour."""

    colour: WaterStatus
    observed_at: datetime
    reason: Message | str  # a message, rendered in the reader's language (geodata.messages)
    official: bool
    reporter: str | None = None  # who observed it: phone/contact fingerprint or report id
    network: str | None = None  # the network address it came from (fingerprint)
    topic: str | None = None  # what it is about: a report category or "reading:<parameter>"
    confirmed: bool = False  # the responsible body confirmed it


@dataclass(frozen=True, slots=True)
class Decision:
    status: WaterStatus
    evidence: EvidenceKind
    evidence_at: datetime | None
    reason: Text | None  # one message, or several reasons
    alert: str | None = None  # topic of an unconfirmed citizen alert
    alert_since: datetime | None = None


GREY = Decision(WaterStatus.GREY, EvidenceKind.NONE, None, None)


def independent(a: Finding, b: Finding) -> bool:
    """Two citizens, not one phone or one network address (an unknown address is no proof
    of the same one)."""
    if a.reporter is None or b.reporter is None or a.reporter == b.reporter:
        return False
    return a.network is None or b.network is None or a.network != b.network


def witnessed(findings: Sequence[Finding]) -> list[Finding]:
    """The findings for which another finding of the group is independent of them.

    Counted, not compared pairwise: a village of a thousand phones behind one address costs
    one pass, not a million comparisons.
    """
    known = [f for f in findings if f.reporter is not None]
    by_reporter = Counter(f.reporter for f in known)
    by_network = Counter(f.network for f in known if f.network is not None)
    by_both = Counter((f.reporter, f.network) for f in known if f.network is not None)
    out = []
    for f in known:
        others = len(known) - by_reporter[f.reporter]
        if f.network is not None:  # others on the very same address do not count
            others -= by_network[f.network] - by_both[(f.reporter, f.network)]
        if others > 0:
            out.append(f)
    return out


def _backed(problems: Sequence[Finding]) -> list[Finding]:
    """Problems confirmed by the body, or witnessed by an independent citizen on the topic."""
    topics: dict[str | None, list[Finding]] = {}
    for f in problems:
        topics.setdefault(f.topic, []).append(f)
    backed = {id(f) for group in topics.values() for f in witnessed(group)}
    return [f for f in problems if f.confirmed or id(f) in backed]


def decide(findings: Sequence[Finding], recent_since: datetime) -> Decision:
    """Apply the rule of this module to every finding known about one system or source."""
    official = [f for f in findings if f.official]
    recent_official = [f for f in official if f.observed_at >= recent_since]
    citizen = [f for f in findings if not f.official and f.observed_at >= recent_since]
    problems = [f for f in citizen if f.colour is not WaterStatus.GREEN]
    backed = _backed(problems)
    backed_ids = {id(f) for f in backed}
    decision = _colour(official, recent_official, citizen, backed)
    newest_official = max((f.observed_at for f in recent_official), default=None)
    unbacked = [
        f
        for f in problems
        if id(f) not in backed_ids and (newest_official is None or f.observed_at > newest_official)
    ]
    if not unbacked:
        return decision
    severity = max(_SEVERITY[f.colour] for f in unbacked)
    worst = sorted(
        (f for f in unbacked if _SEVERITY[f.colour] == severity),
        key=lambda f: (f.observed_at, f.topic or ""),
    )
    topic = worst[-1].topic
    since = min(f.observed_at for f in unbacked if f.topic == topic)
    return replace(decision, alert=topic, alert_since=since)


def _colour(
    official: Sequence[Finding],
    recent_official: Sequence[Finding],
    citizen: Sequence[Finding],
    backed: Sequence[Finding],
) -> Decision:
    if recent_official:
        newest = max(f.observed_at for f in recent_official)
        decision = _worst(recent_official, EvidenceKind.OFFICIAL)
        later_problems = [f for f in backed if f.observed_at > newest]
        if later_problems:
            citizen_view = _worst(later_problems, EvidenceKind.CITIZEN)
            if _SEVERITY[citizen_view.status] > _SEVERITY[decision.status]:
                return citizen_view
        return decision
    if backed:
        return _worst(backed, EvidenceKind.CITIZEN)
    good = [f for f in citizen if f.colour is WaterStatus.GREEN]
    if witnessed(good):
        return Decision(
            WaterStatus.GREEN,
            EvidenceKind.CITIZEN,
            max(f.observed_at for f in good),
            message("Recent readings of at least two neighbours within the limits."),
        )
    if official:
        newest_old = max(official, key=lambda f: f.observed_at)
        return Decision(
            WaterStatus.YELLOW,
            EvidenceKind.OFFICIAL,
            newest_old.observed_at,
            message(
                "Old evidence ({date}): {reason}",
                date=newest_old.observed_at,
                reason=newest_old.reason,
            ),
        )
    if good:
        return Decision(
            WaterStatus.YELLOW,
            EvidenceKind.CITIZEN,
            max(f.observed_at for f in good),
            message("A single citizen report within the limits; it still needs confirmation."),
        )
    return GREY


MAX_REASONS = 3


def _worst(findings: Sequence[Finding], evidence: EvidenceKind) -> Decision:
    severity = max(_SEVERITY[f.colour] for f in findings)
    worst = [f for f in findings if _SEVERITY[f.colour] == severity]
    # Ordered by their Spanish text, the default language, so the stored reason is stable.
    newest_first = sorted(
        worst, key=lambda f: (f.observed_at, render(f.reason, "es")), reverse=True
    )
    reasons: list[Message | str] = []
    for finding in newest_first:  # the newest few, so the text stays short for the map
        if finding.reason not in reasons and len(reasons) < MAX_REASONS:
            reasons.append(finding.reason)
    reasons.sort(key=lambda m: render(m, "es"))
    return Decision(
        worst[0].colour,
        evidence,
        max(f.observed_at for f in findings),
        reasons[0] if len(reasons) == 1 else reasons,
    )


def rule_text(max_age_days: int) -> str:
    """The rule in plain Spanish, as the map shows it."""
    return RULE_TEXT_ES.format(days=max_age_days)
