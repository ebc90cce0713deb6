"""Where the suite's temporary files go (tests/support/scratch.py)."""

from __future__ import annotations

from tests.support.scratch import MIN_FREE_BYTES, RAM_DIRECTORY, SCRATCH_ENV, choose_scratch

MOUNTS = """\
/dev/vda / ext4 rw,relatime 0 0
tmpfs /dev/shm tmpfs rw,relatime,size=24683772k 0 0
"""
ROOM = MIN_FREE_BYTES


def test_a_roomy_writable_tmpfs_is_chosen() -> None:
    assert choose_scratch({}, MOUNTS, ROOM, writable=True) == RAM_DIRECTORY


def test_otherwise_the_usual_temporary_directory() -> None:
    assert choose_scratch({}, MOUNTS, ROOM - 1, writable=True) is None  # too small
    assert choose_scratch({}, MOUNTS, ROOM, writable=False) is None
    on_disk = "/dev/vda /dev/shm ext4 rw 0 0\n"
    assert choose_scratch({}, on_disk, ROOM, writable=True) is None
    assert choose_scratch({}, "", ROOM, writable=True) is None  # no /proc/mounts
    # the last mount on the point counts: here a disk over the tmpfs
    assert choose_scratch({}, MOUNTS + on_disk, ROOM, writable=True) is None


def test_the_user_decides_first() -> None:
    assert choose_scratch({SCRATCH_ENV: "/disk/tmp"}, MOUNTS, ROOM, writable=True) == "/disk/tmp"
    assert choose_scratch({SCRATCH_ENV: "/srv/x"}, "", 0, writable=False) == "/srv/x"
    assert choose_scratch({"TMPDIR": "/home/me/tmp"}, MOUNTS, ROOM, writable=True) is None
