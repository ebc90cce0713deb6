"""Versions of alignments as stored: the subject (found or made, and locked), drafting, the
four-eyes steps (submit, approve, reject, retire), reading versions back with their history, and
the sets in force (``aligned_skills``) replaced in the transaction that approves or retires.

Every step locks the subject's row (``db.for_update``) BEFORE reading the state it depends on:
of two parallel steps on one subject, the second waits and then sees the first one's event.
Approvals and retirements are facts of record, logged in the same transaction
(:mod:`creditbank.alignments.records`). Given a unit of work; never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.dialects import postgresql, sqlite

from creditbank.accounts import api as accounts
from creditbank.alignments import records
from creditbank.alignments.inforce import level_label
from creditbank.alignments.model import (
    MAX_NOTE,
    MAX_SKILLS,
    AlignmentsError,
    AlignmentStatus,
    check_step,
    status_of,
    subject_label,
)
from creditbank.alignments.tables import (
    AlignedSkillRow,
    AlignmentEventRow,
    AlignmentRow,
    AlignmentSkillRow,
    AlignmentSubjectRow,
)
from creditbank.catalog import api as catalog
from creditbank.db import UnitOfWork, for_update
from creditbank.frameworks import api as frameworks
from creditbank.institutions import api as institutions
from creditbank.ledger import api as ledger
from creditbank.messages import msg
from creditbank.skills import api as skills


@dataclass(frozen=True, slots=True)
class AlignedSkill:
    """A skill of a version, as drafted (its URI and name then)."""

    id: int
    uri: str
    name: str


@dataclass(frozen=True, slots=True)
class AlignmentEvent:
    kind: AlignmentStatus
    by: str
    reason: str
    at: datetime


@dataclass(frozen=True, slots=True)
class AlignmentVersion:
    """A version of a subject's alignment, with its status and history."""

    id: int
    public_id: str
    institution: str
    """The item's owner."""
    item_id: int
    item: str
    """``OWNER:CODE``."""
    item_name: str
    level_id: int | None
    level: str | None
    """``FRAMEWORK@VERSION:LEVEL``; None: any level of the item."""
    level_code: str | None
    version: int
    status: AlignmentStatus
    skills: tuple[AlignedSkill, ...]
    note: str
    author: str
    drafted_at: datetime
    history: tuple[AlignmentEvent, ...]
    receipt: ledger.Receipt | None = None

    @property
    def subject(self) -> str:
        return subject_label(self.item, self.level_code)

    @property
    def label(self) -> str:
        return f"{self.subject} v{self.version}"

    @property
    def in_force(self) -> bool:
        return self.status is AlignmentStatus.APPROVED


@dataclass(frozen=True, slots=True)
class Subject:
    """A catalogue item, at one of its levels or at any."""

    item: catalog.CatalogItem
    level: frameworks.PinnedLevel | None


def find_subject(
    uow: UnitOfWork, item: str, level: str | None, *, default_owner: str | None = None
) -> Subject:
    """The subject named by ``OWNER:CODE`` (a bare ``CODE``: ``default_owner``'s) and a level
    code of the item (None: any level)."""
    owner, code = catalog.split_item_ref(item.strip())
    owner = owner or default_owner
    if not owner or not code:
        raise AlignmentsError(
            "invalid_alignment", msg("name the item as OWNER:CODE, not {item}", item=item[:80])
        )
    try:
        found = catalog.find_item(uow=uow, institution=owner, code=code)
    except institutions.InstitutionError:
        found = None
    if found is None:
        raise AlignmentsError(
            "alignment_not_found", msg("there is no catalogue item {item}", item=item[:80])
        )
    if level is None or not level.strip():
        return Subject(found, None)
    pinned = found.level_named(level.strip())
    if not isinstance(pinned, frameworks.PinnedLevel):
        raise AlignmentsError("invalid_alignment", pinned)
    return Subject(found, pinned)


