"""Every text of the messages (``_``/``translate`` in geodata/notify, the colour words) has a
Spanish translation, and the English stays available."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_file

from geodata.i18n import translate
from geodata.notify import texts

NOTIFY = Path(__file__).resolve().parents[2] / "geodata" / "notify"


def test_every_message_text_is_translated_to_spanish() -> None:
    found = {
        message
        for path in NOTIFY.glob("*.py")
        for _line, message, _comments, _context in extract_from_file(
            "python", str(path), keywords={"_": None, "translate": (1,)}
        )
        if isinstance(message, str)
    }
    found |= set(texts.COLOUR_WORDS.values())
    assert len(found) > 25
    assert sorted(m for m in found if translate(m, "es") == m) == []
    assert translate("Urgent report {code}: {category}", "en") == "Urgent report {code}: {category}"
