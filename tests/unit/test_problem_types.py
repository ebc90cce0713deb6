"""Every domain error code raised anywhere in the code has a problem type (else it would be a 500)."""

from __future__ import annotations

import re
from pathlib import Path

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