def _locked_subject(uow: UnitOfWork, subject: Subject) -> AlignmentSubjectRow:
    """The subject's row, made on its first draft, locked until the transaction ends."""
    session = uow.session
    level_id = None if subject.level is None else subject.level.level_id
    values = {"item_id": subject.item.id, "level_id": level_id, "level_key": level_id or 0}
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(
        insert(AlignmentSubjectRow)
        .values(values)
        .on_conflict_do_nothing(index_elements=["item_id", "level_key"])
    )
    row = session.scalar(
        for_update(
            session,
            select(AlignmentSubjectRow).where(
                AlignmentSubjectRow.item_id == subject.item.id,
                AlignmentSubjectRow.level_key == (level_id or 0),
            ),
        )
    )
    assert row is not None  # noqa: S101 - inserted above or by a parallel draft
    return row


def _skills_of(uow: UnitOfWork, uris: Sequence[str]) -> list[skills.Skill]:
    wanted = list(dict.fromkeys(uri.strip() for uri in uris if uri.strip()))
    if not wanted:
        raise AlignmentsError("invalid_alignment", msg("an alignment needs at least one skill"))
    if len(wanted) > MAX_SKILLS:
        raise AlignmentsError(
            "invalid_alignment",
            msg("an alignment has at most {count} skills", count=MAX_SKILLS),
        )
    found = [skills.skill_by_uri(uow, uri) for uri in wanted]
    unknown = [uri for uri, skill in zip(wanted, found, strict=True) if skill is None]
    if unknown:
        raise AlignmentsError(
            "invalid_alignment",
            msg("there is no skill {uri}", uri=unknown[0][:300]),
            [msg("there is no skill {uri}", uri=uri[:300]) for uri in unknown[1:]],
        )
    return [skill for skill in found if skill is not None]


def draft_alignment(
    *, uow: UnitOfWork, subject: Subject, skill_uris: Sequence[str], note: str, user_id: int
) -> AlignmentVersion:
    """Draft a new version of the subject's alignment (version 1 of a new one). An open draft
    of the subject is withdrawn in its favour; a version under review blocks a new one."""
    chosen = _skills_of(uow, skill_uris)
    note = " ".join(note.split())
    if len(note) > MAX_NOTE:
        raise AlignmentsError(
            "invalid_alignment", msg("a note has at most {count} characters", count=MAX_NOTE)
        )
    subject_row = _locked_subject(uow, subject)
    versions = _versions(uow, AlignmentRow.subject_id == subject_row.id)
    now = datetime.now(UTC)
    for version in versions:
        if version.status is AlignmentStatus.SUBMITTED:
            raise AlignmentsError(
                "alignment_conflict",
                msg(
                    "alignment {alignment} is under review; wait for its decision before "
                    "drafting another",
                    alignment=version.label,
                ),
            )
        if version.status is AlignmentStatus.DRAFT:
            _event(uow, version, AlignmentStatus.WITHDRAWN, by_id=user_id, reason="", at=now)
    row = AlignmentRow(
        subject_id=subject_row.id,
        item_id=subject.item.id,
        level_id=subject_row.level_id,
        version=versions[-1].version + 1 if versions else 1,
        note=note,
        drafted_by_user_id=user_id,
        drafted_at=now,
    )
    uow.session.add(row)
    uow.session.flush()
    uow.session.add_all(
        AlignmentSkillRow(
            alignment_id=row.id,
            skill_id=skill.id,
            position=position,
            uri=skill.uri,
            name=skill.name,
        )
        for position, skill in enumerate(chosen)
    )
    uow.session.flush()
    return get_alignment(uow=uow, alignment_id=row.id)


def _event(
    uow: UnitOfWork,
    version: AlignmentVersion,
    kind: AlignmentStatus,
    *,
    by_id: int,
    reason: str,
    at: datetime,
) -> AlignmentEventRow:
    author_id = uow.session.scalar(
        select(AlignmentRow.drafted_by_user_id).where(AlignmentRow.id == version.id)
    )
    assert author_id is not None  # noqa: S101 - the version exists
    check_step(
        label=version.label, current=version.status, step=kind, author_id=author_id, by_id=by_id
    )
    event = AlignmentEventRow(
        alignment_id=version.id,
        author_user_id=author_id,
        kind=kind.value,
        by_user_id=by_id,
        reason=reason,
        at=at,
    )
    uow.session.add(event)
    uow.session.flush()
    return event


