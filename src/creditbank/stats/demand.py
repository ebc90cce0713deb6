"""Skills in demand against skills held: the open jobs employers posted (demand) and the
learners whose outcomes give them the skills (supply), by skill, occupation or region.

Demand is read live: the open jobs are few rows (``jobs.api.open_jobs``). Supply is read from
the snapshot a bank administrator's refresh counted (``stats.supply``: counting it per request
cost 0.5-1.2 s at 100,000 learners), with its "as of" time; before any refresh the learners'
counts are shown as "-" and the table says so (``FigureTable.counted`` False), never counted live.

- **jobs**: open jobs. By skill: the open jobs that ask for the skill (essential or optional);
  by occupation: the open jobs whose occupation it is (a job without one in "not stated"); by
  region: the open jobs of the region (a region as its ISO 3166-2 code where it is one of
  China's). The total is every open job.
- **learners**: the learners who hold the skill through an outcome that still counts (neither
  revoked nor superseded) of an item, at a level, that an alignment in force gives the skill, as
  counted at the snapshot's time. By occupation: the learners holding at least one of the
  occupation's skills; by region: the learners holding a skill from an outcome of an
  institution of the region. The total is every learner holding an aligned skill. A learner
  holds many skills, and may have learned them in several regions, so rows overlap: they need
  not add up to the total.

Who may read it: anyone, as the public summary: nothing in it is a person's. Small counts of
**learners** are suppressed with the statistics' rule (``creditbank.suppression``, threshold
``CREDITBANK_STATS_SUPPRESS_BELOW``): a count ``0 < n < threshold`` is "<10", and the rows are
treated as if they added up to the total, so that a second count is hidden wherever one alone
would be (the rows overlap little by region; by skill and occupation it costs little). Counts
of **jobs** are shown as counted: a posted job is an enterprise's public offer, not a person.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from creditbank.access.policy import LearnerPrincipal, Principal
from creditbank.db import UnitOfWork
from creditbank.jobs import api as job_posts
from creditbank.messages import msg
from creditbank.occupations import api as occupations
from creditbank.regions import region_of
from creditbank.skills import api as skills
from creditbank.stats import naming
from creditbank.stats.commands import ShowSkillDemand
from creditbank.stats.figures import threshold
from creditbank.stats.model import (
    NOT_STATED,
    SKILL_DEMAND,
    FigureRow,
    FigureTable,
    StatsError,
)
from creditbank.stats.supply import SkillSupply, read_supply
from creditbank.suppression import Figure, figure, hidden_in_table
from creditbank.usecases import handler

JOBS: Final = "jobs"
LEARNERS: Final = "learners"
BREAKDOWNS: Final = SKILL_DEMAND.by


NOT_COUNTED: Final = "-"
"""A count of learners before any refresh counted them."""


@dataclass
class _Count:
    """A row's open jobs and learners, as they are counted."""

    jobs: int = 0
    learner_count: int = 0


@handler
def show_skill_demand(
    query: ShowSkillDemand,
    *,
    principal: Principal | LearnerPrincipal | None,
    uow: UnitOfWork,
    suppress_below: int | None = None,
) -> FigureTable:
    """Public: open jobs and the learners holding the skills they ask for, by ``query.by``
    (skill, occupation or region), small counts of learners suppressed."""
    del principal  # public, as the summary
    if query.by not in BREAKDOWNS:
        raise StatsError(
            "unknown_breakdown",
            msg(
                "the figure {figure} cannot be broken down by {by}; it can by: {allowed}",
                figure=SKILL_DEMAND.name,
                by=query.by,
                allowed=", ".join(BREAKDOWNS),
            ),
        )
    below = threshold(uow, suppress_below)
    open_jobs = job_posts.open_jobs(uow)
    supply = read_supply(uow, breakdown=query.by)
    held = {} if supply is None else supply.by(query.by)
    if query.by == "skill":
        rows, labels = _by_skill(uow, open_jobs, held)
    elif query.by == "occupation":
        rows, labels = _by_occupation(uow, open_jobs, held)
    else:
        rows, labels = _by_region(uow, open_jobs, held)
    return _table(query.by, rows, labels, len(open_jobs), supply, below)


