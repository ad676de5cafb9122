"""Every message that sign-in, invitations and ``yaku users`` show people (``_()`` in the core
and the command) has a Spanish translation; the pages' part has an English one too."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_file

from api.routers.accounts import CODE_SENT
from geodata.i18n import load_catalog, translate
from web.i18n import DOMAIN, LOCALE_DIR

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [*sorted((ROOT / "geodata" / "accounts").glob("*.py")), ROOT / "geodata" / "cli_users.py"]


def test_core_messages_are_translated_to_spanish() -> None:
    found = {CODE_SENT}
    for path in SOURCES:
        found |= {m for _l, m, _c, _x in extract_from_file("python", path) if isinstance(m, str)}
    assert len(found) > 30
    spanish = load_catalog("es")
    assert spanish is not None
    assert sorted(m for m in found if not (spanish.get(m) and spanish[m].string)) == []
    assert translate("Your Yaku code: {code}", "es") == "Su código de Yaku: {code}"


def test_the_pages_part_has_an_english_catalogue_with_the_same_messages() -> None:
    spanish = load_catalog("es", f"{DOMAIN}-accounts", LOCALE_DIR)
    english = load_catalog("en", f"{DOMAIN}-accounts", LOCALE_DIR)
    assert spanish is not None and english is not None
    assert {m.id for m in spanish if m.id} == {m.id for m in english if m.id}
