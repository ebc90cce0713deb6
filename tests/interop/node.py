"""Runs the independent Node verification harness (interop/verify.mjs) from the tests.

``run_harness(request)`` sends one JSON request to ``node interop/verify.mjs`` and returns
its JSON answer; the request and answer shapes are documented at the top of verify.mjs.
The harness checks our credentials with Digital Bazaar's VC libraries and ``jose``,
offline. A missing ``node`` or a missing or stale ``interop/node_modules`` fails the
test (never skips): ``make test`` installs the harness with ``npm ci --prefix interop``.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
INTEROP = REPO_ROOT / "interop"
HARNESS = INTEROP / "verify.mjs"
SIGN_FIXTURE = INTEROP / "sign-fixture.mjs"
TIMEOUT_SECONDS = 60
INSTALL_HINT = "run `npm ci --prefix interop` (`make test` installs it)"


def _locked_versions(lockfile: Path) -> dict[str, str]:
    packages = json.loads(lockfile.read_text(encoding="utf-8")).get("packages", {})
    return {
        name: entry.get("version", "")
        for name, entry in packages.items()
        if name.startswith("node_modules/")
    }


@functools.cache
def _installation_problem() -> str | None:
    if shutil.which("node") is None:
        return (
            "`node` is not on PATH: install Node.js >= 18 (Debian: `apt-get install nodejs "
            f"npm`, which .ci/run does), then {INSTALL_HINT}"
        )
    installed = INTEROP / "node_modules" / ".package-lock.json"
    if not installed.is_file():
        return f"the Node interop harness is not installed ({installed} is missing): {INSTALL_HINT}"
    wanted = _locked_versions(INTEROP / "package-lock.json")
    have = _locked_versions(installed)
    stale = sorted(name for name, version in wanted.items() if have.get(name) != version)
    if stale:
        return (
            "interop/node_modules does not match interop/package-lock.json "
            f"({', '.join(stale[:5])}): {INSTALL_HINT}"
        )
    return None


def require_node_harness() -> str:
    """Fail the current test (never skip) unless node and the harness's packages are there."""
    problem = _installation_problem()
    if problem is not None:
        pytest.fail(problem, pytrace=False)
    node = shutil.which("node")
    assert node is not None
    return node


def run_node_script(
    script: Path, request: dict[str, Any], *, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run one of the interop scripts with ``request`` on stdin; the raw completed process."""
    node = require_node_harness()
    try:
        return subprocess.run(
            [node, str(script)],
            input=json.dumps(request),
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            cwd=REPO_ROOT,
            env={**os.environ, **(env or {})},
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise AssertionError(
            f"{script.name} did not answer within {TIMEOUT_SECONDS} s; stderr:\n{error.stderr!r}"
        ) from error


def _answer(script: Path, completed: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    if completed.returncode != 0:
        raise AssertionError(
            f"{script.name} exited with status {completed.returncode}; stderr:\n{completed.stderr}"
        )
    try:
        answer = json.loads(completed.stdout)
    except ValueError as error:
        raise AssertionError(
            f"{script.name} did not answer with JSON: {completed.stdout!r}; stderr:\n"
            f"{completed.stderr}"
        ) from error
    if isinstance(answer, dict):
        return answer
    raise AssertionError(f"{script.name} answered {answer!r}, not a JSON object")


def run_harness(request: dict[str, Any], *, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Send one request to ``node interop/verify.mjs`` and return its JSON answer."""
    return _answer(HARNESS, run_node_script(HARNESS, request, env=env))


def sign_fixture(request: dict[str, Any]) -> dict[str, Any]:
    """Make a Node-signed fixture with ``interop/sign-fixture.mjs`` (harness tests only)."""
    return _answer(SIGN_FIXTURE, run_node_script(SIGN_FIXTURE, request))
