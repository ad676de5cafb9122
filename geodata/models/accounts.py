"""Staff accounts of the bodies that answer reports, their roles, sign-in state and audit log.

A person may belong to several bodies: each membership names a role and, for provider and
ATM staff, the provider (JASS, EPS or district municipality) it acts for. Secrets are never
stored in clear: passwords as argon2 hashes, session tokens, API keys and one-time codes as
SHA-256 digests.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from geodata.models.base import Base, created_at_column, str_enum
from geodata.models.enums import Role


class Account(Base):
    """A member of staff. Signs in with an e-mail or a phone number."""

    __tablename__ = "account"
    __table_args__ = (
        CheckConstraint("num_nonnulls(email, phone) >= 1", name="has_identifier"),
        CheckConstraint("email IS NULL OR email = lower(email)", name="email_lower_case"),
        CheckConstraint("phone IS NULL OR phone ~ '^\\+[0-9]{8,15}$'", name="phone_e164"),
        CheckConstraint("failed_sign_ins >= 0", name="failed_sign_ins_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str | None] = mapped_column(String(200), unique=True)
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    password_hash: Mapped[str | None] = mapped_column(
        Text, doc="argon2id hash; NULL until the invitation is accepted (or code-only sign-in)."
    )
    is_active: Mapped[bool] = mapped_column(default=True, server_default="true")
    failed_sign_ins: Mapped[int] = mapped_column(default=0, server_default="0")
    locked_until: Mapped[datetime | None]
    last_sign_in_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = created_at_column()

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="account", cascade="all, delete-orphan", order_by="Membership.id"
    )


class Membership(Base):
    """One role of an account, for one body where the role is tied to a body."""

    __tablename__ = "membership"
    __table_args__ = (
        CheckConstraint(
            "(role IN ('provider_staff', 'atm_staff')) = (provider_id IS NOT NULL)",
            name="body_roles_name_a_body",
        ),
        UniqueConstraint(
            "account_id",
            "role",
            "provider_id",
            name="uq_membership_account_role_provider",
            postgresql_nulls_not_distinct=True,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"))
    provider_id: Mapped[int | None] = mapped_column(
        ForeignKey("provider.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = created_at_column()

    account: Mapped[Account] = relationship(back_populates="memberships")


class AuthSession(Base):
    """A signed-in browser or a bearer token: revocable, expiring, stored server-side."""

    __tablename__ = "auth_session"
    __table_args__ = (Index("ix_auth_session_account_id", "account_id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64), doc="Double-submit token of the pages.")
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(
        String(10), CheckConstraint("kind IN ('browser', 'bearer')", name="kind_known")
    )
    created_at: Mapped[datetime] = created_at_column()
    expires_at: Mapped[datetime]
    last_seen_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    user_agent: Mapped[str | None] = mapped_column(String(300))


class ApiKey(Base):
    """A key for an integration, acting as its account. Shown once; stored as a digest."""

    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16), unique=True, doc="Public part, for lookup.")
    key_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = created_at_column()
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class OneTimeCode(Base):
    """A short code or magic link for signing in without a password, or an invitation."""

    __tablename__ = "one_time_code"
    __table_args__ = (
        CheckConstraint("purpose IN ('sign_in', 'invitation')", name="purpose_known"),
        CheckConstraint("attempts >= 0", name="attempts_non_negative"),
        Index("ix_one_time_code_account_purpose", "account_id", "purpose"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(20))
    code_hash: Mapped[str] = mapped_column(String(64), doc="Digest of the short code.")
    link_hash: Mapped[str] = mapped_column(String(64), unique=True, doc="Digest of the link.")
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = created_at_column()
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class AuditEvent(Base):
    """Who did what and when: every sign-in and every change to a report or account."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_subject", "subject_type", "subject_id"),
        Index("ix_audit_event_action_at", "action", "at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    at: Mapped[datetime] = created_at_column()
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL"), index=True
    )
    actor: Mapped[str] = mapped_column(
        String(200), doc="Who acted, as recorded: an account, a signed link, a command, Yaku."
    )
    action: Mapped[str] = mapped_column(String(60))
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[str | None] = mapped_column(String(60))
    details: Mapped[dict[str, Any]] = mapped_column(
        JSONB, default=dict, server_default=text("'{}'::jsonb")
    )


class SignInThrottle(Base):
    """How often a key (an identifier or a client address, as a digest) asked for a sign-in
    code in one fixed window. Counted in the database so every API process sees the same."""

    __tablename__ = "sign_in_throttle"
    __table_args__ = (Index("ix_sign_in_throttle_window_start", "window_start"),)

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(primary_key=True)
    hits: Mapped[int] = mapped_column(default=0, server_default="0")
