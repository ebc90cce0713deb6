"""``creditbank stats show|skills|rebuild|export|combine``: the statistics the bank publishes,
from the command line.

Registered by :mod:`creditbank.cli.main` through ``GROUPS``. Commands parse, call a handler and
print. They are the bank operator's (:data:`creditbank.access.policy.OPERATOR`, a bank
administrator): ``show`` reads any figure of the bank or of one institution (``--scope``), as the
API's ``GET /api/v1/stats/{figure}`` does, and ``--json`` prints exactly what the API answers;
``skills``, skills in demand and held (``GET /api/v1/stats/skills``).
``rebuild`` counts every figure again from the bank's records; ``export`` writes the bank's
figures as Parquet files for a national bank, which ``combine`` reads, many banks' at once, into
the network's figures (``show --source network``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Column

from creditbank.access.policy import OPERATOR
from creditbank.cli.common import (
    JsonOption,
    _,
    fail,
    in_language,
    print_line,
    print_result,
    print_table,
    say,
    unit_of_work,
)
from creditbank.messages import Message, msg
from creditbank.settings import get_settings
from creditbank.stats import demand, figures, supply
from creditbank.stats.commands import (
    RebuildStats,
    RefreshSkillSupply,
    ShowFigure,
    ShowSkillDemand,
)
from creditbank.stats.exchange import handlers as exchange
from creditbank.stats.exchange.combine import BankExport, CombineReport
from creditbank.stats.exchange.commands import CombineStats, ExportStats
from creditbank.stats.model import DIMENSION_LABELS, FIGURES, SKILL_DEMAND, FigureSpec
from creditbank.stats.schemas import AMOUNT_LABELS, FigureRead, RowRead, SkillDemandRead
from creditbank.web.formats import number

stats_app = typer.Typer(
    help="The statistics the bank publishes: figures by region, institution, level, year and "
    "more, small counts suppressed; their rebuild, export and combination across banks.",
    no_args_is_help=True,
)
ENGINES = ("duckdb", "spark")


def _amount_label(shown: FigureRead, measure: str) -> Message | None:
    """The header of ``measure``'s amount column, if the figure shows its amount."""
    found = AMOUNT_LABELS.get((shown.figure, measure))
    return found if found is not None and measure in shown.total.amounts else None


def _spec(shown: FigureRead) -> FigureSpec | None:
    """The figure's spec: a tallied figure's, or skills in demand and held."""
    return FIGURES.get(shown.figure) or {SKILL_DEMAND.name: SKILL_DEMAND}.get(shown.figure)


def _columns(shown: FigureRead, *, named: bool) -> list[str | Column]:
    spec = _spec(shown)
    labels = dict(spec.measures) if spec is not None else {}
    columns: list[str | Column] = [say(DIMENSION_LABELS.get(shown.by, Message(shown.by)))]
    if named:
        columns.append(_("Name"))
    for measure in shown.measures:
        columns.append(Column(say(labels.get(measure, Message(measure))), justify="right"))
        amount = _amount_label(shown, measure)
        if amount is not None:
            columns.append(Column(say(amount), justify="right"))
    return columns


def _cells(shown: FigureRead, row: RowRead, *, named: bool) -> list[str]:
    name = in_language(row.label, row.label_en)
    if row is shown.total:
        cells = [name, ""] if named else [name]
    else:
        cells = [row.value, name] if named else [row.value]
    for measure in shown.measures:
        text = row.shown.get(measure, "")
        cells.append(text)
        if _amount_label(shown, measure) is not None:
            amount = row.amounts.get(measure)
            cells.append(text if amount is None else number(amount))
    return cells


def _print_figure(shown: FigureRead) -> None:
    spec = _spec(shown)
    title = say(spec.label) if spec is not None else shown.figure
    scope = shown.scope or say(msg("the whole bank"))
    named = any(row.label != row.value or row.label_en != row.value for row in shown.rows)
    rows = [_cells(shown, row, named=named) for row in [*shown.rows, shown.total]]
    print_table(_columns(shown, named=named), rows, title=f"{title} ({scope})")
    print_line(
        say(
            msg(
                "Counts from 1 to {last} are shown as <{n}; x hides a count from which a small "
                "one could be worked out.",
                last=shown.suppress_below - 1,
                n=shown.suppress_below,
            )
        )
    )


@stats_app.command("show")
def show(
    figure: Annotated[
        str,
        typer.Argument(
            help="accounts, outcomes, accreditation, conversion, cohorts, xcerts or recognition."
        ),
    ],
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            metavar="DIMENSION",
            help="region, institution, institution_type, level, certificate, setting, kind, "
            "sex, age, peer, cohort, year, month or all (what the figure allows; bank too with "
            "--source network); default: year, or the cohorts' cohort.",
        ),
    ] = None,
    start: Annotated[
        str | None, typer.Option("--from", metavar="PERIOD", help="The first YYYY or YYYY-MM.")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", metavar="PERIOD", help="The last YYYY or YYYY-MM.")
    ] = None,
    scope: Annotated[
        str | None,
        typer.Option(
            "--scope", metavar="CODE", help="An institution's figures (default: the bank's)."
        ),
    ] = None,
    source: Annotated[
        str,
        typer.Option(
            "--source", help="bank, or network: the banks' figures combined here (by bank too)."
        ),
    ] = "bank",
    as_json: JsonOption = False,
) -> None:
    """A figure (accounts, outcomes, accreditation, conversion, cohorts, xcerts, recognition)
    broken down by a dimension over a period, of the bank or one institution, small counts
    shown as <10 (as `GET /api/v1/stats/{figure}` answers)."""
    query = ShowFigure(figure=figure, by=by, scope=scope, start=start, end=end, source=source)
    threshold = get_settings().stats_suppress_below
    with unit_of_work() as uow:
        table = figures.show_figure(query, principal=OPERATOR, uow=uow, suppress_below=threshold)
        shown = FigureRead.of(table)
    print_result(shown, _print_figure, as_json=as_json)


