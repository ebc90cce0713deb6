"""The use cases of the skills, one frozen dataclass each."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ImportSkills:
    """Store the skills and links to occupations of a file (``file_format`` "csv" or "json",
    "csco22" for the built-in set; None: by the file name's extension) with its provenance:
    ``source``, ``version``, ``licence``. Importing what the bank holds already changes nothing."""

    content: bytes
    file_name: str
    source: str
    version: str
    licence: str
    file_format: str | None = None


@dataclass(frozen=True, slots=True)
class ShowSkill:
    """One skill by its id: its provenance and the occupations that require it."""

    skill_id: int


@dataclass(frozen=True, slots=True)
class SearchSkills:
    """The skills whose names best match ``q``, best first."""

    q: str
    limit: int = 10


@dataclass(frozen=True, slots=True)
class ListOccupationSkills:
    """What the occupation ``code`` requires (none when the bank holds no skills for it)."""

    code: str
