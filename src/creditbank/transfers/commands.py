"""The use cases of moving a learner's record between peer banks, one frozen dataclass each.

At bank A: make a package (or a one-time link to one) for peer bank B, and hand a linked
package out once. At bank B: import a package (given, or fetched by its link), read an import,
list the imported outcomes awaiting recognition, decide on one, and re-check the status of
imported outcomes at their source.
"""

from __future__ import annotations

from dataclasses import dataclass

from creditbank.transfers.model import Decision, ImportStatus


@dataclass(frozen=True, slots=True)
class MakeTransferPackage:
    """A signed package of the learner's chosen outcomes (all that still count when none are
    chosen) for peer bank ``to`` (its log origin); with ``link``, a one-time link to it."""

    account_number: str
    to: str
    outcomes: tuple[str, ...] = ()
    link: bool = False


@dataclass(frozen=True, slots=True)
class FetchTransferLink:
    """The package behind a one-time link (its token): handed out once, then gone."""

    token: str


@dataclass(frozen=True, slots=True)
class NewLearner:
    """A learner who has no account here yet, as the registrar who opens it reads their
    papers: identity number (its type, if not a resident identity number) and name."""

    id_number: str
    name: str
    id_type: str | None = None


@dataclass(frozen=True, slots=True)
class ImportTransfer:
    """Accept a package for account ``account_number``: given as JSON text, or fetched from a
    one-time link ``url``. With ``new_learner`` (and no account number), a registrar opens the
    learner's account here first, for the identity number the package names."""

    account_number: str
    package: str | None = None
    url: str | None = None
    new_learner: NewLearner | None = None


@dataclass(frozen=True, slots=True)
class ShowTransfer:
    """One imported package and its outcomes."""

    public_id: str


@dataclass(frozen=True, slots=True)
class ListRecognitions:
    """Imported outcomes (those awaiting a decision unless ``status`` says otherwise)."""

    status: ImportStatus | None = ImportStatus.PENDING
    account_number: str | None = None


@dataclass(frozen=True, slots=True)
class DecideRecognition:
    """Recognise an imported outcome (at ``framework``'s level the crosswalks give it, or at
    ``level`` of ``framework`` as the officer names it), deposited by ``institution``; or refuse
    it, with a reason."""

    public_id: str
    decision: Decision
    institution: str | None = None
    framework: str | None = None
    level: str | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class SetRecognitionTerms:
    """What this bank recognises from peer ``source``: by ``institution``, automatically on
    import or not, with the agreement's own level mapping (``("FW:LEVEL", "FW:LEVEL")`` pairs:
    the peer's level, this bank's)."""

    source: str
    institution: str
    automatic: bool = False
    mapping: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class RecheckTransfers:
    """Ask each source bank again whether the imported outcomes still stand (revoked at the
    source: flagged here, and the outcome deposited for it revoked)."""

    source: str | None = None


@dataclass(frozen=True, slots=True)
class ListMyTransfers:
    """The learner's imported outcomes and the packages they made, newest first."""
