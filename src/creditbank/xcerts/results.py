"""A session's results, recorded from a file all or nothing, in the name of an assessor
certified for the level on the session's day.

Every row is checked first (every bad row named by line, column and reason; nothing stored).
The passing candidates' certificates are deposited through the accounts area's one deposit
(:func:`creditbank.accounts.api.deposit`: typed outcomes of origin ``SessionResult``, all or
nothing, under a deposit batch named for the file), and every candidate's result is recorded
in the same transaction. A deposit refused (a name that is not the account holder's) keeps a
rejected batch, as a refused bulk file does, in a transaction of its own; so
:func:`store_results` owns its transactions (it is given the database, not a unit of work).

The handler checks the policy (the provider's registrars, bank administrators) in the unit of
work it is given, reads the file within the configured limits, then records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from creditbank.access.policy import Action, Principal, require
from creditbank.accounts import api as accounts
from creditbank.accreditation import api as accreditation
from creditbank.catalog import api as catalog
from creditbank.db import Database, UnitOfWork
from creditbank.file_limits import FileLimits
from creditbank.frameworks import api as frameworks
from creditbank.institutions import api as institutions
from creditbank.messages import Message, msg
from creditbank.usecases import handler
from creditbank.xcerts import figures
from creditbank.xcerts.commands import RecordResults
from creditbank.xcerts.data import ResultsRecorded, xcert_ref
from creditbank.xcerts.files import Row, read_results
from creditbank.xcerts.model import (
    ACCOUNT_COLUMN,
    IDENTITY_COLUMNS,
    RowProblem,
    XcertError,
    check_results_day,
    check_results_header,
    weigh_row,
)
from creditbank.xcerts.reading import get_session, session_parties, session_row
from creditbank.xcerts.tables import RegistrationRow, ResultRow, SessionRow

SETTING = "non-formal"
"""X certificates are assessed outside the formal curriculum (seed 004)."""
MAX_REPORTED = 200


@handler
def record_results(
    command: RecordResults,
    *,
    principal: Principal,
    uow: UnitOfWork,
    database: Database,
    cipher: accounts.PersonalDataCipher,
    limits: FileLimits,
) -> ResultsRecorded:
    """Check the policy in ``uow``; the deposit runs in transactions of its own on
    ``database`` (see :func:`store_results`)."""
    _centre, provider = session_parties(uow=uow, session_id=command.session_id)
    require(principal, Action.RECORD_RESULTS, provider)
    chosen = command.file_format or accounts.FileFormat.of(command.filename)
    header, rows = read_results(command.source, chosen, limits)
    return store_results(
        database=database,
        cipher=cipher,
        session_id=command.session_id,
        header=header,
        rows=rows,
        assessor=command.assessor.strip(),
        by=principal.email,
        filename=command.filename,
        file_format=chosen,
        today=command.today,
    )


@dataclass(frozen=True, slots=True)
class _Checked:
    """A good results row: whose, and the weighed result."""

    line: int
    learner_id: int
    registration_id: int
    row: Row
    result: accreditation.ScoreResult


def _rejected(problems: list[RowProblem], rows: int) -> XcertError:
    problems.sort(key=lambda problem: problem.line)
    return XcertError(
        "results_rejected",
        msg(
            "{bad} problems in {rows} rows; nothing was recorded",
            bad=len(problems),
            rows=rows,
        ),
        [problem.said() for problem in problems[:MAX_REPORTED]],
    )


def assessor_of(
    uow: UnitOfWork, email: str, item: catalog.CatalogItem, level_id: int, on: date
) -> int:
    """The user id of ``email`` once they hold an assessor certification of this level of the
    certificate on the session's day; ``assessor_not_certified`` otherwise."""
    principal = institutions.principal_or_none(uow=uow, email=email)
    if principal is None or not accreditation.certified(
        uow=uow,
        user_id=principal.user_id,
        kind=accreditation.CertificationKind.ASSESSOR,
        item_id=item.id,
        level_id=level_id,
        on=on,
    ):
        raise XcertError(
            "assessor_not_certified",
            msg(
                "{email} holds no assessor certification of {xcert} at this level valid on "
                "{date}; only a certified assessor can score",
                email=email,
                xcert=xcert_ref(item),
                date=on.isoformat(),
            ),
        )
    return principal.user_id


