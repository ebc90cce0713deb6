"""Skills suggested for a text without a database (``skills.suggest.SkillIndex``): found by their
own words, explained; found through an occupation (``via``) though no word matches; the two
routes fused; ``within``, the limit, ties by URI, texts of punctuation alone; the shared text
index's cache."""

from __future__ import annotations

import pytest

from creditbank.skills import suggest
from creditbank.skills.model import Skill
from creditbank.textindex import IndexCache


def _skill(number: int, name: str, name_en: str | None = None, description: str = "") -> Skill:
    return Skill(
        id=number,
        uri=f"urn:test:skill:{number:02d}",
        name=name,
        name_en=name_en,
        description=description,
        kind="task",
        source="test",
    )


SKILLS = [
    _skill(1, "建立建筑信息模型", "Build BIM models"),
    _skill(2, "编写SQL查询语句", "Write SQL queries"),
    _skill(3, "设计软件测试用例", "Design test cases"),
    _skill(4, "进行施工现场安全检查"),
    _skill(5, "制定客房服务标准", "Set room service standards"),
    _skill(6, "接待宾客并办理入住手续"),
]
REQUIRED = {1: ["4-04-05-04"], 4: ["4-04-05-04", "6-29-01-01"], 5: ["4-03-01-01"]}


@pytest.fixture(scope="module")
def index() -> suggest.SkillIndex:
    return suggest.SkillIndex(SKILLS, REQUIRED)


def _ids(hits: list[suggest.SkillHit]) -> list[int]:
    return [hit.skill.id for hit in hits]


def test_a_skill_is_found_by_its_words_with_what_matched(index: suggest.SkillIndex) -> None:
    hits = index.suggest("SQL查询")
    assert hits[0].skill.id == 2
    assert "sql" in hits[0].matched_words
    assert "查询" in hits[0].matched_words
    assert set(hits[0].matched_characters) == set("sql查询")
    assert hits[0].via is None
    assert 0 < hits[0].score <= 1
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)


def test_english_names_are_searched_too(index: suggest.SkillIndex) -> None:
    assert index.suggest("test cases")[0].skill.id == 3


def test_an_occupation_found_lends_its_skills_though_no_word_matches(
    index: suggest.SkillIndex,
) -> None:
    assert all(hit.via is None for hit in index.suggest("建模员"))
    hits = index.suggest("建模员", [("4-04-05-04", 0.8)])
    assert set(_ids(hits)) == {1, 4}
    assert all(hit.via == "4-04-05-04" for hit in hits)
    # the direct route orders what the occupation gave: 建模 is in skill 1's name, not 4's
    assert _ids(hits) == [1, 4]
    assert hits[0].score > hits[1].score == pytest.approx(suggest.VIA_WEIGHT * 0.8)


def test_a_skill_required_by_several_occupations_takes_the_best(
    index: suggest.SkillIndex,
) -> None:
    hits = index.suggest("瓦匠", [("4-04-05-04", 0.3), ("6-29-01-01", 0.9)])
    assert hits[0].skill.id == 4
    assert hits[0].via == "6-29-01-01"
    assert hits[0].score == pytest.approx(suggest.VIA_WEIGHT * 0.9)


def test_only_the_first_occupations_found_lend_their_skills(index: suggest.SkillIndex) -> None:
    found = [("9-99-99-01", 0.9)] * suggest.VIA_OCCUPATIONS + [("4-03-01-01", 0.9)]
    assert index.suggest("前台", found) == []


def test_within_limit_and_ties(index: suggest.SkillIndex) -> None:
    found = [("4-04-05-04", 0.5)]
    assert _ids(index.suggest("检查", found, within={4, 5})) == [4]
    assert index.suggest("检查", found, within=set()) == []
    assert len(index.suggest("建立 编写 设计", limit=2)) == 2
    assert index.suggest("检查", found, limit=0) == []
    twins = suggest.SkillIndex([_skill(9, "同名任务"), _skill(8, "同名任务")], {})
    hits = twins.suggest("同名任务")
    assert _ids(hits) == [8, 9]
    assert hits[0].score == hits[1].score


@pytest.mark.parametrize("text", ["", "   ", "。，、！?", "、、"])
def test_texts_without_words_find_nothing(index: suggest.SkillIndex, text: str) -> None:
    assert index.suggest(text, [("4-04-05-04", 0.9)]) == []


def test_long_texts_are_cut_and_punctuation_ignored() -> None:
    assert suggest.plain("SQL，查询。\n 语句") == "SQL 查询 语句"
    assert len(suggest.plain("字" * (suggest.MAX_TEXT + 50))) == suggest.MAX_TEXT


def test_an_empty_index_finds_nothing() -> None:
    empty = suggest.SkillIndex([], {})
    assert len(empty) == 0
    assert empty.suggest("SQL", [("4-04-05-04", 0.9)]) == []


def test_the_cache_keeps_an_index_per_database_while_its_fingerprint_is_the_same() -> None:
    cache = IndexCache[object](2)
    built: list[str] = []

    def build(name: str) -> object:
        built.append(name)
        return object()

    first = cache.get("a", "v1", lambda: build("a1"))
    assert cache.get("a", "v1", lambda: build("a2")) is first
    assert cache.get("a", "v2", lambda: build("a3")) is not first
    cache.get("b", "v1", lambda: build("b1"))
    cache.get("c", "v1", lambda: build("c1"))
    assert built == ["a1", "a3", "b1", "c1"]
    assert len(cache) == 2
    assert "a" not in cache
