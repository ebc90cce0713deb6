"""``creditbank log verify``: recompute the log from storage and check everything against it.

Walks every leaf in order: each entry's bytes must hash to its stored leaf hash; every
stored Merkle node must equal the one recomputed from the entries; the head must be the
recomputed root; every checkpoint must carry a valid signature of a log key (current or
past), name the log's origin, and commit to the recomputed root at its size, and each
must be consistent with the one before (an RFC 9162 consistency proof from the stored
nodes, verified). Then each fact in the business tables must match its entry's
commitment, and no fact of record may be missing from the log. A salt erased with a
learner's data leaves its commitment unchecked, and is counted, not reported.

Each entry's ``v`` is the schema of the record it commits to (ADR 0017); the readers are
keyed by kind and schema, so a v1 entry is checked against the v1 record rebuilt from the
business rows and a v2 entry against the v2 record. An earlier version of a versioned fact
(an institution, a catalogue item, a signing key: entry id ``<id>@<n>``) is counted, not
checked: the business row holds its newest version, which its own entry commits to.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select

from creditbank.db import UnitOfWork
from creditbank.ledger import merkle, notes
from creditbank.ledger.keys import LogKeys
from creditbank.ledger.model import SCHEMA_V1, SUPERSEDED, LogKind, commitment
from creditbank.ledger.service import consistency_proof, head, log_keys, root_at
from creditbank.ledger.tables import (
    LogCheckpointRow,
    LogEntryRow,
    LogLeafRow,
    LogNodeRow,
    LogSaltRow,
)
from creditbank.messages import Message, msg

CHUNK = 10_000
MAX_PROBLEMS = 1_000

Reader = Callable[[UnitOfWork, Collection[str]], dict[str, Mapping[str, object]]]
ReaderKey = tuple[LogKind, int]
"""A reader's key: the kind of entry it reads and the schema of the records it rebuilds."""
Readers = Mapping[ReaderKey, Reader]
Unlogged = Callable[[UnitOfWork], dict[LogKind, list[str]]]


@dataclass
class VerifyReport:
    """What ``log verify`` found: sizes and counts, and every problem (empty when all is well)."""

    tree_size: int = 0
    checkpoints: int = 0
    facts_checked: int = 0
    salts_erased: int = 0
    versions_superseded: int = 0
    problems: list[Message] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, problem: Message) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)


@dataclass(frozen=True, slots=True)
class _Leaf:
    index: int
    entry_id: int
    kind: str
    record_id: str
    body: bytes
    leaf_hash: bytes


def _leaves(uow: UnitOfWork) -> Iterable[list[_Leaf]]:
    cursor = -1
    while True:
        rows = uow.session.execute(
            select(
                LogLeafRow.leaf_index,
                LogEntryRow.id,
                LogEntryRow.kind,
                LogEntryRow.record_id,
                LogEntryRow.body,
                LogEntryRow.leaf_hash,
            )
            .join(LogEntryRow, LogEntryRow.id == LogLeafRow.entry_id)
            .where(LogLeafRow.leaf_index > cursor)
            .order_by(LogLeafRow.leaf_index)
            .limit(CHUNK)
        ).all()
        if not rows:
            return
        yield [_Leaf(int(r[0]), int(r[1]), r[2], r[3], bytes(r[4]), bytes(r[5])) for r in rows]
        cursor = int(rows[-1][0])


def _stored_nodes(
    uow: UnitOfWork, made: Sequence[tuple[int, int, bytes]]
) -> dict[tuple[int, int], bytes]:
    ranges: dict[int, list[int]] = {}
    for level, index, _ in made:
        low_high = ranges.setdefault(level, [index, index])
        low_high[0] = min(low_high[0], index)
        low_high[1] = max(low_high[1], index)
    stored: dict[tuple[int, int], bytes] = {}
    for level, (low, high) in ranges.items():
        rows = uow.session.execute(
            select(LogNodeRow.node_index, LogNodeRow.hash).where(
                LogNodeRow.level == level,
                LogNodeRow.node_index >= low,
                LogNodeRow.node_index <= high,
            )
        ).all()
        stored.update({(level, int(index)): bytes(node) for index, node in rows})
    return stored


def _check_body(leaf: _Leaf, report: VerifyReport) -> dict[str, object] | None:
    try:
        body = json.loads(leaf.body)
    except ValueError:
        report.add(msg("leaf {index}: the entry is not JSON", index=leaf.index))
        return None
    if (
        not isinstance(body, dict)
        or body.get("id") != leaf.record_id
        or body.get("kind") != leaf.kind
    ):
        report.add(
            msg(
                "leaf {index}: the entry's kind and id do not match its row ({kind} {record})",
                index=leaf.index,
                kind=leaf.kind,
                record=leaf.record_id,
            )
        )
        return None
    return body


