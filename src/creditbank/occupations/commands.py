"""The use cases of the occupations, one frozen dataclass each."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ImportOccupations:
    """Store the occupations of a file (``file_format`` "csv" or "json"; "esco" for ESCO's
    occupations_LANG.csv or ISCOGroups_LANG.csv; "onet" for O*NET's Occupation Data.txt, with its
    Alternate Titles.txt in ``alternate_titles``; None: by the file name's extension) with its
    provenance: ``source``, ``version``, ``licence`` (for ESCO and O*NET, source and licence
    default to theirs). Importing what the bank holds already changes nothing."""

    content: bytes
    file_name: str
    source: str
    version: str
    licence: str
    file_format: str | None = None
    alternate_titles: bytes | None = None


@dataclass(frozen=True, slots=True)
class SearchOccupations:
    """The occupations and groups whose names or aliases best match ``q``, best first."""

    q: str
    limit: int = 10


@dataclass(frozen=True, slots=True)
class ShowOccupation:
    """One occupation or group by its code: its aliases, parents and provenance."""

    code: str
