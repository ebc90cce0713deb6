"""Peers' checkpoints: accepting one (k cosignatures, consistent with all seen), witnessing one
(this bank's witness cosigns its peers' logs), and keeping the evidence of a fork.

**Accepting** (:func:`accept_checkpoint`, what an import of a peer's records calls): the
checkpoint must be signed by the peer's log key, carry at least ``k`` valid cosignatures of
distinct witnesses this bank trusts (its own witness and the witnesses of its other approved
peers; never the peer's own, which vouches for nothing), and be consistent with every
checkpoint of that peer the bank has seen. Seen checkpoints are consistent with each other (each
was checked when it came), and consistency of Merkle trees is transitive, so checking the new
one against the largest smaller and the smallest larger seen checkpoint checks it against all:
a same size with another root, a proof that does not verify or a proof the peer cannot give is
a fork, refused (``checkpoint_fork``) with both checkpoints as evidence.

**Witnessing** (:func:`witness_checkpoint`, behind ``POST /witness/add-checkpoint``): the C2SP
tlog-witness protocol, as :class:`creditbank.ledger.witness.Witness` serves it, but for the
bank's approved peers and with the state in the database (the checkpoints seen, shared with
accepting): a peer's checkpoint is cosigned when it is signed by the peer's log key and grows
append-only from the largest one seen.

The peer's row is locked (``db.for_update``) before the checkpoints seen are read, so two
requests for one peer are taken one after the other and never roll its log back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Final
from urllib.parse import urlsplit

import httpx2
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from creditbank.clock import today
from creditbank.db import UnitOfWork, for_update
from creditbank.ledger import api as ledger
from creditbank.ledger import merkle, notes
from creditbank.ledger.witness import (
    BAD_REQUEST,
    CONFLICT,
    FORBIDDEN,
    NOT_FOUND,
    UNPROCESSABLE,
    WitnessRefusal,
    parse_add_checkpoint,
)
from creditbank.messages import msg
from creditbank.peers import store
from creditbank.peers.model import (
    AcceptedCheckpoint,
    ForkEvidence,
    PeerError,
    PeerStatus,
    TrustedPeer,
)
from creditbank.peers.tables import PeerCheckpointRow, PeerForkRow, PeerRow

PEER_SETTINGS: Final = "creditbank.peers.settings"
"""Key, in a unit of work's session info, of the :class:`PeerSettings` the composition root
wires (the witness's key, how many cosignatures a peer's checkpoint needs)."""
TIMEOUT_SECONDS = 10
HTTP_OK = 200


class CheckpointFork(PeerError):  # noqa: N818 - a refusal: the fork is what it names
    """A peer's checkpoint that cannot be true together with one seen before: ``evidence``."""

    def __init__(self, evidence: ForkEvidence) -> None:
        self.evidence = evidence
        super().__init__(
            "checkpoint_fork",
            msg(
                "the log of {origin} forked: {reason}",
                origin=evidence.origin,
                reason=evidence.reason,
            ),
            extensions={"seen_checkpoint": evidence.seen, "new_checkpoint": evidence.new},
        )


class ProofUnavailable(Exception):  # noqa: N818 - what a proof fetcher raises: the peer has none
    """The peer gives no consistency proof between two sizes (a fork, when it should)."""


FetchProof = Callable[[TrustedPeer, int, int], Sequence[bytes]]
"""``(peer, first, second)``: the RFC 9162 consistency proof between two sizes of the peer's
log; :class:`ProofUnavailable` if the peer has none, ``OSError`` if it cannot be reached."""


@dataclass(frozen=True, slots=True)
class PeerSettings:
    """What the composition root wires: the witness's key and the cosignatures required."""

    witness: notes.CosignatureSigner
    cosignatures_required: int = 1
    public_url: str = "http://localhost:8000"
    """Where the bank is reached: its witness answers at ``{public_url}/witness``."""


