"""Crosswalks: correspondences between the levels of different frameworks. A pure core.

A crosswalk says "level x of framework A corresponds to level y of framework B",
for a list of pairs, with a *provenance* (where this is stated) and a *kind*:

- ``published``: a source in the repository states the correspondence
  (seed 000, Table 14: QCPTP junior/intermediate/senior = NVQC 3/2/1);
- ``assumed``: nobody we can cite states it; someone assumed it (e.g. Chinese
  levels placed on EQF).

A query follows chains of crosswalks in either direction (A -> B -> C) and
reports, for every level reached in the target framework, the path taken and
the *weakest* kind on it, preferring an all-published path over a shorter one
that contains an assumption. An assumed step anywhere makes the answer
assumed: an assumption is never reported as published.

Validation (ADR 0004) rejects, each with the offending levels named:

- a pair naming a framework or level that does not exist;
- a crosswalk that crosses itself (maps a higher level below a lower one);
- a *contradiction*: one-to-one correspondences that, followed in a chain,
  make two different levels of one track the same (NVQC:3 = QCPTP:junior =
  X:1 = NVQC:2), or that order two levels one way in one chain and the other
  way in another.

Many-to-one pairs (ten LOFOUC levels onto eight EQF levels) are allowed; they
are checked for order but not chained into equalities, because "both 1 and 2
sit at EQF 1" does not make 1 and 2 equal.

Standard library only.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import combinations

from creditbank.frameworks.model import FrameworkError, FrameworkVersion, Level, NotFoundError, Text
from creditbank.messages import Message, msg


class Kind(StrEnum):
    """How well-founded a correspondence is. Published is stronger than assumed."""

    PUBLISHED = "published"
    ASSUMED = "assumed"

    @property
    def strength(self) -> int:
        return 1 if self is Kind.PUBLISHED else 0


def weakest(kinds: Iterable[Kind]) -> Kind:
    """The weakest of ``kinds``; published when there are none (no step, no assumption)."""
    return min(kinds, key=lambda kind: kind.strength, default=Kind.PUBLISHED)


@dataclass(frozen=True, slots=True, order=True)
class LevelRef:
    """A level named by framework code and level code, e.g. ``NVQC:3``."""

    framework: str
    level: str

    @classmethod
    def parse(cls, text: str) -> LevelRef:
        """Parse ``FRAMEWORK:LEVEL``; the framework code is upper-cased."""
        framework, sep, level = text.partition(":")
        if not sep or not framework.strip() or not level.strip():
            raise FrameworkError(
                "invalid_level_reference",
                msg(
                    "{reference} is not a level reference; write FRAMEWORK:LEVEL, e.g. NVQC:3",
                    reference=repr(text),
                ),
            )
        return cls(framework.strip().upper(), level.strip())

    def __str__(self) -> str:
        return f"{self.framework}:{self.level}"


@dataclass(frozen=True, slots=True)
class Crosswalk:
    """A set of level correspondences from one framework to another, with provenance."""

    code: str
    from_framework: str
    to_framework: str
    kind: Kind
    source: str
    note: Text
    pairs: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Step:
    """One hop of a route: a pair of a crosswalk, followed forwards or backwards."""

    crosswalk: str
    kind: Kind
    source: str
    start: LevelRef
    end: LevelRef


@dataclass(frozen=True, slots=True)
class Route:
    """How a level corresponds to a level of another framework, and how sure that is."""

    origin: LevelRef
    target: LevelRef
    steps: tuple[Step, ...]

    @property
    def kind(self) -> Kind:
        return weakest(step.kind for step in self.steps)

    @property
    def path(self) -> tuple[LevelRef, ...]:
        return (self.origin, *(step.end for step in self.steps))


@dataclass(frozen=True, slots=True)
class _Edge:
    crosswalk: Crosswalk
    start: LevelRef
    end: LevelRef
    one_to_one: bool


class CrosswalkGraph:
    """All crosswalks over a set of frameworks, validated, ready for queries.

    Build it with :meth:`build`; it raises :class:`FrameworkError` with code
    ``invalid_crosswalk`` (and every problem listed) instead of holding bad data.
    """

    def __init__(
        self,
        frameworks: Mapping[str, FrameworkVersion],
        crosswalks: Sequence[Crosswalk],
        edges: Mapping[LevelRef, Sequence[_Edge]],
    ) -> None:
        self.frameworks = frameworks
        self.crosswalks = tuple(crosswalks)
        self._edges = edges

    # -- construction ---------------------------------------------------------

    @classmethod
    def build(
        cls, frameworks: Mapping[str, FrameworkVersion], crosswalks: Iterable[Crosswalk]
    ) -> CrosswalkGraph:
        crosswalk_list = list(crosswalks)
        problems: list[Message] = []
        seen_codes: set[str] = set()
        edges: dict[LevelRef, list[_Edge]] = defaultdict(list)
        for crosswalk in crosswalk_list:
            if crosswalk.code in seen_codes:
                problems.append(msg("crosswalk code {code} appears twice", code=crosswalk.code))
            seen_codes.add(crosswalk.code)
            problems.extend(_add_edges(frameworks, crosswalk, edges))
        if not problems:
            problems.extend(_contradictions(frameworks, edges))
        if problems:
            raise FrameworkError("invalid_crosswalk", msg("crosswalks are not valid"), problems)
        return cls(frameworks, crosswalk_list, edges)

    # -- queries --------------------------------------------------------------

    def level(self, ref: LevelRef) -> Level:
        framework = self.frameworks.get(ref.framework)
        if framework is None:
            raise NotFoundError(
                "framework_not_found",
                msg("there is no framework {framework}", framework=ref.framework),
            )
        return framework.level(ref.level)

    def canonical(self, ref: LevelRef) -> LevelRef:
        """``ref`` with the level code spelled as its framework spells it."""
        return LevelRef(ref.framework, self.level(ref).code)

    def translate(self, origin: LevelRef, target_framework: str) -> list[Route]:
        """Every level of ``target_framework`` that ``origin`` corresponds to.

        For each such level the best route is kept: all-published routes beat
        routes with an assumption; among equals, the shortest wins. Results
        are ordered from the highest target level down.
        """
        origin = self.canonical(origin)
        target_framework = target_framework.upper()
        if target_framework not in self.frameworks:
            raise NotFoundError(
                "framework_not_found",
                msg("there is no framework {framework}", framework=target_framework),
            )
        best: dict[LevelRef, Route] = {}
        if origin.framework == target_framework:
            best[origin] = Route(origin, origin, ())
        for allowed in ({Kind.PUBLISHED}, {Kind.PUBLISHED, Kind.ASSUMED}):
            for route in self._search(origin, target_framework, allowed):
                best.setdefault(route.target, route)
        target = self.frameworks[target_framework]
        return sorted(
            best.values(),
            key=lambda route: (-target.level(route.target.level).rank, route.target.level),
        )

    def neighbours(self, ref: LevelRef) -> list[Step]:
        """The direct correspondences of one level, in either direction."""
        return [_step(edge) for edge in self._edges.get(self.canonical(ref), ())]

    def _search(self, origin: LevelRef, target_framework: str, allowed: set[Kind]) -> list[Route]:
        """Breadth-first search: shortest routes to each target level over ``allowed`` kinds."""
        parents: dict[LevelRef, _Edge | None] = {origin: None}
        queue: deque[LevelRef] = deque([origin])
        found: list[LevelRef] = []
        while queue:
            node = queue.popleft()
            if node != origin and node.framework == target_framework:
                found.append(node)
                continue
            for edge in self._edges.get(node, ()):
                if edge.crosswalk.kind in allowed and edge.end not in parents:
                    parents[edge.end] = edge
                    queue.append(edge.end)
        routes = []
        for node in found:
            steps: list[Step] = []
            cursor = node
            while (parent := parents[cursor]) is not None:
                steps.append(_step(parent))
                cursor = parent.start
            routes.append(Route(origin, node, tuple(reversed(steps))))
        return routes


def _step(edge: _Edge) -> Step:
    return Step(
        crosswalk=edge.crosswalk.code,
        kind=edge.crosswalk.kind,
        source=edge.crosswalk.source,
        start=edge.start,
        end=edge.end,
    )


def _add_edges(
    frameworks: Mapping[str, FrameworkVersion],
    crosswalk: Crosswalk,
    edges: dict[LevelRef, list[_Edge]],
) -> list[Message]:
    """Resolve one crosswalk's pairs into edges (both directions); return its problems."""
    problems: list[Message] = []
    name = crosswalk.code
    ends = []
    for framework_code in (crosswalk.from_framework, crosswalk.to_framework):
        framework = frameworks.get(framework_code)
        if framework is None:
            problems.append(
                msg(
                    "crosswalk {crosswalk} refers to framework {framework}, which does not exist",
                    crosswalk=name,
                    framework=framework_code,
                )
            )
        ends.append(framework)
    if not crosswalk.pairs:
        problems.append(msg("crosswalk {crosswalk} has no pairs", crosswalk=name))
    if not crosswalk.source.strip():
        problems.append(
            msg(
                "crosswalk {crosswalk} needs a source (where the correspondence is stated "
                "or assumed)",
                crosswalk=name,
            )
        )
    from_fw, to_fw = ends
    if problems or from_fw is None or to_fw is None:
        return problems
    resolved: list[tuple[Level, Level]] = []
    for from_code, to_code in crosswalk.pairs:
        try:
            resolved.append((from_fw.level(from_code), to_fw.level(to_code)))
        except NotFoundError as missing:
            problems.append(
                msg(
                    "crosswalk {crosswalk}: {problem}",
                    crosswalk=name,
                    problem=missing.message,
                )
            )
    for a, b in resolved:
        if from_fw.code == to_fw.code and a.track == b.track:
            problems.append(
                msg(
                    "crosswalk {crosswalk} maps {a} onto {b} in the same track",
                    crosswalk=name,
                    a=f"{from_fw.code}:{a.code}",
                    b=f"{to_fw.code}:{b.code}",
                )
            )
    if len(set(resolved)) != len(resolved):
        problems.append(msg("crosswalk {crosswalk} lists a pair twice", crosswalk=name))
    if problems:
        return problems
    from_degree = defaultdict(int, _count(a.key for a, _ in resolved))
    to_degree = defaultdict(int, _count(b.key for _, b in resolved))
    for (a, b), (c, d) in combinations(resolved, 2):
        if _crosses((from_fw, a, c), (to_fw, b, d)):
            problems.append(
                msg(
                    "crosswalk {crosswalk} crosses itself: {a} -> {b} but {c} -> {d}",
                    crosswalk=name,
                    a=f"{from_fw.code}:{a.code}",
                    b=f"{to_fw.code}:{b.code}",
                    c=f"{from_fw.code}:{c.code}",
                    d=f"{to_fw.code}:{d.code}",
                )
            )
    for a, b in resolved:
        start, end = LevelRef(from_fw.code, a.code), LevelRef(to_fw.code, b.code)
        one_to_one = from_degree[a.key] == 1 and to_degree[b.key] == 1
        edges[start].append(_Edge(crosswalk, start, end, one_to_one))
        edges[end].append(_Edge(crosswalk, end, start, one_to_one))
    return problems


