"""The statistical facts of learners' accounts and their outcomes (issue 19), as the use cases of
this area tally them (``stats.api.tally``, in the unit of work that makes the fact, after it is
made), and the rebuild sources that yield the same facts again from the stored rows.

- ``accounts``/``opened``: an account opened (one at a time, a bulk file's new learners, a learner
  arriving from a peer bank); institution: the opening institution; dims ``sex`` and ``age`` from
  the identity number on the day it is opened. The number is at hand only then and nobody's sex or
  age is stored, so :func:`account_facts` yields the accounts without these two dims.
- ``outcomes``/``deposited``: an outcome stored (every path: a single deposit, a bulk file's chunk,
  transferred credit, an accredited unit, a 1+X result, an outcome recognised from another bank);
  institution: the depositing one; amount: its credits; dims ``setting`` (``formal``,
  ``non_formal``, ``informal``), ``kind``, ``level``
  (``<framework>@<version>:<level>``) and ``certificate`` (``<owner>:<code>``, X certificates
  only). A record sent again unchanged (idempotent) stored nothing and counts nothing.
- ``outcomes``/``revoked``: an outcome revoked, with the dims and credits of its deposit, at the
  revocation. (A correction is a new deposit; the corrected outcome is not counted revoked.)
- ``cohorts``/``learners``: a learner's first outcome; dim ``cohort``: its year in the bank's time
  zone. "First" is the database's answer under the learner's row lock
  (:func:`learners_without_outcomes`), so that of two first deposits at once one counts.

An outcome's ``kind`` is its item's catalogue kind (``accreditation_unit`` counted as
``accredited_unit``), or ``recognised`` for an outcome deposited by recognising another bank's
import (how ``creditbank.transfers`` deposits them: record id ``recognition/...``, item
``RL....``, :data:`RECOGNISED_RECORD_PREFIX`, :data:`RECOGNISED_ITEM_PREFIX`); the same rule
classifies the incremental facts and the rebuilt ones.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import Select, func, select

from creditbank.accounts.model import OutcomeStatus
from creditbank.accounts.records import ItemRef, LevelRef, Names
from creditbank.accounts.tables import LearnerRow, OutcomeEventRow, OutcomeRow
from creditbank.catalog.model import ItemKind
from creditbank.clock import BANK_TIMEZONE
from creditbank.db import UnitOfWork, find_each, for_update
from creditbank.institutions import api as institutions
from creditbank.stats import api as stats

ACCOUNTS = "accounts"
OUTCOMES = "outcomes"
COHORTS = "cohorts"
RECOGNISED_RECORD_PREFIX = "recognition/"
"""The record ids of outcomes deposited by recognising another bank's import."""
RECOGNISED_ITEM_PREFIX = "RL."
"""The codes of the items those outcomes are deposited under."""
RECOGNISED = "recognised"
_KINDS = {ItemKind.ACCREDITATION_UNIT.value: "accredited_unit"}
BATCH = 10_000
"""Rows a rebuild source reads at a time (``yield_per``)."""


# --- what an outcome is counted by --------------------------------------------------------------


def level_value(level: LevelRef) -> str:
    """A level as the statistics name it: ``<framework>@<version>:<level>``."""
    return f"{level.framework}@{level.version}:{level.code}"


def outcome_kind(item_kind: str, *, item_code: str, record_id: str) -> str:
    """The ``kind`` an outcome is counted as (see the module's docstring)."""
    if record_id.startswith(RECOGNISED_RECORD_PREFIX) and item_code.startswith(
        RECOGNISED_ITEM_PREFIX
    ):
        return RECOGNISED
    return _KINDS.get(item_kind, item_kind)


@dataclass(frozen=True, slots=True)
class OutcomeKey:
    """What an outcome's facts are counted by: its institution and dims."""

    institution: str
    setting: str
    kind: str
    level: str
    certificate: str | None

    def dims(self) -> dict[str, str]:
        dims = {"setting": self.setting, "kind": self.kind, "level": self.level}
        if self.certificate is not None:
            dims["certificate"] = self.certificate
        return dims


def outcome_key(
    *, institution: str, item: ItemRef, level: LevelRef, setting: str, record_id: str
) -> OutcomeKey:
    """The key of an outcome deposited by ``institution`` (its code) under ``item``."""
    return OutcomeKey(
        institution=institution,
        setting=setting.replace("-", "_"),  # non-formal is counted as non_formal
        kind=outcome_kind(item.kind, item_code=item.code, record_id=record_id),
        level=level_value(level),
        certificate=(
            f"{item.owner}:{item.code}" if item.kind == ItemKind.X_CERTIFICATE.value else None
        ),
    )


