"""The statistics' use cases: the public summary and list of figures, one figure as a table
(who may read which scope is checked here), and the rebuild.

Who sees what: anyone (no login; learners too) the summary and the list; an institution's staff
the figures of their own institution (asked for none, theirs; another's: refused); bank
administrators and auditors every figure, bank-wide or of any institution; the rebuild is the
bank administrators'.

The suppression threshold is the ``suppress_below`` keyword when a caller gives one, else what
the composition root wired (``SUPPRESS_BELOW`` in the unit of work's session info: the
``stats_suppress_below`` setting), else 10.
"""

from __future__ import annotations

from collections.abc import Sequence

from creditbank.access.policy import (
    AccessError,
    Action,
    LearnerPrincipal,
    Principal,
    allowed,
    require,
)
from creditbank.db import UnitOfWork
from creditbank.institutions import api as institutions
from creditbank.messages import msg
from creditbank.stats.commands import ListFigures, RebuildStats, ShowFigure, ShowSummary
from creditbank.stats.model import FIGURES, FigureSpec, FigureTable, StatsError
from creditbank.stats.reading import breakdowns, read_figure
from creditbank.stats.rebuilding import FactSource, rebuild
from creditbank.usecases import handler

SUPPRESS_BELOW = "creditbank.stats.suppress_below"
"""The key of the suppression threshold in ``Session.info`` (wired from the settings)."""
DEFAULT_SUPPRESS_BELOW = 10
NETWORK = "network"
"""The source of the banks' figures combined (a national bank's): administrators and auditors
read them in detail, anyone their summary by bank (an institution's code means nothing across
banks, so an institution's staff have no figures of their own there)."""
NETWORK_SUMMARY_BY = "bank"

FACT_SOURCES: list[FactSource] = []
"""Rebuild sources (appended by ``bootstrap.wire``; ``stats.api.FACT_SOURCES`` is this list)."""


def threshold(uow: UnitOfWork, suppress_below: int | None) -> int:
    """The suppression threshold: given, wired, or the default."""
    if suppress_below is not None:
        return suppress_below
    wired = uow.session.info.get(SUPPRESS_BELOW)
    return wired if isinstance(wired, int) else DEFAULT_SUPPRESS_BELOW


@handler
def list_figures(
    query: ListFigures, *, principal: Principal | LearnerPrincipal | None, uow: UnitOfWork
) -> list[FigureSpec]:
    """Public: the figures the bank publishes."""
    del query, principal, uow  # public, and fixed
    return list(FIGURES.values())


@handler
def show_summary(
    query: ShowSummary,
    *,
    principal: Principal | LearnerPrincipal | None,
    uow: UnitOfWork,
    suppress_below: int | None = None,
) -> list[FigureTable]:
    """Public: every figure's bank-wide totals by year (the cohorts figure by cohort); from
    the network (banks combined): every figure's totals by bank."""
    del principal  # public figures
    below = threshold(uow, suppress_below)
    return [
        read_figure(
            uow,
            figure=spec.name,
            by=_summary_by(spec, query.source),
            suppress_below=below,
            source=query.source,
        )
        for spec in FIGURES.values()
    ]


@handler
def show_figure(
    query: ShowFigure,
    *,
    principal: Principal | LearnerPrincipal | None,
    uow: UnitOfWork,
    suppress_below: int | None = None,
) -> FigureTable:
    """A figure as a table, for a scope the principal may read: an institution's staff read
    their own institution's (the scope they get when they ask for none), bank administrators
    and auditors any."""
    if not isinstance(principal, Principal):
        raise AccessError(
            "unauthenticated", msg("sign in as the bank's staff to read its figures in detail")
        )
    scope = query.scope
    if query.source == NETWORK and not allowed(principal, Action.READ_STATS, None):
        raise AccessError(
            "forbidden",
            msg("only the bank's administrators and auditors read the banks' figures combined"),
        )
    if scope is None and not allowed(principal, Action.READ_STATS, None):
        scope = principal.institution
    require(principal, Action.READ_STATS, scope)
    if scope is not None and query.source == "bank" and not _known(uow, scope):
        raise StatsError("institution_not_found", msg("there is no institution {code}", code=scope))
    spec = FIGURES.get(query.figure)
    by = query.by or (_first_by(spec) if spec is not None else "year")
    return read_figure(
        uow,
        figure=query.figure,
        by=by,
        scope=scope,
        start=query.start,
        end=query.end,
        suppress_below=threshold(uow, suppress_below),
        source=query.source,
    )


def _known(uow: UnitOfWork, code: str) -> bool:
    return code in institutions.institutions_coded(uow=uow, codes=[code])


def _summary_by(spec: FigureSpec, source: str) -> str:
    """What a summary breaks a figure down by: its years (the cohorts: theirs); the network's
    by bank (the cohorts by cohort: their cells are not kept by bank and cohort at once)."""
    if source == NETWORK and NETWORK_SUMMARY_BY in breakdowns(spec, source):
        return NETWORK_SUMMARY_BY
    return _first_by(spec)


def _first_by(spec: FigureSpec) -> str:
    """What a figure is broken down by when nothing is asked: its years (the cohorts: theirs)."""
    return "year" if "year" in spec.by else spec.by[0]


@handler
def rebuild_stats(
    command: RebuildStats,
    *,
    principal: Principal,
    uow: UnitOfWork,
    sources: Sequence[FactSource] | None = None,
) -> int:
    """Count every figure again from ``sources`` (the wired ``FACT_SOURCES`` when None): the
    number of cells written."""
    del command
    require(principal, Action.REBUILD_STATS, None)
    return rebuild(uow, FACT_SOURCES if sources is None else sources)
