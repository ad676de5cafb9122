from pathlib import Path

import pytest
from pydantic import ValidationError

from geodata.settings import Settings


def test_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("YAKU_PORT", "8123")
    monkeypatch.setenv("YAKU_DATABASE_URL", "postgresql+psycopg://u@db.example:5433/other")
    monkeypatch.setenv("YAKU_SHARED_DIR", str(tmp_path))
    monkeypatch.setenv("YAKU_MAX_PHOTO_BYTES", "1000")
    settings = Settings()
    assert settings.port == 8123
    assert settings.base_url == "http://127.0.0.1:8123"
    assert settings.sqlalchemy_url == "postgresql+psycopg://u@db.example:5433/other"
    assert settings.shared_dir == tmp_path
    assert settings.max_photo_bytes == 1000


def test_defaults_point_at_the_local_services(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("YAKU_DATABASE_URL", "YAKU_REDIS_URL", "YAKU_PORT"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings(_env_file=None)
    assert settings.sqlalchemy_url.endswith("@127.0.0.1:5432/yaku")
    assert str(settings.redis_url).startswith("redis://127.0.0.1:6379")
    assert settings.port == 8000


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("YAKU_PORT", "0"),
        ("YAKU_PORT", "eighty"),
        ("YAKU_DATABASE_URL", "mysql://x/y"),
        ("YAKU_DEFAULT_LANGUAGE", "fr"),
    ],
)
def test_bad_settings_are_refused(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        Settings()


def test_prepared_statements_on_by_default_and_off_for_a_pooler(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("YAKU_DB_PREPARE_THRESHOLD", raising=False)
    assert Settings().db_prepare_threshold == 5
    for never in ("never", "", "OFF"):
        monkeypatch.setenv("YAKU_DB_PREPARE_THRESHOLD", never)
        assert Settings().db_prepare_threshold is None
    monkeypatch.setenv("YAKU_DB_PREPARE_THRESHOLD", "0")
    assert Settings().db_prepare_threshold == 0
