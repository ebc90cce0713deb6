"""Skills in demand against skills held: the open jobs employers posted (demand) and the
learners whose outcomes give them the skills (supply), by skill, occupation or region.

Read live, not tallied: both sides change without a fact of their own (an alignment approved
or retired changes which outcomes give a skill; a job closed leaves the demand), so the figure
is counted from the records each time it is read:

- **jobs**: open jobs (``jobs.api.open_jobs``). By skill: the open jobs that ask for the skill
  (essential or optional); by occupation: the open jobs whose occupation it is (a job without
  one in "not stated"); by region: the open jobs of the region (a region as its ISO 3166-2 code
  where it is one of China's). The total is every open job.
- **learners**: the learners who hold the skill through an outcome that still counts (neither
  revoked nor superseded) of an item, at a level, that an alignment in force gives the skill
  (``alignments.api.aligned_skills_select`` joined to the outcomes by
  ``accounts.api.held_skills_select``). By occupation: the learners holding at least one of the
  occupation's skills; by region: the learners holding a skill from an outcome of an
  institution of the region (as the institutions area places it now, as the other figures do).
  The total is every learner holding an aligned skill. A learner holds many skills, and may
  have learned them in several regions, so rows overlap: they need not add up to the total.

Who may read it: anyone, as the public summary: nothing in it is a person's. Small counts of
**learners** are suppressed with the statistics' rule (``creditbank.suppression``, threshold
``CREDITBANK_STATS_SUPPRESS_BELOW``): a count ``0 < n < threshold`` is "<10", and the rows are
treated as if they added up to the total, so that a second count is hidden wherever one alone
would be (the rows overlap little by region; by skill and occupation it costs little). Counts
of **jobs** are shown as counted: a posted job is an enterprise's public offer, not a person.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from sqlalchemy import ColumnElement, Integer, String, Subquery, distinct, func, select, text

from creditbank.access.policy import LearnerPrincipal, Principal
from creditbank.accounts import api as accounts
from creditbank.alignments import api as alignments
from creditbank.db import UnitOfWork
from creditbank.institutions import api as institutions
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
from creditbank.suppression import figure, hidden_in_table
from creditbank.usecases import handler

JOBS: Final = "jobs"
LEARNERS: Final = "learners"
BREAKDOWNS: Final = SKILL_DEMAND.by


MAPPED_IN_SQL: Final = 5_000
"""The most (skill or issuer, row) pairs sent to the database as a VALUES table to count each
row's distinct learners there; beyond it the pairs of learners are united in the process."""


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
    held = accounts.held_skills_select(alignments.aligned_skills_select()).subquery()
    total_learners = uow.session.scalar(select(func.count(distinct(held.c.learner_id)))) or 0
    if query.by == "skill":
        rows, labels = _by_skill(uow, open_jobs, held)
    elif query.by == "occupation":
        rows, labels = _by_occupation(uow, open_jobs, held)
    else:
        rows, labels = _by_region(uow, open_jobs, held)
    return _table(query.by, rows, labels, len(open_jobs), total_learners, below)


def _by_skill(
    uow: UnitOfWork, open_jobs: Iterable[job_posts.Job], held: Subquery
) -> tuple[dict[str, _Count], naming.Labels]:
    """Rows by skill (its URI): the open jobs asking for it, the learners holding it."""
    by_id: dict[int, _Count] = defaultdict(_Count)
    for job in open_jobs:
        for skill_id in {asked.skill_id for asked in job.skills}:
            by_id[skill_id].jobs += 1
    counted = uow.session.execute(
        select(held.c.skill_id, func.count(distinct(held.c.learner_id))).group_by(held.c.skill_id)
    )
    for skill_id, learners in counted:
        by_id[int(skill_id)].learner_count = int(learners)
    found = skills.get_skills(uow, list(by_id))
    rows: dict[str, _Count] = {}
    labels: naming.Labels = {}
    for skill_id, count in by_id.items():
        skill = found.get(skill_id)
        if skill is None:
            continue
        rows[skill.uri] = count
        labels[skill.uri] = (skill.name, skill.name_en or skill.name)
    return rows, labels


