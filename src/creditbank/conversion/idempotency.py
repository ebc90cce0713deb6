"""Idempotency keys of the HTTP API: the first answer to a request is kept with its key, and a
retry with the same key gets it again; the same key with another request is refused."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from creditbank.conversion.model import ConversionError
from creditbank.conversion.tables import IdempotencyKeyRow
from creditbank.db import UnitOfWork
from creditbank.messages import msg


def fingerprint(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\x00")
    return digest.hexdigest()


def remembered(
    *, uow: UnitOfWork, scope: str, key: str, fingerprint: str
) -> tuple[int, dict[str, Any]] | None:
    """The answer first given to the request ``key`` of ``scope``; ``idempotency_key_reused``
    when the key came with another request."""
    row = uow.session.get(IdempotencyKeyRow, (scope, key))
    if row is None:
        return None
    if row.fingerprint != fingerprint:
        raise ConversionError(
            "idempotency_key_reused",
            msg("Idempotency-Key {key} was used with another request", key=key),
        )
    return row.status_code, row.response


def remember(
    *,
    uow: UnitOfWork,
    scope: str,
    key: str,
    fingerprint: str,
    status_code: int,
    response: dict[str, Any],
) -> None:
    """Keep the answer to request ``key`` of ``scope`` (in the request's own transaction)."""
    uow.session.add(
        IdempotencyKeyRow(
            scope=scope,
            key=key,
            fingerprint=fingerprint,
            status_code=status_code,
            response=response,
            created_at=datetime.now(UTC),
        )
    )
    try:
        uow.session.flush()
    except IntegrityError as error:
        raise ConversionError(
            "conversion_conflict",
            msg("a request with Idempotency-Key {key} is being processed; retry", key=key),
        ) from error
