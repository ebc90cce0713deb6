"""Handlers of joint certification: defining a scheme, listing schemes, depositing a joint
assessment's outcome (one outcome per body, through ``accounts.api``'s one deposit, all or
none) and reading the outcomes linked to one.

Defining a scheme is a bank administrator's (it binds several institutions). Depositing under
it needs the right to deposit for EVERY participating body (``Action.DEPOSIT`` on each: a
registrar of one body may not deposit another's), so in practice the bank's administrators or
a joint office holding those rights. Each body's outcome is its own, in its item's framework at
the level its mapping gives the result, with the joint record id; a second deposit of the same
record answers the same outcomes (the deposit is idempotent by record id, the link unique).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from creditbank.access.policy import Action, LearnerPrincipal, Principal, require
from creditbank.accounts import api as accounts
from creditbank.catalog import api as catalog
from creditbank.clock import today
from creditbank.db import UnitOfWork, hold_write_lock
from creditbank.joint.commands import (
    DefineJointScheme,
    DepositJointOutcome,
    ListJointSchemes,
    ShowLinkedOutcomes,
)
from creditbank.joint.model import (
    JointError,
    Participant,
    Scheme,
    check_scheme,
    joined_levels,
    parse_levels,
)
from creditbank.joint.tables import (
    JointParticipantRow,
    JointResultOutcomeRow,
    JointResultRow,
    JointSchemeRow,
)
from creditbank.messages import Message, msg
from creditbank.usecases import handler


@dataclass(frozen=True, slots=True)
class LinkedOutcome:
    """An outcome a joint assessment made at one body."""

    outcome: str
    institution: str
    item_code: str


@dataclass(frozen=True, slots=True)
class JointOutcome:
    """What depositing a joint assessment's outcome made: each body's outcome, and whether it
    was new."""

    scheme: str
    record_id: str
    outcomes: tuple[LinkedOutcome, ...]
    created: bool


def _item_problems(uow: UnitOfWork, body: Participant) -> list[Message]:
    item = catalog.find_item(uow=uow, institution=body.institution, code=body.item_code)
    if item is None:
        return [
            msg(
                "{institution} has no catalogue item {code}",
                institution=body.institution,
                code=body.item_code,
            )
        ]
    found = [item.level_named(level) for level in body.levels.values()]
    return [problem for problem in found if isinstance(problem, Message)]


@handler
def define_joint_scheme(
    command: DefineJointScheme, *, principal: Principal, uow: UnitOfWork
) -> Scheme:
    """Define a joint-certification scheme (a bank administrator)."""
    require(principal, Action.DEFINE_JOINT_SCHEME, None)
    bodies = tuple(
        Participant(b.institution.strip().upper(), b.item_code.strip(), parse_levels(b.levels))
        for b in command.bodies
    )
    scheme = check_scheme(
        code=command.code,
        name=command.name,
        name_en=command.name_en,
        result_levels=command.result_levels,
        participants=bodies,
    )
    problems = [p for body in scheme.participants for p in _item_problems(uow, body)]
    if problems:
        raise JointError("invalid_joint_scheme", msg("the scheme cannot be defined"), problems)
    row = JointSchemeRow(
        code=scheme.code,
        name=scheme.name,
        name_en=scheme.name_en,
        result_levels=",".join(scheme.result_levels),
        defined_at=datetime.now(UTC),
        defined_by_user_id=principal.user_id,
    )
    hold_write_lock(uow.session)  # SQLite: BEGIN first, or RELEASE SAVEPOINT would commit
    try:
        with uow.session.begin_nested():
            uow.session.add(row)
            uow.session.flush()
    except IntegrityError:
        raise JointError(
            "joint_scheme_exists", msg("the scheme {code} exists already", code=scheme.code)
        ) from None
    uow.session.add_all(
        JointParticipantRow(
            scheme_id=row.id,
            institution=body.institution,
            item_code=body.item_code,
            levels=joined_levels(body.levels),
        )
        for body in scheme.participants
    )
    uow.session.flush()
    return scheme


def _schemes(uow: UnitOfWork, rows: list[JointSchemeRow]) -> list[Scheme]:
    bodies: dict[int, list[Participant]] = {}
    if rows:
        for body in uow.session.scalars(
            select(JointParticipantRow)
            .where(JointParticipantRow.scheme_id.in_([r.id for r in rows]))
            .order_by(JointParticipantRow.id)
        ):
            bodies.setdefault(body.scheme_id, []).append(
                Participant(body.institution, body.item_code, parse_levels(body.levels))
            )
    return [
        Scheme(
            row.code,
            row.name,
            row.name_en,
            tuple(r for r in row.result_levels.split(",") if r),
            tuple(bodies.get(row.id, [])),
        )
        for row in rows
    ]


@handler
def list_joint_schemes(
    query: ListJointSchemes, *, principal: Principal | LearnerPrincipal | None, uow: UnitOfWork
) -> list[Scheme]:
    """Public: the joint-certification schemes and their bodies."""
    del query, principal
    return _schemes(uow, list(uow.session.scalars(select(JointSchemeRow).order_by("code"))))


def _scheme(uow: UnitOfWork, code: str) -> tuple[JointSchemeRow, Scheme]:
    row = uow.session.scalar(select(JointSchemeRow).where(JointSchemeRow.code == code.strip()))
    if row is None:
        raise JointError(
            "joint_scheme_not_found",
            msg("there is no joint-certification scheme {code}", code=code),
        )
    return row, _schemes(uow, [row])[0]


@handler
def deposit_joint_outcome(
    command: DepositJointOutcome, *, principal: Principal, uow: UnitOfWork
) -> JointOutcome:
    """Deposit an assessment's outcome under a scheme: one outcome per body, at the level its
    mapping gives the result, all or none; each linked to the others."""
    row, scheme = _scheme(uow, command.scheme)
    for body in scheme.participants:
        require(principal, Action.DEPOSIT, body.institution)
    if command.result not in scheme.result_levels:
        raise JointError(
            "invalid_joint_outcome",
            msg(
                "the result must be one of {results}, not {result}",
                results=", ".join(scheme.result_levels),
                result=command.result,
            ),
        )
    made = accounts.deposit(
        uow=uow,
        outcomes=[
            accounts.OutcomeDeposit(
                institution=body.institution,
                account_number=command.account_number,
                facts=accounts.OutcomeFacts(
                    record_id=command.record_id,
                    item_code=body.item_code,
                    level=body.levels[command.result],
                    credits=None,
                    score=command.score,
                    assessed_on=command.assessed_on,
                    setting=accounts.LearningSetting.FORMAL,
                ),
            )
            for body in scheme.participants
        ],
        today=today(),
    )
    linked = tuple(
        LinkedOutcome(deposit.outcome.public_id, body.institution, body.item_code)
        for deposit, body in zip(made.outcomes, scheme.participants, strict=True)
    )
    created = any(deposit.created for deposit in made.outcomes)
    result = uow.session.scalar(
        select(JointResultRow).where(
            JointResultRow.scheme_id == row.id, JointResultRow.record_id == command.record_id
        )
    )
    if result is None:
        try:  # of two parallel deposits of one record, one links its outcomes
            with uow.session.begin_nested():
                result = JointResultRow(
                    scheme_id=row.id, record_id=command.record_id, deposited_at=datetime.now(UTC)
                )
                uow.session.add(result)
                uow.session.flush()
                uow.session.add_all(
                    JointResultOutcomeRow(
                        result_id=result.id,
                        outcome=one.outcome,
                        institution=one.institution,
                        item_code=one.item_code,
                    )
                    for one in linked
                )
                uow.session.flush()
        except IntegrityError:
            pass
    return JointOutcome(scheme.code, command.record_id, linked, created)


def linked_outcomes(*, uow: UnitOfWork, outcome: str) -> tuple[LinkedOutcome, ...]:
    """The outcomes the joint assessment of ``outcome`` made at the OTHER bodies (empty when
    ``outcome`` is not of a joint assessment)."""
    result_id = uow.session.scalar(
        select(JointResultOutcomeRow.result_id).where(JointResultOutcomeRow.outcome == outcome)
    )
    if result_id is None:
        return ()
    rows = uow.session.scalars(
        select(JointResultOutcomeRow)
        .where(
            JointResultOutcomeRow.result_id == result_id, JointResultOutcomeRow.outcome != outcome
        )
        .order_by(JointResultOutcomeRow.id)
    )
    return tuple(LinkedOutcome(r.outcome, r.institution, r.item_code) for r in rows)


@handler
def show_linked_outcomes(
    query: ShowLinkedOutcomes, *, principal: Principal | LearnerPrincipal | None, uow: UnitOfWork
) -> tuple[LinkedOutcome, ...]:
    """Public (like a credential's links): the outcomes the same joint assessment made at the
    other bodies, by the outcome's public id (unguessable, stated in its credential)."""
    del principal
    found = linked_outcomes(uow=uow, outcome=query.outcome.strip())
    if not found:
        raise JointError(
            "joint_outcome_not_found",
            msg("{outcome} is not an outcome of a joint assessment", outcome=query.outcome),
        )
    return found