def _versions(uow: UnitOfWork, *where: ColumnElement[bool]) -> list[AlignmentVersion]:
    session = uow.session
    rows = list(session.scalars(select(AlignmentRow).where(*where).order_by(AlignmentRow.id)))
    if not rows:
        return []
    ids = [row.id for row in rows]
    events: dict[int, list[AlignmentEventRow]] = {row.id: [] for row in rows}
    for event in session.scalars(
        select(AlignmentEventRow)
        .where(AlignmentEventRow.alignment_id.in_(ids))
        .order_by(AlignmentEventRow.id)
    ):
        events[event.alignment_id].append(event)
    chosen: dict[int, list[AlignedSkill]] = {row.id: [] for row in rows}
    for skill in session.scalars(
        select(AlignmentSkillRow)
        .where(AlignmentSkillRow.alignment_id.in_(ids))
        .order_by(AlignmentSkillRow.alignment_id, AlignmentSkillRow.position)
    ):
        chosen[skill.alignment_id].append(AlignedSkill(skill.skill_id, skill.uri, skill.name))
    newest_approved = _newest_approved(uow, {row.subject_id for row in rows})
    users = institutions.user_names(
        uow=uow,
        user_ids={row.drafted_by_user_id for row in rows}
        | {event.by_user_id for found in events.values() for event in found},
    )
    items = catalog.items_by_id(uow=uow, item_ids={row.item_id for row in rows})
    levels = frameworks.pinned_levels(
        uow=uow, level_ids={row.level_id for row in rows if row.level_id is not None}
    )
    found = []
    for row in rows:
        item = items[row.item_id]
        level = None if row.level_id is None else levels[row.level_id]
        history = tuple(
            AlignmentEvent(
                kind=AlignmentStatus(event.kind),
                by=users[event.by_user_id][0],
                reason=event.reason,
                at=event.at,
            )
            for event in events[row.id]
        )
        found.append(
            AlignmentVersion(
                id=row.id,
                public_id=row.public_id,
                institution=item.institution,
                item_id=item.id,
                item=f"{item.institution}:{item.code}",
                item_name=item.name,
                level_id=row.level_id,
                level=None if level is None else level_label(level),
                level_code=None if level is None else level.level.code,
                version=row.version,
                status=status_of(
                    (event.kind for event in events[row.id]),
                    superseded=newest_approved.get(row.subject_id, row.version) > row.version,
                ),
                skills=tuple(chosen[row.id]),
                note=row.note,
                author=users[row.drafted_by_user_id][0],
                drafted_at=row.drafted_at,
                history=history,
            )
        )
    return found


def _newest_approved(uow: UnitOfWork, subject_ids: set[int]) -> dict[int, int]:
    """Each subject's newest approved version number (retired or not)."""
    rows = uow.session.execute(
        select(AlignmentRow.subject_id, AlignmentRow.version)
        .join(AlignmentEventRow, AlignmentEventRow.alignment_id == AlignmentRow.id)
        .where(
            AlignmentRow.subject_id.in_(subject_ids),
            AlignmentEventRow.kind == AlignmentStatus.APPROVED.value,
        )
    ).all()
    newest: dict[int, int] = {}
    for subject_id, version in rows:
        newest[subject_id] = max(version, newest.get(subject_id, 0))
    return newest


def get_alignment(*, uow: UnitOfWork, alignment_id: int) -> AlignmentVersion:
    found = _versions(uow, AlignmentRow.id == alignment_id)
    if not found:
        raise AlignmentsError(
            "alignment_not_found", msg("there is no alignment {id}", id=alignment_id)
        )
    return found[0]


def alignment_owner(*, uow: UnitOfWork, alignment_id: int) -> str:
    return get_alignment(uow=uow, alignment_id=alignment_id).institution


def list_alignments(
    *,
    uow: UnitOfWork,
    institution: str | None = None,
    status: AlignmentStatus | None = None,
    item_id: int | None = None,
) -> list[AlignmentVersion]:
    where: list[ColumnElement[bool]] = []
    if item_id is not None:
        where.append(AlignmentRow.item_id == item_id)
    if institution is not None:
        try:
            owned = catalog.list_items(uow=uow, institution=institution)
        except institutions.InstitutionError:
            return []
        where.append(AlignmentRow.item_id.in_([item.id for item in owned]))
    found = _versions(uow, *where)
    return [
        version
        for version in found
        if (status is None or version.status is status)
        and (institution is None or version.institution == institution)
    ]


