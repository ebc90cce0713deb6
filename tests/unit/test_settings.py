"""Typed settings: placeholder secrets are refused outside development."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from pydantic import ValidationError

from creditbank.ledger import notes
from creditbank.settings import PLACEHOLDER_SECRET, Environment, Settings


def test_development_accepts_the_placeholder() -> None:
    settings = Settings(environment=Environment.DEVELOPMENT, secret_key=PLACEHOLDER_SECRET)
    assert settings.secret_key.get_secret_value() == PLACEHOLDER_SECRET


@pytest.mark.parametrize("environment", [Environment.PRODUCTION, Environment.TEST])
@pytest.mark.parametrize("secret", [PLACEHOLDER_SECRET, "short"])
def test_other_environments_refuse_placeholder_or_short_secrets(
    environment: Environment, secret: str
) -> None:
    with pytest.raises(ValidationError, match="CREDITBANK_SECRET_KEY"):
        Settings(environment=environment, secret_key=secret)


def test_production_with_a_real_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREDITBANK_ENVIRONMENT", "production")
    monkeypatch.setenv("CREDITBANK_SECRET_KEY", "x" * 48)
    monkeypatch.setenv("CREDITBANK_DATA_KEY", base64.b64encode(bytes(range(32))).decode())
    monkeypatch.setenv("CREDITBANK_DATABASE_URL", "postgresql+psycopg://bank@db/bank")
    private_key, _ = notes.generate_key("bank.example/log")
    monkeypatch.setenv("CREDITBANK_LOG_KEY", private_key)
    settings = Settings()
    assert settings.environment is Environment.PRODUCTION
    assert settings.database_url.startswith("postgresql")
    assert "x" * 48 not in repr(settings)  # the secrets are not printed
    assert base64.b64encode(bytes(range(32))).decode() not in repr(settings)
    assert private_key not in repr(settings)


def test_production_needs_a_log_key_and_not_two(tmp_path: Path) -> None:
    real = base64.b64encode(bytes(range(32))).decode()
    with pytest.raises(ValidationError, match="the ledger needs a signing key in production"):
        Settings(environment=Environment.PRODUCTION, secret_key="x" * 40, data_key=real)
    private_key, _ = notes.generate_key("bank.example/log")
    with pytest.raises(ValidationError, match="not both"):
        Settings(log_key=private_key, log_key_file=tmp_path / "key")


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValidationError, match="zh or en"):
        Settings(default_language="fr")


def test_the_development_data_key_is_refused_outside_development() -> None:
    with pytest.raises(ValidationError, match="CREDITBANK_DATA_KEY is the development key"):
        Settings(environment=Environment.PRODUCTION, secret_key="x" * 40)
    real = base64.b64encode(bytes(range(32))).decode()
    private_key, _ = notes.generate_key("bank.example/log")
    assert Settings(
        environment=Environment.PRODUCTION, secret_key="x" * 40, data_key=real, log_key=private_key
    )


@pytest.mark.parametrize("key", ["not base64!", base64.b64encode(b"too short").decode()])
def test_a_malformed_data_key_is_refused(key: str) -> None:
    with pytest.raises(ValidationError, match="32 bytes in base64"):
        Settings(data_key=key)
