"""Occupation codes and their hierarchy, and the shape of an occupation as a file gives it. Pure.

China's occupational classification (职业分类大典, 2022 edition) codes an occupation
``d-dd-dd-dd``: major group (大类, ``4-00-00-00``), middle group (中类, ``4-08-00-00``), minor
group (小类, ``4-08-08-00``) and occupation (职业, ``4-08-08-23``). A code's level is where its
zeros start, except that a minor group without occupations of its own is listed as an
occupation (``1-02-01-00``): a file may give the level, never shallower than the code's own.
Its parents are the groups above it (the codes with the later segments zeroed). A name may end in
the edition's marks, ``L`` (a green occupation), ``S`` (a digital one) or ``L/S``, kept apart
from the name.

Other classifications are held beside it under codes that name their scheme (:data:`SCHEMES`):
``ESCO:2512.4`` (an ESCO occupation; ``ESCO:2``, ``ESCO:25``, ``ESCO:251``, ``ESCO:2512`` the
ISCO-08 groups above it, and ``ESCO:2512.4`` above ``ESCO:2512.4.1``) and ``ONET:15-1252.00`` (an
O*NET-SOC occupation; ``ONET:15-0000``, ``ONET:15-1200``, ``ONET:15-1250`` the SOC major, minor
and broad groups above it, and ``ONET:15-1252.00`` above ``ONET:15-1252.01``). A group is held
only when a file gives it (ESCO's ISCOGroups file does; O*NET's files give none, the bank's own
files may).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import IntEnum
from typing import Protocol, TypeVar

from creditbank.errors import DomainError
from creditbank.messages import Message, msg

CODE_PATTERN = re.compile(r"[0-9]-[0-9]{2}-[0-9]{2}-[0-9]{2}")
"""China's 2022 codes, written without a scheme."""
CHINA = "CN2022"
ESCO = "ESCO"
ONET = "ONET"
SCHEMES = (CHINA, ESCO, ONET)
"""The classifications the bank holds: China's 2022 edition (codes as written), ESCO and O*NET
(codes ``SCHEME:code``)."""
ESCO_PATTERN = re.compile(r"ESCO:(?:[0-9]{1,4}|[0-9]{4}(?:\.[0-9]{1,3})+)")
ONET_PATTERN = re.compile(r"ONET:[0-9]{2}-(?:[0-9]{4}\.[0-9]{2}|[0-9]{3}0)")
CODE_LENGTH = 16
"""The longest code held (``ONET:15-1252.00`` is 15)."""
URI_LENGTH = 300
MARKS = ("L/S", "L", "S")
"""The 2022 edition's marks after a name: green (L), digital (S), both (L/S)."""
NAME_LENGTH = 200
ALIAS_LENGTH = 200
TEXT_LENGTH = 4000
MAX_ALIASES = 200
ALIAS_SEPARATORS = re.compile(r"[,，;；|、\n]")
"""What separates aliases in one CSV cell (a JSON file gives them as a list)."""

DEFAULT_PROVENANCE: dict[str, tuple[str, str]] = {
    "esco": (
        "ESCO (European Skills, Competences, Qualifications and Occupations), European Commission",
        (
            "© European Union, https://esco.ec.europa.eu: reused under the European Commission's "
            "reuse policy (Decision 2011/833/EU; the Commission's content is licensed CC BY 4.0). "
            "Changes, if any, are the bank's own."
        ),
    ),
    "onet": (
        "O*NET database, U.S. Department of Labor, Employment and Training Administration",
        (
            "This product includes information from the O*NET Database by the U.S. Department of "
            "Labor, Employment and Training Administration (USDOL/ETA), used under the CC BY 4.0 "
            "licence. O*NET® is a trademark of USDOL/ETA."
        ),
    ),
}
"""The source and licence of ESCO's and O*NET's files by format ("esco", "onet"), recorded when
the operator gives none (the version they must give)."""


class _Provenanced(Protocol):
    @property
    def source(self) -> str: ...
    @property
    def licence(self) -> str: ...


ProvenancedT = TypeVar("ProvenancedT", bound=_Provenanced)