def _by_skill(
    uow: UnitOfWork, open_jobs: Iterable[job_posts.Job], held: Mapping[str, int]
) -> tuple[dict[str, _Count], naming.Labels]:
    """Rows by skill (its URI): the open jobs asking for it, the learners holding it."""
    asked: dict[int, int] = defaultdict(int)
    for job in open_jobs:
        for skill_id in {one.skill_id for one in job.skills}:
            asked[skill_id] += 1
    found = {skill.uri: skill for skill in skills.get_skills(uow, list(asked)).values()}
    found |= skills.skills_by_uri(uow, [uri for uri in held if uri not in found])
    rows: dict[str, _Count] = {}
    labels: naming.Labels = {}
    for skill in found.values():
        rows[skill.uri] = _Count(jobs=asked.get(skill.id, 0), learner_count=held.get(skill.uri, 0))
        labels[skill.uri] = (skill.name, skill.name_en or skill.name)
    return rows, labels


def _by_occupation(
    uow: UnitOfWork, open_jobs: Iterable[job_posts.Job], held: Mapping[str, int]
) -> tuple[dict[str, _Count], naming.Labels]:
    """Rows by occupation code: the open jobs for it (none: "not stated"), the learners
    holding at least one of its skills."""
    rows: dict[str, _Count] = defaultdict(_Count)
    for job in open_jobs:
        rows[job.occupation or ""].jobs += 1
    for code, learners in held.items():
        rows[code].learner_count = learners
    names = occupations.occupation_names(uow, [code for code in rows if code])
    labels: naming.Labels = {
        code: (name, name_en or name) for code, (name, name_en) in names.items()
    }
    if "" in rows:
        labels[""] = naming.both(NOT_STATED)
    return dict(rows), labels


def _by_region(
    uow: UnitOfWork, open_jobs: Iterable[job_posts.Job], held: Mapping[str, int]
) -> tuple[dict[str, _Count], naming.Labels]:
    """Rows by region: the open jobs of the region, the learners holding a skill from an
    outcome of an institution of the region (one the bank cannot place: "not stated")."""
    rows: dict[str, _Count] = defaultdict(_Count)
    for job in open_jobs:
        rows[_region(job.region)].jobs += 1
    for region, learners in held.items():
        rows[region].learner_count = learners
    return dict(rows), naming.labels(uow, "region", list(rows))


def _region(written: str) -> str:
    """A region as the statistics group it: its ISO 3166-2 code where it is one of China's."""
    region = region_of(written)
    return region[0] if region else written.strip()


def _order(by: str, value: str, count: _Count) -> tuple[object, ...]:
    """Skills most asked for first, then by URI; occupations and regions by code; "not stated"
    last. Never by the learners' count: a row's place would tell a suppressed count's size."""
    if by == "skill":
        return (-count.jobs, value)
    return (value == "", value)


def _table(  # noqa: PLR0917 - the figure's parts, each named
    by: str,
    rows: Mapping[str, _Count],
    labels: Mapping[str, tuple[str, str]],
    total_jobs: int,
    supply: SkillSupply | None,
    below: int,
) -> FigureTable:
    """The figure as shown: the learners' counts suppressed (with their complements, as if the
    rows added up to the total), the jobs' shown; the learners "-" when never counted."""
    ordered = sorted(rows.items(), key=lambda item: _order(by, item[0], item[1]))
    last = len(ordered)
    learners = {index: count.learner_count for index, (_, count) in enumerate(ordered)}
    learners[last] = 0 if supply is None else supply.total
    hidden = hidden_in_table(learners, below, sums=[(last, list(range(last)))] if last else [])

    def row(index: int, value: str, label: tuple[str, str], jobs_counted: int) -> FigureRow:
        held = (
            Figure(None, NOT_COUNTED)
            if supply is None
            else figure(learners[index], below, hidden=index in hidden)
        )
        return FigureRow(
            value=value,
            label=label[0],
            label_en=label[1],
            counts={JOBS: jobs_counted, LEARNERS: held.value},
            shown={JOBS: str(jobs_counted), LEARNERS: held.shown},
            amounts={},
        )

    return FigureTable(
        figure=SKILL_DEMAND.name,
        by=by,
        measures=SKILL_DEMAND.measure_names,
        rows=tuple(
            row(index, value, labels.get(value, (value, value)), count.jobs)
            for index, (value, count) in enumerate(ordered)
        ),
        total=row(last, "", naming.total_labels(), total_jobs),
        suppress_below=below,
        scope=None,
        start=None,
        end=None,
        as_of=None if supply is None else supply.as_of,
        counted=supply is not None,
    )
