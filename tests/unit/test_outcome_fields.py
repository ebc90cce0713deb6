"""The outcome's fields, described once (``accounts.fields``): the bulk file's columns, the
HTTP schema, the stored columns and the README's table all follow the one table."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from creditbank.accounts import fields, files
from creditbank.accounts.model import LearningSetting, OutcomeFacts
from creditbank.accounts.records import STORED_FACT_COLUMNS
from creditbank.accounts.schemas import OutcomeFactsCreate
from creditbank.cli.reference import COLUMNS_END, COLUMNS_START, rewrite

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_shows_the_table_of_bulk_columns() -> None:
    """The README's table is what ``make docs`` makes of the fields, between its markers."""
    readme = README.read_text(encoding="utf-8")
    wanted = rewrite(readme, fields.columns_table() + "\n", COLUMNS_START, COLUMNS_END)
    assert fields.columns_table() in readme
    assert wanted == readme, "the table of bulk deposit columns is out of date: run `make docs`"


def test_the_file_schema_and_stored_columns_follow_the_fields() -> None:
    assert tuple(field.name for field in fields.FIELDS) == files.COLUMNS
    assert files.REQUIRED == (
        "record_id",
        "id_number",
        "name",
        "item_code",
        "level",
        "assessed_on",
        "setting",
    )
    assert set(fields.FACT_FIELDS) == set(OutcomeFacts.__dataclass_fields__)
    assert set(fields.FACT_FIELDS) == set(OutcomeFactsCreate.model_fields)
    assert STORED_FACT_COLUMNS[3:] == fields.STORED_AS_GIVEN
    described = {name: info.description for name, info in OutcomeFactsCreate.model_fields.items()}
    assert described == {field.name: field.description for field in fields.FIELDS if field.fact}


def test_a_row_parses_field_by_field_with_each_problem_named() -> None:
    row = {
        "record_id": " R-1 ",
        "id_number": "310104199102020016",
        "name": " Li   Si ",
        "item_code": "CAD-201",
        "level": "4",
        "credits": "3.25",
        "score": "x",
        "assessed_on": "2024-13-01",
        "setting": "Formal",
        "evidence_sha256": "",
    }
    problems = fields.parse_row(5, row)
    assert isinstance(problems, list)
    assert [(p.line, p.column) for p in problems] == [
        (5, "credits"),
        (5, "score"),
        (5, "assessed_on"),
    ]
    parsed = fields.parse_row(
        5, {**row, "credits": "3.5", "score": "", "assessed_on": "2024-06-30"}
    )
    assert isinstance(parsed, fields.ParsedRow)
    assert (parsed.facts.record_id, parsed.name, parsed.facts.credits, parsed.facts.score) == (
        "R-1",
        "Li Si",
        fields.FIELDS_BY_NAME["credits"].parse("3.5"),
        None,
    )
    assert parsed.facts.setting.value == "formal"
    assert parsed.facts.evidence_sha256 is None


def test_the_fields_logged_from_the_start_are_logged_even_when_empty() -> None:
    """The log's entries since the first commit to every stored field, empty or not: so they
    must stay so for those entries to verify (a field added later is logged only when set)."""
    assert all(fields.logged(name, None) for name in fields.STORED_AS_GIVEN)


@pytest.mark.parametrize(
    "written",
    [
        "2024-06-30",
        "2024/6/30",
        "2024.6.30",
        "2024-6-30",
        "2024年6月30日",
        " 2024 年 6 月 30 日 ",
        "20240630",
    ],
)
def test_dates_as_registrars_write_them(written: str) -> None:
    assert fields.written_date(written) == date(2024, 6, 30)


@pytest.mark.parametrize(
    "written", ["2024/2/30", "30/6/2024", "2024年6月", "6月30日", "", "2024//6/30"]
)
def test_what_is_not_a_date_is_refused(written: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - the field's own message is said instead
        fields.written_date(written)


def test_every_column_has_a_chinese_header_of_its_own() -> None:
    chinese = {field.name: field.chinese for field in fields.FIELDS}
    assert len(set(chinese.values())) == len(chinese) and all(chinese.values())
    assert (chinese["record_id"], chinese["id_number"], chinese["assessed_on"]) == (
        "记录编号",
        "身份证号码",
        "考核日期",
    )
    for name, header in chinese.items():
        assert files.HEADERS.column(header) == files.HEADERS.column(name.upper()) == name
    assert files.HEADERS.column("证明材料 sha256") == "evidence_sha256"
    assert files.HEADERS.column("颜色") is None
    assert "| `id_number` | 身份证号码 | yes |" in fields.columns_table()


@pytest.mark.parametrize(
    ("written", "setting"),
    [
        ("正规学习", "formal"),
        ("非正规", "non-formal"),
        ("非正式学习", "informal"),
        ("Non-Formal", "non-formal"),
    ],
)
def test_learning_settings_as_chinese_registrars_write_them(written: str, setting: str) -> None:
    assert fields.FIELDS_BY_NAME["setting"].parse(written) == LearningSetting(setting)
