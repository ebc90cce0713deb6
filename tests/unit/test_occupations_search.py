"""The occupations' index without a database: each method's ranking, ties by code, and the
process's indexes (one per database, kept while its imports are the same, at most eight)."""

from __future__ import annotations

from creditbank.occupations import search
from creditbank.occupations.files import read_occupations
from creditbank.occupations.model import Level, Occupation
from tests.occupations.files import CSV


def _occupations() -> list[Occupation]:
    return read_occupations(CSV.encode(), "csv")


def test_each_method_ranks_the_alias_first() -> None:
    index = search.OccupationIndex.build(_occupations())
    assert len(index) == 9 + 7 + 6  # names, aliases, English names
    for method in ("fused", "tfidf", "bm25"):
        hits = index.search("DBA", 5, method)
        assert hits[0].occupation.code == "4-04-05-04", method
        assert hits[0].matched == "DBA"


def test_equal_scores_are_ranked_by_code() -> None:
    twins = [Occupation(code, Level.OCCUPATION, "同名工") for code in ("6-01-01-02", "6-01-01-01")]
    hits = search.OccupationIndex.build(twins).search("同名工")
    assert [hit.occupation.code for hit in hits] == ["6-01-01-01", "6-01-01-02"]
    assert hits[0].score == hits[1].score


def test_an_index_is_kept_per_database_while_its_imports_are_the_same() -> None:
    loads: list[str] = []

    def load(name: str) -> list[Occupation]:
        loads.append(name)
        return _occupations()

    first = search.index_for("db-a", ((1, "aa"),), lambda: load("a1"))
    assert search.index_for("db-a", ((1, "aa"),), lambda: load("a2")) is first
    changed = search.index_for("db-a", ((1, "aa"), (2, "bb")), lambda: load("a3"))
    assert changed is not first
    other = search.index_for("db-b", ((1, "aa"),), lambda: load("b1"))
    assert other is not changed
    assert loads == ["a1", "a3", "b1"]
    for n in range(search.MAX_INDEXES):
        search.index_for(f"db-{n}", (), list)
    assert len(search._INDEXES) == search.MAX_INDEXES
    assert "db-a" not in search._INDEXES


def test_no_fallback_by_default_and_none_when_the_best_is_trusted() -> None:
    index = search.OccupationIndex.build(_occupations())
    assert search.FALLBACK is None
    plain = index.search("DBA", 5)
    assert plain == index.search("DBA", 5, fallback=search.Fallback(0.5, 0.05))
    assert plain[0].occupation.code == "4-04-05-04"
    assert plain[0].broader == ()


def test_an_uncertain_best_gives_way_to_its_minor_group() -> None:
    index = search.OccupationIndex.build(_occupations())
    plain = index.search("DBA", 5)
    hits = index.search("DBA", 5, fallback=search.Fallback(min_score=1.01, min_margin=0.0))
    first = hits[0]
    assert (first.occupation.code, first.broader) == ("4-04-05-00", ("4-04-05-04",))
    assert (first.score, first.matched) == (plain[0].score, plain[0].matched)
    assert hits[1] == plain[0]
    assert len(hits) == 5
    assert [hit.occupation.code for hit in hits].count("4-04-05-00") == 1


def test_no_fallback_to_a_group_the_index_lacks_or_from_a_group() -> None:
    index = search.OccupationIndex.build(_occupations())
    doubtful = search.Fallback(min_score=1.01, min_margin=1.0)
    assert index.search("java", 3, fallback=doubtful)[0].occupation.code == "2-02-10-03"
    group_first = index.search("专业化设计服务人员", 3, fallback=doubtful)
    assert group_first[0].occupation.code == "4-08-08-00"
    assert group_first[0].broader == ()


def test_the_narrowest_group_shared_by_the_uncertain() -> None:
    common = search._common_group
    assert common(["4-04-05-02", "4-04-05-04"]) == "4-04-05-00"
    assert common(["4-04-05-02", "4-04-06-01"]) == "4-04-00-00"
    assert common(["4-04-05-02", "4-08-08-23"]) is None
    assert common(["4-04-05-02", "2-02-10-03"]) is None
    assert common(["4-04-05-00", "4-04-05-02"]) == "4-04-05-00"
    assert common(["1-02-01-00"]) == "1-02-01-00"
