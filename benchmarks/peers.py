"""Cosigning a peer bank's checkpoint: this bank's witness of its peers' logs, on SQLite.

    python -m benchmarks.peers [--checkpoints 200] [--growth 1000] [--sqlite-template FILE]

A fresh migrated database (or a copy of ``--sqlite-template``) with two bank administrators
and one approved peer bank. The peer's log (an RFC 9162 tree held in memory, its checkpoints
signed with its own Ed25519 key) grows by GROWTH leaves before each of CHECKPOINTS requests; each
request is what a peer sends the witness (C2SP tlog-witness ``add-checkpoint``: ``old <size>``,
the consistency proof from the size the witness saw last, the signed checkpoint) and is timed
whole through ``peers.witnessing.witness_checkpoint`` in a unit of work of its own, committed:
parsing, the peer's trust (its row, its agreement in force), the log's signature, the row lock,
the last checkpoint seen, the consistency proof, storing the new checkpoint, the cosignature.
After 5 untimed warm-up requests.

The ceiling in the same run: a raw Ed25519 signature (``Ed25519PrivateKey.sign``) of the same
message the cosignature signs (``cosignature/v1``, the time, the checkpoint text). The target
(issue 18): cosigning a peer's checkpoint under 50 ms. Prints p50 / p99 / mean of each and the
ratio of the means, and the load average.
"""

from __future__ import annotations

import argparse
import base64
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from benchmarks.conversion import LoadWatch
from benchmarks.databases import add_sqlite_template_argument, sqlite_database
from benchmarks.transcript import percentiles
from creditbank.bootstrap import migrate
from creditbank.db import Database
from creditbank.institutions import service as institutions
from creditbank.institutions.model import Role
from creditbank.ledger import merkle, notes
from creditbank.peers import trust, witnessing
from creditbank.peers.commands import AddPeer, ApprovePeer, WitnessCheckpoint

TARGET_MS = 50.0
WARM_UP = 5


class PeerLog:
    """A peer's log in memory: leaf hashes, the hashes of its complete subtrees, its key."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        private, self.verifier_key = notes.generate_key(origin)
        self.signer = notes.Signer.from_private_key(private)
        witness, _ = notes.generate_key(f"{origin}/witness")
        self.witness_key = notes.CosignatureSigner.from_private_key(witness).verifier_key()
        self.nodes: dict[tuple[int, int], bytes] = {}
        self.size = 0

    def grow(self, count: int) -> None:
        for _ in range(count):
            index = self.size
            self.nodes[0, index] = merkle.leaf_hash(f"{self.origin} {index}".encode())
            level = 0
            while index % 2 == 1:  # a right child completes its parent
                self.nodes[level + 1, index // 2] = merkle.node_hash(
                    self.nodes[level, index - 1], self.nodes[level, index]
                )
                index //= 2
                level += 1
            self.size += 1

    def node(self, level: int, index: int) -> bytes:
        return self.nodes[level, index]

    def note(self) -> str:
        checkpoint = notes.Checkpoint(self.origin, self.size, merkle.root_at(self.size, self.node))
        return notes.sign(checkpoint.body(), [self.signer])

    def request(self, old: int) -> bytes:
        proof = merkle.consistency_proof(old, self.size, self.node) if old else []
        lines = [f"old {old}", *(base64.b64encode(h).decode() for h in proof)]
        return ("\n".join(lines) + "\n\n" + self.note()).encode()


def _world(database: Database, log: PeerLog) -> None:
    with database.unit_of_work() as uow:
        for email in ("bench1@bank.example", "bench2@bank.example"):
            institutions.add_user(uow=uow, email=email, role=Role.BANK_ADMIN)
        first = institutions.principal_for(uow=uow, email="bench1@bank.example")
        second = institutions.principal_for(uow=uow, email="bench2@bank.example")
        host = log.origin.split("/")[0]
        added = trust.add_peer(
            AddPeer(
                origin=log.origin,
                log_key=log.verifier_key,
                did=f"did:web:{host}",
                url=f"https://{host}",
                witness_url=f"https://{host}/witness",
                witness_key=log.witness_key,
                frameworks=("CQF",),
                item_kinds=("course",),
                institutions=("SHOU",),
                valid_from=date(2020, 1, 1),
            ),
            principal=first,
            uow=uow,
        )
        trust.approve_peer(ApprovePeer(str(added.peer.peer.id)), principal=second, uow=uow)


def run(database: Database, checkpoints: int, growth: int) -> tuple[list[float], list[float]]:
    """Seconds of each cosigning through the bank, and of each raw Ed25519 signature."""
    log = PeerLog("peer.bench.example/log")
    _world(database, log)
    raw_key = Ed25519PrivateKey.generate()
    cosigning: list[float] = []
    raw: list[float] = []
    seen = 0
    for round_ in range(WARM_UP + checkpoints):
        log.grow(growth)
        body = log.request(seen)
        started = time.perf_counter()
        with database.unit_of_work() as uow:
            line = witnessing.witness_checkpoint(WitnessCheckpoint(body), principal=None, uow=uow)
        took = time.perf_counter() - started
        assert line.startswith("— ".encode()), line
        seen = log.size
        text = body.decode().split("\n\n", 1)[1]
        message = f"cosignature/v1\ntime {int(time.time())}\n{text[: text.index(chr(10) * 2) + 1]}"
        started = time.perf_counter()
        raw_key.sign(message.encode())
        raw_took = time.perf_counter() - started
        if round_ >= WARM_UP:
            cosigning.append(took)
            raw.append(raw_took)
    return cosigning, raw


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--checkpoints", type=int, default=200, help="timed requests")
    parser.add_argument("--growth", type=int, default=1000, help="leaves added between requests")
    add_sqlite_template_argument(parser)
    arguments = parser.parse_args(argv)
    watch = LoadWatch()
    watch.start()
    with tempfile.TemporaryDirectory() as folder:
        database = Database(sqlite_database(Path(folder) / "peers.db", arguments.sqlite_template))
        migrate(database)
        try:
            cosigning, raw = run(database, arguments.checkpoints, arguments.growth)
        finally:
            database.dispose()
    rows = [("cosign a peer's checkpoint (witness, SQLite)", cosigning), ("raw Ed25519 sign", raw)]
    print("| operation | p50 ms | p99 ms | mean ms |")
    print("|---|---|---|---|")
    for name, samples in rows:
        p50, p99 = percentiles(samples) if len(samples) > 1 else (samples[0] * 1000,) * 2
        print(f"| {name} | {p50:.3f} | {p99:.3f} | {statistics.fmean(samples) * 1000:.3f} |")
    ratio = statistics.fmean(cosigning) / statistics.fmean(raw)
    mean_ms = statistics.fmean(cosigning) * 1000
    verdict = "under" if mean_ms < TARGET_MS else "OVER"
    print(
        f"\n{len(cosigning)} checkpoints of a log growing by {arguments.growth} leaves: cosigning "
        f"takes {ratio:.0f} times a raw Ed25519 signature; mean {mean_ms:.2f} ms, {verdict} the "
        f"{TARGET_MS:.0f} ms target"
    )
    print(f"load average {watch.stop()}", file=sys.stderr)


if __name__ == "__main__":
    main()
