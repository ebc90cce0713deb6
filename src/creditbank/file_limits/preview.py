"""The first rows of an uploaded table as the bank read them, for the uploader to look over
before anything is stored: each value as decoded (and, where a column says how, as understood:
a date as the date it was read as), identity numbers masked.

Any upload page can show one (bulk deposits: :mod:`creditbank.accounts.intake`; a 1+X results
file's rows the same way, with its own columns).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Final

PREVIEW_ROWS: Final = 10
MASK: Final = "*"


def masked(text: str) -> str:
    """An identity number as the preview shows it: its first and last four characters at most
    (a third of it each, for a short one), the rest masked (``3101**********1234``)."""
    text = "".join(text.split())
    kept = min(4, len(text) // 3)
    if kept == 0:
        return MASK * len(text)
    return text[:kept] + MASK * (len(text) - 2 * kept) + text[-kept:]


@dataclass(frozen=True, slots=True)
class PreviewRow:
    """One row: its line (or a workbook's row number) and its values in the columns' order."""

    line: int
    values: tuple[str, ...]


def preview(
    rows: Iterable[tuple[int, Mapping[str, str]]],
    columns: Sequence[str],
    *,
    masked_columns: frozenset[str] = frozenset(),
    shown: Callable[[str, str], str] | None = None,
    count: int = PREVIEW_ROWS,
) -> list[PreviewRow]:
    """The first ``count`` rows, each value as ``shown(column, text)`` makes it (the text as
    read when None), those of ``masked_columns`` masked."""

    def value(column: str, text: str) -> str:
        if column in masked_columns:
            return masked(text)
        return shown(column, text) if shown is not None and text else text

    return [
        PreviewRow(line, tuple(value(column, row.get(column, "")) for column in columns))
        for line, row in islice(rows, count)
    ]
