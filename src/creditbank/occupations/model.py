"""Occupation codes and their hierarchy, and the shape of an occupation as a file gives it. Pure.

China's occupational classification (职业分类大典, 2022 edition) codes an occupation
``d-dd-dd-dd``: major group (大类, ``4-00-00-00``), middle group (中类, ``4-08-00-00``), minor
group (小类, ``4-08-08-00``) and occupation (职业, ``4-08-08-23``). A code's level is where its
zeros start, except that a minor group without occupations of its own is listed as an
occupation (``1-02-01-00``): a file may give the level, never shallower than the code's own.
Its parents are the groups above it (the codes with the later segments zeroed). A name may end in
the edition's marks, ``L`` (a green occupation), ``S`` (a digital one) or ``L/S``, kept apart
from the name.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

from creditbank.errors import DomainError
from creditbank.messages import Message, msg

CODE_PATTERN = re.compile(r"[0-9]-[0-9]{2}-[0-9]{2}-[0-9]{2}")
MARKS = ("L/S", "L", "S")
"""The 2022 edition's marks after a name: green (L), digital (S), both (L/S)."""
NAME_LENGTH = 200
ALIAS_LENGTH = 200
TEXT_LENGTH = 4000
MAX_ALIASES = 200
ALIAS_SEPARATORS = re.compile(r"[,，;；|、\n]")
"""What separates aliases in one CSV cell (a JSON file gives them as a list)."""


class Level(IntEnum):
    """How deep a code is in the classification."""

    MAJOR = 1
    MIDDLE = 2
    MINOR = 3
    OCCUPATION = 4


LEVEL_WORDS: dict[Level, Message] = {
    Level.MAJOR: msg("major group"),
    Level.MIDDLE: msg("middle group"),
    Level.MINOR: msg("minor group"),
    Level.OCCUPATION: msg("occupation"),
}


class OccupationsError(DomainError):
    """A refused import, search or look-up of occupations; nothing is changed."""


def is_code(text: str) -> bool:
    """Whether ``text`` is written as an occupation code, ``d-dd-dd-dd``."""
    return CODE_PATTERN.fullmatch(text) is not None


def code_level(code: str) -> Level:
    """The level the code's zeros say (``4-08-00-00``: a middle group)."""
    major, middle, minor, occupation = code.split("-")
    del major
    if middle == "00" and minor == "00" and occupation == "00":
        return Level.MAJOR
    if minor == "00" and occupation == "00":
        return Level.MIDDLE
    if occupation == "00":
        return Level.MINOR
    return Level.OCCUPATION


def parent_codes(code: str) -> tuple[str, ...]:
    """The groups above ``code``, the broadest first (``4-08-08-23``: its major, middle and minor
    group); a group is not its own parent."""
    major, middle, minor, _ = code.split("-")
    chain = (f"{major}-00-00-00", f"{major}-{middle}-00-00", f"{major}-{middle}-{minor}-00")
    return tuple(dict.fromkeys(parent for parent in chain if parent != code))


def split_marks(name: str) -> tuple[str, str]:
    """``name`` without the edition's mark at its end, and the mark ("" when none)."""
    for mark in MARKS:
        if name.endswith(mark) and len(name) > len(mark) and not name[-len(mark) - 1].isascii():
            return name[: -len(mark)].strip(), mark
    return name, ""


def split_aliases(cell: str) -> list[str]:
    """The aliases one CSV cell lists, however separated, each once and trimmed."""
    found = (split_marks(part.strip())[0] for part in ALIAS_SEPARATORS.split(cell))
    return list(dict.fromkeys(alias for alias in found if alias))


@dataclass(frozen=True, slots=True)
class Occupation:
    """An occupation or group, as stored and shown (``aliases`` never repeat the name)."""

    code: str
    level: Level
    name: str
    name_en: str | None = None
    marks: str = ""
    definition: str = ""
    tasks: str = ""
    aliases: tuple[str, ...] = ()
    parents: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where an import's file came from: its source, version and licence, as the operator says."""

    source: str
    version: str
    licence: str
    file_name: str


def merge(first: Occupation, second: Occupation) -> Occupation | None:
    """Two rows of one file for the same code, taken together (the deeper level, every alias,
    the longer texts), or None when they name different occupations."""
    if first.name != second.name:
        return None
    aliases = tuple(dict.fromkeys((*first.aliases, *second.aliases)))
    return Occupation(
        code=first.code,
        level=max(first.level, second.level),
        name=first.name,
        name_en=first.name_en or second.name_en,
        marks=first.marks or second.marks,
        definition=max(first.definition, second.definition, key=len),
        tasks=max(first.tasks, second.tasks, key=len),
        aliases=aliases,
        parents=first.parents,
    )


def where(line: int, column: str) -> dict[str, str]:
    """The place of a problem in a file, as the problem's extension members."""
    return {"line": str(line), "column": column}


def bad_file(problems: Sequence[Message], line: int, column: str) -> OccupationsError:
    """The refusal of a file whose first problem is at ``line``, ``column``."""
    return OccupationsError(
        "invalid_occupations_file",
        msg("The occupations file is not valid; nothing was imported."),
        problems,
        extensions=where(line, column),
    )
