"""Competence standard files: the built-in samples, TOML and JSON, and schema errors that name
their place in the file."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path

import pytest

from creditbank.accreditation.files import (
    MAX_FILE_BYTES,
    builtin_standards,
    parse_standard,
    read_standard_file,
)
from creditbank.accreditation.model import (
    AccreditationError,
    ComponentKind,
    Domain,
    check_standard,
)
from creditbank.frameworks.files import builtin_frameworks

STANDARD = {
    "code": "JS-SCS-AUTO",
    "version": 1,
    "name": "汽车后市场服务能力标准",
    "name_en": "Automotive After-market Service Competence Standard",
    "industry": "汽车后市场",
    "occupation": "汽车维修工",
    "framework": "gdleqf",
    "valid_from": "2021-01-01",
    "units": [
        {
            "code": "AUTO-DIAG-3",
            "name": "汽车故障诊断",
            "level": "3",
            "credits": 3.5,
            "statements": [
                {"domain": "knowledge", "text": "理解发动机电控系统原理"},
                {"domain": "skills", "text": "能使用诊断仪读取故障码", "text_en": "Reads codes"},
            ],
            "criteria": ["在限定时间内找出设置的故障"],
            "evidence": [{"kind": "employer_letter", "description": "维修工作证明"}],
            "scheme": {
                "components": [
                    {"kind": "practice", "weight": 80, "pass_mark": 60},
                    {"kind": "theory", "weight": 20},
                ]
            },
        }
    ],
}


def as_json(document: object) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode()


def problems(data: bytes, name: str = "standard.json") -> list[str]:
    with pytest.raises(AccreditationError) as refused:
        parse_standard(data, name)
    assert refused.value.code == "invalid_standard"
    assert str(refused.value.message) == f"{name} is not a valid competence standard"
    return [str(p) for p in refused.value.problems]


def test_every_builtin_standard_parses_and_passes_the_checks() -> None:
    found = builtin_standards()
    assert [f.name for f in found] == ["cq-rail-transit.toml", "gd-software-engineering.toml"]
    levels = {
        draft.code: {level.code for track in draft.tracks for level in track.levels}
        for draft in builtin_frameworks()
    }
    for parsed in found:
        draft = parsed.draft
        assert check_standard(draft) == [], parsed.name
        assert draft.name and draft.name_en and draft.industry and draft.occupation
        assert draft.valid_from is not None
        assert 2 <= len(draft.units) <= 4
        for unit in draft.units:
            assert unit.level in levels[draft.framework], (parsed.name, unit.code)
            assert unit.name and unit.name_en
            assert {s.domain for s in unit.statements} == set(Domain), unit.code
            assert all(s.text and s.text_en for s in unit.statements), unit.code
            assert unit.criteria and unit.evidence, unit.code
            assert any(e.required for e in unit.evidence), unit.code
        assert len(parsed.sha256) == 64


def test_the_builtin_standards_are_the_ones_described() -> None:
    drafts = {f.draft.code: f.draft for f in builtin_standards()}
    rail, software = drafts["CQ-SCS-RAIL"], drafts["GD-SCS-SWE"]
    assert (rail.framework, [u.level for u in rail.units]) == ("CLEQF", ["VE1", "VE2", "VE2"])
    assert (software.framework, [u.level for u in software.units]) == ("GDLEQF", ["3", "4", "5"])
    schemes = {
        u.code: [(c.kind.value, c.weight) for c in u.scheme.components]
        for d in drafts.values()
        for u in d.units
    }
    assert schemes["CQRT-STN-01"] == [("practice", 70), ("theory", 30)]
    assert schemes["CQRT-EMG-03"] == [("portfolio", 40), ("interview", 60)]
    # informal learning: units judged on workplace evidence through a portfolio and an interview
    informal = [
        u.code
        for d in drafts.values()
        for u in d.units
        if {c.kind for c in u.scheme.components}
        == {ComponentKind.PORTFOLIO, ComponentKind.INTERVIEW}
        and any(e.kind == "employer_letter" and e.required for e in u.evidence)
    ]
    assert informal == ["CQRT-EMG-03", "GDSE-PRJ-5"]
    codes = [u.code for d in drafts.values() for u in d.units]
    assert len(codes) == len(set(codes))  # one institution may import both


def test_a_json_standard_becomes_a_draft_with_the_file_s_hash() -> None:
    data = as_json(STANDARD)
    parsed = parse_standard(data, "auto.json")
    assert parsed.sha256 == hashlib.sha256(data).hexdigest()
    assert parsed.name == "auto.json"
    draft = parsed.draft
    assert (draft.code, draft.version, draft.framework) == ("JS-SCS-AUTO", 1, "GDLEQF")
    assert str(draft.valid_from) == "2021-01-01"
    [unit] = draft.units
    assert unit.credits == Decimal("3.5")
    assert [(s.domain, s.text_en) for s in unit.statements] == [
        (Domain.KNOWLEDGE, ""),
        (Domain.SKILLS, "Reads codes"),
    ]
    assert unit.evidence[0].required is True
    assert unit.scheme.pass_mark == Decimal(60)
    assert [(c.kind, c.weight, c.pass_mark) for c in unit.scheme.components] == [
        (ComponentKind.PRACTICE, 80, Decimal(60)),
        (ComponentKind.THEORY, 20, None),
    ]
    assert check_standard(draft) == []


def test_toml_and_json_give_the_same_draft() -> None:
    toml = """\