def _count(keys: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for key in keys:
        counts[key] = counts.get(key, 0) + 1
    return counts


def _crosses(
    left: tuple[FrameworkVersion, Level, Level], right: tuple[FrameworkVersion, Level, Level]
) -> bool:
    """Whether pairs a->b and c->d, given as (A, a, c) and (B, b, d), run opposite ways."""
    fw_a, a, c = left
    fw_b, b, d = right
    if a.track != c.track or b.track != d.track:
        return False
    if not (fw_a.track(a.track).ordered and fw_b.track(b.track).ordered):
        return False
    return (a.rank - c.rank) * (b.rank - d.rank) < 0


def _contradictions(
    frameworks: Mapping[str, FrameworkVersion], edges: Mapping[LevelRef, Sequence[_Edge]]
) -> list[Message]:
    """Chains of one-to-one correspondences that equate or invert levels of one track."""
    classes = _one_to_one_classes(edges)
    problems: list[Message] = []
    track_ranks: list[dict[tuple[str, str], tuple[LevelRef, int]]] = []
    for members in classes:
        by_track: dict[tuple[str, str], tuple[LevelRef, int]] = {}
        for ref in members:
            framework = frameworks[ref.framework]
            level = framework.level(ref.level)
            track_key = (ref.framework, level.track)
            if track_key in by_track and by_track[track_key][0] != ref:
                other = by_track[track_key][0]
                chain = " = ".join(str(r) for r in _chain(edges, other, ref))
                problems.append(
                    msg(
                        "contradiction: {chain} makes two different levels of {framework} the same",
                        chain=chain,
                        framework=ref.framework,
                    )
                )
            if framework.track(level.track).ordered:
                by_track[track_key] = (ref, level.rank)
        track_ranks.append(by_track)
    if problems:
        return problems
    for first, second in combinations(track_ranks, 2):
        shared = sorted(set(first) & set(second))
        for track_x, track_y in combinations(shared, 2):
            (x1, rank_x1), (x2, rank_x2) = first[track_x], second[track_x]
            (y1, rank_y1), (y2, rank_y2) = first[track_y], second[track_y]
            if (rank_x1 - rank_x2) * (rank_y1 - rank_y2) < 0:
                problems.append(
                    msg(
                        "contradiction: chains make {x1} = {y1} and {x2} = {y2}, which order "
                        "{first} and {second} in opposite directions",
                        x1=x1,
                        y1=y1,
                        x2=x2,
                        y2=y2,
                        first=track_x[0],
                        second=track_y[0],
                    )
                )
    return problems


def _one_to_one_classes(edges: Mapping[LevelRef, Sequence[_Edge]]) -> list[list[LevelRef]]:
    """Connected groups of levels joined by one-to-one correspondences (size 2 or more)."""
    seen: set[LevelRef] = set()
    classes: list[list[LevelRef]] = []
    for start in sorted(edges):
        if start in seen:
            continue
        members: list[LevelRef] = []
        queue = deque([start])
        seen.add(start)
        while queue:
            node = queue.popleft()
            members.append(node)
            for edge in edges[node]:
                if edge.one_to_one and edge.end not in seen:
                    seen.add(edge.end)
                    queue.append(edge.end)
        if len(members) > 1:
            classes.append(members)
    return classes


def _chain(
    edges: Mapping[LevelRef, Sequence[_Edge]], start: LevelRef, goal: LevelRef
) -> list[LevelRef]:
    """The shortest one-to-one chain from ``start`` to ``goal`` (both in one class)."""
    parents: dict[LevelRef, LevelRef | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            break
        for edge in edges[node]:
            if edge.one_to_one and edge.end not in parents:
                parents[edge.end] = node
                queue.append(edge.end)
    chain: list[LevelRef] = []
    cursor: LevelRef | None = goal
    while cursor is not None:
        chain.append(cursor)
        cursor = parents[cursor]
    return list(reversed(chain))
