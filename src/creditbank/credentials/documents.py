"""The credentials the bank issues, as JSON-LD documents: Open Badges 3.0, CLR 2.0, status lists.

Pure builders over plain data (no database, no web): the service gathers what
an outcome is, these functions say how it looks on the VC 2.0 data model.

- An outcome becomes an ``OpenBadgeCredential`` (Open Badges 3.0's
  ``AchievementCredential``). Its ``Achievement`` is the catalogue item, with the
  framework level as an ``alignment`` (and, marked ``ext:EQFCorrespondence``, the
  EQF level the crosswalks give) and ``creditsAvailable``; the subject carries
  ``creditsEarned`` and ``result`` entries that point at the achievement's
  ``resultDescription``s. The learner is named only by a salted SHA-256 of the
  account number (an OB ``IdentityObject``), never by name or ID number.
- The ledger receipt of the outcome's deposit travels as an ``evidence`` entry
  whose ``id`` is the receipt's URL with the leaf index and leaf hash in it; for a record of
  schema 2 its ``narrative`` carries what a verifier needs to recompute the commitment from
  the credential (:mod:`creditbank.credentials.verifier.receipt`).
- A learner's record becomes a ``ClrCredential`` that contains the individual
  signed credentials.
- Each credential points at a revocation and a suspension Bitstring Status List.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Protocol
from urllib.parse import parse_qs, urlencode, urlsplit

from creditbank.credentials.contexts import (
    CLR_V2,
    CREDENTIALS_V2,
    DID_V1,
    MULTIKEY_V1,
    OB_V3,
    OB_V3_EXTENSIONS,
)

OB_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
RECEIPT_GENRE = "LedgerReceipt"
EQF_CORRESPONDENCE = "ext:EQFCorrespondence"
FRAMEWORK_LEVEL = "ext:FrameworkLevel"
SKILL = "ext:Skill"
"""An alignment to a skill the achievement teaches (an approved alignment of its item)."""

JsonObject = dict[str, Any]

ACHIEVEMENT_TYPES = {
    "qualification": "Diploma",
    "course": "Course",
    "x_certificate": "Certificate",
    "vocational_qualification": "Certification",
    "training_certificate": "Certificate",
    "achievement": "Award",
    "accreditation_unit": "Competency",
    "transferred_credit": "ext:TransferredCredit",
}
"""Open Badges' ``achievementType`` of each kind of catalogue item. Transferred credit has no
type of its own in Open Badges 3.0; it is an extension type, never the programme's award."""
TRANSFER_SOURCE_GENRE = "TransferSource"
JOINT_ASSESSMENT_GENRE = "JointAssessment"
"""An ``evidence`` entry naming an outcome the same joint assessment made at another body (one
test, several certificates)."""
BANK_NAME = "学分银行 Credit Bank"
"""The bank's name as its credentials (CLRs, status lists) and its public profile give it."""
EQF_NAME = "European Qualifications Framework (EQF)"


def timestamp(moment: datetime) -> str:
    """An XML Schema dateTime in UTC to the second (``2026-11-23T08:00:00Z``)."""
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_timestamp(text: str) -> datetime:
    """A dateTime from a credential; ValueError when it is not one (a zone is required)."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        msg = f"{text!r} has no time zone"
        raise ValueError(msg)
    return moment


def decimal_number(value: Decimal) -> float | int:
    """A JSON number for a decimal (whole numbers without a fraction)."""
    return int(value) if value == value.to_integral_value() else float(value)


@dataclass(frozen=True, slots=True)
class Issuer:
    """Who signs: an institution (or the bank) as an OB ``Profile``."""

    id: str
    name: str
    url: str | None = None

    def profile(self) -> JsonObject:
        profile: JsonObject = {"id": self.id, "type": ["Profile"], "name": self.name}
        if self.url:
            profile["url"] = self.url
        return profile


@dataclass(frozen=True, slots=True)
class LevelAlignment:
    """A framework level the achievement is placed at, or corresponds to (EQF)."""

    url: str
    framework: str
    framework_name: str
    code: str
    name: str
    correspondence: bool = False
    """True for a level reached through a crosswalk (the EQF), not awarded as such."""

    def alignment(self) -> JsonObject:
        description = (
            "Corresponds to this level through the framework crosswalks; "
            "the achievement is awarded in its own framework."
            if self.correspondence
            else "The level at which the achievement is awarded."
        )
        return {
            "type": ["Alignment"],
            "targetName": self.name,
            "targetUrl": self.url,
            "targetFramework": self.framework_name,
            "targetCode": self.code,
            "targetType": EQF_CORRESPONDENCE if self.correspondence else FRAMEWORK_LEVEL,
            "targetDescription": description,
        }


@dataclass(frozen=True, slots=True)
class SkillAlignment:
    """A skill the achievement teaches: the item's alignment to skills, approved (four eyes)
    and in force when the credential was issued."""

    url: str
    """A resolvable page of the skill: its own URI when that is http(s), else the bank's."""
    uri: str
    name: str
    framework: str
    """Where the skill comes from (its import's source)."""

    def alignment(self) -> JsonObject:
        found: JsonObject = {
            "type": ["Alignment"],
            "targetName": self.name,
            "targetUrl": self.url,
            "targetCode": self.uri,
            "targetType": SKILL,
            "targetDescription": "A skill the achievement teaches, as the credit bank approved "
            "the alignment of its catalogue item (four eyes).",
        }
        if self.framework:
            found["targetFramework"] = self.framework
        return found


