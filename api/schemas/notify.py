"""Bodies of the messaging API: subscribe to a water status, confirm or end it, answer "is
it really fixed?"."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from geodata.notify.tokens import MAX_TOKEN


class SubscriptionIn(BaseModel):
    """A water system's code or a district's INEI ubigeo (one of them), and an e-mail or a
    phone whose WhatsApp/SMS consent is recorded."""

    model_config = ConfigDict(extra="forbid")

    system_code: str | None = Field(default=None, min_length=1, max_length=40)
    district: str | None = Field(default=None, pattern=r"^[0-9]{6}$")
    contact: str = Field(min_length=3, max_length=200)
    language: Literal["es", "en", "qu"] = "es"


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=3, max_length=MAX_TOKEN)


class FollowUpIn(TokenIn):
    fixed: bool