def with_default_provenance(command: ProvenancedT, chosen: str) -> ProvenancedT:
    """An import command (a frozen dataclass with ``source`` and ``licence``) of a file in format
    ``chosen``: ESCO's and O*NET's files get their source and licence where the operator gave
    none (occupations and skills alike)."""
    default = DEFAULT_PROVENANCE.get(chosen)
    if default is None:
        return command
    source, licence = default
    return replace(  # type: ignore[type-var]  # a dataclass, as the Protocol cannot say
        command,
        source=command.source.strip() or source,
        licence=command.licence.strip() or licence,
    )


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


def scheme_of(code: str) -> str:
    """The classification a code belongs to (:data:`SCHEMES`; China's when it names none)."""
    prefix, separator, _ = code.partition(":")
    return prefix if separator and prefix in SCHEMES else CHINA


def is_code(text: str) -> bool:
    """Whether ``text`` is written as an occupation code: ``d-dd-dd-dd`` (China's 2022 edition),
    ``ESCO:dddd.d`` (or an ISCO group ``ESCO:d`` .. ``ESCO:dddd``), ``ONET:dd-dddd.dd`` (or a SOC
    group ``ONET:dd-0000``, ``ONET:dd-dd00``, ``ONET:dd-ddd0``)."""
    if len(text) > CODE_LENGTH:
        return False
    pattern = {CHINA: CODE_PATTERN, ESCO: ESCO_PATTERN, ONET: ONET_PATTERN}[scheme_of(text)]
    return pattern.fullmatch(text) is not None


def _esco_level(code: str) -> Level:
    if "." in code:
        return Level.OCCUPATION
    return (Level.MAJOR, Level.MIDDLE, Level.MINOR, Level.MINOR)[len(code) - 1]


def _onet_level(code: str) -> Level:
    if "." in code:
        return Level.OCCUPATION
    group = code.split("-")[1]
    if group == "0000":
        return Level.MAJOR
    if group.endswith("00"):
        return Level.MIDDLE
    return Level.MINOR


def _esco_parents(code: str) -> tuple[str, ...]:
    group, _, rest = code.partition(".")
    chain = [f"{ESCO}:{group[:digits]}" for digits in range(1, len(group) + 1)]
    parts = rest.split(".") if rest else []
    chain += [f"{ESCO}:{group}." + ".".join(parts[:depth]) for depth in range(1, len(parts) + 1)]
    return tuple(chain)


def _onet_parents(code: str) -> tuple[str, ...]:
    soc = code.split(".", maxsplit=1)[0]
    major, detail = soc.split("-")
    chain = [f"{major}-0000", f"{major}-{detail[:2]}00", f"{major}-{detail[:3]}0"]
    if "." in code and not code.endswith(".00"):
        chain.append(f"{soc}.00")
    return tuple(f"{ONET}:{one}" for one in chain)


def code_level(code: str) -> Level:
    """The level the code says (``4-08-00-00``: a middle group; ``ESCO:25``: an ISCO sub-major
    group, held as a middle group; ``ONET:15-0000``: a SOC major group)."""
    scheme = scheme_of(code)
    if scheme == ESCO:
        return _esco_level(code.partition(":")[2])
    if scheme == ONET:
        return _onet_level(code.partition(":")[2])
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
    scheme = scheme_of(code)
    if scheme != CHINA:
        own = code.partition(":")[2]
        chain_of = _esco_parents if scheme == ESCO else _onet_parents
        return tuple(dict.fromkeys(parent for parent in chain_of(own) if parent != code))
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
    uri: str | None = None
    """Its URI in its source, where the source gives one (ESCO's ``conceptUri``)."""


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
        uri=first.uri or second.uri,
    )


PROVENANCE_LIMITS = {"source": 200, "version": 100, "licence": 1000, "file_name": 255}
"""The longest source, version, licence and file name an import records (its columns)."""


def provenance_problems(given: Mapping[str, str]) -> list[Message]:
    """What is wrong with an import's provenance (``given``: source, version, licence and file
    name): a source, version or licence missing, or a field longer than it may be. Occupations
    and skills are imported with the same provenance."""
    problems = [
        msg("The {field} of the file's provenance is missing.", field=field)
        for field in ("source", "version", "licence")
        if not str(given[field]).strip()
    ]
    problems += [
        msg("The {field} is longer than {n} characters.", field=field, n=limit)
        for field, limit in PROVENANCE_LIMITS.items()
        if len(str(given[field]).strip()) > limit
    ]
    return problems


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
