"""Every message a user can be shown has a Spanish translation (Spanish is the default)."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import api
import geodata
from geodata.errors import AppError
from geodata.i18n import translate

ROOT = Path(__file__).resolve().parent.parent


def _import_all(package: object) -> None:
    for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):  # type: ignore[attr-defined]
        if ".migrations" not in module.name and not module.name.endswith("__main__"):
            importlib.import_module(module.name)


def _subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found


def test_every_error_class_message_is_translated() -> None:
    _import_all(geodata)
    _import_all(api)
    classes = _subclasses(AppError)
    assert len(classes) > 20
    untranslated = {
        c.__name__: c.message for c in classes if translate(c.message, "es") == c.message
    }
    assert untranslated == {}


def test_every_message_raised_with_its_own_text_is_translated() -> None:
    """``raise SomeError("msgid", ...)`` of an error shown to users (an AppError, a validation
    rejection or an implausible reading) across the core and the API."""
    _import_all(geodata)
    _import_all(api)
    shown = {c.__name__ for c in _subclasses(AppError)} | {"Rejection", "ImplausibleReading"}
    source = "\n".join(p.read_text() for d in ("geodata", "api") for p in (ROOT / d).rglob("*.py"))
    joined = re.sub(r'"\s*\n\s*"', "", source)
    msgids = [m for cls, m in re.findall(r'raise (\w+)\(\s*"([^"]+)"', joined) if cls in shown]
    assert len(msgids) > 15
    untranslated = sorted({m for m in msgids if translate(m, "es") == m})
    assert untranslated == []
