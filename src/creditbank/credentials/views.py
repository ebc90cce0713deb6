"""Handlers of the public reads: DID documents, status lists and the verifier.

Anyone may check a credential, so these accept any principal, or none. Verifying stores
nothing; a status list of an issuer with no key yet gets its first key (as issuing does).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from creditbank.access.policy import LearnerPrincipal, Principal
from creditbank.credentials import resolver, signing, status_lists, verifier
from creditbank.credentials.commands import ShowDidDocument, ShowStatusList, VerifyCredential
from creditbank.db import UnitOfWork
from creditbank.usecases import handler

Anyone = Principal | LearnerPrincipal | None


@handler
def show_did_document(
    query: ShowDidDocument, *, principal: Anyone, uow: UnitOfWork
) -> dict[str, Any]:
    del principal  # public
    return signing.did_document(uow=uow, owner=query.owner)


@handler
def show_status_list(
    query: ShowStatusList, *, principal: Anyone, uow: UnitOfWork, now: datetime
) -> dict[str, Any]:
    del principal  # public
    return status_lists.status_list_credential(
        uow=uow, list_id=query.list_id, purpose=query.purpose, now=now
    )


@handler
def verify_credential(
    query: VerifyCredential, *, principal: Anyone, uow: UnitOfWork, now: datetime
) -> verifier.Verdict:
    del principal  # public
    return resolver.verify(uow=uow, data=query.data, now=now)