def check_rows(
    uow: UnitOfWork,
    *,
    cipher: accounts.PersonalDataCipher,
    session: SessionRow,
    scheme: accreditation.Scheme,
    header: list[str] | None,
    rows: list[tuple[int, Row]],
) -> list[_Checked]:
    if header is not None:
        check_results_header(header, scheme)
    registrations = dict(
        uow.session.execute(
            select(RegistrationRow.learner_id, RegistrationRow.id).where(
                RegistrationRow.session_id == session.id
            )
        ).all()
    )
    with_result = set(
        uow.session.scalars(
            select(ResultRow.registration_id).where(
                ResultRow.registration_id.in_(list(registrations.values()) or [0])
            )
        )
    )
    by_number = {
        number: learner
        for learner, number in accounts.account_numbers(uow=uow, learner_ids=registrations).items()
    }
    wanted = {ACCOUNT_COLUMN, *IDENTITY_COLUMNS, *(c.kind.value for c in scheme.components)}
    problems: list[RowProblem] = []
    checked: list[_Checked] = []
    seen: dict[int, int] = {}
    for line, row in rows:
        if "__invalid__" in row:
            problems.append(RowProblem(line, "-", msg("not a JSON object")))
            continue
        if "__extra__" in row:
            problems.append(RowProblem(line, "-", msg("the row has more values than the header")))
        problems += [
            RowProblem(line, key, msg("unknown column {column}", column=key))
            for key in sorted(set(row) - wanted - {"__extra__"})
        ]
        if not row.get("name", "").strip():
            problems.append(RowProblem(line, "name", msg("the candidate's name is needed")))
        registration_id = None
        learner, column, problem = _candidate(uow, cipher, row, by_number)
        if problem is not None:
            problems.append(RowProblem(line, column, problem))
        else:
            registration_id = registrations.get(learner) if learner is not None else None
            if registration_id is None:
                problems.append(
                    RowProblem(line, column, msg("not a registered candidate of this session"))
                )
            elif registration_id in seen:
                problems.append(
                    RowProblem(
                        line,
                        column,
                        msg(
                            "the candidate appears again (first at line {first})",
                            first=seen[registration_id],
                        ),
                    )
                )
                registration_id = None
            elif registration_id in with_result:
                problems.append(
                    RowProblem(line, column, msg("the candidate's result is recorded already"))
                )
                registration_id = None
            else:
                seen[registration_id] = line
        weighed = weigh_row(line, row, scheme)
        if isinstance(weighed, list):
            problems += weighed
            continue
        if registration_id is not None and learner is not None:
            checked.append(_Checked(line, learner, registration_id, row, weighed))
    if not rows:
        problems.append(RowProblem(1, "-", msg("the file has no results")))
    if problems:
        raise _rejected(problems, len(rows))
    return checked


def _candidate(
    uow: UnitOfWork,
    cipher: accounts.PersonalDataCipher,
    row: Row,
    by_number: dict[str, int],
) -> tuple[int | None, str, Message | None]:
    """Whom a row names (a learner row id, None when the bank knows nobody by it), the column
    that named them, or what is wrong: by identity number, by account number, or by both when
    they name the same person."""
    number = row.get(ACCOUNT_COLUMN, "").strip()
    by_account: int | None = None
    if number:
        try:
            by_account = by_number.get(accounts.check_account_number(number))
        except accounts.AccountError:
            return None, ACCOUNT_COLUMN, msg("not an account number (CB and 12 digits)")
        if by_account is None or not row.get("id_number", "").strip():
            return by_account, ACCOUNT_COLUMN, None
    try:
        person = accounts.parse_id_number(row.get("id_number", ""))
    except accounts.AccountError as error:
        return None, "id_number", error.message
    learner = accounts.learner_id_by_identity(uow=uow, cipher=cipher, id_number=person)
    if by_account is not None and by_account != learner:
        return None, ACCOUNT_COLUMN, msg("the account number is not that of the identity number")
    return learner, "id_number", None


def _recorded_meanwhile() -> XcertError:
    return XcertError(
        "session_conflict",
        msg("some of these candidates' results were recorded meanwhile; nothing was recorded"),
    )


