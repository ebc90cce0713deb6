"""Skills in demand and held, over HTTP on both databases: ``GET /api/v1/stats/skills`` (public:
JSON, CSV and XLSX) and the page ``/stats/skills`` (public, both languages, linked from
``/stats``), on tests/skill_demand_world.py's bank: open jobs counted as posted (a closed job
not), learners holding a skill through an outcome that still counts of an item aligned in force
(at its level), small counts of learners suppressed with their complements. The learners are
read from the snapshot a bank administrator's refresh counts (``stats.supply``): before any
refresh they are "-" and the table says so; after one, the counts the live count gave; the
snapshot stays as counted until the next refresh; of two refreshes at once one counts.
"""

from __future__ import annotations

import csv
import io
import re
import threading
from datetime import UTC, datetime
from html import unescape
from typing import Any

import httpx2
import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, select, update

from creditbank.access.policy import LearnerPrincipal
from creditbank.accounts.lifecycle import revoke_outcome
from creditbank.accounts.tables import OutcomeRow
from creditbank.institutions import api as institution_api
from creditbank.stats import supply
from creditbank.stats.commands import RefreshSkillSupply, ShowSkillDemand
from creditbank.stats.demand import show_skill_demand
from creditbank.stats.model import FigureTable
from creditbank.stats.supply import SupplyRefreshed, refresh_skill_supply
from creditbank.stats.tables import SkillSupplyRow, SkillSupplySnapshotRow
from tests import skill_demand_world as world
from tests.conftest import LiveBank
from tests.skill_demand_world import BIM, SOFTWARE, task
from tests.support.pages import page_client

ROW = re.compile(r'<tr data-value="([^"]*)"[^>]*>(.*?)</tr>', re.DOTALL)
CELL = re.compile(r'<td class="([^"]*)" data-column="([^"]+)">([^<]*)</td>')

BY_SKILL = {
    task(BIM, 1): {"jobs": "2", "learners": "15"},
    task(SOFTWARE, 1): {"jobs": "1", "learners": "<10"},
    task(BIM, 3): {"jobs": "1", "learners": "<10"},
    task(BIM, 2): {"jobs": "0", "learners": "11"},
    task(BIM, 4): {"jobs": "0", "learners": "<10"},
    "": {"jobs": "2", "learners": "19"},
}
"""What the world shows by skill (in this order, the total last): the closed job and the 3
holders of BIM-X at the unaligned intermediate level count nowhere, the revoked outcome not."""
TOTAL = ("", {"jobs": "2", "learners": "19"})
BY_OCCUPATION = [
    (SOFTWARE, {"jobs": "0", "learners": "<10"}),
    (BIM, {"jobs": "1", "learners": "x"}),  # hidden: the total less it would give software's
    ("", {"jobs": "1", "learners": "0"}),  # the job without an occupation: not stated
    TOTAL,
]
BY_REGION = [
    ("CN-BJ", {"jobs": "1", "learners": "<10"}),
    ("CN-SH", {"jobs": "1", "learners": "x"}),
    TOTAL,
]


@pytest.fixture(scope="module")
def built(live_bank: LiveBank) -> LiveBank:
    """The world, the skills held counted by an administrator's refresh."""
    world.build(live_bank.database)
    return live_bank


class _UndoneError(Exception):
    """Raised to roll a unit of work back."""


def test_before_any_refresh_the_learners_are_not_counted(built: LiveBank) -> None:
    """Not a live count: the open jobs as they are, the learners "-" (null), "as of" null, and
    the page says what to do (the snapshot emptied in the test's rolled-back transaction)."""
    uncounted = built
    with uncounted.database.unit_of_work() as uow:
        uow.session.execute(delete(SkillSupplyRow))
        uow.session.execute(update(SkillSupplySnapshotRow).values(as_of=None))
    with httpx2.Client(base_url=uncounted.url) as client:
        answer = client.get("/api/v1/stats/skills").json()
    with page_client(uncounted.url, "en") as client:
        page = client.get("/stats/skills")
    assert answer["as_of"] is None
    jobs = {row["value"]: row["shown"]["jobs"] for row in answer["rows"]}
    assert jobs == {task(BIM, 1): "2", task(SOFTWARE, 1): "1", task(BIM, 3): "1"}
    assert {row["shown"]["learners"] for row in (*answer["rows"], answer["total"])} == {"-"}
    assert {row["counts"]["learners"] for row in answer["rows"]} == {None}
    assert answer["total"]["counts"] == {"jobs": 2, "learners": None}
    assert 'id="not-counted"' in page.text
    assert "creditbank stats refresh-skills" in page.text
    assert 'id="as-of"' not in page.text


