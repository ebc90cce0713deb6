"""Signing keys: sealed at rest, named by ``did:web`` (or ``did:key``), rotated, compromised.

Given a unit of work; never commit. The bank's data key (through :data:`KEY_VAULT` in the
session's info) seals private keys; the bank's public URL (:data:`PUBLIC_URL`) names its
``did:web`` identities and its links.

An institution (or the bank, owner ``bank``) registers Ed25519 keys with validity dates;
rotating starts a new key and ends the old one; marking a key compromised from a moment makes
what it signed from then on fail to verify. Every institution gets a first key when it first
needs one (:func:`ensure_key`).
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from creditbank.credentials import documents, multikey, records
from creditbank.credentials.tables import SigningKeyRow
from creditbank.db import UnitOfWork, for_update, hold_write_lock
from creditbank.errors import DomainError
from creditbank.institutions import api as institutions
from creditbank.ledger.api import LogKind
from creditbank.messages import msg
from creditbank.settings import DEVELOPMENT_DATA_KEY

KEY_VAULT = "creditbank.credentials.vault"
PUBLIC_URL = "creditbank.credentials.public_url"
DEFAULT_PUBLIC_URL = "http://localhost:8000"
BANK = "bank"
DID_METHODS = ("web", "key")


class CredentialError(DomainError):
    """A credential request the bank refuses (codes: key_not_found, no_signing_key, …)."""


class KeyVault:
    """Seals and opens private signing keys with a key derived from the bank's data key."""

    def __init__(self, data_key: bytes) -> None:
        derived = HKDF(
            algorithm=SHA256(), length=32, salt=None, info=b"creditbank/signing-key-wrapping/v1"
        ).derive(data_key)
        self._aead = AESGCM(derived)

    def __repr__(self) -> str:
        return "KeyVault(...)"

    def seal(self, owner: str, name: str, key: Ed25519PrivateKey) -> tuple[bytes, bytes]:
        raw = key.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        nonce = os.urandom(12)
        return nonce, self._aead.encrypt(nonce, raw, f"{owner}/{name}".encode())

    def open(self, owner: str, name: str, nonce: bytes, sealed: bytes) -> Ed25519PrivateKey:
        raw = self._aead.decrypt(nonce, sealed, f"{owner}/{name}".encode())
        return Ed25519PrivateKey.from_private_bytes(raw)


def vault_of(uow: UnitOfWork) -> KeyVault:
    """The vault of this unit of work (``bootstrap.wire`` sets it from the data key); the
    development data key's when none is set, as the settings default to it."""
    vault = uow.session.info.get(KEY_VAULT)
    if isinstance(vault, KeyVault):
        return vault
    return KeyVault(base64.b64decode(DEVELOPMENT_DATA_KEY))


def public_url(uow: UnitOfWork) -> str:
    """The bank's public base URL (scheme and host)."""
    value = uow.session.info.get(PUBLIC_URL)
    return value if isinstance(value, str) else DEFAULT_PUBLIC_URL


def host(uow: UnitOfWork) -> str:
    return urlsplit(public_url(uow)).netloc


def bank_did(uow: UnitOfWork) -> str:
    return multikey.did_web(host(uow))


def institution_did(uow: UnitOfWork, code: str) -> str:
    return multikey.did_web(host(uow), "institutions", code.upper())


def utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# Keys ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SigningKey:
    owner: str
    name: str
    did_method: str
    did: str
    verification_method: str
    public_key: str
    valid_from: datetime
    valid_until: datetime | None
    compromised_from: datetime | None


def owner_did(uow: UnitOfWork, row: SigningKeyRow) -> str:
    if row.did_method == "key":
        return "did:key:" + row.public_key
    return bank_did(uow) if row.owner == BANK else institution_did(uow, row.owner)


def signing_key_of(uow: UnitOfWork, row: SigningKeyRow) -> SigningKey:
    did = owner_did(uow, row)
    method = f"{did}#{row.public_key if row.did_method == 'key' else row.name}"
    return SigningKey(
        owner=row.owner,
        name=row.name,
        did_method=row.did_method,
        did=did,
        verification_method=method,
        public_key=row.public_key,
        valid_from=utc(row.valid_from),
        valid_until=utc(row.valid_until) if row.valid_until else None,
        compromised_from=utc(row.compromised_from) if row.compromised_from else None,
    )


