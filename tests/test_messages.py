"""Texts of the core kept as message ids with parameters, shown in the reader's language."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime
from pathlib import Path

from geodata.i18n import translate
from geodata.messages import Listing, Localized, from_json, message, render, shown, to_json
from geodata.reports import precheck, validation

ROOT = Path(__file__).resolve().parent.parent


def test_a_message_survives_json_and_renders_in_each_language() -> None:
    reason = message(
        "Old evidence ({date}): {reason}",
        date=date(2015, 9, 14),
        reason=message(
            "SIASAR survey: {detail}",
            detail=Listing([message("no treatment"), message("the treatment did not work")]),
        ),
    )
    stored = json.loads(json.dumps(to_json(reason)))  # what a JSONB column gives back
    assert render(stored, "es") == (
        "Evidencia antigua (14/09/2015): encuesta SIASAR: sin tratamiento, "
        "el tratamiento no funcionaba"
    )
    assert render(stored, "en") == (
        "Old evidence (2015-09-14): SIASAR survey: no treatment, the treatment did not work"
    )
    assert from_json(stored) == from_json(to_json(reason))


def test_names_in_several_languages_and_lists_of_reasons() -> None:
    name = Localized("Turbiedad", "Turbidity")
    one = message("{name}: unpleasant smell or taste.", name=name)
    two = message("Citizen report: no water")
    assert render(to_json([one, two]), "en") == (
        "Turbidity: unpleasant smell or taste.; Citizen report: no water"
    )
    assert render(to_json([one, two]), "es") == (
        "Turbiedad: olor o sabor desagradable.; Reporte ciudadano: no hay agua"
    )


def test_plain_text_stays_as_it_is_and_is_the_fallback() -> None:
    assert render("nota de la JASS", "en") == "nota de la JASS"
    assert shown(None, "texto guardado", "en") == "texto guardado"
    assert shown(to_json(message("no treatment")), "sin tratamiento", "en") == "no treatment"
    assert render(None, "es") == ""
    assert message("Citizen report: no water").render("fr") == "Reporte ciudadano: no hay agua"


def test_dates_follow_the_language() -> None:
    when = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)
    text = message("Old evidence ({date}): {reason}", date=when, reason="x")
    assert render(to_json(text), "es").startswith("Evidencia antigua (05/03/2026)")
    assert render(to_json(text), "en").startswith("Old evidence (2026-03-05)")


def _msgids_in_core() -> list[str]:
    source = "\n".join(p.read_text() for p in (ROOT / "geodata").rglob("*.py"))
    joined = re.sub(r'"\s*\n\s*"', "", source)
    return re.findall(r'message\(\s*"([^"]+)"', joined)


def test_every_message_the_core_keeps_is_translated_to_spanish() -> None:
    msgids = _msgids_in_core()
    msgids += [validation.UNKNOWN_CODE, validation.SWAPPED, validation.OUTSIDE]
    assert len(msgids) > 25
    untranslated = sorted({m for m in msgids if translate(m, "es") == m})
    assert untranslated == []
    assert precheck.check_photo.__module__  # the pre-check speaks with the same messages


def test_rejection_reasons_start_upper_case_and_say_what_to_do() -> None:
    for msgid in (validation.UNKNOWN_CODE, validation.SWAPPED, validation.OUTSIDE):
        for language in ("es", "en"):
            text = message(msgid, code="X", lon=1, lat=2, km="2").render(language)
            assert text[0].isupper(), text
            assert text.count(".") >= 2, text  # what happened, then what to do
