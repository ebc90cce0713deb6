"""Imports at the same time, from real threads on both databases, have one winner: the same file
imported by four administrators at once is stored once (one provenance row; the others find it
stored and change nothing), and two different files one after the other, neither lost."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from creditbank.db import Database
from creditbank.occupations.importing import ImportReport
from creditbank.occupations.tables import OccupationAliasRow, OccupationImportRow, OccupationRow
from tests.occupations.files import CSV, JSON
from tests.occupations.test_importing import import_file
from tests.support.races import at_once

IMPORTERS = 4


def _at_once(database: Database, files: list[tuple[str, str]]) -> list[ImportReport]:
    return at_once(database, import_file, files)


def _counts(database: Database) -> tuple[int, int, int]:
    with database.unit_of_work() as uow:
        return tuple(  # type: ignore[return-value]
            uow.session.scalar(select(func.count()).select_from(table)) or 0
            for table in (OccupationRow, OccupationAliasRow, OccupationImportRow)
        )


@pytest.mark.own_database
def test_the_same_file_imported_at_once_is_stored_once(database: Database) -> None:
    reports = _at_once(database, [(CSV, f"copy{n}.csv") for n in range(IMPORTERS)])
    stored = [report for report in reports if report.import_id is not None]
    assert len(stored) == 1
    assert (stored[0].added, stored[0].changed) == (9, 0)
    assert sorted(report.unchanged for report in reports) == [0] + [9] * (IMPORTERS - 1)
    assert _counts(database) == (9, 7, 1)


@pytest.mark.own_database
def test_two_files_at_once_are_both_kept(database: Database) -> None:
    reports = _at_once(database, [(CSV, "ours.csv"), (JSON, "second.json")])
    assert all(report.import_id is not None for report in reports)
    # whichever ran first, 10 codes; the BIM technician's aliases are the later file's
    occupations, _, imports = _counts(database)
    assert (occupations, imports) == (10, 2)
