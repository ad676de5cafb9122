"""Translations from gettext catalogues (``geodata/locale/<lang>/LC_MESSAGES/messages*.po``).

Catalogues are read from the .po files with Babel and compiled in memory, so there is no build
step. msgids are English; Spanish is the default language of the product.
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DEFAULT_LANGUAGE = "es"
LANGUAGES = ("es", "en")


def load_catalog(
    language: str, domain: str = "messages", locale_dir: Path = LOCALE_DIR
) -> Catalog | None:
    """``<domain>.po`` and any ``<domain>-<part>.po`` beside it, merged.

    Parts keep the messages of one area (accounts, desk...) apart, so that work on two areas
    never edits the same file; a message defined twice keeps its first translation.
    """
    folder = locale_dir / language / "LC_MESSAGES"
    catalog: Catalog | None = None
    for po_path in [folder / f"{domain}.po", *sorted(folder.glob(f"{domain}-*.po"))]:
        if not po_path.is_file():
            continue
        with po_path.open("rb") as handle:
            part = read_po(handle, locale=language)
        if catalog is None:
            catalog = part
            continue
        for message in part:
            if message.id and message.id not in catalog:
                catalog[message.id] = message
    return catalog


@lru_cache
def translations(
    language: str, domain: str = "messages", locale_dir: Path = LOCALE_DIR
) -> gettext.NullTranslations:
    """The catalogue of ``domain`` in ``language`` (adapters may keep their own locale dir)."""
    catalog = load_catalog(language, domain, locale_dir)
    if catalog is None:
        return gettext.NullTranslations()
    buffer = BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(fp=buffer, domain=domain)


def translate(message: str, language: str) -> str:
    return translations(normalize_language(language)).gettext(message)


def normalize_language(value: str | None) -> str:
    """Pick a supported language from a code or an Accept-Language header."""
    if not value:
        return DEFAULT_LANGUAGE
    for part in value.split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return DEFAULT_LANGUAGE
