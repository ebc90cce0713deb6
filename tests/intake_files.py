"""Bulk files as registrars have them, for tests: Chinese headers in any order, workbooks whose
cells hold dates and numbers (an identity number a spreadsheet turned into a number), and the
bank's own template filled in."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import date, datetime

from openpyxl import Workbook, load_workbook

from creditbank.accounts.fields import FIELDS

CHINESE = {field.name: field.chinese for field in FIELDS}
SHUFFLED = (
    "name",
    "assessed_on",
    "id_number",
    "record_id",
    "setting",
    "level",
    "item_code",
    "score",
    "credits",
)
"""The columns in an order of a registrar's own (evidence_sha256 left out)."""

Cell = str | int | float | date | datetime | None


def chinese_csv(
    rows: Sequence[dict[str, str]], columns: Sequence[str] = SHUFFLED, *, encoding: str = "utf-8"
) -> bytes:
    """A CSV with Chinese headers, columns in ``columns``' order."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([CHINESE[column] for column in columns])
    writer.writerows([[values.get(column, "") for column in columns] for values in rows])
    return buffer.getvalue().encode(encoding)


def typed_workbook(
    rows: Sequence[Mapping[str, Cell]],
    columns: Sequence[str] = SHUFFLED,
    *,
    headers: Sequence[Sequence[str]] | None = None,
) -> bytes:
    """A workbook whose cells hold the values as given (dates, numbers, text), under the header
    rows ``headers`` (the Chinese headers when None)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for header in headers or [[CHINESE[column] for column in columns]]:
        sheet.append(list(header))
    for values in rows:
        sheet.append([values.get(column) for column in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def filled_template(template: bytes, rows: Sequence[dict[str, str]]) -> bytes:
    """The bank's XLSX template with ``rows`` typed in under its two header rows (as text where
    the template says text, as a registrar would type into those cells)."""
    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook.worksheets[0]
    names = [cell.value for cell in sheet[2]]
    for offset, values in enumerate(rows):
        for index, name in enumerate(names, start=1):
            value = values.get(str(name), "")
            if value:
                sheet.cell(row=3 + offset, column=index, value=value)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def filled_csv_template(template: bytes, rows: Sequence[dict[str, str]]) -> bytes:
    """The bank's CSV template (BOM, Chinese headers) with ``rows`` added under its header."""
    header = next(csv.reader(io.StringIO(template.decode("utf-8-sig"))))
    names = {field.chinese: field.name for field in FIELDS}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([[values.get(names[h], "") for h in header] for values in rows])
    return template + buffer.getvalue().encode("utf-8")
