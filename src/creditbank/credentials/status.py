"""Handler of status changes: the issuer's registrars (and bank administrators) suspend or
revoke a credential, or lift a suspension; the status lists show it at once."""

from __future__ import annotations

from datetime import datetime

from creditbank.access.policy import Action, Principal, require
from creditbank.credentials import status_lists
from creditbank.credentials.commands import ChangeCredentialStatus
from creditbank.db import UnitOfWork
from creditbank.usecases import handler


@handler
def change_credential_status(
    command: ChangeCredentialStatus, *, principal: Principal, uow: UnitOfWork, now: datetime
) -> None:
    owner = status_lists.credential_owner(uow=uow, credential_id=command.credential_id)
    require(principal, Action.CHANGE_CREDENTIAL_STATUS, owner)
    status_lists.change_status(
        uow=uow,
        credential_id=command.credential_id,
        purpose=command.purpose,
        value=command.value,
        reason=command.reason,
        by_user=principal.user_id,
        now=now,
    )
