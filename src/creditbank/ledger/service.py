"""Use cases of the log: append facts, seal them into the tree, prove, checkpoint.

Given a unit of work; never commit. A fact's entry is written in the transaction of
the fact itself, in two steps:

- :func:`stage` writes the entries (and their salts, off the log) without any lock;
  bulk deposit stages chunk by chunk.
- :func:`seal` locks the log's one head row, gives the transaction's staged entries the
  next leaf indexes, stores every Merkle node they complete, moves the head and signs a
  checkpoint. The lock is held until the transaction ends, so concurrent writers seal
  one after another and the tree stays one history; readers never wait (they read the
  last committed head).

:func:`append` does both for a handful of facts and returns their receipts. Proofs are
built from the stored complete-subtree hashes: O(log n) rows, however long the log.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session

from creditbank.db import UnitOfWork, insert_rows, reserve_ids
from creditbank.errors import DomainError
from creditbank.ledger import merkle, notes
from creditbank.ledger.keys import DEVELOPMENT_ORIGIN, LogKeys, load_log_keys
from creditbank.ledger.model import Entry, LogFact, Receipt, make_entry
from creditbank.ledger.tables import (
    LogCheckpointRow,
    LogCosignatureRow,
    LogEntryRow,
    LogHeadRow,
    LogLeafRow,
    LogNodeRow,
    LogSaltRow,
)
from creditbank.messages import msg

LOG_KEYS = "creditbank.ledger.keys"
"""Key in a session's ``info`` of the bank's :class:`LogKeys` (set by the composition root)."""
STAGED = "creditbank.ledger.staged"
"""Key in a session's ``info`` of the entry ids staged and not yet sealed, as id ranges."""
SEAL_CHUNK = 10_000
MAX_ENTRIES_PAGE = 1_000
HEAD_ID = 1

ENTRY_COLUMNS = ("id", "kind", "record_id", "issuer", "recorded_at", "body", "leaf_hash")


class LogError(DomainError):
    """A question about the log that has no answer (a size beyond the tree, an unknown leaf)."""


_development: dict[str, LogKeys] = {}


def log_keys(uow: UnitOfWork) -> LogKeys:
    """The bank's log keys for this unit of work; the development keys if none were set."""
    keys = uow.session.info.get(LOG_KEYS)
    if isinstance(keys, LogKeys):
        return keys
    if DEVELOPMENT_ORIGIN not in _development:
        _development[DEVELOPMENT_ORIGIN] = load_log_keys(
            origin=DEVELOPMENT_ORIGIN, private_key=None
        )
    return _development[DEVELOPMENT_ORIGIN]


# Writing ------------------------------------------------------------------------------


def stage(uow: UnitOfWork, facts: Sequence[LogFact]) -> list[int]:
    """Write the entries of ``facts`` in the caller's transaction, to be sealed before it ends."""
    return stage_entries(uow, [make_entry(fact) for fact in facts])


def stage_entries(uow: UnitOfWork, entries: Sequence[Entry]) -> list[int]:
    """:func:`stage` of entries already made (bulk deposit makes them in its worker)."""
    if not entries:
        return []
    session = uow.session
    session.flush()  # the caller's rows first: on SQLite, reserving ids needs the write lock
    ids = reserve_ids(session, LogEntryRow, len(entries))
    insert_rows(
        session,
        LogEntryRow,
        ENTRY_COLUMNS,
        [
            (entry_id, e.kind.value, e.record_id, e.issuer, e.at, e.body, e.leaf_hash)
            for entry_id, e in zip(ids, entries, strict=True)
        ],
    )
    insert_rows(
        session,
        LogSaltRow,
        ("entry_id", "salt"),
        [(entry_id, e.salt) for entry_id, e in zip(ids, entries, strict=True)],
    )
    ranges: list[list[int]] = session.info.setdefault(STAGED, [])
    for entry_id in ids:
        if ranges and ranges[-1][1] + 1 == entry_id:
            ranges[-1][1] = entry_id
        else:
            ranges.append([entry_id, entry_id])
    return ids


