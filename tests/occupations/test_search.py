"""The search over occupations through its handler, on both databases: ranked by the fused score
with what matched, an occupation once however many of its aliases match (its best), English names
found too, the index built again when an import changes the occupations, bad searches refused."""

from __future__ import annotations

import pytest

from creditbank.db import Database
from creditbank.occupations import views
from creditbank.occupations.commands import SearchOccupations
from creditbank.occupations.model import OccupationsError
from creditbank.occupations.search import Hit
from tests.occupations.files import CSV, JSON
from tests.occupations.test_importing import import_file


def search(database: Database, q: str, limit: int = 10) -> list[Hit]:
    with database.unit_of_work() as uow:
        return views.search_occupations(SearchOccupations(q, limit), principal=None, uow=uow)


@pytest.fixture
def ours(database: Database) -> Database:
    with database.unit_of_work() as uow:
        import_file(uow, CSV)
    return database


def test_an_alias_finds_its_occupation_first_with_what_matched(ours: Database) -> None:
    hits = search(ours, "BIM工程师")
    first = hits[0]
    assert (first.occupation.code, first.matched) == ("4-08-08-23", "BIM工程师")
    assert first.score == pytest.approx(1.0)
    assert "bim" in first.matched_words
    assert set(first.matched_characters) == set("bim工程师")
    assert all(hit.score < first.score for hit in hits[1:])
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)


def test_each_occupation_once_scored_by_its_best_alias(ours: Database) -> None:
    hits = search(ours, "软件测试工程师")
    codes = [hit.occupation.code for hit in hits]
    assert codes[0] == "4-04-05-02"
    assert len(codes) == len(set(codes))
    assert hits[0].matched in {"软件测试", "测试工程师"}


def test_names_in_english_and_words_of_a_name(ours: Database) -> None:
    assert search(ours, "software tester")[0].occupation.code == "4-04-05-02"
    assert search(ours, "数据库管理")[0].occupation.code == "4-04-05-04"
    assert search(ours, "java")[0].occupation.code == "2-02-10-03"


def test_the_limit_and_nothing_found(ours: Database) -> None:
    assert len(search(ours, "人员", limit=2)) == 2
    assert search(ours, "量子") == []


def test_an_import_that_changes_the_occupations_rebuilds_the_index(ours: Database) -> None:
    assert "6-29-01-01" not in {hit.occupation.code for hit in search(ours, "瓦工")}
    assert search(ours, "BIM建模员")[0].matched != "BIM建模员"
    with ours.unit_of_work() as uow:
        import_file(uow, JSON, "second.json")
    assert search(ours, "瓦工")[0].occupation.code == "6-29-01-01"
    assert search(ours, "BIM建模员")[0].matched == "BIM建模员"


@pytest.mark.parametrize(("q", "limit"), [("", 10), ("   ", 10), ("工" * 201, 10), ("工", 0)])
def test_a_bad_search_is_refused(ours: Database, q: str, limit: int) -> None:
    with pytest.raises(OccupationsError) as caught:
        search(ours, q, limit)
    assert caught.value.code == "invalid_occupation_search"


def test_a_bank_without_occupations_finds_nothing(database: Database) -> None:
    assert search(database, "BIM工程师") == []
    assert search(database, "。，!") == []


def test_punctuation_alone_finds_nothing(ours: Database) -> None:
    assert search(ours, "。，！?") == []
