"""Python processes for the smoke benchmarks, forked from one that has imported the project.

Each benchmark of ``make bench`` runs in a process of its own, and some start more Python
processes: ``bulk_deposit`` one per run of ours (``--child``), ``transcript`` and
``ledger_proofs`` a uvicorn server per backend. At the smoke size each of these 15 processes
spent most of its CPU importing the same modules (SQLAlchemy, FastAPI, the app: 1.5-3 s each,
two thirds of the smoke run's CPU) before doing a second's work.

Here one process (the zygote, :func:`serve`) imports them once and then forks a process for
each ``python -m MODULE ARGS`` asked of it: the child takes the asker's standard streams, working
directory and environment, and runs MODULE as ``__main__`` (:func:`runpy.run_module`, what
``python -m`` does), so the benchmark's code runs as ``make bench`` runs it, in a process of its
own, without importing again what its parent imported. A preload entry ``MODULE:FUNCTION``
is imported and called (:func:`warm_bank_server`: what every server of the bank would set up
for itself on its first requests, done once, before any fork). The asker (``zygote_client.py``, started
as the ``python`` of the benchmarks: ``sys.executable`` of every forked process) stays until
that process ends, passes it the signals it gets (``Popen.terminate`` of a server) and exits
with its status; anything but ``-m`` (the bulk worker's ``python -c``) it hands to the real
interpreter. The zygote forks only from its own single thread, before any connection is open.
"""

from __future__ import annotations

import asyncio
import atexit
import base64
import contextlib
import gc
import importlib
import json
import os
import runpy
import select
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import traceback
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

CLIENT = Path(__file__).with_name("zygote_client.py")
PRELOAD = (
    "benchmarks.bulk_deposit",
    "benchmarks.conversion",
    "benchmarks.credentials",
    "benchmarks.file_reading",
    "benchmarks.ledger_proofs",
    "benchmarks.transcript",
    "creditbank.accounts.bulk",
    "creditbank.web.app",
    "uvicorn.main",
    # imported on first use: the PostgreSQL driver, the server's event loop, the HTTP client's
    "psycopg",
    "anyio._backends._asyncio",
    "httpcore2",
)
SERVER_PRELOAD = (
    "creditbank.cli.main",
    "creditbank.bootstrap",
    "creditbank.web.app",
    "uvicorn.main",
    "uvicorn.protocols.http.h11_impl",
    "uvicorn.lifespan.on",
    "psycopg",
    "anyio._backends._asyncio",
    "tests.smoke.zygote:warm_bank_server",
)
"""What a server of the bank (``creditbank serve``, ``python -m uvicorn``) imports before it
answers, and what it sets up on its first requests (:func:`warm_bank_server`): the zygote of
tests/conftest.py's ``forked_python`` does it once."""
SOCKET_VARIABLE = "SMOKE_ZYGOTE_SOCKET"
PYTHON_VARIABLE = "SMOKE_ZYGOTE_PYTHON"
_MAX_FDS = 3


def _request_no_route(app: Any) -> None:
    """Send ``app`` one request that no route answers (a 404 in JSON): on its way every route
    of every router is set up, as a server's first requests set them up."""
    path = "/zygote/warming/no-such-route"
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"zygote.test"), (b"accept", b"application/json")],
        "client": ("127.0.0.1", 1),
        "server": ("zygote.test", 80),
    }
    statuses: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])

    asyncio.run(app(scope, receive, send))
    if statuses != [404]:
        msg = f"warming the bank's routes: expected a 404, got {statuses}"
        raise RuntimeError(msg)


def warm_bank_server() -> None:
    """Set up in the zygote, once, what every forked server of the bank would otherwise set up
    for itself on its first requests (about 1 s of CPU per server): each route's dependency
    tree, body and response fields, remembered for every app of the process as the test
    process remembers them (tests/support/routes.py; each server still builds its own app and
    its per-app parts), the message catalogs and the ORM's mappers. The app is built on a
    database that is never opened (an engine connects on first use)."""
    import sqlalchemy.orm  # noqa: PLC0415 - imported by the preload above

    from creditbank import languages  # noqa: PLC0415
    from creditbank.bootstrap import build_app  # noqa: PLC0415
    from creditbank.db import Database  # noqa: PLC0415
    from creditbank.settings import Environment, Settings  # noqa: PLC0415
    from tests.support.routes import set_up_routes_once  # noqa: PLC0415

    set_up_routes_once()
    for language in languages.LANGUAGES:
        languages.translations(language)
    sqlalchemy.orm.configure_mappers()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/never-opened.db"
        settings = Settings(
            environment=Environment.TEST,
            database_url=url,
            secret_key="z" * 40,
            data_key=base64.b64encode(bytes(32)).decode(),
        )
        database = Database(url)
        _request_no_route(build_app(settings, database))
        database.dispose()
        if any(Path(folder).iterdir()):
            msg = "warming the bank's routes opened its database"
            raise RuntimeError(msg)


