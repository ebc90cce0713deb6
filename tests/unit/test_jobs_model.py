"""The jobs' pure rules, without a database: a posting's fields checked and normalised (the
region to its ISO 3166-2 code however written), the skills kept (essential first, each once),
certificates named as OWNER:CODE[@LEVEL], moments in UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from creditbank.jobs.model import (
    JobError,
    JobSkill,
    check_posting,
    check_skills,
    parse_certificate,
    utc,
)


@pytest.mark.parametrize("region", ["上海", "上海市", "CN-SH", "cn-sh", " 上海 "])
def test_a_region_however_written(region: str) -> None:
    posting = check_posting(title=" BIM建模员 ", description=" 建模 ", language="ZH", region=region)
    assert (posting.title, posting.description, posting.language, posting.region) == (
        "BIM建模员",
        "建模",
        "zh",
        "CN-SH",
    )


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"title": ""}, "needs a title"),
        ({"title": "岗" * 201}, "at most 200"),
        ({"description": "x" * 20_001}, "at most 20000"),
        ({"language": "de"}, "zh or en"),
        ({"region": "Shanghai"}, "provincial-level"),
    ],
)
def test_a_posting_s_problems(fields: dict[str, str], words: str) -> None:
    given = {"title": "岗位", "description": "", "language": "zh", "region": "上海", **fields}
    with pytest.raises(JobError, match=words) as refused:
        check_posting(**given)
    assert refused.value.code == "invalid_job"


def test_skills_essential_first_each_once() -> None:
    kept = check_skills(
        [JobSkill(3, "optional"), JobSkill(2, "essential"), JobSkill(1, "optional")]
    )
    assert kept == (JobSkill(2, "essential"), JobSkill(1, "optional"), JobSkill(3, "optional"))
    for skills, words in (
        ([], "at least one skill"),
        ([JobSkill(1, "essential"), JobSkill(1, "optional")], "named twice"),
        ([JobSkill(1, "required")], "essential or optional"),
        ([JobSkill(n, "essential") for n in range(101)], "at most 100 skills"),
    ):
        with pytest.raises(JobError, match=words):
            check_skills(skills)


def test_certificates() -> None:
    assert parse_certificate(" bimteo:BIM-X@intermediate ") == ("BIMTEO", "BIM-X", "intermediate")
    assert parse_certificate("UNI-S:BIM-101") == ("UNI-S", "BIM-101", None)
    for odd in ("BIM-X", "A:B:C", "UNI-S:BIM 101", "UNI-S:@5", "U:X"):
        with pytest.raises(JobError, match="OWNER:CODE or OWNER:CODE@LEVEL"):
            parse_certificate(odd)


def test_moments_in_utc() -> None:
    naive = datetime(2026, 12, 7, 6, 0)  # noqa: DTZ001 (SQLite hands back naive UTC)
    assert utc(naive) == datetime(2026, 12, 7, 6, 0, tzinfo=UTC)
    beijing = datetime(2026, 12, 7, 14, 0, tzinfo=timezone(timedelta(hours=8)))
    assert utc(beijing) == datetime(2026, 12, 7, 6, 0, tzinfo=UTC)
    assert utc(beijing).tzinfo is UTC
