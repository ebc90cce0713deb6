"""``python`` for the smoke benchmarks: ``-m MODULE ARGS`` forked by the zygote (zygote.py).

Run as ``python -I -S zygote_client.py ARGS`` (standard library only). With ``-m`` it sends the
zygote its arguments, working directory, environment and standard streams, passes on the
signals it gets to the forked process and exits with that process's status; any other
arguments go to the real interpreter (``exec``), as they are.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
from pathlib import Path


def main() -> None:
    arguments = sys.argv[1:]
    if len(arguments) < 2 or arguments[0] != "-m":
        python = os.environ["SMOKE_ZYGOTE_PYTHON"]
        os.execv(python, [python, *arguments])  # noqa: S606 - the real interpreter
    request = {"argv": arguments[1:], "cwd": str(Path.cwd()), "env": dict(os.environ)}
    zygote = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    zygote.connect(os.environ["SMOKE_ZYGOTE_SOCKET"])
    socket.send_fds(zygote, [json.dumps(request).encode()], [0, 1, 2])
    answers = zygote.makefile("r", encoding="ascii")
    pid = int(answers.readline())

    def pass_on(signum: int, _frame: object) -> None:
        os.kill(pid, signum)

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, pass_on)
    status = answers.readline()
    code = int(status) if status else 1
    if code < 0:  # ended by a signal: end by the same one
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    sys.exit(code)


if __name__ == "__main__":
    main()
