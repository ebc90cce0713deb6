"""Handler of bank B's side: accept a transfer package for a learner.

Every check, in this order; the first that fails refuses the whole package with a problem
naming the reason, and nothing is stored:

1. the package's shape (``invalid_transfer_package``) and that it is for this bank
   (``transfer_package_not_for_us``);
2. A is a trusted peer whose agreement is in force (``unknown_peer``, the peers area's);
3. A's signature over the package (``transfer_package_altered``), its expiry
   (``transfer_package_expired``), its nonce not used before here
   (``transfer_package_replayed``);
4. the learner: the package's salted hash is the hash of the identity number this bank holds
   sealed for the account it is handed to (``transfer_identity_mismatch``); or, where a
   registrar opens the learner's account here with the package, of the identity number the
   registrar read from the learner's papers (the account is opened, as any is, only then);
5. each credential: its issuer a DID of A, its key fetched from A (``issuer_key_unobtainable``),
   its signature and validity (``transferred_credential_invalid``), its status at A
   (``credential_status_unobtainable``, ``transferred_credential_revoked``);
6. under the write guard: the nonce again, A's checkpoint accepted: enough cosignatures,
   consistent with every checkpoint of A seen here (``too_few_cosignatures``,
   ``checkpoint_fork``: the peers area's), each receipt against that checkpoint
   (``transfer_receipt_invalid``), and no outcome of it imported here before
   (``outcome_already_imported``, by A's origin and leaf hash; the database's unique
   constraints decide a race).

Then each outcome is stored as imported, pending this bank's recognition decision; where this
bank's terms for A say so (:mod:`creditbank.transfers.terms`), it is recognised at once.

The network is read (A's DID documents and status lists) before the write guard is taken, so a
slow peer never holds this bank's writers.
"""

from __future__ import annotations

import hmac
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from creditbank.access.policy import (
    Action,
    LearnerPrincipal,
    Principal,
    require,
    require_own_account,
)
from creditbank.accounts import api as accounts
from creditbank.db import UnitOfWork, for_update
from creditbank.ledger import api as ledger
from creditbank.messages import msg
from creditbank.peers import api as peers
from creditbank.transfers import recognition, statistics, verification
from creditbank.transfers.commands import ImportTransfer, NewLearner
from creditbank.transfers.model import (
    ImportStatus,
    Package,
    TransferError,
    identity_hash,
    read_json,
    read_package,
    signed_text,
)
from creditbank.transfers.packages import LINK_PATH
from creditbank.transfers.tables import ImportedOutcomeRow, TransferImportRow
from creditbank.transfers.verification import CheckedOutcome, Fetch, PeerResolver
from creditbank.transfers.views import Transfer, transfer_of
from creditbank.usecases import handler


@dataclass(frozen=True, slots=True)
class _Received:
    package: Package
    peer: peers.TrustedPeer


def _read(command: ImportTransfer, fetch: Fetch) -> Package:
    if (command.package is None) == (command.url is None):
        raise TransferError(
            "invalid_transfer_request", msg("give the package or its one-time link: one of the two")
        )
    if command.url is not None:
        url = command.url.strip()
        parts = urlsplit(url)
        if (
            parts.scheme not in {"https", "http"}
            or not parts.path.startswith(LINK_PATH)
            or parts.query
            or parts.fragment
        ):  # a bank's transfer link and nothing else: this bank fetches no other address
            raise TransferError(
                "invalid_transfer_request",
                msg("a transfer link is an http(s) URL ending in {path}TOKEN", path=LINK_PATH),
            )
        try:
            data = fetch(url)
        except OSError as error:
            raise TransferError(
                "transfer_link_not_found",
                msg("the transfer link gave no package: {detail}", detail=str(error)[:200]),
            ) from error
        return read_package(read_json(data))
    assert command.package is not None  # noqa: S101 - checked above
    return read_package(read_json(command.package))


def _received(uow: UnitOfWork, package: Package, now: datetime) -> _Received:
    own = ledger.log_origin(uow=uow)
    if package.target != own:
        raise TransferError(
            "transfer_package_not_for_us",
            msg("this package is for {target}, not for this bank", target=package.target[:255]),
        )
    peer = peers.trusted_peer(uow=uow, origin=package.source)
    text = ledger.signed_note_text(package.signature, peer.log_key)
    if text is None or not hmac.compare_digest(text, signed_text(package.raw)):
        raise TransferError(
            "transfer_package_altered",
            msg("the package is not as {peer} signed it", peer=peer.origin),
        )
    if package.expires <= now:
        raise TransferError(
            "transfer_package_expired",
            msg("the package expired at {at}; ask for a new one", at=package.expires.isoformat()),
        )
    return _Received(package, peer)