class OutcomeCounts:
    """Outcomes counted by (key, month): one fact per cell however many outcomes (a bulk chunk's
    thousands of rows cost one :func:`stats.tally` call with a few facts)."""

    def __init__(self) -> None:
        self._counts: Counter[tuple[OutcomeKey, date]] = Counter()
        self._credits: dict[tuple[OutcomeKey, date], Decimal] = {}

    def add(
        self,
        key: OutcomeKey,
        at: datetime | date,
        credits: Decimal | None,  # noqa: A002 - the outcomes' credits
        count: int = 1,
    ) -> None:
        """``count`` outcomes of ``key`` at ``at`` (a time, or a day of its month in the bank's
        time zone) with ``credits`` in all."""
        month = month_start(at) if isinstance(at, datetime) else at.replace(day=1)
        cell = (key, month)
        self._counts[cell] += count
        self._credits[cell] = self._credits.get(cell, Decimal(0)) + (credits or Decimal(0))

    def facts(self, measure: str, at: datetime | None = None) -> list[stats.Fact]:
        """The counts as facts of ``measure``, each at ``at`` (default: its month's first day)."""
        return [
            stats.Fact(
                OUTCOMES,
                measure,
                at if at is not None else month,
                key.institution,
                key.dims(),
                count=count,
                amount=self._credits[key, month],
            )
            for (key, month), count in self._counts.items()
        ]


def local_date(at: datetime) -> date:
    """The day ``at`` falls on in the bank's time zone (a naive datetime is UTC, as SQLite
    gives them back)."""
    moment = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return moment.astimezone(BANK_TIMEZONE).date()


def month_start(at: datetime) -> date:
    """The first day of the month ``at`` falls in, in the bank's time zone."""
    return local_date(at).replace(day=1)


def cohort_of(at: datetime) -> str:
    """The cohort (year, in the bank's time zone) of a learner whose first outcome is at ``at``."""
    return str(local_date(at).year)


# --- the incremental path ------------------------------------------------------------------------


def tally_opened(
    uow: UnitOfWork, *, at: datetime, institution: str | None, identities: Iterable[str]
) -> None:
    """Accounts opened at ``at`` by ``institution`` (its code), one per identity number (a
    resident identity number's, else ""), counted by sex and age band on that day."""
    day = local_date(at)
    counted = Counter(stats.demographics(number, on=day) for number in identities)
    tally_opened_by(uow, at=at, institution=institution, counted=counted)


def tally_opened_by(
    uow: UnitOfWork, *, at: datetime, institution: str | None, counted: Counter[tuple[str, str]]
) -> None:
    """Accounts opened at ``at`` by ``institution``, counted by (sex, age band)."""
    stats.tally(
        uow,
        [
            stats.Fact(ACCOUNTS, "opened", at, institution, {"sex": sex, "age": age}, count=count)
            for (sex, age), count in sorted(counted.items())
        ],
    )


def learners_without_outcomes(uow: UnitOfWork, learner_ids: Iterable[int]) -> set[int]:
    """Those of these learners who hold no outcome yet: their next deposit is their first.

    Decided by the database, not by this process: learners with a committed outcome are left
    out at once (outcomes are never deleted); the others are locked (``db.for_update``, in id
    order) and asked again, so that of two transactions depositing a learner's first outcome at
    once the second waits for the first and then sees its outcome. Call it before storing the
    outcomes (the lock then also orders their ids: the first outcome is the smallest)."""
    wanted = sorted(set(learner_ids))
    holding = _holding(uow, wanted)
    candidates = [learner for learner in wanted if learner not in holding]
    if not candidates:
        return set()
    session = uow.session
    session.execute(
        for_update(
            session,
            select(LearnerRow.id).where(LearnerRow.id.in_(candidates)).order_by(LearnerRow.id),
        )
    ).all()
    return set(candidates) - _holding(uow, candidates)


def _holding(uow: UnitOfWork, learner_ids: list[int]) -> set[int]:
    """Those of these learners with an outcome (one index probe each on PostgreSQL)."""
    if not learner_ids:
        return set()
    found = find_each(uow.session, [OutcomeRow.learner_id], OutcomeRow.learner_id, learner_ids)
    return {row[0] for row in found}


def tally_deposited(uow: UnitOfWork, counts: OutcomeCounts, *, at: datetime) -> None:
    """Outcomes deposited at ``at``, counted by key."""
    facts = counts.facts("deposited", at)
    if facts:
        stats.tally(uow, facts)


def tally_first_outcomes(uow: UnitOfWork, *, at: datetime, learners: int) -> None:
    """``learners`` learners' first outcomes, deposited at ``at``."""
    if learners:
        stats.tally(
            uow, [stats.Fact(COHORTS, "learners", at, None, {"cohort": cohort_of(at)}, learners)]
        )


def tally_revoked(uow: UnitOfWork, row: OutcomeRow, *, at: datetime) -> None:
    """Outcome ``row`` revoked at ``at``: counted with the dims and credits of its deposit."""
    names = Names(uow)
    counts = OutcomeCounts()
    counts.add(_key_of(uow, names, row), at, row.credits)
    stats.tally(uow, counts.facts("revoked", at))


def _key_of(uow: UnitOfWork, names: Names, row: OutcomeRow) -> OutcomeKey:
    return outcome_key(
        institution=institutions.institution_codes(uow=uow)[row.institution_id],
        item=names.item(row.item_id),
        level=names.level(row.framework_level_id),
        setting=row.setting,
        record_id=row.record_id,
    )


