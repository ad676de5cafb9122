"""Typed settings read from the environment (prefix ``YAKU_``) or a ``.env`` file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, PostgresDsn, RedisDsn, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SHARED_DIR = REPO_ROOT.parent / "shared"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="YAKU_", env_file=".env", extra="ignore")

    database_url: PostgresDsn = Field(
        default=PostgresDsn("postgresql+psycopg://postgres@127.0.0.1:5432/yaku"),
        description="SQLAlchemy URL of the PostGIS database.",
    )
    database_read_url: PostgresDsn | None = Field(
        default=None,
        description="Optional read replica for read-only routes (OGC, map data, downloads); "
        "empty: they read the primary.",
    )
    redis_url: RedisDsn = Field(
        default=RedisDsn("redis://127.0.0.1:6379/0"),
        description="Redis used as Celery broker and result backend.",
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    public_url: str | None = Field(
        default=None, description="Base URL used in links; defaults to http://host:port."
    )
    shared_dir: Path = Field(
        default=DEFAULT_SHARED_DIR,
        description="Directory holding the public source data (boundaries, SIASAR, parameters).",
    )
    media_dir: Path = REPO_ROOT / "var" / "media"
    publish_dir: Path = REPO_ROOT / "var" / "publish"
    storage_backend: Literal["local", "s3"] = Field(
        default="local",
        description="Where photos and downloads live: 'local' (media_dir, publish_dir) or 's3' "
        "(one S3-compatible bucket shared by every host).",
    )
    storage_bucket: str = Field(default="yaku", description="Bucket of the s3 backend.")
    storage_prefix: str = Field(default="", description="Key prefix inside the bucket.")
    storage_endpoint_url: str | None = Field(
        default=None, description="S3 endpoint (MinIO: http://minio:9000); empty: AWS S3."
    )
    storage_public_endpoint_url: str | None = Field(
        default=None,
        description="Endpoint named in signed URLs when clients reach the store by another "
        "address than the API does; empty: storage_endpoint_url.",
    )
    storage_region: str = "us-east-1"
    storage_access_key: str | None = None
    storage_secret_key: SecretStr | None = None
    storage_create_bucket: bool = Field(
        default=False, description="Create the bucket at start when missing (development)."
    )
    storage_url_seconds: int = Field(
        default=300,
        gt=0,
        le=7 * 24 * 3600,
        description="Life of a signed URL a photo or download request is redirected to.",
    )
    max_photo_bytes: int = Field(default=5 * 1024 * 1024, gt=0)
    max_lab_file_bytes: int = Field(
        default=20 * 1024 * 1024, gt=0, description="Largest laboratory or logbook file upload."
    )
    max_photo_pixels: int = Field(
        default=24_000_000,
        gt=0,
        description="Largest photo in pixels, checked before decoding (decompression bombs).",
    )
    photo_decode_workers: int = Field(
        default=2, gt=0, description="Photos decoded at once per API process (memory bound)."
    )
    intake_address_limits: str = Field(
        default="120/minute;1000/hour",
        description="Reports per network address (moving windows); generous, it may be shared.",
    )
    intake_photo_address_limits: str = Field(
        default="30/minute;200/hour", description="Reports with a photo per network address."
    )
    region_tolerance_m: float = Field(
        default=2000.0, ge=0, description="How far outside the region polygon a report may lie."
    )
    link_distance_m: float = Field(
        default=2000.0, gt=0, description="Max distance to link a report to a system or source."
    )
    duplicate_distance_m: float = Field(default=500.0, gt=0)
    duplicate_window_hours: float = Field(default=72.0, gt=0)
    reporter_rate_limit_per_hour: int = Field(default=20, gt=0)
    acknowledge_within_hours: float = Field(
        default=72.0, gt=0, description="Time a body has to acknowledge a report."
    )
    urgent_acknowledge_within_hours: float = Field(
        default=24.0,
        gt=0,
        description="The same for urgent reports (contamination, no water, a red reading).",
    )
    evidence_max_age_days: int = Field(
        default=90, gt=0, description="Older evidence turns a green status yellow."
    )
    official_reading_max_age_days: int = Field(
        default=30,
        gt=0,
        description="A system whose last official reading (operator or laboratory) is older is "
        "shown as lacking recent official evidence on its page and on the desk.",
    )
    compliance_min_samples: int = Field(
        default=4,
        gt=0,
        description="Network free-chlorine samples a system needs in a month for its DS "
        "031-2010-SA Art. 66 share to count: one a week, the least a logbook keeps.",
    )
    dashboard_weeks: int = Field(
        default=52, ge=4, le=156, description="Weeks the dashboards chart (colours, reports)."
    )
    dashboard_months: int = Field(
        default=12, ge=2, le=36, description="Months the dashboards chart (times, compliance)."
    )
    dashboard_ranking_min_reports: int = Field(
        default=3,
        gt=0,
        description="Reports due in a month a body needs to be ranked best or worst of it.",
    )
    sweep_after_seconds: int = Field(
        default=60, gt=0, description="Reports still 'received' after this are re-enqueued."
    )
    sweep_every_seconds: float = Field(
        default=30.0, gt=0, description="How often beat asks for the sweep of unvalidated reports."
    )
    beat_lock_seconds: int = Field(
        default=60,
        gt=0,
        description="Life of the Redis lock that lets one beat in the cluster schedule; a beat "
        "that dies hands over to a waiting one after at most this long.",
    )
    tile_url: str | None = Field(
        default=None,
        description="XYZ tile URL template for the base map; empty means district outlines only.",
    )
    tile_attribution: str = "&copy; OpenStreetMap contributors"
    default_language: str = "es"
    fingerprint_salt: str = Field(
        default="yaku-development-salt",
        description="Salt of the reporter fingerprint; set a secret one in production.",
    )
    db_pool_size: int = Field(default=10, gt=0)
    db_prepare_threshold: int | None = Field(
        default=5,
        ge=0,
        description="Executions after which psycopg prepares a statement on the server (its "
        "own default, 5: repeated queries skip planning, about a third more OGC pages per "
        "second). `never` (or empty) disables it, which a pooler in transaction mode "
        "(PgBouncer before 1.21) needs.",
    )

    @field_validator("db_prepare_threshold", mode="before")
    @classmethod
    def _never_prepare(cls, value: object) -> object:
        if isinstance(value, str) and value.strip().lower() in ("", "never", "none", "off"):
            return None
        return value

    secret_key: str = Field(
        default="yaku-development-secret-key-change-me",
        min_length=16,
        description="Signs answer links and other tokens; set a long random one in production.",
    )
    answer_link_hours: int = Field(
        default=7 * 24,
        gt=0,
        description="Life of a signed link that lets a body answer one report without signing in.",
    )
    session_days: int = Field(default=30, gt=0, description="Life of a signed-in browser.")
    bearer_token_hours: int = Field(default=24, gt=0, description="Life of an API token.")
    max_failed_sign_ins: int = Field(default=5, gt=0, description="Failures before a lockout.")
    lockout_minutes: int = Field(default=15, gt=0)
    sign_in_code_minutes: int = Field(
        default=10, gt=0, description="Life of a one-time sign-in code and its magic link."
    )
    sign_in_code_attempts: int = Field(
        default=5, gt=0, description="Wrong tries after which a one-time code is spent."
    )
    code_requests_per_identifier: int = Field(
        default=5, gt=0, description="Codes one e-mail or phone may ask for per window."
    )
    code_requests_per_address: int = Field(
        default=20, gt=0, description="Codes one client address may ask for per window."
    )
    code_request_window_minutes: int = Field(default=60, gt=0)
    invitation_days: int = Field(default=7, gt=0, description="Life of an invitation link.")
    smtp_host: str | None = Field(
        default=None, description="SMTP server for e-mail; empty: messages are only logged."
    )
    smtp_port: int = Field(default=587, ge=1, le=65535, description="465 means implicit TLS.")
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_from: str = Field(default="Yaku <no-reply@localhost>", description="Sender address.")
    smtp_starttls: bool = Field(default=True, description="Upgrade the connection with STARTTLS.")
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    whatsapp_app_secret: str | None = Field(
        default=None,
        description="App secret of the WhatsApp Cloud API app: checks X-Hub-Signature-256 of "
        "inbound webhooks. Empty: the WhatsApp webhook refuses every message.",
    )
    whatsapp_verify_token: str | None = Field(
        default=None,
        description="Token of the webhook verification handshake (hub.verify_token). Empty: "
        "the handshake is refused.",
    )
    twilio_auth_token: str | None = Field(
        default=None,
        description="Auth token of the Twilio-style SMS gateway: checks X-Twilio-Signature. "
        "Empty: the form SMS webhook refuses every message.",
    )
    flow_webhook_secret: str | None = Field(
        default=None,
        description="Shared secret of RapidPro/TextIt flow webhooks (X-Yaku-Signature, "
        "HMAC-SHA256 of the body). Empty: the flow webhook refuses every message.",
    )
    inbound_pairing_minutes: int = Field(
        default=15,
        gt=0,
        le=24 * 60,
        description="How long a text without a place waits for a shared location from the same "
        "phone (and a location for its text) before they no longer make one report.",
    )
    notify_max_attempts: int = Field(
        default=5, gt=0, description="Tries of one message before it is marked failed."
    )
    notify_retry_base_seconds: float = Field(
        default=30.0, gt=0, description="First wait before a retry; doubled each time."
    )
    notify_retry_max_seconds: float = Field(default=3600.0, gt=0)
    notify_http_timeout_seconds: float = Field(
        default=10.0, gt=0, description="Timeout of a webhook, WhatsApp or SMS gateway request."
    )
    notify_digest_hour_utc: int = Field(
        default=12, ge=0, le=23, description="Hour (UTC) of the daily digest to each body."
    )
    notify_followup_days: int = Field(
        default=28, gt=0, description="Days after a resolution when the reporter is asked."
    )
    webhook_url: str | None = Field(
        default=None, description="Receives every notice to a body as signed JSON; empty: none."
    )
    webhook_secret: str | None = Field(
        default=None, description="HMAC-SHA256 key of the webhook signature (required with it)."
    )
    whatsapp_api_url: str = Field(
        default="https://graph.facebook.com/v21.0", description="WhatsApp Cloud API base URL."
    )
    whatsapp_phone_number_id: str | None = None
    whatsapp_token: str | None = Field(
        default=None, description="WhatsApp Cloud API bearer token; empty: messages are logged."
    )
    whatsapp_template: str = Field(
        default="yaku_aviso",
        description="Approved template used outside the 24-hour window (one text parameter).",
    )
    whatsapp_template_language: str = "es"
    sms_gateway_url: str | None = Field(
        default=None, description="HTTP SMS gateway; empty: SMS are only logged."
    )
    sms_gateway_token: str | None = None
    sms_gateway_format: Literal["json", "form"] = "json"
    sms_sender: str | None = None
    sms_max_chars: int = Field(default=480, gt=0, description="Longer texts are cut.")
    health_authority_name: str = Field(
        default="DIRESA La Libertad", description="Name on the answers of health staff."
    )
    moderators_name: str = Field(
        default="Equipo Yaku", description="Name on the answers of moderators."
    )
    opendata_contact_email: str = Field(
        default="datos@yaku.example.org",
        description="Contact e-mail of the open data in the catalogue records (DCAT, data.json, "
        "ISO 19139); set the publisher's real address.",
    )

    @field_validator("intake_address_limits", "intake_photo_address_limits")
    @classmethod
    def _rate_limits(cls, value: str) -> str:
        from limits import parse_many

        parse_many(value)  # "120/minute;1000/hour": raises ValueError when malformed
        return value

    @field_validator("default_language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        if value not in {"es", "en"}:
            raise ValueError("default_language must be 'es' or 'en'")
        return value

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def sqlalchemy_url(self) -> str:
        return str(self.database_url)

    @property
    def sqlalchemy_read_url(self) -> str:
        """The replica when one is configured, else the primary."""
        return str(self.database_read_url or self.database_url)


@lru_cache
def get_settings() -> Settings:
    return Settings()
