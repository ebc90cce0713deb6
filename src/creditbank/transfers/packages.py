"""Handlers of bank A's side: make a transfer package for a peer bank, hand a linked one out once.

A package holds the chosen outcomes (those of the learner that still count) as signed Open
Badges credentials, each with its self-contained receipt (the inclusion proof against this
bank's newest checkpoint), that checkpoint with its witnesses' cosignatures, the learner as a
salted hash of their identity number, a nonce and an expiry, and this bank's signature (a
signed note by its log key over the package's digest). The learner makes one for themselves;
an institution's registrar (or a bank administrator) makes one for a learner who consents.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from creditbank.access.policy import (
    Action,
    LearnerPrincipal,
    Principal,
    require_consented,
    require_own_account,
)
from creditbank.accounts import api as accounts
from creditbank.consents import api as consents
from creditbank.credentials import api as credentials
from creditbank.db import UnitOfWork
from creditbank.ledger import api as ledger
from creditbank.messages import msg
from creditbank.peers import api as peers
from creditbank.transfers import statistics
from creditbank.transfers.commands import FetchTransferLink, MakeTransferPackage
from creditbank.transfers.model import (
    NONCE_BYTES,
    PACKAGE_TYPE,
    PACKAGE_VERSION,
    SALT_BYTES,
    TransferError,
    as_utc,
    identity_hash,
    signed_text,
    utc_text,
)
from creditbank.transfers.tables import TransferExportRow
from creditbank.usecases import handler

PACKAGE_LIFETIME = timedelta(days=7)
"""How long a package (and its one-time link) is good for."""
LINK_PATH = "/api/v1/transfer-links/"


@dataclass(frozen=True, slots=True)
class MadePackage:
    """A package made: its id here, the package, and the one-time link's URL if one was asked
    for (shown once: only its digest is kept)."""

    public_id: str
    package: dict[str, Any]
    expires: datetime
    link: str | None = None


def _learner(uow: UnitOfWork, number: str) -> accounts.LearnerRef:
    found = accounts.find_learner(uow=uow, account_number=number)
    if found is None:
        raise accounts.AccountError(
            "account_not_found", msg("there is no account {number}", number=number.upper())
        )
    return found


def _chosen(uow: UnitOfWork, number: str, wanted: tuple[str, ...]) -> list[str]:
    standing = accounts.standing_outcome_ids(uow=uow, account_number=number)
    chosen = list(dict.fromkeys(o.strip().lower() for o in wanted if o.strip())) or standing
    unknown = [oid for oid in chosen if oid not in standing]
    if unknown:
        raise TransferError(
            "invalid_transfer_request",
            msg(
                "these outcomes are not standing outcomes of account {number}: {ids}",
                number=number,
                ids=", ".join(unknown),
            ),
        )
    if not chosen:
        raise TransferError(
            "invalid_transfer_request",
            msg("account {number} has no outcome to move", number=number),
        )
    return chosen


def build_package(
    uow: UnitOfWork,
    *,
    learner: accounts.LearnerRef,
    target: str,
    outcome_ids: list[str],
    now: datetime,
    cipher: accounts.PersonalDataCipher,
) -> dict[str, Any]:
    """The signed package of ``outcome_ids`` of ``learner`` for the bank of origin ``target``."""
    checkpoint = ledger.newest_cosigned_checkpoint(uow=uow)
    if checkpoint is None:
        raise TransferError(
            "invalid_transfer_request", msg("this bank's log has no checkpoint to prove with")
        )
    outcomes = []
    for outcome_id in outcome_ids:
        issued = credentials.issue(uow=uow, outcome_id=outcome_id, fmt="ob3", now=now)
        receipt = credentials.outcome_receipt(
            uow=uow, outcome_id=outcome_id, tree_size=checkpoint.tree_size
        )
        outcomes.append({"credential": issued.document, "receipt": receipt})
    salt = secrets.token_hex(SALT_BYTES)
    index_key = accounts.identity_index_key(uow=uow, cipher=cipher, learner_id=learner.id)
    package: dict[str, Any] = {
        "type": PACKAGE_TYPE,
        "version": PACKAGE_VERSION,
        "from": ledger.log_origin(uow=uow),
        "to": target,
        "nonce": secrets.token_hex(NONCE_BYTES),
        "created": utc_text(now),
        "expires": utc_text(now + PACKAGE_LIFETIME),
        "learner": {"salt": salt, "hash": identity_hash(salt, index_key)},
        "checkpoint": checkpoint.text,
        "outcomes": outcomes,
    }
    package["signature"] = ledger.sign_note(uow=uow, text=signed_text(package))
    return package


def _check_access(
    uow: UnitOfWork, principal: Principal | LearnerPrincipal, number: str, now: datetime
) -> None:
    if isinstance(principal, LearnerPrincipal):
        require_own_account(principal, number)
        return
    consenting = consents.consenting_institutions(uow=uow, account_number=number, now=now)
    require_consented(
        principal, Action.EXPORT_TRANSFER, principal.institution or "", consenting=consenting
    )


@handler
def make_transfer_package(
    command: MakeTransferPackage,
    *,
    principal: Principal | LearnerPrincipal,
    uow: UnitOfWork,
    now: datetime,
    cipher: accounts.PersonalDataCipher,
) -> MadePackage:
    """The learner's own package, or one an institution makes with the learner's consent; the
    target must be a trusted peer (``unknown_peer``)."""
    _check_access(uow, principal, command.account_number, now)
    learner = _learner(uow, command.account_number)
    peer = peers.trusted_peer(uow=uow, origin=command.to.strip())
    chosen = _chosen(uow, learner.account_number, command.outcomes)
    package = build_package(
        uow, learner=learner, target=peer.origin, outcome_ids=chosen, now=now, cipher=cipher
    )
    token = secrets.token_urlsafe(32) if command.link else None
    row = TransferExportRow(
        public_id=uuid.uuid4().hex,
        learner_id=learner.id,
        target=peer.origin,
        nonce=package["nonce"],
        outcome_count=len(chosen),
        made_by_user_id=(principal.user_id or None) if isinstance(principal, Principal) else None,
        created_at=now,
        expires_at=now + PACKAGE_LIFETIME,
        link_digest=None if token is None else _digest(token),
        link_used_at=None,
        package=None if token is None else package,
    )
    uow.session.add(row)
    uow.session.flush()
    statistics.tally(uow, "exported", peer.origin, now)
    base = credentials.public_url(uow).rstrip("/")
    link = None if token is None else f"{base}{LINK_PATH}{token}"
    return MadePackage(row.public_id, package, row.expires_at, link)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@handler
def fetch_transfer_link(
    query: FetchTransferLink,
    *,
    principal: Principal | LearnerPrincipal | None,
    uow: UnitOfWork,
    now: datetime,
) -> dict[str, Any]:
    """Public (the token is the key): the package behind the link, once; a used, expired or
    unknown link is ``transfer_link_not_found``. Of two fetches at once one gets it (a
    conditional update on the link being unused)."""
    del principal
    digest = _digest(query.token.strip())
    row = uow.session.scalar(
        select(TransferExportRow).where(TransferExportRow.link_digest == digest)
    )
    gone = TransferError(
        "transfer_link_not_found", msg("this transfer link is unknown, used or expired")
    )
    if row is None or row.package is None or as_utc(row.expires_at) <= now:
        raise gone
    package = dict(row.package)
    claimed = uow.session.execute(
        update(TransferExportRow)
        .where(TransferExportRow.id == row.id, TransferExportRow.link_used_at.is_(None))
        .values(link_used_at=now, package=None)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise gone
    return package