def policy_owner(owner: str) -> str | None:
    """The owner the access policy knows for a key owner: the institution's code, or None for
    the bank's own keys (which only bank administrators manage)."""
    return None if owner.strip().lower() == BANK else owner.strip().upper()


def _owner(uow: UnitOfWork, owner: str) -> tuple[str, int | None]:
    code = owner.strip().upper()
    if code == BANK.upper():
        return BANK, None
    return code, institutions.institution_id(uow=uow, code=code)


def generate_key(
    *,
    uow: UnitOfWork,
    owner: str,
    now: datetime,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    did_method: str = "web",
    name: str | None = None,
) -> SigningKey:
    """A new Ed25519 key for ``owner`` (an institution's code, or ``bank``), sealed at rest.

    Its name is ``key-N`` (``name``: the one read before the caller's other changes). Of two
    parallel registrations for one owner, both name their key alike: the unique index on
    (owner, name) lets one in and the other is refused (``key_conflict``, 409).
    """
    code, institution_id = _owner(uow, owner)
    if did_method not in DID_METHODS:
        raise CredentialError(
            "invalid_key", msg("the DID method must be web or key, not {method}", method=did_method)
        )
    start = utc(valid_from or now).replace(microsecond=0)
    if valid_until is not None and utc(valid_until) <= start:
        raise CredentialError("invalid_key", msg("a key's validity must end after it starts"))
    name = name or _next_name(uow, code)
    key = Ed25519PrivateKey.generate()
    raw_public = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    nonce, sealed = vault_of(uow).seal(code, name, key)
    row = SigningKeyRow(
        owner=code,
        institution_id=institution_id,
        name=name,
        did_method=did_method,
        public_key=multikey.encode_public_key(raw_public),
        sealed_nonce=nonce,
        sealed_private_key=sealed,
        valid_from=start,
        valid_until=utc(valid_until) if valid_until else None,
        compromised_from=None,
        created_at=now,
    )
    uow.session.add(row)
    try:
        uow.session.flush()
    except IntegrityError as error:  # the transaction is lost; the unit of work rolls it back
        raise CredentialError(
            "key_conflict",
            msg(
                "another signing key {name} of {owner} was registered at the same moment; "
                "look at the keys and try again if one is still needed",
                name=name,
                owner=code,
            ),
        ) from error
    records.log_keys(uow, [(row, LogKind.KEY_REGISTERED)])
    return signing_key_of(uow, row)


def _next_name(uow: UnitOfWork, code: str) -> str:
    count = uow.session.scalar(select(func.count()).where(SigningKeyRow.owner == code)) or 0
    return f"key-{count + 1}"


def key_row(uow: UnitOfWork, owner: str, name: str, *, lock: bool = False) -> SigningKeyRow:
    code, _ = _owner(uow, owner)
    query = select(SigningKeyRow).where(SigningKeyRow.owner == code, SigningKeyRow.name == name)
    if lock:  # before its state is read; refreshed from the database
        query = for_update(uow.session, query)
    row = uow.session.scalar(query)
    if row is None:
        raise CredentialError(
            "key_not_found", msg("{owner} has no signing key {name}", owner=code, name=name)
        )
    return row


def list_keys(*, uow: UnitOfWork, owner: str) -> list[SigningKey]:
    code, _ = _owner(uow, owner)
    rows = uow.session.scalars(
        select(SigningKeyRow).where(SigningKeyRow.owner == code).order_by(SigningKeyRow.id)
    )
    return [signing_key_of(uow, row) for row in rows]


def rotate_key(*, uow: UnitOfWork, owner: str, now: datetime) -> SigningKey:
    """A new key from ``now``; the owner's keys still valid then end at ``now``.

    The owner's keys are locked first, so that parallel rotations of one owner run one after
    another, each reading what the one before left (the key it made is the one it ends): every
    rotation locks the keys, then the log, never the other way round."""
    code, _ = _owner(uow, owner)
    owned = select(SigningKeyRow).where(SigningKeyRow.owner == code).order_by(SigningKeyRow.id)
    uow.session.execute(for_update(uow.session, owned))
    # read again, in a statement of its own: on PostgreSQL the locking one saw the rows of its
    # snapshot, taken before a rotation it waited for committed (not the key that one made)
    keys = uow.session.scalars(owned.execution_options(populate_existing=True)).all()
    name = _next_name(uow, code)
    ended: list[tuple[SigningKeyRow, LogKind]] = []
    for row in keys:
        if row.valid_until is None or utc(row.valid_until) > now:
            row.valid_until = now
            row.version += 1
            ended.append((row, LogKind.KEY_ROTATED))
    records.log_keys(uow, ended)
    method = uow.session.scalar(
        select(SigningKeyRow.did_method)
        .where(SigningKeyRow.owner == code)
        .order_by(SigningKeyRow.id.desc())
        .limit(1)
    )
    return generate_key(uow=uow, owner=code, now=now, did_method=method or "web", name=name)


