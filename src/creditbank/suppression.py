"""Small counts suppressed, so that no published figure describes an identifiable person: a
count below the threshold is hidden, and, where a total is shown, enough other counts are
hidden with it that none can be worked out by subtraction. Pure: the standard library only.

Used by the national platform's figures (``creditbank.national``) and the bank's statistics
(``creditbank.stats``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

Key = TypeVar("Key")


@dataclass(frozen=True, slots=True)
class Figure:
    """A count as the platform shows it: ``value`` None when suppressed, ``shown`` the text
    (``"<10"`` when suppressed, else the number)."""

    value: int | None
    shown: str


def figure(count: int, threshold: int, *, hidden: bool = False) -> Figure:
    """``count`` as shown: below ``threshold`` (but not zero), or ``hidden`` (suppressed so
    that another small count cannot be worked out from it), it is shown as ``<N`` or ``x``."""
    if 0 < count < threshold:
        return Figure(None, f"<{threshold}")
    if hidden:
        return Figure(None, "x")
    return Figure(count, str(count))


def hidden_among(counts: Mapping[Key, int], threshold: int, *, sum_shown: bool) -> set[Key]:
    """The keys of ``counts`` whose count is not shown: each one below ``threshold`` (but not
    zero) and, when their sum is shown and exactly one is hidden, the smallest other non-zero
    one too (else the sum minus the others would give the hidden one away)."""
    hidden = {key for key, count in counts.items() if 0 < count < threshold}
    others = [key for key, count in counts.items() if key not in hidden and count > 0]
    if sum_shown and len(hidden) == 1 and others:
        hidden.add(min(others, key=lambda key: counts[key]))
    return hidden


def hidden_cells(
    cells: Mapping[tuple[str, int], int],
    threshold: int,
    *,
    hidden_banks: set[str],
    hidden_years: set[int],
) -> set[tuple[str, int]]:
    """The (bank, year) cells not shown: small ones, those of a bank or year whose total is
    hidden, and, in each bank's row and each year's column whose total is shown, a second one
    where only one would be hidden (repeated until no row or column gives one away)."""
    hidden = {
        key
        for key, count in cells.items()
        if 0 < count < threshold or key[0] in hidden_banks or key[1] in hidden_years
    }
    changed = True
    while changed:
        changed = False
        for axis, shut in ((0, hidden_banks), (1, hidden_years)):
            lines: dict[object, list[tuple[str, int]]] = {}
            for key in cells:
                lines.setdefault(key[axis], []).append(key)
            for line, keys in lines.items():
                inside = [key for key in keys if key in hidden]
                others = [key for key in keys if key not in hidden and cells[key] > 0]
                if line not in shut and len(inside) == 1 and others:
                    hidden.add(min(others, key=lambda key: cells[key]))
                    changed = True
    return hidden


def hidden_in_table(
    counts: Mapping[Key, int],
    threshold: int,
    *,
    sums: Sequence[tuple[Key, Sequence[Key]]] = (),
    nested: Sequence[tuple[Key, Key]] = (),
) -> set[Key]:
    """The cells of a table not shown, so that no count ``0 < n < threshold`` is shown or can be
    worked out from what is.

    ``counts`` holds every cell (a row's count of a measure, a total...). ``sums`` are the
    relations ``whole = sum(parts)`` the reader knows (a column's total and its rows; a measure
    that is the sum of others): when exactly one of a relation's cells is hidden, it could be
    worked out, so the smallest other non-zero part is hidden too. ``nested`` are pairs (inner,
    outer) where the outer counts at least the inner's people (certified within assessed): when
    both are shown and their difference is below the threshold (but not zero), the inner is
    hidden. Repeated until nothing changes: the primary cells, then their complements.
    """
    hidden = {key for key, count in counts.items() if 0 < count < threshold}
    changed = True
    while changed:
        changed = False
        for whole, parts in sums:
            unknown = [key for key in (whole, *parts) if key in hidden]
            others = [key for key in parts if key not in hidden and counts[key] > 0]
            if len(unknown) == 1:
                others = others or ([whole] if whole not in hidden and counts[whole] > 0 else [])
                if others:
                    hidden.add(min(others, key=lambda key: counts[key]))
                    changed = True
        for inner, outer in nested:
            if inner in hidden or outer in hidden:
                continue
            if 0 < counts[outer] - counts[inner] < threshold:
                hidden.add(inner if counts[inner] > 0 else outer)
                changed = True
    return hidden