code = "JS-SCS-AUTO"
version = 1
name = "汽车后市场服务能力标准"
name_en = "Automotive After-market Service Competence Standard"
industry = "汽车后市场"
occupation = "汽车维修工"
framework = "gdleqf"
valid_from = 2021-01-01

[[units]]
code = "AUTO-DIAG-3"
name = "汽车故障诊断"
level = "3"
credits = 3.5
criteria = ["在限定时间内找出设置的故障"]

[[units.statements]]
domain = "knowledge"
text = "理解发动机电控系统原理"

[[units.statements]]
domain = "skills"
text = "能使用诊断仪读取故障码"
text_en = "Reads codes"

[[units.evidence]]
kind = "employer_letter"
description = "维修工作证明"

[[units.scheme.components]]
kind = "practice"
weight = 80
pass_mark = 60

[[units.scheme.components]]
kind = "theory"
weight = 20
"""
    from_toml = parse_standard(toml.encode(), "auto.toml").draft
    assert from_toml == parse_standard(as_json(STANDARD), "auto.json").draft


def test_schema_errors_name_their_place() -> None:
    document = json.loads(json.dumps(STANDARD))
    unit = document["units"][0]
    second = json.loads(json.dumps(unit))
    second["code"] = "AUTO-2"
    second["scheme"]["components"][0]["weight"] = 120
    second["scheme"]["components"][1]["kind"] = "essay"
    second["statements"][0]["domain"] = "attitude"
    second["credits"] = 1.25
    del second["criteria"]
    document["units"].append(second)
    document["version"] = 0
    assert problems(as_json(document)) == [
        "version: Input should be greater than or equal to 1",
        "units[1].credits: Decimal input should have no more than 1 decimal place",
        "units[1].statements[0].domain: Input should be 'knowledge', 'skills' or 'competency'",
        "units[1].criteria: Field required",
        "units[1].scheme.components[0].weight: Input should be less than or equal to 100",
        (
            "units[1].scheme.components[1].kind: Input should be 'theory', 'practice', "
            "'portfolio' or 'interview'"
        ),
    ]


def test_unknown_keys_are_refused_not_ignored() -> None:
    document = json.loads(json.dumps(STANDARD))
    document["levle"] = "3"
    document["units"][0]["scheme"]["pass_score"] = 70
    document["units"][0]["evidence"][0]["mandatory"] = False
    assert problems(as_json(document)) == [
        "units[0].evidence[0].mandatory: Extra inputs are not permitted",
        "units[0].scheme.pass_score: Extra inputs are not permitted",
        "levle: Extra inputs are not permitted",
    ]


def test_a_missing_table_is_named() -> None:
    document = {k: v for k, v in STANDARD.items() if k not in {"units", "industry"}}
    assert problems(as_json(document), "x.json") == [
        "industry: Field required",
        "units: Field required",
    ]
    marks = json.loads(json.dumps(STANDARD))
    marks["units"][0]["scheme"]["pass_mark"] = 101
    marks["units"][0]["scheme"]["components"][0]["pass_mark"] = -5
    assert problems(as_json(marks)) == [
        "units[0].scheme.pass_mark: Input should be less than or equal to 100",
        "units[0].scheme.components[0].pass_mark: Input should be greater than or equal to 0",
    ]


def test_the_domain_rules_are_left_to_check_standard() -> None:
    """Weights that do not add up to 100 are a problem of the standard, not of the file's shape:
    the file parses and check_standard names the place."""
    document = json.loads(json.dumps(STANDARD))
    document["units"][0]["scheme"]["components"][1]["weight"] = 10
    draft = parse_standard(as_json(document), "auto.json").draft
    assert [str(p) for p in check_standard(draft)] == [
        "units[0].scheme: the weights add up to 90, not 100"
    ]


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"\xff\xfe", "s.toml", "s.toml is not UTF-8 text (byte 0)"),
        (b"code = ", "s.toml", "s.toml cannot be parsed: "),
        (b"{", "s.json", "s.json cannot be parsed: "),
        (b"[1, 2]", "s.json", "s.json must hold one table/object"),
        (b" " * (MAX_FILE_BYTES + 1), "s.toml", f"s.toml is larger than {MAX_FILE_BYTES} bytes"),
    ],
)
def test_a_file_that_cannot_be_read_is_an_invalid_file(
    data: bytes, name: str, message: str
) -> None:
    with pytest.raises(AccreditationError) as refused:
        parse_standard(data, name)
    assert refused.value.code == "invalid_file"
    assert str(refused.value.message).startswith(message)


def test_reading_from_disk(tmp_path: Path) -> None:
    path = tmp_path / "auto.json"
    path.write_bytes(as_json(STANDARD))
    assert read_standard_file(path).draft.code == "JS-SCS-AUTO"
    with pytest.raises(AccreditationError) as missing:
        read_standard_file(tmp_path / "nothing.toml")
    assert missing.value.code == "invalid_file"
    assert str(missing.value.message).endswith("nothing.toml is not a file")
    with pytest.raises(AccreditationError) as folder:
        read_standard_file(tmp_path)
    assert folder.value.code == "invalid_file"
