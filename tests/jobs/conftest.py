"""A bank per module and database holding the jobs' world (tests/jobs/world.py); each test
runs pinned to one transaction that is rolled back (``bank`` yields the world)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import BACKENDS, _new_database
from tests.jobs.world import World, build
from tests.support.databases import PinnableDatabase


@pytest.fixture(scope="module", params=BACKENDS)
def jobs_database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[PinnableDatabase, World]]:
    database = _new_database(
        request, request.param, tmp_path_factory.mktemp("jobs"), initialised=True
    )
    assert isinstance(database, PinnableDatabase)
    with database.unit_of_work() as uow:
        world = build(uow)
    yield database, world
    database.dispose()


@pytest.fixture
def bank(jobs_database: tuple[PinnableDatabase, World]) -> Iterator[tuple[PinnableDatabase, World]]:
    database, world = jobs_database
    with database.pinned():
        yield database, world
