"""Tables to download: a CSV file and an XLSX workbook with a Chinese and an English header row.

A table is its columns (:class:`~creditbank.file_limits.blank_files.BlankColumn`: the English
header as ``name``, the Chinese one as ``chinese``) and its rows, each cell a number or a text
(a suppressed count is the text ``"<10"``). :func:`table_csv` writes it as the bank's blank files
are written (:func:`~creditbank.file_limits.blank_files.blank_csv`: UTF-8 with a BOM, so that
Excel on a Chinese Windows opens it as UTF-8, CRLF line ends), the English header row under the
Chinese one; :func:`table_workbook` writes one sheet with both header rows in the blank
workbooks' style (bold, shaded, frozen) and numbers as numbers. :func:`attachment` names the
file for ``Content-Disposition``.

A text is never taken for a formula (names come from institutions and peers): in the workbook
every text cell is a string, and in the CSV file a text that a spreadsheet would read as a
formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is written with a
leading ``'``, as OWASP advises against CSV injection.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from creditbank.file_limits.blank_files import (
    CSV_MEDIA_TYPE,
    XLSX_MEDIA_TYPE,
    BlankColumn,
    blank_csv,
    header_rows,
)

__all__ = [
    "CSV_MEDIA_TYPE",
    "XLSX_MEDIA_TYPE",
    "BlankColumn",
    "Cell",
    "attachment",
    "table_csv",
    "table_workbook",
]

Cell = int | Decimal | str | None
"""A cell of a table: a count, an amount, or a text (a label, ``"<10"``); None is empty."""

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, Decimal):
        return format(cell.normalize(), "f")
    if isinstance(cell, str) and cell.startswith(_FORMULA_STARTS):
        return "'" + cell
    return str(cell)


def table_csv(columns: Sequence[BlankColumn], rows: Sequence[Sequence[Cell]]) -> bytes:
    """The table as CSV: the Chinese header row, the English one, then the rows (UTF-8 with a
    BOM, CRLF line ends)."""
    english = [column.name for column in columns]
    return blank_csv(columns, [english, *([_text(cell) for cell in row] for row in rows)])


def table_workbook(
    columns: Sequence[BlankColumn], rows: Sequence[Sequence[Cell]], *, sheet_title: str
) -> bytes:
    """The table as an XLSX workbook of one sheet: the Chinese header row, the English one,
    then the rows; counts and amounts as numbers, texts as text."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # noqa: S101 - a new workbook has its sheet
    sheet.title = sheet_title[:31]  # a sheet's title may hold at most 31 characters
    header_rows(sheet, columns)
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    for line, row in enumerate(rows, start=3):
        for place, value in enumerate(row, start=1):
            cell = sheet.cell(row=line, column=place, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # a text, even one starting with "=": never a formula
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def attachment(*parts: str | None, extension: str) -> str:
    """A ``Content-Disposition`` value naming the file ``parts`` joined by ``-`` (each reduced
    to letters, digits, ``.``, ``_`` and ``-``; empty parts left out), with ``extension``."""
    kept = [_UNSAFE.sub("_", part).strip("_") for part in parts if part]
    name = "-".join(part for part in kept if part) or "download"
    return f'attachment; filename="{name}.{extension}"'
