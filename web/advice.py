"""What a status or an unconfirmed citizen alert means for the person reading: drink, boil or do
not drink; the health advice of an alert; how old the evidence is. Plain words, translated."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from web.i18n import gettext_for


@dataclass(frozen=True, slots=True)
class Meaning:
    verdict: str  # "drink", "boil", "do_not_drink", "unknown"
    headline: str
    detail: str


def meaning(status: str, language: str) -> Meaning:
    """What the colour means for me."""
    _ = gettext_for(language).gettext
    if status == "green":
        return Meaning(
            "drink",
            _("You can drink it."),
            _("Recent checks are within the limits of the Peruvian standard."),
        )
    if status == "yellow":
        return Meaning(
            "boil",
            _("Boil it before drinking."),
            _(
                "There is a doubt about this water (see why below). Boil it for one minute, "
                "or chlorinate it, before drinking or cooking."
            ),
        )
    if status == "red":
        return Meaning(
            "do_not_drink",
            _("Do not drink it as it comes."),
            _(
                "A problem was found (see why below). Boil it for at least one minute or use "
                "another safe source, and ask the people who run the system."
            ),
        )
    return Meaning(
        "unknown",
        _("We do not know yet."),
        _("No one has checked this water yet. Boil it before drinking, to be safe."),
    )


def alert_topic(topic: str, language: str, categories: dict[str, str]) -> str:
    """What an alert is about, in words: a report category or a reading."""
    _ = gettext_for(language).gettext
    if topic.startswith("reading:"):
        parameter = topic.split(":", 1)[1]
        names = {
            "free_chlorine": _("low chlorine reading"),
            "turbidity": _("turbidity reading"),
            "ph": _("pH reading"),
            "e_coli": _("E. coli found in a reading"),
            "thermotolerant_coliforms": _("faecal coliforms found in a reading"),
            "total_coliforms": _("coliforms found in a reading"),
        }
        return names.get(parameter, _("reading outside the limits"))
    return categories.get(topic, topic)


def alert_advice(topic: str, language: str) -> str:
    """The health advice of an unconfirmed citizen alert, by what it is about."""
    _ = gettext_for(language).gettext
    boil = _("Boil the water for at least one minute before drinking or cooking.")
    advice = {
        "no_water": _(
            "Store water in clean, covered containers and use it sparingly. Boil water from "
            "other sources before drinking."
        ),
        "intermittent_supply": _(
            "Store water in clean, covered containers for the hours without service."
        ),
        "bad_taste_smell_colour": _(
            "Do not drink water that smells, tastes or looks bad: boil it or use another safe "
            "source."
        ),
        "turbid_water": _(
            "Let cloudy water settle, pour it through a clean cloth and boil it before drinking."
        ),
        "suspected_contamination": boil,
        "broken_infrastructure": _(
            "Water can get dirty where pipes are broken: boil it before drinking."
        ),
    }
    return advice.get(topic, boil)


def age(when: datetime | date | None, language: str, today: date | None = None) -> str:
    """How old a piece of evidence is, in words ("3 days ago", "10 years ago")."""
    if when is None:
        return ""
    _ = gettext_for(language).gettext
    day = when.date() if isinstance(when, datetime) else when
    days = ((today or datetime.now(UTC).date()) - day).days
    if days <= 0:
        return _("today")
    if days == 1:
        return _("yesterday")
    if days < 30:
        return _("{n} days ago").format(n=days)
    if days < 60:
        return _("about a month ago")
    if days < 365:
        return _("{n} months ago").format(n=days // 30)
    if days < 730:
        return _("about a year ago")
    return _("{n} years ago").format(n=days // 365)


def evidence_kind(kind: str, language: str) -> str:
    _ = gettext_for(language).gettext
    return {
        "official": _("Official evidence (laboratory, DIRESA or the operator)"),
        "citizen": _("Citizen evidence (reports of neighbours)"),
    }.get(kind, _("No evidence yet"))


def direction_labels(language: str) -> dict[str, str]:
    _ = gettext_for(language).gettext
    return {
        "N": _("north"),
        "NE": _("north-east"),
        "E": _("east"),
        "SE": _("south-east"),
        "S": _("south"),
        "SW": _("south-west"),
        "W": _("west"),
        "NW": _("north-west"),
    }