def store_results(
    *,
    database: Database,
    cipher: accounts.PersonalDataCipher,
    session_id: int,
    header: list[str] | None,
    rows: list[tuple[int, Row]],
    assessor: str,
    by: str,
    filename: str,
    file_format: accounts.FileFormat,
    today: date,
) -> ResultsRecorded:
    """Record a session's results from a file, all or nothing, in the name of ``assessor``.

    Every row is checked first (a registered candidate of this session without a result yet,
    a valid identity number and name, a valid mark for each component of the level's scheme);
    one bad row rejects the file with every problem named by line. The candidates who pass are
    deposited in the provider's name as the X certificate at the session's level (score: the
    weighted mark; assessed on the session's day; non-formal learning) under a deposit batch,
    and every candidate's result is recorded in the same transaction.
    """
    with database.unit_of_work() as uow:
        session = session_row(uow, session_id)
        check_results_day(session.held_on, today)
        item = catalog.items_by_id(uow=uow, item_ids=[session.item_id])[session.item_id]
        level = frameworks.pinned_levels(uow=uow, level_ids=[session.framework_level_id])[
            session.framework_level_id
        ]
        assessor_id = assessor_of(uow, assessor, item, session.framework_level_id, session.held_on)
        scheme = accreditation.current_scheme(
            uow=uow, item_id=item.id, level_id=session.framework_level_id
        )
        if scheme is None:
            raise XcertError(
                "invalid_session",
                msg("level {level} has no assessment scheme", level=level.level.code),
            )
        checked = check_rows(
            uow, cipher=cipher, session=session, scheme=scheme.scheme, header=header, rows=rows
        )
    label = accounts.BatchLabel(item.institution, by, filename, file_format)
    passing = [entry for entry in checked if entry.result.passed]
    try:
        with database.unit_of_work() as uow:
            numbers = accounts.account_numbers(
                uow=uow, learner_ids=[entry.learner_id for entry in passing]
            )
            deposits = accounts.deposit(
                uow=uow,
                outcomes=[_certificate(session, item, level, entry, numbers) for entry in passing],
                today=today,
                cipher=cipher,
                batch=label,
            )
            if deposits.batch is None or deposits.batch_row_id is None:
                message = "the deposit was asked for a batch and recorded none"
                raise RuntimeError(message)
            batch = deposits.batch, deposits.batch_row_id
            outcomes = {
                entry.registration_id: made.outcome_id
                for entry, made in zip(passing, deposits.outcomes, strict=True)
            }
            now = datetime.now(UTC)
            uow.session.add_all(
                ResultRow(
                    registration_id=entry.registration_id,
                    scheme_id=scheme.id,
                    marks={c.kind.value: str(c.mark) for c in entry.result.components},
                    weighted=entry.result.weighted,
                    passed=entry.result.passed,
                    assessor_user_id=assessor_id,
                    outcome_id=outcomes.get(entry.registration_id),
                    batch_id=batch[1],
                    recorded_by=by,
                    recorded_at=now,
                )
                for entry in checked
            )
            try:
                uow.session.flush()
            except IntegrityError as error:  # another upload recorded one of them meanwhile
                raise _recorded_meanwhile() from error
            figures.tally_results(uow, session, assessed=len(checked), passed=len(passing))
    except accounts.DepositRefusedError as refused:
        problems = [
            RowProblem(passing[index].line, column, problem)
            for index, column, problem in refused.rows
        ]
        accounts.keep_rejected_batch(
            database=database,
            label=label,
            rows=len(passing),
            errors=[accounts.RowError(p.line, p.column, p.message) for p in problems],
        )
        raise _rejected(problems, len(rows)) from refused
    except accounts.AccountError as error:
        if error.code != "record_conflict":
            raise
        raise _recorded_meanwhile() from error  # a parallel upload deposited first
    with database.unit_of_work() as uow:
        detail = get_session(uow=uow, session_id=session_id)
    passed = sum(1 for entry in checked if entry.result.passed)
    return ResultsRecorded(detail, batch[0], len(checked), passed, len(checked) - passed)


def _certificate(
    session: SessionRow,
    item: catalog.CatalogItem,
    level: frameworks.PinnedLevel,
    entry: _Checked,
    numbers: dict[int, str],
) -> accounts.OutcomeDeposit:
    """A passing candidate's X certificate, deposited by its provider: at the session's level,
    scored with the weighted mark, assessed on the session's day, non-formal learning."""
    return accounts.OutcomeDeposit(
        institution=item.institution,
        account_number=numbers[entry.learner_id],
        facts=accounts.OutcomeFacts(
            record_id=f"XS{session.id}-{entry.registration_id}",
            item_code=xcert_ref(item),
            level=level.level.code,
            credits=None,
            score=entry.result.weighted,
            assessed_on=session.held_on,
            setting=accounts.LearningSetting(SETTING),
        ),
        origin=accounts.SessionResult(entry.line, entry.row["name"]),
    )