def _by_occupation(
    uow: UnitOfWork, open_jobs: Iterable[job_posts.Job], held: Subquery
) -> tuple[dict[str, _Count], naming.Labels]:
    """Rows by occupation code: the open jobs for it (none: "not stated"), the learners
    holding at least one of its skills."""
    rows: dict[str, _Count] = defaultdict(_Count)
    for job in open_jobs:
        rows[job.occupation or ""].jobs += 1
    aligned = alignments.aligned_skills_select().subquery()
    in_force = list(uow.session.scalars(select(aligned.c.skill_id).distinct()))
    requiring = skills.occupations_requiring(uow, in_force)
    for code, learners in _learners_by(uow, held, held.c.skill_id, requiring).items():
        rows[code].learner_count = learners
    names = occupations.occupation_names(uow, [code for code in rows if code])
    labels: naming.Labels = {
        code: (name, name_en or name) for code, (name, name_en) in names.items()
    }
    if "" in rows:
        labels[""] = naming.both(NOT_STATED)
    return dict(rows), labels


def _by_region(
    uow: UnitOfWork, open_jobs: Iterable[job_posts.Job], held: Subquery
) -> tuple[dict[str, _Count], naming.Labels]:
    """Rows by region: the open jobs of the region, the learners holding a skill from an
    outcome of an institution of the region (one the bank cannot place: "not stated")."""
    rows: dict[str, _Count] = defaultdict(_Count)
    for job in open_jobs:
        rows[_region(job.region)].jobs += 1
    codes = institutions.institution_codes(uow=uow)  # every issuer: the bank's institutions
    places = naming.places(uow, "region", list(codes.values()))
    placed = {key: [places.get(code, "")] for key, code in codes.items()}
    for region, learners in _learners_by(uow, held, held.c.institution_id, placed).items():
        rows[region].learner_count = learners
    return dict(rows), naming.labels(uow, "region", list(rows))


def _learners_by(
    uow: UnitOfWork, held: Subquery, key: ColumnElement[int], rows: Mapping[int, Sequence[str]]
) -> dict[str, int]:
    """The distinct learners of each row, a ``key`` (a skill, an issuer) counting in each of
    its ``rows``: counted by the database, the keys' rows sent as a VALUES table (up to
    :data:`MAPPED_IN_SQL` pairs; more: the distinct (key, learner) pairs united here). Rows
    without a learner are left out."""
    pairs = [(found, row) for found, named in rows.items() for row in named]
    if not pairs:
        return {}
    if len(pairs) <= MAPPED_IN_SQL:
        mapping = _values(pairs)
        counted = uow.session.execute(
            select(mapping.c.row_value, func.count(distinct(held.c.learner_id)))
            .join_from(held, mapping, mapping.c.key_id == key)
            .group_by(mapping.c.row_value)
        )
        return {str(row): int(learners) for row, learners in counted}
    holders: dict[int, set[int]] = defaultdict(set)
    for found, learner in uow.session.execute(select(key, held.c.learner_id).distinct()):
        holders[int(found)].add(int(learner))
    united: dict[str, set[int]] = defaultdict(set)
    for found, row in pairs:
        united[row] |= holders.get(found, set())
    return {row: len(learners) for row, learners in united.items() if learners}


def _values(pairs: Sequence[tuple[int, str]]) -> Subquery:
    """``pairs`` as a table (``key_id``, ``row_value``) of literal rows, which both databases read
    (SQLite names a VALUES list's columns column1, column2, and takes no column aliases)."""
    names: dict[str, int | str] = {f"k{n}": key for n, (key, _) in enumerate(pairs)}
    names |= {f"r{n}": row for n, (_, row) in enumerate(pairs)}
    listed = ", ".join(f"(:k{n}, :r{n})" for n in range(len(pairs)))
    return (
        text(f"SELECT column1 AS key_id, column2 AS row_value FROM (VALUES {listed}) AS pairs")  # noqa: S608 - placeholders only
        .bindparams(**names)
        .columns(key_id=Integer, row_value=String)
        .subquery("mapping")
    )


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
    total_learners: int,
    below: int,
) -> FigureTable:
    """The figure as shown: the learners' counts suppressed (with their complements, as if the
    rows added up to the total), the jobs' shown."""
    ordered = sorted(rows.items(), key=lambda item: _order(by, item[0], item[1]))
    last = len(ordered)
    learners = {index: count.learner_count for index, (_, count) in enumerate(ordered)}
    learners[last] = total_learners
    hidden = hidden_in_table(learners, below, sums=[(last, list(range(last)))] if last else [])

    def row(index: int, value: str, label: tuple[str, str], jobs_counted: int) -> FigureRow:
        held = figure(learners[index], below, hidden=index in hidden)
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
    )