@dataclass(frozen=True, slots=True)
class Sealed:
    """What a seal added: leaves ``first_leaf`` to ``tree_size - 1``, and the checkpoint."""

    first_leaf: int
    tree_size: int
    root_hash: bytes
    checkpoint: str
    entry_ranges: tuple[tuple[int, int], ...]

    def leaf_index(self, entry_id: int) -> int:
        """The leaf index this seal gave entry ``entry_id`` (entries are sealed in id order)."""
        before = 0
        for first, last in self.entry_ranges:
            if first <= entry_id <= last:
                return self.first_leaf + before + entry_id - first
            before += last - first + 1
        msg_ = f"entry {entry_id} was not sealed here"
        raise KeyError(msg_)


def seal(uow: UnitOfWork, *, now: datetime | None = None) -> Sealed | None:
    """Give the transaction's staged entries their leaves; None if nothing was staged."""
    session = uow.session
    ranges = sorted(tuple(r) for r in session.info.pop(STAGED, []))
    if not ranges:
        return None
    session.flush()
    now = now or datetime.now(UTC)
    # The lock: every appending transaction updates this row, so they seal one at a time.
    locked = session.execute(
        update(LogHeadRow)
        .where(LogHeadRow.id == HEAD_ID)
        .values(updated_at=now)
        .returning(LogHeadRow.tree_size)
    ).one()
    first_leaf = int(locked.tree_size)
    frontier = merkle.Frontier.load(
        first_leaf, nodes_by_coordinates(session, merkle.Frontier.coordinates(first_leaf))
    )
    for chunk in _staged_leaf_hashes(session, ranges):
        leaves = []
        nodes: list[tuple[int, int, bytes]] = []
        for entry_id, leaf_hash in chunk:
            leaves.append((frontier.size, entry_id))
            nodes.extend(frontier.append(leaf_hash))
        insert_rows(session, LogLeafRow, ("leaf_index", "entry_id"), leaves)
        insert_rows(session, LogNodeRow, ("level", "node_index", "hash"), nodes)
    root = frontier.root()
    session.execute(
        update(LogHeadRow)
        .where(LogHeadRow.id == HEAD_ID)
        .values(tree_size=frontier.size, root_hash=root)
    )
    note = sign_checkpoint(log_keys(uow), frontier.size, root)
    session.add(
        LogCheckpointRow(tree_size=frontier.size, root_hash=root, note=note, created_at=now)
    )
    session.flush()
    return Sealed(first_leaf, frontier.size, root, note, tuple(ranges))


def append(uow: UnitOfWork, facts: Sequence[LogFact]) -> list[Receipt]:
    """Log ``facts`` in the caller's transaction and seal: their receipts, in order."""
    entries = [make_entry(fact) for fact in facts]
    ids = stage_entries(uow, entries)
    sealed = seal(uow)
    if sealed is None:
        return []
    # the leaf hashes are the ones just written (no need to read them back)
    return [
        Receipt(fact.kind, fact.record_id, sealed.leaf_index(entry_id), entry.leaf_hash)
        for fact, entry_id, entry in zip(facts, ids, entries, strict=True)
    ]


def _staged_leaf_hashes(
    session: Session, ranges: Sequence[tuple[int, int]]
) -> Iterator[list[tuple[int, bytes]]]:
    for first, last in ranges:
        cursor = first
        while cursor <= last:
            rows = session.execute(
                select(LogEntryRow.id, LogEntryRow.leaf_hash)
                .where(LogEntryRow.id >= cursor, LogEntryRow.id <= last)
                .order_by(LogEntryRow.id)
                .limit(SEAL_CHUNK)
            ).all()
            if not rows:
                break
            yield [(row[0], row[1]) for row in rows]
            cursor = rows[-1][0] + 1


def sign_checkpoint(keys: LogKeys, tree_size: int, root: bytes) -> str:
    """The checkpoint of the tree at ``tree_size``, signed with the log's key."""
    body = notes.Checkpoint(keys.origin, tree_size, root).body()
    return notes.sign(body, [keys.signer])


# Reading ------------------------------------------------------------------------------


