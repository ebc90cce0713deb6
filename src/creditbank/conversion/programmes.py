"""Handlers of programmes: defining one (the institution's registrars, bank administrators)."""

from __future__ import annotations

from creditbank.access.policy import Action, Principal, require
from creditbank.conversion import programme_store
from creditbank.conversion.commands import DefineProgramme
from creditbank.conversion.model import Programme
from creditbank.db import UnitOfWork
from creditbank.institutions.model import check_institution_code
from creditbank.usecases import handler


@handler
def define_programme(
    command: DefineProgramme, *, principal: Principal, uow: UnitOfWork
) -> Programme:
    """Define a programme credits can be converted into; every problem is named."""
    require(principal, Action.CREATE_PROGRAMME, check_institution_code(command.spec.institution))
    return programme_store.create_programme(
        uow=uow, spec=command.spec, by=command.recorded_as or principal.email
    )
