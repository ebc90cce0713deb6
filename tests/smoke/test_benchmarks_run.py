"""Every benchmark of ``make bench`` runs once at a tiny size, so that none can break unseen.

``make bench`` measures at full size (minutes to hours) and is run by hand; a benchmark that no
longer runs (an import the project does not provide, a changed service signature) would only
show then. Here each runs as ``make bench`` runs it, in a process of its own, on both databases
where it takes ``--backend``, and must exit 0 and print its table. The figures mean nothing at
these sizes and are not looked at.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.postgres import postgres_available, require_postgres
from tests.support.requirements import require_or_skip

ROOT = Path(__file__).resolve().parents[2]

BENCHMARKS = {
    "bulk_deposit": ["--rows", "200", "--backend", "both"],
    "transcript": ["--outcomes", "2000", "--samples", "20", "--backend", "both"],
    "ledger_proofs": ["--entries", "2000", "--samples", "20", "--backend", "both"],
    "conversion": ["--size", "200", "--samples", "100", "--backend", "both"],
    "credentials": ["--credentials", "3", "--clr", "2", "--clr-rounds", "1"],
    "file_reading": ["--rows", "200", "--xlsx-rows", "20"],
}


def _run(*arguments: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CREDITBANK_")}
    return subprocess.run(
        [sys.executable, *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.mark.parametrize("name", sorted(BENCHMARKS))
def test_the_benchmark_runs(name: str) -> None:
    if "--backend" in BENCHMARKS[name]:
        require_or_skip(
            postgres_available(), required=require_postgres(), setting="CREDITBANK_REQUIRE_POSTGRES"
        )
    done = _run("-m", f"benchmarks.{name}", *BENCHMARKS[name])
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


def test_the_pytest_benchmarks_run_once() -> None:
    done = _run(
        "-m",
        "pytest",
        "benchmarks",
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
    )
    assert done.returncode == 0, done.stdout[-4000:]
    assert " passed" in done.stdout
