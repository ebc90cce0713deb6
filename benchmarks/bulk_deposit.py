"""Bulk deposit end to end against the raw write ceiling of the same database (issue 3).

    python -m benchmarks.bulk_deposit [--rows 710000] [--backend both|sqlite|postgresql]

For each backend, on a fresh database with the built-in frameworks, one institution and one
course:

- **ours**: ``creditbank deposit import``'s use case (``bulk.import_batch``) on a CSV file of
  ROWS rows, each a different learner (so every row also opens an account: key, sealed personal
  data, HMAC index), timed end to end: parse, validate, look up, encrypt, store, commit. It runs
  in a child process so that its peak memory (``VmHWM``) is its own; the worker process that
  prepares the chunks of a big file is sampled apart (every 0.1 s while it lives), and both
  peaks are shown (main + worker).
- **ours without the log**: the same, in the same run, with the ledger's two calls (staging each
  chunk's entries, sealing them at the end) replaced by ones that do nothing: what the ledger
  (issue 4) costs a bulk deposit.
- **ceiling**: the very rows ours stored (learners, identities, wrapped keys, sealed data,
  outcomes), prepared in memory beforehand (encryption included, untimed), then written in one
  transaction: PostgreSQL ``COPY``; SQLite ``executemany``. Timed: the writes and the commit.

Prints one line per backend: rows/s for both, the ratio, and ours' peak memory.
The sum of the two peaks bounds what ours holds at once.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from contextlib import ExitStack
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

from sqlalchemy import insert, text
from tests.bulk_files import add_college_with_course

from benchmarks.databases import Databases, add_server_argument, databases_of
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.files import COLUMNS
from creditbank.accounts.model import new_account_number, parse_id_number, resident_check_character
from creditbank.accounts.tables import (
    LearnerIdentityRow,
    LearnerKeyRow,
    LearnerPersonalDataRow,
    LearnerRow,
    OutcomeRow,
)
from creditbank.bootstrap import initialise
from creditbank.db import Base, Database

TODAY = date(2026, 11, 22)
EPOCH = date(1970, 1, 1)


def id_number(serial: int) -> str:
    """A different checksum-valid resident number per serial: 1,000 per birth date."""
    born = EPOCH + timedelta(days=serial // 1000)
    first = f"310104{born:%Y%m%d}{serial % 1000:03d}"
    return first + resident_check_character(first)


def write_file(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for serial in range(rows):
            writer.writerow(
                [
                    f"X-{serial:07d}",
                    id_number(serial),
                    f"学员{serial}",
                    "CAD-201",
                    "4",
                    "3",
                    "80",
                    "2024-06-30",
                    "formal",
                    "",
                ]
            )


def prepare(url: str) -> Database:
    database = Database(url)
    initialise(database)
    with database.unit_of_work() as uow:
        add_college_with_course(uow)
    return database


def peak_rss_kb(pid: int | str = "self") -> int:
    """A process's peak resident memory, in kB: ``VmHWM`` of /proc/PID/status (this one's by
    default).

    Not ``getrusage``'s ``ru_maxrss``: Linux carries that over from the parent through fork
    and exec, so a child of a big parent reports the parent's peak (an earlier run of this
    benchmark reported 2.3 GB for PostgreSQL that way, the peak of the SQLite ceiling's
    prepared rows in the parent). An ended process not yet waited for (a zombie) has no
    ``VmHWM``: 0 for it (and ``ru_maxrss`` for this one, on a kernel without ``VmHWM``).
    """
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss if pid == "self" else 0


class ChildrenPeak(threading.Thread):
    """Samples the peak memory of this process's children (the bulk worker) every 0.1 s while
    they live; ``peak_kb`` is the largest seen, per child id."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_kb: dict[int, int] = {}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.1):
            for children in Path("/proc/self/task").glob("*/children"):
                for pid in children.read_text().split():
                    with contextlib.suppress(OSError, ValueError):
                        self.peak_kb[int(pid)] = max(
                            self.peak_kb.get(int(pid), 0), peak_rss_kb(pid)
                        )


