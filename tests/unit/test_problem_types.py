"""Every domain error code raised anywhere has a problem type (else it would be a 500); each area
declares its own (``<area>/problems.py``) and ``creditbank.web.problems`` collects them."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract

from creditbank.problems import ProblemType, collect, declare
from creditbank.web.problems import PROBLEM_TYPES

SOURCE = Path(__file__).resolve().parents[2] / "src" / "creditbank"
RAISED = re.compile(r'(?:Error|NotFoundError)\(\s*"([a-z_]+)"', re.MULTILINE)


def test_every_raised_code_has_a_problem_type() -> None:
    codes = {
        code
        for path in SOURCE.rglob("*.py")
        for code in RAISED.findall(path.read_text(encoding="utf-8"))
    }
    assert {"level_not_found", "invalid_crosswalk", "framework_unchanged"} <= codes
    missing = sorted(code for code in codes if code.replace("_", "-") not in PROBLEM_TYPES)
    assert missing == []


def test_each_area_declares_its_own_problem_types_and_the_web_collects_them_all() -> None:
    declared = {
        module.__name__: set(module.PROBLEM_TYPES)
        for module in (
            importlib.import_module(f"creditbank.{path.parent.name}.problems")
            for path in sorted(SOURCE.glob("*/problems.py"))
            if path.parent.name != "web"
        )
    }
    assert len(declared) >= 10  # the areas, each with its own
    assert all(declared.values())
    from_areas = set().union(*declared.values())
    assert from_areas <= set(PROBLEM_TYPES)
    assert sum(map(len, declared.values())) == len(from_areas)  # each slug in one area
    assert {"level-not-found", "invalid-file", "demo-rejected"} <= from_areas
    assert set(PROBLEM_TYPES) - from_areas == {
        "csrf-rejected", "unauthenticated", "validation-error", "malformed-body",
        "json-too-deep", "body-too-large", "invalid-characters", "number-out-of-range",
        "value-not-storable", "not-found", "method-not-allowed", "service-unavailable",
        "internal-error",
    }  # fmt: skip


def test_a_slug_declared_twice_is_refused() -> None:
    first = ProblemType("item-not-found", 404, "Catalogue item not found")
    with pytest.raises(ValueError, match="item-not-found"):
        declare(first, ProblemType("item-not-found", 410, "Gone"))
    with pytest.raises(ValueError, match="item-not-found"):
        collect(declare(first), {"item-not-found": first})


def test_every_title_is_extracted_for_the_catalogs() -> None:
    """``make catalog`` extracts ``ProblemType:3``: each title must be written in the call."""
    titles: set[str] = set()
    for path in SOURCE.rglob("problems.py"):
        with path.open("rb") as source:
            titles.update(
                str(message)
                for _line, message, _comments, _context in extract(
                    "python", source, keywords={"ProblemType": (3,)}
                )
            )
    assert {kind.title for kind in PROBLEM_TYPES.values()} <= titles
