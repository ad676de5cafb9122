"""The web catalogue is complete: every message of the pages has a Spanish translation."""

from __future__ import annotations

from babel.messages.pofile import read_po

from web.i18n import LOCALE_DIR


def test_every_message_is_translated_to_spanish() -> None:
    with (LOCALE_DIR / "web.pot").open("rb") as handle:
        template = read_po(handle)
    with (LOCALE_DIR / "es" / "LC_MESSAGES" / "web.po").open("rb") as handle:
        spanish = read_po(handle, locale="es")
    missing = [m.id for m in template if m.id and not (spanish.get(m.id) and spanish[m.id].string)]
    assert missing == []
