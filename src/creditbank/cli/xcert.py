"""The 1+X operations from the command line: ``creditbank xcert ...``.

Registered by :mod:`creditbank.cli.main` through ``GROUPS``. Commands parse, call a handler
and print. Commands that change something act as a staff user (``--as EMAIL``) and are held to
the same policy as the HTTP API (the handlers check it); reading commands are the bank
operator's (:data:`creditbank.access.policy.OPERATOR`).
``--json`` prints exactly what the API returns. A teacher's identity number is read from
standard input (``--id-number-stdin``), never from the command line.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, cast

import typer

from creditbank import clock
from creditbank.access.policy import OPERATOR
from creditbank.accounts.api import FileFormat, PersonalDataCipher
from creditbank.accreditation import api as accreditation
from creditbank.bootstrap import open_database
from creditbank.cli.common import (
    AsOption,
    JsonOption,
    act,
    acting,
    fail,
    parse_date,
    print_line,
    print_result,
    refusals_fail,
    say,
    state,
    unit_of_work,
)
from creditbank.cli.xcert_output import (
    print_registered,
    print_results,
    print_scheduled,
    print_session,
    print_stats,
    print_teacher,
    print_xcert,
    print_xcerts,
)
from creditbank.file_limits import limits_of
from creditbank.messages import msg
from creditbank.settings import get_settings
from creditbank.xcerts import profiles, results, sessions, statistics, teachers, views
from creditbank.xcerts.commands import (
    DeclareOffering,
    ListXcerts,
    RecordResults,
    RegisterCandidate,
    ScheduleSession,
    SetProfile,
    SetScheme,
    ShowSession,
    ShowStats,
    ShowXcert,
    TrainTeacher,
)
from creditbank.xcerts.model import Certifying, Offering, Profile, Training
from creditbank.xcerts.schemas import (
    CandidateRead,
    ResultsRead,
    SchemeRead,
    SessionDetailRead,
    SessionRead,
    StatsRead,
    TeacherRead,
    XcertDetailRead,
    XcertRead,
)

xcert_app = typer.Typer(
    help="1+X certificates: pilot schools, teachers, assessment sessions, results, statistics.",
    no_args_is_help=True,
)

CERTIFICATION_YEARS = 3


def _cipher() -> PersonalDataCipher:
    return PersonalDataCipher.from_base64(get_settings().data_key.get_secret_value())


# --- certificates ------------------------------------------------------------------------------


@xcert_app.command("list")
def list_xcerts(
    approval_round: Annotated[
        int | None, typer.Option("--round", help="Only this approval round (1 to 4).")
    ] = None,
    provider: Annotated[
        str | None, typer.Option("--provider", help="Only this provider's certificates.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """X certificates: provider, approval round, industry area, levels, validity, pilot schools
    and assessment centres."""
    query = ListXcerts(approval_round=approval_round, provider=provider)
    with unit_of_work() as uow:
        found = [
            XcertRead.of(x, state.language)
            for x in views.list_xcerts(query, principal=OPERATOR, uow=uow)
        ]
    print_result(found, print_xcerts, as_json=as_json)


@xcert_app.command("show")
def show_xcert(
    code: Annotated[str, typer.Argument(help="The certificate's code (or OWNER:CODE).")],
    as_json: JsonOption = False,
) -> None:
    """An X certificate (`CODE`, or `OWNER:CODE` when several providers use the code): its
    assessment scheme per level, pilot schools (assessment centres marked), teachers' trainings
    and certifications, sessions with their candidates' figures."""
    with unit_of_work() as uow:
        detail = views.show_xcert(ShowXcert(code), principal=OPERATOR, uow=uow)
        found = XcertDetailRead.of_detail(detail, state.language)
    print_result(found, print_xcert, as_json=as_json)


