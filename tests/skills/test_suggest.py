"""Skills suggested for a text from what a bank holds (``skills.suggest.suggest_skills``, as
``skills.api`` exports it), on both databases: found by their own words and through the
occupations the text names (``via``), only among ``within``; the index built again when an import
changes the skills; a bank without skills, or a text without words, finds nothing. And the
built-in set (every main task of the 2022 classification): a job title finds its occupation's
tasks."""

from __future__ import annotations

from creditbank.db import Database
from creditbank.skills import api
from tests.occupations import files as occupation_files
from tests.occupations.test_importing import import_file as import_occupations
from tests.skills.files import CSV, JSON
from tests.skills.test_importing import ADMIN, import_file


def _uris(hits: list[api.SkillHit]) -> list[str]:
    return [hit.skill.uri for hit in hits]


def test_suggestions_from_the_banks_skills(database: Database) -> None:
    with database.unit_of_work() as uow:
        assert api.suggest_skills(uow, "BIM工程师") == []  # no skills yet
        import_occupations(uow, occupation_files.CSV)
        import_occupations(uow, occupation_files.JSON, "second.json")
        import_file(uow, CSV)
    with database.unit_of_work() as uow:
        by_words = api.suggest_skills(uow, "编写SQL查询")
        through = api.suggest_skills(uow, "BIM工程师")
        teamwork = api.skill_by_uri(uow, "urn:test:skill:teamwork")
        assert teamwork is not None
        within = api.suggest_skills(uow, "BIM工程师 团队协作", within={teamwork.id})
        nothing = api.suggest_skills(uow, "。，、")
    assert by_words[0].skill.uri == "urn:test:skill:sql"
    assert {"sql", "查询"} <= set(by_words[0].matched_words)
    # the alias names the occupation; the skill's name has none of its words
    assert through[0].skill.uri == "urn:test:skill:bim-modelling"
    assert through[0].via == "4-08-08-23"
    assert through[0].score > 0
    assert _uris(within) == ["urn:test:skill:teamwork"]
    assert within[0].matched_words == ("团队", "协作")
    assert nothing == []
    assert "urn:test:skill:masonry" not in _uris(
        _suggest(database, "瓦工砌筑砖墙")
    )  # before the second import
    with database.unit_of_work() as uow:
        import_file(uow, JSON, "second.json")
    found = _suggest(database, "瓦工砌筑砖墙")
    assert found[0].skill.uri == "urn:test:skill:masonry"
    assert found[0].via == "6-29-01-01"
    assert _suggest(database, "编写SQL查询语句")[0].skill.name == "编写SQL查询语句"  # renamed


def _suggest(database: Database, text: str) -> list[api.SkillHit]:
    with database.unit_of_work() as uow:
        return api.suggest_skills(uow, text)


def test_the_built_in_tasks_of_a_job_titles_occupation(database: Database) -> None:
    from creditbank.occupations import builtin as occupations_builtin  # noqa: PLC0415
    from creditbank.occupations import importing as occupations_importing  # noqa: PLC0415
    from creditbank.skills import builtin, importing  # noqa: PLC0415

    with database.unit_of_work() as uow:
        occupations_importing.import_occupations(
            occupations_builtin.built_in_import(), principal=ADMIN, uow=uow
        )
        importing.import_skills(builtin.built_in_import(), principal=ADMIN, uow=uow)
    with database.unit_of_work() as uow:
        hits = api.suggest_skills(uow, "BIM建模员 负责建筑模型搭建与碰撞检查", limit=5)
        tasks = api.occupation_skills(uow, "4-08-08-23")
    assert len(hits) == 5
    assert (
        hits[0].skill.uri == "urn:creditbank:csco2022:4-08-08-23:task:2"
    )  # 协同其他专业建模，并做碰撞检查
    assert {"建模", "碰撞", "检查"} <= set(hits[0].matched_words)
    assert hits[0].via == "4-08-08-23"
    bim_tasks = {required.skill.uri for required in tasks}
    assert sum(hit.skill.uri in bim_tasks for hit in hits) >= 3
