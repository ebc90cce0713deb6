"""The use cases of the statistics, one frozen dataclass each (the exports and combines across
banks are ``stats.exchange.commands``')."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ShowSummary:
    """The public summary: every figure's bank-wide totals, in all and by year (the cohorts
    figure by cohort), small counts suppressed; from ``source`` "network" (banks combined, a
    national bank's): every figure's totals across the banks and by bank."""

    source: str = "bank"


@dataclass(frozen=True, slots=True)
class ListFigures:
    """The figures the bank publishes: their measures and what they can be broken down by."""


@dataclass(frozen=True, slots=True)
class ShowFigure:
    """Figure ``figure`` broken down ``by`` a dimension (None: by year, or by the figure's first
    dimension when it has no year, as the cohorts) over ``start``..``end`` ("YYYY" or "YYYY-MM";
    None: unbounded), for institution ``scope`` (None: the bank, or an institution's staff their
    own), from ``source`` "bank" (this bank) or "network" (banks combined)."""

    figure: str
    by: str | None = None
    scope: str | None = None
    start: str | None = None
    end: str | None = None
    source: str = "bank"


@dataclass(frozen=True, slots=True)
class RebuildStats:
    """Count every figure again from the bank's records (the sex and age counters stay)."""


@dataclass(frozen=True, slots=True)
class ShowSkillDemand:
    """Skills in demand against skills held: open jobs and the learners holding the skills
    they ask for, broken down ``by`` skill, occupation or region (``stats.demand``)."""

    by: str = "skill"


@dataclass(frozen=True, slots=True)
class RefreshSkillSupply:
    """Count the learners holding each aligned skill again into the snapshot that "skills in
    demand and held" reads (``stats.supply``). ``seen``: the refreshes the caller saw counted
    (``SkillSupply.refreshes``); when another refresh has counted since, this one does nothing
    (of two refreshes at once, one counts). None: refresh whatever happened meanwhile."""

    seen: int | None = None
