"""Use cases of verifiable credentials: keys, issuing, status, verifying.

Given a unit of work; never commit. The bank's data key (through
:data:`KEY_VAULT` in the session's info) seals private keys; the bank's public
URL (:data:`PUBLIC_URL`) names its ``did:web`` identities and its links.

- Keys: an institution (or the bank, owner ``bank``) registers Ed25519 keys with
  validity dates; rotating starts a new key and ends the old one; marking a key
  compromised from a moment makes what it signed from then on fail to verify.
- Issuing: an outcome's Open Badges credential is made once per signing key
  (its salt, status index and issue time are stored), so exporting it again
  gives the same bytes. A learner's CLR wraps their credentials, signed by the bank.
- Status: an outcome revoked or superseded in the bank has its credentials'
  revocation bits set; the issuer may also suspend (and lift) or revoke a
  credential. The lists are served as Bitstring Status List credentials, one pair per
  institution, signed by it.
- Verifying: :class:`BankResolver` answers the verifier from the database:
  the bank's keys, its status lists and its log, and nothing from the network.

Learners share credentials through the consents area's share links (``/shared/{token}``),
whose page verifies and offers each credential.
"""

from __future__ import annotations

import base64
import os
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from creditbank.accounts import api as accounts
from creditbank.catalog import api as catalog
from creditbank.credentials import documents, multikey, proofs, statuslist, vcjwt, verifier
from creditbank.credentials.tables import (
    IssuedCredentialRow,
    SigningKeyRow,
    StatusChangeRow,
    StatusListRow,
)
from creditbank.db import UnitOfWork, for_update, hold_write_lock
from creditbank.errors import DomainError
from creditbank.frameworks import api as frameworks
from creditbank.institutions import api as institutions
from creditbank.languages import translations
from creditbank.ledger import api as ledger
from creditbank.messages import msg
from creditbank.settings import DEVELOPMENT_DATA_KEY

KEY_VAULT = "creditbank.credentials.vault"
PUBLIC_URL = "creditbank.credentials.public_url"
DEFAULT_PUBLIC_URL = "http://localhost:8000"
BANK = "bank"
DID_METHODS = ("web", "key")
FORMATS = ("ob3", "jwt", "clr")


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


def _vault(uow: UnitOfWork) -> KeyVault:
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


def _host(uow: UnitOfWork) -> str:
    return urlsplit(public_url(uow)).netloc


def bank_did(uow: UnitOfWork) -> str:
    return multikey.did_web(_host(uow))


def institution_did(uow: UnitOfWork, code: str) -> str:
    return multikey.did_web(_host(uow), "institutions", code.upper())


def _utc(moment: datetime) -> datetime:
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


def _owner_did(uow: UnitOfWork, row: SigningKeyRow) -> str:
    if row.did_method == "key":
        return "did:key:" + row.public_key
    return bank_did(uow) if row.owner == BANK else institution_did(uow, row.owner)


