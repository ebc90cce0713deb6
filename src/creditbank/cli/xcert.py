"""The 1+X operations from the command line: ``creditbank xcert ...``.

Imported by :mod:`creditbank.cli.main` (at its end), whose app, console, messages and unit of
work these commands share. Commands that change something act as a staff user (``--as EMAIL``)
and are held to the same policy as the HTTP API; reading commands are the bank operator's.
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
from rich import box
from rich.table import Table
from rich.text import Text

from creditbank import clock
from creditbank.access.policy import Action, Principal, require, require_any
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.files import FileFormat
from creditbank.accreditation import api as accreditation
from creditbank.bootstrap import open_database
from creditbank.cli.common import (
    JsonOption,
    _,
    fail,
    out,
    parse_date,
    print_json,
    say,
    state,
    unit_of_work,
)
from creditbank.db import UnitOfWork
from creditbank.errors import DomainError
from creditbank.file_limits import limits_of
from creditbank.institutions import service as institution_service
from creditbank.messages import msg
from creditbank.settings import get_settings
from creditbank.xcerts import service
from creditbank.xcerts.files import read_results
from creditbank.xcerts.model import Offering, Profile, ResultStatus, Training
from creditbank.xcerts.schemas import (
    CandidateRead,
    ResultsRead,
    SchemeRead,
    SessionDetailRead,
    SessionRead,
    StatsRead,
    TallyRead,
    TeacherRead,
    XcertDetailRead,
    XcertRead,
)

xcert_app = typer.Typer(
    help="1+X certificates: pilot schools, teachers, assessment sessions, results, statistics.",
    no_args_is_help=True,
)

AsOption = Annotated[
    str, typer.Option("--as", help="E-mail of the staff user who acts (checked and recorded).")
]
CERTIFICATION_YEARS = 3
RESULT_WORDS = {
    ResultStatus.REGISTERED: msg("registered"),
    ResultStatus.PASSED: msg("passed"),
    ResultStatus.FAILED: msg("failed"),
}


def _line(text: str, indent: int = 0) -> None:
    """Print ``text`` as it is: no markup, no highlighting (names are data)."""
    out.print(" " * indent + text, markup=False, highlight=False)


def _acting(uow: UnitOfWork, email: str) -> Principal:
    return institution_service.principal_for(uow=uow, email=email)


def _cipher() -> PersonalDataCipher:
    return PersonalDataCipher.from_base64(get_settings().data_key.get_secret_value())


def _name(name: str, name_en: str) -> str:
    return name_en if state.language == "en" and name_en else name


def _tally(tally: TallyRead) -> str:
    rate = "-" if tally.pass_rate is None else f"{tally.pass_rate}%"
    return say(
        msg(
            "{registered} registered ({exempt} fee-exempt), {assessed} assessed, "
            "{certified} certified, pass rate {rate}",
            registered=tally.registered,
            exempt=tally.fee_exempt,
            assessed=tally.assessed,
            certified=tally.certified,
            rate=rate,
        )
    )


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
    """X certificates: provider, approval round, industry area, levels and pilot schools."""
    with unit_of_work() as uow:
        found = [
            XcertRead.of(x, state.language)
            for x in service.list_xcerts(uow=uow, approval_round=approval_round, provider=provider)
        ]
    if as_json:
        print_json(found)
        return
    if not found:
        _line(say(msg("No X certificate matches")))
        return
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for heading in (
        _("Certificate"),
        _("Name"),
        _("Provider"),
        _("Round"),
        _("Industry"),
        _("Pilot schools"),
        _("Assessment centres"),
    ):
        table.add_column(heading)
    for xcert in found:
        profile = xcert.profile
        table.add_row(
            Text(xcert.code),
            Text(_name(xcert.name, xcert.name_en)),
            Text(_name(xcert.provider.name, xcert.provider.name_en)),
            str(xcert.approval_round or ""),
            Text(_name(profile.industry, profile.industry_en) if profile else ""),
            str(xcert.pilot_schools),
            str(xcert.assessment_centres),
        )
    out.print(table)


def _print_xcert(xcert: XcertDetailRead) -> None:
    _line(f"{xcert.code} {_name(xcert.name, xcert.name_en)}")
    _line(
        f"{_('Provider')}: {_name(xcert.provider.name, xcert.provider.name_en)} · "
        + say(msg("approval round {round}", round=xcert.approval_round or "-"))
    )
    if xcert.profile is not None:
        validity = (
            say(msg("valid for {years} years", years=xcert.profile.valid_years))
            if xcert.profile.valid_years
            else say(msg("valid without limit"))
        )
        _line(
            f"{_('Industry')}: {_name(xcert.profile.industry, xcert.profile.industry_en)}"
            f" · {validity}"
        )
    _line(_("Assessment schemes"))
    for scheme in xcert.schemes:
        parts = " / ".join(f"{c.kind.value} {c.weight}" for c in scheme.components)
        described = (
            say(
                msg(
                    "{parts}, pass mark {mark} (version {version})",
                    parts=parts,
                    mark=scheme.pass_mark,
                    version=scheme.version,
                )
            )
            if scheme.version is not None
            else say(msg("no scheme yet"))
        )
        _line(f"{scheme.level.code} {scheme.level.name}: {described}", indent=2)
    _line(_("Pilot schools"))
    if not xcert.offerings:
        _line(_("none"), indent=2)
    for offering in xcert.offerings:
        centre = f" · {_('assessment centre')}" if offering.assessment_centre else ""
        _line(
            f"{offering.school.code} {_name(offering.school.name, offering.school.name_en)} "
            f"({offering.school.region}) · {offering.level.code}{centre}",
            indent=2,
        )
    _line(_("Teachers and assessors"))
    if not xcert.certifications:
        _line(_("none"), indent=2)
    for certification in xcert.certifications:
        _line(
            f"{certification.email} · {certification.kind} · {certification.level or '*'} · "
            f"{certification.valid_from.isoformat()}/{certification.valid_until.isoformat()}",
            indent=2,
        )
    _line(_("Assessment sessions"))
    if not xcert.sessions:
        _line(_("none"), indent=2)
    for session in xcert.sessions:
        _print_session_line(session, indent=2)


def _print_session_line(session: SessionRead, indent: int = 0) -> None:
    _line(
        f"#{session.id} {session.held_on.isoformat()} {session.xcert} {session.level.code} @ "
        f"{session.centre.code} · {_tally(session.candidates)}",
        indent=indent,
    )


@xcert_app.command("show")
def show_xcert(
    code: Annotated[str, typer.Argument(help="The certificate's code (or OWNER:CODE).")],
    as_json: JsonOption = False,
) -> None:
    """An X certificate: schemes per level, pilot schools, teachers and sessions."""
    with unit_of_work() as uow:
        found = XcertDetailRead.of_detail(service.get_xcert(uow=uow, ref=code), state.language)
    if as_json:
        print_json(found)
        return
    _print_xcert(found)


@xcert_app.command("profile")
def set_profile(
    code: Annotated[str, typer.Argument(help="The certificate's code (or OWNER:CODE).")],
    industry: Annotated[str, typer.Option("--industry", help="The industry area.")],
    acting: AsOption,
    industry_en: Annotated[str, typer.Option("--industry-en", help="In English.")] = "",
    valid_years: Annotated[
        int | None, typer.Option("--valid-years", help="Years a certificate stays valid.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Set a certificate's industry area and validity (its provider's registrars)."""
    with unit_of_work() as uow:
        principal = _acting(uow, acting)
        require(principal, Action.MANAGE_XCERT, service.xcert_owner(uow=uow, ref=code))
        found = XcertDetailRead.of_detail(
            service.set_profile(
                uow=uow,
                ref=code,
                profile=Profile(industry, industry_en, valid_years),
                by=principal.email,
            ),
            state.language,
        )
    if as_json:
        print_json(found)
        return
    _print_xcert(found)


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
    acting: AsOption,
    pass_mark: Annotated[str, typer.Option("--pass-mark", help="Weighted mark to pass.")] = "60",  # noqa: S107
    as_json: JsonOption = False,
) -> None:
    """Set the assessment scheme of one level: weights adding up to 100 and the pass mark."""
    try:
        mark = Decimal(pass_mark)
    except InvalidOperation:
        fail(say(msg("--pass-mark must be a number")))
    scheme = accreditation.Scheme(_components(component), mark)
    with unit_of_work() as uow:
        principal = _acting(uow, acting)
        require(principal, Action.DEFINE_SCHEME, service.xcert_owner(uow=uow, ref=code))
        stored = service.set_level_scheme(
            uow=uow, ref=code, level=level, scheme=scheme, by=principal.email
        )
        [found] = [
            SchemeRead.of(s, state.language)
            for s in service.get_xcert(uow=uow, ref=code).schemes
            if s.level.level_id == stored.level_id
        ]
    if as_json:
        print_json(found)
        return
    _line(
        say(
            msg(
                "Level {level}: {scheme} (version {version})",
                level=found.level.code,
                scheme=stored.scheme.describe(),
                version=found.version,
            )
        )
    )


