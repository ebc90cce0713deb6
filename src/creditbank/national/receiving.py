"""The national bank's side: taking a signed batch of references, and the pilot schools that
may send one.

A batch is authenticated by its signature, not by a login: its sender names a log origin, which
must be a peer bank this bank trusts today (``peers.api.trusted_peer``: its batches are signed
by its log key) or a pilot school registered here (signed by the school's own Ed25519 key, a
signed-note key registered for it). Why a key and not the school's API token: a token proves
who sent a request to this bank, once, and is a secret this bank holds (a hash of); a signature
stays with the batch as evidence anyone can check later with the public key, and this bank
holds nothing that could forge a school's batch.

A batch may also withdraw references it sent before (the outcome revoked or superseded at its
source): they stay, marked, and no longer count. The batch is refused whole when its shape,
sender or signature is bad or when any reference or withdrawal is (each named by its position):
a reference must name the sender's own log, a leaf at most once, an item kind the catalogue
knows, codes, credits and a year in range. A peer's agreement (what this bank RECOGNISES of its
records for transfer) does not limit what it reports: the figures count results, they recognise
nothing, and a regional bank cannot know which of its deposits an agreement would refuse (its
batch would be refused forever). A reference already held (the same origin and leaf hash, from
any batch) is not stored or counted again: the insert skips it in the database (``ON CONFLICT DO
NOTHING`` on the unique pair), so parallel batches count it once.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from creditbank.access.policy import Action, LearnerPrincipal, Principal, require
from creditbank.db import UnitOfWork, hold_write_lock
from creditbank.ledger import api as ledger
from creditbank.ledger import notes
from creditbank.messages import Message, msg
from creditbank.national.commands import ListBatches, ListSchools, ReceiveBatch, RegisterSchool
from creditbank.national.model import (
    CODE,
    ORIGIN,
    NationalError,
    Reference,
    Withdrawal,
    digest_of,
    parse_batch,
    read_references,
    read_withdrawals,
    signed_text,
)
from creditbank.national.tables import NationalBatchRow, NationalReferenceRow, NationalSchoolRow
from creditbank.peers import api as peers
from creditbank.usecases import handler

CHUNK = 500
"""References inserted per statement (SQLite allows at most 32,766 parameters in one)."""
MAX_NAME = 200
MAX_KEY = 400


@dataclass(frozen=True, slots=True)
class BatchReceipt:
    """A batch taken: its id, its sender, how many references it held and how many were new."""

    id: int
    sender: str
    sender_kind: str
    references: int
    new_references: int
    received_at: datetime
    withdrawn: int = 0
    """References the batch's withdrawals took out of the count."""


@dataclass(frozen=True, slots=True)
class School:
    """A pilot school registered to send batches."""

    code: str
    name: str
    origin: str
    verifier_key: str
    registered_at: datetime


@dataclass(frozen=True, slots=True)
class _Sender:
    kind: str
    key: str


def _sender(uow: UnitOfWork, origin: str) -> _Sender:
    try:
        peer = peers.trusted_peer(uow=uow, origin=origin)
    except peers.PeerError:
        school = uow.session.scalar(
            select(NationalSchoolRow).where(NationalSchoolRow.origin == origin)
        )
        if school is None:
            raise NationalError(
                "unknown_sender",
                msg(
                    "{origin} is neither a peer bank this bank trusts today nor a registered "
                    "pilot school",
                    origin=origin,
                ),
            ) from None
        return _Sender("school", school.verifier_key)
    return _Sender("bank", peer.log_key)


def _insert(uow: UnitOfWork, batch_id: int, references: Sequence[Reference]) -> int:
    """Insert the references not held yet; how many were new. In the order of their leaf
    hashes, so that two transactions inserting overlapping batches wait on each other's rows in
    the same order (never a deadlock) before one skips what the other stored."""
    references = sorted(references, key=lambda r: r.leaf_hash)
    dialect = uow.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    new = 0
    for start in range(0, len(references), CHUNK):
        rows = [
            {
                "batch_id": batch_id,
                "origin": r.origin,
                "leaf_index": r.leaf_index,
                "leaf_hash": r.leaf_hash,
                "item_owner": r.item_owner,
                "item_code": r.item_code,
                "item_kind": r.item_kind,
                "level_framework": r.level_framework,
                "level_version": r.level_version,
                "level_code": r.level_code,
                "credits": r.credits,
                "year": r.year,
            }
            for r in references[start : start + CHUNK]
        ]
        statement = (
            insert(NationalReferenceRow)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["origin", "leaf_hash"])
            .returning(NationalReferenceRow.id)
        )
        new += len(uow.session.scalars(statement).all())  # the rows inserted, not skipped
    return new