def _witness_of_seed(origin: str, seed: bytes) -> notes.CosignatureSigner:
    return notes.CosignatureSigner(f"{origin}/witness", Ed25519PrivateKey.from_private_bytes(seed))


def development_witness(origin: str) -> notes.CosignatureSigner:
    """A witness key anybody can derive (development and tests), named ``<origin>/witness``."""
    seed = hashlib.sha256(f"creditbank development witness key\n{origin}".encode()).digest()
    return _witness_of_seed(origin, seed)


def derived_witness(origin: str, log_private_key: str | None) -> notes.CosignatureSigner:
    """The witness key derived from the log's private key (SHA-256 of a label and the key: a
    key of its own, which reveals nothing of the log's), or the development witness."""
    if log_private_key is None:
        return development_witness(origin)
    seed = hashlib.sha256(f"creditbank witness key\n{log_private_key}".encode()).digest()
    return _witness_of_seed(origin, seed)


def witness_signer(private_key: str) -> notes.CosignatureSigner:
    """The witness key of ``CREDITBANK_WITNESS_KEY`` (an Ed25519 ``PRIVATE+KEY+...`` string)."""
    return notes.CosignatureSigner.from_private_key(private_key)


_development: dict[str, PeerSettings] = {}


def peer_settings(uow: UnitOfWork) -> PeerSettings:
    """The wired settings, or the development witness and one cosignature."""
    found = uow.session.info.get(PEER_SETTINGS)
    if isinstance(found, PeerSettings):
        return found
    origin = ledger.log_origin(uow=uow)
    if origin not in _development:
        _development[origin] = PeerSettings(development_witness(origin))
    return _development[origin]


def http_fetch_proof(peer: TrustedPeer, first: int, second: int) -> list[bytes]:
    """The proof from the peer's public log: ``GET {url}/api/v1/log/proof/consistency``. An
    answer other than 200 is :class:`ProofUnavailable` (the peer has no such proof); no answer is
    ``OSError`` (the peer is unreachable)."""
    url = f"{peer.url.rstrip('/')}/api/v1/log/proof/consistency"
    try:
        answer = httpx2.get(
            url,
            params={"first": first, "second": second},
            timeout=TIMEOUT_SECONDS,
            follow_redirects=False,
        )
    except httpx2.HTTPError as error:
        raise OSError(str(error)) from error
    if answer.status_code != HTTP_OK:
        raise ProofUnavailable(f"the peer answered {answer.status_code}")
    try:
        body = answer.json()
    except ValueError:
        raise ProofUnavailable("the peer's answer is not JSON") from None
    hashes = body.get("hashes") if isinstance(body, dict) else None
    if not isinstance(hashes, list):
        raise ProofUnavailable("the peer's answer holds no hashes")
    decoded = [notes.decode_base64(h) if isinstance(h, str) else None for h in hashes]
    if any(h is None or len(h) != merkle.HASH_SIZE for h in decoded):
        raise ProofUnavailable("the peer's proof holds something that is not a hash")
    return [h for h in decoded if h is not None]


# --- reading and checking ---------------------------------------------------------------------


def peer_witnesses(uow: UnitOfWork) -> list[ledger.Witness]:
    """The witnesses of the approved peers whose agreement is in force: the bank asks them to
    cosign its own checkpoints, as they ask this bank's witness (wired as a witness source)."""
    on = today()
    return [
        ledger.Witness(verifier_key=peer.witness_key, url=peer.witness_url)
        for peer in (store.trusted(row) for row in store.approved_rows(uow))
        if peer.agreement.in_force(on)
    ]


def trusted_peer_at(*, uow: UnitOfWork, host: str) -> TrustedPeer | None:
    """The approved peer in force today whose public URL is on ``host`` (a ``did:web``'s), if
    any."""
    on = today()
    for peer in (store.trusted(row) for row in store.approved_rows(uow)):
        if urlsplit(peer.url).netloc == host and peer.agreement.in_force(on):
            return peer
    return None


