"""Matching at scale (issue 20): one learner's gap analysis under 200 ms p95; one job against
1,000,000 consenting learners under 10 s.

    python -m benchmarks.matching [--learners 1000000] [--samples 100] [--match-samples 3]
                                  [--backend both|sqlite|postgresql] [--smoke]

For each backend, on a fresh database with the built-in frameworks:

- **The world**, built through the services: tests/matching_world.py (the conversion world:
  SHVC's BIM diploma whose approved rule exempts two courses for BIMTEO's X certificate BIM-X;
  occupations; skills; four approved alignments), then ``EXTRA_SKILLS`` more skills the BIM
  technician occupation (4-08-08-23) requires, ``COURSES`` more courses of SHVC (1 to 4
  credits), each aligned (drafted, submitted, approved by another user, logged) to 1 to 3 of the
  occupation's skills or of ``OTHER_SKILLS`` skills no occupation requires (a fixed seed), and one
  learner with BIM-X at intermediate and ``HELD`` of those courses, deposited through the service.
- **1. One learner's gap analysis** (SAMPLES, timed one by one after ``WARM_UP`` untimed runs):
  ``matching.gaps.show_gaps`` in its own unit of work, end to end, as ``GET
  /api/v1/accounts/{number}/gaps?occupation=4-08-08-23`` calls it: the learner's skills (their
  outcomes' alignments in force, and what the conversion engine's plan would give), the
  occupation's skills, the items teaching what is missing, the smallest set by
  ``scipy.optimize.milp``. **Ceiling:** the raw SELECTs any gap analysis must send, on a DBAPI
  connection: the learner's standing outcomes with their items' alignments in force, the
  occupation's skills, the alignments teaching them with the items' credits; then a commit.
- **2. One job against LEARNERS consenting learners.** LEARNERS learners are written straight
  into ``learners`` and ``outcomes`` (``PER_LEARNER`` outcomes each, of the aligned courses; no
  ledger entries, no sealed personal data), each with an active consent to be matched, then
  ``ANALYZE``. A job requiring ``JOB_SKILLS`` of the occupation's skills is posted through the
  jobs area. Timed (MATCH_SAMPLES runs): ``matching.matches.match_job`` end to end (the SQL
  shortlist over every consenting learner, then each shortlisted learner's skills with
  conversion, ranked, and their names). **Ceiling:** the shortlist's one raw SQL (the count of
  the job's skills per consenting learner's standing outcomes, the top 100) on a DBAPI
  connection.

PostgreSQL runs in a throwaway cluster (autovacuum on; ``VACUUM``ed after the fill, as autovacuum
does to a table only inserted into); both databases are ``ANALYZE``d after the
fill. The run prints the load average at its start and end.
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import text
from tests import conversion_world
from tests import matching_world as world

from benchmarks.databases import Databases, add_server_argument, databases_of
from benchmarks.stats import percentiles
from benchmarks.transcript import account_number
from creditbank.access.policy import OPERATOR
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.tables import LearnerRow
from creditbank.alignments import store as alignment_store
from creditbank.bootstrap import initialise
from creditbank.catalog import service as catalog
from creditbank.catalog.model import ItemDraft, ItemKind
from creditbank.db import Database, insert_rows
from creditbank.matching import gaps, matches
from creditbank.matching.commands import MatchJob, ShowGaps
from creditbank.matching.model import ESSENTIAL
from creditbank.skills import api as skills
from creditbank.skills import importing as skills_importing
from creditbank.skills.commands import ImportSkills

SEED = 20261207
EXTRA_SKILLS = 36
OTHER_SKILLS = 20
COURSES = 200
HELD = 30
PER_LEARNER = 3
JOB_SKILLS = 10
WARM_UP = 5
FILL_CHUNK = 200_000
URI = "urn:bench:matching:"


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f} (1 min) / {five:.1f} (5 min)"


def timed(call: Callable[[], object], samples: int, warm_up: int) -> list[float]:
    for _ in range(warm_up):
        call()
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return times


@dataclass(frozen=True)
class Bench:
    base: world.World
    learner: str
    courses: list[tuple[int, int]]
    """(item id, level id) of each aligned course."""
    required: list[int]
    """The occupation's required skill ids."""
    setup_seconds: float


