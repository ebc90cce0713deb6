"""Framework versions over HTTP: the latest by default, the one in force on a date, old ones kept."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import httpx2
import pytest

from creditbank.frameworks import service
from creditbank.frameworks.files import builtin_frameworks
from creditbank.frameworks.model import Text
from tests.conftest import LiveBank


@pytest.fixture(scope="module")
def with_future_version(live_bank: LiveBank) -> LiveBank:
    """EQF version 2, renaming level 4, in force from 2099."""
    eqf = next(d for d in builtin_frameworks() if d.code == "EQF")
    track = eqf.tracks[0]
    levels = tuple(
        replace(level, name=Text(zh="第4级（修订）", en="Level 4 (revised)"))
        if level.code == "4"
        else level
        for level in track.levels
    )
    draft = replace(eqf, effective_from=date(2099, 1, 1), tracks=(replace(track, levels=levels),))
    with live_bank.database.unit_of_work() as uow:
        service.publish_framework(uow=uow, draft=draft, actor="test-admin")
    return live_bank


def level_4_name(body: dict[str, Any]) -> str:
    return str(next(lvl["name"]["en"] for lvl in body["tracks"][0]["levels"] if lvl["code"] == "4"))


def test_latest_in_force_and_old_versions(
    with_future_version: LiveBank, client: httpx2.Client
) -> None:
    latest = client.get("/api/v1/frameworks/EQF").json()
    assert (latest["version"], level_4_name(latest)) == (2, "Level 4 (revised)")
    assert [v["version"] for v in latest["versions"]] == [1, 2]
    assert latest["versions"][1]["published_by"] == "test-admin"
    in_force = client.get("/api/v1/frameworks/EQF", params={"on": "2026-11-22"}).json()
    assert (in_force["version"], level_4_name(in_force)) == (1, "Level 4")
    old = client.get("/api/v1/frameworks/EQF", params={"version": 1}).json()
    assert level_4_name(old) == "Level 4"
    level = client.get("/api/v1/frameworks/EQF/levels/4", params={"version": 1}).json()
    assert (level["version"], level["name"]["en"]) == (1, "Level 4")
    listed = {item["code"]: item for item in client.get("/api/v1/frameworks").json()}
    assert (listed["EQF"]["version"], listed["EQF"]["in_force"], listed["EQF"]["versions"]) == (
        2,
        1,
        2,
    )


def test_bad_date_is_a_validation_problem(
    with_future_version: LiveBank, client: httpx2.Client
) -> None:
    response = client.get("/api/v1/frameworks/EQF", params={"on": "22/11/2026"})
    assert response.status_code == 422
    assert response.json()["type"] == "/problems/validation-error"