def shown(answer: dict[str, Any]) -> list[tuple[str, dict[str, str]]]:
    """The rows as shown, in order, the total last."""
    return [(row["value"], row["shown"]) for row in (*answer["rows"], answer["total"])]


def test_by_skill_anyone_reads_open_jobs_against_holders(built: LiveBank) -> None:
    with httpx2.Client(base_url=built.url) as client:  # no token: public
        answer = client.get("/api/v1/stats/skills").json()
    assert answer["figure"] == "skills"
    assert answer["by"] == "skill"
    assert answer["measures"] == ["jobs", "learners"]
    assert answer["suppress_below"] == world.THRESHOLD
    assert datetime.fromisoformat(answer["as_of"]) <= datetime.now(UTC)
    assert shown(answer) == list(BY_SKILL.items())
    first = answer["rows"][0]
    assert first["label"] == "搭建建筑信息模型"
    assert first["counts"] == {"jobs": 2, "learners": 15}
    hidden = answer["rows"][1]
    assert hidden["counts"] == {"jobs": 1, "learners": None}  # a suppressed count is null


def test_by_occupation_and_region_hide_the_complement(built: LiveBank) -> None:
    with httpx2.Client(base_url=built.url) as client:
        occupations = client.get("/api/v1/stats/skills", params={"by": "occupation"}).json()
        regions = client.get("/api/v1/stats/skills", params={"by": "region"}).json()
    assert shown(occupations) == BY_OCCUPATION
    names = {row["value"]: (row["label"], row["label_en"]) for row in occupations["rows"]}
    assert names[BIM] == ("建筑信息模型技术员", "建筑信息模型技术员")
    assert names[""] == ("未说明", "Not stated")
    assert shown(regions) == BY_REGION
    assert {row["value"]: row["label_en"] for row in regions["rows"]} == {
        "CN-BJ": "Beijing",
        "CN-SH": "Shanghai",
    }


def test_an_unknown_breakdown_is_refused(built: LiveBank) -> None:
    with httpx2.Client(base_url=built.url) as client:
        refused = client.get("/api/v1/stats/skills", params={"by": "institution"})
        page = client.get(
            "/stats/skills", params={"by": "institution"}, headers={"Accept": "text/html"}
        )
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert page.status_code == 400  # the handler's unknown breakdown, as the bank's error page
    assert 'class="problem"' in page.text


def test_the_files_hold_the_same_table(built: LiveBank) -> None:
    with httpx2.Client(base_url=built.url) as client:
        as_csv = client.get("/api/v1/stats/skills", params={"by": "region", "format": "csv"})
        as_xlsx = client.get("/api/v1/stats/skills", params={"by": "region", "format": "xlsx"})
    assert as_csv.headers["content-disposition"].startswith("attachment;")
    assert "skills-by-region" in as_csv.headers["content-disposition"]
    lines = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert lines[0][3:] == ["开放的职位", "持有技能的学习者"]
    assert lines[1][3:] == ["open jobs", "learners holding"]
    assert lines[2] == ["CN-BJ", "北京", "Beijing", "1", "<10"]
    assert lines[3] == ["CN-SH", "上海", "Shanghai", "1", "x"]
    assert lines[4][3:] == ["2", "19"]
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet is not None
    assert [cell.value for cell in sheet[3]] == ["CN-BJ", "北京", "Beijing", 1, "<10"]


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_page_shows_the_table_to_anyone(built: LiveBank, language: str) -> None:
    with page_client(built.url, language) as client:
        summary = client.get("/stats")
        page = client.get("/stats/skills", params={"by": "skill"})
    assert 'href="/stats/skills"' in summary.text
    assert page.status_code == 200
    table = re.search(r'<table[^>]*id="figure-table".*?</table>', page.text, re.DOTALL)
    assert table is not None
    rows = {
        value: {column: unescape(text) for _, column, text in CELL.findall(cells)}
        for value, cells in ROW.findall(table.group(0))
    }
    assert rows == BY_SKILL
    assert "<svg" in page.text
    heading = "技能的需求与持有" if language == "zh" else "Skills in demand and held"
    assert heading in page.text
    assert 'id="as-of"' in page.text
    assert 'id="not-counted"' not in page.text
    links = dict(re.findall(r'<a href="([^"]+)" data-format="(\w+)"', page.text))
    assert {unescape(href) for href in links} == {
        f"/api/v1/stats/skills?by=skill&format={f}" for f in ("csv", "xlsx", "json")
    }