def child(url: str, file: Path) -> None:
    """Run ours once and print its figures as JSON (called in a separate process)."""
    from creditbank.accounts import bulk  # noqa: PLC0415
    from creditbank.accounts.files import FileFormat, read_rows  # noqa: PLC0415

    if os.environ.get("BENCH_WITHOUT_LOG") == "1":  # the ledger's calls do nothing
        bulk.ledger = SimpleNamespace(  # type: ignore[assignment]
            **{**vars(bulk.ledger), "stage": lambda *_: [], "seal": lambda *_: None}
        )

    database = Database(url)
    cipher = PersonalDataCipher.from_base64(os.environ["BENCH_DATA_KEY"])
    children = ChildrenPeak()
    children.start()
    started = time.perf_counter()
    with file.open("rb") as stream:
        batch = bulk.import_batch(
            database=database,
            cipher=cipher,
            institution="JSVC",
            submitted_by="bench",
            filename=file.name,
            file_format=FileFormat.CSV,
            rows=read_rows(stream, FileFormat.CSV),
            today=TODAY,
        )
    seconds = time.perf_counter() - started
    children.done.set()
    children.join()
    peak_kb = peak_rss_kb()
    print(
        json.dumps(
            {
                "seconds": seconds,
                "deposited": batch.deposited,
                "status": batch.status.value,
                "peak_mb": peak_kb / 1024,
                "worker_peak_mb": max(children.peak_kb.values(), default=0) / 1024,
            }
        )
    )


def ours(url: str, file: Path, data_key: str, *, log: bool = True) -> dict[str, float]:
    result = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "benchmarks.bulk_deposit", "--child", url, str(file)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "BENCH_DATA_KEY": data_key, "BENCH_WITHOUT_LOG": "" if log else "1"},
    )
    figures: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def ceiling(database: Database, rows: int, cipher: PersonalDataCipher) -> float:
    """Seconds to write the same rows raw (prepared beforehand), in one transaction."""
    with database.engine.connect() as connection:
        institution_id = connection.execute(text("SELECT id FROM institutions")).scalar_one()
        item_id = connection.execute(text("SELECT id FROM catalog_items")).scalar_one()
        level_id = connection.execute(
            text("SELECT framework_level_id FROM catalog_item_levels")
        ).scalar_one()
    now = datetime.now(UTC)
    learners, identities, keys, sealed_rows, outcomes = [], [], [], [], []
    numbers: set[str] = set()
    while len(numbers) < rows:  # random numbers collide now and then at this scale
        numbers.add(new_account_number())
    for serial, number in enumerate(sorted(numbers)):
        learner_id = serial + 1
        parsed = parse_id_number(id_number(serial))
        key, wrapped = cipher.new_learner_key(number)
        sealed = cipher.seal(
            key,
            number,
            {
                "name": f"学员{serial}",
                "id_type": parsed.type.value,
                "id_number": parsed.number,
                "birth_date": "",
                "contact": "",
            },
        )
        learners.append(
            {
                "id": learner_id,
                "account_number": number,
                "opened_at": now,
                "opened_by_institution_id": institution_id,
                "erased_at": None,
            }
        )
        identities.append({"learner_id": learner_id, "id_hmac": cipher.index(parsed.index_key)})
        keys.append(
            {"learner_id": learner_id, "nonce": wrapped.nonce, "wrapped_key": wrapped.ciphertext}
        )
        sealed_rows.append(
            {"learner_id": learner_id, "nonce": sealed.nonce, "ciphertext": sealed.ciphertext}
        )
        outcomes.append(
            {
                "public_id": uuid.uuid4().hex,
                "learner_id": learner_id,
                "institution_id": institution_id,
                "record_id": f"X-{serial:07d}",
                "item_id": item_id,
                "framework_level_id": level_id,
                "credits": Decimal("3.0"),
                "score": Decimal("80.00"),
                "assessed_on": date(2024, 6, 30),
                "setting": "formal",
                "evidence_sha256": None,
                "deposited_at": now,
                "batch_id": None,
            }
        )
    tables = [
        (LearnerRow, learners),
        (LearnerIdentityRow, identities),
        (LearnerKeyRow, keys),
        (LearnerPersonalDataRow, sealed_rows),
        (OutcomeRow, outcomes),
    ]
    started = time.perf_counter()
    if database.engine.dialect.name == "postgresql":
        raw = database.engine.raw_connection()
        try:
            cursor = raw.cursor()
            for table, values in tables:
                columns = list(values[0])
                with cursor.copy(  # type: ignore[attr-defined]
                    f"COPY {table.__tablename__} ({', '.join(columns)}) FROM STDIN"
                ) as copy:
                    for value in values:
                        copy.write_row([value[column] for column in columns])
            raw.commit()
        finally:
            raw.close()
    else:
        with database.engine.begin() as connection:
            for table, values in tables:
                connection.execute(insert(Base.metadata.tables[table.__tablename__]), values)
    return time.perf_counter() - started


