"""The verifier on the bank's own credentials, check by check, with an in-memory resolver.

Open Badges built by :mod:`documents`, signed with ``eddsa-rdfc-2022`` by a
``did:web`` institution, verified against a resolver holding the bank's key
register, its status lists and its log: a good credential passes every check;
each way of spoiling it (a changed field, a compromised or expired key, someone
else's key, a revoked or suspended bit, a forged status list, a receipt the log
does not hold, no way to resolve the key offline) fails the one check it should,
with its code. The same for the ``vc+jwt`` form and for a CLR holding badges.
"""

from __future__ import annotations

import base64
import copy
import dataclasses
import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from importlib import resources
from typing import Any

import base58
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jsonschema import Draft201909Validator

from creditbank.credentials import documents, multikey, proofs, statuslist, vcjwt, verifier
from creditbank.credentials.verifier import Check, KeyRecord, Result, Verdict

JsonObject = dict[str, Any]

NOW = datetime(2026, 11, 23, tzinfo=UTC)
SIGNED_AT = datetime(2026, 7, 1, 8, tzinfo=UTC)
CREATED = documents.timestamp(SIGNED_AT)

BANK = "https://bank.example"
BANK_DID = multikey.did_web("bank.example")
BANK_METHOD = f"{BANK_DID}#key-1"
BANK_KEY = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"bank").digest())

DID = multikey.did_web("bank.example", "institutions", "SHAC")
METHOD = f"{DID}#key-1"
KEY = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"SHAC").digest())

OTHER_DID = multikey.did_web("bank.example", "institutions", "GDOU")
OTHER_METHOD = f"{OTHER_DID}#key-1"
OTHER_KEY = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(b"GDOU").digest())

REVOCATION_URL = f"{BANK}/status/revocation/1"
SUSPENSION_URL = f"{BANK}/status/suspension/1"
INDEX = 94_567
RECEIPT = documents.Receipt(
    url=f"{BANK}/ledger/records/42/receipt",
    leaf_index=41,
    leaf_hash=base64.b64encode(hashlib.sha256(b"leaf 1").digest()).decode(),  # has '/' and '='
    checkpoint="bank.example/ledger\n42\nroot=\n",
)
RECEIPT_KEY = (RECEIPT.url, RECEIPT.leaf_index, RECEIPT.leaf_hash)

ALL_BUT_STATUS = (Check.SYNTAX, Check.SCHEMA, Check.ISSUER_KEY, Check.SIGNATURE, Check.VALIDITY)


def public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes_raw()


def registered(key: Ed25519PrivateKey, controller: str, **changes: Any) -> KeyRecord:
    record = KeyRecord(
        public_key=public(key),
        controller=controller,
        valid_from=datetime(2026, 1, 1, tzinfo=UTC),
        registered=True,
    )
    return dataclasses.replace(record, **changes)


@dataclasses.dataclass
class MemoryResolver:
    """The bank, in memory: its key register, the status lists it serves, its log."""

    keys: dict[str, KeyRecord] = dataclasses.field(default_factory=dict)
    lists: dict[str, JsonObject] = dataclasses.field(default_factory=dict)
    log: set[tuple[str, int, str]] = dataclasses.field(default_factory=set)

    def key(self, verification_method: str) -> KeyRecord | None:
        return self.keys.get(verification_method)

    def status_list(self, url: str) -> JsonObject | None:
        return self.lists.get(url)

    def included(self, receipt_url: str, leaf_index: int, leaf_hash: str) -> bool | None:
        if not receipt_url.startswith(f"{BANK}/"):
            return None
        return (receipt_url, leaf_index, leaf_hash) in self.log


