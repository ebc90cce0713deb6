"""HTTP of joint certification ("one test, several certificates"): schemes (bank
administrators define; public list), depositing a joint assessment's outcome, and the outcomes
linked to one. Thin: parse, build the command, call its handler, render."""

from __future__ import annotations

from fastapi import APIRouter, status

from creditbank.joint import schemes
from creditbank.joint.commands import (
    DefineJointScheme,
    DepositJointOutcome,
    JointBody,
    ListJointSchemes,
    ShowLinkedOutcomes,
)
from creditbank.joint.schemas import (
    JointOutcomeCreate,
    JointOutcomeRead,
    JointSchemeCreate,
    JointSchemeRead,
    LinkedOutcomeRead,
)
from creditbank.web.auth import Authenticated
from creditbank.web.deps import Uow
from creditbank.web.problems import responses

api = APIRouter(prefix="/api/v1/joint", tags=["joint certification"])


@api.get("/schemes", response_model=list[JointSchemeRead], responses=responses())
def list_joint_schemes(uow: Uow) -> list[JointSchemeRead]:
    """Public: the joint-certification schemes and their bodies."""
    found = schemes.list_joint_schemes(ListJointSchemes(), principal=None, uow=uow)
    return [JointSchemeRead.of(s) for s in found]


@api.post(
    "/schemes",
    status_code=status.HTTP_201_CREATED,
    response_model=JointSchemeRead,
    responses=responses(401, 403, 409, 422),
)
def define_joint_scheme(
    body: JointSchemeCreate, uow: Uow, principal: Authenticated
) -> JointSchemeRead:
    """Define a scheme whose one assessment yields an outcome from each body (an administrator)."""
    command = DefineJointScheme(
        code=body.code,
        name=body.name,
        name_en=body.name_en,
        result_levels=tuple(body.result_levels),
        bodies=tuple(JointBody(b.institution, b.item_code, b.levels) for b in body.bodies),
    )
    return JointSchemeRead.of(schemes.define_joint_scheme(command, principal=principal, uow=uow))


@api.post(
    "/schemes/{code}/outcomes",
    status_code=status.HTTP_201_CREATED,
    response_model=JointOutcomeRead,
    responses=responses(401, 403, 404, 409, 422),
)
def deposit_joint_outcome(
    code: str, body: JointOutcomeCreate, uow: Uow, principal: Authenticated
) -> JointOutcomeRead:
    """Deposit an assessment's outcome under a scheme: one outcome per body, all or none."""
    command = DepositJointOutcome(
        scheme=code,
        account_number=body.account_number,
        record_id=body.record_id,
        result=body.result,
        assessed_on=body.assessed_on,
        score=body.score,
    )
    made = schemes.deposit_joint_outcome(command, principal=principal, uow=uow)
    return JointOutcomeRead.of(made)


@api.get(
    "/outcomes/{public_id}/linked",
    response_model=list[LinkedOutcomeRead],
    responses=responses(404),
)
def linked_outcomes(public_id: str, uow: Uow) -> list[LinkedOutcomeRead]:
    """Public: the outcomes the same joint assessment made at the other bodies."""
    found = schemes.show_linked_outcomes(ShowLinkedOutcomes(public_id), principal=None, uow=uow)
    return [LinkedOutcomeRead.of(o) for o in found]
