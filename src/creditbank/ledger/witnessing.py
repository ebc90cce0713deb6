"""The bank's side of witnessing: ask each configured witness to cosign the newest checkpoint.

For each witness (``CREDITBANK_LOG_WITNESSES``, and the witness of each approved peer bank: the
composition root wires :data:`WITNESS_SOURCES`) the bank sends, per C2SP tlog-witness,
``old <size>`` (the largest tree the witness cosigned for us), the consistency proof from
that tree to the new one, and the signed checkpoint. A witness that answers 409 with
another size gets the proof from that size instead (once). Each cosignature returned is
checked with the witness's key before it is stored; the checkpoint endpoint then
publishes it with the checkpoint.
"""

from __future__ import annotations

import base64
import logging
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select

from creditbank.db import Database, UnitOfWork
from creditbank.ledger import notes, service
from creditbank.ledger.keys import Witness
from creditbank.ledger.tables import LogCheckpointRow, LogCosignatureRow

log = logging.getLogger(__name__)
HTTP_CONFLICT = 409
HTTP_OK = 200
TIMEOUT_SECONDS = 10

WITNESS_SOURCES = "creditbank.ledger.witness_sources"
"""In a unit of work's session info: functions ``(uow) -> witnesses`` naming more witnesses to
ask beside the configured ones (the approved peer banks' own)."""

Post = Callable[[str, bytes], tuple[int, bytes]]
"""POST ``body`` to a URL; the answer's status and body (an exception if unreachable)."""


def http_post(url: str, body: bytes) -> tuple[int, bytes]:
    """A plain HTTP POST with the standard library (the witness is any tlog-witness server)."""
    request = urllib.request.Request(url, data=body, method="POST")  # noqa: S310 - configured URL
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310
            return int(answer.status), bytes(answer.read())
    except urllib.error.HTTPError as refused:
        return int(refused.code), bytes(refused.read())


@dataclass(frozen=True, slots=True)
class WitnessOutcome:
    """What one witness said about one checkpoint."""

    witness: str
    tree_size: int
    cosigned: bool
    detail: str


def add_checkpoint_body(old_size: int, proof: list[bytes], note: str) -> bytes:
    """The tlog-witness ``add-checkpoint`` request body."""
    lines = [f"old {old_size}"] + [base64.b64encode(node).decode() for node in proof]
    return ("\n".join(lines) + "\n\n" + note).encode()


def _cosigned_size(database: Database, witness: str) -> int:
    with database.unit_of_work() as uow:
        size = uow.session.scalar(
            select(func.max(LogCheckpointRow.tree_size))
            .join(LogCosignatureRow, LogCosignatureRow.checkpoint_id == LogCheckpointRow.id)
            .where(LogCosignatureRow.witness == witness)
        )
    return int(size or 0)


def _ask(
    database: Database, witness: Witness, checkpoint: service.PublishedCheckpoint, post: Post
) -> WitnessOutcome:
    old = _cosigned_size(database, witness.name)
    for _attempt in range(2):
        with database.unit_of_work() as uow:
            proof = (
                service.consistency_proof(uow, first=old, second=checkpoint.tree_size)
                if 0 < old < checkpoint.tree_size
                else []
            )
        url = witness.url.rstrip("/") + "/add-checkpoint"
        status, answer = post(url, add_checkpoint_body(old, proof, checkpoint.note))
        if status == HTTP_CONFLICT and answer.strip().isdigit() and int(answer) != old:
            old = int(answer)
            if old > checkpoint.tree_size:
                break
            continue
        if status != HTTP_OK:
            return WitnessOutcome(
                witness.name,
                checkpoint.tree_size,
                cosigned=False,
                detail=f"{status}: {answer.decode(errors='replace').strip()}",
            )
        return _store(database, witness, checkpoint, answer.decode())
    return WitnessOutcome(
        witness.name, checkpoint.tree_size, cosigned=False, detail=f"the witness has size {old}"
    )


def _store(
    database: Database, witness: Witness, checkpoint: service.PublishedCheckpoint, answer: str
) -> WitnessOutcome:
    verifier = notes.CosignatureVerifier.from_verifier_key(witness.verifier_key)
    body = notes.Checkpoint.parse(checkpoint.note[: checkpoint.note.index("\n\n") + 1])
    lines = [line for line in answer.splitlines() if line.strip()]
    good = []
    for line in lines:
        try:
            notes.verify_cosignature(body, line, verifier)
        except notes.NoteError as error:
            return WitnessOutcome(
                witness.name, checkpoint.tree_size, cosigned=False, detail=str(error)
            )
        good.append(line)
    with database.unit_of_work() as uow:
        for line in good:
            uow.session.add(
                LogCosignatureRow(
                    checkpoint_id=checkpoint.id,
                    witness=witness.name,
                    signature_line=line + "\n",
                    received_at=datetime.now(UTC),
                )
            )
    return WitnessOutcome(witness.name, checkpoint.tree_size, cosigned=True, detail="")


def witnesses_to_ask(uow: UnitOfWork) -> list[Witness]:
    """The configured witnesses, then those the wired sources name (each key once)."""
    found = list(service.log_keys(uow).witnesses)
    keys = {witness.verifier_key for witness in found}
    sources: Sequence[Callable[[UnitOfWork], Sequence[Witness]]] = uow.session.info.get(
        WITNESS_SOURCES, ()
    )
    for source in sources:
        for witness in source(uow):
            if witness.verifier_key not in keys:
                keys.add(witness.verifier_key)
                found.append(witness)
    return found


def ask_witnesses(database: Database, post: Post = http_post) -> list[WitnessOutcome]:
    """Ask every witness (configured, or an approved peer bank's) to cosign the newest checkpoint
    it has not cosigned."""
    with database.unit_of_work() as uow:
        witnesses = witnesses_to_ask(uow)
        checkpoint = service.latest_checkpoint(uow)
        if checkpoint is None:
            return []
        done = set(
            uow.session.scalars(
                select(LogCosignatureRow.witness).where(
                    LogCosignatureRow.checkpoint_id == checkpoint.id
                )
            )
        )
    outcomes = []
    for witness in witnesses:
        if witness.name in done:
            continue
        try:
            outcome = _ask(database, witness, checkpoint, post)
        except (OSError, ValueError) as error:
            outcome = WitnessOutcome(
                witness.name, checkpoint.tree_size, cosigned=False, detail=str(error)
            )
        if not outcome.cosigned:
            log.warning(
                "witness %s did not cosign tree %s: %s",
                witness.name,
                outcome.tree_size,
                outcome.detail,
            )
        outcomes.append(outcome)
    return outcomes


class Publisher:
    """A thread that asks the witnesses every ``seconds`` while the server runs (none when no
    witness is configured and no source of witnesses is wired)."""

    def __init__(self, database: Database, seconds: int) -> None:
        self._database = database
        self._seconds = seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        with self._database.unit_of_work() as uow:
            if not (service.log_keys(uow).witnesses or uow.session.info.get(WITNESS_SOURCES)):
                return
        self._thread = threading.Thread(target=self._run, name="witnesses", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._seconds):
            try:
                ask_witnesses(self._database)
            except Exception:  # a round that fails is retried at the next tick
                log.exception("asking the witnesses failed")

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self._seconds + TIMEOUT_SECONDS)
