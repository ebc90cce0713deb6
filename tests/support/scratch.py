"""Where the suite keeps its scratch files: in memory when the machine has room for them.

A run of the suite writes and deletes a great many short-lived files: about 200 PostgreSQL
databases (each a copy of a 13 MB template in about 1,300 files), the SQLite copies of the
tests that need a database of their own, Chromium's profiles, the tests' ``tmp_path``. On a
disk filesystem the kernel's work for them (journal, block allocation, discards when a
cluster is deleted) was a quarter of the run's CPU: on the 2-core machine, 118 s of the 492 s
that ``vmstat`` counted, and ``CREATE DATABASE`` alone took 0.3-0.8 s of kernel time each.
In a RAM filesystem (tmpfs) the same ``CREATE DATABASE`` takes 0.016 s. So the suite puts
its temporary directory on ``/dev/shm`` when that is a tmpfs with room to spare
(:data:`MIN_FREE_BYTES`), and on the usual disk directory otherwise.

``CREDITBANK_TEST_TMPDIR`` chooses the directory explicitly (``/tmp`` keeps everything on
disk); a ``TMPDIR`` the user set is kept too. Nothing the tests assert depends on where the
files are: only what they cost.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Final

__all__ = ["MIN_FREE_BYTES", "RAM_DIRECTORY", "SCRATCH_ENV", "choose_scratch", "use_scratch"]

SCRATCH_ENV: Final = "CREDITBANK_TEST_TMPDIR"
RAM_DIRECTORY: Final = "/dev/shm"  # noqa: S108 (chosen for the tests only when it is a tmpfs)
MIN_FREE_BYTES: Final = 6 * 1024**3
"""Room the RAM filesystem must have free: a run leaves about 3 GB there at its peak (its
PostgreSQL clusters are deleted when it ends; pytest keeps the last three runs' ``tmp_path``
directories, about 350 MB each)."""


def is_tmpfs(directory: str, mounts: str) -> bool:
    """True when ``directory`` is the mount point of a tmpfs in ``mounts`` (/proc/mounts)."""
    kinds = [
        fields[2]
        for fields in (line.split() for line in mounts.splitlines())
        if len(fields) >= 3 and fields[1] == directory
    ]
    # the last mount on a point is the one in use
    return bool(kinds) and kinds[-1] == "tmpfs"


def choose_scratch(
    environment: Mapping[str, str], mounts: str, free_bytes: int, *, writable: bool
) -> str | None:
    """The directory the suite's temporary files should go to, or None for the default.

    ``environment`` is the process's; ``mounts`` the text of /proc/mounts; ``free_bytes`` and
    ``writable`` describe :data:`RAM_DIRECTORY`.
    """
    explicit = environment.get(SCRATCH_ENV)
    if explicit:
        return explicit
    if environment.get("TMPDIR"):
        return None
    if writable and free_bytes >= MIN_FREE_BYTES and is_tmpfs(RAM_DIRECTORY, mounts):
        return RAM_DIRECTORY
    return None


def _ram_directory_state() -> tuple[str, int, bool]:
    try:
        mounts = Path("/proc/mounts").read_text(encoding="utf-8")
        stats = os.statvfs(RAM_DIRECTORY)
    except OSError:
        return "", 0, False
    writable = os.access(RAM_DIRECTORY, os.W_OK | os.X_OK)
    return mounts, stats.f_bavail * stats.f_frsize, writable


def use_scratch() -> str:
    """Point this process's temporary files, and its children's, at :func:`choose_scratch`'s
    directory; return the temporary directory in use either way."""
    mounts, free_bytes, writable = _ram_directory_state()
    directory = choose_scratch(os.environ, mounts, free_bytes, writable=writable)
    if directory is not None:
        os.environ["TMPDIR"] = directory
        tempfile.tempdir = directory
    return tempfile.gettempdir()