def nodes_by_coordinates(
    session: Session, coordinates: Sequence[tuple[int, int]]
) -> merkle.NodeGetter:
    """A getter over the stored nodes at ``coordinates``, read in one query."""
    found: dict[tuple[int, int], bytes] = {}
    if coordinates:
        by_level: dict[int, set[int]] = {}
        for level, index in coordinates:
            by_level.setdefault(level, set()).add(index)
        # One `level = L AND node_index IN (...)` per level: both databases probe the primary
        # key (SQLite scanned the whole table for a row-value `IN`).
        rows = session.execute(
            select(LogNodeRow.level, LogNodeRow.node_index, LogNodeRow.hash).where(
                or_(
                    *(
                        and_(LogNodeRow.level == level, LogNodeRow.node_index.in_(sorted(indexes)))
                        for level, indexes in by_level.items()
                    )
                )
            )
        ).all()
        found = {(level, index): node for level, index, node in rows}

    def node(level: int, index: int) -> bytes:
        try:
            return found[level, index]
        except KeyError:
            msg_ = f"the log has no stored node at level {level}, index {index}"
            raise LookupError(msg_) from None

    return node


@dataclass(frozen=True, slots=True)
class Head:
    tree_size: int
    root_hash: bytes


def head(uow: UnitOfWork) -> Head:
    """The tree as of the last committed seal."""
    row = uow.session.execute(
        select(LogHeadRow.tree_size, LogHeadRow.root_hash).where(LogHeadRow.id == HEAD_ID)
    ).one()
    return Head(int(row.tree_size), bytes(row.root_hash))


def _check_size(uow: UnitOfWork, tree_size: int) -> None:
    size = head(uow).tree_size
    if tree_size < 1 or tree_size > size:
        raise LogError(
            "log_size_out_of_range",
            msg(
                "tree size {tree_size} is not in the log, which has {size} entries",
                tree_size=tree_size,
                size=size,
            ),
        )


def inclusion_proof(uow: UnitOfWork, *, index: int, tree_size: int) -> list[bytes]:
    """RFC 9162 inclusion proof of leaf ``index`` in the tree of ``tree_size`` leaves."""
    _check_size(uow, tree_size)
    if not 0 <= index < tree_size:
        raise LogError(
            "log_index_out_of_range",
            msg(
                "leaf index {index} is not in a tree of {tree_size} entries",
                index=index,
                tree_size=tree_size,
            ),
        )

    def build(node: merkle.NodeGetter) -> list[bytes]:
        return merkle.inclusion_proof(index, tree_size, node)

    return build(nodes_by_coordinates(uow.session, merkle.nodes_needed(build)))


def consistency_proof(uow: UnitOfWork, *, first: int, second: int) -> list[bytes]:
    """RFC 9162 consistency proof from the tree of ``first`` leaves to that of ``second``."""
    _check_size(uow, second)
    if not 0 <= first <= second:
        raise LogError(
            "log_range_invalid",
            msg(
                "tree size {first} must be between 0 and {second}",
                first=first,
                second=second,
            ),
        )

    def build(node: merkle.NodeGetter) -> list[bytes]:
        return merkle.consistency_proof(first, second, node)

    return build(nodes_by_coordinates(uow.session, merkle.nodes_needed(build)))


def root_at(uow: UnitOfWork, tree_size: int) -> bytes:
    """The root hash of the tree of ``tree_size`` leaves, from stored nodes."""
    if tree_size == 0:
        return merkle.EMPTY_ROOT

    def build(node: merkle.NodeGetter) -> bytes:
        return merkle.root_at(tree_size, node)

    return build(nodes_by_coordinates(uow.session, merkle.nodes_needed(build)))


def leaf_index_of(uow: UnitOfWork, leaf_hash: bytes) -> int:
    """The leaf index of the entry whose leaf hash is ``leaf_hash``."""
    found = uow.session.scalar(
        select(LogLeafRow.leaf_index)
        .join(LogEntryRow, LogEntryRow.id == LogLeafRow.entry_id)
        .where(LogEntryRow.leaf_hash == leaf_hash)
        .order_by(LogLeafRow.leaf_index)
        .limit(1)
    )
    if found is None:
        raise LogError(
            "log_entry_not_found",
            msg("no entry of the log has leaf hash {hash}", hash=_b64(leaf_hash)),
        )
    return int(found)


@dataclass(frozen=True, slots=True)
class LoggedEntry:
    leaf_index: int
    kind: str
    record_id: str
    body: bytes
    leaf_hash: bytes


