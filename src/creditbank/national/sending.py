"""A regional bank's side: the batch of references to the outcomes deposited since the last
batch it sent to a national bank, signed by this bank's log key and sent there.

The batch holds a reference for each ``outcome.deposited`` entry of the log past the last leaf
sent to that national bank (at most ``MAX_REFERENCES``; the next batch takes the rest): the leaf
(index and hash) and the facts the entry commits to that say what the outcome is (item, level,
credits, year), read back with ``accounts.api.deposited_records``; no learner, no account, no
record id. And a withdrawal for each ``outcome.revoked`` or ``outcome.superseded`` entry among
them: the deposit's leaf (the reference the national bank holds) and the event's leaf, so that a
revoked or corrected outcome no longer counts there. The send is noted (``national_sends``)
AFTER the national bank took the batch, not before, so that no lock of this bank's database is
held while waiting on the network (SQLite has one writer); of two parallel sends of the same
leaves both reach the national bank, which counts each reference once, and the second is refused
here (``send_in_progress``: the unique target + first leaf). A send the national bank refuses or
cannot take stores nothing, so the same leaves go in the next batch; a send taken there whose
unit of work then fails here goes again next time, and is still counted once.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx2
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from creditbank.access.policy import Action, Principal, require
from creditbank.accounts import api as accounts
from creditbank.db import UnitOfWork, hold_write_lock
from creditbank.ledger import api as ledger
from creditbank.ledger.api import LogKind
from creditbank.messages import msg
from creditbank.national.commands import SendReferences
from creditbank.national.model import (
    MAX_REFERENCES,
    NationalError,
    Reference,
    Withdrawal,
    digest_of,
    make_batch,
    signed_text,
)
from creditbank.national.tables import NationalSendRow
from creditbank.usecases import handler

Transport = Callable[[str, bytes], tuple[int, bytes]]
"""``(url, body) -> (status, answer body)``: POSTs a batch; raises ``OSError`` when the other
end cannot be reached."""
BATCHES_PATH = "/api/v1/national/batches"
TIMEOUT_SECONDS = 30
MAX_URL = 500
CREATED = 201
WITHDRAWN_BY: dict[LogKind, str] = {
    LogKind.OUTCOME_REVOKED: "revoked",
    LogKind.OUTCOME_SUPERSEDED: "superseded",
}
"""The log's events after which an outcome no longer counts, as a withdrawal names them."""
MAX_NAMED = 10
"""The most of the national bank's named problems a refusal repeats."""


def http_post(url: str, body: bytes) -> tuple[int, bytes]:
    """POST ``body`` (JSON) to ``url``."""
    try:
        answer = httpx2.post(
            url,
            content=body,
            headers={"Content-Type": "application/json", "Accept-Language": "en"},
            timeout=TIMEOUT_SECONDS,
        )
    except httpx2.HTTPError as error:
        raise OSError(str(error)) from error
    return answer.status_code, answer.content


@dataclass(frozen=True, slots=True)
class SentBatch:
    """A batch sent: where, which leaves, how many references, and what the national bank
    answered (its batch id and how many references were new there)."""

    target: str
    first_leaf: int
    last_leaf: int
    references: int
    digest: str
    answer: Mapping[str, Any]
    withdrawals: int = 0
    """Outcomes referred to before that the batch withdrew (revoked, superseded)."""


def reference_of(origin: str, leaf: ledger.Leaf, record: Mapping[str, object]) -> Reference:
    """The reference to the outcome whose deposit is ``leaf``, from its deposit's record."""
    given = record.get("credits")
    assessed = record["assessed_on"]
    year = assessed.year if isinstance(assessed, date) else int(str(assessed)[:4])
    version = record["level_framework_version"]
    return Reference(
        origin=origin,
        leaf_index=leaf.leaf_index,
        leaf_hash=_b64(leaf.leaf_hash),
        item_owner=str(record["item_owner"]),
        item_code=str(record["item_code"]),
        item_kind=str(record["item_kind"]),
        level_framework=str(record["level_framework"]),
        level_version=int(version) if isinstance(version, int | str) else 1,
        level_code=str(record["level_code"]),
        credits=None if given is None else Decimal(str(given)).quantize(Decimal("0.1")),
        year=year,
    )


def _target(url: str) -> str:
    target = url.strip().rstrip("/")
    if not target.startswith(("https://", "http://")) or len(target) > MAX_URL or " " in target:
        raise NationalError(
            "invalid_national_url",
            msg("the national bank's URL must be an http(s) URL, e.g. https://national.example"),
        )
    return target


