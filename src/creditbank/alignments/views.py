"""Reading alignments: versions by owner, status and item (the bank's queue is the submitted
ones), and one version with its skills and history.

The staff of an institution read its items' alignments; the bank's administrators and auditors
read every institution's (``Action.READ_ALIGNMENTS``).
"""

from __future__ import annotations

from creditbank.access.policy import Action, Principal, allowed, require
from creditbank.alignments import store
from creditbank.alignments.commands import ListAlignments, ShowAlignment
from creditbank.alignments.store import AlignmentVersion
from creditbank.db import UnitOfWork
from creditbank.usecases import handler


@handler
def list_alignments(
    query: ListAlignments, *, principal: Principal, uow: UnitOfWork
) -> list[AlignmentVersion]:
    """Versions, oldest first; without an institution, those the principal may read."""
    institution = query.institution.strip().upper() if query.institution else None
    if institution is None and not allowed(principal, Action.READ_ALIGNMENTS, None):
        institution = principal.institution
    require(principal, Action.READ_ALIGNMENTS, institution)
    item_id = None
    if query.item:
        item_id = store.find_subject(
            uow, query.item, None, default_owner=principal.institution
        ).item.id
    return store.list_alignments(
        uow=uow, institution=institution, status=query.status, item_id=item_id
    )


@handler
def show_alignment(
    query: ShowAlignment, *, principal: Principal, uow: UnitOfWork
) -> AlignmentVersion:
    found = store.get_alignment(uow=uow, alignment_id=query.alignment_id)
    require(principal, Action.READ_ALIGNMENTS, found.institution)
    return found
