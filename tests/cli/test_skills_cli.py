"""`creditbank skills import|show|search` on both databases: a file imported with its provenance
(again: nothing changes), a bad file refused naming line and column with nothing stored, the
search and one skill as tables and as the API's JSON; and the built-in set (each main task of the
2022 classification) imported into a bank without occupations, which imports those first."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from creditbank.db import Database
from creditbank.skills import api, views
from creditbank.skills.commands import SearchSkills, ShowSkill
from creditbank.skills.schemas import SkillDetailRead, SkillHitRead, SkillSearchRead
from creditbank.skills.tables import SkillImportRow, SkillRow
from tests.cli.runner import run
from tests.occupations.files import CSV as OCCUPATIONS
from tests.skills.files import CSV

PROVENANCE = ("--source", "Our skills", "--version", "1", "--licence", "CC0")


def _count(database: Database) -> tuple[int, int]:
    with database.unit_of_work() as uow:
        return (
            uow.session.scalar(select(func.count()).select_from(SkillRow)) or 0,
            uow.session.scalar(select(func.count()).select_from(SkillImportRow)) or 0,
        )


def test_a_file_imported_searched_and_shown(
    initialised: CliRunner, database: Database, tmp_path: Path
) -> None:
    occupations = tmp_path / "occupations.csv"
    occupations.write_text(OCCUPATIONS, encoding="utf-8")
    run(initialised, "occupations", "import", str(occupations), *PROVENANCE)
    path = tmp_path / "skills.csv"
    path.write_text(CSV, encoding="utf-8")
    imported = run(initialised, "skills", "import", str(path), *PROVENANCE)
    assert "4 added, 0 changed; 4 links" in imported
    assert "Nothing changed" in run(initialised, "skills", "import", str(path), *PROVENANCE)
    assert _count(database) == (4, 1)
    assert "设计测试用例" in run(initialised, "skills", "search", "测试")
    answer = json.loads(run(initialised, "skills", "search", "测试", "--json"))
    with database.unit_of_work() as uow:
        hits = views.search_skills(SearchSkills("测试"), principal=None, uow=uow)
        bim = api.skill_by_uri(uow, "urn:test:skill:bim-modelling")
        assert bim is not None
        detail = views.show_skill(ShowSkill(bim.id), principal=None, uow=uow)
    expected = SkillSearchRead(q="测试", hits=[SkillHitRead.hit(hit) for hit in hits])
    assert answer == expected.model_dump(mode="json")
    shown = run(initialised, "skills", "show", str(bim.id))
    assert "urn:test:skill:bim-modelling" in shown
    assert "< 4-08-08-23  建筑信息模型技术员  (essential 4.50)" in shown
    assert "< 4-04-05-02  计算机软件测试员  (optional)" in shown
    assert "Our skills" in shown
    as_json = json.loads(run(initialised, "skills", "show", str(bim.id), "--json"))
    assert as_json == SkillDetailRead.detail(detail).model_dump(mode="json")
    assert "No skill has id" in run(initialised, "skills", "show", "999999", code=1)


def test_a_bad_file_is_refused_and_nothing_stored(
    initialised: CliRunner, database: Database, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(CSV, encoding="utf-8")
    # the bank holds no occupations: the first link is refused
    refused = run(initialised, "skills", "import", str(path), *PROVENANCE, code=1)
    assert "Line 2, column occupation" in refused
    assert _count(database) == (0, 0)
    assert "not both" in run(initialised, "skills", "import", "--builtin", str(path), code=1)
    assert "x.csv" in run(initialised, "skills", "import", str(tmp_path / "x.csv"), code=1)
    unsourced = run(initialised, "skills", "import", str(path), "--version", "1", code=1)
    assert "licence" in unsourced
    assert _count(database) == (0, 0)


def test_the_built_in_set_imports_the_occupations_first(
    initialised: CliRunner, database: Database
) -> None:
    imported = run(initialised, "skills", "import", "--builtin")
    assert "10575 added, 0 changed; 10575 links" in imported
    assert "Nothing changed" in run(initialised, "skills", "import", "--built-in")
    with database.unit_of_work() as uow:
        bim = api.occupation_skills(uow, "4-08-08-23")
    assert bim[0].skill.uri == "urn:creditbank:csco2022:4-08-08-23:task:1"
    assert "主要工作任务" in bim[0].skill.source
