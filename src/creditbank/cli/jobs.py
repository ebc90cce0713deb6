"""``creditbank jobs add|list|show|close``: the jobs enterprises post, from the command line
(``jobs match``, a job's consenting learners, is the matching area's: ``cli/matching.py`` adds
it to this module's ``jobs_app``).

Registered by :mod:`creditbank.cli.main` through ``GROUPS``. Commands parse, call a handler and
print; ``--json`` prints what the API answers. Without ``--as`` a command is the bank operator's
(:data:`creditbank.access.policy.OPERATOR`, a bank administrator); with it, the staff user's
(an employer posts and closes their enterprise's jobs).

``add`` without ``--skill`` or ``--accept`` posts nothing: it prints the bank's suggestions for
the title and description (occupations and skills, each with score and matched words), so that
the employer can keep some with ``--accept N`` (the first N skills suggested) or ``--skill URI``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Column

from creditbank.access.policy import OPERATOR, Principal
from creditbank.cli.common import (
    JsonOption,
    _,
    acting,
    fail,
    print_line,
    print_result,
    print_table,
    say,
    unit_of_work,
)
from creditbank.db import UnitOfWork
from creditbank.jobs import postings, views
from creditbank.jobs.commands import CloseJob, ListJobs, PostJob, ShowJob, SuggestForJob
from creditbank.jobs.model import Relation
from creditbank.jobs.schemas import JobListRead, JobRead, SuggestionsRead
from creditbank.messages import msg

jobs_app = typer.Typer(
    help="Jobs enterprises post: their occupation, skills and certificates; the bank's "
    "suggestions for a job's text; the learners who consented to be matched (`jobs match`).",
    no_args_is_help=True,
)

AsUserOption = Annotated[
    str | None,
    typer.Option("--as", help="E-mail of the staff user who acts (default: the bank operator)."),
]
JobArgument = Annotated[int, typer.Argument(help="The job's id.", min=1)]


def _principal(uow: UnitOfWork, as_user: str | None) -> Principal:
    return OPERATOR if as_user is None else acting(uow, as_user)


@jobs_app.command("add")
def add(
    institution: Annotated[str, typer.Option(help="The enterprise's code.")],
    title: Annotated[str, typer.Option(help="The job's title.")],
    region: Annotated[str, typer.Option(help="Where the work is: 上海 or CN-SH.")],
    description: Annotated[str, typer.Option(help="What the job is.")] = "",
    description_file: Annotated[
        Path | None, typer.Option(help="A UTF-8 text file holding the description.")
    ] = None,
    language: Annotated[str, typer.Option(help="zh or en.")] = "zh",
    occupation: Annotated[
        str | None, typer.Option(help="The occupation's code, e.g. 4-08-08-23.")
    ] = None,
    skill: Annotated[
        list[str] | None, typer.Option("--skill", help="An essential skill's URI (repeatable).")
    ] = None,
    optional: Annotated[
        list[str] | None, typer.Option("--optional", help="An optional skill's URI (repeatable).")
    ] = None,
    accept: Annotated[
        int | None,
        typer.Option(
            help="Keep the first N skills the bank suggests (as it proposes them).", min=1
        ),
    ] = None,
    certificate: Annotated[
        list[str] | None,
        typer.Option("--certificate", help="A certificate asked for: OWNER:CODE[@LEVEL]."),
    ] = None,
    as_user: AsUserOption = None,
    as_json: JsonOption = False,
) -> None:
    """Post a job; without --skill, --optional or --accept, print the bank's suggestions for
    its text and post nothing."""
    if description_file is not None:
        if description:
            fail(say(msg("Give --description or --description-file, not both.")))
        if not description_file.is_file():
            fail(say(msg("No file {name}.", name=str(description_file))))
        description = description_file.read_text(encoding="utf-8")
    named = [(uri, Relation.ESSENTIAL.value) for uri in skill or []]
    named += [(uri, Relation.OPTIONAL.value) for uri in optional or []]
    if named and accept is not None:
        fail(say(msg("Give --accept or --skill, not both.")))
    with unit_of_work() as uow:
        principal = _principal(uow, as_user)
        if not named:
            found = postings.suggest_for_job(
                SuggestForJob(title, description, max(accept or 0, 10)),
                principal=principal,
                uow=uow,
            )
            if accept is None:
                print_result(SuggestionsRead.of(found), _print_suggestions, as_json=as_json)
                if not as_json:
                    print_line(
                        say(msg("Nothing posted: keep skills with --accept N or --skill URI."))
                    )
                return
            named = [(s.skill.uri, s.relation) for s in found.skills[:accept]]
        command = PostJob(
            institution=institution,
            title=title,
            description=description,
            language=language,
            region=region,
            occupation=occupation,
            skill_uris=tuple(named),
            certificates=tuple(certificate or ()),
        )
        job = postings.post_job(command, principal=principal, uow=uow, now=datetime.now(UTC))
        shown = views.show_job(ShowJob(job.id), principal=principal, uow=uow)
        result = JobRead.of(shown.job, shown.skills)
    print_result(result, _print_job, as_json=as_json)


def _print_suggestions(found: SuggestionsRead) -> None:
    print_table(
        [_("Occupation"), _("Name"), Column(_("Relevance"), justify="right"), _("Matched words")],
        ([o.code, o.name, f"{o.score:.2f}", " ".join(o.matched_words)] for o in found.occupations),
    )
    for n, s in enumerate(found.skills, 1):
        via = f"  ({_('Via')} {s.via})" if s.via else ""
        matched = " ".join(s.matched_words)
        print_line(f"{n:>3}  {s.score:.2f}  {s.relation:<9}  {s.name}  [{matched}]{via}")
        print_line(s.uri, 5)


def _print_job(job: JobRead) -> None:
    print_line(f"{job.id}  {job.title}  [{job.status}]")
    print_line(f"{job.institution} {job.institution_name}  {job.region}  {job.language}", 2)
    if job.occupation:
        print_line(f"{_('Occupation')}: {job.occupation}", 2)
    for skill in job.skills:
        print_line(f"* {skill.name} ({skill.relation})  {skill.uri}", 2)
    for certificate in job.certificates:
        print_line(f"+ {certificate}", 2)
    print_line(f"{job.posted_at.isoformat()}  {job.posted_by}", 2)
    if job.description:
        print_line(job.description, 2)


@jobs_app.command("list")
def list_jobs(
    institution: Annotated[str | None, typer.Option(help="Only this enterprise's.")] = None,
    status: Annotated[str | None, typer.Option(help="open or closed.")] = None,
    region: Annotated[str | None, typer.Option(help="A region's name or code.")] = None,
    as_user: AsUserOption = None,
    as_json: JsonOption = False,
) -> None:
    """Posted jobs, newest first (as `GET /api/v1/jobs` answers)."""
    with unit_of_work() as uow:
        found = views.list_jobs(
            ListJobs(institution=institution, status=status, region=region),
            principal=_principal(uow, as_user),
            uow=uow,
        )
        result = JobListRead(jobs=[JobRead.of(job, found.skills) for job in found.jobs])
    print_result(result, _print_list, as_json=as_json)


def _print_list(found: JobListRead) -> None:
    if not found.jobs:
        print_line(say(msg("No job is posted.")))
        return
    print_table(
        [Column(_("Id"), justify="right"), _("Title"), _("Institution"), _("Region"), _("Status")],
        ([str(j.id), j.title, j.institution, j.region, j.status] for j in found.jobs),
    )


@jobs_app.command("show")
def show(job: JobArgument, as_user: AsUserOption = None, as_json: JsonOption = False) -> None:
    """One posted job (as `GET /api/v1/jobs/{id}` answers)."""
    with unit_of_work() as uow:
        shown = views.show_job(ShowJob(job), principal=_principal(uow, as_user), uow=uow)
        result = JobRead.of(shown.job, shown.skills)
    print_result(result, _print_job, as_json=as_json)


@jobs_app.command("close")
def close(job: JobArgument, as_user: AsUserOption = None, as_json: JsonOption = False) -> None:
    """Close an open job (its enterprise's employers, or a bank administrator)."""
    with unit_of_work() as uow:
        principal = _principal(uow, as_user)
        postings.close_job(CloseJob(job), principal=principal, uow=uow, now=datetime.now(UTC))
        shown = views.show_job(ShowJob(job), principal=principal, uow=uow)
        result = JobRead.of(shown.job, shown.skills)
    print_result(result, _print_job, as_json=as_json)


GROUPS: tuple[tuple[typer.Typer, str], ...] = ((jobs_app, "jobs"),)