def status_list(
    url: str, purpose: str, set_indexes: Iterable[int] = (), key: Ed25519PrivateKey = BANK_KEY
) -> JsonObject:
    bits = statuslist.empty()
    for index in set_indexes:
        statuslist.set_bit(bits, index)
    unsigned = documents.status_list_credential(
        url=url,
        issuer=BANK_DID,
        purpose=purpose,
        encoded_list=statuslist.encode(bits),
        valid_from=SIGNED_AT,
    )
    return proofs.sign(unsigned, private_key=key, verification_method=BANK_METHOD, created=CREATED)


def resolver(
    *,
    revoked: Iterable[int] = (),
    suspended: Iterable[int] = (),
    included: bool = True,
    key: KeyRecord | None = None,
) -> MemoryResolver:
    return MemoryResolver(
        keys={
            METHOD: key or registered(KEY, DID),
            OTHER_METHOD: registered(OTHER_KEY, OTHER_DID),
            BANK_METHOD: registered(BANK_KEY, BANK_DID),
        },
        lists={
            REVOCATION_URL: status_list(REVOCATION_URL, statuslist.REVOCATION, revoked),
            SUSPENSION_URL: status_list(SUSPENSION_URL, statuslist.SUSPENSION, suspended),
        },
        log={RECEIPT_KEY} if included else set(),
    )


def facts(**changes: Any) -> documents.OutcomeFacts:
    base = documents.OutcomeFacts(
        credential_id=f"{BANK}/credentials/0b6f4a",
        issuer=documents.Issuer(id=DID, name="上海开放大学", url=f"{BANK}/institutions/SHAC"),
        achievement_id=f"{BANK}/catalog/SHAC-C101",
        item_code="SHAC-C101",
        item_kind="course",
        name="数据库原理",
        description="关系数据库的设计与实现",
        credits_available=Decimal(4),
        credits_earned=Decimal(4),
        score=Decimal("88.5"),
        awarded_on=date(2026, 6, 30),
        alignments=(
            documents.LevelAlignment(
                url=f"{BANK}/frameworks/CLEQF/levels/4",
                framework="CLEQF",
                framework_name="Chongqing Lifelong Education Qualifications Framework",
                code="4",
                name="Level 4",
            ),
            documents.LevelAlignment(
                url=f"{BANK}/frameworks/EQF/levels/5",
                framework="EQF",
                framework_name="European Qualifications Framework",
                code="5",
                name="EQF level 5",
                correspondence=True,
            ),
        ),
        identity_salt="2b1d9a57c3e04f6d",
        account_number="CB20260001234",
        valid_from=SIGNED_AT,
        receipt=RECEIPT,
    )
    return dataclasses.replace(base, **changes)


WITH_STATUS = (
    documents.StatusEntry(REVOCATION_URL, statuslist.REVOCATION, INDEX),
    documents.StatusEntry(SUSPENSION_URL, statuslist.SUSPENSION, INDEX),
)


def sign(
    document: JsonObject,
    *,
    key: Ed25519PrivateKey = KEY,
    method: str = METHOD,
    created: str = CREATED,
) -> JsonObject:
    return proofs.sign(document, private_key=key, verification_method=method, created=created)


def badge(**changes: Any) -> JsonObject:
    return sign(documents.open_badge(facts(**changes)))


def result(verdict: Verdict, check: Check) -> verifier.CheckResult:
    found = verdict.result_of(check)
    assert found is not None, f"no {check} result in {verdict.checks}"
    return found


def failures(verdict: Verdict) -> list[tuple[Check, str]]:
    return [(c.check, c.code) for c in verdict.failed()]


def check(
    data: str | bytes | JsonObject, using: verifier.Resolver | None = None, now: datetime = NOW
) -> Verdict:
    return verifier.verify(data, resolver=using or resolver(), now=now)


@pytest.fixture(scope="module")
def plain_badge() -> JsonObject:
    """A signed badge without status entries."""
    return badge()


@pytest.fixture(scope="module")
def status_badge() -> JsonObject:
    """A signed badge with a revocation and a suspension entry."""
    return badge(status=WITH_STATUS)


# A good credential.


