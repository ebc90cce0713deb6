"""The matching's pure core: coverage and share, required against optional skills, the
explanation, and the smallest set of items closing a gap (scipy's milp), checked against brute
force on small random instances."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditbank.matching.model import (
    ESSENTIAL,
    OPTIONAL,
    CertificateEvidence,
    CertificateNeed,
    Evidence,
    Offer,
    Requirement,
    analyse_gap,
    explain,
    fit,
    smallest_cover,
    split_requirements,
)


def offer(
    item_id: int, skills: set[int], points: str | None = "2", level: int | None = None
) -> Offer:
    return Offer(
        item_id=item_id,
        level_id=level,
        item=f"SCH:C{item_id}",
        item_name=f"Course {item_id}",
        kind="course",
        level=None if level is None else f"CQF@1:{level}",
        credits=None if points is None else Decimal(points),
        owner="SCH",
        skills=frozenset(skills),
    )


def evidence(skill: int, outcome: str = "o1", *, by_conversion: bool = False) -> Evidence:
    return Evidence(skill, outcome, "SCH:C9", "Course 9", "CQF@1:4", by_conversion)


def test_required_are_the_essential_skills_and_optional_apart() -> None:
    requirements = [
        Requirement(1),
        Requirement(2, OPTIONAL),
        Requirement(3, ESSENTIAL),
        Requirement(1),  # listed twice: counted once
        Requirement(3, OPTIONAL),  # essential wins
    ]
    assert split_requirements(requirements) == ((1, 3), (2,))
    # only optional skills: all of them are required
    assert split_requirements([Requirement(5, OPTIONAL), Requirement(4, OPTIONAL)]) == (
        (5, 4),
        (),
    )
    assert fit(requirements, {3, 2}) == (Fraction(1, 2), 1)
    assert fit([], {1}) == (Fraction(0), 0)


def test_gap_covered_missing_plan_and_unteachable() -> None:
    requirements = [Requirement(s) for s in (1, 2, 3, 4, 5)] + [Requirement(6, OPTIONAL)]
    held = {1: [evidence(1)], 6: [evidence(6, "o2", by_conversion=True)], 9: [evidence(9)]}
    offers = [
        offer(10, {2}),
        offer(11, {3}),
        offer(12, {2, 3}, points="6"),
        offer(13, {2, 3}, points="4"),  # the same skills for fewer credits
        offer(14, {7}),  # teaches nothing needed
    ]
    gap = analyse_gap(requirements, held, offers)
    assert gap.required == (1, 2, 3, 4, 5)
    assert [c.skill_id for c in gap.covered] == [1]
    assert gap.covered[0].evidence == (evidence(1),)
    assert gap.missing == (2, 3, 4, 5)
    assert gap.unteachable == (4, 5)
    assert [step.offer.item_id for step in gap.plan] == [13]
    assert gap.plan[0].teaches == (2, 3)
    assert gap.plan_credits == Decimal(4)
    assert gap.share == Fraction(1, 5)
    assert [c.skill_id for c in gap.optional_covered] == [6]
    assert gap.optional_missing == ()
    lines = [line.render() for line in explain(gap, {1: "Draw plans", 2: "Model"})]
    assert lines[0] == "1 of 5 required skills covered (20%)."
    assert lines[1] == "Draw plans: from outcome o1 (SCH:C9 Course 9)."
    assert lines[2] == "Learn next: SCH:C13 Course 13, 4 credits: teaches Model; #3."
    assert lines[3:] == ["No catalogue item teaches #4.", "No catalogue item teaches #5."]


def test_a_missing_certificate_is_taken_first_and_its_skills_need_no_other_item() -> None:
    requirements = [Requirement(s) for s in (1, 2, 3)]
    held = {1: [evidence(1)]}
    certificate = Offer(
        item_id=20,
        level_id=7,
        item="TEO:X",
        item_name="X certificate",
        kind="x_certificate",
        level="1X@1:intermediate",
        credits=Decimal(5),
        owner="TEO",
        skills=frozenset({2}),
        offered_by=("SCH",),
    )
    offers = [offer(10, {2, 3}), offer(11, {3}, points="1")]
    assert [s.offer.item_id for s in analyse_gap(requirements, held, offers).plan] == [10]
    need = CertificateNeed("TEO:X@intermediate", "X certificate", offer=certificate)
    gap = analyse_gap(requirements, held, offers, [need])
    # the certificate itself, then the cheapest single item for what it leaves (skill 3)
    assert [(s.offer.item_id, s.certificate, s.teaches) for s in gap.plan] == [
        (20, "TEO:X@intermediate", (2,)),
        (11, None, (3,)),
    ]
    assert gap.plan_credits == Decimal(6)
    assert gap.certificates_missing == (need,)
    assert gap.certificates_held == ()
    assert gap.share == Fraction(1, 4)  # skill 1 of three skills and one certificate
    lines = [line.render() for line in explain(gap, {1: "Draw", 2: "Model", 3: "Coordinate"})]
    assert lines[0] == (
        "1 of 3 required skills and 0 of 1 certificates held (25% of the requirements)."
    )
    assert lines[1] == "Certificate TEO:X@intermediate (X certificate) is missing."
    assert lines[3] == (
        "Take the certificate asked for: TEO:X X certificate (1X@1:intermediate), 5 credits: "
        "teaches Model."
    )
    assert lines[4] == "Learn next: SCH:C11 Course 11, 1 credits: teaches Coordinate."
    # held (through an outcome at a higher level): counted, and no longer in the plan
    reason = CertificateEvidence("o7", "1X@1:advanced", by_conversion=False)
    held_need = CertificateNeed("TEO:X@intermediate", "X certificate", (reason,), certificate)
    gap = analyse_gap(requirements, held, offers, [held_need])
    assert [s.offer.item_id for s in gap.plan] == [10]
    assert gap.share == Fraction(2, 4)
    assert gap.certificates_held == (held_need,)
    lines = [line.render() for line in explain(gap, {})]
    assert lines[1] == "Certificate TEO:X@intermediate: held through outcome o7 (1X@1:advanced)."
    assert fit(requirements, {1}, certificates=1, certificates_held=1) == (Fraction(1, 2), 2)


def test_nothing_missing_needs_no_plan() -> None:
    gap = analyse_gap([Requirement(1)], {1: [evidence(1)]}, [offer(1, {1})])
    assert gap.plan == ()
    assert gap.missing == ()
    assert gap.share == 1


def test_an_item_at_a_level_is_an_offer_of_its_own() -> None:
    # the item at any level teaches 1; at level 5 it teaches 1 and 2: one offer is enough
    offers = [offer(1, {1}), offer(1, {1, 2}, level=5), offer(2, {2})]
    chosen = smallest_cover({1, 2}, offers)
    assert [(o.item_id, o.level_id) for o in chosen] == [(1, 5)]


def test_fewest_items_before_fewest_credits() -> None:
    offers = [offer(1, {1}, "1"), offer(2, {2}, "1"), offer(3, {1, 2}, "10")]
    assert [o.item_id for o in smallest_cover({1, 2}, offers)] == [3]
    # an item without credits counts none
    offers = [offer(1, {1, 2}, "3"), offer(2, {1, 2}, None)]
    assert [o.item_id for o in smallest_cover({1, 2}, offers)] == [2]


def test_a_skill_nobody_teaches_is_refused_by_the_solver() -> None:
    with pytest.raises(ValueError, match="taught"):
        smallest_cover({1, 2}, [offer(1, {1})])


@st.composite
def instances(draw: st.DrawFn) -> tuple[set[int], list[Offer]]:
    skills = draw(st.integers(min_value=1, max_value=7))
    count = draw(st.integers(min_value=1, max_value=8))
    offers = [
        offer(
            index,
            set(draw(st.sets(st.integers(0, skills - 1), min_size=1, max_size=skills))),
            points=str(draw(st.integers(0, 12)) / 2),
        )
        for index in range(count)
    ]
    taught = {s for o in offers for s in o.skills}
    needed = draw(st.sets(st.sampled_from(sorted(taught)), min_size=1))
    return needed, offers


def brute_force(needed: set[int], offers: list[Offer]) -> tuple[int, Decimal]:
    for size in range(1, len(offers) + 1):
        costs = [
            sum((o.cost for o in chosen), Decimal(0))
            for chosen in combinations(offers, size)
            if needed <= {s for o in chosen for s in o.skills}
        ]
        if costs:
            return size, min(costs)
    raise AssertionError


@settings(max_examples=60, deadline=None, derandomize=True)
@given(instances())
def test_milp_is_no_larger_than_any_cover_found_by_brute_force(
    instance: tuple[set[int], list[Offer]],
) -> None:
    needed, offers = instance
    chosen = smallest_cover(needed, offers)
    assert needed <= {s for o in chosen for s in o.skills}
    size, cost = brute_force(needed, offers)
    assert len(chosen) == size
    assert sum((o.cost for o in chosen), Decimal(0)) == cost