@stats_app.command("skills")
def skills(
    by: Annotated[
        str,
        typer.Option("--by", metavar="DIMENSION", help="skill (default), occupation or region."),
    ] = "skill",
    as_json: JsonOption = False,
) -> None:
    """Skills in demand and held: open jobs against the learners holding the skills they ask
    for, by skill, occupation or region, small counts of learners shown as <10 (as
    `GET /api/v1/stats/skills` answers)."""
    threshold = get_settings().stats_suppress_below
    with unit_of_work() as uow:
        table = demand.show_skill_demand(
            ShowSkillDemand(by=by), principal=OPERATOR, uow=uow, suppress_below=threshold
        )
        shown = SkillDemandRead.of(table)
    print_result(shown, _print_skill_demand, as_json=as_json)


def _print_skill_demand(shown: SkillDemandRead) -> None:
    _print_figure(shown)
    if shown.as_of is None:
        print_line(
            say(
                msg(
                    "The learners holding skills have not been counted yet: a bank "
                    "administrator counts them with creditbank stats refresh-skills."
                )
            )
        )
    else:
        when = shown.as_of.strftime("%Y-%m-%d %H:%M:%S UTC")
        print_line(say(msg("Learners holding skills as counted on {when}.", when=when)))


@stats_app.command("refresh-skills")
def refresh_skills() -> None:
    """Count the learners holding each aligned skill again, for skills in demand and held (the
    figure reads these counts, "as of" this refresh; if another refresh counts meanwhile, this
    one leaves it)."""
    with unit_of_work() as uow:
        seen = supply.supply_refreshes(uow)
    with unit_of_work() as uow:
        done = supply.refresh_skill_supply(
            RefreshSkillSupply(seen=seen), principal=OPERATOR, uow=uow
        )
    when = done.as_of.strftime("%Y-%m-%d %H:%M:%S UTC")
    if done.counted:
        print_line(
            say(msg("Skills held counted: {rows} rows, as of {when}.", rows=done.rows, when=when))
        )
    else:
        print_line(
            say(
                msg(
                    "Another refresh counted the skills held meanwhile: {rows} rows, as of {when}.",
                    rows=done.rows,
                    when=when,
                )
            )
        )


@stats_app.command("rebuild")
def rebuild() -> None:
    """Count every figure again from the bank's records (sex and age bands, which no record
    keeps, stay as they were counted)."""
    with unit_of_work() as uow:
        rebuilt = figures.rebuild_stats(RebuildStats(), principal=OPERATOR, uow=uow)
    print_line(say(msg("Figures rebuilt from the bank's records: {cells} cells.", cells=rebuilt)))


def _print_export(export: BankExport) -> None:
    print_line(
        say(
            msg(
                "Exported the figures of {origin} to {directory} (counts below {n} suppressed "
                "in facts.parquet):",
                origin=export.origin,
                directory=str(export.directory),
                n=export.threshold,
            )
        )
    )
    for name, rows in sorted(export.rows.items()):
        print_line(f"{name}  {rows}  sha256:{export.sha256[name]}", indent=2)


@stats_app.command("export")
def export(
    directory: Annotated[
        Path, typer.Option("--output", "-o", metavar="DIR", help="The directory to write to.")
    ],
    file_format: Annotated[
        str, typer.Option("--format", help="parquet (the only format).")
    ] = "parquet",
) -> None:
    """Write the bank's figures for a national bank: cells.parquet (every cell), facts.parquet
    (the de-identified facts, small counts suppressed) and manifest.json (rows, sha256)."""
    if file_format != "parquet":
        fail(say(msg("--format must be parquet")))
    threshold = get_settings().stats_suppress_below
    with unit_of_work() as uow:
        written = exchange.export_statistics(
            ExportStats(directory), principal=OPERATOR, uow=uow, suppress_below=threshold
        )
    _print_export(written)


def _print_combined(report: CombineReport) -> None:
    print_line(
        say(
            msg(
                "Figures combined on {engine}: exports of banks: {banks}; cells: {cells}.",
                banks=len(report.banks),
                engine=report.engine,
                cells=report.cells,
            )
        )
    )
    for bank in report.banks:
        print_line(f"{bank.origin}  {bank.exported_at}  {bank.directory}", indent=2)


@stats_app.command("combine")
def combine(
    directories: Annotated[
        list[Path], typer.Argument(metavar="DIR", help="Directories of banks' exports.")
    ],
    engine: Annotated[
        str, typer.Option("--engine", help="duckdb (embedded, the default) or spark.")
    ] = "duckdb",
) -> None:
    """Combine many banks' exports into the network's figures (replacing the previous
    combination's), read with `stats show --source network`."""
    if engine not in ENGINES:
        fail(say(msg("--engine must be one of {engines}", engines=", ".join(ENGINES))))
    master = get_settings().spark_master
    command = CombineStats(tuple(directories), engine)
    with unit_of_work() as uow:
        report = exchange.combine_statistics(
            command, principal=OPERATOR, uow=uow, spark_master=master
        )
    _print_combined(report)


GROUPS = ((stats_app, "stats"),)
