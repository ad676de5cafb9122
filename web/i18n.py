"""The web pages' own catalogue (``web/locale/<lang>/LC_MESSAGES/web.po``) and language choice.

msgids are English; Spanish is the default language of the pages. ``?lang=en`` switches and
is remembered in a cookie.
"""

from __future__ import annotations

import gettext
from pathlib import Path

from geodata.i18n import LANGUAGES, translations
from geodata.settings import get_settings

WEB_DIR = Path(__file__).resolve().parent
LOCALE_DIR = WEB_DIR / "locale"
DOMAIN = "web"
LANGUAGE_COOKIE = "yaku_lang"


def catalogue(language: str) -> gettext.NullTranslations:
    return translations(language, DOMAIN, LOCALE_DIR)


def gettext_for(language: str) -> gettext.NullTranslations:
    return catalogue(language if language in LANGUAGES else get_settings().default_language)


def choose_language(query: str | None, cookie: str | None) -> str:
    """``?lang=`` first, then the cookie, then the configured default (Spanish)."""
    for value in (query, cookie):
        if value and value[:2].lower() in LANGUAGES:
            return value[:2].lower()
    return get_settings().default_language