@xcert_app.command("profile")
def set_profile(
    code: Annotated[str, typer.Argument(help="The certificate's code (or OWNER:CODE).")],
    industry: Annotated[str, typer.Option("--industry", help="The industry area.")],
    as_email: AsOption,
    industry_en: Annotated[str, typer.Option("--industry-en", help="In English.")] = "",
    valid_years: Annotated[
        int | None, typer.Option("--valid-years", help="Years a certificate stays valid.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Set a certificate's industry area and how many years a certificate stays valid (the
    provider's registrars, bank administrators); a new version, the old ones kept."""
    command = SetProfile(code, Profile(industry, industry_en, valid_years))
    detail = act(as_email, lambda uow, who: profiles.set_profile(command, principal=who, uow=uow))
    found = XcertDetailRead.of_detail(detail, state.language)
    print_result(found, print_xcert, as_json=as_json)


def _components(texts: Sequence[str]) -> tuple[accreditation.SchemeComponent, ...]:
    components = []
    for text in texts:
        kind, _sep, weight = text.partition("=")
        try:
            components.append(
                accreditation.SchemeComponent(
                    accreditation.ComponentKind(kind.strip().lower()), int(weight)
                )
            )
        except ValueError:
            fail(
                say(
                    msg(
                        "--component is KIND=WEIGHT (theory, practice, portfolio or interview), "
                        "not {text}",
                        text=text,
                    )
                )
            )
    return tuple(components)


@xcert_app.command("scheme")
def set_scheme(
    code: Annotated[str, typer.Argument(help="The certificate's code (or OWNER:CODE).")],
    level: Annotated[str, typer.Option("--level", help="The level it assesses.")],
    component: Annotated[
        list[str], typer.Option("--component", help="KIND=WEIGHT, e.g. theory=20; repeat.")
    ],
    as_email: AsOption,
    pass_mark: Annotated[str, typer.Option("--pass-mark", help="Weighted mark to pass.")] = "60",  # noqa: S107
    as_json: JsonOption = False,
) -> None:
    """Set the assessment scheme of one level, e.g. `--component theory=60 --component
    practice=40` (weights add up to 100; pass mark 60 unless given); a changed scheme is a new
    version and results keep the version that weighed them."""
    try:
        mark = Decimal(pass_mark)
    except InvalidOperation:
        fail(say(msg("--pass-mark must be a number")))
    command = SetScheme(code, level, accreditation.Scheme(_components(component), mark))
    stored = act(as_email, lambda uow, who: profiles.set_scheme(command, principal=who, uow=uow))
    scheme = stored.scheme.scheme.describe() if stored.scheme else ""

    def render(found: SchemeRead) -> None:
        print_line(
            say(
                msg(
                    "Level {level}: {scheme} (version {version})",
                    level=found.level.code,
                    scheme=scheme,
                    version=found.version,
                )
            )
        )

    print_result(SchemeRead.of(stored, state.language), render, as_json=as_json)


@xcert_app.command("offer")
def declare_offering(
    code: Annotated[str, typer.Argument(help="The certificate's code (or OWNER:CODE).")],
    school: Annotated[str, typer.Option("--school", help="The pilot school's code.")],
    level: Annotated[str, typer.Option("--level", help="The level it offers.")],
    as_email: AsOption,
    centre: Annotated[
        bool, typer.Option("--centre", help="The school is an assessment centre for it.")
    ] = False,
    withdraw: Annotated[
        bool, typer.Option("--withdraw", help="The school no longer offers it.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Declare that a pilot school (a school, college or university) offers a level, and with
    `--centre` that it is an assessment centre for it; `--withdraw` ends the offering (the
    provider's registrars)."""
    command = DeclareOffering(code, Offering(school, level, centre, active=not withdraw))
    detail = act(
        as_email, lambda uow, who: profiles.declare_offering(command, principal=who, uow=uow)
    )
    found = XcertDetailRead.of_detail(detail, state.language)
    print_result(found, print_xcert, as_json=as_json)


@xcert_app.command("teacher")
def train_teacher(
    code: Annotated[str, typer.Argument(help="The certificate's code (or OWNER:CODE).")],
    user: Annotated[str, typer.Option("--user", help="The teacher's e-mail address.")],
    as_email: AsOption,
    id_number_stdin: Annotated[
        bool,
        typer.Option("--id-number-stdin", help="Read the teacher's identity number from stdin."),
    ] = False,
    course: Annotated[
        str | None, typer.Option("--course", help="The training course completed.")
    ] = None,
    days: Annotated[int, typer.Option("--days", help="How many days it lasted.")] = 5,
    completed: Annotated[
        str | None, typer.Option("--completed", help="When it was completed (ISO date).")
    ] = None,
    certify: Annotated[
        list[str] | None,
        typer.Option("--certify", help="teacher or assessor; repeat for both (dual)."),
    ] = None,
    level: Annotated[
        str | None, typer.Option("--level", help="Certify for one level (default: all).")
    ] = None,
    valid_from: Annotated[
        str | None, typer.Option("--from", help="First day of the certification (today).")
    ] = None,
    valid_until: Annotated[
        str | None, typer.Option("--until", help="Last day of the certification (3 years).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Record a teacher's completed training (e.g. the provider's 5-day course) and/or certify
    them as teacher, assessor or both (dual certification) for one level or all, valid `--from`
    (today) `--until` (3 years); a certification needs the training first; the identity number
    (read from standard input, kept only as its index) keeps anyone from assessing themselves."""
    if not id_number_stdin:
        fail(say(msg("give the identity number on standard input with --id-number-stdin")))
    id_number = sys.stdin.readline().strip()
    today = clock.today()
    training = None
    if course is not None:
        training = Training(course, days, parse_date(completed, "--completed") or today)
    certifying = None
    if certify:
        start = parse_date(valid_from, "--from") or today
        end = parse_date(valid_until, "--until") or start + timedelta(
            days=365 * CERTIFICATION_YEARS
        )
        certifying = Certifying(tuple(certify), level, start, end)
    command = TrainTeacher(code, user, id_number, training, certifying, today)
    record = TeacherRead.of(
        act(
            as_email,
            lambda uow, who: teachers.train_teacher(
                command, principal=who, uow=uow, cipher=_cipher()
            ),
        )
    )
    print_result(record, print_teacher, as_json=as_json)


# --- sessions ----------------------------------------------------------------------------------


@xcert_app.command("schedule")
def schedule_session(
    code: Annotated[str, typer.Argument(help="The certificate's code (or OWNER:CODE).")],
    centre: Annotated[str, typer.Option("--centre", help="The assessment centre's code.")],
    level: Annotated[str, typer.Option("--level", help="The level assessed.")],
    held_on: Annotated[str, typer.Option("--on", help="The day it is held (ISO date).")],
    as_email: AsOption,
    as_json: JsonOption = False,
) -> None:
    """Schedule an assessment session at an assessment centre of that level (the centre's
    registrars, the provider's); prints its id; the same centre, level and day twice is refused."""
    day = cast("date", parse_date(held_on, "--on"))
    command = ScheduleSession(code, centre, level, day, clock.today())
    session = SessionRead.of(
        act(as_email, lambda uow, who: sessions.schedule_session(command, principal=who, uow=uow)),
        state.language,
    )
    print_result(session, print_scheduled, as_json=as_json)


@xcert_app.command("register")
def register_candidate(
    session_id: Annotated[int, typer.Argument(help="The session's id.")],
    account: Annotated[str, typer.Argument(help="The learner's account number.")],
    as_email: AsOption,
    fee_exempt: Annotated[
        bool,
        typer.Option(
            "--fee-exempt", help="A student from a family with financial difficulties: no fee."
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Register a learner for a session by account number (the centre's registrars),
    `--fee-exempt` for a student from a family with financial difficulties; closed once results
    are in."""
    command = RegisterCandidate(session_id, account, fee_exempt)
    candidate = CandidateRead.of(
        act(
            as_email,
            lambda uow, who: sessions.register_candidate(command, principal=who, uow=uow),
        )
    )
    print_result(candidate, lambda found: print_registered(found, session_id), as_json=as_json)


@xcert_app.command("session")
def show_session(
    session_id: Annotated[int, typer.Argument(help="The session's id.")],
    as_json: JsonOption = False,
) -> None:
    """A session: its candidates by account number, fee exemption, marks, weighted mark, passed
    or failed, and the outcome a pass deposited."""
    with unit_of_work() as uow:
        detail = SessionDetailRead.of_detail(
            views.show_session(ShowSession(session_id), principal=OPERATOR, uow=uow),
            state.language,
        )
    print_result(detail, print_session, as_json=as_json)


@xcert_app.command("results")
def record_results(
    session_id: Annotated[int, typer.Argument(help="The session's id.")],
    file: Annotated[Path, typer.Argument(help="CSV, XLSX or JSON Lines: id_number, name, marks.")],
    assessor: Annotated[
        str, typer.Option("--assessor", help="E-mail of the certified assessor who marked.")
    ],
    as_email: AsOption,
    file_format: Annotated[
        FileFormat | None, typer.Option("--format", help="Default: from the file's extension.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Record a session's results from a file (columns `id_number`, `name` and a mark per
    component of the level's scheme), all or nothing, in the name of an assessor certified for
    that level on the session's day (anyone else is refused); the marks are weighed by the scheme
    and each passing candidate receives the X certificate in their account through a deposit
    batch (score: the weighted mark; non-formal learning); a bad row rejects the file, naming
    every bad row by line, column and reason, and exits 1."""
    if not file.is_file():
        fail(say(msg("{file} is not a file", file=str(file))))
    database = open_database()
    try:
        with refusals_fail(), file.open("rb") as stream, database.unit_of_work() as uow:
            command = RecordResults(
                session_id, assessor, file.name, file_format, stream, clock.today()
            )
            found = results.record_results(
                command,
                principal=acting(uow, as_email),
                uow=uow,
                database=database,
                cipher=_cipher(),
                limits=limits_of(get_settings()),
            )
            recorded = ResultsRead.of(found, state.language)
    finally:
        database.dispose()
    print_result(recorded, print_results, as_json=as_json)


@xcert_app.command("stats")
def show_stats(as_json: JsonOption = False) -> None:
    """The 1+X figures: certificates by approval round, pilot schools by type, candidates
    registered, fee-exempt, assessed and certified by province (of the assessment centre) and by
    certificate."""
    with unit_of_work() as uow:
        found = StatsRead.of(
            statistics.show_stats(ShowStats(), principal=OPERATOR, uow=uow), state.language
        )
    print_result(found, print_stats, as_json=as_json)


GROUPS = ((xcert_app, "xcert"),)
