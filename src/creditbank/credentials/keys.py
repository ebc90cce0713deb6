"""Handlers of signing keys: list, register, rotate, mark compromised.

An institution's registrars keep its keys; bank administrators keep every institution's and
the bank's own (owner ``bank``).
"""

from __future__ import annotations

from datetime import datetime

from creditbank.access.policy import Action, Principal, require
from creditbank.credentials import signing
from creditbank.credentials.commands import GenerateKey, ListKeys, MarkKeyCompromised, RotateKey
from creditbank.credentials.signing import SigningKey
from creditbank.db import UnitOfWork
from creditbank.usecases import handler


@handler
def list_keys(query: ListKeys, *, principal: Principal, uow: UnitOfWork) -> list[SigningKey]:
    require(principal, Action.MANAGE_KEYS, signing.policy_owner(query.owner))
    return signing.list_keys(uow=uow, owner=query.owner)


@handler
def generate_key(
    command: GenerateKey, *, principal: Principal, uow: UnitOfWork, now: datetime
) -> SigningKey:
    require(principal, Action.MANAGE_KEYS, signing.policy_owner(command.owner))
    return signing.generate_key(
        uow=uow,
        owner=command.owner,
        now=now,
        valid_from=command.valid_from,
        valid_until=command.valid_until,
        did_method=command.did_method,
    )


@handler
def rotate_key(
    command: RotateKey, *, principal: Principal, uow: UnitOfWork, now: datetime
) -> SigningKey:
    require(principal, Action.MANAGE_KEYS, signing.policy_owner(command.owner))
    return signing.rotate_key(uow=uow, owner=command.owner, now=now)


@handler
def mark_key_compromised(
    command: MarkKeyCompromised, *, principal: Principal, uow: UnitOfWork, now: datetime
) -> SigningKey:
    require(principal, Action.MANAGE_KEYS, signing.policy_owner(command.owner))
    return signing.mark_compromised(
        uow=uow, owner=command.owner, name=command.name, since=command.since, now=now
    )
