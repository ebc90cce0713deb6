"""`creditbank occupations import --format onet|esco` and `creditbank skills import --format
onet|esco` on both databases: O*NET's and ESCO's files (tests/data) imported through the same
commands as the bank's own, their sources' licences recorded by default (the version is the
operator's), shown by their prefixed codes; a bad file refused naming line and column with
nothing stored; again: nothing changes; `creditbank gaps NUMBER --occupation ONET:...` with the
importance of what is missing."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from creditbank.db import Database
from tests.cli.runner import run
from tests.matching_world import learner
from tests.occupations.test_international import DATA, counts


def test_onet_and_esco_through_the_cli(
    initialised: CliRunner, database: Database, tmp_path: Path
) -> None:
    onet, esco = DATA / "onet", DATA / "esco"
    imported = run(
        initialised,
        "occupations",
        "import",
        str(onet / "Occupation Data.txt"),
        "--format",
        "onet",
        "--alternate-titles",
        str(onet / "Alternate Titles.txt"),
        "--version",
        "28.0",
    )
    assert "3 added, 0 changed" in imported
    for name in ("Skills.txt", "Knowledge.txt"):
        run(
            initialised,
            "skills",
            "import",
            str(onet / name),
            "--format",
            "onet",
            "--version",
            "28.0",
        )
    run(
        initialised,
        "occupations",
        "import",
        str(esco / "occupations_en.csv"),
        "--format",
        "esco",
        "--version",
        "1.2",
    )
    run(
        initialised,
        "occupations",
        "import",
        str(esco / "ISCOGroups_en.csv"),
        "--format",
        "esco",
        "--version",
        "1.2",
    )
    for name in ("skills_en.csv", "occupationSkillRelations_en.csv"):
        run(
            initialised,
            "skills",
            "import",
            str(esco / name),
            "--format",
            "esco",
            "--version",
            "1.2",
        )
    with database.unit_of_work() as uow:
        assert counts(uow) == (9, 3, 8, 9, 4)
    shown = json.loads(run(initialised, "occupations", "show", "ONET:15-1252.00", "--json"))
    assert shown["source"]["version"] == "28.0"
    assert "USDOL/ETA" in shown["source"]["licence"]
    assert shown["skills"][0]["importance"] == 4.71
    table = run(initialised, "occupations", "show", "ESCO:2512.4")
    assert "ESCO:2512  Software developers" in table
    again = run(
        initialised,
        "skills",
        "import",
        str(esco / "occupationSkillRelations_en.csv"),
        "--format",
        "esco",
        "--version",
        "1.2",
    )
    assert "Nothing changed" in again
    broken = tmp_path / "Skills.txt"
    ratings = (onet / "Skills.txt").read_text(encoding="utf-8")
    broken.write_text(ratings.replace("\tIM\t4.62\t", "\tIM\tmany\t"), encoding="utf-8")
    refused = run(
        initialised, "skills", "import", str(broken), "--format", "onet", "--version", "29", code=1
    )
    assert "Line 4, column Data Value" in refused
    with database.unit_of_work() as uow:
        number = learner(uow, 3, "测试学员")
    gap = json.loads(run(initialised, "gaps", number, "--occupation", "ONET:15-1252.00", "--json"))
    assert gap["target"]["code"] == "ONET:15-1252.00"
    assert [(s["name"], s["importance"]) for s in gap["unteachable"]] == [
        ("Computers and Electronics", "4.71"),
        ("Programming", "4.62"),
        ("Reading Comprehension", "3.75"),
    ]
    with database.unit_of_work() as uow:
        assert counts(uow) == (9, 3, 8, 9, 4)
