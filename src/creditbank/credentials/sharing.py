"""What a share link (``/shared/{token}``) offers: each shared credential to download, the
shared outcomes as one CLR (handlers), and the verdict on each (for the handler of the page).

Public: whoever holds the link may see what it shares, while it is active (the token is the
secret; an unknown, expired or revoked one answers ``share_not_found``). Opening the link counts
the visit. The first look at an outcome records its credential (and its issuer's first key).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from creditbank.access.policy import LearnerPrincipal, Principal
from creditbank.accounts import api as accounts
from creditbank.consents import api as consents
from creditbank.credentials import issuing, resolver, verifier
from creditbank.credentials.commands import (
    ExportSharedCredential,
    ExportSharedRecord,
)
from creditbank.credentials.signing import CredentialError
from creditbank.db import UnitOfWork
from creditbank.messages import msg
from creditbank.usecases import handler

Anyone = Principal | LearnerPrincipal | None


def _record(uow: UnitOfWork, token: str, now: datetime) -> consents.SharedRecord:
    record = consents.open_share(uow=uow, token=token, now=now)
    if record is None:
        raise CredentialError(
            "share_not_found", msg("this link does not work: it expired or was revoked")
        )
    return record


def _standing(uow: UnitOfWork, record: consents.SharedRecord) -> list[str]:
    """The shared outcomes that still count, oldest first."""
    standing = accounts.standing_outcome_ids(uow=uow, account_number=record.account_number)
    return [outcome_id for outcome_id in standing if outcome_id in record.outcome_ids]


def _signed(uow: UnitOfWork, outcome_id: str, now: datetime) -> dict[str, Any]:
    return issuing.issue(uow=uow, outcome_id=outcome_id, fmt="ob3", now=now).document or {}


def shared_verdicts(
    *, uow: UnitOfWork, outcome_ids: Iterable[str], now: datetime
) -> dict[str, verifier.Verdict]:
    """The verdict on the credential of each of these outcomes (shared ones that still count),
    by outcome id: what the share link's page shows. For the handler that opened the link."""
    return {
        outcome_id: resolver.verify(uow=uow, data=_signed(uow, outcome_id, now), now=now)
        for outcome_id in outcome_ids
    }


@handler
def export_shared_credential(
    query: ExportSharedCredential, *, principal: Anyone, uow: UnitOfWork, now: datetime
) -> dict[str, Any]:
    del principal  # public: the token is the secret
    record = _record(uow, query.token, now)
    if query.outcome_id not in record.outcome_ids:
        raise CredentialError(
            "outcome_not_found", msg("there is no outcome {id}", id=query.outcome_id)
        )
    return _signed(uow, query.outcome_id, now)


@handler
def export_shared_record(
    query: ExportSharedRecord, *, principal: Anyone, uow: UnitOfWork, now: datetime
) -> dict[str, Any]:
    del principal  # public: the token is the secret
    record = _record(uow, query.token, now)
    return issuing.issue_clr(
        uow=uow,
        account_number=record.account_number,
        outcome_ids=_standing(uow, record),
        now=now,
    )
