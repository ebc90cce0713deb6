"""`creditbank standards` on both databases: importing the built-in competence standards and
their next versions, listing and showing them, assessment schemes (the BIM weights of seed 004)
and the certification of teachers and assessors, each with its refusals."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

import creditbank.accreditation
from creditbank.catalog import service as catalog
from creditbank.catalog.model import ItemDraft, ItemKind
from creditbank.cli.main import app
from creditbank.db import Database
from tests.bulk_files import id_number
from tests.cli.conftest import Once
from tests.cli.runner import run

DATA = Path(creditbank.accreditation.__file__).parent / "data" / "standards"
RAIL = DATA / "cq-rail-transit.toml"
SOFTWARE = DATA / "gd-software-engineering.toml"

CQ_OFFICER = "officer@cqou.example"
CQ_REGISTRAR = "registrar@cqou.example"
CQ_ASSESSOR = "assessor@cqou.example"
GD_OFFICER = "officer@gdou.example"
TEO_REGISTRAR = "registrar@teo-bim.example"
TEO_ASSESSOR = "assessor@teo-bim.example"
ADMIN = "admin@bank.example"
ID_NUMBER = id_number(7)


@dataclass(frozen=True)
class World:
    cli: CliRunner

    def run(self, *args: str, code: int = 0) -> str:
        output = run(self.cli, *args, code=code)
        assert ID_NUMBER not in output  # never printed, on success or failure
        return output

    def refused(self, *args: str) -> str:
        return self.run(*args, code=1)


@pytest.fixture
def world(initialised: CliRunner, database: Database, once: Once) -> World:
    """Chongqing and Guangdong open universities, a 1+X provider with its BIM certificate, and
    their staff (built once per backend: see tests/cli/conftest.py)."""
    once("world", lambda: _build(initialised, database))
    return World(initialised)


def _build(cli: CliRunner, database: Database) -> None:
    for code, name, kind in (
        ("CQOU", "重庆开放大学", "open_university"),
        ("GDOU", "广东开放大学", "open_university"),
        ("TEO-BIM", "廊坊市中科建筑产业化创新研究中心", "training_evaluation_organisation"),
    ):
        run(cli, "institutions", "add", code, "--name", name, "--type", kind)
    for email, role, institution in (
        (CQ_OFFICER, "accreditation_officer", "CQOU"),
        (CQ_REGISTRAR, "registrar", "CQOU"),
        (CQ_ASSESSOR, "assessor", "CQOU"),
        (GD_OFFICER, "accreditation_officer", "GDOU"),
        (TEO_REGISTRAR, "registrar", "TEO-BIM"),
        (TEO_ASSESSOR, "assessor", "TEO-BIM"),
    ):
        run(cli, "users", "add", email, "--role", role, "--institution", institution)
    run(cli, "users", "add", ADMIN, "--role", "bank_admin")
    with database.unit_of_work() as uow:  # the CLI has no command to add items
        catalog.add_item(
            uow=uow,
            draft=ItemDraft(
                institution="TEO-BIM",
                code="BIM-X",
                kind=ItemKind.X_CERTIFICATE,
                name="建筑信息模型（BIM）职业技能等级证书",
                framework="1X",
                levels=("beginner", "intermediate", "advanced"),
                provider="TEO-BIM",
                approval_round=1,
            ),
            on=date(2025, 9, 1),
        )


def variant(tmp_path: Path, source: Path, name: str, *changes: tuple[str, str]) -> Path:
    """A copy of a built-in standard with each (old, new) text replaced once."""
    text = source.read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_standard_is_imported_listed_and_shown(world: World) -> None:
    imported = json.loads(world.run("standards", "import", str(RAIL), "--as", CQ_OFFICER, "--json"))
    assert {k: imported[k] for k in ("code", "version", "institution", "framework")} == {
        "code": "CQ-SCS-RAIL",
        "version": 1,
        "institution": "CQOU",
        "framework": "CLEQF",
    }
    assert imported["valid_from"] == "2021-02-09"
    assert imported["source_sha256"] == hashlib.sha256(RAIL.read_bytes()).hexdigest()
    units = imported["units"]
    assert [(u["code"], u["item"], u["level"]["level"], u["credits"]) for u in units] == [
        ("CQRT-STN-01", "CQOU:CQRT-STN-01", "VE1", "4.0"),
        ("CQRT-OPS-02", "CQOU:CQRT-OPS-02", "VE2", "6.0"),
        ("CQRT-EMG-03", "CQOU:CQRT-EMG-03", "VE2", "3.0"),
    ]
    emergency = units[2]
    assert [s["domain"] for s in emergency["statements"]] == ["knowledge", "skills", "competency"]
    assert emergency["evidence"][0] == {
        "kind": "employer_letter",
        "description": "所在运营单位出具的从事车站岗位满两年的工作证明",
        "required": True,
    }
    assert emergency["scheme"] == {
        "item": "CQOU:CQRT-EMG-03",
        "level": "VE2",
        "version": 1,
        "pass_mark": "60.00",
        "components": [
            {"kind": "portfolio", "weight": 40, "pass_mark": None},
            {"kind": "interview", "weight": 60, "pass_mark": None},
        ],
        "summary": "portfolio 40 / interview 60, pass 60",
    }
    assert units[1]["scheme"]["components"][1] == {
        "kind": "practice",
        "weight": 60,
        "pass_mark": "60.00",
    }

    # a bank administrator imports for an institution it names
    text = world.run("standards", "import", str(SOFTWARE), "--as", ADMIN, "--institution", "gdou")
    assert "Standard GD-SCS-SWE version 1 imported for GDOU: 3 units" in text
    assert "GDLEQF:5" in text

    listed = json.loads(world.run("standards", "list", "--json"))
    assert [
        (s["code"], s["version"], s["institution"], s["units"], s["credits"]) for s in listed
    ] == [
        ("CQ-SCS-RAIL", 1, "CQOU", 3, "13.0"),
        ("GD-SCS-SWE", 1, "GDOU", 3, "13.0"),
    ]
    table = world.run("standards", "list")
    assert "CQ-SCS-RAIL" in table and "GD-SCS-SWE" in table and "Competence standards" in table

    assert json.loads(world.run("standards", "show", "cq-scs-rail", "--json")) == imported
    shown = world.run("standards", "show", "CQ-SCS-RAIL")
    assert "CQ-SCS-RAIL v1 Urban Rail Transit Operations Competence Standard · CQOU" in shown
    assert "Framework CLEQF version 1; valid from 2021-02-09" in shown
    assert "CQRT-EMG-03 (CQOU:CQRT-EMG-03)" in shown
    assert "Competency: Keeps calm in an emergency" in shown
    assert "Evidence (required): 所在运营单位出具的从事车站岗位满两年的工作证明" in shown
    assert "Evidence (optional): 应急处置相关的表彰或奖励" in shown
    zh = world.run("--lang", "zh", "standards", "show", "CQ-SCS-RAIL")
    assert "城市轨道交通运营能力标准" in zh and "车站突发事件应急处置" in zh

    assert "standard CQ-SCS-RAIL has no version 2" in world.refused(
        "standards", "show", "CQ-SCS-RAIL", "--version", "2"
    )
    assert "there is no standard NOPE" in world.refused("standards", "show", "NOPE")


def test_versions_are_imported_in_order_by_their_owner(world: World, tmp_path: Path) -> None:
    world.run("standards", "import", str(RAIL), "--as", CQ_OFFICER)

    again = world.refused("standards", "import", str(RAIL), "--as", CQ_OFFICER)
    assert "standard CQ-SCS-RAIL has version 1 already; the next is 2" in again

    skipping = variant(tmp_path, RAIL, "v3.toml", ("version = 1", "version = 3"))
    assert "the next version of standard CQ-SCS-RAIL is 2" in world.refused(
        "standards", "import", str(skipping), "--as", CQ_OFFICER
    )

    # the next version: a criterion reworded and a unit added; kept units keep their items
    new_unit = """
