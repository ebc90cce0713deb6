"""Frameworks side by side: every level placed against the levels of a reference framework.

The page ``/frameworks`` shows this table. A level is placed in the row of each
reference level it corresponds to through the crosswalks; the placement keeps
the weakest kind on its route, so an assumed correspondence is marked as such.
Standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass

from creditbank.frameworks.crosswalk import CrosswalkGraph, Kind, LevelRef
from creditbank.frameworks.model import FrameworkVersion, Level


@dataclass(frozen=True, slots=True)
class Placement:
    """A level of another framework in a row, and how well-founded that placement is."""

    level: Level
    kind: Kind


@dataclass(frozen=True, slots=True)
class AlignmentRow:
    reference: Level
    cells: dict[str, list[Placement]]


@dataclass(frozen=True, slots=True)
class Alignment:
    reference: FrameworkVersion
    columns: list[FrameworkVersion]
    rows: list[AlignmentRow]
    unaligned: list[FrameworkVersion]
    """Frameworks no crosswalk chain connects to the reference."""


def align(graph: CrosswalkGraph, reference_code: str) -> Alignment:
    """Place every level of every framework against ``reference_code``'s levels."""
    reference = graph.frameworks[reference_code]
    rows = {
        level.key: AlignmentRow(level, {})
        for track in reference.tracks
        for level in track.levels_highest_first()
    }
    columns: list[FrameworkVersion] = []
    unaligned: list[FrameworkVersion] = []
    for code in sorted(graph.frameworks):
        if code == reference_code:
            continue
        framework = graph.frameworks[code]
        placed = False
        for track in framework.tracks:
            for level in track.levels_highest_first():
                for route in graph.translate(LevelRef(code, level.code), reference_code):
                    row = rows[reference.level(route.target.level).key]
                    row.cells.setdefault(code, []).append(Placement(level, route.kind))
                    placed = True
        (columns if placed else unaligned).append(framework)
    return Alignment(reference, columns, list(rows.values()), unaligned)