def test_own_badge_verifies(plain_badge: JsonObject) -> None:
    verdict = check(plain_badge)

    assert failures(verdict) == []
    assert verdict.verified is True
    assert verdict.format == "data_integrity"
    assert verdict.credential == plain_badge
    for passed in (*ALL_BUT_STATUS, Check.LEDGER):
        assert result(verdict, passed).result is Result.PASSED, passed
    assert result(verdict, Check.STATUS).code == "no_status"
    assert "registered" in str(result(verdict, Check.ISSUER_KEY).message)
    assert "entry 41" in str(result(verdict, Check.LEDGER).message)


def test_every_check_is_reported_once(plain_badge: JsonObject) -> None:
    verdict = check(plain_badge)

    assert {c.check for c in verdict.checks} == set(Check)
    assert len(verdict.checks) == len(Check)


def test_checks_are_listed_syntax_first(plain_badge: JsonObject) -> None:
    assert [c.check for c in check(plain_badge).checks] == list(Check)


def test_own_badge_matches_the_open_badges_schema(plain_badge: JsonObject) -> None:
    schema = result(check(plain_badge), Check.SCHEMA)

    assert schema.result is Result.PASSED, str(schema.message)


def test_verifies_from_json_text_and_bytes(plain_badge: JsonObject) -> None:
    text = json.dumps(plain_badge, ensure_ascii=False, indent=2)

    assert check(text).verified is True
    assert check(text.encode()).verified is True


def test_status_passes_when_neither_bit_is_set(status_badge: JsonObject) -> None:
    verdict = check(status_badge, resolver(revoked=[INDEX + 1], suspended=[INDEX - 1]))

    status = result(verdict, Check.STATUS)
    assert status.result is Result.PASSED, str(status.message)
    for passed in (Check.SYNTAX, Check.ISSUER_KEY, Check.SIGNATURE, Check.VALIDITY, Check.LEDGER):
        assert result(verdict, passed).result is Result.PASSED, passed


def test_badge_with_status_verifies(status_badge: JsonObject) -> None:
    verdict = check(status_badge)

    assert failures(verdict) == []
    assert verdict.verified is True
    assert result(verdict, Check.STATUS).result is Result.PASSED


def test_each_status_entry_is_checked_against_the_schema() -> None:
    document = documents.open_badge(facts(status=WITH_STATUS))
    del document["credentialStatus"][1]["id"]

    verdict = check(sign(document))

    assert failures(verdict) == [(Check.SCHEMA, "schema")]
    assert "credentialStatus" in str(result(verdict, Check.SCHEMA).message)


def test_own_badge_without_status_matches_the_bundled_schema_as_is(
    plain_badge: JsonObject,
) -> None:
    folder = resources.files("creditbank.credentials") / "schemas"
    schema = json.loads(
        (folder / "ob_v3p0_achievementcredential_schema.json").read_text(encoding="utf-8")
    )

    errors = list(Draft201909Validator(schema).iter_errors(proofs.unsecured(plain_badge)))

    assert [error.message for error in errors] == []


def test_status_skipped_when_the_list_is_not_the_banks(status_badge: JsonObject) -> None:
    using = resolver()
    using.lists.clear()

    status = result(check(status_badge, using), Check.STATUS)

    assert status.result is Result.SKIPPED
    assert status.code == "not_offline"


def test_ledger_finds_a_leaf_hash_with_a_plus() -> None:
    receipt = dataclasses.replace(
        RECEIPT, leaf_hash=base64.b64encode(hashlib.sha256(b"leaf 0").digest()).decode()
    )
    assert "+" in receipt.leaf_hash
    using = resolver()
    using.log.add((receipt.url, receipt.leaf_index, receipt.leaf_hash))

    verdict = check(badge(receipt=receipt), using)

    assert result(verdict, Check.LEDGER).result is Result.PASSED