def run(backend: str, rows: int, workdir: Path, databases: Databases) -> str:
    data_key = base64.b64encode(os.urandom(32)).decode()
    file = workdir / "deposits.csv"
    if not file.exists():
        write_file(file, rows)
    if backend == "sqlite":
        url_ours = databases.sqlite(workdir / "ours.db")
        url_raw = databases.sqlite(workdir / "raw.db")
        url_bare = databases.sqlite(workdir / "bare.db")
    else:
        url_ours, url_raw = databases.postgresql("ours"), databases.postgresql("raw")
        url_bare = databases.postgresql("bare")
    prepare(url_ours).dispose()
    figures = ours(url_ours, file, data_key)
    assert figures["deposited"] == rows, figures
    prepare(url_bare).dispose()
    bare = ours(url_bare, file, data_key, log=False)
    assert bare["deposited"] == rows, bare
    raw_database = prepare(url_raw)
    raw_seconds = ceiling(raw_database, rows, PersonalDataCipher.from_base64(data_key))
    raw_database.dispose()
    ours_rate, raw_rate = rows / figures["seconds"], rows / raw_seconds
    bare_rate = rows / bare["seconds"]
    return (
        f"| {backend} | {rows:,} | {ours_rate:,.0f} rows/s ({figures['seconds']:.1f} s) | "
        f"{bare_rate:,.0f} rows/s ({bare['seconds']:.1f} s) | {ours_rate / bare_rate:.2f} | "
        f"{raw_rate:,.0f} rows/s ({raw_seconds:.1f} s) | {ours_rate / raw_rate:.2f} | "
        f"{bare_rate / raw_rate:.2f} | "
        f"{figures['peak_mb']:.0f} MB + {figures['worker_peak_mb']:.0f} MB |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=710_000)
    parser.add_argument("--backend", choices=["both", "sqlite", "postgresql"], default="both")
    parser.add_argument("--child", nargs=2, metavar=("URL", "FILE"))
    add_server_argument(parser)
    arguments = parser.parse_args()
    if arguments.child:
        child(arguments.child[0], Path(arguments.child[1]))
        return
    backends = ["sqlite", "postgresql"] if arguments.backend == "both" else [arguments.backend]
    header = (
        "database",
        "rows",
        "ours (end to end)",
        "ours without the log",
        "with / without log",
        "ceiling (raw write)",
        "ours / ceiling",
        "without log / ceiling",
        "peak memory (main + worker)",
    )
    print("| " + " | ".join(header) + " |")
    print("|---" * len(header) + "|")
    with tempfile.TemporaryDirectory() as folder, ExitStack() as stack:
        databases = databases_of(stack, arguments)
        for backend in backends:
            print(run(backend, arguments.rows, Path(folder), databases), flush=True)


if __name__ == "__main__":
    main()
