"""Tables to download (creditbank.web.downloads): both header rows, numbers as numbers, and no
text taken for a formula, in CSV and in XLSX; the attachment's file name kept to safe
characters."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl

from creditbank.web.downloads import BlankColumn, Cell, attachment, table_csv, table_workbook

COLUMNS = (BlankColumn("Institution", "机构"), BlankColumn("deposited", "已存入"))
ROWS: list[list[Cell]] = [
    ['=HYPERLINK("http://example.com")', 12],
    ["-1+2", "<10"],
    ["@SUM(A1)", Decimal("3.50")],
    ["上海开放大学", None],
]


def test_csv_has_a_bom_both_header_rows_and_no_formula() -> None:
    content = table_csv(COLUMNS, ROWS)
    assert content.startswith("\ufeff".encode())
    assert b"\r\n" in content
    read = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert read == [
        ["机构", "已存入"],
        ["Institution", "deposited"],
        ['\'=HYPERLINK("http://example.com")', "12"],
        ["'-1+2", "<10"],
        ["'@SUM(A1)", "3.5"],
        ["上海开放大学", ""],
    ]


def test_workbook_has_both_header_rows_numbers_and_texts_never_formulas() -> None:
    content = table_workbook(COLUMNS, ROWS, sheet_title="outcomes-by-institution-and-more-words")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    assert sheet.title == "outcomes-by-institution-and-mor"  # 31 characters at most
    assert [list(row) for row in sheet.iter_rows(values_only=True)] == [
        ["机构", "已存入"],
        ["Institution", "deposited"],
        ['=HYPERLINK("http://example.com")', 12],
        ["-1+2", "<10"],
        ["@SUM(A1)", 3.5],
        ["上海开放大学", None],
    ]
    assert sheet["A3"].data_type == "s"  # a text, not a formula
    assert sheet.freeze_panes == "A3"


def test_the_attachment_names_a_safe_file() -> None:
    assert attachment("stats", "outcomes-by-level", None, "2025", extension="csv") == (
        'attachment; filename="stats-outcomes-by-level-2025.csv"'
    )
    assert attachment('"; evil', "上海", extension="xlsx") == 'attachment; filename="evil.xlsx"'
    assert attachment(extension="csv") == 'attachment; filename="download.csv"'