@dataclass(frozen=True, slots=True)
class Receipt:
    """Where the outcome's deposit stands in the bank's log."""

    url: str
    leaf_index: int
    leaf_hash: str
    """Base64, as the log's API writes it."""
    checkpoint: str | None
    """The signed checkpoint in force when the credential was issued."""

    def evidence(self) -> JsonObject:
        narrative = f"leaf_index: {self.leaf_index}\nleaf_hash: {self.leaf_hash}"
        if self.checkpoint:
            narrative += "\ncheckpoint:\n" + self.checkpoint
        return {
            "id": f"{self.url}?"
            + urlencode({"leaf_index": self.leaf_index, "leaf_hash": self.leaf_hash}),
            "type": ["Evidence"],
            "name": "Ledger receipt",
            "genre": RECEIPT_GENRE,
            "description": "The entry of this record in the credit bank's append-only log "
            "(RFC 9162): check its inclusion with the log's proofs.",
            "narrative": narrative,
        }


class Evidence(Protocol):
    """What becomes an ``evidence`` entry (a :class:`Receipt`, or a self-contained receipt:
    :class:`creditbank.credentials.verifier.receipt.EmbeddedReceipt`)."""

    def evidence(self) -> JsonObject: ...


def receipt_in(credential: JsonObject) -> tuple[str, int, str] | None:
    """The (receipt URL, leaf index, leaf hash) a credential links to, if any."""
    for item in credential.get("evidence") or []:
        if not isinstance(item, dict) or item.get("genre") != RECEIPT_GENRE:
            continue
        parts = urlsplit(str(item.get("id", "")))
        query = parse_qs(parts.query)
        try:
            index = int(query["leaf_index"][0])
            leaf_hash = query["leaf_hash"][0]
        except (KeyError, IndexError, ValueError):
            return None
        return parts._replace(query="").geturl(), index, leaf_hash
    return None


@dataclass(frozen=True, slots=True)
class StatusEntry:
    """A credential's place in one status list."""

    list_url: str
    purpose: str
    index: int

    def entry(self) -> JsonObject:
        return {
            "id": f"{self.list_url}#{self.index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": self.purpose,
            "statusListIndex": str(self.index),
            "statusListCredential": self.list_url,
        }


@dataclass(frozen=True, slots=True)
class OutcomeFacts:
    """What an Open Badges credential of one outcome says."""

    credential_id: str
    issuer: Issuer
    achievement_id: str
    item_code: str
    item_kind: str
    name: str
    description: str
    credits_available: Decimal | None
    credits_earned: Decimal | None
    score: Decimal | None
    awarded_on: date
    alignments: Sequence[LevelAlignment | SkillAlignment]
    identity_salt: str
    account_number: str
    valid_from: datetime
    status: Sequence[StatusEntry] = ()
    receipt: Evidence | None = None
    language: str = "zh-CN"
    transfer_sources: Sequence[tuple[str, str]] = ()
    """Transferred credit: (public id, receipt URL) of each outcome the credit came from."""
    joint_outcomes: Sequence[tuple[str, str, str]] = ()
    """One test, several certificates: (public id, body's code, URL) of each outcome the same
    joint assessment made at another body, each with a credential of that body's own."""


def identity_hash(account_number: str, salt: str) -> str:
    """Open Badges' salted identity hash: ``sha256$`` + hex SHA-256 of the value and the salt."""
    return "sha256$" + hashlib.sha256((account_number + salt).encode("utf-8")).hexdigest()


def achievement(
    *,
    achievement_id: str,
    item_kind: str,
    name: str,
    description: str,
    item_code: str,
    alignments: Sequence[LevelAlignment | SkillAlignment],
    credits_available: Decimal | None,
    language: str = "zh-CN",
    scored: bool = True,
) -> JsonObject:
    """The ``Achievement`` of a catalogue item: what a credential embeds and what the item's
    public page (its ``id``) answers as JSON-LD. ``scored``: it describes a score too."""
    node: JsonObject = {
        "id": achievement_id,
        "type": ["Achievement"],
        "achievementType": ACHIEVEMENT_TYPES.get(item_kind, "Achievement"),
        "name": name,
        "description": description,
        "humanCode": item_code,
        "criteria": {"narrative": description},
        "alignment": [alignment.alignment() for alignment in alignments],
        "resultDescription": [
            {
                "id": f"{achievement_id}#status",
                "type": ["ResultDescription"],
                "name": "Status",
                "resultType": "Status",
            },
        ],
        "inLanguage": language,
    }
    if scored:
        node["resultDescription"].append(
            {
                "id": f"{achievement_id}#score",
                "type": ["ResultDescription"],
                "name": "Score",
                "resultType": "RawScore",
                "valueMin": "0",
                "valueMax": "100",
            }
        )
    if credits_available is not None:
        node["creditsAvailable"] = decimal_number(credits_available)
    return node