@xcert_app.command("offer")
def declare_offering(
    code: Annotated[str, typer.Argument(help="The certificate's code (or OWNER:CODE).")],
    school: Annotated[str, typer.Option("--school", help="The pilot school's code.")],
    level: Annotated[str, typer.Option("--level", help="The level it offers.")],
    acting: AsOption,
    centre: Annotated[
        bool, typer.Option("--centre", help="The school is an assessment centre for it.")
    ] = False,
    withdraw: Annotated[
        bool, typer.Option("--withdraw", help="The school no longer offers it.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Declare that a pilot school offers a level (and whether it assesses it)."""
    with unit_of_work() as uow:
        principal = _acting(uow, acting)
        require(principal, Action.MANAGE_XCERT, service.xcert_owner(uow=uow, ref=code))
        found = XcertDetailRead.of_detail(
            service.declare_offering(
                uow=uow,
                ref=code,
                offering=Offering(school, level, centre, active=not withdraw),
                by=principal.email,
            ),
            state.language,
        )
    if as_json:
        print_json(found)
        return
    _print_xcert(found)


@xcert_app.command("teacher")
def train_teacher(
    code: Annotated[str, typer.Argument(help="The certificate's code (or OWNER:CODE).")],
    user: Annotated[str, typer.Option("--user", help="The teacher's e-mail address.")],
    acting: AsOption,
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
    """Record a teacher's training (e.g. the provider's 5-day course) and/or certify them as
    teacher, assessor or both (dual certification); the training comes first."""
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
        certifying = service.Certifying(tuple(certify), level, start, end)
    with unit_of_work() as uow:
        principal = _acting(uow, acting)
        owner = service.xcert_owner(uow=uow, ref=code)
        require(principal, Action.MANAGE_XCERT, owner)
        if certifying is not None:
            require(principal, Action.CERTIFY, owner)
        record = TeacherRead.of(
            service.train_teacher(
                uow=uow,
                cipher=_cipher(),
                ref=code,
                email=user,
                id_number=id_number,
                training=training,
                certifying=certifying,
                by=principal.email,
                today=today,
            )
        )
    if as_json:
        print_json(record)
        return
    if record.training is not None:
        _line(
            say(
                msg(
                    "Training of {email} recorded: {course}, {days} days, completed {date}",
                    email=record.email,
                    course=record.training.course,
                    days=record.training.days,
                    date=record.training.completed_on.isoformat(),
                )
            )
        )
    for made in record.certifications:
        _line(
            say(
                msg(
                    "{email} certified as {kind} of {xcert} ({level}) from {start} to {end}",
                    email=made.email,
                    kind=made.kind,
                    xcert=record.xcert,
                    level=made.level or "*",
                    start=made.valid_from.isoformat(),
                    end=made.valid_until.isoformat(),
                )
            )
        )


# --- sessions ----------------------------------------------------------------------------------


@xcert_app.command("schedule")
def schedule_session(
    code: Annotated[str, typer.Argument(help="The certificate's code (or OWNER:CODE).")],
    centre: Annotated[str, typer.Option("--centre", help="The assessment centre's code.")],
    level: Annotated[str, typer.Option("--level", help="The level assessed.")],
    held_on: Annotated[str, typer.Option("--on", help="The day it is held (ISO date).")],
    acting: AsOption,
    as_json: JsonOption = False,
) -> None:
    """Schedule an assessment session at an assessment centre (its registrars, the provider's)."""
    day = cast("date", parse_date(held_on, "--on"))
    with unit_of_work() as uow:
        principal = _acting(uow, acting)
        owners = [service.xcert_owner(uow=uow, ref=code), centre.strip().upper()]
        require_any(principal, Action.SCHEDULE_SESSION, owners)
        session = SessionRead.of(
            service.schedule_session(
                uow=uow,
                ref=code,
                centre=centre,
                level=level,
                held_on=day,
                by=principal.email,
                today=clock.today(),
            ),
            state.language,
        )
    if as_json:
        print_json(session)
        return
    _line(say(msg("Session {id} scheduled", id=session.id)))
    _print_session_line(session)


@xcert_app.command("register")
def register_candidate(
    session_id: Annotated[int, typer.Argument(help="The session's id.")],
    account: Annotated[str, typer.Argument(help="The learner's account number.")],
    acting: AsOption,
    fee_exempt: Annotated[
        bool,
        typer.Option(
            "--fee-exempt", help="A student from a family with financial difficulties: no fee."
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Register a learner for a session by account number (the centre's registrars)."""
    with unit_of_work() as uow:
        principal = _acting(uow, acting)
        centre, _provider = service.session_parties(uow=uow, session_id=session_id)
        require(principal, Action.REGISTER_CANDIDATE, centre)
        candidate = CandidateRead.of(
            service.register_candidate(
                uow=uow,
                session_id=session_id,
                account_number=account,
                fee_exempt=fee_exempt,
                by=principal.email,
            )
        )
    if as_json:
        print_json(candidate)
        return
    _line(
        say(
            msg(
                "{account} registered for session {id} (fee-exempt)",
                account=candidate.account_number,
                id=session_id,
            )
            if candidate.fee_exempt
            else msg(
                "{account} registered for session {id}",
                account=candidate.account_number,
                id=session_id,
            )
        )
    )


def _print_session(detail: SessionDetailRead) -> None:
    _print_session_line(detail)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    for heading in (
        _("Account"),
        _("Fee-exempt"),
        _("Result"),
        _("Weighted mark"),
        _("Marks"),
        _("Outcome"),
    ):
        table.add_column(heading)
    for candidate in detail.registrations:
        table.add_row(
            candidate.account_number,
            _("yes") if candidate.fee_exempt else "",
            say(RESULT_WORDS[candidate.status]),
            "" if candidate.weighted is None else str(candidate.weighted),
            ", ".join(f"{kind} {mark}" for kind, mark in candidate.marks.items()),
            candidate.outcome or "",
        )
    out.print(table)


@xcert_app.command("session")
def show_session(
    session_id: Annotated[int, typer.Argument(help="The session's id.")],
    as_json: JsonOption = False,
) -> None:
    """A session with its candidates, their results and outcomes."""
    with unit_of_work() as uow:
        detail = SessionDetailRead.of_detail(
            service.get_session(uow=uow, session_id=session_id), state.language
        )
    if as_json:
        print_json(detail)
        return
    _print_session(detail)


@xcert_app.command("results")
def record_results(
    session_id: Annotated[int, typer.Argument(help="The session's id.")],
    file: Annotated[Path, typer.Argument(help="CSV, XLSX or JSON Lines: id_number, name, marks.")],
    assessor: Annotated[
        str, typer.Option("--assessor", help="E-mail of the certified assessor who marked.")
    ],
    acting: AsOption,
    file_format: Annotated[
        FileFormat | None, typer.Option("--format", help="Default: from the file's extension.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Record a session's results, all or nothing (the provider's registrars): marks weighed by
    the level's scheme; the passing candidates receive the certificate in their accounts."""
    if not file.is_file():
        fail(say(msg("{file} is not a file", file=str(file))))
    database = open_database()
    try:
        with database.unit_of_work() as uow:
            principal = _acting(uow, acting)
            _centre, provider = service.session_parties(uow=uow, session_id=session_id)
            require(principal, Action.RECORD_RESULTS, provider)
        chosen = file_format or FileFormat.of(file.name)
        with file.open("rb") as stream:
            header, rows = read_results(stream, chosen, limits_of(get_settings()))
        recorded = ResultsRead.of(
            service.record_results(
                database=database,
                cipher=_cipher(),
                session_id=session_id,
                header=header,
                rows=rows,
                assessor=assessor,
                by=principal.email,
                filename=file.name,
                file_format=chosen,
                today=clock.today(),
            ),
            state.language,
        )
    except DomainError as error:
        fail(error.render(_))
    finally:
        database.dispose()
    if as_json:
        print_json(recorded)
        return
    _line(
        say(
            msg(
                "Results recorded: {assessed} assessed, {passed} passed, {failed} failed "
                "(deposit batch {batch})",
                assessed=recorded.assessed,
                passed=recorded.passed,
                failed=recorded.failed,
                batch=recorded.batch,
            )
        )
    )
    _print_session(recorded.session)


@xcert_app.command("stats")
def show_stats(as_json: JsonOption = False) -> None:
    """Certificates by round, pilot schools by type, candidates by province and certificate."""
    with unit_of_work() as uow:
        found = StatsRead.of(service.stats(uow=uow), state.language)
    if as_json:
        print_json(found)
        return
    _line(
        say(
            msg(
                "{certificates} X certificates, {schools} pilot schools, {sessions} sessions",
                certificates=found.certificates,
                schools=found.pilot_schools,
                sessions=found.sessions,
            )
        )
    )
    _line(_tally(found.candidates))
    _line(_("Certificates by approval round"))
    for entry in found.certificates_by_round:
        _line(
            say(
                msg("round {round}: {count}", round=entry.approval_round, count=entry.certificates)
            ),
            indent=2,
        )
    _line(_("Pilot schools by type"))
    for school in found.pilot_schools_by_type:
        _line(f"{school.type}: {school.schools}", indent=2)
    _line(_("Candidates by province"))
    for province in found.by_province:
        _line(f"{province.province}: {_tally(province)}", indent=2)
    _line(_("Candidates by certificate"))
    for certificate in found.by_certificate:
        _line(f"{certificate.xcert} {certificate.name}: {_tally(certificate)}", indent=2)


GROUPS = ((xcert_app, "xcert"),)
