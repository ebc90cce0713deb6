"""The use cases of learners' accounts, outcomes and bulk deposit, one frozen dataclass each.

Commands are named in the imperative (``DepositOutcome``); queries for what they answer
(``ShowTranscript``). Plain data only: what the caller states, never the acting user, who
reaches the handler as its ``principal``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from creditbank.accounts.files import FileFormat, Row
from creditbank.accounts.model import IdNumber, IdType, OutcomeFacts, OutcomeStatus
from creditbank.catalog.api import ItemKind

# --- learners ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OpenAccount:
    """Open a learner's personal learning account for the acting user's institution; or answer
    the account the identity number has already, when ``name`` names its holder."""

    id_number: str
    name: str
    id_type: IdType | None = None
    contact: str = ""


@dataclass(frozen=True, slots=True)
class ReadPersonalData:
    """Open a learner's personal data, recording who read it and why (``purpose``)."""

    account_number: str
    purpose: str


@dataclass(frozen=True, slots=True)
class ShowLookUpForm:
    """Whether the acting user may look learners up by identity number (the form)."""


@dataclass(frozen=True, slots=True)
class LookUpLearner:
    """Find a learner's account by identity number; their personal data is read audited."""

    id_number: IdNumber
    purpose: str


@dataclass(frozen=True, slots=True)
class ShowLearnerConsole:
    """The operator console's learners page: who may find learners there, and do what."""


@dataclass(frozen=True, slots=True)
class FindAccount:
    """A learner's account by its number, as the console shows it: its state, no personal data."""

    account_number: str


@dataclass(frozen=True, slots=True)
class FindLearnerByIdentity:
    """A learner's account by identity number, with their personal data masked; the look-up is
    written to the learner's access audit with ``purpose``."""

    id_number: IdNumber
    purpose: str


# --- outcomes ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DepositOutcome:
    """Deposit one learning outcome of ``institution`` into a learner's account."""

    institution: str
    account_number: str
    facts: OutcomeFacts


@dataclass(frozen=True, slots=True)
class ShowDepositForm:
    """What the acting user deposits for from the pages: their institution and its catalogue."""


@dataclass(frozen=True, slots=True)
class ShowOutcome:
    """One outcome with its status and history."""

    public_id: str


@dataclass(frozen=True, slots=True)
class VerifyOutcome:
    """Record that a deposited outcome was verified."""

    public_id: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class RevokeOutcome:
    """Revoke an outcome, with a reason."""

    public_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class SupersedeOutcome:
    """Correct an outcome: deposit ``facts`` as a new record and mark the old one superseded."""

    public_id: str
    facts: OutcomeFacts
    reason: str


@dataclass(frozen=True, slots=True)
class ShowTranscript:
    """One page of a learner's outcomes, as far as the acting user may read them."""

    account_number: str
    institution: str | None = None
    kind: ItemKind | None = None
    assessed_from: date | None = None
    assessed_to: date | None = None
    status: OutcomeStatus | None = None
    cursor: str | None = None
    limit: int = 100


@dataclass(frozen=True, slots=True)
class ShowAccount:
    """Every outcome of a learner's account (of ``institution`` only, or of ``status`` only)."""

    account_number: str
    institution: str | None = None
    status: OutcomeStatus | None = None


# --- bulk deposit ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImportBatch:
    """Deposit every row of a file of ``institution``'s outcomes, or none.

    ``submitted_by`` is recorded with the batch (the acting user's e-mail when not given).
    """

    institution: str
    filename: str
    file_format: FileFormat
    rows: Iterable[tuple[int, Row]]
    submitted_by: str | None = None


@dataclass(frozen=True, slots=True)
class ShowBatch:
    """A batch's status and report."""

    batch_id: str


@dataclass(frozen=True, slots=True)
class ShowDepositTemplate:
    """The blank bulk deposit file of ``institution`` (the acting user's own when None) in
    ``file_format`` (XLSX or CSV)."""

    file_format: FileFormat
    institution: str | None = None


@dataclass(frozen=True, slots=True)
class UploadForCheck:
    """Keep a bulk file of the acting user's institution to be checked, then deposited (its
    first rows are read at once: a file that cannot be read is refused and not kept)."""

    filename: str
    file_format: FileFormat
    stream: BinaryIO


@dataclass(frozen=True, slots=True)
class ShowUpload:
    """An uploaded file's check: its status, first rows (identity numbers masked), problems."""

    upload_id: str


@dataclass(frozen=True, slots=True)
class DepositUpload:
    """Deposit a checked file that had no problem (once, however often it is asked)."""

    upload_id: str


@dataclass(frozen=True, slots=True)
class ShowDesk:
    """The staff user's home: their institution and its latest batches."""

    limit: int = 10


# --- the learner's own -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShowMyOutcomes:
    """The logged-in learner's outcomes, and their personal data when ``with_personal_data``."""

    with_personal_data: bool = False


@dataclass(frozen=True, slots=True)
class ShowMyAccessLog:
    """Every time staff opened the logged-in learner's personal data."""


@dataclass(frozen=True, slots=True)
class ShowShared:
    """What a learner shared through the link with ``token`` (anybody with the link sees it)."""

    token: str
