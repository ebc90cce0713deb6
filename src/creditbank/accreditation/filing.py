"""Filing an application and what the learner's side adds later: more evidence, an appeal.

Given a unit of work; never commit. The handlers (at the end) are the staff's: an
institution's registrars apply for a learner who consents to them and act for the learner
afterwards; learners act on their own pages (:mod:`~creditbank.accreditation.learners`).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import UTC, datetime

from sqlalchemy import select

from creditbank.access.policy import Action, Principal, require_consented
from creditbank.accounts import api as accounts
from creditbank.accreditation import statistics
from creditbank.accreditation.applications import (
    CENTRE_TYPES,
    MAX_EVIDENCE_NAME,
    Application,
    application_of,
    authorise,
    move,
    row_of,
)
from creditbank.accreditation.commands import AddMoreEvidence, AppealDecision, ApplyForLearner
from creditbank.accreditation.model import (
    OPEN_STATES,
    AccreditationError,
    State,
    Step,
    check_statement,
    due_on,
    require_step,
)
from creditbank.accreditation.standards import find_unit
from creditbank.accreditation.tables import (
    ApplicationEventRow,
    ApplicationEvidenceRow,
    ApplicationRow,
)
from creditbank.consents import api as consents
from creditbank.db import UnitOfWork
from creditbank.evidence import api as evidence
from creditbank.institutions import api as institutions
from creditbank.messages import Message, msg
from creditbank.usecases import handler


def evidence_rows(
    uow: UnitOfWork,
    row: ApplicationRow,
    files: Sequence[tuple[str, str]],
    holders: Collection[int],
) -> list[Message]:
    """Attach evidence files (sha256, what it is) that one of ``holders`` uploaded."""
    problems: list[Message] = []
    hashes = [sha.strip().lower() for sha, _ in files]
    held: set[str] = set()
    for holder in holders:
        held |= evidence.held_for(uow=uow, institution_id=holder, hashes=hashes)
    present = {
        e.sha256
        for e in uow.session.scalars(
            select(ApplicationEvidenceRow).where(ApplicationEvidenceRow.application_id == row.id)
        )
    }
    now = datetime.now(UTC)
    for index, ((_, name), sha) in enumerate(zip(files, hashes, strict=True)):
        if not evidence.SHA256_HEX.match(sha):
            problems.append(msg("evidence[{index}]: not a SHA-256 hash", index=index))
        elif sha not in held:
            problems.append(
                msg(
                    "evidence[{index}]: no evidence file {sha256} was uploaded here",
                    index=index,
                    sha256=sha,
                )
            )
        if not name.strip() or len(name) > MAX_EVIDENCE_NAME:
            problems.append(
                msg(
                    "evidence[{index}]: say in up to {count} characters what the file is",
                    index=index,
                    count=MAX_EVIDENCE_NAME,
                )
            )
        if not problems and sha not in present:
            present.add(sha)
            uow.session.add(
                ApplicationEvidenceRow(
                    application_id=row.id, sha256=sha, name=name.strip(), added_at=now
                )
            )
    return problems


def apply(
    *,
    uow: UnitOfWork,
    account_number: str,
    centre: str,
    standard: str,
    unit: str,
    setting: str,
    statement: str,
    evidence_files: Sequence[tuple[str, str]],
    by: str,
    applied_by_institution: str | None = None,
    taught_by: str | None = None,
    standard_version: int | None = None,
) -> Application:
    """File an application for accreditation of a learner's learning against a unit, with
    evidence already uploaded (to the centre, or by the applying institution)."""
    problems: list[Message] = []
    learner_id = accounts.learner_id_of(uow, account_number)
    found_unit = find_unit(uow=uow, standard=standard, unit=unit, version=standard_version)
    centre_row = institutions.get_institution(uow=uow, code=centre)
    if centre_row.type not in CENTRE_TYPES:
        problems.append(msg("{centre} is not an accreditation centre", centre=centre_row.code))
    try:
        accounts.LearningSetting(setting)
    except ValueError:
        problems.append(
            msg(
                "the learning setting is one of {settings}, not {setting}",
                settings=", ".join(s.value for s in accounts.LearningSetting),
                setting=setting,
            )
        )
    problems.extend(check_statement(statement))
    if not evidence_files:
        problems.append(msg("an application needs at least one evidence file"))
    taught_by_id = None
    if taught_by:
        taught_by_id = institutions.institution_id(uow=uow, code=taught_by)
    applied_by_id = None
    if applied_by_institution:
        applied_by_id = institutions.institution_id(uow=uow, code=applied_by_institution)
    # The learner is locked before the open applications are read: of parallel applications
    # for one unit, one is filed and the others find it open.
    accounts.lock_learner(uow=uow, learner_id=learner_id)
    open_one = uow.session.scalar(
        select(ApplicationRow.public_id).where(
            ApplicationRow.learner_id == learner_id,
            ApplicationRow.unit_id == found_unit.id,
            ApplicationRow.state.in_([s.value for s in OPEN_STATES]),
        )
    )
    if open_one is not None:
        raise AccreditationError(
            "application_status_conflict",
            msg(
                "application {id} for unit {unit} is still open",
                id=open_one,
                unit=found_unit.code,
            ),
        )
    centre_id = institutions.institution_id(uow=uow, code=centre_row.code)
    now = datetime.now(UTC)
    row = ApplicationRow(
        public_id=uuid.uuid4().hex,
        learner_id=learner_id,
        centre_id=centre_id,
        unit_id=found_unit.id,
        setting=setting,
        statement=statement.strip(),
        taught_by_id=taught_by_id,
        applied_by_id=applied_by_id,
        applied_by=by,
        submitted_at=now,
        state=State.SUBMITTED.value,
        state_since=now,
        due_on=due_on(State.SUBMITTED, now),
        round=1,
        assessor_user_id=None,
        outcome_id=None,
    )
    uow.session.add(row)
    uow.session.flush()
    holders = {centre_id} | ({applied_by_id} if applied_by_id else set())
    problems.extend(evidence_rows(uow, row, evidence_files, holders))
    if problems:
        raise AccreditationError(
            "invalid_application", msg("the application cannot be filed"), problems
        )
    uow.session.add(
        ApplicationEventRow(
            application_id=row.id,
            step="submit",
            from_state=None,
            to_state=State.SUBMITTED.value,
            by=by,
            by_user_id=None,
            assessor_user_id=None,
            reason="",
            at=now,
        )
    )
    uow.session.flush()
    statistics.tally_applied(uow, row)
    return application_of(uow, row)


def add_evidence(
    *,
    uow: UnitOfWork,
    public_id: str,
    evidence_files: Sequence[tuple[str, str]],
    note: str,
    by: str,
    by_user_id: int | None,
) -> Application:
    """Answer a request for more evidence: the files go to the application, which returns to
    its assessor."""
    row = row_of(uow, public_id, lock=True)
    require_step(State(row.state), Step.ADD_EVIDENCE)
    if not evidence_files:
        raise AccreditationError("invalid_application", msg("add at least one evidence file"))
    holders = {row.centre_id} | ({row.applied_by_id} if row.applied_by_id else set())
    problems = evidence_rows(uow, row, evidence_files, holders)
    if problems:
        raise AccreditationError(
            "invalid_application", msg("the evidence cannot be added"), problems
        )
    move(uow, row, Step.ADD_EVIDENCE, State.ASSIGNED, by=by, by_user_id=by_user_id, reason=note)
    return application_of(uow, row)


def appeal(
    *, uow: UnitOfWork, public_id: str, reason: str, by: str, by_user_id: int | None
) -> Application:
    """Appeal a "not accredited" decision, once; it goes to a different assessor."""
    row = row_of(uow, public_id, lock=True)
    if row.round > 1:
        raise AccreditationError(
            "appeal_used", msg("application {id} has been appealed already", id=row.public_id)
        )
    require_step(State(row.state), Step.APPEAL)
    problems = check_statement(reason)
    if problems:
        raise AccreditationError(
            "invalid_application", msg("say why the decision should be reconsidered")
        )
    row.round = 2
    row.assessor_user_id = None
    move(uow, row, Step.APPEAL, State.APPEALED, by=by, by_user_id=by_user_id, reason=reason)
    statistics.tally_appealed(uow, row, at=row.state_since)
    return application_of(uow, row)


# --- handlers ----------------------------------------------------------------------------------


@handler
def apply_for_learner(
    command: ApplyForLearner, *, principal: Principal, uow: UnitOfWork
) -> Application:
    """The registrars of an institution the learner consents to, bank administrators."""
    consenting = consents.consenting_institutions(
        uow=uow, account_number=command.account_number, now=command.at
    )
    require_consented(
        principal, Action.APPLY_ACCREDITATION, principal.institution or "", consenting=consenting
    )
    return apply(
        uow=uow,
        account_number=command.account_number,
        centre=institutions.check_institution_code(command.centre),
        standard=command.standard,
        standard_version=command.standard_version,
        unit=command.unit,
        setting=command.setting,
        statement=command.statement,
        evidence_files=list(command.evidence),
        by=principal.email,
        applied_by_institution=principal.institution,
        taught_by=None
        if command.taught_by is None
        else institutions.check_institution_code(command.taught_by),
    )


@handler
def add_more_evidence(
    command: AddMoreEvidence, *, principal: Principal, uow: UnitOfWork
) -> Application:
    """The institution that applied for the learner (or a bank administrator)."""
    authorise(principal, uow=uow, public_id=command.public_id, step=Step.ADD_EVIDENCE)
    return add_evidence(
        uow=uow,
        public_id=command.public_id,
        evidence_files=list(command.evidence),
        note=command.note,
        by=principal.email,
        by_user_id=principal.user_id,
    )


@handler
def appeal_decision(
    command: AppealDecision, *, principal: Principal, uow: UnitOfWork
) -> Application:
    """The institution that applied for the learner (or a bank administrator)."""
    authorise(principal, uow=uow, public_id=command.public_id, step=Step.APPEAL)
    return appeal(
        uow=uow,
        public_id=command.public_id,
        reason=command.reason,
        by=principal.email,
        by_user_id=principal.user_id,
    )