def _schema(body: Mapping[str, object]) -> int:
    """The schema of the record an entry commits to: its ``v``."""
    version = body.get("v", SCHEMA_V1)
    return version if isinstance(version, int) and not isinstance(version, bool) else -1


def _check_facts(
    uow: UnitOfWork,
    leaves: Sequence[tuple[_Leaf, dict[str, object]]],
    readers: Readers,
    report: VerifyReport,
) -> None:
    salts = dict(
        uow.session.execute(
            select(LogSaltRow.entry_id, LogSaltRow.salt).where(
                LogSaltRow.entry_id.in_([leaf.entry_id for leaf, _ in leaves])
            )
        ).all()
    )
    by_kind: dict[tuple[str, int], list[tuple[_Leaf, dict[str, object]]]] = defaultdict(list)
    for leaf, body in leaves:
        by_kind[leaf.kind, _schema(body)].append((leaf, body))
    for (kind, schema), group in by_kind.items():
        reader = readers.get((LogKind(kind), schema)) if kind in set(LogKind) else None
        if reader is None:
            report.add(
                msg(
                    "leaf {index}: no business table holds entries of kind {kind}",
                    index=group[0][0].index,
                    kind=kind if schema == SCHEMA_V1 else f"{kind} (v{schema})",
                )
            )
            continue
        records = reader(uow, [leaf.record_id for leaf, _ in group])
        for leaf, body in group:
            salt = salts.get(leaf.entry_id)
            if salt is None:
                report.salts_erased += 1
                continue
            record = records.get(leaf.record_id)
            if record is None:
                report.add(
                    msg(
                        "leaf {index}: {kind} {record} is not in the business tables",
                        index=leaf.index,
                        kind=kind,
                        record=leaf.record_id,
                    )
                )
                continue
            if record is SUPERSEDED:
                report.versions_superseded += 1
                continue
            report.facts_checked += 1
            if commitment(record, bytes(salt)).hex() != body.get("commitment"):
                report.add(
                    msg(
                        "leaf {index}: {kind} {record} differs from what was logged "
                        "(its commitment does not match)",
                        index=leaf.index,
                        kind=kind,
                        record=leaf.record_id,
                    )
                )


def _walk(
    uow: UnitOfWork,
    sizes: set[int],
    readers: Readers,
    report: VerifyReport,
) -> tuple[merkle.Frontier, dict[int, bytes]]:
    frontier = merkle.Frontier.empty()
    roots: dict[int, bytes] = {0: merkle.EMPTY_ROOT}
    for chunk in _leaves(uow):
        made: list[tuple[int, int, bytes]] = []
        facts: list[tuple[_Leaf, dict[str, object]]] = []
        for leaf in chunk:
            if leaf.index != frontier.size:
                report.add(
                    msg(
                        "leaf {expected} is missing: the next stored leaf is {found}",
                        expected=frontier.size,
                        found=leaf.index,
                    )
                )
            computed = merkle.leaf_hash(leaf.body)
            if computed != leaf.leaf_hash:
                report.add(
                    msg(
                        "leaf {index} (entry {entry}): the entry's bytes do not hash to its "
                        "stored leaf hash",
                        index=leaf.index,
                        entry=leaf.entry_id,
                    )
                )
            made.extend(frontier.append(computed))
            if frontier.size in sizes:
                roots[frontier.size] = frontier.root()
            body = _check_body(leaf, report)
            if body is not None:
                facts.append((leaf, body))
        stored = _stored_nodes(uow, made)
        for level, index, node in made:
            found = stored.get((level, index))
            if found is None:
                report.add(msg("node {level}/{index} is missing", level=level, index=index))
            elif found != node:
                report.add(
                    msg(
                        "node {level}/{index}: the stored hash differs from the one "
                        "recomputed from the entries",
                        level=level,
                        index=index,
                    )
                )
        _check_facts(uow, facts, readers, report)
    return frontier, roots


def _check_counts(uow: UnitOfWork, size: int, report: VerifyReport) -> None:
    session = uow.session
    entries = session.scalar(select(func.count()).select_from(LogEntryRow)) or 0
    if entries != size:
        report.add(
            msg(
                "the log holds {entries} entries but {size} leaves",
                entries=entries,
                size=size,
            )
        )
    per_level = dict(
        session.execute(select(LogNodeRow.level, func.count()).group_by(LogNodeRow.level)).all()
    )
    level = 0
    while (size >> level) > 0 or per_level.get(level):
        expected = size >> level
        if per_level.get(level, 0) != expected:
            report.add(
                msg(
                    "level {level} of the tree has {stored} stored nodes, not {expected}",
                    level=level,
                    stored=per_level.get(level, 0),
                    expected=expected,
                )
            )
        level += 1


