"""Handlers of drafting alignments: the skills proposed for an item, a version drafted from
them (or from skills picked by URI), and its submission to the bank.

An institution's registrars and accreditation officers draft its items' alignments; the bank's
administrators draft any (``Action.DRAFT_ALIGNMENT``).
"""

from __future__ import annotations

from dataclasses import dataclass

from creditbank.access.policy import Action, Principal, require
from creditbank.accreditation import api as accreditation
from creditbank.alignments import store
from creditbank.alignments.commands import DraftAlignment, ProposeSkills, SubmitAlignment
from creditbank.alignments.model import AlignmentsError, AlignmentStatus
from creditbank.alignments.store import AlignmentVersion
from creditbank.db import UnitOfWork
from creditbank.messages import msg
from creditbank.skills import api as skills
from creditbank.usecases import handler

MAX_PROPOSALS = 50


@dataclass(frozen=True, slots=True)
class Proposal:
    """What the bank proposes for a subject, and where its alignment stands."""

    item: str
    """``OWNER:CODE``."""
    item_name: str
    item_name_en: str
    kind: str
    levels: tuple[str, ...]
    """The codes of the item's levels (a subject may be one of them, or any)."""
    level: str | None
    text: str
    """What the proposals were searched with: the names, and a unit's outcome statements."""
    hits: tuple[skills.SkillHit, ...]
    in_force: AlignmentVersion | None
    open: AlignmentVersion | None
    """The subject's draft or version under review."""


@handler
def propose_skills(command: ProposeSkills, *, principal: Principal, uow: UnitOfWork) -> Proposal:
    """The skills proposed for an item (at a level, or at any), best first, explained."""
    if not 1 <= command.limit <= MAX_PROPOSALS:
        raise AlignmentsError(
            "invalid_alignment",
            msg("ask for 1 to {count} proposals", count=MAX_PROPOSALS),
        )
    subject = store.find_subject(
        uow, command.item, command.level, default_owner=principal.institution
    )
    require(principal, Action.DRAFT_ALIGNMENT, subject.item.institution)
    item = subject.item
    text = "\n".join(
        part
        for part in (
            item.name,
            item.name_en,
            *accreditation.unit_statements(uow=uow, item_id=item.id),
        )
        if part.strip()
    )
    hits = skills.suggest_skills(uow, text, limit=command.limit)
    versions = [
        version
        for version in store.list_alignments(uow=uow, item_id=item.id)
        if version.level_id == (None if subject.level is None else subject.level.level_id)
    ]
    return Proposal(
        item=f"{item.institution}:{item.code}",
        item_name=item.name,
        item_name_en=item.name_en,
        kind=item.kind.value,
        levels=tuple(pinned.level.code for pinned in item.levels),
        level=None if subject.level is None else subject.level.level.code,
        text=text,
        hits=tuple(hits),
        in_force=next((v for v in versions if v.status is AlignmentStatus.APPROVED), None),
        open=next(
            (v for v in versions if v.status in {AlignmentStatus.DRAFT, AlignmentStatus.SUBMITTED}),
            None,
        ),
    )


@handler
def draft_alignment(
    command: DraftAlignment, *, principal: Principal, uow: UnitOfWork
) -> AlignmentVersion:
    """Draft a version of an item's alignment to skills (given by URI); an open draft of the
    same subject is withdrawn in its favour."""
    subject = store.find_subject(
        uow, command.item, command.level, default_owner=principal.institution
    )
    require(principal, Action.DRAFT_ALIGNMENT, subject.item.institution)
    return store.draft_alignment(
        uow=uow,
        subject=subject,
        skill_uris=command.skills,
        note=command.note,
        user_id=principal.user_id,
    )


@handler
def submit_alignment(
    command: SubmitAlignment, *, principal: Principal, uow: UnitOfWork
) -> AlignmentVersion:
    """Send a draft to the bank for approval."""
    owner = store.alignment_owner(uow=uow, alignment_id=command.alignment_id)
    require(principal, Action.DRAFT_ALIGNMENT, owner)
    return store.submit_alignment(
        uow=uow, alignment_id=command.alignment_id, user_id=principal.user_id
    )