def build(database: Database, courses: int) -> Bench:
    started = time.perf_counter()
    rng = random.Random(SEED)  # noqa: S311 - made-up data, not secrets
    with database.unit_of_work() as uow:
        base = world.build(uow)
        lines = ["uri,name,name_en,kind,occupation,relation"]
        lines += [
            f"{URI}bim{n},BIM 任务 {n},BIM task {n},task,{world.BIM},essential"
            for n in range(EXTRA_SKILLS)
        ]
        lines += [
            f"{URI}other{n},其他技能 {n},Other skill {n},skill,," for n in range(OTHER_SKILLS)
        ]
        skills_importing.import_skills(
            ImportSkills("\n".join(lines).encode(), "bench.csv", "Bench", "1", "CC0"),
            principal=OPERATOR,
            uow=uow,
        )
        required = [r.skill.id for r in skills.occupation_skills(uow, world.BIM)]
        uris = [f"{URI}bim{n}" for n in range(EXTRA_SKILLS)]
        uris += [f"{URI}other{n}" for n in range(OTHER_SKILLS)]
        for n in range(courses):
            code = f"C{n:03d}"
            item = catalog.add_item(
                uow=uow,
                draft=ItemDraft(
                    institution="SHVC",
                    code=code,
                    kind=ItemKind.COURSE,
                    name=f"课程 {n}",
                    framework="LOFOUC",
                    levels=("4",),
                    credits=Decimal(rng.randint(1, 4)),
                ),
                on=conversion_world.ON,
            )
            del item
            subject = alignment_store.find_subject(uow, f"SHVC:{code}", None)
            version = alignment_store.draft_alignment(
                uow=uow,
                subject=subject,
                skill_uris=rng.sample(uris, rng.randint(1, 3)),
                note="",
                user_id=base.users.shvc,
            )
            alignment_store.submit_alignment(
                uow=uow, alignment_id=version.id, user_id=base.users.shvc
            )
            alignment_store.approve_alignment(
                uow=uow, alignment_id=version.id, user_id=base.users.admin1
            )
        aligned = []
        for n in range(courses):
            found = catalog.find_item(uow=uow, institution="SHVC", code=f"C{n:03d}")
            assert found is not None
            aligned.append((found.id, found.levels[0].level_id))
        learner = conversion_world.x_certificate_holder(uow, 100)
        for n in rng.sample(range(courses), min(HELD, courses)):
            conversion_world.deposit(
                uow, learner, institution="SHVC", item=f"C{n:03d}", level="4", record=f"H-{n}"
            )
    return Bench(base, learner, aligned, required, time.perf_counter() - started)


# --- part 1 ---------------------------------------------------------------------------------


def gap_analysis(database: Database, bench: Bench, samples: int, warm_up: int) -> list[float]:
    def run() -> None:
        with database.unit_of_work() as uow:
            report = gaps.show_gaps(
                ShowGaps(bench.learner, occupation=world.BIM),
                principal=OPERATOR,
                uow=uow,
                now=datetime.now(UTC),
            )
            assert report.gap.required

    return timed(run, samples, warm_up)


def gap_ceiling(database: Database, bench: Bench, samples: int, warm_up: int) -> list[float]:
    """The raw SELECTs any gap analysis must send, on a DBAPI connection."""
    p = "%s" if _postgres(database) else "?"
    standing = (
        "NOT EXISTS (SELECT 1 FROM outcome_events e WHERE e.outcome_id = o.id"
        " AND e.kind IN ('revoked', 'superseded'))"
    )
    queries = (
        (
            (
                "SELECT o.public_id, o.item_id, o.framework_level_id, a.skill_id FROM outcomes o"  # noqa: S608 - fixed SQL
                " JOIN learners l ON l.id = o.learner_id"
                " LEFT JOIN aligned_skills a ON a.item_id = o.item_id"
                " AND (a.level_id IS NULL OR a.level_id = o.framework_level_id)"
                f" WHERE l.account_number = {p} AND {standing}"
            ),
            (bench.learner,),
        ),
        (
            (
                "SELECT s.id, s.uri, s.name, os.relation FROM occupation_skills os"  # noqa: S608 - fixed SQL
                f" JOIN skills s ON s.id = os.skill_id WHERE os.occupation_code = {p}"
            ),
            (world.BIM,),
        ),
        (
            (
                "SELECT a.item_id, a.level_id, a.skill_id, c.code, c.name, c.credits"  # noqa: S608 - fixed SQL
                " FROM aligned_skills a JOIN catalog_items c ON c.id = a.item_id"
                " WHERE a.skill_id IN (SELECT skill_id FROM occupation_skills"
                f" WHERE occupation_code = {p})"
            ),
            (world.BIM,),
        ),
    )
    connection = database.engine.raw_connection()
    cursor = connection.cursor()

    def read() -> None:
        for query, parameters in queries:
            cursor.execute(query, parameters)
            assert cursor.fetchall()
        connection.commit()

    times = timed(read, samples, warm_up)
    connection.close()
    return times