def write_python(path: Path) -> Path:
    """An executable at ``path`` that runs the client with this interpreter (``-I -S``: no site
    packages, nothing to import but the standard library)."""
    path.write_text(f'#!/bin/sh\nexec "{sys.executable}" -I -S "{CLIENT}" "$@"\n', encoding="utf-8")
    path.chmod(0o755)
    return path


@contextlib.contextmanager
def started(
    folder: Path, environment: Mapping[str, str], *, cwd: Path, preload: tuple[str, ...] = ()
) -> Iterator[tuple[str, dict[str, str]]]:
    """A zygote listening in ``folder`` (importing ``preload``, or :data:`PRELOAD`), stopped at
    the end: the ``python`` that asks it and the environment (``environment`` and where the
    zygote listens) its processes need."""
    listening = folder / "zygote.sock"
    client = write_python(folder / "python")
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.smoke.zygote", str(listening), str(client), *preload],
        cwd=cwd,
        env=dict(environment),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        assert server.stdout.readline() == "ready\n", "the zygote did not start"
        yield (
            str(client),
            {
                **environment,
                SOCKET_VARIABLE: str(listening),
                PYTHON_VARIABLE: sys.executable,
            },
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
        if server.stdout is not None:
            server.stdout.close()


def _run_child(request: dict[str, object], python: str) -> int:
    """In the forked child: run the module as ``python -m`` would; its exit status."""
    os.chdir(str(request["cwd"]))
    os.environ.clear()
    environment: dict[str, str] = request["env"]  # type: ignore[assignment]
    os.environ.update(environment)
    argv: list[str] = request["argv"]  # type: ignore[assignment]
    module = argv[0]
    sys.argv = list(argv)
    sys.executable = python
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    # runpy warns that the module was imported (here, beforehand) before it runs as __main__
    warnings.filterwarnings("ignore", message=".*found in sys.modules", category=RuntimeWarning)
    code = 0
    try:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    except SystemExit as stop:
        if isinstance(stop.code, int) or stop.code is None:
            code = stop.code or 0
        else:
            sys.stderr.write(f"{stop.code}\n")
            code = 1
    except BaseException:  # noqa: BLE001 - reported as the interpreter would, exit 1
        traceback.print_exc()
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    return code


def _fork(connection: socket.socket, listener: socket.socket, python: str) -> int | None:
    """Read one request from ``connection`` and fork its process; the child's id."""
    message, fds, _, _ = socket.recv_fds(connection, 1 << 20, _MAX_FDS)
    if not message:
        for fd in fds:
            os.close(fd)
        return None
    request = json.loads(message)
    pid = os.fork()
    if pid == 0:  # the child
        code = 1
        try:
            listener.close()
            connection.close()
            for target, fd in enumerate(fds):
                os.dup2(fd, target)
                os.close(fd)
            code = _run_child(request, python)
        finally:
            os._exit(code)
    for fd in fds:
        os.close(fd)
    connection.sendall(f"{pid}\n".encode())
    return pid


def serve(path: Path, python: str, preload: tuple[str, ...] = PRELOAD) -> None:
    """Import ``preload`` (:data:`PRELOAD` unless told), listen on the Unix socket ``path``,
    fork what is asked."""
    for name in preload:
        module, _, function = name.partition(":")
        imported = importlib.import_module(module)
        if function:
            getattr(imported, function)()
    # what the zygote holds now is every child's for good: kept out of their garbage collections
    # (a full one would walk it all, and touching it copies the pages the fork shares)
    gc.collect()
    gc.freeze()
    if threading.active_count() != 1:
        msg = f"the zygote must not fork with threads: {threading.enumerate()}"
        raise RuntimeError(msg)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    listener.listen(64)
    print("ready", flush=True)  # noqa: T201 - the fixture waits for this line
    askers: dict[int, socket.socket] = {}  # child id -> the connection of its asker
    while True:
        readable, _, _ = select.select([listener], [], [], 0.02)
        if readable:
            connection, _ = listener.accept()
            pid = _fork(connection, listener, python)
            if pid is None:
                connection.close()
            else:
                askers[pid] = connection
        while askers:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                break
            connection = askers.pop(pid)
            with contextlib.suppress(OSError):  # an asker that was killed does not listen
                connection.sendall(f"{os.waitstatus_to_exitcode(status)}\n".encode())
            connection.close()


if __name__ == "__main__":  # zygote.py SOCKET PYTHON [MODULE TO PRELOAD ...]
    serve(Path(sys.argv[1]), sys.argv[2], tuple(sys.argv[3:]) or PRELOAD)
