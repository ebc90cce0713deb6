"""How ``creditbank xcert`` prints for people: certificates, sessions and the statistics, in
the run's language (``--json`` prints the API's JSON instead)."""

from __future__ import annotations

from rich import box
from rich.table import Table

from creditbank.cli.common import _, out, say, state
from creditbank.messages import msg
from creditbank.xcerts.model import ResultStatus
from creditbank.xcerts.schemas import (
    SessionDetailRead,
    SessionRead,
    StatsRead,
    TallyRead,
    XcertDetailRead,
)

RESULT_WORDS = {
    ResultStatus.REGISTERED: msg("registered"),
    ResultStatus.PASSED: msg("passed"),
    ResultStatus.FAILED: msg("failed"),
}


def print_line(text: str, indent: int = 0) -> None:
    """Print ``text`` as it is: no markup, no highlighting (names are data)."""
    out.print(" " * indent + text, markup=False, highlight=False)


def in_language(name: str, name_en: str) -> str:
    return name_en if state.language == "en" and name_en else name


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
    print_line(_("Pilot schools"))
    if not xcert.offerings:
        print_line(_("none"), indent=2)
    for offering in xcert.offerings:
        centre = f" · {_('assessment centre')}" if offering.assessment_centre else ""
        print_line(
            f"{offering.school.code} {in_language(offering.school.name, offering.school.name_en)} "
            f"({offering.school.region}) · {offering.level.code}{centre}",
            indent=2,
        )
    print_line(_("Teachers and assessors"))
    if not xcert.certifications:
        print_line(_("none"), indent=2)
    for certification in xcert.certifications:
        print_line(
            f"{certification.email} · {certification.kind} · {certification.level or '*'} · "
            f"{certification.valid_from.isoformat()}/{certification.valid_until.isoformat()}",
            indent=2,
        )
    print_line(_("Assessment sessions"))
    if not xcert.sessions:
        print_line(_("none"), indent=2)
    for session in xcert.sessions:
        print_session_line(session, indent=2)


def print_session_line(session: SessionRead, indent: int = 0) -> None:
    print_line(
        f"#{session.id} {session.held_on.isoformat()} {session.xcert} {session.level.code} @ "
        f"{session.centre.code} · {tally_text(session.candidates)}",
        indent=indent,
    )


def print_session(detail: SessionDetailRead) -> None:
    print_session_line(detail)
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