def test_ledger_skipped_when_the_receipt_is_not_the_banks() -> None:
    elsewhere = dataclasses.replace(RECEIPT, url="https://other.example/ledger/1/receipt")

    verdict = check(badge(receipt=elsewhere))

    assert result(verdict, Check.LEDGER).result is Result.SKIPPED
    assert result(verdict, Check.LEDGER).code == "not_ours"
    assert verdict.verified is True


# Each way of spoiling it.


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("credentialSubject", "achievement", "name"), "数据库原理（高级）"),
        (("credentialSubject", "creditsEarned"), 40),
        (("credentialSubject", "identifier", 0, "identityHash"), "sha256$" + "0" * 64),
        (("issuer", "name"), "Another University"),
        (("validFrom",), "2026-06-01T00:00:00Z"),
    ],
    ids=["achievement name", "credits", "identity", "issuer name", "validFrom"],
)
def test_changed_field_breaks_the_signature(
    plain_badge: JsonObject, path: tuple[str | int, ...], value: object
) -> None:
    changed = copy.deepcopy(plain_badge)
    node: Any = changed
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value

    verdict = check(changed)

    assert verdict.verified is False
    assert failures(verdict) == [(Check.SIGNATURE, "bad_signature")]


def test_changed_proof_breaks_the_signature(plain_badge: JsonObject) -> None:
    changed = copy.deepcopy(plain_badge)
    changed["proof"][0]["created"] = "2026-07-02T08:00:00Z"

    assert failures(check(changed)) == [(Check.SIGNATURE, "bad_signature")]


def test_undefined_term_is_a_syntax_failure(plain_badge: JsonObject) -> None:
    changed = copy.deepcopy(plain_badge)
    changed["credentialSubject"]["nickname"] = "not in any context"

    verdict = check(changed)

    syntax = result(verdict, Check.SYNTAX)
    assert (syntax.result, syntax.code) == (Result.FAILED, "json_ld")
    assert "nickname" in str(syntax.message)
    assert result(verdict, Check.SIGNATURE).code == "not_canonical"


def test_key_compromised_before_signing() -> None:
    key = registered(KEY, DID, compromised_from=SIGNED_AT - timedelta(days=1))

    verdict = check(badge(), resolver(key=key))

    assert failures(verdict) == [(Check.ISSUER_KEY, "compromised")]
    assert verdict.verified is False
    assert verdict.result_of(Check.SIGNATURE) is None  # not worth checking


def test_key_compromised_at_the_moment_of_signing() -> None:
    key = registered(KEY, DID, compromised_from=SIGNED_AT)

    assert failures(check(badge(), resolver(key=key))) == [(Check.ISSUER_KEY, "compromised")]


def test_key_compromised_after_signing(plain_badge: JsonObject) -> None:
    key = registered(KEY, DID, compromised_from=SIGNED_AT + timedelta(days=1))

    verdict = check(plain_badge, resolver(key=key))

    assert failures(verdict) == []
    assert verdict.verified is True


def test_proof_without_created_cannot_dodge_a_compromise() -> None:
    document = documents.open_badge(facts())
    config = {
        "type": proofs.PROOF_TYPE,
        "cryptosuite": proofs.CRYPTOSUITE,
        "verificationMethod": METHOD,
        "proofPurpose": "assertionMethod",
    }
    signature = KEY.sign(proofs.hashes(document, config).signed_data)
    document["proof"] = [{**config, "proofValue": "z" + base58.b58encode(signature).decode()}]
    key = registered(KEY, DID, compromised_from=SIGNED_AT - timedelta(days=1))

    verdict = check(document, resolver(key=key))

    assert result(verdict, Check.ISSUER_KEY).result is Result.FAILED
    assert verdict.verified is False


def test_key_expired_before_signing() -> None:
    key = registered(KEY, DID, valid_until=SIGNED_AT - timedelta(seconds=1))

    verdict = check(badge(), resolver(key=key))

    assert failures(verdict) == [(Check.ISSUER_KEY, "key_not_valid")]
    assert CREATED in str(result(verdict, Check.ISSUER_KEY).message)


