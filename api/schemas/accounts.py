"""Request bodies of sign-in, account and administration endpoints."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from geodata.models import Role

# An e-mail address or a Peruvian phone number; which one, and whether the number exists in
# Peru's numbering plan, is checked by geodata.accounts.identifiers (400, translated).
Identifier = Field(min_length=3, max_length=200, examples=["jass.sanjose@example.org"])
SessionKind = Literal["bearer", "browser"]


class CodeRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    identifier: str = Identifier
    next: str | None = Field(default=None, max_length=500, description="Page after the link.")


class CodeVerifyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    identifier: str = Identifier
    code: str = Field(min_length=1, max_length=12, examples=["042917"])
    session: SessionKind = Field(
        default="bearer", description="bearer: a token in the body; browser: a session cookie."
    )


class InvitationAcceptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: str = Field(min_length=10, max_length=200)
    password: str = Field(max_length=200)
    session: SessionKind = "bearer"


class PasswordChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    current_password: str = Field(default="", max_length=200)
    new_password: str = Field(max_length=200)


class ApiKeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100, examples=["laboratorio DIRESA"])


class BodyIn(BaseModel):
    """The body of a provider or ATM membership: one of system code, district, provider id."""

    model_config = ConfigDict(extra="forbid")
    role: Role
    system_code: str | None = Field(default=None, max_length=40)
    district: str | None = Field(default=None, max_length=6, description="INEI ubigeo.")
    provider_id: int | None = None


class InviteIn(BodyIn):
    identifier: str = Identifier
    display_name: str = Field(default="", max_length=200)