def mark_compromised(
    *, uow: UnitOfWork, owner: str, name: str, since: datetime, now: datetime
) -> SigningKey:
    """Mark a key compromised from ``since``: what it signed from then on fails to verify.

    The key is locked before it is read, so that of parallel reports the earliest ``since``
    stays (a later one never overwrites it)."""
    row = key_row(uow, owner, name, lock=True)
    since = utc(since)
    if row.compromised_from is not None and utc(row.compromised_from) <= since:
        return signing_key_of(uow, row)
    row.compromised_from = since
    if row.valid_until is None or utc(row.valid_until) > now:
        row.valid_until = now
    row.version += 1
    records.log_keys(uow, [(row, LogKind.KEY_COMPROMISED)])
    return signing_key_of(uow, row)


def usable_key(
    uow: UnitOfWork,
    owner: str,
    at: datetime,
    *,
    did_method: str | None = None,
    name: str | None = None,
) -> SigningKeyRow:
    code, _ = _owner(uow, owner)
    query = select(SigningKeyRow).where(SigningKeyRow.owner == code)
    if did_method is not None:
        query = query.where(SigningKeyRow.did_method == did_method)
    if name is not None:
        query = query.where(SigningKeyRow.name == name)
    for row in uow.session.scalars(query.order_by(SigningKeyRow.id.desc())):
        if utc(row.valid_from) > at:
            continue
        if row.valid_until is not None and utc(row.valid_until) <= at:
            continue
        if row.compromised_from is not None and utc(row.compromised_from) <= at:
            continue
        return row
    raise CredentialError(
        "no_signing_key",
        msg(
            "{owner} has no signing key valid now: register one "
            "(creditbank credentials keys generate {owner})",
            owner=code,
        ),
    )


FIRST_KEY_LEAD = timedelta(minutes=1)


def ensure_key(*, uow: UnitOfWork, owner: str, now: datetime) -> SigningKeyRow:
    """The owner's usable key, made on first use (so every institution can issue).

    Only an owner with no key at all gets one made (``key-1``); one whose keys all ended needs a
    person to act (rotate or register). Of parallel first uses one makes the key and the
    others use it: on SQLite they take turns (the write lock is taken before counting), on
    PostgreSQL the loser of the name ``key-1`` rolls back to a SAVEPOINT and reads the winner's.
    The key made on demand is valid from :data:`FIRST_KEY_LEAD` before ``now``: a parallel
    request whose own time fell in the second before the winner's would otherwise find no key
    valid at its time (nothing was signed for the owner before, so the earlier start is safe).
    """
    try:
        return usable_key(uow, owner, now)
    except CredentialError:
        hold_write_lock(uow.session)
    code, _ = _owner(uow, owner)
    if not uow.session.scalar(select(func.count()).where(SigningKeyRow.owner == code)):
        try:
            with uow.session.begin_nested():
                generate_key(
                    uow=uow, owner=code, now=now, valid_from=now - FIRST_KEY_LEAD, name="key-1"
                )
        except CredentialError as error:
            if error.code != "key_conflict":
                raise
    return usable_key(uow, owner, now)


def private_key_of(uow: UnitOfWork, row: SigningKeyRow) -> Ed25519PrivateKey:
    return vault_of(uow).open(row.owner, row.name, row.sealed_nonce, row.sealed_private_key)


def did_document(*, uow: UnitOfWork, owner: str) -> dict[str, Any]:
    """The DID document of the bank (``bank``) or an institution: its did:web keys."""
    code, _ = _owner(uow, owner)
    rows = list(
        uow.session.scalars(
            select(SigningKeyRow)
            .where(SigningKeyRow.owner == code, SigningKeyRow.did_method == "web")
            .order_by(SigningKeyRow.id)
        )
    )
    did = bank_did(uow) if code == BANK else institution_did(uow, code)
    return documents.did_document(did, [documents.DidKey(row.name, row.public_key) for row in rows])
