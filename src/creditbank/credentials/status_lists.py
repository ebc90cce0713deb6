"""Status lists and status changes of issued credentials.

An outcome revoked or superseded in the bank has its credentials' revocation bits set; the
issuer may also suspend (and lift) or revoke a credential. The lists are served as Bitstring
Status List credentials, one pair per issuer, signed by it. Given a unit of work; never commit.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from creditbank.accounts import api as accounts
from creditbank.credentials import documents, proofs, statuslist
from creditbank.credentials.signing import (
    BANK,
    CredentialError,
    bank_did,
    ensure_key,
    institution_did,
    key_row,
    owner_did,
    private_key_of,
    public_url,
    signing_key_of,
    usable_key,
)
from creditbank.credentials.tables import (
    IssuedCredentialRow,
    SigningKeyRow,
    StatusChangeRow,
    StatusListRow,
)
from creditbank.db import UnitOfWork
from creditbank.messages import msg


def list_issuer(key: SigningKeyRow) -> str:
    """Who signs a status list: the same DID as its credentials' issuer. An owner's did:web
    lists are shared by all its did:web keys (``CODE``); a did:key is its own issuer
    (``CODE/key-N``)."""
    return key.owner if key.did_method == "web" else f"{key.owner}/{key.name}"


def _list_signer(uow: UnitOfWork, issuer: str, now: datetime) -> SigningKeyRow:
    owner, _, name = issuer.partition("/")
    if name:
        return usable_key(uow, owner, now, name=name)
    try:
        return usable_key(uow, owner, now, did_method="web")
    except CredentialError:
        return ensure_key(uow=uow, owner=owner, now=now)


def status_slot(uow: UnitOfWork, owner: str, now: datetime) -> tuple[StatusListRow, int]:
    """A free index, at random, in the owner's newest list (a new list when half full)."""
    row = uow.session.scalar(
        select(StatusListRow)
        .where(StatusListRow.owner == owner)
        .order_by(StatusListRow.id.desc())
        .limit(1)
    )
    if row is not None:
        used = set(
            uow.session.scalars(
                select(IssuedCredentialRow.status_index).where(
                    IssuedCredentialRow.status_list_id == row.id
                )
            )
        )
        if len(used) < row.entries // 2:
            return row, statuslist.free_index(row.entries, used)
    row = StatusListRow(owner=owner, entries=statuslist.MIN_ENTRIES, created_at=now)
    uow.session.add(row)
    uow.session.flush()
    return row, statuslist.free_index(row.entries, set())


def status_list_url(uow: UnitOfWork, list_id: int, purpose: str) -> str:
    return f"{public_url(uow)}/api/v1/credentials/status/{list_id}/{purpose}"


def _bits(uow: UnitOfWork, list_row: StatusListRow, purpose: str) -> bytearray:
    bits = statuslist.empty(list_row.entries)
    issued = {
        row.id: row
        for row in uow.session.scalars(
            select(IssuedCredentialRow).where(IssuedCredentialRow.status_list_id == list_row.id)
        )
    }
    if not issued:
        return bits
    values: dict[int, bool] = {}
    changes = uow.session.scalars(
        select(StatusChangeRow)
        .where(StatusChangeRow.credential_id.in_(list(issued)), StatusChangeRow.purpose == purpose)
        .order_by(StatusChangeRow.id)
    )
    for change in changes:
        if purpose == statuslist.REVOCATION:
            values[change.credential_id] = values.get(change.credential_id, False) or change.value
        else:
            values[change.credential_id] = change.value
    if purpose == statuslist.REVOCATION:
        gone = accounts.outcomes_no_longer_standing(
            uow=uow, outcome_ids=[row.outcome_id for row in issued.values()]
        )
        for row in issued.values():
            if row.outcome_id in gone:
                values[row.id] = True
    for credential_id, value in values.items():
        if value:
            statuslist.set_bit(bits, issued[credential_id].status_index)
    return bits


def status_list_credential(
    *, uow: UnitOfWork, list_id: int, purpose: str, now: datetime, signed: bool = True
) -> dict[str, Any]:
    """The signed Bitstring Status List credential of list ``list_id`` for ``purpose`` (unsigned
    with ``signed=False``)."""
    if purpose not in statuslist.PURPOSES:
        raise CredentialError(
            "status_list_not_found",
            msg(
                "a status list's purpose is revocation or suspension, not {purpose}",
                purpose=purpose,
            ),
        )
    row = uow.session.get(StatusListRow, list_id)
    if row is None:
        raise CredentialError(
            "status_list_not_found", msg("there is no status list {id}", id=list_id)
        )
    unsigned = documents.status_list_credential(
        url=status_list_url(uow, list_id, purpose),
        issuer=list_issuer_did(uow, row.owner),
        purpose=purpose,
        encoded_list=statuslist.encode(_bits(uow, row, purpose)),
        valid_from=now.replace(second=0, microsecond=0),
    )
    if not signed:
        return unsigned
    # signed by the issuer of the credentials it covers (verifiers require the same issuer)
    key = _list_signer(uow, row.owner, now)
    return proofs.sign(
        unsigned,
        private_key=private_key_of(uow, key),
        verification_method=signing_key_of(uow, key).verification_method,
        created=documents.timestamp(now),
    )


def change_status(
    *,
    uow: UnitOfWork,
    credential_id: str,
    purpose: str,
    value: bool,
    reason: str,
    by_user: int | None,
    now: datetime,
) -> None:
    """Suspend or revoke a credential (``value`` true), or lift a suspension (false)."""
    row = issued_row(uow=uow, credential_id=credential_id)
    if purpose not in statuslist.PURPOSES:
        raise CredentialError(
            "invalid_status",
            msg("the status purpose is revocation or suspension, not {purpose}", purpose=purpose),
        )
    if purpose == statuslist.REVOCATION and not value:
        raise CredentialError("invalid_status", msg("a revocation is final; it cannot be lifted"))
    reason = reason.strip()
    if not reason:
        raise CredentialError("invalid_status", msg("give a reason"))
    uow.session.add(
        StatusChangeRow(
            credential_id=row.id,
            purpose=purpose,
            value=value,
            reason=reason[:1000],
            changed_by=by_user,
            changed_at=now,
        )
    )
    uow.session.flush()


def issued_row(*, uow: UnitOfWork, credential_id: str) -> IssuedCredentialRow:
    row = uow.session.scalar(
        select(IssuedCredentialRow).where(IssuedCredentialRow.public_id == credential_id)
    )
    if row is None:
        raise CredentialError(
            "credential_not_found", msg("there is no credential {id}", id=credential_id)
        )
    return row


def credential_owner(*, uow: UnitOfWork, credential_id: str) -> str:
    """The code of the institution that issued a credential."""
    row = issued_row(uow=uow, credential_id=credential_id)
    return uow.session.get_one(SigningKeyRow, row.signing_key_id).owner


def list_issuer_did(uow: UnitOfWork, issuer: str) -> str:
    owner, _, name = issuer.partition("/")
    if not name:
        return bank_did(uow) if owner == BANK else institution_did(uow, owner)
    return owner_did(uow, key_row(uow, owner, name))
