"""Handlers of depositing: one outcome, a whole file, and what the deposit pages offer.

Each checks the access policy first. Depositing one outcome runs in the unit of work given;
a bulk file owns its transactions (:func:`creditbank.accounts.bulk.import_batch`: a rejected
batch's report outlives the rolled-back deposit), so its handler also takes the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from creditbank.access.policy import AccessError, Action, Principal, require
from creditbank.accounts import bulk, outcomes
from creditbank.accounts.bulk import Batch, Progress
from creditbank.accounts.commands import DepositOutcome, ImportBatch, ShowDepositForm
from creditbank.accounts.crypto import PersonalDataCipher
from creditbank.accounts.outcomes import Deposited
from creditbank.catalog import api as catalog
from creditbank.db import Database, UnitOfWork
from creditbank.institutions import api as institutions
from creditbank.messages import msg
from creditbank.usecases import handler


@dataclass(frozen=True, slots=True)
class DepositForm:
    """What the acting user deposits for: their institution and the items of its catalogue."""

    institution: str
    items: list[catalog.CatalogItem]


@handler
def deposit_outcome(
    command: DepositOutcome, *, principal: Principal, uow: UnitOfWork, today: date
) -> Deposited:
    require(principal, Action.DEPOSIT, institutions.check_institution_code(command.institution))
    return outcomes.deposit_outcome(
        uow=uow,
        institution=command.institution,
        account_number=command.account_number,
        facts=command.facts,
        today=today,
    )


@handler
def show_deposit_form(
    query: ShowDepositForm, *, principal: Principal, uow: UnitOfWork
) -> DepositForm:
    """The pages deposit for the user's own institution; bank staff have none to deposit for."""
    del query
    if principal.institution is None:
        raise AccessError(
            "forbidden",
            msg(
                "depositing from the web is for the staff of an institution, for their institution"
            ),
        )
    require(principal, Action.DEPOSIT, principal.institution)
    items = catalog.list_items(uow=uow, institution=principal.institution)
    return DepositForm(principal.institution, items)


@handler
def import_batch(
    command: ImportBatch,
    *,
    principal: Principal,
    uow: UnitOfWork,
    database: Database,
    cipher: PersonalDataCipher,
    today: date,
    progress: Progress | None = None,
) -> Batch:
    """Deposit a whole file, all or nothing, in transactions of its own on ``database`` (``uow``
    is not written to)."""
    del uow
    require(principal, Action.DEPOSIT, command.institution.strip().upper())
    return bulk.import_batch(
        database=database,
        cipher=cipher,
        institution=command.institution,
        submitted_by=command.submitted_by or principal.email,
        filename=command.filename,
        file_format=command.file_format,
        rows=command.rows,
        today=today,
        progress=progress,
    )
