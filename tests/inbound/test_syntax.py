"""The forgiving Spanish syntax: case, accents and spacing do not matter; anything not
understood is UNKNOWN (answered with help), never a silent drop."""

from __future__ import annotations

import pytest

from geodata.inbound.syntax import Choice, Kind, fold, parse
from geodata.models import ReportCategory as C

REPORTS = [
    ("AGUA 160421 NOHAY", C.NO_WATER, ("160421",)),
    ("agua 160421 no hay", C.NO_WATER, ("160421",)),
    ("Agua160421NOHAY", C.NO_WATER, ("160421",)),
    ("  AGUA   160421    NoHay  ", C.NO_WATER, ("160421",)),
    ("ÁGUA 160421 NÓ HÁY", C.NO_WATER, ("160421",)),
    ("agua siasar-160421 turbia", C.TURBID_WATER, ("SIASAR-160421", "160421")),
    ("AGUA SIASAR 160421 TURBIA", C.TURBID_WATER, ("SIASAR-160421", "160421")),
    ("AGUA 160421 OLOR", C.BAD_TASTE_SMELL_COLOUR, ("160421",)),
    ("agua 160421 huele feo", C.BAD_TASTE_SMELL_COLOUR, ("160421",)),
    ("AGUA 160421 ROTA", C.BROKEN_INFRASTRUCTURE, ("160421",)),
    ("AGUA 160421 tubería rota", C.BROKEN_INFRASTRUCTURE, ("160421",)),
    ("AGUA 160421 FUGA", C.LEAK, ("160421",)),
    ("AGUA SIASAR-F-474147 FUGA", C.LEAK, ("474147",)),
    ("AGUA 160421", C.OTHER, ("160421",)),
    ("AGUA NOHAY", C.NO_WATER, ()),
    ("AGUA 160421 turbia y huele, no hay casi", C.NO_WATER, ("160421",)),  # most serious
    ("agua 160421 contaminada, niños con diarrea", C.SUSPECTED_CONTAMINATION, ("160421",)),
]


@pytest.mark.parametrize(("text", "category", "codes"), REPORTS)
def test_structured_reports(text: str, category: C, codes: tuple[str, ...]) -> None:
    parsed = parse(text)
    assert parsed.kind is Kind.REPORT
    assert parsed.structured
    assert parsed.category is category
    assert parsed.codes == codes
    assert parsed.description == text.strip()


FREE_TEXT = [
    ("No hay agua desde ayer en el caserío", C.NO_WATER, ()),
    ("el caño gotea toda la noche", C.LEAK, ()),
    ("hay olor raro en el agua de mi casa", C.BAD_TASTE_SMELL_COLOUR, ()),
    ("El reservorio del sistema 160421 está abierto y entran animales", C.OTHER, ("160421",)),
    ("Queremos saber cuándo vendrán a clorar el reservorio", C.OTHER, ()),
    ("2 días sin agua", C.NO_WATER, ()),  # from a citizen, a leading number is not an answer
]


@pytest.mark.parametrize(("text", "category", "codes"), FREE_TEXT)
def test_free_text_still_becomes_a_report(text: str, category: C, codes: tuple[str, ...]) -> None:
    parsed = parse(text, answers=False)
    assert parsed.kind is Kind.REPORT
    assert not parsed.structured
    assert parsed.category is category
    assert parsed.codes == codes


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("ESTADO ABCD2345", "ABCD2345"),
        ("estado abcd2345", "ABCD2345"),
        ("Estado  abcd-2345", "ABCD2345"),
        ("ESTADOABCD2345", "ABCD2345"),
        ("éstado ABCD 2345", "ABCD2345"),
        ("ESTADO", None),
    ],
)
def test_status_questions(text: str, code: str | None) -> None:
    parsed = parse(text)
    assert parsed.kind is Kind.STATUS
    assert parsed.tracking_code == code


@pytest.mark.parametrize(
    ("text", "choice", "code", "note"),
    [
        ("1", Choice.RECEIVED, None, ""),
        ("2 vamos mañana", Choice.IN_REPAIR, None, "vamos mañana"),
        ("3 ABCD2345 cambiamos la tubería", Choice.RESOLVED, "ABCD2345", "cambiamos la tubería"),
        ("3 abcd2345", Choice.RESOLVED, "ABCD2345", ""),
        ("3. listo, ya hay agua", Choice.RESOLVED, None, "listo, ya hay agua"),
        ("4) no es nuestro sistema", Choice.NOT_OURS, None, "no es nuestro sistema"),
    ],
)
def test_numbered_answers(text: str, choice: Choice, code: str | None, note: str) -> None:
    parsed = parse(text)
    assert parsed.kind is Kind.ANSWER
    assert (parsed.choice, parsed.tracking_code, parsed.description) == (choice, code, note)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "hola",
        "Hola, buenos días",
        "ok",
        "?",
        "gracias!!",
        "5",
        "12",
        "asdf",
        "👍",
        "AYUDA",
    ],
)
def test_garbage_is_not_understood(text: str) -> None:
    assert parse(text).kind is Kind.UNKNOWN


def test_folding_ignores_case_accents_and_spacing_but_keeps_enye() -> None:
    assert fold("  Cañería   rotá ") == "CAÑERIA ROTA"
