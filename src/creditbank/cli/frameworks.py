"""``creditbank frameworks ...`` and ``creditbank crosswalk``: the qualifications frameworks.

The registry is public, so its queries act as no one; publishing a framework from a file is
the bank's act, taken at the console by the operator
(:data:`creditbank.access.policy.OPERATOR`), and records the ``--actor`` as its publisher.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from creditbank import clock
from creditbank.access.policy import OPERATOR
from creditbank.cli.common import JsonOption, _, fail, out, print_json, say, state, unit_of_work
from creditbank.frameworks import publishing, views
from creditbank.frameworks.commands import (
    CompareLevels,
    ListFrameworks,
    PublishFramework,
    ShowFramework,
    TranslateLevel,
)
from creditbank.frameworks.crosswalk import LevelRef
from creditbank.frameworks.files import read_framework_file
from creditbank.frameworks.model import Domain
from creditbank.frameworks.schemas import (
    ComparisonRead,
    CrosswalkQueryRead,
    FrameworkRead,
    FrameworkSummaryRead,
)
from creditbank.messages import msg

frameworks_app = typer.Typer(help="Qualifications frameworks.", no_args_is_help=True)
top_level = typer.Typer()  # commands of the main level (`creditbank ...`)


@frameworks_app.command("list")
def list_frameworks(as_json: JsonOption = False) -> None:
    """The frameworks: latest version and the version in force today."""
    with unit_of_work() as uow:
        summaries = [
            FrameworkSummaryRead.of(s)
            for s in views.list_frameworks(ListFrameworks(clock.today()), principal=None, uow=uow)
        ]
    if as_json:
        print_json(summaries)
        return
    table = Table(title=_("Qualifications frameworks"))
    headings = (_("Code"), _("Name"), _("Version"), _("In force from"), _("In force today"))
    for heading in (*headings, _("Levels")):
        table.add_column(heading)
    for summary in summaries:
        name = summary.name.zh if state.language == "zh" else summary.name.en
        table.add_row(
            summary.code,
            name,
            str(summary.version),
            summary.effective_from.isoformat(),
            str(summary.in_force),
            str(summary.levels),
        )
    out.print(table)


@frameworks_app.command("show")
def show_framework(
    code: Annotated[str, typer.Argument(help="Framework code, e.g. NVQC.")],
    version: Annotated[int | None, typer.Option(help="A version; default: the latest.")] = None,
    as_json: JsonOption = False,
) -> None:
    """A framework's tracks, levels and descriptors (latest version unless `--version`)."""
    with unit_of_work() as uow:
        detail = views.show_framework(ShowFramework(code, version), principal=None, uow=uow)
    framework = detail.framework
    if as_json:
        print_json(FrameworkRead.of(framework, detail.versions))
        return
    out.print(
        f"[bold]{framework.code}[/] {framework.name.get(state.language)} · "
        + say(
            msg(
                "version {version}, in force from {date}",
                version=framework.version,
                date=framework.effective_from.isoformat(),
            )
        )
    )
    out.print(f"{_('Source')}: {framework.source}", highlight=False)
    for track in framework.tracks:
        table = Table(title=track.name.get(state.language) if len(framework.tracks) > 1 else None)
        for heading in (_("Level"), _("Name"), _("Knowledge"), _("Skills"), _("Competency")):
            table.add_column(heading)
        for level in track.levels_highest_first():
            descriptors = [
                level.descriptors[domain].get(state.language) if domain in level.descriptors else ""
                for domain in Domain
            ]
            table.add_row(level.code, level.name.get(state.language), *descriptors)
        out.print(table)


@frameworks_app.command("compare")
def compare(
    code: Annotated[str, typer.Argument(help="Framework code, e.g. NVQC.")],
    a: Annotated[str, typer.Argument(help="A level code.")],
    b: Annotated[str, typer.Argument(help="Another level code.")],
    as_json: JsonOption = False,
) -> None:
    """Whether level A is at least level B, by the framework's own order."""
    with unit_of_work() as uow:
        query = CompareLevels(code, a, b, clock.today())
        result = views.compare_levels(query, principal=None, uow=uow)
    if as_json:
        print_json(
            ComparisonRead(
                framework=code.upper(), a=a, b=b, comparison=result, a_at_least_b=result >= 0
            )
        )
        return
    a_ref, b_ref = f"{code.upper()}:{a}", f"{code.upper()}:{b}"
    verdicts = {
        1: msg("{a} is higher than {b}", a=a_ref, b=b_ref),
        0: msg("{a} is the same level as {b}", a=a_ref, b=b_ref),
        -1: msg("{a} is lower than {b}", a=a_ref, b=b_ref),
    }
    out.print(say(verdicts[result]))


@frameworks_app.command("import")
def import_framework(
    file: Annotated[Path, typer.Argument(help="A framework definition (.toml or .json).")],
    actor: Annotated[str, typer.Option(metavar="WHO", help="Who publishes it (recorded).")] = "cli",
) -> None:
    """Publish a framework definition (TOML or JSON): a new framework, or the next version of an
    existing one; `--actor` is recorded as its publisher."""
    if not file.is_file():
        fail(say(msg("{file} is not a file", file=str(file))))
    with unit_of_work() as uow:
        command = PublishFramework(read_framework_file(file), actor)
        framework = publishing.publish_framework(command, principal=OPERATOR, uow=uow)
    out.print(
        say(
            msg(
                "Published {framework} version {version}, in force from {date}",
                framework=framework.code,
                version=framework.version,
                date=framework.effective_from.isoformat(),
            )
        )
    )


@top_level.command()
def crosswalk(
    level: Annotated[
        str, typer.Argument(metavar="FRAMEWORK:LEVEL", help="FRAMEWORK:LEVEL, e.g. NVQC:3")
    ],
    to: Annotated[
        str, typer.Option("--to", metavar="FRAMEWORK", help="Target framework, e.g. QCPTP")
    ],
    as_json: JsonOption = False,
) -> None:
    """The corresponding level(s) of another framework, with path and kind, e.g. `creditbank
    crosswalk NVQC:3 --to QCPTP`."""
    with unit_of_work() as uow:
        query = TranslateLevel(LevelRef.parse(level), to)
        answer = views.translate_level(query, principal=None, uow=uow)
    if as_json:
        print_json(CrosswalkQueryRead.of(answer))
        return
    if not answer.routes:
        out.print(
            say(
                msg(
                    "No crosswalk connects {level} to {framework}",
                    level=str(answer.origin),
                    framework=answer.target,
                )
            )
        )
        raise typer.Exit(0)
    for route in answer.routes:
        kind = _(route.kind.value)
        style = "green" if route.kind.value == "published" else "yellow"
        name = answer.target_levels[route.target].name.get(state.language)
        out.print(f"[bold]{route.target}[/] {name}  [{style}]{kind}[/]", highlight=False)
        out.print("  " + " → ".join(str(ref) for ref in route.path), highlight=False)
        for step in route.steps:
            out.print(
                f"    {step.crosswalk}: {_(step.kind.value)} · {step.source}", highlight=False
            )


GROUPS = ((frameworks_app, "frameworks"),)