def trusted_peer(*, uow: UnitOfWork, origin: str, on: date | None = None) -> TrustedPeer:
    """The approved peer of ``origin`` whose agreement is in force ``on`` (today by default)."""
    row = uow.session.scalar(
        select(PeerRow).where(
            PeerRow.origin == origin.strip(), PeerRow.status == PeerStatus.APPROVED.value
        )
    )
    peer = None if row is None else store.trusted(row)
    if peer is None or not peer.agreement.in_force(on or today()):
        raise PeerError(
            "unknown_peer",
            msg("{origin} is not a peer bank this bank trusts now", origin=origin[:255]),
        )
    return peer


def _checkpoint(peer: TrustedPeer, note: str) -> tuple[notes.Checkpoint, notes.OpenedNote]:
    """The checkpoint of ``note``, signed by the peer's log key and naming its origin."""
    try:
        opened = notes.open_note(note, [notes.Verifier.from_verifier_key(peer.log_key)])
        checkpoint = notes.Checkpoint.parse(opened.text)
    except notes.NoteError as error:
        raise PeerError(
            "invalid_checkpoint",
            msg(
                "the checkpoint is not a checkpoint signed by the log key of {origin}: {error}",
                origin=peer.origin,
                error=str(error),
            ),
        ) from None
    if checkpoint.origin != peer.origin:
        raise PeerError(
            "invalid_checkpoint",
            msg(
                "the checkpoint names the log {named}, not {origin}",
                named=checkpoint.origin,
                origin=peer.origin,
            ),
        )
    return checkpoint, opened


def trusted_witnesses(uow: UnitOfWork, peer: TrustedPeer) -> list[notes.CosignatureVerifier]:
    """The witnesses whose cosignatures count for ``peer``'s checkpoints: this bank's own and
    those of its other approved peers."""
    found = [peer_settings(uow).witness.verifier()]
    for row in store.approved_rows(uow):
        if row.id == peer.id:
            continue
        try:
            found.append(notes.CosignatureVerifier.from_verifier_key(row.witness_key))
        except notes.NoteError:  # pragma: no cover - checked when the peer was proposed
            continue
    return found


def count_cosignatures(
    checkpoint: notes.Checkpoint,
    signatures: Sequence[notes.Signature],
    witnesses: Sequence[notes.CosignatureVerifier],
) -> int:
    """How many distinct ``witnesses`` validly cosigned ``checkpoint``."""
    by_key = {(w.name, w.key_id): w for w in witnesses}
    counted: set[tuple[str, int]] = set()
    for signature in signatures:
        key = (signature.name, signature.key_id)
        witness = by_key.get(key)
        if witness is None or key in counted:
            continue
        try:
            notes.verify_cosignature(checkpoint, signature.line(), witness)
        except notes.NoteError:
            continue
        counted.add(key)
    return len(counted)


def _nearest(
    uow: UnitOfWork, peer_id: int, size: int
) -> tuple[PeerCheckpointRow | None, PeerCheckpointRow | None, PeerCheckpointRow | None]:
    """The seen checkpoints of ``peer_id``: of ``size``, the largest smaller, the smallest
    larger."""
    column = PeerCheckpointRow.tree_size
    base = select(PeerCheckpointRow).where(PeerCheckpointRow.peer_id == peer_id)
    same = uow.session.scalars(base.where(column == size)).first()
    below = uow.session.scalars(base.where(column < size).order_by(column.desc()).limit(1)).first()
    above = uow.session.scalars(base.where(column > size).order_by(column).limit(1)).first()
    return same, below, above


def _b64(data: bytes) -> str:
    return ledger.b64(data)


