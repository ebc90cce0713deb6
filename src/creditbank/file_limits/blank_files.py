"""Blank files for registrars to fill in and upload: an XLSX workbook and a CSV file.

Given the table's columns (:class:`BlankColumn`), :func:`blank_workbook` writes a workbook whose
first sheet has the Chinese header row, then the English one (the columns' names), the columns
that must hold text (identity numbers) formatted as text so that a spreadsheet keeps every
digit, date columns formatted as dates, and a drop-down list (a data validation) on each column
that has choices, its values kept on a hidden second sheet (a list written into the validation
itself may not exceed 255 characters). :func:`blank_csv` writes the Chinese header row in UTF-8
with a BOM (so that Excel on a Chinese Windows opens it as UTF-8).

The readers accept both back: the second header row is recognised as headers
(:meth:`creditbank.file_limits.headers.HeaderMap.repeats`). Any uploaded table can have its
blank (bulk deposits: :mod:`creditbank.accounts.blanks`; a 1+X results file could list its
``id_number``, ``name`` and mark columns the same way).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

XLSX_MEDIA_TYPE: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MEDIA_TYPE: Final = "text/csv; charset=utf-8"
BLANK_ROWS: Final = 1000
"""Rows of a blank workbook made ready for data (formats and drop-down lists)."""
LISTS_SHEET: Final = "lists"
TEXT_FORMAT: Final = "@"
DATE_FORMAT: Final = "yyyy-mm-dd"
_HEADER_FILL = PatternFill("solid", start_color="DDEBF7")


@dataclass(frozen=True, slots=True)
class BlankColumn:
    """One column of a blank file: its name (the English header), its Chinese header, whether
    its cells hold text or dates, and the values offered in its drop-down list."""

    name: str
    chinese: str
    text: bool = False
    date: bool = False
    choices: tuple[str, ...] = ()
    width: int = 16


def _csv_field(text: str) -> str:
    if any(char in text for char in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def blank_csv(columns: Sequence[BlankColumn], filled: Sequence[Sequence[str]] = ()) -> bytes:
    """A CSV file of the Chinese header row (then the ``filled`` rows, values in the columns'
    order), UTF-8 with a BOM, CRLF line ends."""
    lines = [[c.chinese for c in columns], *filled]
    text = "".join(",".join(_csv_field(value) for value in line) + "\r\n" for line in lines)
    return ("\ufeff" + text).encode()


def header_rows(sheet: Worksheet, columns: Sequence[BlankColumn]) -> None:
    """A sheet's two header rows, Chinese then English, bold on a pale fill, frozen above the
    rows that follow (from row 3)."""
    sheet.append([column.chinese for column in columns])
    sheet.append([column.name for column in columns])
    bold = Font(bold=True)
    for header in (*sheet[1], *sheet[2]):
        header.font = bold
        header.fill = _HEADER_FILL
    sheet.freeze_panes = "A3"


def blank_workbook(
    columns: Sequence[BlankColumn],
    *,
    sheet_title: str = "data",
    rows: int = BLANK_ROWS,
    filled: Sequence[Sequence[str]] = (),
) -> bytes:
    """An XLSX workbook to fill in (see the module's docstring): ``rows`` rows under the two
    header rows made ready for data, the first of them holding ``filled`` (values in the
    columns' order, as text: a results file's candidates, say)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # noqa: S101 - a new workbook has its sheet
    sheet.title = sheet_title
    lists = workbook.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    header_rows(sheet, columns)
    first, last = 3, 2 + max(rows, len(filled))
    listed = 0
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = column.width
        cell_format = TEXT_FORMAT if column.text else DATE_FORMAT if column.date else None
        if cell_format is not None:
            sheet.column_dimensions[letter].number_format = cell_format
            for (cell,) in sheet.iter_rows(
                min_row=first, max_row=last, min_col=index, max_col=index
            ):
                cell.number_format = cell_format
        if column.choices:
            listed += 1
            list_letter = get_column_letter(listed)
            for row, choice in enumerate(column.choices, start=1):
                lists.cell(row=row, column=listed, value=choice)
            source = (
                f"{quote_sheetname(LISTS_SHEET)}!${list_letter}$1:"
                f"${list_letter}${len(column.choices)}"
            )
            validation = DataValidation(type="list", formula1=source, allow_blank=True)
            validation.add(f"{letter}{first}:{letter}{last}")
            sheet.add_data_validation(validation)
    for offset, values in enumerate(filled):
        for index, value in enumerate(values, start=1):
            sheet.cell(row=first + offset, column=index, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
