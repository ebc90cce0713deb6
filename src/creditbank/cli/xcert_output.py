"""How ``creditbank xcert`` prints for people: certificates, teachers, sessions, results and
the statistics, in the run's language (``--json`` prints the API's JSON instead)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from creditbank.cli.common import _, in_language, print_line, print_table, say
from creditbank.messages import msg
from creditbank.xcerts.model import ResultStatus
from creditbank.xcerts.schemas import (
    CandidateRead,
    ResultsRead,
    SessionDetailRead,
    SessionRead,
    StatsRead,
    TallyRead,
    TeacherRead,
    XcertDetailRead,
    XcertRead,
)

RESULT_WORDS = {
    ResultStatus.REGISTERED: msg("registered"),
    ResultStatus.PASSED: msg("passed"),
    ResultStatus.FAILED: msg("failed"),
}


def tally_text(tally: TallyRead) -> str:
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


def print_xcert(xcert: XcertDetailRead) -> None:
    print_line(f"{xcert.code} {in_language(xcert.name, xcert.name_en)}")
    print_line(
        f"{_('Provider')}: {in_language(xcert.provider.name, xcert.provider.name_en)} · "
        + say(msg("approval round {round}", round=xcert.approval_round or "-"))
    )
    if xcert.profile is not None:
        validity = (
            say(msg("valid for {years} years", years=xcert.profile.valid_years))
            if xcert.profile.valid_years
            else say(msg("valid without limit"))
        )
        print_line(
            f"{_('Industry')}: {in_language(xcert.profile.industry, xcert.profile.industry_en)}"
            f" · {validity}"
        )
    print_line(_("Assessment schemes"))
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
        print_line(f"{scheme.level.code} {scheme.level.name}: {described}", indent=2)
    _print_section(
        _("Pilot schools"),
        [
            f"{o.school.code} {in_language(o.school.name, o.school.name_en)} "
            f"({o.school.region}) · {o.level.code}"
            + (f" · {_('assessment centre')}" if o.assessment_centre else "")
            for o in xcert.offerings
        ],
    )
    _print_section(
        _("Teachers and assessors"),
        [
            f"{c.email} · {c.kind} · {c.level or '*'} · "
            f"{c.valid_from.isoformat()}/{c.valid_until.isoformat()}"
            for c in xcert.certifications
        ],
    )
    _print_section(_("Assessment sessions"), [session_text(s) for s in xcert.sessions])


def _print_section(heading: str, lines: Sequence[str]) -> None:
    """``heading``, then each line indented (``none`` when there is none)."""
    print_line(heading)
    for line in lines or [_("none")]:
        print_line(line, indent=2)


def print_xcerts(found: Sequence[XcertRead]) -> None:
    """Certificates as a table."""
    if not found:
        print_line(say(msg("No X certificate matches")))
        return
    headings = (
        _("Certificate"),
        _("Name"),
        _("Provider"),
        _("Round"),
        _("Industry"),
        _("Pilot schools"),
        _("Assessment centres"),
    )
    print_table(
        headings,
        [
            (
                Text(xcert.code),
                Text(in_language(xcert.name, xcert.name_en)),
                Text(in_language(xcert.provider.name, xcert.provider.name_en)),
                str(xcert.approval_round or ""),
                Text(
                    in_language(xcert.profile.industry, xcert.profile.industry_en)
                    if xcert.profile
                    else ""
                ),
                str(xcert.pilot_schools),
                str(xcert.assessment_centres),
            )
            for xcert in found
        ],
    )


def print_teacher(record: TeacherRead) -> None:
    """A teacher's recorded training and certifications, a line each."""
    if record.training is not None:
        print_line(
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
        print_line(
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


def session_text(session: SessionRead) -> str:
    """A session in one line: id, day, certificate, level, centre, candidates' figures."""
    return (
        f"#{session.id} {session.held_on.isoformat()} {session.xcert} {session.level.code} @ "
        f"{session.centre.code} · {tally_text(session.candidates)}"
    )


def print_scheduled(session: SessionRead) -> None:
    print_line(say(msg("Session {id} scheduled", id=session.id)))
    print_line(session_text(session))


def print_registered(candidate: CandidateRead, session_id: int) -> None:
    print_line(
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


def print_session(detail: SessionDetailRead) -> None:
    print_line(session_text(detail))
    headings = (
        _("Account"),
        _("Fee-exempt"),
        _("Result"),
        _("Weighted mark"),
        _("Marks"),
        _("Outcome"),
    )
    print_table(
        headings,
        [
            (
                candidate.account_number,
                _("yes") if candidate.fee_exempt else "",
                say(RESULT_WORDS[candidate.status]),
                "" if candidate.weighted is None else str(candidate.weighted),
                ", ".join(f"{kind} {mark}" for kind, mark in candidate.marks.items()),
                candidate.outcome or "",
            )
            for candidate in detail.registrations
        ],
    )


def print_results(recorded: ResultsRead) -> None:
    print_line(
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
    print_session(recorded.session)


def print_stats(found: StatsRead) -> None:
    """The figures, a few lines each."""
    print_line(
        say(
            msg(
                "{certificates} X certificates, {schools} pilot schools, {sessions} sessions",
                certificates=found.certificates,
                schools=found.pilot_schools,
                sessions=found.sessions,
            )
        )
    )
    print_line(tally_text(found.candidates))
    print_line(_("Certificates by approval round"))
    for entry in found.certificates_by_round:
        print_line(
            say(
                msg("round {round}: {count}", round=entry.approval_round, count=entry.certificates)
            ),
            indent=2,
        )
    print_line(_("Pilot schools by type"))
    for school in found.pilot_schools_by_type:
        print_line(f"{school.type}: {school.schools}", indent=2)
    print_line(_("Candidates by province"))
    for province in found.by_province:
        print_line(f"{province.province}: {tally_text(province)}", indent=2)
    print_line(_("Candidates by certificate"))
    for certificate in found.by_certificate:
        print_line(f"{certificate.xcert} {certificate.name}: {tally_text(certificate)}", indent=2)