@handler
def receive_batch(
    command: ReceiveBatch,
    *,
    principal: Principal | LearnerPrincipal | None,
    uow: UnitOfWork,
    now: datetime | None = None,
) -> BatchReceipt:
    """Take a signed batch (no login: the signature says who sent it); refused whole, storing
    nothing, when anything in it is bad; each reference counted once whoever sends it again."""
    del principal  # anyone may send: the signature authenticates the batch
    document = parse_batch(command.body)
    hold_write_lock(uow.session)  # SQLite: write after reading without a stale snapshot
    sender = _sender(uow, str(document["sender"]))
    text = ledger.signed_note_text(str(document["signature"]), sender.key)
    if text is None or not hmac.compare_digest(text, signed_text(document)):
        raise NationalError(
            "bad_batch_signature",
            msg(
                "the batch is not signed by {sender}'s key, or was changed after it was signed",
                sender=document["sender"],
            ),
        )
    references = read_references(document)
    withdrawals = read_withdrawals(document)
    at = now or datetime.now(UTC)
    batch = NationalBatchRow(
        sender=str(document["sender"]),
        sender_kind=sender.kind,
        digest=digest_of(document),
        sent_at=str(document["sent_at"]),
        received_at=at,
        reference_count=len(references),
        new_references=0,
        withdrawn=0,
    )
    uow.session.add(batch)
    uow.session.flush()
    new = _insert(uow, batch.id, references)
    withdrawn = _withdraw(uow, withdrawals)
    uow.session.execute(
        update(NationalBatchRow)
        .where(NationalBatchRow.id == batch.id)
        .values(new_references=new, withdrawn=withdrawn)
        .execution_options(synchronize_session=False)
    )
    return BatchReceipt(
        batch.id, batch.sender, sender.kind, len(references), new, at, withdrawn=withdrawn
    )


def _withdraw(uow: UnitOfWork, withdrawals: Sequence[Withdrawal]) -> int:
    """Take the withdrawn references out of the count (kept, marked); how many were. One held
    nowhere (never sent, or withdrawn already) changes nothing: a conditional update each."""
    done = 0
    for withdrawal in sorted(withdrawals, key=lambda w: w.leaf_hash):
        changed = uow.session.scalars(
            update(NationalReferenceRow)
            .where(
                NationalReferenceRow.origin == withdrawal.origin,
                NationalReferenceRow.leaf_hash == withdrawal.leaf_hash,
                NationalReferenceRow.withdrawn.is_(None),
            )
            .values(withdrawn=withdrawal.event)
            .returning(NationalReferenceRow.id)
            .execution_options(synchronize_session=False)
        ).all()
        done += len(changed)
    return done


def _school_problems(command: RegisterSchool) -> list[Message]:
    problems: list[Message] = []
    if not CODE.match(command.code.strip()):
        problems.append(msg("the school's code must be letters, digits, '.', '-' or '_'"))
    if not command.name.strip() or len(command.name.strip()) > MAX_NAME:
        problems.append(msg("give the school's name (at most {n} characters)", n=MAX_NAME))
    origin = command.origin.strip()
    if not ORIGIN.match(origin):
        problems.append(msg("the origin must be a name without spaces or '+'"))
    try:
        if len(command.verifier_key) > MAX_KEY:
            raise notes.MalformedKeyError("too long")
        verifier = notes.Verifier.from_verifier_key(command.verifier_key.strip())
        if verifier.name != origin:
            problems.append(
                msg(
                    "the key is named {name}, not after the school's origin {origin}",
                    name=verifier.name,
                    origin=origin,
                )
            )
    except notes.NoteError:
        problems.append(msg("the key must be a signed-note verifier key (name+hash+base64)"))
    return problems


@handler
def register_school(
    command: RegisterSchool, *, principal: Principal, uow: UnitOfWork, now: datetime | None = None
) -> School:
    """Register a pilot school and the key its batches are signed with (a bank administrator)."""
    require(principal, Action.MANAGE_NATIONAL, None)
    problems = _school_problems(command)
    if problems:
        raise NationalError(
            "invalid_school", msg("the pilot school cannot be registered"), problems
        )
    row = NationalSchoolRow(
        code=command.code.strip(),
        name=command.name.strip(),
        origin=command.origin.strip(),
        verifier_key=command.verifier_key.strip(),
        registered_at=now or datetime.now(UTC),
        registered_by_user_id=principal.user_id,
    )
    hold_write_lock(uow.session)  # SQLite: BEGIN first, or RELEASE SAVEPOINT would commit
    try:
        with uow.session.begin_nested():
            uow.session.add(row)
            uow.session.flush()
    except IntegrityError:
        raise NationalError(
            "school_exists",
            msg(
                "a pilot school with the code {code} or the origin {origin} is registered already",
                code=row.code,
                origin=row.origin,
            ),
        ) from None
    return _school(row)


def _school(row: NationalSchoolRow) -> School:
    at = row.registered_at
    return School(
        row.code,
        row.name,
        row.origin,
        row.verifier_key,
        at if at.tzinfo else at.replace(tzinfo=UTC),
    )


@handler
def list_schools(query: ListSchools, *, principal: Principal, uow: UnitOfWork) -> list[School]:
    """The pilot schools registered (administrators and auditors)."""
    del query
    require(principal, Action.READ_NATIONAL, None)
    rows = uow.session.scalars(select(NationalSchoolRow).order_by(NationalSchoolRow.code))
    return [_school(row) for row in rows]


@handler
def list_batches(
    query: ListBatches, *, principal: Principal, uow: UnitOfWork
) -> list[BatchReceipt]:
    """The batches received, the newest first (administrators and auditors)."""
    require(principal, Action.READ_NATIONAL, None)
    rows = uow.session.scalars(
        select(NationalBatchRow).order_by(NationalBatchRow.id.desc()).limit(max(1, query.limit))
    )
    return [
        BatchReceipt(
            row.id,
            row.sender,
            row.sender_kind,
            row.reference_count,
            row.new_references,
            row.received_at if row.received_at.tzinfo else row.received_at.replace(tzinfo=UTC),
            withdrawn=row.withdrawn,
        )
        for row in rows
    ]