# --- part 2 ---------------------------------------------------------------------------------


def fill(database: Database, bench: Bench, learners: int) -> float:
    """LEARNERS learners with PER_LEARNER outcomes each of the aligned courses, each consenting
    to be matched; then ANALYZE (and VACUUM on PostgreSQL). Returns the seconds taken."""
    started = time.perf_counter()
    postgres = _postgres(database)
    now = datetime.now(UTC)
    with database.unit_of_work() as uow:
        session = uow.session
        first = (
            int(session.execute(text("SELECT COALESCE(MAX(id), 0) FROM learners")).scalar_one()) + 1
        )
        shvc = session.execute(text("SELECT id FROM institutions WHERE code = 'SHVC'")).scalar_one()
        if postgres:
            session.execute(text("SET LOCAL session_replication_role = replica"))
        for start in range(0, learners, FILL_CHUNK):
            rows = [
                (first + serial, account_number(10_000_000 + serial), now, shvc, None)
                for serial in range(start, min(start + FILL_CHUNK, learners))
            ]
            insert_rows(
                session,
                LearnerRow,
                ["id", "account_number", "opened_at", "opened_by_institution_id", "erased_at"],
                rows,
            )
        if postgres:
            session.execute(
                text("SELECT setval('learners_id_seq', :last)"), {"last": first + learners - 1}
            )
        temporary = "TEMPORARY TABLE" if postgres else "TEMP TABLE"
        session.execute(
            text(
                f"CREATE {temporary} bench_items"
                " (idx INTEGER PRIMARY KEY, item_id INTEGER, level_id INTEGER)"
            )
        )
        session.execute(
            text("INSERT INTO bench_items VALUES (:idx, :item, :level)"),
            [
                {"idx": i, "item": item, "level": level}
                for i, (item, level) in enumerate(bench.courses)
            ],
        )
        k, count = PER_LEARNER, len(bench.courses)
        index = f"((g / {k}) * 7 + (g % {k}) * 61) % {count}"
        public_id = "md5('m-' || g)" if postgres else "printf('m%031x', g)"
        select = (
            "INSERT INTO outcomes (public_id, learner_id, institution_id, record_id, item_id,"  # noqa: S608 - numbers and fixed SQL only
            " framework_level_id, credits, score, assessed_on, setting, deposited_at)"
            f" SELECT {public_id}, {first} + g / {k}, {shvc}, 'M-' || g, b.item_id, b.level_id,"
            " NULL, 80, :day, 'formal', :now"
            f" FROM {{series}} JOIN bench_items b ON b.idx = {index}"
        )
        total = learners * k
        if postgres:
            session.execute(text("SET LOCAL session_replication_role = replica"))
            statement = select.replace("{series}", "generate_series(0, :n - 1) AS g")
            session.execute(text(statement), {"now": now, "n": total, "day": conversion_world.ON})
        else:
            statement = (  # noqa: S608 - numbers and fixed SQL only
                "WITH RECURSIVE s(g) AS (SELECT :low UNION ALL SELECT g + 1 FROM s"
                " WHERE g < :high - 1) "
            ) + select.replace("{series}", "s")
            at = now.strftime("%Y-%m-%d %H:%M:%S.%f")
            for low in range(0, total, 1_000_000):
                session.execute(
                    text(statement),
                    {
                        "now": at,
                        "low": low,
                        "high": min(low + 1_000_000, total),
                        "day": "2026-11-22",
                    },
                )
        session.execute(text("DROP TABLE bench_items"))
        session.execute(
            text(
                "INSERT INTO matching_consents (learner_id, granted_at)"
                " SELECT id, :now FROM learners WHERE id >= :first"
            ),
            {"now": now if postgres else now.strftime("%Y-%m-%d %H:%M:%S.%f"), "first": first},
        )
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        # PostgreSQL: VACUUM too, as autovacuum soon does to a table only inserted into: its
        # visibility map lets the outcomes be read from their index alone
        connection.execute(text("VACUUM ANALYZE" if postgres else "ANALYZE"))
    return time.perf_counter() - started


