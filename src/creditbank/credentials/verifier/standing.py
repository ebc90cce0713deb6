"""The checks of a credential's standing: ``validity`` dates, ``status`` lists (revoked or
suspended), and the bank's ``ledger`` (the deposit's inclusion in its log)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from creditbank.credentials import documents, statuslist
from creditbank.credentials.verifier.model import Check, Checks, JsonObject, LogProofs, Resolver
from creditbank.credentials.verifier.receipt import (
    EmbeddedReceipt,
    check_receipt,
    embedded_receipt,
)
from creditbank.credentials.verifier.signature import when
from creditbank.credentials.verifier.stated import ReceiptError
from creditbank.messages import msg


def validity(credential: JsonObject, now: datetime, checks: Checks) -> None:
    starts = credential.get("validFrom", credential.get("issuanceDate"))
    ends = credential.get("validUntil", credential.get("expirationDate"))
    start, end = when(starts), when(ends)
    if (starts is not None and start is None) or (ends is not None and end is None):
        checks.failed(
            Check.VALIDITY, "bad_date", msg("a validity date is not a dateTime with a zone")
        )
        return
    if start is not None and start > now:
        checks.failed(
            Check.VALIDITY,
            "not_yet_valid",
            msg("the credential is valid only from {start}", start=documents.timestamp(start)),
        )
        return
    if end is not None and end <= now:
        checks.failed(
            Check.VALIDITY,
            "expired",
            msg("the credential expired on {end}", end=documents.timestamp(end)),
        )
        return
    checks.passed(Check.VALIDITY, msg("within its validity dates"))


def status(
    credential: JsonObject,
    resolver: Resolver,
    checks: Checks,
    lists_verified: dict[str, bool],
    verifies: Callable[[JsonObject], bool],
) -> None:
    """``verifies`` answers whether a status list credential verifies (its own checks but
    status: a list has no list)."""
    entries = credential.get("credentialStatus")
    if entries is None:
        checks.skipped(Check.STATUS, "no_status", msg("the credential has no status list entry"))
        return
    listed = entries if isinstance(entries, list) else [entries]
    checked = 0
    for entry in listed:
        if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
            continue
        url = str(entry.get("statusListCredential", ""))
        purpose = str(entry.get("statusPurpose", ""))
        try:
            index = int(str(entry.get("statusListIndex")))
        except ValueError:
            checks.failed(Check.STATUS, "bad_entry", msg("a statusListIndex is not a number"))
            return
        list_credential = resolver.status_list(url)
        if list_credential is None:
            continue
        if url not in lists_verified:  # a CLR's credentials share their lists
            lists_verified[url] = verifies(list_credential)
        subject = list_credential.get("credentialSubject", {})
        if not lists_verified[url] or subject.get("statusPurpose") != purpose:
            checks.failed(
                Check.STATUS,
                "bad_list",
                msg("the status list {url} does not verify", url=url),
            )
            return
        try:
            is_set = statuslist.get_bit(statuslist.decode(str(subject.get("encodedList"))), index)
        except statuslist.StatusListError as error:
            checks.failed(
                Check.STATUS,
                "bad_list",
                msg("the status list cannot be read: {detail}", detail=str(error)),
            )
            return
        checked += 1
        if is_set and purpose == statuslist.REVOCATION:
            checks.failed(Check.STATUS, "revoked", msg("the issuer has revoked this credential"))
            return
        if is_set and purpose == statuslist.SUSPENSION:
            checks.failed(
                Check.STATUS, "suspended", msg("the issuer has suspended this credential")
            )
            return
    if checked:
        checks.passed(Check.STATUS, msg("neither revoked nor suspended"))
    else:
        checks.skipped(
            Check.STATUS,
            "not_offline",
            msg("the status list is not this bank's and cannot be fetched offline"),
        )


def ledger(credential: JsonObject, resolver: Resolver, checks: Checks) -> None:
    """A self-contained receipt is recomputed from the credential and proven against the log's
    newest checkpoint, where the resolver knows the log; a receipt of before (a URL) is
    looked up in the bank's log."""
    try:
        embedded = embedded_receipt(credential)
    except ReceiptError as error:
        checks.failed(Check.LEDGER, error.code, error.message)
        return
    if embedded is not None:
        _self_contained(credential, embedded, resolver, checks)
        return
    receipt = documents.receipt_in(credential)
    if receipt is None:
        checks.skipped(Check.LEDGER, "no_receipt", msg("the credential links to no ledger receipt"))
        return
    included = resolver.included(*receipt)
    if included is None:
        checks.skipped(Check.LEDGER, "not_ours", msg("the receipt is not in this bank's log"))
    elif included:
        checks.passed(
            Check.LEDGER,
            msg(
                "the record is entry {index} of the bank's log, included in its signed tree",
                index=receipt[1],
            ),
        )
    else:
        checks.failed(
            Check.LEDGER,
            "not_included",
            msg(
                "the bank's log has no entry {index} with that hash for this record",
                index=receipt[1],
            ),
        )


def _self_contained(
    credential: JsonObject, embedded: EmbeddedReceipt, resolver: Resolver, checks: Checks
) -> None:
    proof = (
        resolver.log_proof(embedded.log, embedded.leaf_index)
        if isinstance(resolver, LogProofs)
        else None
    )
    if proof is None:
        checks.skipped(
            Check.LEDGER,
            "not_ours",
            msg(
                "the receipt is of log {log}, whose proofs this verifier cannot have",
                log=embedded.log,
            ),
        )
        return
    verdict = check_receipt(
        credential, proof.receipt, proof.checkpoint, proof.log_key, proof.witness_keys, proof.k
    )
    if verdict.ok:
        checks.passed(
            Check.LEDGER,
            msg(
                "the record is entry {index} of log {log}, recomputed from the credential and "
                "included in its signed tree of {size} entries",
                index=embedded.leaf_index,
                log=embedded.log,
                size=verdict.tree_size,
            ),
        )
        return
    first = verdict.failures[0]
    checks.failed(Check.LEDGER, first.code, first.message)