def test_key_not_yet_valid_when_signing() -> None:
    key = registered(KEY, DID, valid_from=SIGNED_AT + timedelta(days=1))

    assert failures(check(badge(), resolver(key=key))) == [(Check.ISSUER_KEY, "key_not_valid")]


def test_key_expired_after_signing_still_verifies(plain_badge: JsonObject) -> None:
    key = registered(KEY, DID, valid_until=SIGNED_AT + timedelta(days=30))

    assert check(plain_badge, resolver(key=key)).verified is True


def test_key_of_another_controller() -> None:
    signed = sign(documents.open_badge(facts()), key=OTHER_KEY, method=OTHER_METHOD)

    verdict = check(signed)

    assert failures(verdict) == [(Check.ISSUER_KEY, "not_issuers_key")]
    message = str(result(verdict, Check.ISSUER_KEY).message)
    assert OTHER_DID in message
    assert DID in message


def test_register_saying_another_controller() -> None:
    key = registered(KEY, OTHER_DID)

    assert failures(check(badge(), resolver(key=key))) == [(Check.ISSUER_KEY, "not_issuers_key")]


def test_signed_with_another_key_than_the_registered_one() -> None:
    signed = sign(documents.open_badge(facts()), key=OTHER_KEY, method=METHOD)

    assert failures(check(signed)) == [(Check.SIGNATURE, "bad_signature")]


def test_offline_resolver_does_not_know_did_web_keys(plain_badge: JsonObject) -> None:
    verdict = check(plain_badge, verifier.Offline())

    assert verdict.verified is False
    assert failures(verdict) == [(Check.ISSUER_KEY, "unknown_key")]
    assert METHOD in str(result(verdict, Check.ISSUER_KEY).message)
    assert result(verdict, Check.LEDGER).code == "not_ours"


def test_did_key_signed_badge_verifies_offline() -> None:
    did = multikey.did_key(public(KEY))
    issuer = documents.Issuer(id=did, name="上海开放大学")
    signed = sign(
        documents.open_badge(facts(issuer=issuer, receipt=None)),
        method=multikey.did_key_method(public(KEY)),
    )

    verdict = check(signed, verifier.Offline())

    assert failures(verdict) == []
    assert verdict.verified is True


def test_did_key_of_someone_else_than_the_did_issuer() -> None:
    signed = sign(
        documents.open_badge(facts(receipt=None)),
        key=OTHER_KEY,
        method=multikey.did_key_method(public(OTHER_KEY)),
    )

    assert failures(check(signed, verifier.Offline())) == [(Check.ISSUER_KEY, "not_issuers_key")]


def test_not_yet_valid_and_expired() -> None:
    early = check(badge(), now=SIGNED_AT - timedelta(days=1))
    expired = copy.deepcopy(documents.open_badge(facts()))
    expired["validUntil"] = "2026-10-01T00:00:00Z"

    assert failures(early) == [(Check.VALIDITY, "not_yet_valid")]
    assert failures(check(sign(expired))) == [(Check.VALIDITY, "expired")]


def test_revoked(status_badge: JsonObject) -> None:
    verdict = check(status_badge, resolver(revoked=[INDEX]))

    status = result(verdict, Check.STATUS)
    assert (status.result, status.code) == (Result.FAILED, "revoked")
    assert verdict.verified is False


def test_suspended(status_badge: JsonObject) -> None:
    verdict = check(status_badge, resolver(suspended=[INDEX]))

    status = result(verdict, Check.STATUS)
    assert (status.result, status.code) == (Result.FAILED, "suspended")
    assert verdict.verified is False


def test_status_list_with_a_broken_signature(status_badge: JsonObject) -> None:
    using = resolver()
    forged = using.lists[REVOCATION_URL]
    bits = statuslist.empty()
    statuslist.set_bit(bits, INDEX + 3)
    forged["credentialSubject"]["encodedList"] = statuslist.encode(bits)

    status = result(check(status_badge, using), Check.STATUS)

    assert (status.result, status.code) == (Result.FAILED, "bad_list")
    assert REVOCATION_URL in str(status.message)


