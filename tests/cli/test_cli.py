"""The ``creditbank`` command line, run through Typer's runner on both databases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from creditbank.frameworks.files import builtin_frameworks
from creditbank.settings import get_settings
from tests.cli.runner import run


def test_init_is_idempotent(cli: CliRunner) -> None:
    assert "NVQC" in run(cli, "init")  # on a migrated database: the frameworks are added
    output = run(cli, "init")
    assert "Frameworks added: -; crosswalks added: -" in output


def test_frameworks_list_json(initialised: CliRunner) -> None:
    body = json.loads(run(initialised, "frameworks", "list", "--json"))
    assert {item["code"] for item in body} >= {
        "NVQC",
        "QCPTP",
        "QCSW",
        "EQF",
        "ISCED",
        "CLEQF",
        "1X",
    }


def test_frameworks_show(initialised: CliRunner) -> None:
    output = run(initialised, "frameworks", "show", "NVQC")
    assert "Senior technician" in output and "高级技师" not in output
    output = run(initialised, "--lang", "zh", "frameworks", "show", "NVQC")
    assert "高级技师" in output and "Senior technician" not in output
    body = json.loads(run(initialised, "frameworks", "show", "nvqc", "--json"))
    assert [level["code"] for level in body["tracks"][0]["levels"]] == ["1", "2", "3", "4", "5"]


@pytest.mark.parametrize(
    ("origin", "target", "expected"),
    [
        ("NVQC:3", "QCPTP", "QCPTP:junior"),
        ("QCPTP:junior", "NVQC", "NVQC:3"),
        ("QCPTP:senior", "NVQC", "NVQC:1"),
        ("QCSW:primary", "NVQC", "NVQC:5"),
    ],
)
def test_table_14_through_the_cli(
    initialised: CliRunner, origin: str, target: str, expected: str
) -> None:
    body = json.loads(run(initialised, "crosswalk", origin, "--to", target, "--json"))
    assert [(r["level"], r["kind"]) for r in body["results"]] == [(expected, "published")]
    text = run(initialised, "crosswalk", origin, "--to", target)
    assert expected in text and "published" in text and "assumed" not in text


def test_an_assumed_chain_says_so(initialised: CliRunner) -> None:
    text = run(initialised, "crosswalk", "QCPTP:junior", "--to", "EQF")
    assert "EQF:4" in text and "assumed" in text
    assert "QCPTP:junior → NVQC:3 → EQF:4" in text


def test_compare_in_nvqc_order(initialised: CliRunner) -> None:
    assert "NVQC:1 is higher than NVQC:3" in run(
        initialised, "frameworks", "compare", "NVQC", "1", "3"
    )
    body = json.loads(run(initialised, "frameworks", "compare", "NVQC", "5", "4", "--json"))
    assert body["comparison"] == -1 and body["a_at_least_b"] is False


def test_errors_are_named_and_exit_1(initialised: CliRunner) -> None:
    assert "has no level 9" in run(initialised, "crosswalk", "NVQC:9", "--to", "EQF", code=1)
    assert "not a level reference" in run(initialised, "crosswalk", "NVQC", "--to", "EQF", code=1)
    assert "there is no framework NOPE" in run(initialised, "frameworks", "show", "NOPE", code=1)


def test_chinese_messages(initialised: CliRunner) -> None:
    output = run(initialised, "--lang", "zh", "frameworks", "compare", "NVQC", "1", "3")
    assert "NVQC:1" in output and "higher" not in output


def test_uninitialised_database_is_explained(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CREDITBANK_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    get_settings.cache_clear()
    assert "creditbank init" in run(cli, "frameworks", "list", code=1)


FRAMEWORK_V2 = """
code = "ISCED"
source = "UNESCO Institute for Statistics, ISCED 2011 (test revision)"
effective_from = 2030-01-01
highest = "first"
[name]
zh = "国际教育标准分类"
en = "International Standard Classification of Education"
{levels}
"""


def level_block(code: str, en: str) -> str:
    return f'[[levels]]\ncode = "{code}"\nname = {{ zh = "{en}", en = "{en}" }}\n'


def test_import_publishes_a_new_version(initialised: CliRunner, tmp_path: Path) -> None:
    levels = "".join(level_block(str(n), f"Level {n}") for n in range(8, -1, -1))
    file = tmp_path / "isced.toml"
    file.write_text(FRAMEWORK_V2.format(levels=levels), encoding="utf-8")
    output = run(initialised, "frameworks", "import", str(file), "--actor", "ops@bank")
    assert "Published ISCED version 2, in force from 2030-01-01" in output
    body = json.loads(run(initialised, "frameworks", "show", "ISCED", "--version", "1", "--json"))
    original = next(d for d in builtin_frameworks() if d.code == "ISCED")
    assert [lvl["name"]["en"] for lvl in body["tracks"][0]["levels"]] == [
        lvl.name.en for lvl in original.tracks[0].levels
    ]
    latest = json.loads(run(initialised, "frameworks", "show", "ISCED", "--version", "2", "--json"))
    assert latest["tracks"][0]["levels"][0]["name"]["en"] == "Level 8"
    assert [(v["version"], v["published_by"]) for v in body["versions"]] == [
        (1, "creditbank"),
        (2, "ops@bank"),  # the console records --actor as the publisher
    ]
    # importing the same file again publishes nothing
    assert "identical to version 2" in run(initialised, "frameworks", "import", str(file), code=1)


def test_import_of_a_bad_file_names_each_problem_and_changes_nothing(
    initialised: CliRunner, tmp_path: Path
) -> None:
    levels = level_block("1", "One") + level_block("1", "One again") + '[[levels]]\ncode = "2"\n'
    file = tmp_path / "bad.toml"
    file.write_text(FRAMEWORK_V2.format(levels=levels), encoding="utf-8")
    output = run(initialised, "frameworks", "import", str(file), code=1)
    assert "levels[2].name: Field required" in output
    file.write_text(
        FRAMEWORK_V2.format(levels=level_block("1", "One") + level_block("1", "Again")),
        encoding="utf-8",
    )
    output = run(initialised, "frameworks", "import", str(file), code=1)
    assert "duplicate level code 1" in output
    body = json.loads(run(initialised, "frameworks", "show", "ISCED", "--json"))
    assert [v["version"] for v in body["versions"]] == [1]


def test_import_of_an_unparseable_file(initialised: CliRunner, tmp_path: Path) -> None:
    file = tmp_path / "broken.toml"
    file.write_text('code = "X\n', encoding="utf-8")
    assert "cannot be parsed" in run(initialised, "frameworks", "import", str(file), code=1)
    assert "is not a file" in run(
        initialised, "frameworks", "import", str(tmp_path / "missing.toml"), code=1
    )
