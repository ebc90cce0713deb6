"""The use cases of verifiable credentials, one frozen dataclass each.

Keys (an institution's, or the bank's with owner ``bank``), exports (Open Badges 3.0, CLR
2.0, JWT), status changes, and the public reads: DID documents, status lists, the verifier,
and what a share link offers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class ListKeys:
    """An owner's signing keys (an institution's code, or ``bank``)."""

    owner: str


@dataclass(frozen=True, slots=True)
class GenerateKey:
    """Register a new Ed25519 signing key for an owner; the private key is kept sealed."""

    owner: str
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    did_method: str = "web"


@dataclass(frozen=True, slots=True)
class RotateKey:
    """Start a new key now; the owner's current keys end now."""

    owner: str


@dataclass(frozen=True, slots=True)
class MarkKeyCompromised:
    """Mark a key compromised from ``since``: what it signed from then on fails to verify."""

    owner: str
    name: str
    since: datetime


@dataclass(frozen=True, slots=True)
class ShowDidDocument:
    """The DID document of the bank (``bank``) or an institution: its did:web keys."""

    owner: str


@dataclass(frozen=True, slots=True)
class ShowStatusList:
    """A signed Bitstring Status List credential (``revocation`` or ``suspension``)."""

    list_id: int
    purpose: str


@dataclass(frozen=True, slots=True)
class ChangeCredentialStatus:
    """Suspend or revoke a credential (``value`` true), or lift a suspension (false)."""

    credential_id: str
    purpose: str
    value: bool
    reason: str


@dataclass(frozen=True, slots=True)
class ExportCredential:
    """An outcome as a signed Open Badges 3.0 credential (``ob3`` or ``jwt``)."""

    outcome_id: str
    format: str = "ob3"


@dataclass(frozen=True, slots=True)
class ExportRecord:
    """A learner's record as a CLR signed by the bank: the chosen outcomes, or (None) every
    outcome that still counts."""

    account_number: str
    outcome_ids: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class ExportOutcomes:
    """Outcomes as signed credentials: one Open Badges credential (``ob3``, ``jwt``), or a CLR
    of one learner's chosen outcomes (``clr``)."""

    outcome_ids: tuple[str, ...]
    format: str = "ob3"


@dataclass(frozen=True, slots=True)
class VerifyCredential:
    """Every check of a credential (JSON-LD with a Data Integrity proof, or a compact JWT)."""

    data: str | bytes


@dataclass(frozen=True, slots=True)
class ListMyCredentials:
    """The learner's outcomes that still count (each has a credential to download)."""


@dataclass(frozen=True, slots=True)
class ExportMyCredential:
    """One of the learner's own outcomes that still count, as a signed credential."""

    outcome_id: str
    format: str = "ob3"


@dataclass(frozen=True, slots=True)
class ExportMyRecord:
    """The learner's whole record (every outcome that still counts) as a signed CLR."""


@dataclass(frozen=True, slots=True)
class ExportSharedCredential:
    """A shared outcome as its signed Open Badges 3.0 credential."""

    token: str
    outcome_id: str


@dataclass(frozen=True, slots=True)
class ExportSharedRecord:
    """Every shared outcome that still counts, as one CLR signed by the bank."""

    token: str


@dataclass(frozen=True, slots=True)
class ShowLinkedAchievement:
    """The public page of a catalogue item, as a credential's ``Achievement`` links to it."""

    owner: str
    code: str


@dataclass(frozen=True, slots=True)
class ShowLinkedProfile:
    """The public profile of an issuer: an institution (by code), or the bank (``None``)."""

    code: str | None = None


@dataclass(frozen=True, slots=True)
class ShowLinkedFramework:
    """A framework's levels as the alignments of credentials point at them: a ``version``, or
    the version in force ``on`` a date."""

    code: str
    version: int | None
    on: date
