"""Typed settings, read from ``CREDITBANK_*`` environment variables (and ``.env``).

Outside development mode, a secret left at its placeholder is refused: the
bank will not start with a session secret anybody can read in this file.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRET = "change-me"  # noqa: S105 - the placeholder that is refused outside development
# The development data key: public, so refused outside development like the placeholder secret.
DEVELOPMENT_DATA_KEY = base64.b64encode(
    hashlib.sha256(b"creditbank development data key").digest()
).decode()
DATA_KEY_BYTES = 32
# The ledger's origin when none is set; its development signing key is public (ledger.keys).
DEVELOPMENT_LOG_ORIGIN = "creditbank.localhost/log"


class Environment(StrEnum):
    """Where the bank runs. Only ``development`` tolerates placeholder secrets."""

    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class Settings(BaseSettings):
    """Everything configurable about a running bank."""

    model_config = SettingsConfigDict(
        env_prefix="CREDITBANK_", env_file=".env", extra="ignore", frozen=True
    )

    environment: Environment = Field(
        default=Environment.DEVELOPMENT, description="development, test or production."
    )
    database_url: str = Field(
        default="sqlite:///./creditbank.db",
        description="SQLAlchemy URL: sqlite:///PATH (embedded) or postgresql+psycopg://...",
    )
    secret_key: SecretStr = Field(
        default=SecretStr(PLACEHOLDER_SECRET),
        description="Signs sessions and CSRF tokens. Must be set outside development.",
    )
    data_key: SecretStr = Field(
        default=SecretStr(DEVELOPMENT_DATA_KEY),
        description="32 random bytes, base64: encrypts learners' personal data. Keep it safe.",
    )
    default_language: str = Field(default="zh", description="zh or en: the language of pages.")
    time_zone: str = Field(
        default="Asia/Shanghai",
        description="The IANA time zone pages show times in (moments are stored in UTC; the "
        "bank's calendar, what today is, stays Asia/Shanghai).",
    )
    host: str = Field(default="127.0.0.1", description="Address `creditbank serve` binds to.")
    port: int = Field(default=8000, description="Port `creditbank serve` listens on.")
    sql_echo: bool = Field(default=False, description="Log every SQL statement (debugging).")
    evidence_max_bytes: int = Field(
        default=10 * 1024 * 1024, gt=0, description="Largest evidence file accepted, in bytes."
    )
    file_xlsx_max_bytes: int = Field(
        default=100 * 1024 * 1024,
        gt=0,
        description="Largest total size an uploaded XLSX workbook may unpack to, in bytes "
        "(its zip parts together; a larger one is refused with 413).",
    )
    file_max_rows: int = Field(
        default=1_000_000, gt=0, description="Most rows read from a bulk or results file."
    )
    file_max_shared_strings: int = Field(
        default=1_000_000, gt=0, description="Most shared strings an XLSX workbook may hold."
    )
    file_max_field_chars: int = Field(
        default=4096, gt=0, description="Longest cell or field of a bulk or results file."
    )
    file_max_line_bytes: int = Field(
        default=64 * 1024, gt=0, description="Longest line of a CSV or JSON Lines file, in bytes."
    )
    file_max_json_depth: int = Field(
        default=32,
        gt=0,
        le=500,
        description="Deepest nesting of a JSON Lines line or a JSON standard file.",
    )
    max_body_bytes: int = Field(
        default=256 * 1024 * 1024,
        gt=0,
        description="Largest request body accepted, in bytes (413 beyond it): a bulk deposit "
        "file of a million rows, an evidence file or a JSON body, with its form overhead.",
    )
    max_json_depth: int = Field(
        default=32,
        ge=2,
        le=500,
        description="Deepest nesting of arrays and objects accepted in a JSON request body "
        "(400 beyond it).",
    )
    session_idle_minutes: int = Field(
        default=30, ge=1, description="A web session ends after this many minutes unused."
    )
    session_lifetime_hours: int = Field(
        default=12, ge=1, description="A web session ends this many hours after login, used or not."
    )
    login_max_failures: int = Field(
        default=5,
        ge=1,
        description="Failed logins to one account from one client address before that "
        "address must wait (other addresses, and the owner, are not held up).",
    )
    login_address_max_failures: int = Field(
        default=20,
        ge=1,
        description="Failed logins from one client address (to any accounts) before that "
        "address must wait.",
    )
    login_account_max_failures: int = Field(
        default=100,
        ge=1,
        description="Failed logins to one account from all addresses together before every "
        "attempt on it is delayed (never locked).",
    )
    login_window_minutes: int = Field(
        default=15, ge=1, description="How long failed logins count towards the limits."
    )
    login_delay_seconds: int = Field(
        default=60,
        ge=1,
        description="The first wait after a limit is reached; it doubles with each further "
        "failure, up to the window.",
    )
    login_account_max_delay_seconds: int = Field(
        default=60,
        ge=1,
        description="The longest wait of the all-addresses limit of one account.",
    )
    proxy_headers: bool = Field(
        default=False,
        description="`creditbank serve` trusts X-Forwarded-Proto and X-Forwarded-For from "
        "FORWARDED_ALLOW_IPS (a TLS-terminating proxy): Secure cookies, HSTS, real client "
        "addresses. Off: those headers are ignored.",
    )
    forwarded_allow_ips: str = Field(
        default="127.0.0.1",
        min_length=1,
        description="Comma-separated addresses or networks of the proxy whose forwarded "
        'headers are trusted when PROXY_HEADERS is on ("*": any, only if nothing else can '
        "reach the bank).",
    )
    public_url: str = Field(
        default="http://localhost:8000",
        pattern=r"^https?://[^/?#]+$",
        description="Where the bank is reached (scheme and host, no path): the base of its "
        "did:web identities, status lists and the links in its credentials.",
    )
    log_origin: str = Field(
        default=DEVELOPMENT_LOG_ORIGIN,
        min_length=1,
        description="The ledger's origin, naming the log in checkpoints (e.g. bank.example/log).",
    )
    log_key: SecretStr | None = Field(
        default=None,
        description="The ledger's signing key (PRIVATE+KEY+... from `creditbank log keygen`).",
    )
    log_key_file: Path | None = Field(
        default=None, description="A file holding the ledger's signing key (instead of LOG_KEY)."
    )
    log_past_keys: list[str] = Field(
        default_factory=list,
        description="JSON list of verifier keys of earlier signing keys (after a rotation).",
    )
    log_witnesses: list[str] = Field(
        default_factory=list,
        description='JSON list of witnesses, each "URL VERIFIER-KEY", asked to cosign checkpoints.',
    )
    log_publish_seconds: int = Field(
        default=10,
        ge=1,
        description="How often the bank asks its witnesses to cosign its newest checkpoint.",
    )
    peer_cosignatures_required: int = Field(
        default=1,
        ge=1,
        le=100,
        description="How many valid cosignatures of witnesses the bank trusts a peer bank's "
        "checkpoint needs before the bank accepts it (its own witness and its peers' count).",
    )
    national_suppress_below: int = Field(
        default=10,
        ge=1,
        le=1000,
        description="The national platform's figures show a count below this as '<N' (small "
        "cells suppressed, so that no small group of learners can be singled out).",
    )
    national_url: str | None = Field(
        default=None,
        max_length=500,
        description="The national bank's public URL, where this (regional) bank sends its "
        "batches of references (POST {url}/api/v1/national/batches).",
    )
    spark_master: str = Field(
        default="local[*]",
        min_length=1,
        max_length=500,
        description="Where `creditbank stats combine --engine spark` runs: a Spark master URL "
        "(spark://host:7077 for a cluster; local[*]: Spark in this process's machine). The "
        "workers need the same pyspark version, Java 17 and read access to the files at the "
        "same paths.",
    )
    stats_suppress_below: int = Field(
        default=10,
        ge=1,
        le=1000,
        description="The bank's statistics (`/stats`, `GET /api/v1/stats/...`, `creditbank stats "
        "show`) show a count from 1 to this minus 1 as '<N', and hide enough others that none "
        "can be worked out from a total, so that no figure describes a person.",
    )
    witness_key: SecretStr | None = Field(
        default=None,
        description="The private key (PRIVATE+KEY+... from `creditbank log keygen NAME`) of the "
        "bank's witness of its peers' logs; unset: derived from the ledger's signing key.",
    )

    @field_validator("time_zone")
    @classmethod
    def _known_time_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            msg = f"CREDITBANK_TIME_ZONE {value!r} is not an IANA time zone name"
            raise ValueError(msg) from None
        return value

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> Self:
        if self.environment is not Environment.DEVELOPMENT:
            secret = self.secret_key.get_secret_value()
            if secret == PLACEHOLDER_SECRET or len(secret) < 32:  # noqa: PLR2004
                msg = (
                    "CREDITBANK_SECRET_KEY is a placeholder or shorter than 32 characters; "
                    f"set a real secret to run in {self.environment.value} mode"
                )
                raise ValueError(msg)
        try:
            key = base64.b64decode(self.data_key.get_secret_value(), validate=True)
        except (binascii.Error, ValueError):
            key = b""
        if len(key) != DATA_KEY_BYTES:
            msg = "CREDITBANK_DATA_KEY must be 32 bytes in base64 (e.g. `openssl rand -base64 32`)"
            raise ValueError(msg)
        if (
            self.environment is not Environment.DEVELOPMENT
            and self.data_key.get_secret_value() == DEVELOPMENT_DATA_KEY
        ):
            msg = (
                "CREDITBANK_DATA_KEY is the development key; "
                f"set a real one in {self.environment.value} mode"
            )
            raise ValueError(msg)
        if self.log_key is not None and self.log_key_file is not None:
            msg = "set CREDITBANK_LOG_KEY or CREDITBANK_LOG_KEY_FILE, not both"
            raise ValueError(msg)
        if (
            self.environment is Environment.PRODUCTION
            and self.log_key is None
            and self.log_key_file is None
        ):
            msg = (
                "the ledger needs a signing key in production: set CREDITBANK_LOG_KEY_FILE "
                "(make one with `creditbank log keygen`)"
            )
            raise ValueError(msg)
        if self.default_language not in {"zh", "en"}:
            msg = "CREDITBANK_DEFAULT_LANGUAGE must be zh or en"
            raise ValueError(msg)
        return self


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process, read once."""
    return Settings()
