"""Skills in demand and held (issue 20): the figure's read before (the learners counted live, per
request) and after (read from the snapshot), and the refresh's cost; and the plans of the joins
of outcomes with the alignments in force (the index on outcomes (item_id, framework_level_id)).

    python -m benchmarks.skill_supply [--learners 100000] [--courses 20] [--samples 3]
                                      [--backend both|sqlite|postgresql] [--explain]

For each backend, on a fresh database with the built-in frameworks: ``benchmarks.matching``'s
world (``build``, COURSES aligned courses) and its fill (LEARNERS learners with 3 outcomes each of
those courses, written straight into the tables, then ``ANALYZE``), and one open job. Timed,
SAMPLES runs each, each in a unit of work of its own:

- **live** (what each request cost before the snapshot): the distinct learners in all and by the
  breakdown asked (``stats.supply.count_total`` and ``COUNTS[by]``: the queries the figure sent
  per request), for skill, occupation and region;
- **snapshot**: ``stats.demand.show_skill_demand`` end to end (the open jobs, the snapshot's rows,
  labels, suppression), for skill, occupation and region;
- **refresh**: ``stats.supply.refresh_skill_supply`` end to end (every breakdown counted, the
  rows replaced, committed);
- **live, no index**: the live count again after dropping migration 0029's index of outcomes by
  item (as each request cost before it).

``--explain`` prints each database's plan of the match's shortlist (``benchmarks.matching``'s raw
ceiling query) and of the count of learners by skill.
"""

from __future__ import annotations

import argparse
import tempfile
from contextlib import ExitStack
from pathlib import Path

from sqlalchemy import text
from tests import matching_world as world

from benchmarks.databases import Databases, add_server_argument, databases_of
from benchmarks.matching import ESSENTIAL, JOB_SKILLS, build, fill, load, timed
from creditbank.access.policy import OPERATOR
from creditbank.bootstrap import initialise
from creditbank.db import Database
from creditbank.stats import demand, supply
from creditbank.stats.commands import RefreshSkillSupply, ShowSkillDemand

INDEX = "ix_outcomes_item_id_framework_level_id"
"""Migration 0029's index of outcomes by item, dropped at the end to time the live count as
it was before."""
SHORTLIST = (
    "SELECT o.learner_id, COUNT(DISTINCT a.skill_id) AS covered FROM outcomes o"
    " JOIN aligned_skills a ON a.item_id = o.item_id"
    " AND (a.level_id IS NULL OR a.level_id = o.framework_level_id)"
    " WHERE a.skill_id IN ({skills})"
    " AND EXISTS (SELECT 1 FROM matching_consents m WHERE m.learner_id = o.learner_id"
    " AND m.withdrawn_at IS NULL)"
    " AND NOT EXISTS (SELECT 1 FROM outcome_events e WHERE e.outcome_id = o.id"
    " AND e.kind IN ('revoked', 'superseded'))"
    " GROUP BY o.learner_id ORDER BY covered DESC, o.learner_id LIMIT 100"
)
BY_SKILL = (
    "SELECT a.skill_id, COUNT(DISTINCT o.learner_id) FROM outcomes o"
    " JOIN aligned_skills a ON a.item_id = o.item_id"
    " AND (a.level_id IS NULL OR a.level_id = o.framework_level_id)"
    " WHERE NOT EXISTS (SELECT 1 FROM outcome_events e WHERE e.outcome_id = o.id"
    " AND e.kind IN ('revoked', 'superseded'))"
    " GROUP BY a.skill_id"
)


def explain(database: Database, required: list[int]) -> list[str]:
    postgres = database.engine.dialect.name == "postgresql"
    prefix = "EXPLAIN" if postgres else "EXPLAIN QUERY PLAN"
    lines = []
    with database.engine.connect() as connection:
        for name, query in (
            ("shortlist", SHORTLIST.format(skills=", ".join(str(int(s)) for s in required))),
            ("learners by skill", BY_SKILL),
        ):
            lines.append(f"-- {name}")
            plan = connection.execute(text(f"{prefix} {query}"))
            lines.extend("   " + " | ".join(str(cell) for cell in row) for row in plan)
    return lines


def live(database: Database, by: str) -> None:
    with database.unit_of_work() as uow:
        supply.count_total(uow)
        supply.COUNTS[by](uow)


def snapshot(database: Database, by: str) -> None:
    with database.unit_of_work() as uow:
        demand.show_skill_demand(ShowSkillDemand(by), principal=None, uow=uow)


def refresh(database: Database) -> None:
    with database.unit_of_work() as uow:
        supply.refresh_skill_supply(RefreshSkillSupply(), principal=OPERATOR, uow=uow)


def run(
    backend: str, arguments: argparse.Namespace, workdir: Path, databases: Databases
) -> list[str]:
    url = (
        databases.sqlite(workdir / "supply.db")
        if backend == "sqlite"
        else databases.postgresql("supply")
    )
    database = Database(url)
    initialise(database)
    bench = build(database, arguments.courses)
    fill_seconds = fill(database, bench, arguments.learners)
    with database.unit_of_work() as uow:
        world.post_job(uow, world.ENTERPRISE, dict.fromkeys(bench.required[:JOB_SKILLS], ESSENTIAL))
    lines = [f"{backend}: load average at the start {load()} (fill {fill_seconds:.0f} s)"]
    if arguments.explain:
        lines += explain(database, bench.required[:JOB_SKILLS])
    refreshed = timed(lambda: refresh(database), arguments.samples, 0)
    lines.append(
        f"| {backend} | refresh | {min(refreshed):.2f} / {max(refreshed):.2f} s (best / worst) |"
    )
    for by in supply.COUNTS:
        before = timed(lambda by=by: live(database, by), arguments.samples, 0)
        after = timed(lambda by=by: snapshot(database, by), arguments.samples, 1)
        lines.append(
            f"| {backend} | by {by} | live {min(before) * 1000:.0f} / {max(before) * 1000:.0f} ms"
            f" | snapshot {min(after) * 1000:.1f} / {max(after) * 1000:.1f} ms |"
        )
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f"DROP INDEX {INDEX}"))
        connection.execute(text("ANALYZE"))
    for by in supply.COUNTS:  # as before migration 0029
        before = timed(lambda by=by: live(database, by), arguments.samples, 0)
        lines.append(
            f"| {backend} | by {by}, no index | live {min(before) * 1000:.0f} /"
            f" {max(before) * 1000:.0f} ms |"
        )
    lines.append(f"{backend}: load average at the end {load()}")
    database.dispose()
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--courses", type=int, default=20)
    parser.add_argument("--samples", type=int, default=3)
    parser.add_argument("--backend", choices=["both", "sqlite", "postgresql"], default="both")
    parser.add_argument("--explain", action="store_true")
    add_server_argument(parser)
    arguments = parser.parse_args()
    backends = ["sqlite", "postgresql"] if arguments.backend == "both" else [arguments.backend]
    with tempfile.TemporaryDirectory() as folder, ExitStack() as stack:
        databases = databases_of(stack, arguments, {"autovacuum": "on"})
        for backend in backends:
            for line in run(backend, arguments, Path(folder), databases):
                print(line, flush=True)


if __name__ == "__main__":
    main()
