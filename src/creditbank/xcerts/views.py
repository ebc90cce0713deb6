"""The queries of the 1+X operations: the X certificates (public: the catalogue holds no
personal data), one certificate, and one session with its candidates (the staff of its centre
and of its provider, bank administrators and auditors).

Public queries take ``principal`` None (the pages); a staff principal (the API, the CLI) is
held to reading the catalogue, which every staff role may.
"""

from __future__ import annotations

from creditbank.access.policy import Action, LearnerPrincipal, Principal, require, require_any
from creditbank.db import UnitOfWork
from creditbank.usecases import handler
from creditbank.xcerts import reading
from creditbank.xcerts.commands import ListXcerts, ShowSession, ShowXcert
from creditbank.xcerts.data import SessionDetail, Xcert, XcertDetail


def _catalogue_reader(principal: Principal | LearnerPrincipal | None) -> None:
    if isinstance(principal, Principal):
        require(principal, Action.READ_CATALOG, None)


@handler
def list_xcerts(
    query: ListXcerts, *, principal: Principal | LearnerPrincipal | None, uow: UnitOfWork
) -> list[Xcert]:
    _catalogue_reader(principal)
    return reading.list_xcerts(
        uow=uow, approval_round=query.approval_round, provider=query.provider
    )


@handler
def show_xcert(
    query: ShowXcert, *, principal: Principal | LearnerPrincipal | None, uow: UnitOfWork
) -> XcertDetail:
    _catalogue_reader(principal)
    return reading.get_xcert(uow=uow, ref=query.ref)


@handler
def show_session(query: ShowSession, *, principal: Principal, uow: UnitOfWork) -> SessionDetail:
    require_any(
        principal,
        Action.READ_OUTCOMES,
        reading.session_parties(uow=uow, session_id=query.session_id),
    )
    return reading.get_session(uow=uow, session_id=query.session_id)
