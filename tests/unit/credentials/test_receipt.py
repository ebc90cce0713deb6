"""A credential's self-contained receipt, checked from the credential and a cosigned checkpoint.

The pure check (:func:`check_receipt`) on an Open Badge built by the bank's document builder
for a v2 record logged by the ledger's own model among other leaves (tests/support/receipts):
the good one passes with its leaf hash, tree and cosigners named; each way of spoiling it
(credits, item or date changed in the credential, another learner, a wrong salt, a receipt
that restates what the credential says, a checkpoint not signed by the log's key, too few
trusted cosignatures, a proof of another leaf or tree, an old URL-only receipt) fails with the
code that names why. The verifier's ledger check uses the same function.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from datetime import UTC, datetime

import pytest

from creditbank.credentials import documents, verifier
from creditbank.credentials.verifier import Check, KeyRecord, LogProof, Result
from creditbank.credentials.verifier.receipt import (
    check_receipt,
    committed_record,
    embedded_receipt,
)
from creditbank.credentials.verifier.stated import STATED
from creditbank.ledger.model import canonical_json
from tests.support import receipts
from tests.support.receipts import RECORD, WITNESSES, Bundle

GOOD = receipts.good()


def test_a_good_receipt_verifies_and_names_what_it_proved() -> None:
    verdict = check_receipt(*GOOD.arguments(k=2))

    assert verdict.ok, verdict.failures
    index, _body, leaves, root = receipts.logged()
    assert (verdict.origin, verdict.entry_id, verdict.leaf_index) == (
        receipts.ORIGIN,
        receipts.PUBLIC_ID,
        index,
    )
    assert verdict.leaf_hash == receipts.b64(leaves[index])
    assert (verdict.tree_size, verdict.root_hash) == (len(leaves), receipts.b64(root))
    assert verdict.cosigned_by == tuple(witness.name for witness in WITNESSES)
    assert verdict.record == RECORD


def test_the_receipt_carries_only_what_the_credential_does_not_state() -> None:
    receipt = embedded_receipt(GOOD.credential)
    assert receipt is not None
    assert set(receipt.record) == set(RECORD) - set(STATED)
    assert receipt.salt == receipts.SALT
    # the stated fields are read from the credential, and make the logged record again
    rebuilt = committed_record(GOOD.credential, receipt)
    assert canonical_json(rebuilt) == canonical_json(dict(RECORD))  # type: ignore[arg-type]


def test_no_account_number_travels() -> None:
    """The record names the learner by the identity hash the credential states (the account
    number's, salted with the outcome's public id): the credential holds no account number."""
    assert receipts.ACCOUNT not in json.dumps(GOOD.credential)
    restating = receipts.narrative(GOOD.credential)
    restating["record"]["learner"] = RECORD["learner"]
    restated = dataclasses.replace(
        GOOD, credential=receipts.with_narrative(GOOD.credential, restating)
    )
    assert check_receipt(*restated.arguments(k=2)).codes() == ["malformed_receipt"]


@pytest.mark.parametrize("case", sorted(receipts.altered(GOOD)))
def test_a_spoiled_receipt_fails_naming_why(case: str) -> None:
    bundle, k, code = receipts.altered(GOOD)[case]

    verdict = check_receipt(*bundle.arguments(k))

    assert not verdict.ok
    assert code in verdict.codes(), (case, verdict.failures)
    assert all(str(failure.message) for failure in verdict.failures)


def test_a_mismatched_commitment_leaves_no_record_and_no_leaf_hash() -> None:
    bundle, k, _code = receipts.altered(GOOD)["credits changed"]
    verdict = check_receipt(*bundle.arguments(k))
    assert verdict.codes() == ["commitment_mismatch"]
    assert (verdict.record, verdict.leaf_hash) == (None, None)


def test_k_counts_distinct_trusted_witnesses() -> None:
    assert check_receipt(*GOOD.arguments(k=0)).ok
    verdict = check_receipt(*GOOD.arguments(k=3))
    assert verdict.codes() == ["too_few_cosignatures"]
    doubled = dataclasses.replace(GOOD, witness_keys=GOOD.witness_keys[:1] * 2)
    assert check_receipt(*doubled.arguments(k=2)).codes() == ["too_few_cosignatures"]
    assert check_receipt(*doubled.arguments(k=1)).ok


def test_another_logs_checkpoint_is_refused() -> None:
    _index, _body, leaves, root = receipts.logged()
    other = receipts._signer("bank-b.example/log", 3)
    bundle = dataclasses.replace(
        GOOD,
        checkpoint=receipts.checkpoint(len(leaves), root, log=other, origin=other.name),
        log_key=other.verifier_key(),
    )
    assert "wrong_log" in check_receipt(*bundle.arguments(k=2)).codes()


@pytest.mark.parametrize(
    ("checkpoint", "log_key", "code"),
    [
        ("not a note", GOOD.log_key, "malformed_checkpoint"),
        (GOOD.checkpoint, "not a key", "bad_log_key"),
        ("origin\n1\nAAAA\n\n— x AAAAAAAA\n", GOOD.log_key, "bad_checkpoint_signature"),
    ],
)
def test_a_checkpoint_that_cannot_be_read_is_named(
    checkpoint: str, log_key: str, code: str
) -> None:
    bundle = dataclasses.replace(GOOD, checkpoint=checkpoint, log_key=log_key)
    assert code in check_receipt(*bundle.arguments(k=0)).codes()


@pytest.mark.parametrize(
    "spoil",
    [
        lambda receipt: receipt.pop("hashes"),
        lambda receipt: receipt.update(hashes=["not base64!"]),
        lambda receipt: receipt.update(leaf_index="5"),
    ],
)
def test_a_malformed_inclusion_proof_is_named(spoil: object) -> None:
    receipt = copy.deepcopy(GOOD.receipt)
    spoil(receipt)  # type: ignore[operator]
    verdict = check_receipt(*dataclasses.replace(GOOD, receipt=receipt).arguments(k=2))
    assert verdict.codes() == ["malformed_receipt"]


def test_a_receipt_that_is_not_json_is_malformed() -> None:
    credential = copy.deepcopy(GOOD.credential)
    credential["evidence"][0]["narrative"] = "{not json"
    verdict = check_receipt(*dataclasses.replace(GOOD, credential=credential).arguments(k=2))
    assert verdict.codes()[0] == "malformed_receipt"


def test_a_kind_the_achievement_type_contradicts_is_refused() -> None:
    data = receipts.narrative(GOOD.credential)
    data["record"]["item_kind"] = "qualification"  # a Diploma, not a Course
    credential = receipts.with_narrative(GOOD.credential, data)
    verdict = check_receipt(*dataclasses.replace(GOOD, credential=credential).arguments(k=2))
    assert verdict.codes() == ["credential_mismatch"]


# --- the verifier's ledger check ----------------------------------------------------------------


@dataclasses.dataclass
class ProvingResolver:
    """A resolver that knows no key or list but proves leaves of one log."""

    bundle: Bundle
    k: int = 2

    def key(self, verification_method: str) -> KeyRecord | None:  # noqa: ARG002
        return None

    def status_list(self, url: str) -> dict[str, object] | None:  # noqa: ARG002
        return None

    def included(self, receipt_url: str, leaf_index: int, leaf_hash: str) -> bool | None:  # noqa: ARG002
        raise AssertionError("a self-contained receipt is never looked up by URL")

    def log_proof(self, origin: str, leaf_index: int) -> LogProof | None:
        if origin != receipts.ORIGIN:
            return None
        assert leaf_index == self.bundle.receipt["leaf_index"]
        return LogProof(
            self.bundle.receipt,
            self.bundle.checkpoint,
            self.bundle.log_key,
            self.bundle.witness_keys,
            self.k,
        )


NOW = datetime(2026, 11, 23, tzinfo=UTC)


def ledger_result(credential: dict[str, object], resolver: object) -> tuple[Result, str]:
    verdict = verifier.verify(credential, resolver=resolver, now=NOW)  # type: ignore[arg-type]
    found = verdict.result_of(Check.LEDGER)
    assert found is not None
    return found.result, found.code


def test_the_verifiers_ledger_check_recomputes_the_commitment() -> None:
    assert ledger_result(GOOD.credential, ProvingResolver(GOOD)) == (Result.PASSED, "ok")
    changed, _k, _code = receipts.altered(GOOD)["credits changed"]
    assert ledger_result(changed.credential, ProvingResolver(GOOD)) == (
        Result.FAILED,
        "commitment_mismatch",
    )
    assert ledger_result(GOOD.credential, ProvingResolver(GOOD, k=3)) == (
        Result.FAILED,
        "too_few_cosignatures",
    )


def test_the_verifier_skips_a_log_it_cannot_prove() -> None:
    assert ledger_result(GOOD.credential, verifier.Offline()) == (Result.SKIPPED, "not_ours")
    bad = copy.deepcopy(GOOD.credential)
    bad["evidence"][0]["narrative"] = "{"
    assert ledger_result(bad, verifier.Offline()) == (Result.FAILED, "malformed_receipt")


def test_old_receipts_are_still_read_as_urls() -> None:
    (evidence,) = documents.open_badge(
        receipts.facts(documents.Receipt("https://x/api/v1/records/1/receipt", 3, "aGFzaA==", None))
    )["evidence"]
    assert embedded_receipt({"evidence": [evidence]}) is None
    assert documents.receipt_in({"evidence": [evidence]}) == (
        "https://x/api/v1/records/1/receipt",
        3,
        "aGFzaA==",
    )