def test_status_list_signed_by_an_unknown_key(status_badge: JsonObject) -> None:
    using = resolver()
    using.lists[REVOCATION_URL] = status_list(REVOCATION_URL, statuslist.REVOCATION, key=OTHER_KEY)

    status = result(check(status_badge, using), Check.STATUS)

    assert (status.result, status.code) == (Result.FAILED, "bad_list")


def test_status_list_of_the_wrong_purpose(status_badge: JsonObject) -> None:
    using = resolver()
    using.lists[REVOCATION_URL] = status_list(REVOCATION_URL, statuslist.SUSPENSION)

    status = result(check(status_badge, using), Check.STATUS)

    assert (status.result, status.code) == (Result.FAILED, "bad_list")


@pytest.mark.parametrize(
    ("index", "code"),
    [("not a number", "bad_entry"), ("-1", "bad_list"), (str(statuslist.MIN_ENTRIES), "bad_list")],
)
def test_status_entry_with_a_bad_index(index: str, code: str) -> None:
    document = documents.open_badge(facts(status=WITH_STATUS))
    document["credentialStatus"][0]["statusListIndex"] = index

    status = result(check(sign(document)), Check.STATUS)

    assert status.result is Result.FAILED
    assert status.code == code


def test_receipt_not_in_the_log(plain_badge: JsonObject) -> None:
    verdict = check(plain_badge, resolver(included=False))

    assert failures(verdict) == [(Check.LEDGER, "not_included")]
    assert verdict.verified is False


def test_unsigned_credential(plain_badge: JsonObject) -> None:
    verdict = check(proofs.unsecured(plain_badge))

    assert failures(verdict) == [(Check.SIGNATURE, "no_proof")]
    assert verdict.verified is False


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("not json at all", "not_json"),
        ("[1, 2]", "not_an_object"),
        ('{"@context": ["https://example.com/ctx"], "type": ["VerifiableCredential"]}', "context"),
        ('{"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["Thing"]}', "type"),
    ],
)
def test_syntax_failures(text: str, code: str) -> None:
    verdict = check(text)

    assert verdict.verified is False
    assert failures(verdict) == [(Check.SYNTAX, code)]


# The vc+jwt form.


def jwt_credential() -> JsonObject:
    return documents.open_badge(facts())


