"""How ``pytest -n 2`` shares the suite between its workers: smaller units, the longest first.

pytest-xdist's ``--dist loadscope`` sends whole modules to a worker, so that a module's fixtures
(its bank, its world) are built once; it orders them by their number of tests, most first. That
put the pure unit-test modules (hundreds of tests of milliseconds) first and the race, browser
and benchmark modules (a few tests of several seconds each) last, so the run ended with one
worker busy and the other idle. :class:`LongestFirstScheduling` changes two things:

- **A unit of work is a module on one backend** (``test_x.py`` on SQLite, ``test_x.py`` on
  PostgreSQL): the module-scoped fixtures are parametrised by backend, so each half builds
  only its own bank, and the units are half the size. The smoke tests run a benchmark process
  each and share nothing: each is a unit of its own. The fuzzer's module stays whole (its
  cases are generated once and sent to both backends).
- **Units go out longest first** (the classic longest-processing-time rule), by an estimate:
  the unit's number of tests times the seconds a test of its directory takes, measured on a
  full run (docs/testing.md). The estimate only orders the work; a wrong one costs balance,
  never correctness.

Within a unit the tests keep the order pytest (and pytest-randomly) gave them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any, Final

from xdist.scheduler import LoadScopeScheduling  # type: ignore[import-untyped]

SECONDS_PER_TEST: Final = {
    "unit": 0.015,
    "access": 0.04,
    "corpus": 0.09,
    "interop": 0.09,
    "integration": 0.16,
    "api": 0.23,
    "cli": 0.41,
    "concurrency": 1.1,
    "browser": 1.4,
    "smoke": 3.5,
    "fuzz": 18.6,
    "stats": 0.5,
}
"""Seconds one test of each directory of tests/ takes on average, setup included (a full run
on two workers, 7 Dec 2026, 04:47 UTC); a directory not listed counts as ``api``. The access
matrix over HTTP (tests/api/access_matrix) has its own figure below."""
ACCESS_MATRIX_SECONDS_PER_TEST: Final = 1.1
MODULE_SECONDS_PER_TEST: Final = {
    "tests/stats/test_spark.py": 15.0,  # a JVM started for the module (about 15 s of its CPU)
    "tests/stats/test_figures_property.py": 7.0,  # two banks, then Hypothesis' examples
}
"""Modules far from their directory's average (measured alone, 7 Dec 2026)."""
BACKEND = re.compile(r"\[(?:.*-)?(sqlite|postgresql)(?:-.*)?\]$")
"""A test's backend in its node id: ``test_x[sqlite]``, ``test_y[postgresql-some case]``."""
OWN_UNIT_DIRECTORIES: Final = frozenset({"smoke"})
"""Where each test is a unit of its own."""
WHOLE_MODULE_DIRECTORIES: Final = frozenset({"fuzz"})
"""Where a module stays one unit on both backends: the fuzzer generates its cases once per
module and sends them to both."""


def unit_of(nodeid: str) -> str:
    """The unit of work a test belongs to: its module (or class) and its backend."""
    path, _, name = nodeid.rpartition("::")
    directory = _directory(nodeid)
    if directory in OWN_UNIT_DIRECTORIES:
        return nodeid
    if directory in WHOLE_MODULE_DIRECTORIES:
        return path
    backend = BACKEND.search(name)
    return f"{path}[{backend.group(1)}]" if backend else path


def seconds_per_test(nodeid: str) -> float:
    """The estimated seconds of a test of ``nodeid``'s directory."""
    if nodeid.startswith("tests/api/access_matrix/"):
        return ACCESS_MATRIX_SECONDS_PER_TEST
    module = nodeid.partition("::")[0]
    if module in MODULE_SECONDS_PER_TEST:
        return MODULE_SECONDS_PER_TEST[module]
    return SECONDS_PER_TEST.get(_directory(nodeid), SECONDS_PER_TEST["api"])


def _directory(nodeid: str) -> str:
    parts = nodeid.split("/")
    return parts[1] if len(parts) > 2 and parts[0] == "tests" else ""


def longest_first(collection: list[str]) -> list[str]:
    """``collection`` with each unit's tests together, the units longest first (ties: in the
    order they were collected), each unit's tests in their collected order."""
    estimate: defaultdict[str, float] = defaultdict(float)
    first_seen: dict[str, int] = {}
    for index, nodeid in enumerate(collection):
        unit = unit_of(nodeid)
        estimate[unit] += seconds_per_test(nodeid)
        first_seen.setdefault(unit, index)
    return sorted(
        collection, key=lambda nodeid: (-estimate[unit_of(nodeid)], first_seen[unit_of(nodeid)])
    )


class LongestFirstScheduling(LoadScopeScheduling):  # type: ignore[misc]
    """``--dist loadscope`` with units of a module on one backend, sent out longest first."""

    def __init__(self, config: Any, log: Any = None) -> None:
        super().__init__(config, log)
        config.option.loadscopereorder = False  # the order is ours (longest_first)

    def _split_scope(self, nodeid: str) -> str:
        return unit_of(nodeid)

    def schedule(self) -> None:
        if self.collection is None and self.collection_is_completed:
            for node, collection in list(self.registered_collections.items()):
                self.registered_collections[node] = longest_first(list(collection))
        super().schedule()