[[units]]
code = "CQRT-SAF-04"
name = "运营安全管理"
level = "VE2"
credits = 2
criteria = ["能识别车站常见安全隐患"]

[[units.statements]]
domain = "competency"
text = "能够对本岗位的运营安全负责。"

[[units.scheme.components]]
kind = "theory"
weight = 100
"""
    second = variant(
        tmp_path,
        RAIL,
        "v2.toml",
        ("version = 1", "version = 2"),
        ("客流组织方案符合车站安全规定", "客流组织方案符合车站安全规定和应急预案"),
    )
    second.write_text(second.read_text(encoding="utf-8") + new_unit, encoding="utf-8")
    text = world.run("standards", "import", str(second), "--as", CQ_OFFICER)
    assert "Standard CQ-SCS-RAIL version 2 imported for CQOU: 4 units" in text
    newest = json.loads(world.run("standards", "show", "CQ-SCS-RAIL", "--json"))
    assert newest["version"] == 2
    assert newest["units"][3]["scheme"]["pass_mark"] == "60.00"  # the default
    assert "客流组织方案符合车站安全规定和应急预案" in newest["units"][0]["criteria"]
    first = json.loads(world.run("standards", "show", "CQ-SCS-RAIL", "--version", "1", "--json"))
    assert len(first["units"]) == 3
    assert "客流组织方案符合车站安全规定" in first["units"][0]["criteria"]

    # a unit that changes its credits needs a new code
    more_credits = variant(
        tmp_path,
        second,
        "v3-credits.toml",
        ("version = 2", "version = 3"),
        ("credits = 4\n", "credits = 5\n"),
    )
    changed = world.refused("standards", "import", str(more_credits), "--as", CQ_OFFICER)
    assert "standard CQ-SCS-RAIL is not valid" in changed
    assert (
        "unit CQRT-STN-01: its credits were 4.0 and cannot change; give a changed unit a new "
        "code" in changed
    )
    # ... and so does one that changes its level
    level = variant(
        tmp_path,
        second,
        "v3-level.toml",
        ("version = 2", "version = 3"),
        ('level = "VE1"', 'level = "VE2"'),
    )
    assert "unit CQRT-STN-01: CQOU has an item CQRT-STN-01 that is not this unit at this level" in (
        world.refused("standards", "import", str(level), "--as", CQ_OFFICER)
    )

    # another institution may not continue CQOU's standard, even with a version of its own
    next_version = variant(tmp_path, second, "v3.toml", ("version = 2", "version = 3"))
    assert "standard CQ-SCS-RAIL belongs to another institution" in world.refused(
        "standards", "import", str(next_version), "--as", GD_OFFICER
    )
    assert json.loads(world.run("standards", "list", "--json"))[0]["version"] == 2
    world.run("standards", "import", str(next_version), "--as", CQ_OFFICER)
    assert json.loads(world.run("standards", "list", "--json"))[0]["version"] == 3


def test_importing_is_refused_to_those_who_may_not_and_for_bad_files(
    world: World, tmp_path: Path
) -> None:
    assert "a registrar of CQOU may not import competence standards for CQOU" in world.refused(
        "standards", "import", str(RAIL), "--as", CQ_REGISTRAR
    )
    assert "an assessor of CQOU may not import competence standards for CQOU" in world.refused(
        "standards", "import", str(RAIL), "--as", CQ_ASSESSOR
    )
    assert (
        "accreditation officer of GDOU may not import competence standards for CQOU"
        in world.refused(
            "standards", "import", str(RAIL), "--as", GD_OFFICER, "--institution", "CQOU"
        )
    )
    assert "name the institution that owns the standard with --institution" in world.refused(
        "standards", "import", str(RAIL), "--as", ADMIN
    )
    assert "there is no user nobody@cqou.example" in world.refused(
        "standards", "import", str(RAIL), "--as", "nobody@cqou.example"
    )

    missing = tmp_path / "missing.toml"
    assert f"{missing} is not a file" in world.refused(
        "standards", "import", str(missing), "--as", CQ_OFFICER
    )
    broken = variant(
        tmp_path,
        RAIL,
        "broken.toml",
        ("weight = 70", "weight = 170"),
        ('kind = "theory"', 'kind = "essay"'),
        ('domain = "knowledge"', 'domain = "attitude"'),
    )
    text = world.refused("standards", "import", str(broken), "--as", CQ_OFFICER)
    assert "broken.toml is not a valid competence standard" in text
    assert "units[0].statements[0].domain: Input should be 'knowledge'" in text
    assert "units[0].scheme.components[0].weight: Input should be less than or equal to 100" in text
    assert "units[0].scheme.components[1].kind: Input should be 'theory'" in text
    weights = variant(tmp_path, RAIL, "weights.toml", ("weight = 70", "weight = 60"))
    assert "units[0].scheme: the weights add up to 90, not 100" in world.refused(
        "standards", "import", str(weights), "--as", CQ_OFFICER
    )
    level = variant(tmp_path, RAIL, "level.toml", ('level = "VE1"', 'level = "VE9"'))
    assert "units[0]: " in world.refused("standards", "import", str(level), "--as", CQ_OFFICER)
    garbled = tmp_path / "garbled.toml"
    garbled.write_text("code = ", encoding="utf-8")
    assert "garbled.toml cannot be parsed" in world.refused(
        "standards", "import", str(garbled), "--as", CQ_OFFICER
    )

    assert json.loads(world.run("standards", "list", "--json")) == []  # nothing half-done
    assert "No competence standard has been imported" in world.run("standards", "list")


BIM_SCHEMES = {"beginner": (20, 80), "intermediate": (20, 80), "advanced": (60, 40)}


def test_schemes_are_set_per_level_by_the_item_s_owner(world: World) -> None:
    for level, (theory, practice) in BIM_SCHEMES.items():
        scheme = json.loads(
            world.run(
                "standards",
                "scheme",
                "TEO-BIM:BIM-X",
                level,
                "--component",
                f"theory={theory}",
                "--component",
                f"practice={practice}",
                "--as",
                TEO_REGISTRAR,
                "--json",
            )
        )
        assert scheme == {
            "item": "TEO-BIM:BIM-X",
            "level": level,
            "version": 1,
            "pass_mark": "60.00",
            "components": [
                {"kind": "theory", "weight": theory, "pass_mark": None},
                {"kind": "practice", "weight": practice, "pass_mark": None},
            ],
            "summary": f"theory {theory} / practice {practice}, pass 60",
        }
    advanced = ("standards", "scheme", "TEO-BIM:BIM-X", "ADVANCED", "--as", TEO_REGISTRAR)
    same = world.run(*advanced, "--component", "theory=60", "--component", "practice=40")
    assert "Scheme of TEO-BIM:BIM-X at advanced: version 1, theory 60 / practice 40" in same
    changed = world.run(
        *advanced,
        "--component",
        "theory=60",
        "--component",
        "practice=40",
        "--component-min",
        "practice=50",
        "--pass-mark",
        "62.5",
    )
    assert (
        "Scheme of TEO-BIM:BIM-X at advanced: version 2, theory 60 / practice 40 (≥50); "
        "pass mark 62.5" in changed
    )

    # an imported unit's scheme is set by its owner's accreditation officer
    world.run("standards", "import", str(RAIL), "--as", CQ_OFFICER)
    unit = world.run(
        "standards",
        "scheme",
        "CQOU:CQRT-STN-01",
        "VE1",
        "--component",
        "practice=80",
        "--component",
        "theory=20",
        "--as",
        CQ_OFFICER,
    )
    assert "Scheme of CQOU:CQRT-STN-01 at VE1: version 2, practice 80 / theory 20" in unit

    bim = ("standards", "scheme", "TEO-BIM:BIM-X", "beginner")
    weights = ("--component", "theory=20", "--component", "practice=80")
    assert "an assessor of TEO-BIM may not define assessment schemes for TEO-BIM" in world.refused(
        *bim, *weights, "--as", TEO_ASSESSOR
    )
    assert "a registrar of CQOU may not define assessment schemes for TEO-BIM" in world.refused(
        *bim, *weights, "--as", CQ_REGISTRAR
    )
    assert "the scheme is not valid; scheme: the weights add up to 90, not 100" in world.refused(
        *bim, "--component", "theory=20", "--component", "practice=70", "--as", TEO_REGISTRAR
    )
    bad_options = world.refused(
        *bim,
        "--component",
        "essay=20",
        "--component",
        "practice=7.5",
        "--component",
        "theory",
        "--component-min",
        "interview=50",
        "--pass-mark",
        "high",
        "--as",
        TEO_REGISTRAR,
    )
    for problem in (
        "--component theory: write KIND=NUMBER, e.g. theory=20",
        (
            "--component: essay is not a component; the components are theory, practice, "
            "portfolio, interview"
        ),
        "--component practice: the weight is a whole percent, not 7.5",
        "--component-min interview: the scheme has no component interview",
        "--pass-mark must be a number, not high",
    ):
        assert problem in bad_options
    assert "item BIM-X is awarded at beginner, intermediate, advanced, not at expert" in (
        world.refused(
            "standards", "scheme", "TEO-BIM:BIM-X", "expert", *weights, "--as", TEO_REGISTRAR
        )
    )
    assert "there is no item TEO-BIM:CAD-X (name it as OWNER:CODE)" in world.refused(
        "standards", "scheme", "TEO-BIM:CAD-X", "beginner", *weights, "--as", TEO_REGISTRAR
    )
    assert "there is no item BIM-X (name it as OWNER:CODE)" in world.refused(
        "standards", "scheme", "BIM-X", "beginner", *weights, "--as", TEO_REGISTRAR
    )


def test_teachers_and_assessors_are_certified_by_the_item_s_owner(world: World) -> None:
    world.run("standards", "import", str(RAIL), "--as", CQ_OFFICER)
    window = ("--from", "2025-01-01", "--until", "2027-12-31")
    training = ("--training", "重庆开放大学评价员培训（5天）")
    certified = json.loads(
        world.run(
            "standards",
            "certify",
            CQ_ASSESSOR,
            "CQOU:CQRT-STN-01",
            "--kind",
            "assessor",
            "--level",
            "ve1",
            "--id-number",
            ID_NUMBER,
            *window,
            *training,
            "--as",
            CQ_OFFICER,
            "--json",
        )
    )
    assert {k: v for k, v in certified.items() if k != "id"} == {
        "email": CQ_ASSESSOR,
        "institution": "CQOU",
        "kind": "assessor",
        "item": "CQOU:CQRT-STN-01",
        "level": "VE1",
        "valid_from": "2025-01-01",
        "valid_until": "2027-12-31",
        "training": "重庆开放大学评价员培训（5天）",
        "certified_by": CQ_OFFICER,
    }

    # a teacher of every level; the identity number read from standard input
    result = world.cli.invoke(
        app,
        [
            "standards",
            "certify",
            CQ_REGISTRAR,
            "CQOU:CQRT-EMG-03",
            "--kind",
            "teacher",
            "--id-number",
            "-",
            *window,
            *training,
            "--as",
            ADMIN,
        ],
        input=id_number(8) + "\n",
    )
    assert result.exit_code == 0, result.output
    assert (
        f"Certified {CQ_REGISTRAR} as teacher of CQOU:CQRT-EMG-03 at every level, "
        "2025-01-01 to 2027-12-31" in result.output
    )
    assert id_number(8) not in result.output

    mine = json.loads(world.run("standards", "certifications", CQ_ASSESSOR, "--json"))
    assert mine == [certified]
    listed = world.run("standards", "certifications", CQ_ASSESSOR)
    assert "assessor  CQOU:CQRT-STN-01  VE1  2025-01-01/2027-12-31" in listed
    assert "holds no certification" in world.run("standards", "certifications", CQ_OFFICER)
    assert "there is no user nobody@cqou.example" in world.refused(
        "standards", "certifications", "nobody@cqou.example"
    )

    certify = ("standards", "certify", CQ_REGISTRAR, "CQOU:CQRT-STN-01")
    person = ("--id-number", ID_NUMBER, *window, *training)
    registrar = world.refused(*certify, "--kind", "assessor", *person, "--as", CQ_OFFICER)
    assert (
        "the certification cannot be made; registrar@cqou.example is a registrar; only an "
        "assessor can be certified to assess" in registrar
    )
    assert "an assessor of CQOU may not certify teachers and assessors for CQOU" in world.refused(
        *certify, "--kind", "teacher", *person, "--as", CQ_ASSESSOR
    )
    assert "of GDOU may not certify teachers and assessors for CQOU" in world.refused(
        *certify, "--kind", "teacher", *person, "--as", GD_OFFICER
    )
    several = world.refused(
        *certify,
        "--kind",
        "examiner",
        "--id-number",
        ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1"),
        "--from",
        "2026-01-01",
        "--until",
        "2025-12-31",
        "--training",
        " ",
        "--as",
        CQ_OFFICER,
    )
    for problem in (
        "a certification is as teacher or as assessor, not examiner",
        "a certification cannot end before it starts",
        "say which training led to the certification",
        "the identity number's check digit is wrong",
    ):
        assert problem in several
    assert "--until must be a date like 2025-09-01" in world.refused(
        *certify,
        "--kind",
        "teacher",
        "--id-number",
        ID_NUMBER,
        "--from",
        "2025-01-01",
        "--until",
        "later",
        *training,
        "--as",
        CQ_OFFICER,
    )
    assert "item CQRT-STN-01 is awarded at VE1, not at VE2" in world.refused(
        *certify, "--kind", "teacher", "--level", "VE2", *person, "--as", CQ_OFFICER
    )
    assert (
        json.loads(world.run("standards", "certifications", CQ_REGISTRAR, "--json"))[0]["item"]
        == "CQOU:CQRT-EMG-03"
    )


def test_a_next_version_spelt_in_another_case_is_the_same_standard(
    world: World, tmp_path: Path
) -> None:
    """Standard codes are case-insensitive (import and show find version 1 of ``cq-scs-rail``),
    so the list shows one standard at its newest version, whatever case a version spells."""
    world.run("standards", "import", str(RAIL), "--as", CQ_OFFICER)
    lower = variant(
        tmp_path,
        RAIL,
        "lower.toml",
        ("version = 1", "version = 2"),
        ('code = "CQ-SCS-RAIL"', 'code = "cq-scs-rail"'),
    )
    world.run("standards", "import", str(lower), "--as", CQ_OFFICER)
    assert json.loads(world.run("standards", "show", "CQ-SCS-RAIL", "--json"))["version"] == 2
    listed = json.loads(world.run("standards", "list", "--json"))
    assert [(s["code"].upper(), s["version"]) for s in listed] == [("CQ-SCS-RAIL", 2)]
