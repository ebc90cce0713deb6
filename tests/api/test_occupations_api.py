"""`GET /api/v1/occupations?q=` and `GET /api/v1/occupations/{code}` on both databases: public
(no token), the search ranked with scores and what matched, one occupation with its groups,
aliases and provenance, in English or Chinese problems; bad searches and unknown codes are
named problems (400, 404, 422), never a 5xx."""

from __future__ import annotations

import httpx2
import pytest

from creditbank.occupations import importing
from creditbank.occupations.commands import ImportOccupations
from tests.conftest import LiveBank
from tests.occupations.files import CSV
from tests.occupations.test_importing import ADMIN


@pytest.fixture(scope="module")
def imported(live_bank: LiveBank) -> str:
    """The bank holds our small set of occupations; its sha256."""
    command = ImportOccupations(CSV.encode(), "ours.csv", "Our test set", "1", "CC0")
    with live_bank.database.unit_of_work() as uow:
        return importing.import_occupations(command, principal=ADMIN, uow=uow).sha256


def test_the_search_is_public_and_explained(client: httpx2.Client, imported: str) -> None:
    del imported
    answer = client.get("/api/v1/occupations", params={"q": "BIM工程师", "limit": 3})
    assert answer.status_code == 200, answer.text
    found = answer.json()
    assert found["q"] == "BIM工程师"
    assert len(found["hits"]) <= 3
    first = found["hits"][0]
    assert (first["code"], first["name"], first["level"]) == ("4-08-08-23", "建筑信息模型技术员", 4)
    assert first["name_en"] == "BIM technician"
    assert first["matched"] == "BIM工程师"
    assert "bim" in first["matched_words"]
    assert 0 < found["hits"][-1]["score"] <= first["score"] <= 1


def test_one_occupation_with_its_groups_and_provenance(
    client: httpx2.Client, imported: str
) -> None:
    answer = client.get("/api/v1/occupations/4-04-05-04")
    assert answer.status_code == 200, answer.text
    shown = answer.json()
    assert (shown["name"], shown["marks"], shown["aliases"]) == ("数据库运行管理员", "S", ["DBA"])
    assert shown["parent_codes"] == ["4-00-00-00", "4-04-00-00", "4-04-05-00"]
    assert [p["code"] for p in shown["parents"]] == shown["parent_codes"]
    assert shown["children"] == []
    assert shown["source"]["sha256"] == imported
    assert (shown["source"]["source"], shown["source"]["licence"]) == ("Our test set", "CC0")
    assert "imported_by" not in shown["source"]  # staff e-mail is not for the public
    group = client.get("/api/v1/occupations/4-04-05-00").json()
    assert [c["code"] for c in group["children"]] == ["4-04-05-02", "4-04-05-04"]


@pytest.mark.parametrize(
    ("path", "params", "status", "slug"),
    [
        ("/api/v1/occupations/9-99-99-99", {}, 404, "unknown-occupation"),
        ("/api/v1/occupations/nope", {}, 404, "unknown-occupation"),
        ("/api/v1/occupations", {"q": "  "}, 400, "invalid-occupation-search"),
        ("/api/v1/occupations", {"q": "工" * 201}, 422, None),
        ("/api/v1/occupations", {"q": "工", "limit": 0}, 422, None),
        ("/api/v1/occupations", {}, 422, None),
    ],
)
@pytest.mark.usefixtures("imported")
def test_bad_questions_are_named_problems(
    client: httpx2.Client,
    path: str,
    params: dict[str, str | int],
    status: int,
    slug: str | None,
) -> None:
    answer = client.get(path, params=params)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    if slug is not None:
        assert answer.json()["type"].endswith(f"/problems/{slug}")


def test_a_problem_in_chinese(client: httpx2.Client, imported: str) -> None:
    del imported
    answer = client.get("/api/v1/occupations/9-99-99-99", headers={"Accept-Language": "zh"})
    assert answer.status_code == 404
    problem = answer.json()
    assert problem["title"] == "没有该职业"
    assert "没有代码为 9-99-99-99 的职业" in problem["detail"]


@pytest.mark.usefixtures("imported")
@pytest.mark.parametrize(
    "q", ["\x00", "🙂🙂", "a" * 200, "%", "' OR 1=1 --", "\u200b", "工\t程\n师", "ＢＩＭ"]
)
def test_odd_searches_answer_without_a_server_error(client: httpx2.Client, q: str) -> None:
    answer = client.get("/api/v1/occupations", params={"q": q})
    if q == "\x00":  # refused by the app for every request: nothing could store it
        assert answer.status_code == 422, answer.text
        assert answer.json()["type"].endswith("/problems/invalid-characters")
        return
    assert answer.status_code == 200, answer.text
    assert all(0 < hit["score"] <= 1 for hit in answer.json()["hits"])


@pytest.mark.usefixtures("imported")
@pytest.mark.parametrize(
    ("code", "status"), [("%00", 422), ("4-08-08-23%20", 404), ("..", 404), ("４-08-08-23", 404)]
)
def test_odd_codes_are_not_found(client: httpx2.Client, code: str, status: int) -> None:
    assert client.get(f"/api/v1/occupations/{code}").status_code == status
