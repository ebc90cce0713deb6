"""The verifier's view of this bank: its registered keys, status lists and log.

:class:`BankResolver` answers the pure verifier (:mod:`creditbank.credentials.verifier`) from
the database, and nothing from the network; :func:`verify` runs every check with it, or, for a
credential another bank issued, with the resolver a wired :data:`FOREIGN_RESOLVERS` function
gives for its issuer (a trusted peer bank's, which reads that bank's keys, lists and log).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select

from creditbank.credentials import multikey, receipts, verifier
from creditbank.credentials.signing import BANK, CredentialError, host, public_url, utc
from creditbank.credentials.status_lists import status_list_credential
from creditbank.credentials.tables import SigningKeyRow
from creditbank.db import UnitOfWork
from creditbank.ledger import api as ledger

FOREIGN_RESOLVERS = "creditbank.credentials.foreign_resolvers"
"""In a unit of work's session info: functions ``(uow, issuer DID, now) -> resolver or None``
for credentials this bank did not issue (wired by the composition root: trusted peer banks)."""

ForeignResolver = Callable[[UnitOfWork, str, datetime], "verifier.Resolver | None"]


class BankResolver:
    """The verifier's view of this bank: its registered keys, status lists and log."""

    def __init__(self, uow: UnitOfWork, now: datetime) -> None:
        self._uow = uow
        self._now = now
        self._base = public_url(uow)
        self.host = host(uow)
        """This bank's host: its own ``did:web`` ids are on it."""
        self._lists: dict[str, dict[str, Any] | None] = {}

    def key(self, verification_method: str) -> verifier.KeyRecord | None:
        if not verification_method.startswith("did:web:"):
            return None
        host, path = multikey.did_web_parts(verification_method)
        name = verification_method.partition("#")[2]
        if host != self.host or not name:
            return None
        if not path:
            owner = BANK
        elif len(path) == 2 and path[0] == "institutions":  # noqa: PLR2004
            owner = path[1].upper()
        else:
            return None
        row = self._uow.session.scalar(
            select(SigningKeyRow).where(
                SigningKeyRow.owner == owner,
                SigningKeyRow.name == name,
                SigningKeyRow.did_method == "web",
            )
        )
        if row is None:
            return None
        return verifier.KeyRecord(
            public_key=multikey.decode_public_key(row.public_key),
            controller=verification_method.split("#", 1)[0],
            valid_from=utc(row.valid_from),
            valid_until=utc(row.valid_until) if row.valid_until else None,
            compromised_from=utc(row.compromised_from) if row.compromised_from else None,
            registered=True,
        )

    def status_list(self, url: str) -> dict[str, Any] | None:
        prefix = f"{self._base}/api/v1/credentials/status/"
        if not url.startswith(prefix):
            return None
        list_id, _, purpose = url.removeprefix(prefix).partition("/")
        if not list_id.isdigit():
            return None
        if url not in self._lists:  # a CLR's credentials share their lists: built once
            self._lists[url] = self._status_list(int(list_id), purpose)
        return self._lists[url]

    def _status_list(self, list_id: int, purpose: str) -> dict[str, Any] | None:
        try:
            return status_list_credential(
                uow=self._uow, list_id=list_id, purpose=purpose, now=self._now
            )
        except CredentialError as error:
            if error.code != "no_signing_key":
                return None
        # the bank's own list, but its issuer has no valid key to sign it: unsigned, it fails
        # the status check rather than letting the credential pass unchecked
        return status_list_credential(
            uow=self._uow, list_id=list_id, purpose=purpose, now=self._now, signed=False
        )

    def included(self, receipt_url: str, leaf_index: int, leaf_hash: str) -> bool | None:
        prefix = f"{self._base}/api/v1/records/"
        if not (receipt_url.startswith(prefix) and receipt_url.endswith("/receipt")):
            return None
        record_id = receipt_url.removeprefix(prefix).removesuffix("/receipt")
        receipt = ledger.receipt_of(
            uow=self._uow, kind=ledger.LogKind.OUTCOME_DEPOSITED, record_id=record_id
        )
        if receipt is None:
            return False
        return receipt.leaf_index == leaf_index and ledger.b64(receipt.leaf_hash) == leaf_hash

    def log_proof(self, origin: str, leaf_index: int) -> verifier.LogProof | None:
        return receipts.own_log_proof(uow=self._uow, origin=origin, leaf_index=leaf_index)


def _issuer(data: str | bytes | dict[str, Any]) -> str | None:
    """The issuer's id of a credential given as JSON (None for anything else: the verifier says
    what is wrong with it)."""
    if not isinstance(data, dict):
        try:
            data = json.loads(data)
        except (ValueError, RecursionError):
            return None
    return verifier.issuer_id(data) if isinstance(data, dict) else None


def verify(
    *, uow: UnitOfWork, data: str | bytes | dict[str, Any], now: datetime
) -> verifier.Verdict:
    """Every check of a credential, answered from this bank's keys, lists and log; a credential
    of another bank's did:web, by the wired resolver that knows that bank (if one does)."""
    own = BankResolver(uow, now)
    resolver: verifier.Resolver = own
    issuer = _issuer(data)
    if issuer is not None and issuer.startswith("did:web:"):
        host_of_issuer, _ = multikey.did_web_parts(issuer)
        if host_of_issuer != own.host:
            foreign: Sequence[ForeignResolver] = uow.session.info.get(FOREIGN_RESOLVERS, ())
            for resolve in foreign:
                found = resolve(uow, issuer, now)
                if found is not None:
                    resolver = found
                    break
    return verifier.verify(data, resolver=resolver, now=now)