def _replayed(uow: UnitOfWork, package: Package) -> TransferError | None:
    used = uow.session.scalar(
        select(TransferImportRow.id).where(
            TransferImportRow.source == package.source, TransferImportRow.nonce == package.nonce
        )
    )
    if used is None:
        return None
    return TransferError(
        "transfer_package_replayed", msg("this package was handed over here before")
    )


def _account(uow: UnitOfWork, number: str) -> accounts.LearnerRef:
    found = accounts.find_learner(uow=uow, account_number=number)
    if found is None:
        raise accounts.AccountError(
            "account_not_found", msg("there is no account {number}", number=number.strip().upper())
        )
    return found


def _opened(
    uow: UnitOfWork,
    package: Package,
    new: NewLearner,
    principal: Principal,
    cipher: accounts.PersonalDataCipher,
) -> accounts.LearnerRef:
    """The account of the learner the package names, opened here by ``principal`` (or the one
    the identity number has, to a registrar who names its holder as it does)."""
    try:
        id_type = None if not new.id_type else accounts.IdType(new.id_type)
    except ValueError as error:
        raise TransferError(
            "invalid_transfer_request",
            msg("{type} is not a kind of identity document", type=repr(new.id_type)),
        ) from error
    id_number = accounts.parse_id_number(new.id_number, id_type)
    if not hmac.compare_digest(
        identity_hash(package.learner_salt, id_number.index_key), package.learner_hash
    ):
        raise _mismatch()
    opened = accounts.open_account(
        uow=uow,
        cipher=cipher,
        id_number=id_number,
        name=new.name,
        opened_by=principal.institution,
    )
    return _account(uow, opened.number)


def _mismatch() -> TransferError:
    return TransferError(
        "transfer_identity_mismatch",
        msg("the package names another learner than the holder of this account"),
    )


def _check_learner(
    uow: UnitOfWork, package: Package, learner_id: int, cipher: accounts.PersonalDataCipher
) -> None:
    index_key = accounts.identity_index_key(uow=uow, cipher=cipher, learner_id=learner_id)
    if not hmac.compare_digest(
        identity_hash(package.learner_salt, index_key), package.learner_hash
    ):
        raise _mismatch()


def check_credentials(received: _Received, *, fetch: Fetch, now: datetime) -> None:
    """Every credential of the package, checked (the network is read here)."""
    resolver = PeerResolver(received.peer, fetch)
    for position, packaged in enumerate(received.package.outcomes, start=1):
        verification.verify_credential(resolver, packaged, position, now)


def check_receipts(received: _Received) -> list[CheckedOutcome]:
    """Every receipt of the package against its checkpoint (pure), and what B stores."""
    checked: list[CheckedOutcome] = []
    for position, packaged in enumerate(received.package.outcomes, start=1):
        verdict = verification.check_receipt(
            packaged,
            checkpoint=received.package.checkpoint,
            log_key=received.peer.log_key,
            position=position,
        )
        checked.append(verification.outcome_facts(packaged, verdict, position))
    return checked


def _already_imported(source: str, leaf_hashes: Sequence[str]) -> TransferError:
    return TransferError(
        "outcome_already_imported",
        msg(
            "{count} of these outcomes were imported from {peer} before",
            count=len(leaf_hashes),
            peer=source,
        ),
    )


def _check_new(uow: UnitOfWork, source: str, checked: list[CheckedOutcome]) -> None:
    hashes = [one.leaf_hash for one in checked]
    repeated = [h for h in set(hashes) if hashes.count(h) > 1]
    if repeated:
        raise _already_imported(source, repeated)
    known = list(
        uow.session.scalars(
            select(ImportedOutcomeRow.leaf_hash).where(
                ImportedOutcomeRow.source == source, ImportedOutcomeRow.leaf_hash.in_(hashes)
            )
        )
    )
    if known:
        raise _already_imported(source, known)