def test_every_reader_gets_the_same_table(built: LiveBank) -> None:
    """Public: the handler answers anyone alike, a visitor, a learner and an employer."""
    with built.database.unit_of_work() as uow:
        employer = institution_api.principal_for(uow=uow, email=world.EMPLOYER)
        answers = [
            show_skill_demand(ShowSkillDemand("region"), principal=principal, uow=uow)
            for principal in (None, LearnerPrincipal(learner_id=1, account_number="x"), employer)
        ]
    assert answers[0] == answers[1] == answers[2]
    assert [(row.value, dict(row.shown)) for row in answers[0].rows] == BY_REGION[:-1]


def test_rows_counted_in_the_process_alike(
    built: LiveBank, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beyond ``MAPPED_IN_SQL`` pairs the learners of each occupation or region are united in
    the process: the same counts as the database's."""
    with built.database.unit_of_work() as uow:
        asked = supply.count_supply(uow)
        monkeypatch.setattr(supply, "MAPPED_IN_SQL", 0)
        united = supply.count_supply(uow)
    assert united == asked
    assert asked[supply.TOTAL, ""] == 19  # the world's learners holding


def test_the_figure_reads_the_snapshot_until_the_next_refresh(built: LiveBank) -> None:
    """An outcome revoked after the refresh still counts in the figure (as of the refresh); a
    refresh counts it out. Rolled back."""
    read: list[FigureTable] = []
    with pytest.raises(_UndoneError):
        _revoke_then_refresh(built, read)
    before, after = read
    held = {row.value: row.shown["learners"] for row in before.rows}
    assert held[task(BIM, 2)] == "11"
    assert held[task(BIM, 1)] == "15"
    again = {row.value: row.shown["learners"] for row in after.rows}
    assert again[task(BIM, 2)] == "10"
    assert again[task(BIM, 1)] == "14"
    assert after.as_of is not None
    assert before.as_of is not None
    assert after.as_of > before.as_of


def _revoke_then_refresh(bank: LiveBank, read: list[FigureTable]) -> None:
    """Revoke a BIM-101 learner's standing outcome, read the figure, refresh, read it again
    (into ``read``), and roll it all back."""
    with bank.database.unit_of_work() as uow:
        admin = institution_api.principal_for(uow=uow, email=world.ADMINS[0])
        registrar = institution_api.principal_for(uow=uow, email=world.SHVC_REGISTRAR)
        second = uow.session.scalars(  # the first BIM-101 outcome is revoked already
            select(OutcomeRow.public_id).where(OutcomeRow.record_id == "D-2")
        ).one()
        revoke_outcome(uow=uow, public_id=second, user_id=registrar.user_id, reason="录入错误")
        read.append(show_skill_demand(ShowSkillDemand("skill"), principal=None, uow=uow))
        refresh_skill_supply(RefreshSkillSupply(), principal=admin, uow=uow)
        read.append(show_skill_demand(ShowSkillDemand("skill"), principal=None, uow=uow))
        raise _UndoneError


def test_two_refreshes_at_once_one_counts(built: LiveBank) -> None:
    """Two administrators refresh at once, each having seen the same refreshes: one counts, the
    other waits for it and leaves its snapshot (real threads, each its own transaction)."""
    database = built.database
    with database.unit_of_work() as uow:
        seen = supply.supply_refreshes(uow)
    start = threading.Barrier(2)
    done: list[SupplyRefreshed] = []
    failed: list[BaseException] = []

    def refresh(email: str) -> None:
        try:
            start.wait(timeout=10)
            with database.unit_of_work() as uow:
                admin = institution_api.principal_for(uow=uow, email=email)
                done.append(
                    refresh_skill_supply(RefreshSkillSupply(seen=seen), principal=admin, uow=uow)
                )
        except BaseException as error:  # noqa: BLE001 - reported below
            failed.append(error)

    threads = [threading.Thread(target=refresh, args=(email,)) for email in world.ADMINS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failed
    assert sorted(one.counted for one in done) == [False, True]
    winner = next(one for one in done if one.counted)
    loser = next(one for one in done if not one.counted)
    assert winner.refreshes == loser.refreshes == seen + 1
    assert loser.as_of == winner.as_of
    assert loser.rows == winner.rows
    with database.unit_of_work() as uow:
        assert supply.supply_refreshes(uow) == seen + 1
        read = supply.read_supply(uow)
        assert read is not None
        assert dict(read.learners) == supply.count_supply(uow)
