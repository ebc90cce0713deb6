"""Use cases for learning outcomes: deposit one, read a learner's transcript.

Given a unit of work; never commit. An outcome is stored once and never
edited; depositing the same record again (same institution, same
``record_id``, same facts) changes nothing, and the same ``record_id`` with
other facts is refused rather than overwriting. Every deposit goes through
:mod:`creditbank.accounts.depositing`. What happens to an outcome
later (verification, revocation, correction) is recorded as events
(:mod:`creditbank.accounts.lifecycle`); its status is derived from them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, select

from creditbank.accounts.depositing import (
    OutcomeDeposit,
    deposit,
    facts_of,
    stored_facts,
)
from creditbank.accounts.model import OutcomeFacts, OutcomeStatus, check_account_number
from creditbank.accounts.outcome_answers import (
    AnswerContext,
    Deposited,
    Outcome,
    answer_of,
    has_status,
    learner_id_of,
    shown_item,
    statuses,
)
from creditbank.accounts.tables import LearnerRow, OutcomeRow
from creditbank.catalog import api as catalog
from creditbank.db import UnitOfWork
from creditbank.frameworks import api as frameworks
from creditbank.institutions import api as institutions
from creditbank.messages import Message

MAX_PAGE = 500


@dataclass(frozen=True, slots=True)
class TranscriptPage:
    outcomes: list[Outcome]
    next_cursor: int | None


def item_level(item: catalog.CatalogItem, level: str) -> frameworks.PinnedLevel | Message:
    """The item's level named ``level``, or the problem saying at which levels it is awarded."""
    return item.level_named(level)


def deposit_outcome(
    *, uow: UnitOfWork, institution: str, account_number: str, facts: OutcomeFacts, today: date
) -> Deposited:
    """Deposit one outcome of ``institution``'s item into a learner's account
    (:func:`creditbank.accounts.depositing.deposit`, one stated outcome, logged)."""
    (made,) = deposit(
        uow=uow,
        outcomes=[OutcomeDeposit(institution, account_number, facts)],
        today=today,
    )
    return made.deposited


def transcript(
    *,
    uow: UnitOfWork,
    account_number: str,
    issued_by: str | None = None,
    kind: catalog.ItemKind | None = None,
    assessed_from: date | None = None,
    assessed_to: date | None = None,
    status: OutcomeStatus | None = None,
    after: int | None = None,
    limit: int = 100,
) -> TranscriptPage:
    """A learner's outcomes in deposit order, a page at a time (``after`` = the cursor)."""
    learner_id = learner_id_of(uow, account_number)
    limit = max(1, min(limit, MAX_PAGE))
    query: Select[OutcomeRow] = (
        select(OutcomeRow)
        .where(OutcomeRow.learner_id == learner_id)
        .order_by(OutcomeRow.id)
        .limit(limit + 1)
    )
    if status is not None:
        query = query.where(has_status(status))
    if issued_by is not None:
        query = query.where(
            OutcomeRow.institution_id == institutions.institution_id(uow=uow, code=issued_by)
        )
    if kind is not None:
        query = query.where(catalog.is_item_of_kind(kind, OutcomeRow.item_id))
    if assessed_from is not None:
        query = query.where(OutcomeRow.assessed_on >= assessed_from)
    if assessed_to is not None:
        query = query.where(OutcomeRow.assessed_on <= assessed_to)
    if after is not None:
        query = query.where(OutcomeRow.id > after)
    rows = uow.session.scalars(query).all()
    page, more = rows[:limit], len(rows) > limit
    levels = frameworks.pinned_levels(uow=uow, level_ids=[row.framework_level_id for row in page])
    items = catalog.item_labels(uow=uow, item_ids=[row.item_id for row in page])
    context = AnswerContext(
        check_account_number(account_number), institutions.institution_codes(uow=uow)
    )
    status_of = statuses(uow=uow, outcome_ids=[row.id for row in page])
    outcomes = [
        answer_of(
            context,
            row,
            shown_item(context, items[row.item_id]),
            levels[row.framework_level_id],
            status_of[row.id],
            item_name_en=items[row.item_id].name_en,
        )
        for row in page
    ]
    return TranscriptPage(outcomes, page[-1].id if more else None)


def every_outcome(
    *,
    uow: UnitOfWork,
    account_number: str,
    issued_by: str | None = None,
    status: OutcomeStatus | None = None,
) -> list[Outcome]:
    """Every outcome of the account (:func:`transcript`, page by page)."""
    found: list[Outcome] = []
    after: int | None = None
    while True:
        page = transcript(
            uow=uow,
            account_number=account_number,
            issued_by=issued_by,
            status=status,
            after=after,
            limit=MAX_PAGE,
        )
        found.extend(page.outcomes)
        if page.next_cursor is None:
            return found
        after = page.next_cursor


def outcome_of(*, uow: UnitOfWork, row: OutcomeRow) -> Outcome:
    """One stored outcome as answers show it, with its derived status."""
    session = uow.session
    item = catalog.item_labels(uow=uow, item_ids=[row.item_id])[row.item_id]
    number = session.scalar(
        select(LearnerRow.account_number).where(LearnerRow.id == row.learner_id)
    )
    context = AnswerContext(number or "", institutions.institution_codes(uow=uow))
    return answer_of(
        context,
        row,
        shown_item(context, item),
        frameworks.pinned_level(uow=uow, level_id=row.framework_level_id),
        statuses(uow=uow, outcome_ids=[row.id])[row.id],
        item_name_en=item.name_en,
    )


__all__ = [
    "MAX_PAGE",
    "Deposited",
    "Outcome",
    "TranscriptPage",
    "deposit_outcome",
    "every_outcome",
    "facts_of",
    "has_status",
    "item_level",
    "learner_id_of",
    "outcome_of",
    "statuses",
    "stored_facts",
    "transcript",
]
