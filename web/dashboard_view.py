"""What a dashboard page shows, in the reader's language: each figure's chart, its table, its
plain sentence and its method. Thin: the numbers come from ``geodata.dashboards``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from babel.numbers import format_decimal
from markupsafe import Markup

from geodata.dashboards.figures import CATEGORIES, COLOURS, AreaFigures
from geodata.settings import get_settings
from web import charts
from web.i18n import gettext_for
from web.pages import category_labels, colour_labels

LOCALES = {"es": "es_PE", "en": "en"}
CATEGORY_CLASSES = {c: f"k{i}" for i, c in enumerate(CATEGORIES)}
SLUGS = {"colores": "colours", "reportes": "reports", "tiempos": "times", "abiertos": "open",
         "cloro": "chlorine"}  # fmt: skip
FIGURE_SLUGS = {v: k for k, v in SLUGS.items()}


@dataclass
class Figure:
    key: str
    title: str
    sentence: str
    chart: Markup | None
    headers: list[str]
    rows: list[list[str]]
    method: str
    csv: str


def number(value: float | int | None, language: str, digits: int = 1) -> str:
    if value is None:
        return "—"
    return format_decimal(round(value, digits), locale=LOCALES.get(language, "es_PE"))


def percent(share: float | None, language: str) -> str:
    return "—" if share is None else f"{number(share * 100, language, 0)} %"


def in_ten(share: float | None) -> int:
    return 0 if share is None else round(share * 10)


def week_label(week: date) -> str:
    return week.strftime("%d/%m")


def month_label(month: date, language: str) -> str:
    from web.evidence import month_names

    return f"{month_names(language)[month.month - 1]} {month.year}"


def short_month(month: date, language: str) -> str:
    from web.evidence import month_names

    return month_names(language)[month.month - 1][:3]


def figures_for(fig: AreaFigures, language: str, csv_base: str) -> list[Figure]:
    return [
        _colours(fig, language, csv_base),
        _reports(fig, language, csv_base),
        _times(fig, language, csv_base),
        _open(fig, language, csv_base),
        _chlorine(fig, language, csv_base),
    ]


def _csv(base: str, key: str, language: str) -> str:
    return f"{base}/{FIGURE_SLUGS[key]}.csv"


def _colours(fig: AreaFigures, language: str, base: str) -> Figure:
    _ = gettext_for(language).gettext
    weeks = fig.colour_weeks
    labels = [week_label(w["week"]) for w in weeks]
    names = colour_labels(language)
    series = [
        (f"c-{c}", [w[c] / w["systems"] if w["systems"] else 0.0 for w in weeks])
        for c in ("green", "yellow", "red", "grey")
    ]
    s = fig.summary
    if s["systems"]:
        sentence = _(
            "In %(area)s, %(green)s in 10 water systems are green, %(red)s in 10 red and "
            "%(grey)s in 10 have no evidence (%(systems)s systems)."
        ) % {
            "area": fig.area.name,
            "green": in_ten(s["share_green"]),
            "red": in_ten(s["share_red"]),
            "grey": in_ten(s["share_grey"]),
            "systems": number(s["systems"], language, 0),
        }
    else:
        sentence = _("%(area)s has no water systems on record.") % {"area": fig.area.name}
    rows = [
        [week_label(w["week"]), str(w["systems"])]
        + [
            f"{w[c]} ({percent(w[c] / w['systems'] if w['systems'] else None, language)})"
            for c in COLOURS
        ]
        for w in reversed(weeks)
    ]
    return Figure(
        "colours",
        _("Water systems by colour, week by week"),
        sentence,
        charts.stacked_bars(labels, series, "fig-colours-s", 1.0, "100 %", every=13),
        [_("Week of"), _("Systems"), *(names[c] for c in COLOURS)],
        rows,
        _(
            "From the history of each system's traffic light: a system counts in the colour it "
            "had at the end of each week (Sunday, Peru time; this week: now), grey until its "
            "first evidence. Only systems recorded in Yaku by then count."
        ),
        _csv(base, "colours", language),
    )


def _reports(fig: AreaFigures, language: str, base: str) -> Figure:
    _ = gettext_for(language).gettext
    weeks = fig.report_weeks
    labels = [week_label(w["week"]) for w in weeks]
    cats = category_labels(language)
    used = [c for c in CATEGORIES if any(w[c] for w in weeks)]
    series = [(f"{CATEGORY_CLASSES[c]}", [float(w[c]) for w in weeks]) for c in used]
    total = sum(w["total"] for w in weeks)
    if total:
        top = max(used, key=lambda c: sum(w[c] for w in weeks))
        sentence = _(
            "In %(area)s, %(total)s reports were received in the last %(weeks)s weeks; the most "
            "frequent problem: %(category)s."
        ) % {
            "area": fig.area.name,
            "total": number(total, language, 0),
            "weeks": len(weeks),
            "category": cats[top].lower(),
        }
    else:
        sentence = _("In %(area)s, no report was received in the last %(weeks)s weeks.") % {
            "area": fig.area.name,
            "weeks": len(weeks),
        }
    rows = [
        [week_label(w["week"]), str(w["total"]), *(str(w[c]) for c in used)]
        for w in reversed(weeks)
        if w["total"]
    ]
    return Figure(
        "reports",
        _("Reports per week, by problem"),
        sentence,
        charts.stacked_bars(labels, series, "fig-reports-s", every=13),
        [_("Week of"), _("Reports"), *(cats[c] for c in used)],
        rows,
        _(
            "Public citizen reports (checked, not refused) in the week they were received; "
            "a duplicate counts once, with its original."
        ),
        _csv(base, "reports", language),
    )


def _times(fig: AreaFigures, language: str, base: str) -> Figure:
    _ = gettext_for(language).gettext
    months = fig.answer_months
    labels = [short_month(m["month"], language) for m in months]
    series = [
        ("t-ack", [m["hours_to_acknowledge_median"] for m in months]),
        ("t-ack90", [m["hours_to_acknowledge_p90"] for m in months]),
        ("t-res", [m["hours_to_resolve_median"] for m in months]),
        ("t-res90", [m["hours_to_resolve_p90"] for m in months]),
    ]
    s = fig.summary
    if s["hours_to_acknowledge_median"] is not None:
        sentence = _(
            "In %(area)s, half of the reports were acknowledged within %(median)s hours, and 9 "
            "in 10 within %(p90)s hours."
        ) % {
            "area": fig.area.name,
            "median": number(s["hours_to_acknowledge_median"], language, 0),
            "p90": number(s["hours_to_acknowledge_p90"], language, 0),
        }
    else:
        sentence = _("In %(area)s, no report was acknowledged in the last %(months)s months.") % {
            "area": fig.area.name,
            "months": len(months),
        }
    rows = [
        [
            month_label(m["month"], language),
            str(m["received"]),
            str(m["acknowledged"]),
            str(m["acknowledged_in_time"]),
            str(m["resolved"]),
            *(
                number(m[k], language)
                for k in (
                    "hours_to_acknowledge_median",
                    "hours_to_acknowledge_p90",
                    "hours_to_resolve_median",
                    "hours_to_resolve_p90",
                )
            ),
        ]
        for m in reversed(months)
    ]
    return Figure(
        "times",
        _("Time to acknowledge and to resolve (hours)"),
        sentence,
        charts.lines(labels, series, "fig-times-s", " h", every=2),
        [
            _("Month"),
            _("Received"),
            _("Acknowledged"),
            _("In time"),
            _("Resolved"),
            _("Acknowledge, median"),
            _("Acknowledge, 9 in 10"),
            _("Resolve, median"),
            _("Resolve, 9 in 10"),
        ],
        rows,
        _(
            "Hours from when the citizen sent the report to the first answer of the body "
            "(acknowledged) and to its solution (resolved), by month received: the median "
            "(half took less) and the 90th percentile (9 in 10 took less), of the reports that "
            "got there. In time: acknowledged within %(hours)s hours (%(urgent)s if urgent)."
        )
        % {
            "hours": number(get_settings().acknowledge_within_hours, language, 0),
            "urgent": number(get_settings().urgent_acknowledge_within_hours, language, 0),
        },
        _csv(base, "times", language),
    )


def _open(fig: AreaFigures, language: str, base: str) -> Figure:
    _ = gettext_for(language).gettext
    s = fig.summary
    sentence = _("In %(area)s, %(open)s reports are open and %(overdue)s of them are overdue.") % {
        "area": fig.area.name,
        "open": number(s["open_reports"], language, 0),
        "overdue": number(s["overdue_reports"], language, 0),
    }
    items = [{"name": fig.area.name, **s}, *fig.children]
    names = [i["name"] for i in items]
    series = [
        ("o-overdue", [float(i["overdue_reports"]) for i in items]),
        ("o-open", [float(i["open_reports"] - i["overdue_reports"]) for i in items]),
    ]
    rows = [[i["name"], str(i["open_reports"]), str(i["overdue_reports"])] for i in items]
    chart = charts.stacked_bars(
        [n[:3] for n in names], series, "fig-open-s", every=1 if len(names) < 14 else 3
    )
    return Figure(
        "open",
        _("Open and overdue reports"),
        sentence,
        chart,
        [_("Area"), _("Open"), _("Overdue")],
        rows,
        _(
            "Open: public reports not yet resolved or closed. Overdue: checked but not "
            "acknowledged by the responsible body within its time; they are escalated to the "
            "district's ATM."
        ),
        _csv(base, "open", language),
    )


def _chlorine(fig: AreaFigures, language: str, base: str) -> Figure:
    _ = gettext_for(language).gettext
    months = fig.compliance_months
    labels = [short_month(m["month"], language) for m in months]
    sampled = [m for m in months if m["chlorine_samples"]]
    if sampled:
        last = sampled[-1]
        sentence = _(
            "In %(area)s, in %(month)s, %(share)s in 10 official chlorine readings had at least "
            "0.5 mg/L, and %(compliant)s of %(sampled)s systems sampled met DS 031-2010-SA "
            "Art. 66."
        ) % {
            "area": fig.area.name,
            "month": month_label(last["month"], language),
            "share": in_ten(last["chlorine_share"]),
            "compliant": last["systems_compliant"],
            "sampled": last["systems_sampled"],
        }
    else:
        sentence = _(
            "In %(area)s there are no official chlorine readings in the last %(months)s months."
        ) % {"area": fig.area.name, "months": len(months)}
    rows = [
        [
            month_label(m["month"], language),
            str(m["chlorine_samples"]),
            percent(m["chlorine_share"], language),
            str(m["chlorine_below_03"]),
            str(m["systems_sampled"]),
            str(m["systems_compliant"]),
        ]
        for m in reversed(months)
    ]
    return Figure(
        "chlorine",
        _("Chlorine in the network: official readings (DS 031-2010-SA Art. 66)"),
        sentence,
        charts.share_bars(
            labels, [m["chlorine_share"] for m in months], "fig-chlorine-s", 0.9, every=2
        ),
        [
            _("Month"),
            _("Readings"),
            _("At least 0.5 mg/L"),
            _("Below 0.3 mg/L"),
            _("Systems sampled"),
            _("Systems that comply"),
        ],
        rows,
        _(
            "Official free residual chlorine readings in the network (operators and "
            "laboratories; citizens' readings do not count), by calendar month. A system "
            "complies in a month when at least 90 %% of its readings have 0.5 mg/L or more, "
            "none is below 0.3 mg/L, it has at least %(min)s readings and no faecal bacteria "
            "were found."
        )
        % {"min": get_settings().compliance_min_samples},
        _csv(base, "chlorine", language),
    )


def legend(language: str, fig: AreaFigures) -> dict[str, list[tuple[str, str]]]:
    """CSS class and label of each series, per figure."""
    _ = gettext_for(language).gettext
    names = colour_labels(language)
    cats = category_labels(language)
    used = [c for c in CATEGORIES if any(w[c] for w in fig.report_weeks)]
    return {
        "colours": [(f"c-{c}", names[c]) for c in ("green", "yellow", "red", "grey")],
        "reports": [(CATEGORY_CLASSES[c], cats[c]) for c in used],
        "times": [
            ("t-ack", _("Acknowledge, median")),
            ("t-ack90", _("Acknowledge, 9 in 10")),
            ("t-res", _("Resolve, median")),
            ("t-res90", _("Resolve, 9 in 10")),
        ],
        "open": [("o-open", _("Open")), ("o-overdue", _("Overdue"))],
        "chlorine": [("s-share", _("At least 0.5 mg/L")), ("reference", _("90 % goal"))],
    }


def body_rows(bodies: list[dict[str, Any]], language: str) -> list[list[str]]:
    _ = gettext_for(language).gettext
    kinds = {"jass": "JASS", "municipality": _("Municipality"), "eps": "EPS"}
    return [
        [
            b["name"] + (" (ATM)" if b["is_district_atm"] else ""),
            kinds.get(b["kind"], b["kind"]),
            b["district"] or "—",
            str(b["received"]),
            percent(b["share_in_time"], language),
            number(b["hours_to_answer_median"], language),
            percent(b["share_resolved"], language),
        ]
        for b in bodies
    ]
