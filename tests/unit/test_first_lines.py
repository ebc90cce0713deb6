"""The bulk deposit's memory of the record ids seen: the first line of each, in flat memory."""

from __future__ import annotations

import pickle
import subprocess
import sys
import textwrap

from creditbank.accounts.chunks import FirstLines


def test_each_record_id_s_first_line() -> None:
    first_lines = FirstLines()
    assert first_lines.see([("A", 2), ("B", 3), ("A", 4)]) == [2, 3, 2]
    assert first_lines.see([("C", 5), ("B", 6), ("A", 7), ("C", 8)]) == [5, 3, 2, 5]
    assert first_lines.see([]) == []
    first_lines.close()


def test_the_record_ids_seen_travel_with_it() -> None:
    first_lines = FirstLines()
    first_lines.see([("A", 2), ("B", 3)])
    copy = pickle.loads(pickle.dumps(first_lines))  # noqa: S301 - our own bytes
    first_lines.close()
    assert copy.see([("B", 4), ("D", 5), ("A", 6)]) == [3, 5, 2]
    copy.close()


MEASURE = """
from creditbank.accounts.chunks import FirstLines

def peak_kib():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))

first_lines = FirstLines()
first_lines.see([("warm-up", 1)])
before = peak_kib()
for start in range(0, 400_000, 2000):
    first_lines.see([(f"REC-{n:09d}-{n * 7919 % 1000003}", n + 2) for n in range(start, start + 2000)])
print(peak_kib() - before)
"""


def test_memory_stays_flat_however_many_record_ids() -> None:
    """400,000 record ids: a dict of them would hold about 60 MB; this holds SQLite's page cache
    (8 MB) and a chunk."""
    grown_kib = int(
        subprocess.run(  # a process of its own, so that its peak is this alone
            [sys.executable, "-c", textwrap.dedent(MEASURE)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    assert grown_kib < 16 * 1024
