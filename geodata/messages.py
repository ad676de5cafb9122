"""Texts kept as message ids with parameters, rendered in the reader's language when shown.

The core decides *what* to say (a status reason, a rejection, the explanation of a reading);
pages and the API say it in Spanish or English. A message is stored as JSON::

    {"id": "Citizen report: no water", "params": {}}

``id`` is an English msgid of the ``messages`` catalogue (``geodata/locale``); each parameter is
a plain value, another message, a date ``{"date": "2015-09-14"}``, a text in several languages
``{"text": {"es": "Turbiedad", "en": "Turbidity"}}`` (names from the parameter catalogue) or a
list ``{"list": [...]}`` joined with commas. A list of messages is several reasons, joined with
"; ". Spanish stays the default; the Spanish rendering is also kept in the plain text columns,
so every reader of those (open data, the desk) keeps working.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from geodata.i18n import DEFAULT_LANGUAGE, normalize_language, translate

REASON_SEPARATOR = "; "
LIST_SEPARATOR = ", "
DATE_FORMATS = {"es": "%d/%m/%Y", "en": "%Y-%m-%d"}


@dataclass(frozen=True, slots=True)
class Message:
    """One sentence to show: a msgid and its parameters (see the module docstring)."""

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, language: str = DEFAULT_LANGUAGE) -> str:
        text = translate(self.msgid, normalize_language(language))
        if not self.params:
            return text
        values = {k: _render_param(v, language) for k, v in self.params.items()}
        return text.format(**values)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.msgid, "params": {k: _param_json(v) for k, v in self.params.items()}}


def message(msgid: str, **params: Any) -> Message:
    return Message(msgid, params)


@dataclass(frozen=True, slots=True)
class Localized:
    """A name that exists in several languages (e.g. a water-quality parameter)."""

    es: str
    en: str

    def pick(self, language: str) -> str:
        return self.en if normalize_language(language) == "en" else self.es


@dataclass(frozen=True, slots=True)
class Listing:
    """Several parameters shown as one, separated by commas."""

    items: Sequence[Any]


# A message, a text that needs no translation (a code, a note typed by a person), or several.
Text = Message | str | Sequence[Message | str]


def to_json(value: Text | None) -> Any:
    """JSON for a JSONB column: a message, a list of messages, or None."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, Message):
        return value.to_json()
    return [to_json(m) for m in value]


def from_json(data: Any) -> Text | None:
    if data is None or isinstance(data, str):
        return data
    if isinstance(data, list):
        return [m for m in (from_json(d) for d in data) if isinstance(m, Message | str)]
    return _message_from_json(data)


def render(value: Text | Mapping[str, Any] | list[Any] | str | None, language: str) -> str:
    """Any stored form (a Message, its JSON, a list of them, a plain text) in ``language``."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, Message):
        return value.render(language)
    if isinstance(value, Mapping):
        return _message_from_json(value).render(language)
    return REASON_SEPARATOR.join(render(v, language) for v in value)


def shown(stored: Any, fallback: str | None, language: str) -> str | None:
    """The stored message in ``language``; the plain text column when there is no message
    (rows written before messages were kept, or notes typed by people)."""
    if stored:
        return render(stored, language)
    return fallback


def _render_param(value: Any, language: str) -> str:
    if isinstance(value, Message):
        return value.render(language)
    if isinstance(value, Localized):
        return value.pick(language)
    if isinstance(value, Listing):
        return LIST_SEPARATOR.join(_render_param(v, language) for v in value.items)
    if isinstance(value, datetime | date):
        return value.strftime(DATE_FORMATS.get(normalize_language(language), "%Y-%m-%d"))
    return str(value)


def _param_json(value: Any) -> Any:
    if isinstance(value, Message):
        return value.to_json()
    if isinstance(value, Localized):
        return {"text": {"es": value.es, "en": value.en}}
    if isinstance(value, Listing):
        return {"list": [_param_json(v) for v in value.items]}
    if isinstance(value, datetime | date):
        return {"date": value.date().isoformat() if isinstance(value, datetime) else str(value)}
    return value


def _param_from_json(value: Any) -> Any:
    if not isinstance(value, Mapping):
        return value
    if "id" in value:
        return _message_from_json(value)
    if "text" in value:
        return Localized(str(value["text"].get("es", "")), str(value["text"].get("en", "")))
    if "list" in value:
        return Listing([_param_from_json(v) for v in value["list"]])
    if "date" in value:
        return date.fromisoformat(str(value["date"]))
    return str(value)


def _message_from_json(data: Mapping[str, Any]) -> Message:
    params = data.get("params") or {}
    return Message(str(data["id"]), {k: _param_from_json(v) for k, v in params.items()})
