"""The figures across banks, defined once, as SQL that DuckDB and Spark SQL both run unchanged.

Each definition reads the view ``cells`` (the union of every bank's ``cells.parquet``, columns
as ``files.cells_schema``) and answers rows of the columns :data:`COLUMNS`. Only the subset of
SQL both engines share is used: ``SELECT``, ``WHERE``, ``GROUP BY`` with ``SUM``, ``CAST`` to
``BIGINT`` / ``DECIMAL(20, 2)`` / ``INT``, ``COALESCE``, ``FLOOR``, ``<>``, string literals in
single quotes; no engine's functions, no ``QUALIFY``, no ``::`` casts, no double quotes (an
identifier in DuckDB, a string in Spark by default).

What the network's cells are (stored into ``stat_network_cells`` by ``combine``):

- ``bank_cells``: each bank's cells as it exported them (``bank`` = its log origin);
- ``network_cells``: their sum over the banks (``bank`` = ""), per figure, measure, scope, dim,
  value and month;
- ``bank_regions`` / ``network_regions`` and ``bank_institution_types`` /
  ``network_institution_types``: the cells about an institution (dim ``institution``) summed by
  the region / type each bank resolved for it, as dims ``region`` and ``institution_type``
  (value "" when the bank did not know the institution).

``bank_years`` is not stored: each bank's bank-wide total per figure, measure and year, which a
combine reports.
"""

from __future__ import annotations

from typing import Final

COLUMNS: Final = ("bank", "figure", "measure", "scope", "dim", "value", "month", "n", "amount")
"""The columns of every stored definition's rows, in order."""
YEAR_COLUMNS: Final = ("bank", "figure", "measure", "year", "n", "amount")
"""The columns of ``bank_years``' rows."""

# The SQL below is made of this module's constants only, never of input (hence its noqa: S608).
_SUMS = "CAST(SUM(n) AS BIGINT) AS n, CAST(SUM(amount) AS DECIMAL(20, 2)) AS amount"
_DERIVED = "dim <> 'region' AND dim <> 'institution_type'"
"""Dims the definitions derive; a bank's own cell of such a dim (none today) is left out rather
than counted twice."""


def _cells(bank: str) -> str:
    group = "bank, " if bank == "bank" else ""
    return (
        f"SELECT {bank} AS bank, figure, measure, scope, dim, value, month, {_SUMS} "  # noqa: S608
        f"FROM cells WHERE {_DERIVED} "
        f"GROUP BY {group}figure, measure, scope, dim, value, month"
    )


def _by_place(bank: str, column: str) -> str:
    group = "bank, " if bank == "bank" else ""
    return (
        f"SELECT {bank} AS bank, figure, measure, scope, '{column}' AS dim, "  # noqa: S608
        f"COALESCE({column}, '') AS value, month, {_SUMS} "
        f"FROM cells WHERE dim = 'institution' "
        f"GROUP BY {group}figure, measure, scope, COALESCE({column}, ''), month"
    )


STORED: Final[dict[str, str]] = {
    "bank_cells": _cells("bank"),
    "network_cells": _cells("''"),
    "bank_regions": _by_place("bank", "region"),
    "network_regions": _by_place("''", "region"),
    "bank_institution_types": _by_place("bank", "institution_type"),
    "network_institution_types": _by_place("''", "institution_type"),
}
"""The definitions whose rows are the network's cells (:data:`COLUMNS`), by name."""

REPORTED: Final[dict[str, str]] = {
    "bank_years": (
        "SELECT bank, figure, measure, CAST(FLOOR(month / 100) AS INT) AS year, "  # noqa: S608
        f"{_SUMS} FROM cells WHERE scope = '' AND dim = 'all' "
        "GROUP BY bank, figure, measure, CAST(FLOOR(month / 100) AS INT)"
    ),
}
"""The definitions a combine reports without storing them (:data:`YEAR_COLUMNS`), by name."""

DEFINITIONS: Final[dict[str, str]] = {**STORED, **REPORTED}
"""Every definition, by name: what both engines run."""