def _proves(
    peer: TrustedPeer,
    fetch: FetchProof,
    smaller: tuple[int, bytes],
    larger: tuple[int, bytes],
) -> str | None:
    """None if the peer proves that tree ``smaller`` grows into tree ``larger``; else why not."""
    (first, first_root), (second, second_root) = smaller, larger
    if first == 0:
        return None if first_root == merkle.EMPTY_ROOT else "the empty tree has another root"
    try:
        proof = list(fetch(peer, first, second))
    except ProofUnavailable as missing:
        return f"no consistency proof from tree {first} to tree {second}: {missing}"
    except OSError as error:
        raise PeerError(
            "peer_unreachable",
            msg(
                "the peer bank {origin} does not answer: {error}",
                origin=peer.origin,
                error=str(error),
            ),
        ) from None
    try:
        merkle.verify_consistency(first, second, proof, first_root, second_root)
    except merkle.ProofError as error:
        return (
            f"tree {first} with root {_b64(first_root)} does not grow into tree {second} "
            f"with root {_b64(second_root)}: {error}"
        )
    return None


def _check_consistent(
    uow: UnitOfWork, peer: TrustedPeer, checkpoint: notes.Checkpoint, note: str, fetch: FetchProof
) -> bool:
    """Raise :class:`CheckpointFork` unless ``checkpoint`` is consistent with every checkpoint
    of ``peer`` seen; whether it was seen already (same size, same root). Locks the peer."""
    uow.session.scalar(for_update(uow.session, select(PeerRow.id).where(PeerRow.id == peer.id)))
    same, below, above = _nearest(uow, peer.id, checkpoint.size)
    new = (checkpoint.size, checkpoint.root_hash)
    if same is not None:
        if bytes(same.root_hash) == checkpoint.root_hash:
            return True
        raise CheckpointFork(
            ForkEvidence(
                peer.origin,
                same.note,
                note,
                f"two checkpoints of tree {checkpoint.size} with different roots",
            )
        )
    if below is not None:
        reason = _proves(peer, fetch, (below.tree_size, bytes(below.root_hash)), new)
        if reason:
            raise CheckpointFork(ForkEvidence(peer.origin, below.note, note, reason))
    if above is not None:
        reason = _proves(peer, fetch, new, (above.tree_size, bytes(above.root_hash)))
        if reason:
            raise CheckpointFork(ForkEvidence(peer.origin, above.note, note, reason))
    return False


def _remember(
    uow: UnitOfWork, peer: TrustedPeer, checkpoint: notes.Checkpoint, note: str, source: str
) -> None:
    uow.session.add(
        PeerCheckpointRow(
            peer_id=peer.id,
            tree_size=checkpoint.size,
            root_hash=checkpoint.root_hash,
            note=note,
            source=source,
            seen_at=datetime.now(UTC),
        )
    )
    uow.session.flush()


def accept_checkpoint(
    *,
    uow: UnitOfWork,
    origin: str,
    note: str,
    fetch_proof: FetchProof | None = None,
    required: int | None = None,
) -> AcceptedCheckpoint:
    """Accept a trusted peer's cosigned checkpoint (see the module's doc), remembering it as
    seen; or refuse it (:class:`PeerError`, :class:`CheckpointFork`), storing nothing."""
    peer = trusted_peer(uow=uow, origin=origin)
    checkpoint, opened = _checkpoint(peer, note)
    needed = required if required is not None else peer_settings(uow).cosignatures_required
    got = count_cosignatures(checkpoint, opened.unverified, trusted_witnesses(uow, peer))
    if got < needed:
        raise PeerError(
            "too_few_cosignatures",
            msg(
                "the checkpoint of {origin} carries {got} valid cosignatures of witnesses this "
                "bank trusts; it needs {needed}",
                origin=peer.origin,
                got=got,
                needed=needed,
            ),
        )
    if not _check_consistent(uow, peer, checkpoint, note, fetch_proof or http_fetch_proof):
        _remember(uow, peer, checkpoint, note, "accepted")
    return AcceptedCheckpoint(peer.origin, checkpoint.size, checkpoint.root_hash, note, got)


# --- the evidence of forks ---------------------------------------------------------------------


