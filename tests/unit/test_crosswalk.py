"""The pure crosswalk core: chains, kinds, validation, contradictions (with properties)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditbank.frameworks.crosswalk import Crosswalk, CrosswalkGraph, Kind, LevelRef, weakest
from creditbank.frameworks.files import builtin_crosswalks, builtin_frameworks
from creditbank.frameworks.model import (
    FrameworkDraft,
    FrameworkError,
    FrameworkVersion,
    LevelSpec,
    NotFoundError,
    Text,
    TrackSpec,
    build_framework,
)


def scale(code: str, size: int, *, highest_first: bool = False) -> FrameworkVersion:
    """A one-track framework with levels "1".."size", 1 the lowest unless highest_first."""
    levels = [str(n) for n in range(1, size + 1)]
    if highest_first:
        levels.reverse()
    return build_framework(
        FrameworkDraft(
            code=code,
            name=Text(en=code),
            description=Text(),
            source="test",
            effective_from=date(2020, 1, 1),
            tracks=(
                TrackSpec(
                    "main",
                    Text(en=code),
                    ordered=True,
                    highest_first=highest_first,
                    levels=tuple(LevelSpec(c, Text(en=c)) for c in levels),
                ),
            ),
        ),
        version=1,
    )


def walk(
    code: str, a: str, b: str, pairs: list[tuple[str, str]], kind: Kind = Kind.PUBLISHED
) -> Crosswalk:
    return Crosswalk(code, a, b, kind, "test source", Text(en="note"), tuple(pairs))


@pytest.fixture(scope="module")
def builtin_graph() -> CrosswalkGraph:
    frameworks = {d.code: build_framework(d, version=1) for d in builtin_frameworks()}
    return CrosswalkGraph.build(frameworks, builtin_crosswalks())


def targets(graph: CrosswalkGraph, origin: str, framework: str) -> list[tuple[str, Kind]]:
    return [(str(r.target), r.kind) for r in graph.translate(LevelRef.parse(origin), framework)]


# --- seed 000, Table 14, both directions ------------------------------------------


@pytest.mark.parametrize(
    ("nvqc", "qcptp"), [("3", "junior"), ("2", "intermediate"), ("1", "senior")]
)
def test_table_14_nvqc_and_qcptp_both_ways(
    builtin_graph: CrosswalkGraph, nvqc: str, qcptp: str
) -> None:
    assert targets(builtin_graph, f"NVQC:{nvqc}", "QCPTP") == [(f"QCPTP:{qcptp}", Kind.PUBLISHED)]
    assert targets(builtin_graph, f"QCPTP:{qcptp}", "NVQC") == [(f"NVQC:{nvqc}", Kind.PUBLISHED)]


@pytest.mark.parametrize(("nvqc", "qcsw"), [("5", "primary"), ("4", "intermediate")])
def test_table_14_nvqc_and_qcsw_both_ways(
    builtin_graph: CrosswalkGraph, nvqc: str, qcsw: str
) -> None:
    assert targets(builtin_graph, f"NVQC:{nvqc}", "QCSW") == [(f"QCSW:{qcsw}", Kind.PUBLISHED)]
    assert targets(builtin_graph, f"QCSW:{qcsw}", "NVQC") == [(f"NVQC:{nvqc}", Kind.PUBLISHED)]


def test_qcsw_to_qcptp_has_no_correspondence(builtin_graph: CrosswalkGraph) -> None:
    # Table 14 puts QCSW at NVQC 5/4 and QCPTP at NVQC 3/2/1: they never meet.
    assert targets(builtin_graph, "QCSW:primary", "QCPTP") == []


def test_a_chain_through_nvqc_is_reported_with_its_path(builtin_graph: CrosswalkGraph) -> None:
    [route] = builtin_graph.translate(LevelRef.parse("QCPTP:junior"), "1X")
    assert [str(ref) for ref in route.path] == ["QCPTP:junior", "NVQC:3", "1X:advanced"]
    assert [step.crosswalk for step in route.steps] == ["NVQC-QCPTP", "1X-NVQC"]
    assert route.kind is Kind.ASSUMED  # the 1X step is an assumption


def test_assumed_mappings_onto_eqf_are_never_published(builtin_graph: CrosswalkGraph) -> None:
    for framework in builtin_graph.frameworks.values():
        for level in framework.levels():
            for route in builtin_graph.translate(LevelRef(framework.code, level.code), "EQF"):
                if route.steps:
                    assert route.kind is Kind.ASSUMED, route


def test_same_framework_answers_itself(builtin_graph: CrosswalkGraph) -> None:
    assert targets(builtin_graph, "nvqc:3", "nvqc") == [("NVQC:3", Kind.PUBLISHED)]


def test_unknown_level_and_framework_are_named(builtin_graph: CrosswalkGraph) -> None:
    with pytest.raises(NotFoundError, match="has no level 9"):
        builtin_graph.translate(LevelRef.parse("NVQC:9"), "QCPTP")
    with pytest.raises(NotFoundError, match="there is no framework XYZ"):
        builtin_graph.translate(LevelRef.parse("NVQC:3"), "XYZ")


@pytest.mark.parametrize("text", ["NVQC", "NVQC:", ":3", ""])
def test_malformed_level_reference(text: str) -> None:
    with pytest.raises(FrameworkError, match="not a level reference") as raised:
        LevelRef.parse(text)
    assert raised.value.code == "invalid_level_reference"


# --- preferring published over short assumed paths --------------------------------


def test_an_all_published_path_beats_a_shorter_assumed_one() -> None:
    a, b, c = scale("A", 3), scale("B", 3), scale("C", 3)
    graph = CrosswalkGraph.build(
        {"A": a, "B": b, "C": c},
        [
            walk("A-B", "A", "B", [("1", "1"), ("2", "2"), ("3", "3")]),
            walk("B-C", "B", "C", [("1", "1"), ("2", "2"), ("3", "3")]),
            walk("A-C", "A", "C", [("1", "1"), ("2", "2"), ("3", "3")], Kind.ASSUMED),
        ],
    )
    [route] = graph.translate(LevelRef("A", "2"), "C")
    assert route.kind is Kind.PUBLISHED
    assert [s.crosswalk for s in route.steps] == ["A-B", "B-C"]


# --- validation -----------------------------------------------------------------------


def test_a_crosswalk_to_a_missing_level_is_refused() -> None:
    with pytest.raises(FrameworkError) as raised:
        CrosswalkGraph.build(
            {"A": scale("A", 2), "B": scale("B", 2)}, [walk("A-B", "A", "B", [("1", "7")])]
        )
    assert raised.value.code == "invalid_crosswalk"
    assert "framework B (version 1) has no level 7" in str(raised.value)


def test_a_crosswalk_to_a_missing_framework_is_refused() -> None:
    with pytest.raises(FrameworkError, match="refers to framework NOPE, which does not exist"):
        CrosswalkGraph.build({"A": scale("A", 2)}, [walk("A-N", "A", "NOPE", [("1", "1")])])


def test_a_crosswalk_that_crosses_itself_is_refused() -> None:
    with pytest.raises(FrameworkError, match=r"crosses itself: A:1 -> B:2 but A:2 -> B:1"):
        CrosswalkGraph.build(
            {"A": scale("A", 2), "B": scale("B", 2)},
            [walk("A-B", "A", "B", [("1", "2"), ("2", "1")])],
        )


def test_a_cycle_of_contradicting_correspondences_is_refused() -> None:
    frameworks = {"A": scale("A", 5, highest_first=True), "B": scale("B", 3), "C": scale("C", 3)}
    crosswalks = [
        walk("A-B", "A", "B", [("3", "1")]),
        walk("B-C", "B", "C", [("1", "1")]),
        walk("C-A", "C", "A", [("1", "2")]),  # back to A at a different level
    ]
    with pytest.raises(FrameworkError) as raised:
        CrosswalkGraph.build(frameworks, crosswalks)
    assert "contradiction" in str(raised.value)
    assert "makes two different levels of A the same" in str(raised.value)
    assert "A:2 = C:1 = B:1 = A:3" in str(raised.value) or "A:3 = B:1 = C:1 = A:2" in str(
        raised.value
    )


def test_chains_that_order_two_frameworks_both_ways_are_refused() -> None:
    frameworks = {"A": scale("A", 3), "B": scale("B", 3), "C": scale("C", 3)}
    crosswalks = [
        walk("A-B", "A", "B", [("1", "1"), ("2", "2")]),
        walk("B-C", "B", "C", [("1", "2"), ("2", "3")]),
        walk("A-C", "A", "C", [("3", "1")]),
    ]
    # A:1=B:1=C:2 and A:2=B:2=C:3 and A:3=C:1: A rises while C falls.
    with pytest.raises(FrameworkError, match="opposite directions"):
        CrosswalkGraph.build(frameworks, crosswalks)


def test_many_to_one_referencing_is_not_a_contradiction() -> None:
    # Ten levels onto five, then back: levels sharing a target are not made equal.
    frameworks = {"TEN": scale("TEN", 10), "FIVE": scale("FIVE", 5)}
    pairs = [(str(n), str((n + 1) // 2)) for n in range(1, 11)]
    graph = CrosswalkGraph.build(frameworks, [walk("TEN-FIVE", "TEN", "FIVE", pairs, Kind.ASSUMED)])
    assert targets(graph, "FIVE:3", "TEN") == [("TEN:6", Kind.ASSUMED), ("TEN:5", Kind.ASSUMED)]


def test_duplicate_crosswalk_codes_are_refused() -> None:
    frameworks = {"A": scale("A", 2), "B": scale("B", 2)}
    with pytest.raises(FrameworkError, match="crosswalk code A-B appears twice"):
        CrosswalkGraph.build(frameworks, [walk("A-B", "A", "B", [("1", "1")])] * 2)


# --- properties -----------------------------------------------------------------------


@st.composite
def monotone_chain(draw: st.DrawFn) -> tuple[dict[str, FrameworkVersion], list[Crosswalk]]:
    """Frameworks F0..Fn joined in a chain by random monotone crosswalks of random kinds."""
    count = draw(st.integers(2, 5))
    sizes = [draw(st.integers(2, 7)) for _ in range(count)]
    frameworks = {
        f"F{i}": scale(f"F{i}", size, highest_first=draw(st.booleans()))
        for i, size in enumerate(sizes)
    }
    crosswalks = []
    for i in range(count - 1):
        small = min(sizes[i], sizes[i + 1])
        k = draw(st.integers(1, small))
        left = sorted(draw(st.lists(st.integers(1, sizes[i]), min_size=k, max_size=k, unique=True)))
        right = sorted(
            draw(st.lists(st.integers(1, sizes[i + 1]), min_size=k, max_size=k, unique=True))
        )
        kind = draw(st.sampled_from(Kind))
        pairs = [(str(a), str(b)) for a, b in zip(left, right, strict=True)]
        crosswalks.append(walk(f"W{i}", f"F{i}", f"F{i + 1}", pairs, kind))
    return frameworks, crosswalks


@settings(max_examples=150)
@given(monotone_chain(), st.data())
def test_properties_of_chained_translation(
    chain: tuple[dict[str, FrameworkVersion], list[Crosswalk]], data: st.DataObject
) -> None:
    frameworks, crosswalks = chain
    graph = CrosswalkGraph.build(frameworks, crosswalks)
    codes = sorted(frameworks)
    source = data.draw(st.sampled_from(codes))
    target = data.draw(st.sampled_from(codes))
    level = data.draw(st.sampled_from([lvl.code for lvl in frameworks[source].levels()]))
    kinds = {c.code: c.kind for c in crosswalks}
    for route in graph.translate(LevelRef(source, level), target):
        # the weakest kind on the path is the route's kind: never published if any step is assumed
        assert route.kind is weakest(kinds[step.crosswalk] for step in route.steps)
        # the path is connected and starts and ends where it says
        assert route.path[0] == LevelRef(source, level)
        assert route.path[-1] == route.target
        for before, step in zip(route.path, route.steps, strict=False):
            assert step.start == before
        # symmetry: the target leads back to the source
        back = [r.target for r in graph.translate(route.target, source)]
        assert LevelRef(source, level) in back


@settings(max_examples=100)
@given(monotone_chain(), st.data())
def test_a_crossing_pair_added_to_a_valid_chain_is_always_refused(
    chain: tuple[dict[str, FrameworkVersion], list[Crosswalk]], data: st.DataObject
) -> None:
    frameworks, crosswalks = chain
    victim = data.draw(st.sampled_from(crosswalks))
    a_fw, b_fw = frameworks[victim.from_framework], frameworks[victim.to_framework]
    (a1, b1) = victim.pairs[0]
    a_rank = a_fw.level(a1).rank
    b_rank = b_fw.level(b1).rank
    higher_a = [lvl.code for lvl in a_fw.levels() if lvl.rank > a_rank]
    lower_b = [lvl.code for lvl in b_fw.levels() if lvl.rank < b_rank]
    if not higher_a or not lower_b:
        return
    crossing = (data.draw(st.sampled_from(higher_a)), data.draw(st.sampled_from(lower_b)))
    broken = Crosswalk(
        victim.code,
        victim.from_framework,
        victim.to_framework,
        victim.kind,
        victim.source,
        victim.note,
        (*victim.pairs, crossing),
    )
    with pytest.raises(FrameworkError) as raised:
        CrosswalkGraph.build(frameworks, [broken if c is victim else c for c in crosswalks])
    assert raised.value.code == "invalid_crosswalk"