def _store(
    uow: UnitOfWork,
    received: _Received,
    checked: list[CheckedOutcome],
    *,
    learner_id: int,
    checkpoint_size: int,
    by_user_id: int | None,
    now: datetime,
) -> TransferImportRow:
    package = received.package
    row = TransferImportRow(
        public_id=uuid.uuid4().hex,
        learner_id=learner_id,
        source=package.source,
        nonce=package.nonce,
        checkpoint_size=checkpoint_size,
        checkpoint=package.checkpoint,
        made_at=package.created,
        imported_at=now,
        by_user_id=by_user_id,
    )
    uow.session.add(row)
    uow.session.flush()
    uow.session.add_all(
        ImportedOutcomeRow(
            public_id=uuid.uuid4().hex,
            import_id=row.id,
            learner_id=learner_id,
            source=package.source,
            leaf_hash=one.leaf_hash,
            leaf_index=one.leaf_index,
            credential_id=one.credential_id,
            issuer=one.issuer[:255],
            source_institution=one.institution[:64],
            item_code=one.item_code[:100],
            item_kind=one.item_kind[:32],
            item_name=one.item_name,
            framework=one.framework[:32],
            level=one.level[:32],
            credits=one.credits,
            assessed_on=one.assessed_on,
            setting=one.setting,
            credential=one.packaged.credential,
            receipt=one.packaged.receipt,
            status=ImportStatus.PENDING.value,
            status_checked_at=now,
            reason="",
        )
        for one in checked
    )
    uow.session.flush()
    return row


def _accepted(uow: UnitOfWork, received: _Received) -> peers.AcceptedCheckpoint:
    """A's checkpoint accepted (remembered as seen); a parallel import that remembered the same
    checkpoint first makes this one read it as seen."""
    try:
        with uow.session.begin_nested():
            return peers.accept_checkpoint(
                uow=uow, origin=received.peer.origin, note=received.package.checkpoint
            )
    except IntegrityError:
        return peers.accept_checkpoint(
            uow=uow, origin=received.peer.origin, note=received.package.checkpoint
        )


@handler
def import_transfer(
    command: ImportTransfer,
    *,
    principal: Principal | LearnerPrincipal,
    uow: UnitOfWork,
    now: datetime,
    cipher: accounts.PersonalDataCipher,
    fetch: Fetch = verification.http_fetch,
) -> Transfer:
    """Accept the package for the account: the learner's own, or handed over for the learner by
    an institution's registrar or a bank administrator. Each outcome is stored as imported,
    pending this bank's recognition decision."""
    opening = None
    if isinstance(principal, LearnerPrincipal):
        require_own_account(principal, command.account_number)
    else:
        require(principal, Action.IMPORT_TRANSFER, principal.institution)
        if command.new_learner is not None:
            require(principal, Action.OPEN_ACCOUNT, principal.institution)
            opening = command.new_learner
    learner = None if opening is not None else _account(uow, command.account_number)
    received = _received(uow, _read(command, fetch), now)
    replayed = _replayed(uow, received.package)
    if replayed is not None:
        raise replayed
    if learner is not None:
        _check_learner(uow, received.package, learner.id, cipher)
    else:
        assert opening is not None  # noqa: S101 - one of the two
        assert isinstance(principal, Principal)  # noqa: S101 - staff open accounts
        learner = _opened(uow, received.package, opening, principal, cipher)
    check_credentials(received, fetch=fetch, now=now)
    # the write guard: of two imports of the same package or outcome, one stores it
    uow.session.execute(
        for_update(
            uow.session,
            select(TransferImportRow.id).where(
                TransferImportRow.source == received.package.source,
                TransferImportRow.nonce == received.package.nonce,
            ),
        )
    )
    replayed = _replayed(uow, received.package)
    if replayed is not None:
        raise replayed
    accepted = _accepted(uow, received)
    checked = check_receipts(received)
    _check_new(uow, received.package.source, checked)
    try:
        with uow.session.begin_nested():
            row = _store(
                uow,
                received,
                checked,
                learner_id=learner.id,
                checkpoint_size=accepted.size,
                by_user_id=(principal.user_id or None)
                if isinstance(principal, Principal)
                else None,
                now=now,
            )
    except IntegrityError as error:
        raise (
            _replayed(uow, received.package)
            or _already_imported(received.package.source, [c.leaf_hash for c in checked])
        ) from error
    stored = list(
        uow.session.scalars(
            select(ImportedOutcomeRow)
            .where(ImportedOutcomeRow.import_id == row.id)
            .order_by(ImportedOutcomeRow.id)
        )
    )
    recognition.recognise_automatically(uow, stored, now)
    statistics.tally(uow, "imported", received.package.source, now)
    return transfer_of(uow, row)