def keep_fork(uow: UnitOfWork, evidence: ForkEvidence) -> None:
    """Keep ``evidence`` (once: the same two notes are kept once)."""
    peer = uow.session.scalar(
        select(PeerRow.id).where(PeerRow.origin == evidence.origin).order_by(PeerRow.id.desc())
    )
    if peer is None:  # pragma: no cover - evidence is only found for a peer
        return
    digest = hashlib.sha256(f"{evidence.seen}\x00{evidence.new}".encode()).hexdigest()
    if uow.session.scalar(select(PeerForkRow.id).where(PeerForkRow.digest == digest)):
        return
    uow.session.add(
        PeerForkRow(
            peer_id=peer,
            digest=digest,
            seen_note=evidence.seen,
            new_note=evidence.new,
            reason=evidence.reason,
            found_at=datetime.now(UTC),
        )
    )
    uow.session.flush()


# --- witnessing ---------------------------------------------------------------------------------


def witness_checkpoint(*, uow: UnitOfWork, request_body: bytes) -> bytes:
    """A tlog-witness ``add-checkpoint`` request from (or for) a peer: the cosignature line of
    this bank's witness, or :class:`WitnessRefusal` with the protocol's status. A fork shown to
    the witness raises :class:`CheckpointFork` (the route answers 409 and keeps the evidence)."""
    request = parse_add_checkpoint(request_body)
    origin, newline, _ = request.note.partition("\n")
    if not newline or not origin:
        raise WitnessRefusal(BAD_REQUEST, "the checkpoint note is malformed: no origin line")
    try:
        peer = trusted_peer(uow=uow, origin=origin)
    except PeerError:
        raise WitnessRefusal(NOT_FOUND, f"the witness does not know the log {origin!r}") from None
    try:
        checkpoint, _opened = _checkpoint(peer, request.note)
    except PeerError as refused:
        raise WitnessRefusal(FORBIDDEN, refused.render()) from None
    if request.old_size > checkpoint.size:
        raise WitnessRefusal(
            BAD_REQUEST,
            f"the old size {request.old_size} is larger than the checkpoint's size "
            f"{checkpoint.size}",
        )
    uow.session.scalar(for_update(uow.session, select(PeerRow.id).where(PeerRow.id == peer.id)))
    known = uow.session.scalars(
        select(PeerCheckpointRow)
        .where(PeerCheckpointRow.peer_id == peer.id)
        .order_by(PeerCheckpointRow.tree_size.desc())
        .limit(1)
    ).first()
    known_size = 0 if known is None else known.tree_size
    if request.old_size != known_size:
        raise WitnessRefusal(
            CONFLICT,
            f"the witness last saw tree {known_size} of {origin!r}, not tree {request.old_size}",
            known_size=known_size,
        )
    if checkpoint.size == 0 and checkpoint.root_hash != merkle.EMPTY_ROOT:
        raise WitnessRefusal(UNPROCESSABLE, "the checkpoint gives the empty tree another root")
    if known is None or known_size == 0:
        if request.proof:
            raise WitnessRefusal(UNPROCESSABLE, "a proof from the empty tree must be empty")
        if known is None or checkpoint.size > 0:
            _remember(uow, peer, checkpoint, request.note, "witnessed")
    elif checkpoint.size == known_size:
        if bytes(known.root_hash) != checkpoint.root_hash:
            raise CheckpointFork(
                ForkEvidence(
                    origin,
                    known.note,
                    request.note,
                    f"two checkpoints of tree {known_size} with different roots",
                )
            )
    else:
        try:
            merkle.verify_consistency(
                known_size,
                checkpoint.size,
                request.proof,
                bytes(known.root_hash),
                checkpoint.root_hash,
            )
        except merkle.ProofError as error:
            raise CheckpointFork(
                ForkEvidence(
                    origin,
                    known.note,
                    request.note,
                    f"tree {known_size} does not grow into tree {checkpoint.size}: {error}",
                )
            ) from None
        _remember(uow, peer, checkpoint, request.note, "witnessed")
    return notes.cosign(checkpoint, peer_settings(uow).witness).encode("utf-8")
