"""Handler of publishing a framework (a new one, or the next version of one): the bank's act.

At the server's console that is the operator (:data:`creditbank.access.policy.OPERATOR`); who
is recorded as publishing it is the command's ``actor``.
"""

from __future__ import annotations

from creditbank.access.policy import Action, Principal, require
from creditbank.db import UnitOfWork
from creditbank.frameworks import service
from creditbank.frameworks.commands import PublishFramework
from creditbank.frameworks.model import FrameworkVersion
from creditbank.usecases import handler


@handler
def publish_framework(
    command: PublishFramework, *, principal: Principal, uow: UnitOfWork
) -> FrameworkVersion:
    require(principal, Action.PUBLISH_FRAMEWORK, None)
    return service.publish_framework(uow=uow, draft=command.draft, actor=command.actor)