def _locked(uow: UnitOfWork, alignment_id: int) -> AlignmentVersion:
    """Version ``alignment_id`` read after its subject's row is locked."""
    subject_id = uow.session.scalar(
        select(AlignmentRow.subject_id).where(AlignmentRow.id == alignment_id)
    )
    if subject_id is None:
        raise AlignmentsError(
            "alignment_not_found", msg("there is no alignment {id}", id=alignment_id)
        )
    uow.session.scalar(
        for_update(
            uow.session, select(AlignmentSubjectRow.id).where(AlignmentSubjectRow.id == subject_id)
        )
    )
    return get_alignment(uow=uow, alignment_id=alignment_id)


def submit_alignment(*, uow: UnitOfWork, alignment_id: int, user_id: int) -> AlignmentVersion:
    """Send a draft to the bank for approval."""
    version = _locked(uow, alignment_id)
    _event(uow, version, AlignmentStatus.SUBMITTED, by_id=user_id, reason="", at=datetime.now(UTC))
    return get_alignment(uow=uow, alignment_id=alignment_id)


def _put_in_force(uow: UnitOfWork, version: AlignmentVersion | None, subject_id: int) -> None:
    """Replace the subject's set in force by ``version``'s skills (None: nothing in force)."""
    uow.session.execute(delete(AlignedSkillRow).where(AlignedSkillRow.subject_id == subject_id))
    if version is not None:
        uow.session.add_all(
            AlignedSkillRow(
                subject_id=subject_id,
                skill_id=skill.id,
                item_id=version.item_id,
                level_id=version.level_id,
                alignment_id=version.id,
            )
            for skill in version.skills
        )
    uow.session.flush()


def _subject_id(uow: UnitOfWork, alignment_id: int) -> int:
    found = uow.session.scalar(
        select(AlignmentRow.subject_id).where(AlignmentRow.id == alignment_id)
    )
    assert found is not None  # noqa: S101 - the version exists
    return found


def approve_alignment(
    *, uow: UnitOfWork, alignment_id: int, user_id: int, reason: str = ""
) -> AlignmentVersion:
    """Approve a submitted version (a bank administrator other than its author): it is in force
    from now on, in place of the subject's earlier one; logged."""
    version = _locked(uow, alignment_id)
    event = _event(
        uow,
        version,
        AlignmentStatus.APPROVED,
        by_id=user_id,
        reason=accounts.check_reason(reason, required=False),
        at=datetime.now(UTC),
    )
    _put_in_force(uow, version, _subject_id(uow, alignment_id))
    (receipt,) = ledger.append(uow, [records.alignment_fact(uow, alignment_id, event)])
    return replace(get_alignment(uow=uow, alignment_id=alignment_id), receipt=receipt)


def reject_alignment(
    *, uow: UnitOfWork, alignment_id: int, user_id: int, reason: str
) -> AlignmentVersion:
    """Reject a submitted version, with a reason (a bank administrator other than its author)."""
    version = _locked(uow, alignment_id)
    _event(
        uow,
        version,
        AlignmentStatus.REJECTED,
        by_id=user_id,
        reason=accounts.check_reason(reason, required=True),
        at=datetime.now(UTC),
    )
    return get_alignment(uow=uow, alignment_id=alignment_id)


def retire_alignment(
    *, uow: UnitOfWork, alignment_id: int, user_id: int, reason: str
) -> AlignmentVersion:
    """Retire the version in force, with a reason: the subject has no alignment in force until
    another version is approved; logged."""
    version = _locked(uow, alignment_id)
    event = _event(
        uow,
        version,
        AlignmentStatus.RETIRED,
        by_id=user_id,
        reason=accounts.check_reason(reason, required=True),
        at=datetime.now(UTC),
    )
    _put_in_force(uow, None, _subject_id(uow, alignment_id))
    (receipt,) = ledger.append(uow, [records.alignment_fact(uow, alignment_id, event)])
    return replace(get_alignment(uow=uow, alignment_id=alignment_id), receipt=receipt)
