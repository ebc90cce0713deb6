"""Runs the independent Node verification harness (interop/verify.mjs) from the tests.

``run_harness(request)`` sends one JSON request to the harness and returns its JSON
answer; the request and answer shapes are documented at the top of verify.mjs. The
harness checks our credentials with Digital Bazaar's VC libraries and ``jose``,
offline. A missing ``node`` or a missing or stale ``interop/node_modules`` fails the
test (never skips): ``make test`` installs the harness with ``npm ci --prefix interop``.

The requests go to one ``node interop/verify.mjs --serve`` per test process (and one
``sign-fixture.mjs --serve`` for ``sign_fixture``): started on first use with the same
start-up checks as the one-shot mode, started again if it died, given
``TIMEOUT_SECONDS`` per answer (then killed), stopped at the end of the session
(``stop_servers``, called by tests/interop/conftest.py). ``run_node_script`` and
``run_harness(..., env=...)`` start one process for one request (the one-shot mode),
for the tests of exit codes, stderr and environment overrides.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import IO, Any

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
    script: Path,
    request: dict[str, Any],
    *,
    env: dict[str, str] | None = None,
    arguments: tuple[str, ...] = (),
) -> subprocess.CompletedProcess[str]:
    """Run one of the interop scripts with ``request`` on stdin (one-shot mode unless
    ``arguments`` say ``--serve``); the raw completed process."""
    node = require_node_harness()
    try:
        return subprocess.run(
            [node, str(script), *arguments],
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


class NodeServer:
    """One long-running ``node SCRIPT --serve``: one JSON request per line, one answer line
    each (``{"status": 0, "answer": ...}`` or ``{"status": 2|1, "error": ...}``)."""

    def __init__(self, script: Path, *, timeout: float = TIMEOUT_SECONDS) -> None:
        self.script = script
        self.timeout = timeout
        self._lock = threading.Lock()
        self._process: subprocess.Popen[str] | None = None
        self._stderr: IO[str] | None = None
        self._lines: queue.Queue[str | None] = queue.Queue()

    def _start(self) -> subprocess.Popen[str]:
        node = require_node_harness()
        self._stderr = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115
        process = subprocess.Popen(
            [node, str(self.script), "--serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            encoding="utf-8",
            cwd=REPO_ROOT,
        )
        lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(
            target=_read_lines, args=(process.stdout, lines), daemon=True, name="node-serve"
        ).start()
        self._process, self._lines = process, lines
        return process

    @property
    def process_id(self) -> int | None:
        """The running process's id (None before the first request or after a stop)."""
        return None if self._process is None else self._process.pid

    @property
    def running(self) -> bool:
        """Whether its process has been started and has not exited."""
        return self._process is not None and self._process.poll() is None

    def _stderr_text(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        return self._stderr.read()

    def request(self, request: dict[str, Any]) -> dict[str, Any]:
        """Send ``request``; the answer object (an AssertionError for an error line, a
        death or no answer within ``TIMEOUT_SECONDS``)."""
        with self._lock:
            process = self._process
            if process is None or process.poll() is not None:
                self.stop()
                process = self._start()
            assert process.stdin is not None
            with contextlib.suppress(OSError):  # if it died: reported below, with its stderr
                process.stdin.write(json.dumps(request) + "\n")
                process.stdin.flush()
            try:
                line = self._lines.get(timeout=self.timeout)
            except queue.Empty:
                stderr = self._stderr_text()
                self.stop(wait=0)
                raise AssertionError(
                    f"{self.script.name} --serve did not answer within {self.timeout} s; "
                    f"stderr:\n{stderr}"
                ) from None
            if line is None:
                status = process.wait(timeout=TIMEOUT_SECONDS)
                stderr = self._stderr_text()
                self.stop()
                raise AssertionError(
                    f"{self.script.name} --serve exited with status {status}; stderr:\n{stderr}"
                )
        return _served_answer(self.script, line)

    def stop(self, *, wait: float = 10) -> None:
        """Close its stdin (it exits at end of input), killed if it does not within ``wait``
        seconds."""
        process, self._process = self._process, None
        if process is not None:
            if process.stdin is not None:
                with contextlib.suppress(OSError):
                    process.stdin.close()
            try:
                process.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdout is not None:
                process.stdout.close()
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None


def _read_lines(stream: IO[str] | None, lines: queue.Queue[str | None]) -> None:
    assert stream is not None
    try:
        for line in stream:
            lines.put(line)
    except (OSError, ValueError):
        pass
    lines.put(None)


def _served_answer(script: Path, line: str) -> dict[str, Any]:
    try:
        reply = json.loads(line)
    except ValueError as error:
        raise AssertionError(f"{script.name} --serve did not answer with JSON: {line!r}") from error
    if not (isinstance(reply, dict) and reply.get("status") in {0, 1, 2}):
        raise AssertionError(f"{script.name} --serve answered {reply!r}")
    if reply["status"] != 0:
        raise AssertionError(
            f"{script.name} --serve answered status {reply['status']} (the one-shot exit "
            f"status); error:\n{reply.get('error')}"
        )
    answer = reply.get("answer")
    if isinstance(answer, dict):
        return answer
    raise AssertionError(f"{script.name} answered {answer!r}, not a JSON object")


SERVERS = {script: NodeServer(script) for script in (HARNESS, SIGN_FIXTURE)}


def stop_servers() -> None:
    """Stop the long-running harness processes of this test process (if started)."""
    for server in SERVERS.values():
        server.stop()


atexit.register(stop_servers)


def run_harness(request: dict[str, Any], *, env: dict[str, str] | None = None) -> dict[str, Any]:
    """The harness's answer to ``request``: from this process's ``verify.mjs --serve``, or,
    with ``env`` (variables to override), from a one-shot ``node interop/verify.mjs``."""
    if env is not None:
        return _answer(HARNESS, run_node_script(HARNESS, request, env=env))
    return SERVERS[HARNESS].request(request)


def sign_fixture(request: dict[str, Any]) -> dict[str, Any]:
    """Make a Node-signed fixture with ``interop/sign-fixture.mjs`` (harness tests only)."""
    return SERVERS[SIGN_FIXTURE].request(request)
