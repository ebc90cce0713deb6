"""The use cases of the national platform, one frozen dataclass each."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ReceiveBatch:
    """Take a signed batch of references from a regional bank or a pilot school (its body, as
    sent: the signature covers its JSON)."""

    body: bytes


@dataclass(frozen=True, slots=True)
class RegisterSchool:
    """Register a pilot school that sends batches signed with its own key: its code, name, the
    log origin its references name and its signed-note verifier key (Ed25519)."""

    code: str
    name: str
    origin: str
    verifier_key: str


@dataclass(frozen=True, slots=True)
class ListSchools:
    """The pilot schools registered to send batches."""


@dataclass(frozen=True, slots=True)
class ListBatches:
    """The batches received, the newest first."""

    limit: int = 100


@dataclass(frozen=True, slots=True)
class CountResults:
    """How many results the references hold, by bank and by year, small counts suppressed:
    each filter as the query gives it (None: not asked). ``item``: ``OWNER/CODE``; ``level``:
    ``FRAMEWORK:CODE`` or ``FRAMEWORK@VERSION:CODE``."""

    kind: str | None = None
    item: str | None = None
    level: str | None = None
    year: int | None = None
    bank: str | None = None


@dataclass(frozen=True, slots=True)
class SendReferences:
    """A regional bank: build the batch of references to the outcomes deposited since the last
    batch sent to the national bank at ``url``, sign it and send it."""

    url: str
