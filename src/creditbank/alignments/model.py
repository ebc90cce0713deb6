"""Alignments of catalogue items to skills: the steps of a version and who may take them. Pure.

A subject is a catalogue item, at one of its framework levels or at any. A version of a
subject's alignment is a set of skills, drafted by an institution's registrar (or a bank
administrator), submitted, then approved or rejected by a bank administrator who is not its
author (four eyes), and retired when it no longer holds. A new draft withdraws the subject's
open draft; a version under review blocks a new one. The newest approved version is in force
until it is retired; an older approved version is superseded by it.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from creditbank.errors import DomainError
from creditbank.messages import msg

MAX_SKILLS = 200
"""Skills in one version at most (an item teaches dozens, not thousands)."""
MAX_NOTE = 2000


class AlignmentsError(DomainError):
    """A draft, step or look-up of alignments that cannot be accepted; nothing is changed."""


class AlignmentStatus(StrEnum):
    """Where a version stands. Derived from its events (``superseded``: from a newer approval)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"
    RETIRED = "retired"
    SUPERSEDED = "superseded"


STEPS = (
    AlignmentStatus.SUBMITTED,
    AlignmentStatus.APPROVED,
    AlignmentStatus.REJECTED,
    AlignmentStatus.WITHDRAWN,
    AlignmentStatus.RETIRED,
)
"""The kinds of event a version can have."""

_PRECEDENCE = (
    AlignmentStatus.WITHDRAWN,
    AlignmentStatus.REJECTED,
    AlignmentStatus.RETIRED,
    AlignmentStatus.APPROVED,
    AlignmentStatus.SUBMITTED,
)

_ALLOWED_FROM = {
    AlignmentStatus.SUBMITTED: frozenset({AlignmentStatus.DRAFT}),
    AlignmentStatus.APPROVED: frozenset({AlignmentStatus.SUBMITTED}),
    AlignmentStatus.REJECTED: frozenset({AlignmentStatus.SUBMITTED}),
    AlignmentStatus.WITHDRAWN: frozenset({AlignmentStatus.DRAFT}),
    AlignmentStatus.RETIRED: frozenset({AlignmentStatus.APPROVED}),
}


def status_of(kinds: Iterable[str], *, superseded: bool = False) -> AlignmentStatus:
    """A version's status from the kinds of its events; an approved version a newer approval
    replaced is superseded."""
    present = {AlignmentStatus(kind) for kind in kinds}
    status = next((k for k in _PRECEDENCE if k in present), AlignmentStatus.DRAFT)
    if status is AlignmentStatus.APPROVED and superseded:
        return AlignmentStatus.SUPERSEDED
    return status


def check_step(
    *, label: str, current: AlignmentStatus, step: AlignmentStatus, author_id: int, by_id: int
) -> None:
    """Raise unless ``step`` may follow ``current``, taken by user ``by_id``.

    Four eyes: the author of a version may not approve or reject it (the database refuses it
    too: ``ck_skill_alignment_events_four_eyes``).
    """
    if current not in _ALLOWED_FROM[step]:
        raise AlignmentsError(
            "alignment_status_conflict",
            msg(
                "alignment {alignment} is {status}; it cannot become {step}",
                alignment=label,
                status=current.value,
                step=step.value,
            ),
            extensions={"alignment_status": current.value},
        )
    if step in {AlignmentStatus.APPROVED, AlignmentStatus.REJECTED} and by_id == author_id:
        raise AlignmentsError(
            "alignment_four_eyes",
            msg(
                "alignment {alignment} was drafted by you; another administrator must approve "
                "or reject it",
                alignment=label,
            ),
        )


def subject_label(item: str, level: str | None) -> str:
    """How pages and messages name a subject: ``OWNER:CODE`` or ``OWNER:CODE@LEVEL``."""
    return item if level is None else f"{item}@{level}"


STATUS_WORDS = {
    AlignmentStatus.DRAFT: msg("draft"),
    AlignmentStatus.SUBMITTED: msg("submitted"),
    AlignmentStatus.APPROVED: msg("approved"),
    AlignmentStatus.REJECTED: msg("rejected"),
    AlignmentStatus.WITHDRAWN: msg("withdrawn"),
    AlignmentStatus.RETIRED: msg("retired"),
    AlignmentStatus.SUPERSEDED: msg("superseded"),
}
"""Each status as pages and the command line say it."""