def _signing_key(uow: UnitOfWork, row: SigningKeyRow) -> SigningKey:
    did = _owner_did(uow, row)
    method = f"{did}#{row.public_key if row.did_method == 'key' else row.name}"
    return SigningKey(
        owner=row.owner,
        name=row.name,
        did_method=row.did_method,
        did=did,
        verification_method=method,
        public_key=row.public_key,
        valid_from=_utc(row.valid_from),
        valid_until=_utc(row.valid_until) if row.valid_until else None,
        compromised_from=_utc(row.compromised_from) if row.compromised_from else None,
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
    start = _utc(valid_from or now).replace(microsecond=0)
    if valid_until is not None and _utc(valid_until) <= start:
        raise CredentialError("invalid_key", msg("a key's validity must end after it starts"))
    name = name or _next_name(uow, code)
    key = Ed25519PrivateKey.generate()
    raw_public = key.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    nonce, sealed = _vault(uow).seal(code, name, key)
    row = SigningKeyRow(
        owner=code,
        institution_id=institution_id,
        name=name,
        did_method=did_method,
        public_key=multikey.encode_public_key(raw_public),
        sealed_nonce=nonce,
        sealed_private_key=sealed,
        valid_from=start,
        valid_until=_utc(valid_until) if valid_until else None,
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
    return _signing_key(uow, row)


def _next_name(uow: UnitOfWork, code: str) -> str:
    count = uow.session.scalar(select(func.count()).where(SigningKeyRow.owner == code)) or 0
    return f"key-{count + 1}"


def _key_row(uow: UnitOfWork, owner: str, name: str, *, lock: bool = False) -> SigningKeyRow:
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
    return [_signing_key(uow, row) for row in rows]


def rotate_key(*, uow: UnitOfWork, owner: str, now: datetime) -> SigningKey:
    """A new key from ``now``; the owner's keys still valid then end at ``now``. Of parallel
    rotations, one wins and the others are refused (``key_conflict``): the new key's name is
    read before anything changes."""
    code, _ = _owner(uow, owner)
    name = _next_name(uow, code)
    for row in uow.session.scalars(select(SigningKeyRow).where(SigningKeyRow.owner == code)):
        if row.valid_until is None or _utc(row.valid_until) > now:
            row.valid_until = now
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
    row = _key_row(uow, owner, name, lock=True)
    since = _utc(since)
    if row.compromised_from is not None and _utc(row.compromised_from) <= since:
        return _signing_key(uow, row)
    row.compromised_from = since
    if row.valid_until is None or _utc(row.valid_until) > now:
        row.valid_until = now
    return _signing_key(uow, row)


def _usable_key(
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
        if _utc(row.valid_from) > at:
            continue
        if row.valid_until is not None and _utc(row.valid_until) <= at:
            continue
        if row.compromised_from is not None and _utc(row.compromised_from) <= at:
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


def ensure_key(*, uow: UnitOfWork, owner: str, now: datetime) -> SigningKeyRow:
    """The owner's usable key, made on first use (so every institution can issue).

    Only an owner with no key at all gets one made (``key-1``); one whose keys all ended needs a
    person to act (rotate or register). Of parallel first uses one makes the key and the
    others use it: on SQLite they take turns (the write lock is taken before counting), on
    PostgreSQL the loser of the name ``key-1`` rolls back to a SAVEPOINT and reads the winner's.
    """
    try:
        return _usable_key(uow, owner, now)
    except CredentialError:
        hold_write_lock(uow.session)
    code, _ = _owner(uow, owner)
    if not uow.session.scalar(select(func.count()).where(SigningKeyRow.owner == code)):
        try:
            with uow.session.begin_nested():
                generate_key(uow=uow, owner=code, now=now, name="key-1")
        except CredentialError as error:
            if error.code != "key_conflict":
                raise
    return _usable_key(uow, owner, now)


def _private(uow: UnitOfWork, row: SigningKeyRow) -> Ed25519PrivateKey:
    return _vault(uow).open(row.owner, row.name, row.sealed_nonce, row.sealed_private_key)


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


# Status lists -------------------------------------------------------------------------


def _list_issuer(key: SigningKeyRow) -> str:
    """Who signs a status list: the same DID as its credentials' issuer. An owner's did:web
    lists are shared by all its did:web keys (``CODE``); a did:key is its own issuer
    (``CODE/key-N``)."""
    return key.owner if key.did_method == "web" else f"{key.owner}/{key.name}"


def _list_signer(uow: UnitOfWork, issuer: str, now: datetime) -> SigningKeyRow:
    owner, _, name = issuer.partition("/")
    if name:
        return _usable_key(uow, owner, now, name=name)
    try:
        return _usable_key(uow, owner, now, did_method="web")
    except CredentialError:
        return ensure_key(uow=uow, owner=owner, now=now)


def _status_slot(uow: UnitOfWork, owner: str, now: datetime) -> tuple[StatusListRow, int]:
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
        issuer=_list_issuer_did(uow, row.owner),
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
        private_key=_private(uow, key),
        verification_method=_signing_key(uow, key).verification_method,
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


# Issuing ------------------------------------------------------------------------------


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


def _issue_row(
    uow: UnitOfWork, outcome: accounts.Outcome, outcome_row_id: int, now: datetime
) -> IssuedCredentialRow:
    key = ensure_key(uow=uow, owner=outcome.institution, now=now)
    # The outcome is locked before its credential is looked for: of parallel first exports,
    # one records the credential and the others wait and answer that one.
    outcome_query = select(accounts.OutcomeRow.id).where(accounts.OutcomeRow.id == outcome_row_id)
    uow.session.scalar(for_update(uow.session, outcome_query))
    existing = uow.session.scalar(
        select(IssuedCredentialRow).where(
            IssuedCredentialRow.outcome_id == outcome_row_id,
            IssuedCredentialRow.signing_key_id == key.id,
        )
    )
    if existing is not None:
        return existing
    list_row, index = _status_slot(uow, _list_issuer(key), now)
    row = IssuedCredentialRow(
        public_id=str(uuid.uuid4()),
        outcome_id=outcome_row_id,
        signing_key_id=key.id,
        status_list_id=list_row.id,
        status_index=index,
        identity_salt=secrets.token_hex(16),
        issued_at=now.replace(microsecond=0),
    )
    uow.session.add(row)
    uow.session.flush()
    return row


def _alignments(uow: UnitOfWork, outcome: accounts.Outcome) -> list[documents.LevelAlignment]:
    pinned = outcome.level
    base = public_url(uow)
    found = [
        documents.LevelAlignment(
            url=f"{base}/frameworks/{pinned.framework}?version={pinned.version}"
            f"#level-{pinned.level.code}",
            framework=pinned.framework,
            framework_name=f"{pinned.framework} (version {pinned.version})",
            code=pinned.level.code,
            name=_both(pinned.level.name),
        )
    ]
    if pinned.framework == "EQF":
        return found
    try:
        answer = frameworks.translate_level(
            uow=uow, origin=frameworks.LevelRef(pinned.framework, pinned.level.code), target="EQF"
        )
    except DomainError:
        return found
    for ref, level in sorted(answer.target_levels.items(), key=lambda item: str(item[0])):
        found.append(
            documents.LevelAlignment(
                url=f"{base}/frameworks/EQF#level-{level.code}",
                framework="EQF",
                framework_name="European Qualifications Framework (EQF)",
                code=level.code,
                name=_both(level.name),
                correspondence=True,
            )
        )
        del ref
    return found


def _both(text: frameworks.Text) -> str:
    """A level's name in Chinese and English ("5级 / Level 5"), as far as it has them."""
    return " / ".join(part for part in (text.zh, text.en) if part)


@dataclass(frozen=True, slots=True)
class Issued:
    credential_id: str
    outcome_id: str
    format: str
    document: dict[str, Any] | None
    jwt: str | None


def _description(outcome: accounts.Outcome) -> str:
    """What the achievement is, in words; transferred credit says toward what, under which rule
    and from which outcomes, in Chinese and English."""
    if outcome.transfer is None:
        return (
            f"{outcome.item_name} ({outcome.item_code}), "
            f"{outcome.level.framework} {outcome.level.level.code}"
        )
    return " / ".join(
        outcome.transfer.describe(outcome.credits, language).render(translations(language).gettext)
        for language in ("zh", "en")
    )


def _open_badge(
    uow: UnitOfWork, outcome: accounts.Outcome, row: IssuedCredentialRow
) -> tuple[dict[str, Any], SigningKeyRow]:
    key = uow.session.get_one(SigningKeyRow, row.signing_key_id)
    signer = _signing_key(uow, key)
    institution = institutions.get_institution(uow=uow, code=outcome.institution)
    base = public_url(uow)
    receipt = ledger.receipt_of(
        uow=uow, kind=ledger.LogKind.OUTCOME_DEPOSITED, record_id=outcome.public_id
    )
    # the first checkpoint that holds the deposit: the same for every export of the credential
    checkpoint = (
        None if receipt is None else ledger.first_checkpoint_covering(uow, receipt.leaf_index)
    )
    facts = documents.OutcomeFacts(
        credential_id=f"urn:uuid:{row.public_id}",
        issuer=documents.Issuer(
            id=signer.did, name=institution.name, url=f"{base}/institutions/{institution.code}"
        ),
        achievement_id=f"{base}/catalog/{outcome.item_owner}/{outcome.item_code}",
        item_code=outcome.item_code,
        item_kind=outcome.item_kind.value,
        name=outcome.item_name,
        description=_description(outcome),
        credits_available=catalog.item_credits(
            uow=uow, owner=outcome.item_owner, code=outcome.item_code
        ),
        credits_earned=outcome.credits,
        score=outcome.score,
        awarded_on=outcome.assessed_on,
        alignments=_alignments(uow, outcome),
        identity_salt=row.identity_salt,
        account_number=outcome.account_number,
        valid_from=_utc(row.issued_at),
        status=[
            documents.StatusEntry(
                status_list_url(uow, row.status_list_id, purpose), purpose, row.status_index
            )
            for purpose in statuslist.PURPOSES
        ],
        transfer_sources=[
            (source, f"{base}/api/v1/records/{source}/receipt")
            for source in (outcome.transfer.sources if outcome.transfer else ())
        ],
        receipt=None
        if receipt is None
        else documents.Receipt(
            url=f"{base}/api/v1/records/{outcome.public_id}/receipt",
            leaf_index=receipt.leaf_index,
            leaf_hash=ledger.b64(receipt.leaf_hash),
            checkpoint=checkpoint.note if checkpoint is not None else None,
        ),
    )
    return documents.open_badge(facts), key


def issue(*, uow: UnitOfWork, outcome_id: str, fmt: str, now: datetime) -> Issued:
    """The signed credential of one outcome (``ob3`` Data Integrity, or ``jwt``)."""
    if fmt not in ("ob3", "jwt"):
        raise CredentialError(
            "invalid_format", msg("the format is ob3, clr or jwt, not {format}", format=fmt)
        )
    outcome, outcome_row_id = accounts.outcome_by_public_id(uow=uow, public_id=outcome_id)
    row = _issue_row(uow, outcome, outcome_row_id, now)
    unsigned, key = _open_badge(uow, outcome, row)
    signer = _signing_key(uow, key)
    private_key = _private(uow, key)
    if fmt == "jwt":
        token = vcjwt.sign(unsigned, private_key=private_key, kid=signer.verification_method)
        return Issued(row.public_id, outcome.public_id, fmt, None, token)
    signed = proofs.sign(
        unsigned,
        private_key=private_key,
        verification_method=signer.verification_method,
        created=documents.timestamp(_utc(row.issued_at)),
    )
    return Issued(row.public_id, outcome.public_id, fmt, signed, None)


def issue_clr(
    *, uow: UnitOfWork, account_number: str, outcome_ids: Sequence[str] | None, now: datetime
) -> dict[str, Any]:
    """A learner's record (all their standing outcomes, or the chosen ones) as a signed CLR."""
    standing = accounts.standing_outcome_ids(uow=uow, account_number=account_number)
    chosen = list(standing) if not outcome_ids else list(dict.fromkeys(outcome_ids))
    unknown = [oid for oid in chosen if oid not in standing]
    if unknown:
        raise CredentialError(
            "invalid_selection",
            msg(
                "these outcomes are not standing outcomes of account {number}: {ids}",
                number=account_number,
                ids=", ".join(unknown),
            ),
        )
    if not chosen:
        raise CredentialError(
            "invalid_selection",
            msg("account {number} has no outcome to put in a record", number=account_number),
        )
    inner = [issue(uow=uow, outcome_id=oid, fmt="ob3", now=now).document for oid in chosen]
    key = ensure_key(uow=uow, owner=BANK, now=now)
    signer = _signing_key(uow, key)
    salt = secrets.token_hex(16)
    unsigned = documents.clr(
        credential_id=f"urn:uuid:{uuid.uuid4()}",
        issuer=documents.Issuer(id=signer.did, name="学分银行 Credit Bank", url=public_url(uow)),
        name="学习成果档案 Comprehensive Learner Record",
        account_number=account_number,
        identity_salt=salt,
        credentials=[doc for doc in inner if doc is not None],
        valid_from=now,
        partial=len(chosen) < len(standing),
    )
    return proofs.sign(
        unsigned,
        private_key=_private(uow, key),
        verification_method=signer.verification_method,
        created=documents.timestamp(now),
    )


# Verifying ----------------------------------------------------------------------------


def _list_issuer_did(uow: UnitOfWork, issuer: str) -> str:
    owner, _, name = issuer.partition("/")
    if not name:
        return bank_did(uow) if owner == BANK else institution_did(uow, owner)
    return _owner_did(uow, _key_row(uow, owner, name))


class BankResolver:
    """The verifier's view of this bank: its registered keys, status lists and log."""

    def __init__(self, uow: UnitOfWork, now: datetime) -> None:
        self._uow = uow
        self._now = now
        self._base = public_url(uow)
        self._host = _host(uow)
        self._lists: dict[str, dict[str, Any] | None] = {}

    def key(self, verification_method: str) -> verifier.KeyRecord | None:
        if not verification_method.startswith("did:web:"):
            return None
        host, path = multikey.did_web_parts(verification_method)
        name = verification_method.partition("#")[2]
        if host != self._host or not name:
            return None
        if not path:
            owner = BANK
        elif len(path) == 2 and path[0] == "institutions":  # noqa: PLR2004
            owner = path[1].upper()
        else:
            return None
        row = self._uow.session.scalar(
            select(SigningKeyRow).where(
                SigningKeyRow.owner == owner,
                SigningKeyRow.name == name,
                SigningKeyRow.did_method == "web",
            )
        )
        if row is None:
            return None
        return verifier.KeyRecord(
            public_key=multikey.decode_public_key(row.public_key),
            controller=verification_method.split("#", 1)[0],
            valid_from=_utc(row.valid_from),
            valid_until=_utc(row.valid_until) if row.valid_until else None,
            compromised_from=_utc(row.compromised_from) if row.compromised_from else None,
            registered=True,
        )

    def status_list(self, url: str) -> dict[str, Any] | None:
        prefix = f"{self._base}/api/v1/credentials/status/"
        if not url.startswith(prefix):
            return None
        list_id, _, purpose = url.removeprefix(prefix).partition("/")
        if not list_id.isdigit():
            return None
        if url not in self._lists:  # a CLR's credentials share their lists: built once
            self._lists[url] = self._status_list(int(list_id), purpose)
        return self._lists[url]

    def _status_list(self, list_id: int, purpose: str) -> dict[str, Any] | None:
        try:
            return status_list_credential(
                uow=self._uow, list_id=list_id, purpose=purpose, now=self._now
            )
        except CredentialError as error:
            if error.code != "no_signing_key":
                return None
        # the bank's own list, but its issuer has no valid key to sign it: unsigned, it fails
        # the status check rather than letting the credential pass unchecked
        return status_list_credential(
            uow=self._uow, list_id=list_id, purpose=purpose, now=self._now, signed=False
        )

    def included(self, receipt_url: str, leaf_index: int, leaf_hash: str) -> bool | None:
        prefix = f"{self._base}/api/v1/records/"
        if not (receipt_url.startswith(prefix) and receipt_url.endswith("/receipt")):
            return None
        record_id = receipt_url.removeprefix(prefix).removesuffix("/receipt")
        receipt = ledger.receipt_of(
            uow=self._uow, kind=ledger.LogKind.OUTCOME_DEPOSITED, record_id=record_id
        )
        if receipt is None:
            return False
        return receipt.leaf_index == leaf_index and ledger.b64(receipt.leaf_hash) == leaf_hash


def verify(
    *, uow: UnitOfWork, data: str | bytes | dict[str, Any], now: datetime
) -> verifier.Verdict:
    """Every check of a credential, answered from this bank's keys, lists and log."""
    return verifier.verify(data, resolver=BankResolver(uow, now), now=now)
