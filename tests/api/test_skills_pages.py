"""The skills' public pages over HTTP on both databases: one skill (`/skills/{id}`) with the
occupations requiring it, an occupation (`/occupations/{code}`) with its skills essential first,
the search (`/skills?q=`), in Chinese and English, no login; an unknown id or code is a 404 page,
never a 5xx."""

from __future__ import annotations

import re

import pytest

from creditbank.occupations import importing as occupations_importing
from creditbank.occupations.commands import ImportOccupations
from creditbank.skills import api, importing
from creditbank.skills.commands import ImportSkills
from tests.conftest import LiveBank
from tests.occupations.files import CSV as OCCUPATIONS
from tests.occupations.test_importing import ADMIN
from tests.skills.files import CSV
from tests.support.pages import page_client


@pytest.fixture(scope="module")
def bim_modelling(live_bank: LiveBank) -> int:
    """The bank holds our occupations and skills; the id of the BIM modelling skill."""
    with live_bank.database.unit_of_work() as uow:
        occupations_importing.import_occupations(
            ImportOccupations(OCCUPATIONS.encode(), "ours.csv", "Our test set", "1", "CC0"),
            principal=ADMIN,
            uow=uow,
        )
        importing.import_skills(
            ImportSkills(CSV.encode(), "skills.csv", "Our skills", "1", "CC0"),
            principal=ADMIN,
            uow=uow,
        )
        skill = api.skill_by_uri(uow, "urn:test:skill:bim-modelling")
    assert skill is not None
    return skill.id


def _rows(html: str, table: str) -> list[str]:
    """The text of each body row of the table ``table``, its cells' words joined by spaces."""
    body = html.split(f'id="{table}"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.DOTALL)
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


def test_a_skill_page_in_both_languages(bank: str, bim_modelling: int) -> None:
    with page_client(bank, "en") as english, page_client(bank, "zh") as chinese:
        page = english.get(f"/skills/{bim_modelling}")
        zh = chinese.get(f"/skills/{bim_modelling}")
    assert page.status_code == 200, page.text
    assert '<h1 id="skill-name">Build BIM models</h1>' in page.text
    assert "urn:test:skill:bim-modelling" in page.text
    assert _rows(page.text, "requiring") == [
        "4-08-08-23 BIM technician essential 4.5",
        "4-04-05-02 Software tester optional —",
    ]
    assert '<h1 id="skill-name">建立建筑信息模型</h1>' in zh.text
    assert "4-08-08-23 建筑信息模型技术员 必备" in _rows(zh.text, "requiring")[0]


def test_an_occupation_page_lists_its_skills_essential_first(bank: str, bim_modelling: int) -> None:
    with page_client(bank, "en") as english, page_client(bank, "zh") as chinese:
        page = english.get("/occupations/4-04-05-02")
        zh = chinese.get("/occupations/4-04-05-02")
        group = english.get("/occupations/4-04-05-00")
    assert page.status_code == 200, page.text
    assert "Software tester" in page.text
    assert _rows(page.text, "skills") == [
        "Design test cases skill essential —",
        "Build BIM models skill optional —",
    ]
    assert f'href="/skills/{bim_modelling}"' in page.text
    assert "计算机软件测试员" in zh.text
    assert "设计测试用例" in _rows(zh.text, "skills")[0]
    assert 'id="skills-none"' in group.text
    assert 'href="/occupations/4-04-05-02"' in group.text


def test_the_search_page(bank: str, bim_modelling: int) -> None:
    with page_client(bank, "en") as english:
        found = english.get("/skills", params={"q": "建筑信息"})
        empty = english.get("/skills")
        none = english.get("/skills", params={"q": "zzzz"})
    assert found.status_code == 200, found.text
    assert f'href="/skills/{bim_modelling}"' in found.text
    assert 'id="hits"' not in empty.text
    assert 'id="no-hits"' in none.text


def test_the_occupations_search_page(bank: str, bim_modelling: int) -> None:
    del bim_modelling
    with page_client(bank, "zh") as chinese:
        found = chinese.get("/occupations", params={"q": "BIM工程师"})
        skills = chinese.get("/skills")
    assert found.status_code == 200, found.text
    assert _rows(found.text, "hits")[0].startswith("4-08-08-23 建筑信息模型技术员 BIM工程师")
    assert 'href="/occupations/4-08-08-23"' in found.text
    assert 'href="/occupations"' in skills.text


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/skills/999999", 404),
        ("/skills/0", 422),
        ("/skills/x", 422),
        ("/occupations/9-99-99-99", 404),
        ("/occupations/<script>", 404),
        ("/skills?q=" + "工" * 201, 422),
        ("/occupations?q=" + "工" * 201, 422),
    ],
)
@pytest.mark.usefixtures("bim_modelling")
def test_unknown_pages_are_named(bank: str, path: str, status: int) -> None:
    with page_client(bank, "en") as english:
        answer = english.get(path)
    assert answer.status_code == status, answer.text
    assert "<script>" not in answer.text