def _check_checkpoints(
    uow: UnitOfWork, keys: LogKeys, size: int, roots: Mapping[int, bytes], report: VerifyReport
) -> None:
    verifiers = keys.verifiers()
    previous: tuple[int, int, bytes] | None = None
    for row in uow.session.scalars(select(LogCheckpointRow).order_by(LogCheckpointRow.id)):
        report.checkpoints += 1
        try:
            opened = notes.open_note(row.note, verifiers)
            checkpoint = notes.Checkpoint.parse(opened.text)
        except notes.NoteError as error:
            report.add(
                msg(
                    "checkpoint {id} (tree size {size}): {error}",
                    id=row.id,
                    size=row.tree_size,
                    error=str(error),
                )
            )
            continue
        if checkpoint.origin != keys.origin:
            report.add(
                msg(
                    "checkpoint {id} names the log {origin}, not {expected}",
                    id=row.id,
                    origin=checkpoint.origin,
                    expected=keys.origin,
                )
            )
        if checkpoint.size != row.tree_size or checkpoint.root_hash != bytes(row.root_hash):
            report.add(msg("checkpoint {id}: its row does not match its signed note", id=row.id))
        if checkpoint.size > size:
            report.add(
                msg(
                    "checkpoint {id} is of a tree of {size} leaves; the log has {leaves}",
                    id=row.id,
                    size=checkpoint.size,
                    leaves=size,
                )
            )
            continue
        if roots.get(checkpoint.size) != checkpoint.root_hash:
            report.add(
                msg(
                    "checkpoint {id} (tree size {size}): its root is not the root of the log's "
                    "first {size} entries",
                    id=row.id,
                    size=checkpoint.size,
                )
            )
        if previous is not None:
            _check_consistency(
                uow, previous, (row.id, checkpoint.size, checkpoint.root_hash), report
            )
        previous = (row.id, checkpoint.size, checkpoint.root_hash)


def _check_consistency(
    uow: UnitOfWork,
    earlier: tuple[int, int, bytes],
    later: tuple[int, int, bytes],
    report: VerifyReport,
) -> None:
    (first_id, first, first_root), (second_id, second, second_root) = earlier, later
    if second < first:
        report.add(
            msg(
                "checkpoint {second_id} (tree size {second}) is smaller than checkpoint "
                "{first_id} before it ({first})",
                second_id=second_id,
                second=second,
                first_id=first_id,
                first=first,
            )
        )
        return
    if first in (0, second):
        if first == second and first_root != second_root:
            report.add(
                msg(
                    "checkpoints {first_id} and {second_id} give one tree size two roots",
                    first_id=first_id,
                    second_id=second_id,
                )
            )
        return
    try:
        proof = consistency_proof(uow, first=first, second=second)
        merkle.verify_consistency(first, second, proof, first_root, second_root)
    except (merkle.ProofError, LookupError) as error:
        report.add(
            msg(
                "checkpoints {first_id} and {second_id} are not consistent: {error}",
                first_id=first_id,
                second_id=second_id,
                error=str(error),
            )
        )


def verify_log(
    *,
    uow: UnitOfWork,
    readers: Readers,
    unlogged: Sequence[Unlogged] = (),
) -> VerifyReport:
    """Check the whole log and the business facts it records; see the module's docstring."""
    keys = log_keys(uow)
    report = VerifyReport()
    sizes = set(uow.session.scalars(select(LogCheckpointRow.tree_size).distinct()).all())
    frontier, roots = _walk(uow, sizes, readers, report)
    report.tree_size = frontier.size
    _check_counts(uow, frontier.size, report)
    current = head(uow)
    if current.tree_size != frontier.size or current.root_hash != frontier.root():
        report.add(
            msg(
                "the log's head (size {size}) is not the tree recomputed from its entries "
                "(size {leaves})",
                size=current.tree_size,
                leaves=frontier.size,
            )
        )
    _check_checkpoints(uow, keys, frontier.size, roots, report)
    for find in unlogged:
        for kind, record_ids in find(uow).items():
            for record_id in record_ids:
                report.add(
                    msg(
                        "{kind} {record} is in the business tables but not in the log",
                        kind=kind.value,
                        record=record_id,
                    )
                )
    return report


def check_saved_checkpoint(*, uow: UnitOfWork, note: str) -> list[Message]:
    """Problems with a checkpoint saved earlier (by an auditor, a witness, a learner): it must
    be signed by a key of this log and its tree must be the log's first entries."""
    try:
        checkpoint = notes.Checkpoint.parse(notes.open_note(note, log_keys(uow).verifiers()).text)
    except notes.NoteError as error:
        return [msg("the saved checkpoint: {error}", error=str(error))]
    size = head(uow).tree_size
    if checkpoint.size > size:
        return [
            msg(
                "the saved checkpoint is of {saved} entries; the log has only {size}",
                saved=checkpoint.size,
                size=size,
            )
        ]
    if checkpoint.size and root_at(uow, checkpoint.size) != checkpoint.root_hash:
        return [
            msg(
                "the saved checkpoint's tree of {saved} entries is not the log's: a fork",
                saved=checkpoint.size,
            )
        ]
    return []
