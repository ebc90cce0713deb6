"""Typed settings: placeholder secrets are refused outside development."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

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
    monkeypatch.setenv("CREDITBANK_DATABASE_URL", "postgresql+psycopg://bank@db/bank")
    settings = Settings()
    assert settings.environment is Environment.PRODUCTION
    assert settings.database_url.startswith("postgresql")
    assert "x" * 48 not in repr(settings)  # the secret is not printed


def test_unknown_language_is_refused() -> None:
    with pytest.raises(ValidationError, match="zh or en"):
        Settings(default_language="fr")
