"""The verifier against the 1EdTech validator's Open Badges 3.0 samples, offline.

The ``did:key`` sample verifies; every ``simple-err-*`` sample is rejected, each
for the reason its name gives (the table below names the check, the code and a
word of the message); ``simple.json``, whose verification method is an https URL
with a key in its fragment, has an intact signature but is not verified, since
nothing offline ties that key to the issuer. The samples are copied into
``tests/vectors/1edtech-validator/`` (``SOURCE_COMMIT`` names the upstream commit).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from creditbank.credentials import verifier
from creditbank.credentials.verifier import Check, Result

SAMPLES = Path(__file__).resolve().parents[1] / "vectors" / "1edtech-validator"
OB30 = SAMPLES / "ob30"
NOW = datetime(2026, 11, 23, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Expected:
    """The failure a sample must show: its check, its code and a word of its message."""

    check: Check
    code: str
    word: str


ERRORS: dict[str, Expected] = {
    "simple-err-context.json": Expected(Check.SYNTAX, "context", "@context"),
    "simple-err-type.json": Expected(Check.SCHEMA, "schema", "OtherCredential"),
    "simple-err-issuer.json": Expected(Check.SCHEMA, "schema", "'issuer' is a required property"),
    "simple-err-issuer-type.json": Expected(Check.SCHEMA, "schema", "issuer/type"),
    "simple-err-issuer-parentorg-type.json": Expected(
        Check.SCHEMA, "schema", "issuer/parentOrg/type"
    ),
    "simple-err-issuer-otheridentifier-type.json": Expected(
        Check.SCHEMA, "schema", "issuer/otherIdentifier"
    ),
    "simple-err-credential-subject-type.json": Expected(
        Check.SCHEMA, "schema", "credentialSubject/type"
    ),
    "simple-err-credential-subject-achievement-result-description-type.json": Expected(
        Check.SCHEMA, "schema", "credentialSubject/achievement/resultDescription"
    ),
    "simple-err-credential-subject-identifier-type.json": Expected(
        Check.SCHEMA, "schema", "credentialSubject/identifier"
    ),
    "simple-err-credential-subject-profile-type.json": Expected(
        Check.SCHEMA, "schema", "credentialSubject/source/type"
    ),
    "simple-err-credential-subject-result-type.json": Expected(
        Check.SCHEMA, "schema", "credentialSubject/result"
    ),
    "simple-err-evidence-type.json": Expected(Check.SCHEMA, "schema", "evidence/"),
    "simple-err-expired.json": Expected(Check.VALIDITY, "expired", "expired"),
    "simple-err-issued.json": Expected(Check.VALIDITY, "not_yet_valid", "2040"),
    "simple-err-proof-method-no-scheme.json": Expected(Check.ISSUER_KEY, "no_scheme", "scheme"),
    "simple-err-proof-method-unknown-did-method.json": Expected(
        Check.ISSUER_KEY, "unknown_did_method", "did:example"
    ),
    "simple-err-proof-method-unknown-scheme.json": Expected(
        Check.ISSUER_KEY, "unknown_scheme", "xxx"
    ),
    "simple-err-proof-method.json": Expected(Check.ISSUER_KEY, "malformed_key", "malformed"),
    "simple-err-proof-value.json": Expected(Check.SIGNATURE, "bad_signature", "does not match"),
}


def verify_sample(name: str) -> verifier.Verdict:
    return verifier.verify(
        (OB30 / name).read_text(encoding="utf-8"), resolver=verifier.Offline(), now=NOW
    )


def result(verdict: verifier.Verdict, check: Check) -> verifier.CheckResult:
    found = verdict.result_of(check)
    assert found is not None, f"no {check} result in {verdict.checks}"
    return found


def test_samples_are_in_the_repository() -> None:
    assert (SAMPLES / "SOURCE_COMMIT").read_text(encoding="utf-8").strip()
    assert (OB30 / "simple-did-key-method.json").is_file()


def test_every_error_sample_is_in_the_table() -> None:
    on_disk = {path.name for path in OB30.glob("simple-err-*.json")}
    assert on_disk == set(ERRORS)


def test_did_key_sample_verifies() -> None:
    verdict = verify_sample("simple-did-key-method.json")

    assert verdict.failed() == []
    assert verdict.verified is True
    assert verdict.format == "data_integrity"
    for check in (Check.SYNTAX, Check.SCHEMA, Check.ISSUER_KEY, Check.SIGNATURE, Check.VALIDITY):
        assert result(verdict, check).result is Result.PASSED, check
    assert "did:key:z6Mk" in str(result(verdict, Check.ISSUER_KEY).message)


def test_did_key_sample_fails_once_altered() -> None:
    text = (OB30 / "simple-did-key-method.json").read_text(encoding="utf-8")
    altered = text.replace('"name": "test 1"', '"name": "test 2"', 1)
    assert altered != text

    verdict = verifier.verify(altered, resolver=verifier.Offline(), now=NOW)

    assert verdict.verified is False
    signature = result(verdict, Check.SIGNATURE)
    assert signature.result is Result.FAILED
    assert signature.code == "bad_signature"


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_error_sample_is_rejected_for_its_reason(name: str) -> None:
    expected = ERRORS[name]

    verdict = verify_sample(name)

    assert verdict.verified is False
    failures = [(c.check, c.code, str(c.message)) for c in verdict.failed()]
    matching = [
        message
        for check, code, message in failures
        if check is expected.check and code == expected.code
    ]
    assert matching, f"{name}: expected {expected}, got {failures}"
    assert any(expected.word in message for message in matching), (
        f"{name}: {expected.word!r} not in {matching}"
    )


def test_https_method_with_a_key_fragment_is_not_verified() -> None:
    verdict = verify_sample("simple.json")

    assert verdict.verified is False
    issuer_key = result(verdict, Check.ISSUER_KEY)
    assert issuer_key.result is Result.FAILED
    assert issuer_key.code == "unbound_key"
    assert "https://example.com/issuers/876543#z6Mk" in str(issuer_key.message)
    assert result(verdict, Check.SIGNATURE).result is Result.PASSED
    assert [c.check for c in verdict.failed()] == [Check.ISSUER_KEY]
