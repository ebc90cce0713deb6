"""The bank's statistics at scale: every figure read in under 200 ms p95 (issue 19).

    python -m benchmarks.stats [--facts 10000000] [--samples 30] [--chunk 10000]
                               [--backend both|sqlite|postgresql]

For each backend, on a fresh database with the built-in frameworks and 300 institutions in 16
regions (10 institution types), FACTS outcome facts are made up with a fixed seed, spread as a
bank's are: in batches (a bulk file: one institution, one month of 2017-2026, 20 to 1,000
outcomes of one to three items, each item a kind, a setting, one of the built-in frameworks'
first 60 levels for 90% of them, and one of 150 certificates of 20 training-evaluation
organisations for X certificates), the institutions weighted 1/(rank + 5) (a few big, many
small), 3% revoked in a later month. The other figures in proportion: accounts opened FACTS /
20 (in batches, with sex and age bands) and as many cohort learners, first conversions FACTS /
100 (1-3 years or later after), conversion requests FACTS / 50 (in batches of a programme's
month; 80% confirmed), accreditation FACTS / 200 (applications, decisions, 5% appealed), 1+X
FACTS / 10 registrations (in sessions of 10-60 candidates; fee-exempt, assessed, certified)
and recognition between banks FACTS / 500 (30 peers).

They are tallied through the real path: ``stats.api.tally`` in a unit of work per CHUNK facts
(as a bulk deposit's chunk is), written by the before-commit upsert. Then, for every figure and
every ``by`` it allows: bank-wide over all time, for the busiest institution (its scope, as its
staff see it) over all time, and bank-wide from 2018-07 to 2025-06 (whole years from the
roll-ups, the half years around them from the monthly cells), SAMPLES reads through the
``ShowFigure`` handler (``stats.figures.show_figure`` in its own unit of work, as the API and
pages call it: the queries, the labels, the suppression), after 3 untimed warm-up reads; and,
in the same run, a raw indexed read: a primary-key SELECT of one ``stat_cells`` row on a DBAPI
connection. Prints p50 and p95 of each, and the worst p95.

PostgreSQL runs in a throwaway cluster with autovacuum on (as in production; the test clusters
turn it off); both databases are ``ANALYZE``d after the fill (PostgreSQL also vacuumed, which
its autovacuum would do after such a fill).
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import text

from benchmarks.databases import Databases, add_server_argument, databases_of
from creditbank.access.policy import Principal
from creditbank.bootstrap import initialise
from creditbank.db import Database
from creditbank.institutions import service as institutions
from creditbank.institutions.model import InstitutionType, Role
from creditbank.stats import figures
from creditbank.stats.api import FIGURES, Fact, tally
from creditbank.stats.commands import ShowFigure

SEED = 20261207
ADMIN = Principal(user_id=0, email="bench@bank.example", role=Role.BANK_ADMIN, institution=None)
REGIONS = (
    "CN-BJ", "CN-TJ", "CN-HE", "CN-SH", "CN-JS", "CN-ZJ", "CN-AH", "CN-FJ",
    "CN-SD", "CN-HB", "CN-HN", "CN-GD", "CN-CQ", "CN-SC", "CN-SN", "CN-YN",
)  # fmt: skip
INSTITUTIONS = 300
CERTIFICATE_OWNERS = 20
CERTIFICATES = 150
LEVELS = 60
PEERS = 30
FIRST_YEAR = 2017
YEARS = 10
SETTINGS = ("formal", "non_formal", "informal")
KINDS = ("course", "qualification", "x_certificate", "accredited_unit", "transferred_credit")
SEXES = ("female", "male", "unknown")
AGES = ("<20", "20-29", "30-39", "40-49", "50-59", "60+", "unknown")
SUPPRESS_BELOW = 10
WARM_UP = 3
PERIOD = ("2018-07", "2025-06")
"""The bounded period read too: whole years from the roll-ups, the half years around them
from the monthly cells."""


@dataclass(frozen=True)
class World:
    """What the made-up facts are spread over."""

    institutions: tuple[str, ...]
    weights: tuple[float, ...]
    levels: tuple[str, ...]
    certificates: tuple[str, ...]
    peers: tuple[str, ...]


def build_world(database: Database, size: int = INSTITUTIONS) -> World:
    """300 institutions in 16 regions (the first 20 training-evaluation organisations, owners of
    the certificates), the levels of the built-in frameworks."""
    types = list(InstitutionType)
    codes = []
    with database.unit_of_work() as uow:
        for number in range(size):
            code = f"I{number:03d}"
            kind = (
                InstitutionType.TRAINING_EVALUATION_ORGANISATION
                if number < CERTIFICATE_OWNERS
                else types[number % len(types)]
            )
            institutions.add_institution(
                uow=uow,
                code=code,
                name=f"机构{number:03d}",
                name_en=f"Institution {number:03d}",
                type=kind,
                region=REGIONS[number % len(REGIONS)],
            )
            codes.append(code)
        levels = [
            f"{row.code}@{row.version}:{row.level}"
            for row in uow.session.execute(
                text(
                    "SELECT v.code, v.version, l.code AS level FROM framework_levels l"
                    " JOIN framework_versions v ON v.id = l.framework_version_id"
                    " ORDER BY v.code, l.position"
                )
            )
        ][:LEVELS]
    certificates = tuple(
        f"{codes[number % CERTIFICATE_OWNERS]}:X{number:03d}" for number in range(CERTIFICATES)
    )
    weights = tuple(1 / (rank + 5) for rank in range(size))  # a few big, many small
    peers = tuple(f"bank{number:02d}.example/log" for number in range(PEERS))
    return World(tuple(codes), weights, tuple(levels), certificates, peers)


class _Maker:
    """Made-up facts of each figure, from one seeded random source."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.chance = random.Random(SEED)  # noqa: S311 - made-up figures, not secrets
        self.months = [
            date(FIRST_YEAR + month // 12, month % 12 + 1, 1) for month in range(12 * YEARS)
        ]

    def month(self) -> date:
        return self.chance.choice(self.months)

    def institution(self) -> str:
        return self.chance.choices(self.world.institutions, self.world.weights)[0]

    def level(self) -> str:
        return self.chance.choice(self.world.levels)

    def batch(self, smallest: int, largest: int) -> tuple[date, str, int]:
        """A batch of facts made together: its month, institution and size."""
        return self.month(), self.institution(), self.chance.randint(smallest, largest)

    def outcomes(self, total: int) -> Iterator[Fact]:
        """Deposits in batches (a bulk file: one institution, one month, 20 to 1,000
        outcomes of one to three items), 3% of them revoked later."""
        chance, made = self.chance, 0
        while made < total:
            when, at, size = self.batch(20, 1000)
            items = []
            for _ in range(chance.randint(1, 3)):
                kind = chance.choice(KINDS)
                dims = {"setting": chance.choice(SETTINGS), "kind": kind}
                if kind == "x_certificate":
                    dims["certificate"] = chance.choice(self.world.certificates)
                if chance.random() < 0.9:  # most outcomes are at a level
                    dims["level"] = self.level()
                items.append(dims)
            for _ in range(min(size, total - made)):
                dims = chance.choice(items)
                yield Fact("outcomes", "deposited", when, at, dims, amount=Decimal(3))
                if chance.random() < 0.03:
                    later = self.month()
                    yield Fact("outcomes", "revoked", later, at, dims, amount=Decimal(3))
                made += 1

    def accounts_and_cohorts(self, total: int) -> Iterator[Fact]:
        """Accounts opened in batches (sex and age band of each learner); each learner's
        first outcome (cohort) and, for a fifth of them, first conversion."""
        chance, made = self.chance, 0
        while made < total // 20:
            when, at, size = self.batch(10, 300)
            for _ in range(size):
                dims = {"sex": chance.choice(SEXES), "age": chance.choice(AGES)}
                yield Fact("accounts", "opened", when, at, dims)
                first = self.month()
                yield Fact("cohorts", "learners", first, None, {"cohort": str(first.year)})
                made += 1
        for _ in range(total // 100):
            cohort = chance.randrange(FIRST_YEAR, FIRST_YEAR + YEARS)
            after = chance.choice(("1", "2", "3", "later"))
            year = min(cohort + (4 if after == "later" else int(after)), FIRST_YEAR + YEARS - 1)
            when = date(year, chance.randrange(1, 13), 1)
            yield Fact("cohorts", "converted", when, None, {"cohort": str(cohort), "after": after})

    def conversion_and_accreditation(self, total: int) -> Iterator[Fact]:
        chance = self.chance
        made = 0
        while made < total // 50:  # a programme's requests of a month
            when, at, size = self.batch(5, 50)
            level = {"level": self.level()}
            for _ in range(size):
                yield Fact("conversion", "requested", when, at, level)
                if chance.random() < 0.8:
                    yield Fact("conversion", "confirmed", when, at, level, amount=Decimal(6))
                made += 1
        centres = self.world.institutions[:CERTIFICATE_OWNERS]
        for _ in range(total // 200):
            when, centre, level = self.month(), chance.choice(centres), {"level": self.level()}
            yield Fact("accreditation", "applied", when, centre, level)
            outcome = "accredited" if chance.random() < 0.7 else "not_accredited"
            yield Fact("accreditation", outcome, when, centre, level)
            yield Fact("accreditation", "decided", when, centre, level, amount=Decimal(40))
            if chance.random() < 0.05:
                yield Fact("accreditation", "appealed", when, centre, level)

    def xcerts_and_recognition(self, total: int) -> Iterator[Fact]:
        """1+X sessions (a school, a month, a certificate at a level, 10 to 60 candidates:
        registered, some fee-exempt, most assessed, most of those certified); packages and
        recognised outcomes with 30 peer banks."""
        chance, made = self.chance, 0
        while made < total // 10:
            when, school, size = self.batch(10, 60)
            dims = {"certificate": chance.choice(self.world.certificates), "level": self.level()}
            for _ in range(size):
                yield Fact("xcerts", "registered", when, school, dims)
                for measure, share in (("fee_exempt", 0.3), ("assessed", 0.9), ("certified", 0.6)):
                    if chance.random() < share:
                        yield Fact("xcerts", measure, when, school, dims)
                made += 1
        for _ in range(total // 500):
            when, peer = self.month(), {"peer": chance.choice(self.world.peers)}
            yield Fact("recognition", chance.choice(("exported", "imported")), when, None, peer)
            count = chance.randrange(1, 8)
            yield Fact("recognition", "recognised", when, None, peer, count=count)


def made_up_facts(world: World, total: int) -> Iterator[Fact]:
    """``total`` outcome facts and the other figures' in proportion (see the module)."""
    maker = _Maker(world)
    yield from maker.outcomes(total)
    yield from maker.accounts_and_cohorts(total)
    yield from maker.conversion_and_accreditation(total)
    yield from maker.xcerts_and_recognition(total)


def fill(database: Database, world: World, total: int, chunk: int) -> tuple[int, float]:
    """Tally the made-up facts, ``chunk`` per unit of work: (facts, seconds)."""
    started = time.perf_counter()
    made = 0
    batch: list[Fact] = []
    for fact in made_up_facts(world, total):
        batch.append(fact)
        if len(batch) == chunk:
            with database.unit_of_work() as uow:
                tally(uow, batch)
            made += len(batch)
            batch = []
    with database.unit_of_work() as uow:
        tally(uow, batch)
    made += len(batch)
    maintain = "VACUUM ANALYZE stat_cells" if _postgres(database) else "ANALYZE"
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(maintain))
    return made, time.perf_counter() - started


def _postgres(database: Database) -> bool:
    return database.engine.dialect.name == "postgresql"


def percentiles(samples: list[float]) -> tuple[float, float]:
    """p50 and p95 in milliseconds."""
    if len(samples) == 1:
        return samples[0] * 1000, samples[0] * 1000
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[94] * 1000


def timed(call: Callable[[], object], samples: int, warm_up: int = WARM_UP) -> list[float]:
    for _ in range(warm_up):
        call()
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return times


def busiest(database: Database) -> str:
    with database.unit_of_work() as uow:
        return str(
            uow.session.execute(
                text(
                    "SELECT value FROM stat_cells WHERE figure = 'outcomes' AND scope = ''"
                    " AND dim = 'institution' GROUP BY value ORDER BY SUM(n) DESC LIMIT 1"
                )
            ).scalar_one()
        )


Rows = list[tuple[str, ...]]


def measure(database: Database, samples: int, warm_up: int) -> tuple[Rows, list[float]]:
    """Rows (figure, by, scope, period, p50, p95) and the raw reads' times."""
    scope = busiest(database)
    rows: Rows = []
    for spec in FIGURES.values():
        for by in spec.by:
            for asked, start, end in ((None, None, None), (scope, None, None), (None, *PERIOD)):
                if asked is not None and spec.name in {"cohorts", "recognition"}:
                    continue  # bank-wide figures: no institution's scope
                query = ShowFigure(spec.name, by, scope=asked, start=start, end=end)

                def read(query: ShowFigure = query) -> None:
                    with database.unit_of_work() as uow:
                        figures.show_figure(
                            query, principal=ADMIN, uow=uow, suppress_below=SUPPRESS_BELOW
                        )

                p50, p95 = percentiles(timed(read, samples, warm_up))
                period = f"{start}..{end}" if start else "all"
                rows.append((spec.name, by, asked or "bank", period, f"{p50:.1f}", f"{p95:.1f}"))
    return rows, raw_reads(database, scope, samples, warm_up)


def raw_reads(database: Database, scope: str, samples: int, warm_up: int) -> list[float]:
    """A primary-key SELECT of one cell, on a DBAPI connection."""
    p = "%s" if _postgres(database) else "?"
    query = (
        f"SELECT n, amount FROM stat_cells WHERE figure = {p} AND scope = {p} AND dim = {p}"  # noqa: S608 - placeholders only
        f" AND month = {p} AND measure = {p} AND value = {p}"
    )
    with database.unit_of_work() as uow:
        months = uow.session.execute(
            text(
                "SELECT month FROM stat_cells WHERE figure = 'outcomes' AND scope = :scope"
                " AND dim = 'all' AND measure = 'deposited' ORDER BY month"
            ),
            {"scope": scope},
        ).scalars()
        month = _middle(list(months))
    key = ("outcomes", scope, "all", month, "deposited", "")
    connection = database.engine.raw_connection()
    cursor = connection.cursor()

    def read() -> None:
        cursor.execute(query, key)
        assert cursor.fetchone() is not None
        connection.commit()

    times = timed(read, samples, warm_up)
    connection.close()
    return times


def _middle(months: list[int]) -> int:
    return months[len(months) // 2]


def run(
    backend: str, arguments: argparse.Namespace, workdir: Path, databases: Databases
) -> list[str]:
    total, samples, chunk = arguments.facts, arguments.samples, arguments.chunk
    url = (
        databases.sqlite(workdir / "stats.db")
        if backend == "sqlite"
        else databases.postgresql("stats")
    )
    database = Database(url)
    initialise(database)
    world = build_world(database, 30 if arguments.smoke else INSTITUTIONS)
    made, fill_seconds = fill(database, world, total, chunk)
    with database.unit_of_work() as uow:
        cells = uow.session.execute(text("SELECT COUNT(*) FROM stat_cells")).scalar_one()
    rows, raw = measure(database, samples, 0 if arguments.smoke else WARM_UP)
    database.dispose()
    raw50, raw95 = percentiles(raw)
    worst = max(rows, key=lambda row: float(row[5]))
    lines = [f"| {backend} | {' | '.join(row)} | {float(row[5]) / raw95:.0f}x |" for row in rows]
    lines.append(f"| {backend} | raw primary-key read | | | | {raw50:.2f} | {raw95:.2f} | 1x |")
    lines.append(
        f"\n{backend}: {total:,} outcome facts ({made:,} facts in all) tallied in"
        f" {fill_seconds:.0f} s into {cells:,} cells; worst p95 {worst[5]} ms"
        f" ({worst[0]} by {worst[1]}, {worst[2]}, {worst[3]}); raw read p50 {raw50:.2f} ms,"
        f" p95 {raw95:.2f} ms\n"
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facts", type=int, default=10_000_000, help="outcome facts")
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--chunk", type=int, default=10_000, help="facts per unit of work")
    parser.add_argument("--backend", choices=["both", "sqlite", "postgresql"], default="both")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="tests/smoke: 30 institutions, no warm-up reads (the same code paths, figures that "
        "mean nothing)",
    )
    add_server_argument(parser)
    arguments = parser.parse_args()
    backends = ["sqlite", "postgresql"] if arguments.backend == "both" else [arguments.backend]
    header = ("database", "figure", "by", "scope", "period", "p50 ms", "p95 ms", "p95 x raw")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    with tempfile.TemporaryDirectory() as folder, ExitStack() as stack:
        databases = databases_of(stack, arguments, {"autovacuum": "on"})
        for backend in backends:
            for line in run(backend, arguments, Path(folder), databases):
                print(line, flush=True)


if __name__ == "__main__":
    main()
