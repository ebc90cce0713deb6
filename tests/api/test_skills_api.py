"""`GET /api/v1/skills?q=`, `GET /api/v1/skills/{id}` and the skills of
`GET /api/v1/occupations/{code}` on both databases: public (no token), one skill with the
occupations requiring it and its provenance, an occupation's skills essential first; bad
searches and unknown ids are named problems (400, 404, 422), never a 5xx."""

from __future__ import annotations

import httpx2
import pytest

from creditbank.occupations import importing as occupations_importing
from creditbank.occupations.commands import ImportOccupations
from creditbank.skills import api, importing
from creditbank.skills.commands import ImportSkills
from tests.conftest import LiveBank
from tests.occupations.files import CSV as OCCUPATIONS
from tests.occupations.test_importing import ADMIN
from tests.skills.files import CSV


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


def test_one_skill_with_the_occupations_requiring_it(
    client: httpx2.Client, bim_modelling: int
) -> None:
    answer = client.get(f"/api/v1/skills/{bim_modelling}")
    assert answer.status_code == 200, answer.text
    shown = answer.json()
    assert (shown["uri"], shown["name"], shown["name_en"], shown["kind"]) == (
        "urn:test:skill:bim-modelling",
        "建立建筑信息模型",
        "Build BIM models",
        "skill",
    )
    assert [(o["code"], o["relation"], o["importance"]) for o in shown["occupations"]] == [
        ("4-08-08-23", "essential", 4.5),
        ("4-04-05-02", "optional", None),
    ]
    assert shown["provenance"]["file_name"] == "skills.csv"
    assert "imported_by" not in shown["provenance"]  # staff e-mail is not for the public


def test_the_search_and_an_occupations_skills(client: httpx2.Client, bim_modelling: int) -> None:
    found = client.get("/api/v1/skills", params={"q": "建筑信息", "limit": 3})
    assert found.status_code == 200, found.text
    assert [hit["id"] for hit in found.json()["hits"]] == [bim_modelling]
    tester = client.get("/api/v1/occupations/4-04-05-02").json()
    assert [(s["uri"], s["relation"]) for s in tester["skills"]] == [
        ("urn:test:skill:testing", "essential"),
        ("urn:test:skill:bim-modelling", "optional"),
    ]
    assert client.get("/api/v1/occupations/4-04-05-00").json()["skills"] == []


@pytest.mark.parametrize(
    ("path", "params", "status", "slug"),
    [
        ("/api/v1/skills/999999", {}, 404, "unknown-skill"),
        ("/api/v1/skills/0", {}, 422, None),
        ("/api/v1/skills/nope", {}, 422, None),
        ("/api/v1/skills/99999999999999999999", {}, 422, None),
        ("/api/v1/skills", {"q": "  "}, 400, "invalid-skill-search"),
        ("/api/v1/skills", {"q": "工" * 201}, 422, None),
        ("/api/v1/skills", {"q": "%_\\"}, 200, None),
        ("/api/v1/skills", {}, 422, None),
    ],
)
@pytest.mark.usefixtures("bim_modelling")
def test_bad_questions_are_named_problems(
    client: httpx2.Client,
    path: str,
    params: dict[str, str | int],
    status: int,
    slug: str | None,
) -> None:
    answer = client.get(path, params=params)
    assert answer.status_code == status, answer.text
    if status == 200:
        assert answer.json()["hits"] == []
        return
    assert answer.headers["content-type"].startswith("application/problem+json")
    if slug is not None:
        assert answer.json()["type"].endswith(f"/problems/{slug}")
