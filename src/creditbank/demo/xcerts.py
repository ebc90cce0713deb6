"""The demo's 1+X operations: the BIM certificate's scheme, offerings, sessions, candidates
and results (each result deposited as an outcome)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from creditbank.accounts import api as accounts
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.files import FileFormat, Row
from creditbank.accounts.model import parse_id_number, resident_check_character
from creditbank.accreditation.api import ComponentKind, Scheme, SchemeComponent
from creditbank.db import Database, UnitOfWork
from creditbank.demo.common import DemoError
from creditbank.messages import msg
from creditbank.xcerts import api as xcerts
from creditbank.xcerts.model import Offering, Profile, Training


def xcert_operations(
    *,
    database: Database,
    cipher: PersonalDataCipher,
    bim: dict[str, Any],
    candidates: list[Row],
    today: date,
) -> int:
    """The BIM certificate's 1+X operations (seed 004): its profile and schemes, pilot schools,
    a trained and dual-certified teacher, sessions with candidates (some fee-exempt) and their
    results, recorded by the provider's registrar like any results file. Returns the
    certificates deposited."""
    ref = f"{bim['provider']}:{bim['code']}"
    registrar = f"registrar@{bim['provider'].lower()}.example"
    people = iter(dict.fromkeys((row["id_number"], row["name"]) for row in candidates))
    sessions: list[tuple[int, list[tuple[tuple[str, str], list[int]]]]] = []
    with database.unit_of_work() as uow:
        xcerts.set_profile(
            uow=uow,
            ref=ref,
            profile=Profile(bim["industry"], bim["industry_en"], bim["valid_years"]),
            by=registrar,
        )
        for level, (theory, practice) in bim["weights"].items():
            xcerts.set_level_scheme(
                uow=uow,
                ref=ref,
                level=level,
                scheme=Scheme(
                    (
                        SchemeComponent(ComponentKind.THEORY, theory, pass_mark=None),
                        SchemeComponent(ComponentKind.PRACTICE, practice, pass_mark=None),
                    ),
                    Decimal(bim["pass_mark"]),
                ),
                by=registrar,
            )
        for offering in bim["offerings"]:
            for level in offering["levels"]:
                xcerts.declare_offering(
                    uow=uow,
                    ref=ref,
                    offering=Offering(
                        offering["school"], level, assessment_centre=offering["assessment_centre"]
                    ),
                    by=registrar,
                )
        digits = bim["teacher_id_digits"]
        xcerts.train_teacher(
            uow=uow,
            cipher=cipher,
            ref=ref,
            email=bim["teacher"],
            id_number=digits + resident_check_character(digits),
            training=Training(bim["course"], bim["course_days"], today - timedelta(days=400)),
            certifying=xcerts.Certifying(
                ("teacher", "assessor"),
                None,
                today - timedelta(days=390),
                today + timedelta(days=3 * 365),
            ),
            by=registrar,
            today=today,
        )
        for entry in bim["sessions"]:
            session = xcerts.schedule_session(
                uow=uow,
                ref=ref,
                centre=entry["centre"],
                level=entry["level"],
                held_on=today - timedelta(days=entry["days_ago"]),
                by=f"registrar@{entry['centre'].lower()}.example",
                today=today,
            )
            marked = []
            for marks, fee_exempt in entry["candidates"]:
                person = next(people)
                xcerts.register_candidate(
                    uow=uow,
                    session_id=session.id,
                    account_number=_account_of(uow, cipher, person[0]),
                    fee_exempt=fee_exempt,
                    by=f"registrar@{entry['centre'].lower()}.example",
                )
                marked.append((person, marks))
            sessions.append((session.id, marked))
    deposited = 0
    for session_id, marked in sessions:
        recorded = xcerts.record_results(
            database=database,
            cipher=cipher,
            session_id=session_id,
            header=["id_number", "name", "theory", "practice"],
            rows=[
                (
                    line,
                    {
                        "id_number": number,
                        "name": name,
                        "theory": str(marks[0]),
                        "practice": str(marks[1]),
                    },
                )
                for line, ((number, name), marks) in enumerate(marked, start=2)
                if marks
            ],
            assessor=bim["teacher"],
            by=registrar,
            filename=f"bim-results-{session_id}.csv",
            file_format=FileFormat.CSV,
            today=today,
        )
        deposited += recorded.passed
    return deposited


def _account_of(uow: UnitOfWork, cipher: PersonalDataCipher, id_number: str) -> str:
    """The account number of the demo learner with this identity number."""
    learner_id = accounts.learner_id_by_identity(
        uow=uow, cipher=cipher, id_number=parse_id_number(id_number)
    )
    if learner_id is None:
        raise DemoError("demo_rejected", msg("a demo candidate has no account"))
    return accounts.account_number_of(uow=uow, learner_id=learner_id)