def first_outcome_times(uow: UnitOfWork, learner_ids: Iterable[int]) -> dict[int, datetime]:
    """When each of these learners' first outcome (the smallest id) was deposited, by learner
    (those with none left out)."""
    wanted = list(set(learner_ids))
    if not wanted:
        return {}
    first = (
        select(func.min(OutcomeRow.id).label("id"))
        .where(OutcomeRow.learner_id.in_(wanted))
        .group_by(OutcomeRow.learner_id)
        .subquery()
    )
    rows = uow.session.execute(
        select(OutcomeRow.learner_id, OutcomeRow.deposited_at).join(
            first, first.c.id == OutcomeRow.id
        )
    )
    return {row[0]: row[1] for row in rows}


# --- the rebuild sources ----------------------------------------------------------------------


def account_facts(uow: UnitOfWork) -> Iterator[stats.Fact]:
    """Rebuild source: every account opened, by opening institution and month (no sex or age:
    they were counted when the account was opened and are stored nowhere)."""
    codes = institutions.institution_codes(uow=uow)
    counted: Counter[tuple[str | None, date]] = Counter()
    rows = uow.session.execute(
        select(LearnerRow.opened_by_institution_id, LearnerRow.opened_at).execution_options(
            yield_per=BATCH
        )
    )
    for institution_id, opened_at in rows:
        code = None if institution_id is None else codes[institution_id]
        counted[code, month_start(opened_at)] += 1
    for (code, month), count in sorted(
        counted.items(), key=lambda pair: (pair[0][0] or "", pair[0][1])
    ):
        yield stats.Fact(ACCOUNTS, "opened", month, code, count=count)


def outcome_facts(uow: UnitOfWork) -> Iterator[stats.Fact]:
    """Rebuild source: every outcome deposited, and every revocation, with the dims and credits
    the deposit counted (by institution, key and month)."""
    names = Names(uow)
    codes = institutions.institution_codes(uow=uow)
    deposited = select(*_COUNTED, OutcomeRow.deposited_at)
    yield from _counted(uow, names, codes, deposited).facts("deposited")
    revoked = (
        select(*_COUNTED, OutcomeEventRow.at)
        .join(OutcomeEventRow, OutcomeEventRow.outcome_id == OutcomeRow.id)
        .where(OutcomeEventRow.kind == OutcomeStatus.REVOKED.value)
    )
    yield from _counted(uow, names, codes, revoked).facts("revoked")


_COUNTED = (
    OutcomeRow.institution_id,
    OutcomeRow.item_id,
    OutcomeRow.framework_level_id,
    OutcomeRow.setting,
    OutcomeRow.record_id,
    OutcomeRow.credits,
)


_CountedQuery = Select[int, int, int, str, str, Decimal | None, datetime]


def _counted(
    uow: UnitOfWork, names: Names, codes: dict[int, str], query: _CountedQuery
) -> OutcomeCounts:
    """The outcomes ``query`` reads (:data:`_COUNTED` and when), counted by key and month: rows
    are grouped by their row ids first, and each group's key worked out once."""
    counted: Counter[tuple[int, int, int, str, bool, date]] = Counter()
    credited: dict[tuple[int, int, int, str, bool, date], Decimal] = {}
    zero = Decimal(0)
    for chunk in uow.session.execute(query.execution_options(yield_per=BATCH)).partitions():
        for institution_id, item_id, level_id, setting, record_id, earned, at in chunk:
            recognised = record_id.startswith(RECOGNISED_RECORD_PREFIX)
            group = (institution_id, item_id, level_id, setting, recognised, month_start(at))
            counted[group] += 1
            credited[group] = credited.get(group, zero) + (earned or zero)
    names.load(item_ids={group[1] for group in counted}, level_ids={group[2] for group in counted})
    counts = OutcomeCounts()
    for group, count in counted.items():
        institution_id, item_id, level_id, setting, recognised, month = group
        key = outcome_key(
            institution=codes[institution_id],
            item=names.item(item_id),
            level=names.level(level_id),
            setting=setting,
            record_id=RECOGNISED_RECORD_PREFIX if recognised else "",
        )
        counts.add(key, month, credited[group], count)
    return counts


def cohort_learner_facts(uow: UnitOfWork) -> Iterator[stats.Fact]:
    """Rebuild source: each learner's first outcome (the smallest id), by cohort and month."""
    first = select(func.min(OutcomeRow.id).label("id")).group_by(OutcomeRow.learner_id).subquery()
    rows = uow.session.execute(
        select(OutcomeRow.deposited_at)
        .join(first, first.c.id == OutcomeRow.id)
        .execution_options(yield_per=BATCH)
    )
    counted: Counter[date] = Counter(month_start(at) for (at,) in rows)
    for month, count in sorted(counted.items()):
        yield stats.Fact(COHORTS, "learners", month, None, {"cohort": str(month.year)}, count)
