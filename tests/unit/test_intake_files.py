"""Bulk files as registrars have them, read without a database: Chinese headers in any order
(unknown and duplicated headers named), a template's two header rows, workbook dates and Excel
serial numbers, identity numbers a spreadsheet stored as numbers; the templates themselves; the
preview's masking."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from creditbank.accounts import fields
from creditbank.accounts.blanks import deposit_template
from creditbank.accounts.files import COLUMNS, FileFormat, read_rows
from creditbank.accounts.model import AccountError, resident_check_character
from creditbank.catalog.model import CatalogItem, ItemKind
from creditbank.file_limits.blank_files import TEXT_FORMAT, BlankColumn, blank_csv, blank_workbook
from creditbank.file_limits.preview import masked, preview
from creditbank.frameworks.model import Level, PinnedLevel, Text
from tests.bulk_files import id_number, row
from tests.intake_files import (
    CHINESE,
    SHUFFLED,
    chinese_csv,
    filled_csv_template,
    filled_template,
    typed_workbook,
)


def rows_of(
    data: bytes, file_format: FileFormat = FileFormat.CSV
) -> list[tuple[int, dict[str, str]]]:
    return list(read_rows(io.BytesIO(data), file_format))


def header_refusal(data: bytes, file_format: FileFormat = FileFormat.CSV) -> list[str]:
    with pytest.raises(AccountError) as refused:
        rows_of(data, file_format)
    return [problem.render() for problem in refused.value.problems]


def test_chinese_headers_in_any_order_read_as_the_columns() -> None:
    read = rows_of(chinese_csv([row(1), row(2, name="王五")]))
    assert [line for line, _ in read] == [2, 3]
    assert read[1][1] == {column: row(2, name="王五")[column] for column in SHUFFLED}
    parsed = fields.parse_row(*read[0])
    assert isinstance(parsed, fields.ParsedRow) and parsed.facts.record_id == "REC-000001"


def test_headers_are_matched_loosely_english_and_chinese_mixed() -> None:
    """Case, spaces and full-width letters do not matter; English and Chinese mix."""
    header = (
        "Record_ID,身份证号码, 姓 名 ,ITEM_CODE,等级,考核日期,学习形式,证明材料ＳＨＡ２５６\r\n"
    )
    values = ",".join(row(1)[c] for c in ("record_id", "id_number", "name", "item_code", "level"))
    read = rows_of((header + values + ",2024/6/30,正规学习,\r\n").encode())
    assert read[0][1]["name"] == "学员1" and read[0][1]["evidence_sha256"] == ""
    parsed = fields.parse_row(*read[0])
    assert isinstance(parsed, fields.ParsedRow)
    assert (parsed.facts.assessed_on, parsed.facts.setting.value) == (date(2024, 6, 30), "formal")


def test_unknown_missing_and_duplicated_headers_are_named() -> None:
    data = "记录编号,身份证号码,姓名,name,项目代码,等级,考核日期,颜色\r\n".encode()
    assert header_refusal(data) == [
        "unknown column 颜色",
        "missing column setting",
        "column name (姓名, name) appears twice",
    ]
    with pytest.raises(AccountError) as refused:
        rows_of(data)
    said = refused.value.message.render()
    assert "record_id, id_number" in said and "记录编号, 身份证号码" in said


def test_a_second_header_row_is_passed_over_in_csv_and_xlsx() -> None:
    english = ",".join(SHUFFLED) + "\r\n"
    data = chinese_csv([row(1)]).replace(b"\r\n", b"\r\n" + english.encode(), 1)
    assert [line for line, _ in rows_of(data)] == [3]
    workbook = typed_workbook(
        [dict(row(1))], headers=[[CHINESE[c] for c in SHUFFLED], list(SHUFFLED)]
    )
    read = rows_of(workbook, FileFormat.XLSX)
    assert [line for line, _ in read] == [3]
    assert read[0][1]["record_id"] == "REC-000001"


def test_json_lines_take_chinese_keys() -> None:
    data = '{"记录编号": "R-1", "姓名": "张三", "name": "张三"}\n{"记录编号": "R-2", "颜色": 1}\n'
    read = rows_of(data.encode(), FileFormat.JSONL)
    assert read[0][1] == {"__invalid__": "given twice: name (姓名, name)"}
    assert read[1][1] == {"__invalid__": "unknown key 颜色"}
    good = rows_of('{"记录编号": "R-3", "姓名": "张三"}\n'.encode(), FileFormat.JSONL)
    assert good[0][1] == {"record_id": "R-3", "name": "张三"}


@pytest.mark.parametrize(
    "written",
    [
        datetime(2024, 6, 30, 0, 0),  # noqa: DTZ001 - a workbook's date cell: naive
        date(2024, 6, 30),
        45473,
        45473.0,
        "45473",
        "2024/6/30",
    ],
    ids=["datetime", "date", "serial", "serial-float", "serial-text", "text"],
)
def test_workbook_dates_and_excel_serial_numbers(written: object) -> None:
    workbook = typed_workbook([{**row(1), "assessed_on": written}])  # type: ignore[dict-item]
    ((line, read),) = rows_of(workbook, FileFormat.XLSX)
    parsed = fields.parse_row(line, read)
    assert isinstance(parsed, fields.ParsedRow), parsed
    assert parsed.facts.assessed_on == date(2024, 6, 30)


def test_excel_serial_numbers_of_the_1900_date_system() -> None:
    assert fields.written_date("45473") == date(2024, 6, 30)
    assert fields.written_date("45473.75") == date(2024, 6, 30)  # a time of day is dropped
    assert fields.excel_serial_date(61) == date(1900, 3, 1)
    with pytest.raises(ValueError):  # noqa: PT011 - Excel's day 60 (29 Feb 1900) never was
        fields.excel_serial_date(60)
    for not_a_serial in ("2024", "123456", "4547"):
        with pytest.raises(ValueError):  # noqa: PT011
            fields.written_date(not_a_serial)


NUMERIC_SAYS = "the spreadsheet stored the identity number as a number"


@pytest.mark.parametrize(
    "written",
    [
        "3.10104E+17",
        "3.10104199003071E+17",
        "310104199003071234.0",
        id_number(7)[:15] + "000",
    ],
    ids=["scientific", "scientific-15", "trailing-.0", "digits-lost"],
)
def test_an_identity_number_a_spreadsheet_made_a_number_gets_its_own_refusal(written: str) -> None:
    problems = fields.parse_row(5, {**row(7), "id_number": written})
    assert isinstance(problems, list)
    assert [(p.line, p.column) for p in problems] == [(5, "id_number")]
    said = problems[0].message.render()
    assert said.startswith(NUMERIC_SAYS) and "format the identity number column as text" in said
    assert not any(char.isdigit() for char in said)  # never the number, nor a piece of it


def test_good_identity_numbers_are_not_taken_for_numbers() -> None:
    assert not fields.numeric_identity(id_number(7))
    assert not fields.numeric_identity("E12345678")
    real = next(  # a real number may end in 000: its check digit is then right
        first + "0"
        for year in range(1950, 2020)
        if resident_check_character(first := f"310104{year}0307100") == "0"
    )
    assert not fields.numeric_identity(real)


def test_a_number_cell_in_the_identity_column_is_refused_as_such() -> None:
    number = int(id_number(8)[:17] + "0")
    workbook = typed_workbook(
        [{**row(8), "id_number": number}, {**row(9), "id_number": 3.10104e17}]
    )
    read = rows_of(workbook, FileFormat.XLSX)
    for line, values in read:
        problems = fields.parse_row(line, values)
        assert isinstance(problems, list)
        assert [p.column for p in problems] == ["id_number"]
        assert problems[0].message.render().startswith(NUMERIC_SAYS)


def _item(code: str, levels: tuple[str, ...]) -> CatalogItem:
    return CatalogItem(
        id=1,
        institution="JSVC",
        code=code,
        kind=ItemKind.COURSE,
        name="课程",
        name_en="Course",
        framework="LOFOUC",
        levels=tuple(
            PinnedLevel(1, "LOFOUC", 1, Level(level, "main", int(level), Text(zh=level)))
            for level in levels
        ),
        credits=None,
        provider="",
        approval_round=None,
        achievement_type=None,
    )


ITEMS = [_item("CAD-201", ("4", "5")), _item("ELEC", ("3",))]


def test_the_xlsx_template_has_both_header_rows_text_ids_and_drop_down_lists() -> None:
    template = deposit_template("JSVC", ITEMS, FileFormat.XLSX)
    assert (template.filename, template.media_type) == (
        "deposits-jsvc.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    workbook = load_workbook(io.BytesIO(template.content))
    sheet, lists = workbook.worksheets
    assert [c.value for c in sheet[1]] == [CHINESE[name] for name in COLUMNS]
    assert [c.value for c in sheet[2]] == list(COLUMNS)
    identity = COLUMNS.index("id_number") + 1
    assert sheet.cell(row=3, column=identity).number_format == TEXT_FORMAT
    assert sheet.cell(row=1002, column=identity).number_format == TEXT_FORMAT
    assert lists.sheet_state == "hidden"
    offered = {}
    for validation in sheet.data_validations.dataValidation:
        assert validation.type == "list"
        column = str(validation.sqref).split(":")[0].rstrip("0123456789")
        source = validation.formula1.split("!")[1].replace("$", "")
        first, last = source.split(":")
        offered[sheet[f"{column}2"].value] = [cell.value for (cell,) in lists[f"{first}:{last}"]]
    assert offered == {
        "item_code": ["CAD-201", "ELEC"],
        "level": ["3", "4", "5"],
        "setting": ["formal", "non-formal", "informal"],
    }
    assert rows_of(template.content, FileFormat.XLSX) == []  # both header rows are headers


def test_the_templates_filled_in_read_back() -> None:
    rows = [row(1, id_number=id_number(1), assessed_on="2024-06-30"), row(2)]
    xlsx = deposit_template("JSVC", ITEMS, FileFormat.XLSX).content
    read = rows_of(filled_template(xlsx, rows), FileFormat.XLSX)
    assert [line for line, _ in read] == [3, 4]
    assert [values["id_number"] for _, values in read] == [id_number(1), id_number(2)]
    assert all(isinstance(fields.parse_row(*each), fields.ParsedRow) for each in read)
    csv_template = deposit_template("JSVC", ITEMS, FileFormat.CSV)
    assert csv_template.content.startswith(b"\xef\xbb\xbf" + "记录编号,身份证号码".encode())
    assert csv_template.media_type == "text/csv; charset=utf-8"
    read = rows_of(filled_csv_template(csv_template.content, rows))
    assert [(line, values["record_id"]) for line, values in read] == [
        (2, "REC-000001"),
        (3, "REC-000002"),
    ]


def test_the_preview_masks_identity_numbers_and_shows_values_as_read() -> None:
    assert masked("310104199003071234") == "3101**********1234"
    assert masked("E1234567") == "E1****67"
    assert masked("AB") == "**"
    shown = preview(
        iter([(2, {"id_number": "310104199003071234", "name": "张三", "assessed_on": "45473"})]),
        ("id_number", "name", "assessed_on"),
        masked_columns=frozenset({"id_number"}),
        shown=lambda column, text: (
            str(fields.written_date(text)) if column == "assessed_on" else text
        ),
    )
    assert [(r.line, r.values) for r in shown] == [
        (2, ("3101**********1234", "张三", "2024-06-30"))
    ]


def test_a_blank_file_may_come_with_rows_filled_in() -> None:
    """What another upload's template needs (a results file's candidates, say)."""
    columns = [BlankColumn("account_number", "账户号码", text=True), BlankColumn("theory", "理论")]
    sheet = load_workbook(io.BytesIO(blank_workbook(columns, filled=[["CB1", ""]]))).worksheets[0]
    assert [cell.value for cell in sheet[3]] == ["CB1", None]
    assert sheet["A3"].number_format == TEXT_FORMAT
    text = blank_csv(columns, [["CB1", ""], ["CB2", "8,5"]]).decode("utf-8-sig")
    assert text == '账户号码,理论\r\nCB1,\r\nCB2,"8,5"\r\n'
