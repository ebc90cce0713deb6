"""The framework registry over HTTP: answers, problem documents and the OpenAPI description."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

PROBLEM = "application/problem+json"


def problem(response: httpx2.Response, status: int, type_: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["type"] == f"/problems/{type_}"
    assert body["status"] == status
    assert body["title"] and body["detail"]
    return body


def test_healthz(client: httpx2.Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == "ok"


def test_list_frameworks(client: httpx2.Client) -> None:
    body = client.get("/api/v1/frameworks").json()
    codes = {item["code"] for item in body}
    assert codes == {"NVQC", "QCPTP", "QCSW", "LOFOUC", "GDLEQF", "CLEQF", "1X", "EQF", "ISCED"}
    nvqc = next(item for item in body if item["code"] == "NVQC")
    assert nvqc["levels"] == 5 and nvqc["name"]["zh"] == "国家职业资格证书"


def test_framework_with_levels_in_source_order(client: httpx2.Client) -> None:
    body = client.get("/api/v1/frameworks/nvqc").json()
    [track] = body["tracks"]
    assert track["highest_first"] is True
    assert [level["code"] for level in track["levels"]] == ["1", "2", "3", "4", "5"]
    assert [level["rank"] for level in track["levels"]] == [4, 3, 2, 1, 0]
    assert track["levels"][0]["descriptors"]["competency"]["en"].startswith("Can complete complex")
    assert body["versions"][0]["version"] == 1


def test_cleqf_has_its_tracks(client: httpx2.Client) -> None:
    body = client.get("/api/v1/frameworks/CLEQF").json()
    tracks = {track["code"]: track for track in body["tracks"]}
    assert set(tracks) == {"general", "continuing", "vocational", "training", "achievements"}
    assert len(tracks["general"]["levels"]) == 7
    assert len(tracks["continuing"]["levels"]) == 5
    assert tracks["achievements"]["ordered"] is False


def test_level_with_its_correspondences(client: httpx2.Client) -> None:
    body = client.get("/api/v1/frameworks/NVQC/levels/3").json()
    assert body["framework"] == "NVQC" and body["code"] == "3" and body["version"] == 1
    kinds = {item["level"]: item["kind"] for item in body["correspondences"]}
    assert kinds["QCPTP:junior"] == "published"
    assert kinds["EQF:4"] == "assumed"


@pytest.mark.parametrize(
    ("origin", "target", "expected"),
    [
        ("NVQC:3", "QCPTP", "QCPTP:junior"),
        ("NVQC:2", "QCPTP", "QCPTP:intermediate"),
        ("NVQC:1", "QCPTP", "QCPTP:senior"),
        ("QCPTP:junior", "NVQC", "NVQC:3"),
        ("QCPTP:senior", "NVQC", "NVQC:1"),
        ("NVQC:5", "QCSW", "QCSW:primary"),
        ("QCSW:intermediate", "NVQC", "NVQC:4"),
    ],
)
def test_table_14_through_the_api(
    client: httpx2.Client, origin: str, target: str, expected: str
) -> None:
    body = client.get("/api/v1/crosswalk", params={"from": origin, "to": target}).json()
    assert body["from"] == origin
    assert [(r["level"], r["kind"]) for r in body["results"]] == [(expected, "published")]
    assert body["results"][0]["path"] == [origin, expected]
    assert "Table 14" in body["results"][0]["steps"][0]["source"]


def test_a_chain_with_an_assumption_is_reported_assumed(client: httpx2.Client) -> None:
    body = client.get("/api/v1/crosswalk", params={"from": "QCPTP:junior", "to": "EQF"}).json()
    [result] = body["results"]
    assert result["level"] == "EQF:4"
    assert result["kind"] == "assumed"
    assert result["path"] == ["QCPTP:junior", "NVQC:3", "EQF:4"]
    assert [step["kind"] for step in result["steps"]] == ["published", "assumed"]


def test_no_correspondence_is_an_empty_answer(client: httpx2.Client) -> None:
    body = client.get("/api/v1/crosswalk", params={"from": "LOFOUC:3", "to": "NVQC"}).json()
    assert body["results"] == []


def test_compare_respects_nvqc_order(client: httpx2.Client) -> None:
    higher = client.get("/api/v1/frameworks/NVQC/compare", params={"a": "1", "b": "3"}).json()
    assert higher["comparison"] == 1 and higher["a_at_least_b"] is True
    lower = client.get("/api/v1/frameworks/NVQC/compare", params={"a": "5", "b": "4"}).json()
    assert lower["comparison"] == -1 and lower["a_at_least_b"] is False


def test_crosswalk_list_carries_provenance(client: httpx2.Client) -> None:
    body = {item["code"]: item for item in client.get("/api/v1/crosswalks").json()}
    assert body["NVQC-QCPTP"]["kind"] == "published"
    assert body["NVQC-EQF"]["kind"] == "assumed"
    assert body["NVQC-EQF"]["note"]["en"]


# --- errors ---------------------------------------------------------------------------


def test_unknown_framework(client: httpx2.Client) -> None:
    body = problem(client.get("/api/v1/frameworks/NOPE"), 404, "framework-not-found")
    assert "NOPE" in body["detail"]
    assert body["instance"] == "/api/v1/frameworks/NOPE"


def test_unknown_version(client: httpx2.Client) -> None:
    problem(client.get("/api/v1/frameworks/NVQC", params={"version": 9}), 404, "version-not-found")


def test_unknown_level(client: httpx2.Client) -> None:
    body = problem(client.get("/api/v1/frameworks/NVQC/levels/6"), 404, "level-not-found")
    assert body["detail"] == "framework NVQC (version 1) has no level 6"


def test_unknown_level_in_chinese(client: httpx2.Client) -> None:
    response = client.get(
        "/api/v1/frameworks/NVQC/levels/6", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}
    )
    body = problem(response, 404, "level-not-found")
    assert body["detail"] == "框架 NVQC（第 1 版）中没有等级 6"
    assert body["title"] == "未找到等级"


def test_malformed_reference(client: httpx2.Client) -> None:
    body = problem(
        client.get("/api/v1/crosswalk", params={"from": "NVQC", "to": "QCPTP"}),
        422,
        "invalid-level-reference",
    )
    assert "FRAMEWORK:LEVEL" in body["detail"]


def test_missing_parameter(client: httpx2.Client) -> None:
    body = problem(
        client.get("/api/v1/crosswalk", params={"from": "NVQC:3"}), 422, "validation-error"
    )
    assert any("to" in item for item in body["problems"])


def test_incomparable_levels(client: httpx2.Client) -> None:
    problem(
        client.get("/api/v1/frameworks/CLEQF/compare", params={"a": "GE1", "b": "VE1"}),
        422,
        "levels-not-comparable",
    )


def test_unknown_route_and_method(client: httpx2.Client) -> None:
    problem(client.get("/api/v1/nothing-here"), 404, "not-found")
    problem(client.post("/api/v1/frameworks"), 405, "method-not-allowed")


def test_problem_types_are_documented(client: httpx2.Client) -> None:
    page = client.get("/problems/level-not-found", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "Level not found" in page.text


# --- OpenAPI --------------------------------------------------------------------------

CASES = [
    ("get", "/api/v1/frameworks", "/api/v1/frameworks", {}),
    ("get", "/api/v1/frameworks/{code}", "/api/v1/frameworks/NVQC", {}),
    ("get", "/api/v1/frameworks/{code}", "/api/v1/frameworks/NOPE", {}),
    ("get", "/api/v1/frameworks/{code}", "/api/v1/frameworks/NVQC", {"version": "x"}),
    ("get", "/api/v1/frameworks/{code}/levels/{level}", "/api/v1/frameworks/NVQC/levels/3", {}),
    ("get", "/api/v1/frameworks/{code}/levels/{level}", "/api/v1/frameworks/NVQC/levels/0", {}),
    (
        "get",
        "/api/v1/frameworks/{code}/compare",
        "/api/v1/frameworks/NVQC/compare",
        {"a": "1", "b": "2"},
    ),
    ("get", "/api/v1/frameworks/{code}/compare", "/api/v1/frameworks/NVQC/compare", {"a": "1"}),
    ("get", "/api/v1/crosswalk", "/api/v1/crosswalk", {"from": "NVQC:3", "to": "EQF"}),
    ("get", "/api/v1/crosswalk", "/api/v1/crosswalk", {"from": "NVQC:3", "to": "NOPE"}),
    ("get", "/api/v1/crosswalk", "/api/v1/crosswalk", {"from": "NVQC", "to": "EQF"}),
    ("get", "/api/v1/crosswalks", "/api/v1/crosswalks", {}),
    ("get", "/healthz", "/healthz", {}),
]


def test_every_status_returned_is_in_the_openapi_document(client: httpx2.Client) -> None:
    spec = client.get("/openapi.json").json()
    seen = set()
    for method, template, path, params in CASES:
        response = client.request(method, path, params=params)
        documented = spec["paths"][template][method]["responses"]
        assert str(response.status_code) in documented, (path, params, response.status_code)
        seen.add(response.status_code)
        if response.status_code >= 400:
            schema = documented[str(response.status_code)]["content"][PROBLEM]["schema"]
            assert schema["$ref"].endswith("/Problem")
    assert {200, 404, 422} <= seen
    for path_item in spec["paths"].values():
        for operation in path_item.values():
            assert "500" in operation["responses"]