@handler
def send_references(
    command: SendReferences,
    *,
    principal: Principal,
    uow: UnitOfWork,
    transport: Transport = http_post,
    now: datetime | None = None,
) -> SentBatch:
    """Send the national bank at ``command.url`` the references deposited since the last batch
    sent there (a bank administrator)."""
    require(principal, Action.MANAGE_NATIONAL, None)
    target = _target(command.url)
    last = uow.session.scalar(
        select(func.max(NationalSendRow.last_leaf)).where(NationalSendRow.target == target)
    )
    leaves = ledger.leaves_of(
        uow=uow,
        kinds=(*WITHDRAWN_BY, LogKind.OUTCOME_DEPOSITED),
        after=-1 if last is None else int(last),
        limit=MAX_REFERENCES,
    )
    if not leaves:
        raise NationalError(
            "nothing_to_send",
            msg("no outcome was deposited since the last batch sent to {target}", target=target),
        )
    origin = ledger.log_origin(uow=uow)
    deposits = [leaf for leaf in leaves if leaf.kind is LogKind.OUTCOME_DEPOSITED]
    records = accounts.deposited_records(uow=uow, public_ids=[leaf.record_id for leaf in deposits])
    references = [
        reference_of(origin, leaf, records[leaf.record_id])
        for leaf in deposits
        if leaf.record_id in records
    ]
    withdrawals = _withdrawals(uow, origin, leaves)
    at = now or datetime.now(UTC)
    batch = make_batch(
        sender=origin,
        sent_at=at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        references=references,
        withdrawals=withdrawals,
    )
    batch["signature"] = ledger.sign_note(uow=uow, text=signed_text(batch))
    body = json.dumps(batch, ensure_ascii=False).encode()
    try:
        status, answer = transport(target + BATCHES_PATH, body)
    except OSError:
        raise NationalError(
            "national_unreachable",
            msg("the national bank at {target} does not answer", target=target),
        ) from None
    parsed = _json(answer)
    if status != CREATED:
        named = parsed.get("problems")
        details = [str(parsed.get("detail") or parsed.get("title") or "")]
        if isinstance(named, list):
            details.extend(str(problem) for problem in named[:MAX_NAMED])
        raise NationalError(
            "national_refused",
            msg(
                "the national bank answered {status}: {detail}",
                status=status,
                detail="; ".join(d for d in details if d)[:2000],
            ),
        )
    row = NationalSendRow(
        target=target,
        first_leaf=leaves[0].leaf_index,
        last_leaf=leaves[-1].leaf_index,
        reference_count=len(references),
        digest=digest_of(batch),
        sent_at=at,
        by_user_id=principal.user_id,
    )
    hold_write_lock(uow.session)  # SQLite: BEGIN first, or RELEASE SAVEPOINT would commit
    try:
        with uow.session.begin_nested():
            uow.session.add(row)
            uow.session.flush()
    except IntegrityError:
        raise NationalError(
            "send_in_progress",
            msg(
                "another batch of the same outcomes was sent to {target} meanwhile (the "
                "national bank counts each once)",
                target=target,
            ),
        ) from None
    return SentBatch(
        target,
        row.first_leaf,
        row.last_leaf,
        len(references),
        row.digest,
        parsed,
        withdrawals=len(withdrawals),
    )


def _withdrawals(uow: UnitOfWork, origin: str, leaves: Sequence[ledger.Leaf]) -> list[Withdrawal]:
    """A withdrawal for each revocation or supersession among ``leaves``, naming the leaf of the
    outcome's deposit (the reference the national bank holds)."""
    found = []
    for leaf in leaves:
        if leaf.kind not in WITHDRAWN_BY:
            continue
        deposit = ledger.receipt_of(
            uow=uow, kind=LogKind.OUTCOME_DEPOSITED, record_id=leaf.record_id
        )
        if deposit is None:  # pragma: no cover - an outcome's events follow its deposit
            continue
        found.append(
            Withdrawal(
                origin=origin,
                leaf_hash=_b64(deposit.leaf_hash),
                event=WITHDRAWN_BY[leaf.kind],
                event_leaf_index=leaf.leaf_index,
                event_leaf_hash=_b64(leaf.leaf_hash),
            )
        )
    return found


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _json(body: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):  # not JSON, or nested too deep
        return {}
    return parsed if isinstance(parsed, dict) else {}
