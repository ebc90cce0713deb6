"""Every benchmark of ``make bench`` runs once at a tiny size, so that none can break unseen.

``make bench`` measures at full size (minutes to hours) and is run by hand; a benchmark that no
longer runs (an import the project does not provide, a changed service signature) would only
show then. Here each runs as ``make bench`` runs it, in a process of its own, on both databases
where it takes ``--backend``, and must exit 0 and print its table. The figures mean nothing at
these sizes and are not looked at.

To keep this cheap, the benchmarks that take ``--backend`` create their PostgreSQL databases in
this worker's cluster (``--postgres-server``, the ``pg_cluster`` fixture) instead of each
running ``initdb`` and starting a cluster of its own, every database (also the service part of
credentials on SQLite) starts as a copy of the worker's migrated template
(``--postgres-template``, ``--sqlite-template``) instead of being migrated again, and every timed
series is of 2 samples (conversion's ``--smoke`` allows that, and builds 40 rules instead of
200; the service part of credentials is of 2 outcomes, its raw Ed25519 ceilings timed for 5 ms
each instead of 1 s; occupations reads its first 10 titles, 6 items and 5 job ads). The pytest
benchmarks (``pytest benchmarks``) take the same three options (benchmarks/conftest.py).

Every Python process of these runs (the benchmarks, the processes they start, the pytest run)
is forked from one that imported the project's modules once (tests/smoke/zygote.py) instead of
importing them again: each still runs its module as ``python -m`` does, in a process of its own.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.smoke import zygote
from tests.support.databases import TEMPLATE_DB, SqliteTemplates
from tests.support.postgres import PostgresCluster, postgres_available, require_postgres

ROOT = Path(__file__).resolve().parents[2]

BENCHMARKS = {
    "bulk_deposit": ["--rows", "200", "--backend", "both"],
    "transcript": ["--outcomes", "2000", "--samples", "2", "--backend", "both"],
    "ledger_proofs": ["--entries", "2000", "--samples", "2", "--backend", "both"],
    "conversion": ["--size", "200", "--samples", "2", "--smoke", "--backend", "both"],
    "credentials": [
        "--credentials",
        "3",
        "--clr",
        "2",
        "--clr-rounds",
        "1",
        "--service",
        "2",
        "--ceiling-seconds",
        "0.005",
    ],
    "file_reading": ["--rows", "200", "--xlsx-rows", "20"],
    "peers": ["--checkpoints", "3", "--growth", "10"],
    "transfer_import": ["--outcomes", "4", "--samples", "1"],
    "stats": ["--facts", "2000", "--samples", "1", "--smoke", "--backend", "both"],
    "occupations": ["--titles", "10", "--items", "6", "--ads", "5"],
    "matching": [
        "--learners",
        "200",
        "--samples",
        "2",
        "--match-samples",
        "1",
        "--smoke",
        "--backend",
        "both",
    ],
    "skill_supply": ["--learners", "200", "--courses", "3", "--samples", "1", "--backend", "both"],
}

SERVER_BENCHMARKS = {name for name, arguments in BENCHMARKS.items() if "--backend" in arguments}


def _environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("CREDITBANK_")}


@dataclass(frozen=True)
class Python:
    """The interpreter the benchmarks run with: ``path`` and what its processes need in their
    environment (where the zygote listens)."""

    path: str
    environment: dict[str, str]


@pytest.fixture(scope="session")
def python(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Python]:
    """A zygote (tests/smoke/zygote.py) for this module's runs, and the ``python`` that asks it.

    Session scope: the scheduler (tests/support/scheduling.py) sends each smoke test out as a
    unit of its own, so a worker runs other modules between them; at module scope it started a
    zygote again (importing the project again, 3-5 s of CPU) each time it came back to this
    module. The zygote holds nothing of a test's: each run is a process forked from it."""
    with zygote.started(tmp_path_factory.mktemp("zygote"), _environment(), cwd=ROOT) as (
        client,
        environment,
    ):
        yield Python(client, environment)


def _run(python: Python, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [python.path, *arguments],
        cwd=ROOT,
        env=python.environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.mark.parametrize("name", sorted(BENCHMARKS))
def test_the_benchmark_runs(name: str, request: pytest.FixtureRequest, python: Python) -> None:
    sqlite: SqliteTemplates = request.getfixturevalue("sqlite_templates")
    arguments = [*BENCHMARKS[name]]
    if name in {"credentials", "peers", "transfer_import", *SERVER_BENCHMARKS}:
        arguments += ["--sqlite-template", str(sqlite.path(initialised=False))]
    if name in SERVER_BENCHMARKS:  # skips (or fails, if required) without PostgreSQL
        cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
        request.getfixturevalue("pg_templates")  # TEMPLATE_DB, migrated
        arguments += ["--postgres-server", cluster.url(), "--postgres-template", TEMPLATE_DB]
    done = _run(python, "-m", f"benchmarks.{name}", *arguments)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    assert "|" in done.stdout or "ratio" in done.stdout, done.stdout[-2000:]


def test_every_benchmark_of_make_bench_is_here() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    named = {
        line.split("-m benchmarks.")[1].split()[0]
        for line in makefile.splitlines()
        if "-m benchmarks." in line
    }
    assert named == set(BENCHMARKS)


def test_the_pytest_benchmarks_run_once(python: Python, request: pytest.FixtureRequest) -> None:
    sqlite: SqliteTemplates = request.getfixturevalue("sqlite_templates")
    arguments = ["--sqlite-template", str(sqlite.path(initialised=False))]
    if postgres_available() is None or require_postgres():  # else the run skips PostgreSQL
        cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
        request.getfixturevalue("pg_templates")  # TEMPLATE_DB, migrated
        arguments += ["--postgres-server", cluster.url(), "--postgres-template", TEMPLATE_DB]
    done = _run(
        python,
        "-m",
        "pytest",
        "benchmarks",
        *arguments,
        "-o",
        "addopts=",
        "-o",
        "testpaths=benchmarks",
        "-p",
        "no:xdist",
        "-p",
        "no:cacheprovider",
        "--benchmark-disable",
        "-q",
        # the zygote imported anyio (a pytest plugin) before pytest could rewrite its asserts
        "-W",
        "ignore::pytest.PytestAssertRewriteWarning",
    )
    assert done.returncode == 0, done.stdout[-4000:]
    assert " passed" in done.stdout