def entries(uow: UnitOfWork, *, start: int, end: int) -> list[LoggedEntry]:
    """Entries ``start`` to ``end - 1``: at most :data:`MAX_ENTRIES_PAGE`, cut at the end."""
    size = head(uow).tree_size
    if start < 0 or end <= start:
        raise LogError(
            "log_range_invalid",
            msg(
                "entries {start} to {end}: start must be at least 0 and below end",
                start=start,
                end=end,
            ),
        )
    if start >= size:
        raise LogError(
            "log_size_out_of_range",
            msg(
                "entry {start} is not in the log, which has {size} entries", start=start, size=size
            ),
        )
    end = min(end, size, start + MAX_ENTRIES_PAGE)
    return _logged(uow, LogLeafRow.leaf_index >= start, LogLeafRow.leaf_index < end)


def _logged(uow: UnitOfWork, *where: ColumnElement[bool]) -> list[LoggedEntry]:
    """The entries with leaves that meet ``where``, in leaf order."""
    rows = uow.session.execute(
        select(
            LogLeafRow.leaf_index,
            LogEntryRow.kind,
            LogEntryRow.record_id,
            LogEntryRow.body,
            LogEntryRow.leaf_hash,
        )
        .join(LogEntryRow, LogEntryRow.id == LogLeafRow.entry_id)
        .where(*where)
        .order_by(LogLeafRow.leaf_index)
    ).all()
    return [LoggedEntry(int(r[0]), r[1], r[2], bytes(r[3]), bytes(r[4])) for r in rows]


@dataclass(frozen=True, slots=True)
class PublishedCheckpoint:
    """A checkpoint as the bank publishes it: the log's note with witnesses' cosignatures."""

    id: int
    tree_size: int
    root_hash: bytes
    note: str
    cosignatures: tuple[str, ...]

    @property
    def text(self) -> str:
        """The signed note with the cosignature lines appended."""
        return self.note + "".join(
            line if line.endswith("\n") else line + "\n" for line in self.cosignatures
        )


def _published(session: Session, row: LogCheckpointRow) -> PublishedCheckpoint:
    lines = session.scalars(
        select(LogCosignatureRow.signature_line)
        .where(LogCosignatureRow.checkpoint_id == row.id)
        .order_by(LogCosignatureRow.id)
    ).all()
    return PublishedCheckpoint(row.id, row.tree_size, bytes(row.root_hash), row.note, tuple(lines))


def latest_checkpoint(uow: UnitOfWork) -> PublishedCheckpoint | None:
    """The newest checkpoint, with the cosignatures it has."""
    row = uow.session.scalars(
        select(LogCheckpointRow).order_by(LogCheckpointRow.id.desc()).limit(1)
    ).first()
    return None if row is None else _published(uow.session, row)


def first_checkpoint_covering(uow: UnitOfWork, leaf_index: int) -> PublishedCheckpoint | None:
    """The earliest checkpoint whose tree holds leaf ``leaf_index`` (it never changes)."""
    row = uow.session.scalars(
        select(LogCheckpointRow)
        .where(LogCheckpointRow.tree_size > leaf_index)
        .order_by(LogCheckpointRow.tree_size, LogCheckpointRow.id)
        .limit(1)
    ).first()
    return None if row is None else _published(uow.session, row)


@dataclass(frozen=True, slots=True)
class RecordReceipt:
    """An entry of a record with its inclusion proof against a published checkpoint."""

    entry: LoggedEntry
    proof: list[bytes]
    checkpoint: PublishedCheckpoint


def receipts(uow: UnitOfWork, record_id: str) -> list[RecordReceipt]:
    """Every entry of the record ``record_id`` (deposit, verification, ...), each proven against
    the newest checkpoint, which covers them all: every seal signs one in its transaction."""
    found = _logged(uow, LogEntryRow.record_id == record_id)
    checkpoint = latest_checkpoint(uow)
    if not found or checkpoint is None:
        raise LogError(
            "record_not_logged", msg("no record {record} is in the log", record=record_id)
        )
    return [
        RecordReceipt(
            entry,
            inclusion_proof(uow, index=entry.leaf_index, tree_size=checkpoint.tree_size),
            checkpoint,
        )
        for entry in found
    ]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