def open_badge(facts: OutcomeFacts) -> JsonObject:
    """The unsigned ``OpenBadgeCredential`` of one outcome."""
    embedded = achievement(
        achievement_id=facts.achievement_id,
        item_kind=facts.item_kind,
        name=facts.name,
        description=facts.description,
        item_code=facts.item_code,
        alignments=facts.alignments,
        credits_available=facts.credits_available,
        language=facts.language,
        scored=facts.score is not None,
    )
    results: list[JsonObject] = [
        {
            "type": ["Result"],
            "resultDescription": f"{facts.achievement_id}#status",
            "status": "Completed",
        },
    ]
    if facts.score is not None:
        results.append(
            {
                "type": ["Result"],
                "resultDescription": f"{facts.achievement_id}#score",
                "value": str(facts.score),
            }
        )
    subject: JsonObject = {
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityHash": identity_hash(facts.account_number, facts.identity_salt),
                "identityType": "identifier",
                "hashed": True,
                "salt": facts.identity_salt,
            }
        ],
        "achievement": embedded,
        "result": results,
        "activityEndDate": timestamp(datetime.combine(facts.awarded_on, datetime.min.time(), UTC)),
    }
    if facts.credits_earned is not None:
        subject["creditsEarned"] = decimal_number(facts.credits_earned)
    credential: JsonObject = {
        "@context": [CREDENTIALS_V2, OB_V3, OB_V3_EXTENSIONS],
        "id": facts.credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": facts.issuer.profile(),
        "name": facts.name,
        "validFrom": timestamp(facts.valid_from),
        "awardedDate": timestamp(datetime.combine(facts.awarded_on, datetime.min.time(), UTC)),
        "credentialSubject": subject,
        "credentialSchema": [{"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }
    evidence = [] if facts.receipt is None else [facts.receipt.evidence()]
    evidence.extend(
        {
            "id": url,
            "type": ["Evidence"],
            "name": f"Source outcome {public_id}",
            "genre": TRANSFER_SOURCE_GENRE,
            "description": "An outcome this credit was transferred from (its ledger receipt).",
        }
        for public_id, url in facts.transfer_sources
    )
    evidence.extend(
        {
            "id": url,
            "type": ["Evidence"],
            "name": f"Joint assessment: outcome {public_id} of {body}",
            "genre": JOINT_ASSESSMENT_GENRE,
            "description": "The same assessment, certified by another body in its own framework.",
        }
        for public_id, body, url in facts.joint_outcomes
    )
    if evidence:
        credential["evidence"] = evidence
    if facts.status:
        credential["credentialStatus"] = [entry.entry() for entry in facts.status]
    return credential


def clr(
    *,
    credential_id: str,
    issuer: Issuer,
    name: str,
    account_number: str,
    identity_salt: str,
    credentials: Sequence[JsonObject],
    valid_from: datetime,
    partial: bool,
) -> JsonObject:
    """The unsigned ``ClrCredential`` holding ``credentials`` (each already signed)."""
    achievements = [
        c["credentialSubject"]["achievement"]
        for c in credentials
        if isinstance(c.get("credentialSubject"), dict) and "achievement" in c["credentialSubject"]
    ]
    return {
        "@context": [CREDENTIALS_V2, CLR_V2, OB_V3],
        "id": credential_id,
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": issuer.profile(),
        "name": name,
        "validFrom": timestamp(valid_from),
        "partial": partial,
        "credentialSubject": {
            "type": ["ClrSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": identity_hash(account_number, identity_salt),
                    "identityType": "identifier",
                    "hashed": True,
                    "salt": identity_salt,
                }
            ],
            "verifiableCredential": list(credentials),
            "achievement": achievements,
        },
    }


def status_list_credential(
    *, url: str, issuer: str, purpose: str, encoded_list: str, valid_from: datetime
) -> JsonObject:
    """The unsigned ``BitstringStatusListCredential`` of one list."""
    return {
        "@context": [CREDENTIALS_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": timestamp(valid_from),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encoded_list,
        },
    }


@dataclass(frozen=True, slots=True)
class DidKey:
    """One verification method of a DID document."""

    fragment: str
    public_key_multibase: str


def did_document(did: str, keys: Sequence[DidKey]) -> JsonObject:
    """A DID document listing ``keys`` as Multikey verification (assertion) methods."""
    methods = [
        {
            "id": f"{did}#{key.fragment}",
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": key.public_key_multibase,
        }
        for key in keys
    ]
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }
