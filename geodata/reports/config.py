"""Settings specific to citizen reports that the shared ``Settings`` does not carry."""

from __future__ import annotations

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class ReportSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YAKU_", env_file=".env", extra="ignore")

    fingerprint_salt: str = "yaku-development-salt"
    """Salt of the reporter fingerprint; set a secret one in production."""


@lru_cache
def report_settings() -> ReportSettings:
    return ReportSettings()