def b64url_json(value: object) -> str:
    data = json.dumps(value, ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def test_jwt_verifies() -> None:
    token = vcjwt.sign(jwt_credential(), private_key=KEY, kid=METHOD)

    verdict = check(token)

    assert verdict.format == "jwt"
    assert failures(verdict) == []
    assert verdict.verified is True
    assert verdict.credential == jwt_credential()
    for passed in (*ALL_BUT_STATUS, Check.LEDGER):
        assert result(verdict, passed).result is Result.PASSED, passed


def test_jwt_with_a_tampered_payload() -> None:
    header, _, signature = vcjwt.sign(jwt_credential(), private_key=KEY, kid=METHOD).split(".")
    changed = jwt_credential()
    changed["credentialSubject"]["creditsEarned"] = 40

    verdict = check(f"{header}.{b64url_json(changed)}.{signature}")

    assert verdict.verified is False
    assert failures(verdict) == [(Check.SIGNATURE, "bad_signature")]


@pytest.mark.parametrize("typ", ["vp+jwt", "application/json", "dc+sd-jwt"])
def test_jwt_of_another_type(typ: str) -> None:
    _, payload, signature = vcjwt.sign(jwt_credential(), private_key=KEY, kid=METHOD).split(".")
    header = b64url_json({"alg": "Ed25519", "typ": typ, "kid": METHOD})

    verdict = check(f"{header}.{payload}.{signature}")

    assert verdict.verified is False
    assert failures(verdict) == [(Check.SYNTAX, "typ")]
    assert typ in str(result(verdict, Check.SYNTAX).message)


def test_jwt_without_kid() -> None:
    _, payload, signature = vcjwt.sign(jwt_credential(), private_key=KEY, kid=METHOD).split(".")
    header = b64url_json({"alg": "Ed25519", "typ": "vc+jwt"})

    assert failures(check(f"{header}.{payload}.{signature}")) == [(Check.ISSUER_KEY, "no_kid")]


def test_jwt_with_another_algorithm() -> None:
    _, payload, signature = vcjwt.sign(jwt_credential(), private_key=KEY, kid=METHOD).split(".")
    header = b64url_json({"alg": "HS256", "typ": "vc+jwt", "kid": METHOD})

    assert failures(check(f"{header}.{payload}.{signature}")) == [(Check.SIGNATURE, "algorithm")]


def test_jwt_signed_by_a_compromised_key() -> None:
    token = vcjwt.sign(jwt_credential(), private_key=KEY, kid=METHOD)
    key = registered(KEY, DID, compromised_from=SIGNED_AT - timedelta(days=1))

    assert failures(check(token, resolver(key=key))) == [(Check.ISSUER_KEY, "compromised")]


# A CLR holding badges.


def learner_record(credentials: list[JsonObject]) -> JsonObject:
    unsigned = documents.clr(
        credential_id=f"{BANK}/records/CB20260001234",
        issuer=documents.Issuer(id=BANK_DID, name="学分银行"),
        name="学习成果记录",
        account_number="CB20260001234",
        identity_salt="2b1d9a57c3e04f6d",
        credentials=copy.deepcopy(credentials),
        valid_from=SIGNED_AT + timedelta(days=1),
        partial=False,
    )
    return sign(unsigned, key=BANK_KEY, method=BANK_METHOD)


@pytest.fixture(scope="module")
def badges(plain_badge: JsonObject) -> list[JsonObject]:
    second = badge(
        credential_id=f"{BANK}/credentials/77aa01",
        achievement_id=f"{BANK}/catalog/SHAC-C102",
        item_code="SHAC-C102",
        name="操作系统",
        receipt=None,
    )
    return [plain_badge, second]


def test_clr_verifies_with_each_badge(badges: list[JsonObject]) -> None:
    verdict = check(learner_record(badges))

    assert failures(verdict) == []
    assert verdict.verified is True
    assert result(verdict, Check.SCHEMA).code == "not_open_badges"
    assert len(verdict.parts) == 2
    assert all(part.verified for part in verdict.parts)
    assert [part.credential for part in verdict.parts] == badges


def test_clr_with_a_tampered_badge(badges: list[JsonObject]) -> None:
    record = learner_record(badges)
    inner = record["credentialSubject"]["verifiableCredential"][1]
    inner["credentialSubject"]["creditsEarned"] = 40

    verdict = check(record)

    assert verdict.verified is False
    assert failures(verdict) == [(Check.SIGNATURE, "bad_signature")]
    first, second = verdict.parts
    assert first.verified is True
    assert second.verified is False
    assert failures(second) == [(Check.SIGNATURE, "bad_signature")]


def test_clr_holding_a_badge_that_fails_on_its_own(badges: list[JsonObject]) -> None:
    key = registered(KEY, DID, compromised_from=SIGNED_AT - timedelta(days=1))

    verdict = check(learner_record(badges), resolver(key=key))

    assert failures(verdict) == []
    assert verdict.verified is False
    assert [failures(part) for part in verdict.parts] == [[(Check.ISSUER_KEY, "compromised")]] * 2


def test_one_resolver_serves_several_verifications(plain_badge: JsonObject) -> None:
    known = resolver()
    verdicts = [
        verifier.verify(item, resolver=known, now=NOW) for item in (plain_badge, "not json")
    ]

    assert [v.verified for v in verdicts] == [True, False]
