"""Jobs over HTTP, on both databases (tests/jobs/world.py): suggestions for a job's text, posting
(skills by URI), listing, showing and closing a job (once: then 409); who may (an enterprise's
employers for their own, bank administrators any; every staff role reads; no token: 401); bad
postings are 422 problems that name what is wrong, in English or Chinese, and store nothing;
unknown jobs 404; the answers are in the OpenAPI description."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest

from creditbank.institutions import service as institutions
from tests.conftest import LiveBank
from tests.jobs.world import BIM, FIRM, OTHER_FIRM, PEOPLE, SCHOOL, SQL, TEAMWORK, build

PROBLEM = "application/problem+json"
POSTING = {
    "institution": FIRM,
    "title": "BIM建模员",
    "description": "负责建筑信息模型搭建，团队协作。",
    "region": "上海",
    "occupation": "4-08-08-23",
    "skills": [{"uri": BIM}, {"uri": TEAMWORK, "relation": "optional"}],
    "certificates": [f"{SCHOOL}:BIM-101@5"],
}


@pytest.fixture(scope="module")
def clients(live_bank: LiveBank) -> Iterator[dict[str, httpx2.Client]]:
    made = {}
    with live_bank.database.unit_of_work() as uow:
        build(uow)
        secrets = {
            key: institutions.create_token(uow=uow, email=email).secret
            for key, (email, _, _) in PEOPLE.items()
        }
    for key, secret in secrets.items():
        made[key] = httpx2.Client(
            base_url=live_bank.url,
            headers={"Authorization": f"Bearer {secret}", "Accept-Language": "en"},
            timeout=30,
        )
    made["anonymous"] = httpx2.Client(base_url=live_bank.url, timeout=30)
    yield made
    for client in made.values():
        client.close()


def test_post_show_list_and_close(clients: dict[str, httpx2.Client]) -> None:
    employer = clients["employer"]
    posted = employer.post("/api/v1/jobs", json=POSTING)
    assert posted.status_code == 201, posted.text
    job = posted.json()
    assert (job["institution"], job["region"], job["status"], job["language"]) == (
        FIRM,
        "CN-SH",
        "open",
        "zh",
    )
    assert [(s["uri"], s["relation"]) for s in job["skills"]] == [
        (BIM, "essential"),
        (TEAMWORK, "optional"),
    ]
    assert (
        job["certificates"] == [f"{SCHOOL}:BIM-101@5"] and job["posted_by"] == PEOPLE["employer"][0]
    )
    path = f"/api/v1/jobs/{job['id']}"
    for reader in ("registrar", "auditor", "other_employer"):
        shown = clients[reader].get(path)
        assert shown.status_code == 200 and shown.json() == job
    listed = clients["registrar"].get("/api/v1/jobs", params={"status": "open", "region": "CN-SH"})
    assert [j["id"] for j in listed.json()["jobs"]] == [job["id"]]
    assert clients["auditor"].get("/api/v1/jobs", params={"institution": OTHER_FIRM}).json() == {
        "jobs": []
    }
    assert clients["other_employer"].post(f"{path}/close").status_code == 403
    closed = employer.post(f"{path}/close")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    again = clients["admin"].post(f"{path}/close")
    assert again.status_code == 409
    assert again.headers["content-type"].startswith(PROBLEM)
    assert again.json()["type"] == "/problems/job-closed"
    assert f"job {job['id']} is closed already" in again.json()["detail"]
    assert clients["anonymous"].get(path).status_code == 401


def test_suggestions(clients: dict[str, httpx2.Client]) -> None:
    found = clients["employer"].post(
        "/api/v1/jobs/suggestions", json={"title": "数据库管理员", "description": "编写SQL查询"}
    )
    assert found.status_code == 200, found.text
    body = found.json()
    assert body["occupations"][0]["code"] == "4-04-05-04"
    first = body["skills"][0]
    assert first["uri"] == SQL and {"sql", "查询"} <= set(first["matched_words"])
    assert 0 < first["score"] <= 1
    refused = clients["registrar"].post("/api/v1/jobs/suggestions", json={"title": "BIM"})
    assert refused.status_code == 403
    empty = clients["employer"].post("/api/v1/jobs/suggestions", json={"title": " "})
    assert empty.status_code == 400 and empty.json()["type"] == "/problems/invalid-job-search"


@pytest.mark.parametrize(
    "case",
    [
        ("other_employer", {}, 403, "forbidden", "may not post jobs for FIRM-A"),
        ("registrar", {}, 403, "forbidden", "may not post jobs"),
        ("admin", {"institution": SCHOOL}, 422, "not-an-enterprise", "UNI-S is not an enterprise"),
        ("admin", {"institution": "NOBODY"}, 404, "institution-not-found", "no institution"),
        ("employer", {"region": "火星"}, 422, "invalid-job", "provincial-level regions"),
        ("employer", {"skills": [{"uri": "urn:x"}]}, 422, "invalid-job", "no skill urn:x"),
        ("employer", {"certificates": ["UNI-S:NONE"]}, 422, "invalid-job", "no item UNI-S:NONE"),
        ("employer", {"language": "fr"}, 422, "invalid-job", "zh or en"),
        ("employer", {"skills": []}, 422, "validation-error", ""),
    ],
)
def test_bad_postings_are_named_and_store_nothing(
    clients: dict[str, httpx2.Client], case: tuple[str, dict[str, object], int, str, str]
) -> None:
    who, changes, status, slug, words = case
    answer = clients[who].post("/api/v1/jobs", json={**POSTING, **changes})
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith(PROBLEM)
    assert answer.json()["type"].endswith(f"/{slug}")
    assert words in answer.json()["detail"]
    assert clients["admin"].get("/api/v1/jobs").json() == {"jobs": []}


def test_problems_in_chinese_and_unknown_jobs(clients: dict[str, httpx2.Client]) -> None:
    chinese = clients["employer"].post(
        "/api/v1/jobs", json={**POSTING, "region": "火星"}, headers={"Accept-Language": "zh"}
    )
    assert chinese.status_code == 422
    assert "不是中国的省级行政区" in chinese.json()["detail"]
    missing = clients["auditor"].get("/api/v1/jobs/999999")
    assert missing.status_code == 404 and missing.json()["type"] == "/problems/job-not-found"
    assert clients["auditor"].get("/api/v1/jobs/0").status_code == 422
    assert clients["auditor"].post("/api/v1/jobs/999999/close").status_code == 404
    assert clients["admin"].post("/api/v1/jobs/999999/close").status_code == 404
    odd = clients["auditor"].get("/api/v1/jobs", params={"status": "pending"})
    assert odd.status_code == 422 and "open or closed" in odd.json()["detail"]


def test_the_answers_are_described(clients: dict[str, httpx2.Client]) -> None:
    paths = clients["anonymous"].get("/openapi.json").json()["paths"]
    assert {"201", "401", "403", "404", "422"} <= set(paths["/api/v1/jobs"]["post"]["responses"])
    assert "409" in paths["/api/v1/jobs/{job_id}/close"]["post"]["responses"]
    assert "/api/v1/jobs/suggestions" in paths
