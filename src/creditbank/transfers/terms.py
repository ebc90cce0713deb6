"""This bank's terms for what it recognises from a peer bank: who recognises, whether
automatically, and the agreement's own mapping of the peer's levels to this bank's.

The trust list's agreement (the peers area) says *what* is recognised from a peer (frameworks,
item kinds, institutions, from and until when); these terms say *how*: the institution of this
bank that recognises (and deposits) the outcomes, whether an import is recognised at once
without an officer's decision, and, level by level, where the peer's levels stand here when
the crosswalks do not say (or say otherwise). Set by a bank administrator.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from creditbank.access.policy import Action, Principal, require
from creditbank.db import UnitOfWork, for_update
from creditbank.frameworks import api as frameworks
from creditbank.institutions import api as institutions
from creditbank.peers import api as peers
from creditbank.transfers.commands import SetRecognitionTerms
from creditbank.transfers.tables import RecognitionTermsRow
from creditbank.usecases import handler


@dataclass(frozen=True, slots=True)
class Terms:
    """What this bank recognises from peer ``source``, and how."""

    source: str
    institution: str
    automatic: bool
    mapping: dict[str, str]
    """The peer's ``FW:LEVEL`` -> this bank's ``FW:LEVEL``."""

    def mapped(self, framework: str, level: str) -> frameworks.LevelRef | None:
        """Where the peer's level stands here by the agreement's own mapping, if it says."""
        found = self.mapping.get(f"{framework.upper()}:{level}")
        return None if found is None else frameworks.LevelRef.parse(found)


def terms_of(uow: UnitOfWork, source: str) -> Terms | None:
    """The terms for peer ``source``, if this bank set any."""
    row = uow.session.scalar(
        select(RecognitionTermsRow).where(RecognitionTermsRow.source == source)
    )
    if row is None:
        return None
    code = institutions.institution_codes(uow=uow)[row.institution_id]
    return Terms(row.source, code, row.automatic, dict(row.mapping))


def _ref(text: str) -> str:
    ref = frameworks.LevelRef.parse(text.strip())
    return f"{ref.framework}:{ref.level}"


@handler
def set_recognition_terms(
    command: SetRecognitionTerms, *, principal: Principal, uow: UnitOfWork, now: datetime
) -> Terms:
    """Set (or replace) the terms for a trusted peer (bank administrators)."""
    require(principal, Action.MANAGE_PEERS, None)
    peer = peers.trusted_peer(uow=uow, origin=command.source.strip())
    institution = command.institution.strip().upper()
    institution_id = institutions.institution_id(uow=uow, code=institution)
    mapping = {_ref(origin): _ref(target) for origin, target in command.mapping}
    values = {
        "institution_id": institution_id,
        "automatic": command.automatic,
        "mapping": mapping,
        "set_by_user_id": principal.user_id or None,
        "set_at": now,
    }
    query = select(RecognitionTermsRow).where(RecognitionTermsRow.source == peer.origin)
    row = uow.session.scalar(for_update(uow.session, query))
    if row is None:
        try:
            with uow.session.begin_nested():  # of two first settings at once, one inserts
                uow.session.add(RecognitionTermsRow(source=peer.origin, **values))
                uow.session.flush()
        except IntegrityError:
            row = uow.session.scalar(for_update(uow.session, query))
    if row is not None:
        for name, value in values.items():
            setattr(row, name, value)
        uow.session.flush()
    return Terms(peer.origin, institution, command.automatic, mapping)
