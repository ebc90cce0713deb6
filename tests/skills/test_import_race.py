"""Imports of skills at the same time, from real threads on both databases, have one winner: the
same file imported by four administrators at once is stored once (one provenance row; the others
find it stored and change nothing), and two different files at once are both kept."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from creditbank.db import Database
from creditbank.skills.importing import ImportReport
from creditbank.skills.tables import OccupationSkillRow, SkillImportRow, SkillRow
from tests.occupations import files as occupation_files
from tests.occupations.test_importing import import_file as import_occupations
from tests.skills.files import CSV, JSON
from tests.skills.test_importing import import_file
from tests.support.races import at_once

IMPORTERS = 4


def _at_once(database: Database, files: list[tuple[str, str]]) -> list[ImportReport]:
    return at_once(database, import_file, files)


def _counts(database: Database) -> tuple[int, int, int]:
    with database.unit_of_work() as uow:
        return tuple(  # type: ignore[return-value]
            uow.session.scalar(select(func.count()).select_from(table)) or 0
            for table in (SkillRow, OccupationSkillRow, SkillImportRow)
        )


def _occupations(database: Database) -> None:
    with database.unit_of_work() as uow:
        import_occupations(uow, occupation_files.CSV)
        import_occupations(uow, occupation_files.JSON, "second.json")


@pytest.mark.own_database
def test_the_same_file_imported_at_once_is_stored_once(database: Database) -> None:
    _occupations(database)
    reports = _at_once(database, [(CSV, f"copy{n}.csv") for n in range(IMPORTERS)])
    stored = [report for report in reports if report.import_id is not None]
    assert len(stored) == 1
    assert (stored[0].added, stored[0].linked) == (4, 4)
    assert sorted(report.unchanged for report in reports) == [0] + [4] * (IMPORTERS - 1)
    assert _counts(database) == (4, 4, 1)


@pytest.mark.own_database
def test_two_files_at_once_are_both_kept(database: Database) -> None:
    _occupations(database)
    with database.unit_of_work() as uow:
        import_file(uow, CSV)
    second = JSON.replace("编写SQL查询语句", "编写复杂SQL查询")
    reports = _at_once(database, [(JSON, "second.json"), (second, "third.json")])
    assert all(report.import_id is not None for report in reports)
    assert _counts(database) == (5, 6, 3)
