"""Header rows of uploaded tables, as registrars write them: each column known by its name and
by other headers (its Chinese one), in any order.

A :class:`HeaderMap` resolves a header row to the columns' names, and finds what does not fit
(an unknown header, a required column missing, a column given twice, perhaps once in English and
once in Chinese); the caller refuses the file with its own error, naming them. It also tells a
second header row (a template's English row under its Chinese one) from the first row of data.
Any table a registrar uploads (bulk deposits, 1+X results) can use it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

SHOWN_HEADER_CHARS = 40
"""An unknown header is named in a refusal up to this length."""


def header_key(text: str) -> str:
    """A header as it is looked up: NFKC (full-width letters and digits as ASCII), without
    spaces, case folded (``证明材料 SHA256`` and ``证明材料ＳＨＡ２５６`` are the same header)."""
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def shown_header(text: str) -> str:
    """A header as a refusal names it (cut to :data:`SHOWN_HEADER_CHARS`)."""
    text = text.strip()
    return text if len(text) <= SHOWN_HEADER_CHARS else text[:SHOWN_HEADER_CHARS] + "…"


@dataclass(frozen=True, slots=True)
class Header:
    """A header row resolved: ``names`` holds each cell's column ("" for an empty or unknown
    cell); what does not fit is listed by the headers as given."""

    names: list[str]
    unknown: list[str]
    missing: list[str]
    duplicated: dict[str, list[str]]
    """Each column given more than once, with the headers that gave it."""

    @property
    def fits(self) -> bool:
        return not (self.unknown or self.missing or self.duplicated)


@dataclass(frozen=True, slots=True)
class HeaderMap:
    """The columns of a table (in order), which are required, and every header each may be
    given by (its name first)."""

    columns: tuple[str, ...]
    required: tuple[str, ...]
    headers: Mapping[str, tuple[str, ...]]
    keys: Mapping[str, str]
    """Every header's key (:func:`header_key`) -> its column."""

    @classmethod
    def of(cls, headers: Mapping[str, Sequence[str]], required: Sequence[str]) -> HeaderMap:
        """The map of ``headers`` (column name -> its other headers)."""
        given = {name: (name, *others) for name, others in headers.items()}
        return cls(
            columns=tuple(headers),
            required=tuple(required),
            headers=given,
            keys={header_key(text): name for name, texts in given.items() for text in texts},
        )

    def column(self, text: str) -> str | None:
        """The column ``text`` names, or None."""
        return self.keys.get(header_key(text))

    def resolve(self, cells: Sequence[str]) -> Header:
        """Which column each cell of a header row names, and what does not fit."""
        keys = self.keys
        names: list[str] = []
        unknown: list[str] = []
        given: dict[str, list[str]] = {}
        for cell in cells:
            if not cell.strip():
                names.append("")
                continue
            name = keys.get(header_key(cell), "")
            names.append(name)
            if name:
                given.setdefault(name, []).append(cell.strip())
            else:
                unknown.append(shown_header(cell))
        return Header(
            names=names,
            unknown=unknown,
            missing=[name for name in self.required if name not in given],
            duplicated={name: cells for name, cells in given.items() if len(cells) > 1},
        )

    def repeats(self, header: Header, cells: Sequence[str]) -> bool:
        """Whether a row under the header is a second header row (a template's): every cell
        it fills names the column it stands in, and it fills one at least."""
        filled = [(index, cell) for index, cell in enumerate(cells) if cell.strip()]
        keys = self.keys
        return bool(filled) and all(
            index < len(header.names) and keys.get(header_key(cell)) == header.names[index]
            for index, cell in filled
        )
