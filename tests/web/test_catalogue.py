"""The web catalogue is complete: every message of the pages and their Python code, extracted
now (not from a possibly stale .pot), has a Spanish translation."""

from __future__ import annotations

from babel.messages.extract import extract_from_dir

from geodata.i18n import load_catalog
from web.i18n import DOMAIN, LOCALE_DIR, WEB_DIR

METHODS = [("**.py", "python"), ("templates/**.html", "jinja2")]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}


def test_every_message_is_translated_to_spanish() -> None:
    found = {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(WEB_DIR), METHODS, OPTIONS
        )
        if isinstance(message, str)
    }
    assert len(found) > 50
    spanish = load_catalog("es", DOMAIN, LOCALE_DIR)
    assert spanish is not None
    missing = sorted(m for m in found if not (spanish.get(m) and spanish[m].string))
    assert missing == []
