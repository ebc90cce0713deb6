"""Importing occupations through the handler, on both databases: stored with aliases (a row
each), parents and provenance; importing again changes nothing; a changed file changes what it
says and is recorded; a bad file is refused naming line and column with nothing stored; only
bank administrators import; one occupation shown with its groups, children and source."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from creditbank.access.policy import AccessError, Principal
from creditbank.db import Database, UnitOfWork
from creditbank.institutions.model import Role
from creditbank.occupations import importing, views
from creditbank.occupations.commands import ImportOccupations, ShowOccupation
from creditbank.occupations.model import Level, OccupationsError
from creditbank.occupations.tables import OccupationAliasRow, OccupationImportRow, OccupationRow
from tests.occupations.files import CSV, JSON

ADMIN = Principal(user_id=1, email="admin@bank.example", role=Role.BANK_ADMIN, institution=None)
REGISTRAR = Principal(user_id=3, email="reg@shou.example", role=Role.REGISTRAR, institution="SHOU")


def import_file(
    uow: UnitOfWork, content: str, name: str = "ours.csv", principal: Principal = ADMIN
) -> importing.ImportReport:
    command = ImportOccupations(
        content=content.encode(),
        file_name=name,
        source="Our test set",
        version="1",
        licence="CC0",
    )
    return importing.import_occupations(command, principal=principal, uow=uow)


def counts(uow: UnitOfWork) -> tuple[int, int, int]:
    return (
        uow.session.scalar(select(func.count()).select_from(OccupationRow)) or 0,
        uow.session.scalar(select(func.count()).select_from(OccupationAliasRow)) or 0,
        uow.session.scalar(select(func.count()).select_from(OccupationImportRow)) or 0,
    )


def test_an_import_stores_occupations_aliases_and_provenance(database: Database) -> None:
    with database.unit_of_work() as uow:
        report = import_file(uow, CSV)
    assert (report.added, report.changed, report.unchanged) == (9, 0, 0)
    with database.unit_of_work() as uow:
        assert counts(uow) == (9, 7, 1)
        provenance = uow.session.get_one(OccupationImportRow, report.import_id)
        assert (provenance.source, provenance.version, provenance.licence) == (
            "Our test set",
            "1",
            "CC0",
        )
        assert (provenance.imported_by, provenance.file_name) == ("admin@bank.example", "ours.csv")
        assert provenance.sha256 == report.sha256
        assert len(provenance.sha256) == 64
        bim = uow.session.get_one(OccupationRow, "4-08-08-23")
        assert (bim.parent_code, bim.marks, bim.level) == ("4-08-08-00", "L/S", 4)
        # its groups above are not in the file: no parent stored
        assert uow.session.get_one(OccupationRow, "2-02-10-03").parent_code is None


def test_importing_again_changes_nothing_and_stores_nothing(database: Database) -> None:
    with database.unit_of_work() as uow:
        first = import_file(uow, CSV)
    with database.unit_of_work() as uow:
        again = import_file(uow, CSV, "again.csv")
    assert (again.import_id, again.added, again.changed, again.unchanged) == (None, 0, 0, 9)
    assert again.sha256 == first.sha256
    with database.unit_of_work() as uow:
        assert counts(uow) == (9, 7, 1)


def test_a_second_source_changes_what_it_says_and_keeps_the_rest(database: Database) -> None:
    with database.unit_of_work() as uow:
        import_file(uow, CSV)
    with database.unit_of_work() as uow:
        report = import_file(uow, JSON, "second.json")
    assert (report.added, report.changed, report.unchanged) == (1, 1, 0)
    with database.unit_of_work() as uow:
        assert counts(uow) == (10, 9, 2)
        detail = views.show_occupation(ShowOccupation("4-08-08-23"), principal=None, uow=uow)
    bim = detail.occupation
    assert bim.aliases == ("BIM工程师", "建筑信息模型设计师", "BIM建模员")
    # the JSON gives no mark: the occupation is as the latest source says
    assert (bim.marks, detail.source.file_name) == ("", "second.json")
    assert [(p.code, p.name) for p in detail.parents] == [
        ("4-00-00-00", "社会生产服务和生活服务人员"),
        ("4-08-00-00", "技术辅助服务人员"),
        ("4-08-08-00", "专业化设计服务人员"),
    ]


def test_a_group_shows_what_lies_below_it(database: Database) -> None:
    with database.unit_of_work() as uow:
        import_file(uow, CSV)
    with database.unit_of_work() as uow:
        group = views.show_occupation(ShowOccupation("4-04-05-00"), principal=None, uow=uow)
    assert group.occupation.level is Level.MINOR
    assert [c.code for c in group.children] == ["4-04-05-02", "4-04-05-04"]
    assert group.source.source == "Our test set"


@pytest.mark.parametrize("code", ["9-99-99-99", "4-08-08", "<script>"])
def test_an_unknown_code_is_refused(database: Database, code: str) -> None:
    with database.unit_of_work() as uow, pytest.raises(OccupationsError) as caught:
        views.show_occupation(ShowOccupation(code), principal=None, uow=uow)
    assert caught.value.code == "unknown_occupation"


def test_a_bad_file_stores_nothing(database: Database) -> None:
    with database.unit_of_work() as uow:
        import_file(uow, CSV)
    bad = CSV.replace("BIM工程师", "BIM工程师") + "9-9-99-99,坏代码,,,,\n"
    with database.unit_of_work() as uow, pytest.raises(OccupationsError) as caught:
        import_file(uow, bad.replace("计算机软件测试员", "测试员"))
    assert caught.value.extensions == {"line": "11", "column": "code"}
    with database.unit_of_work() as uow:
        assert counts(uow) == (9, 7, 1)
        assert uow.session.get_one(OccupationRow, "4-04-05-02").name == "计算机软件测试员"


def test_provenance_is_required(database: Database) -> None:
    command = ImportOccupations(CSV.encode(), "ours.csv", source=" ", version="1", licence="")
    with database.unit_of_work() as uow, pytest.raises(OccupationsError) as caught:
        importing.import_occupations(command, principal=ADMIN, uow=uow)
    assert "source" in caught.value.render()
    assert "licence" in caught.value.render()


def test_only_bank_administrators_import(database: Database) -> None:
    with database.unit_of_work() as uow, pytest.raises(AccessError):
        import_file(uow, CSV, principal=REGISTRAR)
    with database.unit_of_work() as uow:
        assert counts(uow) == (0, 0, 0)
