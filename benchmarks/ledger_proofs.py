"""Inclusion and consistency proofs in a log of 10 million entries: p50 and p99 latency (issue 4).

    python -m benchmarks.ledger_proofs [--entries 10000000] [--backend both|sqlite|postgresql]
                                       [--samples 2000]

For each backend, on a fresh migrated database, the log is filled with ENTRIES entries of kind
``outcome.deposited`` exactly as sealing would store them, only faster: ``log_entries`` (entry
``i`` is ``entry_body`` of record ``R-i`` with the commitment ``SHA-256(str(i))``, leaf hash
``SHA-256(0x00 || body)``), ``log_leaves`` (leaf ``i`` -> entry ``i + 1``), ``log_nodes`` (every
complete subtree, level 0 the leaf hashes, level ``L`` index ``j`` the hash of ``0x01`` and its
two children), the head moved to ENTRIES and one checkpoint signed with the log's (development)
key. Salts are left out: proofs never read them.

- **PostgreSQL** computes everything itself: the entries and their leaf hashes from
  ``generate_series`` and ``sha256``, then each level of the tree with one ``INSERT ... SELECT``
  joining the level below to itself (24 levels at 10 million). Foreign-key triggers are off for
  the load (``session_replication_role = replica``) and the two secondary indexes of
  ``log_entries`` are built after it; the cluster runs with ``max_wal_size`` and
  ``maintenance_work_mem`` raised, which only speeds up loading.
- **SQLite** gets them from Python: hashlib, ``merkle.Frontier.append`` (which returns exactly
  the nodes a leaf completes) and ``executemany`` in large transactions, journal off.

The fill is then checked before anything is measured: the root the stored interior nodes give
(``service.root_at``) must equal ``merkle.Frontier``'s root over the stored leaf hashes, read
back in order, and the number of nodes must be ``2N - popcount(N)``; a few stored entries must
equal the bodies Python makes. Then ``ANALYZE``.

Then, for SAMPLES leaf indexes and SAMPLES pairs ``first < second <= N`` drawn at random (fixed
seed), each timed on its own:

- **service**: ``ledger.service.inclusion_proof(index, tree_size=N)`` and
  ``consistency_proof(first, second)``, each in its own unit of work, as a request handler
  calls them.
- **HTTP**: ``GET /api/v1/log/proof/inclusion?index=&tree_size=`` and
  ``GET /api/v1/log/proof/consistency?first=&second=`` to the app served by uvicorn in its own
  process on loopback (public endpoints: no token), over one keep-alive connection.

The first proofs of each kind that came over HTTP are checked with ``merkle.verify_inclusion``
and ``verify_consistency`` against roots computed in Python from the leaf hashes (not from the
stored interior nodes), and the served checkpoint must name size N and that root, so that the
benchmark cannot time wrong answers. Prints p50 and p99 of each and the setup time.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import httpx2 as httpx
from sqlalchemy import text, update

from benchmarks.databases import Databases, add_server_argument, databases_of
from benchmarks.transcript import percentiles, serve, timed
from creditbank.bootstrap import migrate
from creditbank.db import Database
from creditbank.ledger import merkle, service
from creditbank.ledger.model import LogKind, entry_body
from creditbank.ledger.tables import LogCheckpointRow, LogHeadRow

SEED = 20261122
ISSUER = "bench"
KIND = LogKind.OUTCOME_DEPOSITED.value
RECORDED_AT = datetime(2026, 11, 22, tzinfo=UTC)
VERIFIED = 5  # HTTP proofs of each kind checked against independently computed roots
CHUNK = 200_000  # entries per SQLite transaction
SECONDARY_INDEXES = {
    "ix_log_entries_record_id": "log_entries (record_id)",
    "ix_log_entries_leaf_hash": "log_entries (leaf_hash)",
}
LOAD_SETTINGS = {"max_wal_size": "16GB", "maintenance_work_mem": "1GB"}

# entry_body of record R-i, issuer bench, at RECORDED_AT: canonical JSON, keys sorted.
_BODY = (
    '{{"commitment":"{commitment}","id":"R-{i}","issuer":"' + ISSUER + '","kind":"' + KIND + '",'
    '"time":"2026-11-22T00:00:00.000000Z","v":1}}'
)
# The same bytes, made by PostgreSQL for g = i (the check compares a sample with entry_body).
PG_ENTRIES = (
    "INSERT INTO log_entries (id, kind, record_id, issuer, recorded_at, body, leaf_hash)"
    " SELECT g + 1, :kind, 'R-' || g, :issuer, :at, b, sha256(decode('00', 'hex') || b)"
    ' FROM (SELECT g, convert_to(\'{"commitment":"\''
    " || encode(sha256(convert_to(g::text, 'UTF8')), 'hex') || '\",\"id\":\"R-' || g"
    ' || \'","issuer":"bench","kind":"outcome.deposited",'
    '"time":"2026-11-22T00:00:00.000000Z","v"\\:1}\', \'UTF8\') AS b'
    " FROM generate_series(0, :n - 1) AS g) AS s"
)


def body(i: int) -> bytes:
    """The bytes of entry ``i`` (as ``entry_body`` makes them; checked in :func:`check`)."""
    commitment = hashlib.sha256(str(i).encode()).hexdigest()
    return _BODY.format(commitment=commitment, i=i).encode()


def reference_body(i: int) -> bytes:
    return entry_body(
        kind=KIND,
        record_id=f"R-{i}",
        issuer=ISSUER,
        at=RECORDED_AT,
        record_commitment=hashlib.sha256(str(i).encode()).digest(),
    )


def expected_nodes(total: int) -> int:
    """Complete subtrees of a tree of ``total`` leaves: sum of total >> level."""
    return 2 * total - total.bit_count()


@dataclass
class Setup:
    phases: dict[str, float] = field(default_factory=dict)

    def timed(self, name: str, started: float) -> None:
        self.phases[name] = time.perf_counter() - started
        print(f"  {name}: {self.phases[name]:.1f} s", file=sys.stderr, flush=True)

    @property
    def total(self) -> float:
        return sum(self.phases.values())


# Filling the log --------------------------------------------------------------------------


def fill_postgresql(database: Database, total: int, setup: Setup) -> None:
    with database.engine.connect() as connection:
        started = time.perf_counter()
        connection.execute(text("SET session_replication_role = replica"))  # no FK triggers
        for name in SECONDARY_INDEXES:
            connection.execute(text(f"DROP INDEX {name}"))
        connection.execute(
            text(PG_ENTRIES),
            {"kind": KIND, "issuer": ISSUER, "at": RECORDED_AT, "n": total},
        )
        connection.commit()
        setup.timed("entries", started)
        started = time.perf_counter()
        connection.execute(
            text("INSERT INTO log_leaves (leaf_index, entry_id) SELECT id - 1, id FROM log_entries")
        )
        connection.commit()
        setup.timed("leaves", started)
        started = time.perf_counter()
        connection.execute(
            text(
                "INSERT INTO log_nodes (level, node_index, hash)"
                " SELECT 0, id - 1, leaf_hash FROM log_entries ORDER BY id"
            )
        )
        connection.commit()
        level = 1
        while total >> level:
            connection.execute(
                text(
                    "INSERT INTO log_nodes (level, node_index, hash)"
                    " SELECT :level, a.node_index / 2, sha256(decode('01', 'hex') || a.hash"
                    " || b.hash)"
                    " FROM log_nodes AS a JOIN log_nodes AS b"
                    " ON b.level = :below AND b.node_index = a.node_index + 1"
                    " WHERE a.level = :below AND a.node_index % 2 = 0"
                    " ORDER BY a.node_index"
                ),
                {"level": level, "below": level - 1},
            )
            connection.commit()
            level += 1
        setup.timed(f"nodes (levels 0-{level - 1})", started)
        started = time.perf_counter()
        for name, columns in SECONDARY_INDEXES.items():
            connection.execute(text(f"CREATE INDEX {name} ON {columns}"))
        connection.commit()
        setup.timed("secondary indexes", started)


def fill_sqlite(path: Path, total: int, setup: Setup) -> None:
    started = time.perf_counter()
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=OFF")
    connection.execute("PRAGMA synchronous=OFF")
    connection.execute("PRAGMA cache_size=-1000000")
    for name in SECONDARY_INDEXES:
        connection.execute(f"DROP INDEX {name}")
    at = RECORDED_AT.strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's SQLite DateTime text
    frontier = merkle.Frontier.empty()
    append = frontier.append
    sha256 = hashlib.sha256
    for start in range(0, total, CHUNK):
        entries = []
        leaves = []
        nodes: list[tuple[int, int, bytes]] = []
        for i in range(start, min(start + CHUNK, total)):
            data = _BODY.format(commitment=sha256(str(i).encode()).hexdigest(), i=i).encode()
            leaf = sha256(b"\x00" + data).digest()
            entries.append((i + 1, KIND, f"R-{i}", ISSUER, at, data, leaf))
            leaves.append((i, i + 1))
            nodes.extend(append(leaf))
        connection.execute("BEGIN")
        connection.executemany(
            "INSERT INTO log_entries (id, kind, record_id, issuer, recorded_at, body, leaf_hash)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            entries,
        )
        connection.executemany(
            "INSERT INTO log_leaves (leaf_index, entry_id) VALUES (?, ?)", leaves
        )
        connection.executemany(
            "INSERT INTO log_nodes (level, node_index, hash) VALUES (?, ?, ?)", nodes
        )
        connection.execute("COMMIT")
    setup.timed("entries, leaves, nodes", started)
    started = time.perf_counter()
    for name, columns in SECONDARY_INDEXES.items():
        connection.execute(f"CREATE INDEX {name} ON {columns}")
    connection.execute("PRAGMA journal_mode=WAL")  # as the bank's engine keeps it
    connection.close()
    setup.timed("secondary indexes", started)


# Checking the fill ------------------------------------------------------------------------


def stored_leaf_hashes(database: Database) -> Iterator[bytes]:
    with database.engine.connect() as connection:
        rows = connection.execution_options(stream_results=True, yield_per=100_000).execute(
            text("SELECT hash FROM log_nodes WHERE level = 0 ORDER BY node_index")
        )
        for (value,) in rows:
            yield bytes(value)


def check(database: Database, total: int, sizes: set[int], setup: Setup) -> dict[int, bytes]:
    """Roots at ``sizes`` (and at ``total``) from the stored leaf hashes, computed in Python;
    fail unless the stored tree agrees."""
    started = time.perf_counter()
    frontier = merkle.Frontier.empty()
    roots: dict[int, bytes] = {}
    wanted = sizes | {total}
    for leaf in stored_leaf_hashes(database):
        frontier.append(leaf)
        if frontier.size in wanted:
            roots[frontier.size] = frontier.root()
    if frontier.size != total:
        msg = f"{frontier.size} leaf hashes are stored, not {total}"
        raise SystemExit(msg)
    with database.engine.connect() as connection:
        counts = connection.execute(
            text(
                "SELECT (SELECT count(*) FROM log_nodes), (SELECT count(*) FROM log_leaves),"
                " (SELECT count(*) FROM log_entries)"
            )
        ).one()
        chooser = random.Random(SEED + 1)  # noqa: S311 - spot checks, not secrets
        for i in [0, total - 1, *(chooser.randrange(total) for _ in range(20))]:
            stored, leaf = connection.execute(
                text(
                    "SELECT e.body, e.leaf_hash FROM log_leaves AS l"
                    " JOIN log_entries AS e ON e.id = l.entry_id WHERE l.leaf_index = :i"
                ),
                {"i": i},
            ).one()
            made = reference_body(i)
            if bytes(stored) != made or body(i) != made or bytes(leaf) != merkle.leaf_hash(made):
                msg = f"entry {i} is not what Python makes of it"
                raise SystemExit(msg)
    if tuple(counts) != (expected_nodes(total), total, total):
        msg = f"stored nodes, leaves, entries {tuple(counts)}; expected {expected_nodes(total)}"
        raise SystemExit(msg)
    with database.unit_of_work() as uow:
        stored_root = service.root_at(uow, total)
    if stored_root != roots[total]:
        msg = (
            f"the stored nodes give root {stored_root.hex()}, the leaf hashes {roots[total].hex()}"
        )
        raise SystemExit(msg)
    setup.timed("check (Python root over the stored leaves)", started)
    return roots


def finish(database: Database, total: int, root: bytes, setup: Setup) -> None:
    """Move the head, sign one checkpoint, ANALYZE."""
    started = time.perf_counter()
    with database.unit_of_work() as uow:
        now = datetime.now(UTC)
        uow.session.execute(
            update(LogHeadRow)
            .where(LogHeadRow.id == service.HEAD_ID)
            .values(tree_size=total, root_hash=root, updated_at=now)
        )
        note = service.sign_checkpoint(service.log_keys(uow), total, root)
        uow.session.add(
            LogCheckpointRow(tree_size=total, root_hash=root, note=note, created_at=now)
        )
    with database.engine.connect() as connection:
        connection.execute(text("ANALYZE"))
        connection.commit()
    setup.timed("head, checkpoint, ANALYZE", started)


# Measuring --------------------------------------------------------------------------------


def decoded(hashes: list[str]) -> list[bytes]:
    return [base64.b64decode(value) for value in hashes]


def measure(
    database: Database,
    url: str,
    *,
    total: int,
    indexes: list[int],
    pairs: list[tuple[int, int]],
    roots: dict[int, bytes],
) -> dict[str, list[float]]:
    server, base_url = serve(url)
    client = httpx.Client(base_url=base_url)
    times: dict[str, list[float]] = {
        "inclusion service": [],
        "inclusion http": [],
        "consistency service": [],
        "consistency http": [],
    }

    def inclusion_service(index: int) -> list[bytes]:
        with database.unit_of_work() as uow:
            return service.inclusion_proof(uow, index=index, tree_size=total)

    def inclusion_http(index: int) -> list[bytes]:
        response = client.get(
            "/api/v1/log/proof/inclusion", params={"index": index, "tree_size": total}
        )
        assert response.status_code == 200, response.text
        return decoded(response.json()["hashes"])

    def consistency_service(first: int, second: int) -> list[bytes]:
        with database.unit_of_work() as uow:
            return service.consistency_proof(uow, first=first, second=second)

    def consistency_http(first: int, second: int) -> list[bytes]:
        response = client.get(
            "/api/v1/log/proof/consistency", params={"first": first, "second": second}
        )
        assert response.status_code == 200, response.text
        return decoded(response.json()["hashes"])

    try:
        checkpoint = client.get("/api/v1/log/checkpoint").text
        expected = f"\n{total}\n{base64.b64encode(roots[total]).decode()}\n"
        if expected not in checkpoint:
            msg = (
                f"the served checkpoint is not of size {total} and the computed root:\n{checkpoint}"
            )
            raise SystemExit(msg)
        for index in indexes[:VERIFIED]:  # also warms caches, the pool and the connection
            proof = inclusion_http(index)
            assert proof == inclusion_service(index)
            merkle.verify_inclusion(
                merkle.leaf_hash(body(index)), index, total, proof, roots[total]
            )
        for first, second in pairs[:VERIFIED]:
            proof = consistency_http(first, second)
            assert proof == consistency_service(first, second)
            merkle.verify_consistency(first, second, proof, roots[first], roots[second])
        for index, (first, second) in zip(indexes, pairs, strict=True):
            times["inclusion service"].append(timed(partial(inclusion_service, index)))
            times["inclusion http"].append(timed(partial(inclusion_http, index)))
            times["consistency service"].append(timed(partial(consistency_service, first, second)))
            times["consistency http"].append(timed(partial(consistency_http, first, second)))
    finally:
        client.close()
        server.terminate()
        server.wait()
    return times


def samples_of(total: int, samples: int) -> tuple[list[int], list[tuple[int, int]]]:
    chooser = random.Random(SEED)  # noqa: S311 - choosing sample proofs, not secrets
    indexes = [chooser.randrange(total) for _ in range(samples)]
    pairs = []
    for _ in range(samples):
        first = chooser.randrange(1, total)
        pairs.append((first, chooser.randrange(first + 1, total + 1)))
    return indexes, pairs


def run(backend: str, total: int, samples: int, workdir: Path, databases: Databases) -> str:
    print(f"{backend}, {total:,} entries:", file=sys.stderr, flush=True)
    setup = Setup()
    started = time.perf_counter()
    path = workdir / "ledger.db"
    url = databases.sqlite(path) if backend == "sqlite" else databases.postgresql("ledger")
    database = Database(url)
    migrate(database)
    setup.timed("migrate", started)
    if backend == "sqlite":
        database.dispose()  # the fill's own connection switches the journal off
        fill_sqlite(path, total, setup)
    else:
        fill_postgresql(database, total, setup)
    indexes, pairs = samples_of(total, samples)
    verified_sizes = {size for pair in pairs[:VERIFIED] for size in pair}
    roots = check(database, total, verified_sizes, setup)
    finish(database, total, roots[total], setup)
    print(f"  root {roots[total].hex()}", file=sys.stderr, flush=True)
    times = measure(database, url, total=total, indexes=indexes, pairs=pairs, roots=roots)
    database.dispose()
    cells = [backend, f"{total:,}"]
    for name in ("inclusion service", "inclusion http", "consistency service", "consistency http"):
        p50, p99 = percentiles(times[name])
        cells.append(f"{p50:.2f} / {p99:.2f} ms")
    cells.append(f"{setup.total:.0f} s")
    return "| " + " | ".join(cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000_000)
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--backend", choices=["both", "sqlite", "postgresql"], default="both")
    add_server_argument(parser)
    arguments = parser.parse_args()
    if arguments.entries < 2:  # a consistency proof needs two sizes
        parser.error("--entries must be at least 2")
    backends = ["sqlite", "postgresql"] if arguments.backend == "both" else [arguments.backend]
    header = (
        "database",
        "entries",
        "inclusion service p50 / p99",
        "inclusion HTTP p50 / p99",
        "consistency service p50 / p99",
        "consistency HTTP p50 / p99",
        "setup",
    )
    with tempfile.TemporaryDirectory() as folder, ExitStack() as stack:
        databases = databases_of(stack, arguments, LOAD_SETTINGS)
        rows = [
            run(backend, arguments.entries, arguments.samples, Path(folder), databases)
            for backend in backends
        ]
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print(row)


if __name__ == "__main__":
    main()
