"""Matching from the command line: ``creditbank gaps NUMBER --occupation CODE | --job ID``,
``creditbank coverage PROGRAMME --occupation CODE | --job ID | --region`` and ``creditbank jobs
match ID`` (on the jobs area's ``jobs`` group).

Registered by :mod:`creditbank.cli.main`: ``top_level`` holds ``gaps`` and ``coverage``; importing
this module adds ``match`` to the ``jobs`` group. Without ``--as`` a command is the bank
operator's (:data:`creditbank.access.policy.OPERATOR`); with it, the staff user's, held to the
same policy as the HTTP API. ``--json`` prints exactly what the API answers.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Column

from creditbank.access.policy import OPERATOR, Principal
from creditbank.accounts.api import PersonalDataCipher
from creditbank.cli.common import (
    JsonOption,
    _,
    acting,
    print_line,
    print_result,
    print_table,
    say,
    state,
    unit_of_work,
)
from creditbank.cli.jobs import jobs_app
from creditbank.db import UnitOfWork
from creditbank.matching import coverage, gaps, matches
from creditbank.matching.commands import MatchJob, ShowCoverage, ShowGaps
from creditbank.matching.schemas import (
    CoverageRead,
    EvidenceRead,
    GapRead,
    MatchesRead,
    SkillRead,
)
from creditbank.messages import msg
from creditbank.settings import get_settings

top_level = typer.Typer()

OccupationOption = Annotated[
    str | None, typer.Option("--occupation", help="An occupation's code, e.g. 4-04-05-04.")
]
JobOption = Annotated[int | None, typer.Option("--job", help="A posted job's id.")]
AsUserOption = Annotated[
    str | None,
    typer.Option("--as", help="E-mail of the staff user who reads (default: the operator)."),
]


def _principal(uow: UnitOfWork, email: str | None) -> Principal:
    return OPERATOR if email is None else acting(uow, email)


def _percent(share: object) -> str:
    return f"{float(str(share)) * 100:.0f}%"


def _skill(skill: SkillRead) -> str:
    return skill.name_en if state.language == "en" and skill.name_en else skill.name


def _evidence(found: EvidenceRead) -> str:
    if found.by_conversion:
        return say(
            msg("{item} by conversion (from {outcome})", item=found.item, outcome=found.outcome)
        )
    return f"{found.outcome} ({found.item} {found.item_name})"


@top_level.command("gaps")
def show_gaps(
    number: Annotated[str, typer.Argument(help="The learner's account number.")],
    occupation: OccupationOption = None,
    job: JobOption = None,
    as_user: AsUserOption = None,
    as_json: JsonOption = False,
) -> None:
    """A learner's gap to an occupation or a posted job: the required skills covered and the
    outcomes that gave them, what is missing, the smallest set of catalogue items closing it
    and what nothing teaches (as `GET /api/v1/accounts/{number}/gaps` answers)."""
    with unit_of_work() as uow:
        found = gaps.show_gaps(
            ShowGaps(number, occupation=occupation, job=job),
            principal=_principal(uow, as_user),
            uow=uow,
            now=datetime.now(UTC),
        )
        shown = GapRead.of(found, state.language)
    print_result(shown, _print_gap, as_json=as_json)


def _print_gap(found: GapRead) -> None:
    target = found.target
    print_line(f"{found.account_number} -> {target.kind} {target.code} {target.name}")
    for line in found.explanation:
        print_line(line, 2)


@top_level.command("coverage")
def show_coverage(
    programme: Annotated[str, typer.Argument(help="The programme's code.")],
    occupation: OccupationOption = None,
    job: JobOption = None,
    region: Annotated[
        bool, typer.Option("--region", help="The open jobs in the programme's region.")
    ] = False,
    as_user: AsUserOption = None,
    as_json: JsonOption = False,
) -> None:
    """How a programme's components cover the skills of an occupation, a job or the open jobs
    of its region, and which required skills no component teaches (as `GET
    /api/v1/programmes/{code}/coverage` answers)."""
    with unit_of_work() as uow:
        found = coverage.show_coverage(
            ShowCoverage(programme, occupation=occupation, job=job, region=region),
            principal=_principal(uow, as_user),
            uow=uow,
        )
        shown = CoverageRead.of(found)
    print_result(shown, _print_coverage, as_json=as_json)


def _print_coverage(found: CoverageRead) -> None:
    print_line(
        say(
            msg(
                "{programme}: {percent} of the required skills taught",
                programme=found.programme,
                percent=_percent(found.share),
            )
        )
    )
    print_table(
        [_("Skill"), _("Required"), Column(_("Demand"), justify="right"), _("Taught by")],
        (
            [
                _skill(row.skill),
                _("yes") if row.required else _("no"),
                str(row.demand),
                ", ".join(t.component for t in row.taught_by) or _("nothing"),
            ]
            for row in found.skills
        ),
    )


@jobs_app.command("match")
def match_job(
    job: Annotated[int, typer.Argument(help="The job's id.")],
    limit: Annotated[int, typer.Option(help="How many learners to show (1-200).")] = 50,
    as_user: AsUserOption = None,
    as_json: JsonOption = False,
) -> None:
    """The learners who consented to be matched, best first for the job: name, account number,
    share of the job's skills covered and the outcomes that gave each (as `GET
    /api/v1/jobs/{id}/matches` answers)."""
    cipher = PersonalDataCipher.from_base64(get_settings().data_key.get_secret_value())
    with unit_of_work() as uow:
        found = matches.match_job(
            MatchJob(job, limit), principal=_principal(uow, as_user), uow=uow, cipher=cipher
        )
        shown = MatchesRead.of(found)
    print_result(shown, _print_matches, as_json=as_json)


def _print_matches(found: MatchesRead) -> None:
    print_line(f"{found.job.code} {found.job.name}")
    if not found.learners:
        print_line(say(msg("No consenting learner has a skill this job asks for.")), 2)
        return
    for learner in found.learners:
        print_line(f"{learner.account_number}  {learner.name or '-'}  {_percent(learner.share)}", 2)
        for covered in learner.covered:
            given = "; ".join(_evidence(e) for e in covered.evidence)
            print_line(f"{_skill(covered.skill)}: {given}", 4)
        if learner.certificates_held:
            held = ", ".join(learner.certificates_held)
            print_line(say(msg("Certificates held: {certificates}", certificates=held)), 4)
        if learner.certificates_missing:
            lacking = ", ".join(learner.certificates_missing)
            print_line(say(msg("Certificates missing: {certificates}", certificates=lacking)), 4)


GROUPS: tuple[tuple[typer.Typer, str], ...] = ()