def match_ceiling(database: Database, required: list[int], samples: int) -> list[float]:
    """The shortlist's one raw SQL on a DBAPI connection: the required skills each consenting
    learner's standing outcomes give, counted; the top 100 (the consent asked with EXISTS, the
    faster form on SQLite, as the service asks it)."""
    skills_list = ", ".join(str(int(s)) for s in required)
    query = (
        "SELECT o.learner_id, COUNT(DISTINCT a.skill_id) AS covered FROM outcomes o"  # noqa: S608 - numbers only
        " JOIN aligned_skills a ON a.item_id = o.item_id"
        " AND (a.level_id IS NULL OR a.level_id = o.framework_level_id)"
        f" WHERE a.skill_id IN ({skills_list})"
        " AND EXISTS (SELECT 1 FROM matching_consents m WHERE m.learner_id = o.learner_id"
        " AND m.withdrawn_at IS NULL)"
        " AND NOT EXISTS (SELECT 1 FROM outcome_events e WHERE e.outcome_id = o.id"
        " AND e.kind IN ('revoked', 'superseded'))"
        " GROUP BY o.learner_id ORDER BY covered DESC, o.learner_id LIMIT 100"
    )
    connection = database.engine.raw_connection()
    cursor = connection.cursor()

    def read() -> None:
        cursor.execute(query)
        assert cursor.fetchall()
        connection.commit()

    times = timed(read, samples, 0)
    connection.close()
    return times


def match(database: Database, job: int, samples: int) -> tuple[list[float], int]:
    cipher = PersonalDataCipher(os.urandom(32))
    shown = 0

    def run() -> None:
        nonlocal shown
        with database.unit_of_work() as uow:
            found = matches.match_job(MatchJob(job), principal=OPERATOR, uow=uow, cipher=cipher)
        shown = len(found.learners)

    return timed(run, samples, 0), shown


def _postgres(database: Database) -> bool:
    return database.engine.dialect.name == "postgresql"


def run(
    backend: str, arguments: argparse.Namespace, workdir: Path, databases: Databases
) -> list[str]:
    url = (
        databases.sqlite(workdir / "matching.db")
        if backend == "sqlite"
        else databases.postgresql("matching")
    )
    database = Database(url)
    initialise(database)
    lines = [f"{backend}: load average at the start {load()}"]
    bench = build(database, 5 if arguments.smoke else COURSES)
    warm_up = 0 if arguments.smoke else WARM_UP
    gap50, gap95 = percentiles(gap_analysis(database, bench, arguments.samples, warm_up))
    raw50, raw95 = percentiles(gap_ceiling(database, bench, arguments.samples, warm_up))
    lines.append(
        f"| {backend} | 1. gap analysis | {gap50:.1f} / **{gap95:.1f}** ms |"
        f" {raw50:.2f} / {raw95:.2f} ms | {gap95 / raw95:.0f}x |"
        f" world {bench.setup_seconds:.0f} s |"
    )
    fill_seconds = fill(database, bench, arguments.learners)
    job_skills = bench.required[:JOB_SKILLS]
    with database.unit_of_work() as uow:
        job = world.post_job(uow, world.ENTERPRISE, dict.fromkeys(job_skills, ESSENTIAL))
    times, shown = match(database, job, arguments.match_samples)
    ceiling = match_ceiling(database, job_skills, arguments.match_samples)
    lines.append(
        f"| {backend} | 2. one job, {arguments.learners:,} consenting learners |"
        f" {min(times):.2f} / **{max(times):.2f}** s (best / worst of {len(times)}),"
        f" {shown} shown | {min(ceiling):.2f} / {max(ceiling):.2f} s |"
        f" {max(times) / max(ceiling):.1f}x | fill {fill_seconds:.0f} s |"
    )
    lines.append(f"{backend}: load average at the end {load()}")
    database.dispose()
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=100)
    parser.add_argument("--match-samples", type=int, default=3)
    parser.add_argument("--backend", choices=["both", "sqlite", "postgresql"], default="both")
    parser.add_argument(
        "--smoke", action="store_true", help="tests/smoke: 5 courses, no warm-up runs"
    )
    add_server_argument(parser)
    arguments = parser.parse_args()
    backends = ["sqlite", "postgresql"] if arguments.backend == "both" else [arguments.backend]
    header = ("database", "what", "ours p50 / p95", "ceiling p50 / p95", "p95 / ceiling", "")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    with tempfile.TemporaryDirectory() as folder, ExitStack() as stack:
        databases = databases_of(stack, arguments, {"autovacuum": "on"})
        for backend in backends:
            for line in run(backend, arguments, Path(folder), databases):
                print(line, flush=True)


if __name__ == "__main__":
    main()
