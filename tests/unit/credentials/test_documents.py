"""The credential builders: Open Badges 3.0, CLR 2.0, status lists, DID documents.

The learner is named only by Open Badges' salted identity hash (``sha256$`` and
the hex SHA-256 of the account number followed by the salt), never by name, ID
number or the account number in clear; the framework level and the EQF level
reached through the crosswalks are told apart; the ledger receipt travels as an
evidence entry that :func:`documents.receipt_in` reads back; every document is
JSON-LD that canonicalises in safe mode with the bundled contexts.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from creditbank.credentials import contexts, documents, multikey, proofs, statuslist

JsonObject = dict[str, Any]

DID = multikey.did_web("bank.example", "institutions", "SHAC")
ACCOUNT = "CB20260001234"
SALT = "2b1d9a57c3e04f6d"
LEAF_HASH = base64.b64encode(hashlib.sha256(b"leaf").digest()).decode()
LEVEL = documents.LevelAlignment(
    url="https://bank.example/frameworks/CLEQF/levels/4",
    framework="CLEQF",
    framework_name="Chongqing Lifelong Education Qualifications Framework",
    code="4",
    name="Level 4",
)
EQF = documents.LevelAlignment(
    url="https://bank.example/frameworks/EQF/levels/5",
    framework="EQF",
    framework_name="European Qualifications Framework",
    code="5",
    name="EQF level 5",
    correspondence=True,
)
FACTS = documents.OutcomeFacts(
    credential_id="https://bank.example/credentials/0b6f",
    issuer=documents.Issuer(id=DID, name="上海开放大学", url="https://bank.example/i/SHAC"),
    achievement_id="https://bank.example/catalog/SHAC-C101",
    item_code="SHAC-C101",
    item_kind="course",
    name="数据库原理",
    description="关系数据库的设计与实现",
    credits_available=Decimal(4),
    credits_earned=Decimal("3.5"),
    score=Decimal("88.5"),
    awarded_on=date(2026, 6, 30),
    alignments=(LEVEL, EQF),
    identity_salt=SALT,
    account_number=ACCOUNT,
    valid_from=datetime(2026, 7, 1, 8, 0, 0, 123456, tzinfo=timezone(timedelta(hours=8))),
    receipt=documents.Receipt(
        url="https://bank.example/ledger/records/42/receipt",
        leaf_index=41,
        leaf_hash=LEAF_HASH,
        checkpoint="bank.example/ledger\n42\nroot=\n",
    ),
)


def badge(**changes: Any) -> JsonObject:
    return documents.open_badge(dataclasses.replace(FACTS, **changes))


def test_identity_hash_is_salted_sha256_hex() -> None:
    expected = hashlib.sha256((ACCOUNT + SALT).encode()).hexdigest()

    assert documents.identity_hash(ACCOUNT, SALT) == "sha256$" + expected
    assert documents.identity_hash(ACCOUNT, SALT) != documents.identity_hash(ACCOUNT, "x")


def test_identity_hash_of_a_known_value() -> None:
    # printf 'abcsalt' | sha256sum
    assert documents.identity_hash("abc", "salt") == (
        "sha256$169b3a2b0977ebee2eb1fd392c6aa470a3281d439ff32f20baea7309d7f40eec"
    )


def test_subject_is_the_identity_object_only() -> None:
    subject = badge()["credentialSubject"]

    assert "id" not in subject
    assert "name" not in subject
    assert subject["identifier"] == [
        {
            "type": "IdentityObject",
            "identityHash": documents.identity_hash(ACCOUNT, SALT),
            "identityType": "identifier",
            "hashed": True,
            "salt": SALT,
        }
    ]


def test_account_number_never_appears_in_clear() -> None:
    text = json.dumps(badge(), ensure_ascii=False)
    clr_text = json.dumps(
        documents.clr(
            credential_id="urn:uuid:1",
            issuer=FACTS.issuer,
            name="record",
            account_number=ACCOUNT,
            identity_salt=SALT,
            credentials=[badge()],
            valid_from=FACTS.valid_from,
            partial=False,
        ),
        ensure_ascii=False,
    )

    for document in (text, clr_text):
        assert ACCOUNT not in document
        assert ACCOUNT.lower() not in document.lower()
        assert documents.identity_hash(ACCOUNT, SALT) in document


def test_builder_takes_no_name_or_national_id() -> None:
    fields = {f.name for f in dataclasses.fields(documents.OutcomeFacts)}

    assert not {"national_id", "id_number", "learner_name", "person_name", "full_name"} & fields
    assert "account_number" in fields  # hashed, never written out (see the test above)


def test_framework_level_and_eqf_correspondence_are_told_apart() -> None:
    awarded, corresponds = badge()["credentialSubject"]["achievement"]["alignment"]

    assert awarded["targetType"] == documents.FRAMEWORK_LEVEL == "ext:FrameworkLevel"
    assert awarded["targetCode"] == "4"
    assert awarded["targetUrl"] == LEVEL.url
    assert awarded["targetFramework"] == LEVEL.framework_name
    assert awarded["type"] == ["Alignment"]
    assert "awarded" in awarded["targetDescription"]

    assert corresponds["targetType"] == documents.EQF_CORRESPONDENCE == "ext:EQFCorrespondence"
    assert corresponds["targetCode"] == "5"
    assert corresponds["targetName"] == "EQF level 5"
    assert "Corresponds" in corresponds["targetDescription"]


def test_badge_shape() -> None:
    credential = badge()
    achievement = credential["credentialSubject"]["achievement"]

    assert credential["@context"] == [
        contexts.CREDENTIALS_V2,
        contexts.OB_V3,
        contexts.OB_V3_EXTENSIONS,
    ]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["issuer"] == {
        "id": DID,
        "type": ["Profile"],
        "name": "上海开放大学",
        "url": "https://bank.example/i/SHAC",
    }
    assert credential["validFrom"] == "2026-07-01T00:00:00Z"  # 08:00 in +08:00, to the second
    assert credential["awardedDate"] == "2026-06-30T00:00:00Z"
    assert achievement["achievementType"] == "Course"
    assert achievement["creditsAvailable"] == 4
    assert isinstance(achievement["creditsAvailable"], int)
    assert credential["credentialSubject"]["creditsEarned"] == 3.5
    assert credential["credentialSubject"]["activityEndDate"] == "2026-06-30T00:00:00Z"
    assert credential["credentialSchema"] == [
        {"id": documents.OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}
    ]
    assert "proof" not in credential
    assert "credentialStatus" not in credential


def test_results_point_at_the_achievements_result_descriptions() -> None:
    subject = badge()["credentialSubject"]
    described = {d["id"] for d in subject["achievement"]["resultDescription"]}

    assert {r["resultDescription"] for r in subject["result"]} == described
    assert {"status": "Completed"}.items() <= subject["result"][0].items()
    assert subject["result"][1]["value"] == "88.5"


def test_badge_without_score_or_credits() -> None:
    credential = badge(score=None, credits_available=None, credits_earned=None)
    subject = credential["credentialSubject"]

    assert [d["resultType"] for d in subject["achievement"]["resultDescription"]] == ["Status"]
    assert len(subject["result"]) == 1
    assert "creditsAvailable" not in subject["achievement"]
    assert "creditsEarned" not in subject


@pytest.mark.parametrize(
    ("kind", "achievement_type"),
    [
        ("qualification", "Diploma"),
        ("course", "Course"),
        ("x_certificate", "Certificate"),
        ("accreditation_unit", "Competency"),
        ("something_new", "Achievement"),
    ],
)
def test_achievement_type_of_each_kind(kind: str, achievement_type: str) -> None:
    achievement = badge(item_kind=kind)["credentialSubject"]["achievement"]
    assert achievement["achievementType"] == achievement_type


def test_status_entries() -> None:
    credential = badge(
        status=(
            documents.StatusEntry("https://bank.example/status/r1", statuslist.REVOCATION, 17),
            documents.StatusEntry("https://bank.example/status/s1", statuslist.SUSPENSION, 17),
        )
    )
    entries = credential["credentialStatus"]
    listed = entries if isinstance(entries, list) else [entries]

    assert listed[0] == {
        "id": "https://bank.example/status/r1#17",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "17",
        "statusListCredential": "https://bank.example/status/r1",
    }
    assert [e["statusPurpose"] for e in listed] == ["revocation", "suspension"]


def test_receipt_evidence() -> None:
    (evidence,) = badge()["evidence"]

    assert evidence["genre"] == documents.RECEIPT_GENRE
    assert evidence["type"] == ["Evidence"]
    assert "leaf_index: 41" in evidence["narrative"]
    assert "checkpoint:\nbank.example/ledger\n42" in evidence["narrative"]


def test_receipt_in_round_trip() -> None:
    assert documents.receipt_in(badge()) == (
        "https://bank.example/ledger/records/42/receipt",
        41,
        LEAF_HASH,
    )


def test_receipt_in_without_a_receipt() -> None:
    assert documents.receipt_in(badge(receipt=None)) is None
    assert (
        documents.receipt_in({"evidence": [{"genre": "Other", "id": "https://x?leaf_index=1"}]})
        is None
    )
    assert documents.receipt_in({"evidence": ["not an object"]}) is None


@pytest.mark.parametrize(
    "evidence_id",
    [
        "https://bank.example/r",
        "https://bank.example/r?leaf_index=1",
        "https://bank.example/r?leaf_hash=abc",
        "https://bank.example/r?leaf_index=one&leaf_hash=abc",
    ],
)
def test_receipt_in_with_a_broken_receipt(evidence_id: str) -> None:
    credential = {"evidence": [{"genre": documents.RECEIPT_GENRE, "id": evidence_id}]}
    assert documents.receipt_in(credential) is None


@settings(max_examples=50)
@given(
    url=st.sampled_from(["https://bank.example/ledger/records/1/receipt", "https://b.example/r"]),
    leaf_index=st.integers(min_value=0, max_value=2**40),
    digest=st.binary(min_size=32, max_size=32),
)
@example(url="https://b.example/r", leaf_index=0, digest=bytes([0xFB, 0xEF, 0xFF] * 10 + [0, 0]))
def test_receipt_in_round_trips_any_leaf_hash(url: str, leaf_index: int, digest: bytes) -> None:
    leaf_hash = base64.b64encode(digest).decode()
    receipt = documents.Receipt(
        url=url, leaf_index=leaf_index, leaf_hash=leaf_hash, checkpoint=None
    )

    assert documents.receipt_in({"evidence": [receipt.evidence()]}) == (url, leaf_index, leaf_hash)


@pytest.mark.parametrize(
    "factory",
    [
        badge,
        lambda: badge(score=None, credits_available=None, receipt=None),
        lambda: documents.status_list_credential(
            url="https://bank.example/status/r1",
            issuer=DID,
            purpose=statuslist.REVOCATION,
            encoded_list=statuslist.encode(statuslist.empty()),
            valid_from=FACTS.valid_from,
        ),
    ],
    ids=["badge", "bare badge", "status list"],
)
def test_documents_are_safe_json_ld(factory: Callable[[], JsonObject]) -> None:
    nquads = proofs.canonicalise(factory())
    assert nquads.count("\n") > 5


def test_clr_holds_the_credentials_and_their_achievements() -> None:
    first, second = badge(), badge(credential_id="urn:uuid:2", achievement_id="urn:uuid:a2")

    clr = documents.clr(
        credential_id="urn:uuid:clr",
        issuer=FACTS.issuer,
        name="学习记录",
        account_number=ACCOUNT,
        identity_salt=SALT,
        credentials=[first, second],
        valid_from=FACTS.valid_from,
        partial=True,
    )

    assert clr["type"] == ["VerifiableCredential", "ClrCredential"]
    assert clr["@context"][0] == contexts.CREDENTIALS_V2
    assert clr["partial"] is True
    subject = clr["credentialSubject"]
    assert subject["type"] == ["ClrSubject"]
    assert subject["verifiableCredential"] == [first, second]
    assert [a["id"] for a in subject["achievement"]] == [FACTS.achievement_id, "urn:uuid:a2"]
    assert subject["identifier"][0]["identityHash"] == documents.identity_hash(ACCOUNT, SALT)
    proofs.canonicalise(clr)


def test_status_list_credential() -> None:
    encoded = statuslist.encode(statuslist.empty())

    credential = documents.status_list_credential(
        url="https://bank.example/status/s1",
        issuer=DID,
        purpose=statuslist.SUSPENSION,
        encoded_list=encoded,
        valid_from=datetime(2026, 7, 1, tzinfo=UTC),
    )

    assert credential["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert credential["issuer"] == DID
    assert credential["credentialSubject"] == {
        "id": "https://bank.example/status/s1#list",
        "type": "BitstringStatusList",
        "statusPurpose": "suspension",
        "encodedList": encoded,
    }


def test_did_document() -> None:
    key = multikey.encode_public_key(bytes(range(32)))

    document = documents.did_document(DID, [documents.DidKey("key-1", key)])

    assert document["id"] == DID
    assert document["verificationMethod"] == [
        {"id": f"{DID}#key-1", "type": "Multikey", "controller": DID, "publicKeyMultibase": key}
    ]
    assert document["assertionMethod"] == [f"{DID}#key-1"]
    proofs.canonicalise(document)


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2026, 11, 23, 8, 0, 0, 999999, tzinfo=UTC), "2026-11-23T08:00:00Z"),
        (datetime(2026, 11, 23, 8, 0, tzinfo=timezone(timedelta(hours=8))), "2026-11-23T00:00:00Z"),
    ],
)
def test_timestamp(moment: datetime, text: str) -> None:
    assert documents.timestamp(moment) == text
    assert documents.parse_timestamp(text) == moment.replace(microsecond=0)


def test_parse_timestamp_needs_a_zone() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        documents.parse_timestamp("2026-11-23T08:00:00")


@pytest.mark.parametrize(
    ("value", "number"),
    [(Decimal(3), 3), (Decimal("3.0"), 3), (Decimal("2.5"), 2.5), (Decimal(0), 0)],
)
def test_decimal_number(value: Decimal, number: float) -> None:
    result = documents.decimal_number(value)
    assert result == number
    assert type(result) is type(number)
