"""The use cases of the alignments to skills, one frozen dataclass each."""

from __future__ import annotations

from dataclasses import dataclass

from creditbank.alignments.model import AlignmentStatus


@dataclass(frozen=True, slots=True)
class ProposeSkills:
    """The skills the bank proposes for a catalogue item (``OWNER:CODE``; a bare code: the
    caller's institution's) at a level of it (None: any level), best first, each with its score
    and the words that matched; the item's alignment in force and its open version, if any."""

    item: str
    level: str | None = None
    limit: int = 10


@dataclass(frozen=True, slots=True)
class DraftAlignment:
    """Draft a version of an item's alignment (at ``level``, or at any level): its skills by
    URI. An open draft of the same subject is withdrawn in its favour."""

    item: str
    skills: tuple[str, ...]
    level: str | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class SubmitAlignment:
    """Send a drafted version to the bank for approval."""

    alignment_id: int


@dataclass(frozen=True, slots=True)
class ApproveAlignment:
    """Approve a submitted version (a bank administrator other than its author): it is in force
    from now on; logged."""

    alignment_id: int
    reason: str = ""


@dataclass(frozen=True, slots=True)
class RejectAlignment:
    """Reject a submitted version, with a reason."""

    alignment_id: int
    reason: str


@dataclass(frozen=True, slots=True)
class RetireAlignment:
    """Retire the version in force, with a reason; logged."""

    alignment_id: int
    reason: str


@dataclass(frozen=True, slots=True)
class ListAlignments:
    """Versions of alignments, filtered by the item's owner, status and item."""

    institution: str | None = None
    status: AlignmentStatus | None = None
    item: str | None = None


@dataclass(frozen=True, slots=True)
class ShowAlignment:
    """One version with its skills and history."""

    alignment_id: int
