"""An outcome as answers show it (:class:`Outcome`, :class:`Deposited`), and its status, derived
from its events: what the deposit (:mod:`creditbank.accounts.depositing`) and the transcript
(:mod:`creditbank.accounts.outcomes`) both answer with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, exists, not_, select

from creditbank.accounts.model import (
    STATUS_PRECEDENCE,
    AccountError,
    LearningSetting,
    OutcomeStatus,
    Transfer,
    check_account_number,
    derive_status,
)
from creditbank.accounts.tables import LearnerRow, OutcomeEventRow, OutcomeRow
from creditbank.catalog import api as catalog
from creditbank.db import UnitOfWork
from creditbank.frameworks import api as frameworks
from creditbank.ledger import api as ledger
from creditbank.messages import msg


@dataclass(frozen=True, slots=True)
class Outcome:
    public_id: str
    account_number: str
    institution: str
    record_id: str
    item_code: str
    item_owner: str
    item_kind: catalog.ItemKind
    item_name: str
    level: frameworks.PinnedLevel
    credits: Decimal | None
    score: Decimal | None
    assessed_on: date
    setting: LearningSetting
    evidence_sha256: str | None
    status: OutcomeStatus
    deposited_at: datetime
    transfer: Transfer | None = None
    """Set on transferred credit: what was transferred toward what, from which outcomes."""
    item_name_en: str = ""
    """The item's English name, where the catalogue holds one (pages in English show it)."""

    def item_name_in(self, language: str) -> str:
        """The item's name in ``language``: English where the catalogue holds it."""
        return self.item_name_en if language == "en" and self.item_name_en else self.item_name


@dataclass(frozen=True, slots=True)
class Deposited:
    outcome: Outcome
    created: bool
    receipt: ledger.Receipt | None
    """Where the deposit stands in the ledger (leaf index and hash)."""


def learner_id_of(uow: UnitOfWork, number: str) -> int:
    """The row id of account ``number``, or ``account_not_found``."""
    found = uow.session.scalar(
        select(LearnerRow.id).where(LearnerRow.account_number == check_account_number(number))
    )
    if found is None:
        raise AccountError(
            "account_not_found", msg("there is no account {number}", number=number.upper())
        )
    return found


@dataclass(frozen=True, slots=True)
class AnswerContext:
    """What every outcome of one answer shares: the account number and institution codes."""

    account_number: str
    institution_codes: dict[int, str]


def answer_of(
    context: AnswerContext,
    row: OutcomeRow,
    item: tuple[str, catalog.ItemKind, str, str],
    level: frameworks.PinnedLevel,
    status: OutcomeStatus,
    *,
    item_name_en: str = "",
) -> Outcome:
    item_code, item_kind, item_name, item_owner = item
    return Outcome(
        public_id=row.public_id,
        account_number=context.account_number,
        institution=context.institution_codes[row.institution_id],
        record_id=row.record_id,
        item_code=item_code,
        item_owner=item_owner,
        item_kind=item_kind,
        item_name=item_name,
        level=level,
        credits=row.credits,
        score=row.score,
        assessed_on=row.assessed_on,
        setting=LearningSetting(row.setting),
        evidence_sha256=row.evidence_sha256,
        status=status,
        deposited_at=row.deposited_at,
        transfer=None if row.transfer is None else Transfer.of(row.transfer),
        item_name_en=item_name_en,
    )


def shown_item(
    context: AnswerContext, item: catalog.ItemLabel
) -> tuple[str, catalog.ItemKind, str, str]:
    """What an outcome shows of its item: code, kind, name and owner's code."""
    return item.code, item.kind, item.name, context.institution_codes[item.institution_id]


def statuses(*, uow: UnitOfWork, outcome_ids: list[int]) -> dict[int, OutcomeStatus]:
    """The derived status of each outcome (one query for all of them)."""
    kinds: dict[int, set[OutcomeStatus]] = {outcome_id: set() for outcome_id in outcome_ids}
    if outcome_ids:
        rows = uow.session.execute(
            select(OutcomeEventRow.outcome_id, OutcomeEventRow.kind).where(
                OutcomeEventRow.outcome_id.in_(outcome_ids)
            )
        )
        for outcome_id, kind in rows:
            kinds[outcome_id].add(OutcomeStatus(kind))
    return {outcome_id: derive_status(found) for outcome_id, found in kinds.items()}


def _has_event(kind: OutcomeStatus) -> ColumnElement[bool]:
    return exists().where(
        OutcomeEventRow.outcome_id == OutcomeRow.id, OutcomeEventRow.kind == kind.value
    )


def has_status(status: OutcomeStatus) -> ColumnElement[bool]:
    """A condition on ``outcomes`` rows: the outcome's derived status is ``status``.

    Follows :data:`STATUS_PRECEDENCE` (as :func:`derive_status` does): an outcome has a status
    when it has an event of that kind and none of a kind that takes precedence. Each check is an
    index look-up on ``outcome_events (outcome_id, kind)``.
    """
    if status is OutcomeStatus.DEPOSITED:
        return not_(exists().where(OutcomeEventRow.outcome_id == OutcomeRow.id))
    position = STATUS_PRECEDENCE.index(status)
    return and_(
        _has_event(status), *(not_(_has_event(kind)) for kind in STATUS_PRECEDENCE[:position])
    )
