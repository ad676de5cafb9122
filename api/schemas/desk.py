"""What the desk's API accepts: answers, contact details, response templates."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from geodata.desk.rules import Action
from geodata.reports.lifecycle import MAX_NOTE_LENGTH


class AnswerIn(BaseModel):
    """An answer to a report. ``reject`` needs a ``note`` (the reason, public); ``reassign``
    names ``provider_id`` or sets ``escalate`` (the district's ATM); ``merge`` names the
    original's tracking code in ``duplicate_of``."""

    model_config = ConfigDict(extra="forbid")

    action: Action
    note: str | None = Field(default=None, max_length=MAX_NOTE_LENGTH)
    public: bool = True
    provider_id: int | None = Field(default=None, ge=1)
    escalate: bool = False
    duplicate_of: str | None = Field(default=None, max_length=40)


class ContactIn(BaseModel):
    """Public contact details; a field left out is kept, an empty one is cleared."""

    model_config = ConfigDict(extra="forbid")

    contact_phone: str | None = Field(
        default=None, max_length=40, description="Landline or mobile, as people write it"
    )
    contact_whatsapp: str | None = Field(
        default=None, max_length=40, description="A mobile number with WhatsApp"
    )
    contact_email: str | None = Field(default=None, max_length=200)
    office_hours: str | None = Field(default=None, max_length=200, examples=["Lun-Vie 8-13 h"])


class TemplateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(max_length=120)
    body: str = Field(max_length=2000)
    language: str = Field(default="es", pattern="^(es|en)$")
