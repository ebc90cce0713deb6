"""``creditbank joint define|schemes|deposit|linked``: one test, several certificates.

Defining a scheme and depositing under it act as a named staff user (``--as``, checked: every
participating body's right to deposit); the list of schemes and an outcome's linked outcomes are
public reads.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer

from creditbank.cli.common import (
    AsOption,
    JsonOption,
    _,
    act,
    fail,
    in_language,
    print_json,
    print_line,
    print_result,
    print_table,
    required_date,
    say,
    unit_of_work,
)
from creditbank.joint import schemes
from creditbank.joint.commands import (
    DefineJointScheme,
    DepositJointOutcome,
    JointBody,
    ListJointSchemes,
    ShowLinkedOutcomes,
)
from creditbank.joint.schemas import JointOutcomeRead, JointSchemeRead, LinkedOutcomeRead
from creditbank.messages import msg

joint_app = typer.Typer(
    help="One test, several certificates: joint-certification schemes.", no_args_is_help=True
)


def _show_scheme(scheme: JointSchemeRead) -> None:
    print_line(f"{scheme.code}  {in_language(scheme.name, scheme.name_en)}")
    print_line(f"{_('Results')}: {', '.join(scheme.result_levels)}", indent=2)
    for body in scheme.bodies:
        print_line(f"{body.institution}  {body.item_code}  {body.levels}", indent=2)


def _body(text: str) -> JointBody:
    institution, _sep, rest = text.partition(":")
    item, _sep2, levels = rest.partition(":")
    if not institution or not item or not levels:
        fail(say(msg("--body must read INSTITUTION:ITEM:RESULT=LEVEL,..., e.g. SHOU:CAD-1:pass=4")))
    return JointBody(institution, item, levels)


@joint_app.command("define")
def define(
    code: Annotated[str, typer.Argument(help="The scheme's code.")],
    acting: AsOption,
    name: Annotated[str, typer.Option("--name", help="The scheme's name.")],
    result: Annotated[
        list[str], typer.Option("--result", help="A result level of the assessment (repeatable).")
    ],
    body: Annotated[
        list[str],
        typer.Option("--body", help="INSTITUTION:ITEM:RESULT=LEVEL,... (repeatable)."),
    ],
    name_en: Annotated[str, typer.Option("--name-en", help="Its English name.")] = "",
    as_json: JsonOption = False,
) -> None:
    """Define a scheme whose one assessment yields an outcome from each body."""
    command = DefineJointScheme(code, name, name_en, tuple(result), tuple(map(_body, body)))
    scheme = act(
        acting, lambda uow, who: schemes.define_joint_scheme(command, principal=who, uow=uow)
    )
    print_result(JointSchemeRead.of(scheme), _show_scheme, as_json=as_json)


@joint_app.command("schemes")
def list_schemes(as_json: JsonOption = False) -> None:
    """The joint-certification schemes and their bodies."""
    with unit_of_work() as uow:
        found = [
            JointSchemeRead.of(s)
            for s in schemes.list_joint_schemes(ListJointSchemes(), principal=None, uow=uow)
        ]
    if as_json:
        print_json(found)
        return
    for scheme in found:
        _show_scheme(scheme)


def _show_outcome(made: JointOutcomeRead) -> None:
    print_table(
        [_("Outcome"), _("Institution"), _("Item")],
        [[o.outcome, o.institution, o.item_code] for o in made.outcomes],
    )


def _score(text: str) -> Decimal:
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        fail(say(msg("--score must be a number, e.g. 85.5")))


@joint_app.command("deposit")
def deposit(
    scheme: Annotated[str, typer.Argument(help="The scheme's code.")],
    account: Annotated[str, typer.Argument(help="The learner's account number.")],
    acting: AsOption,
    record_id: Annotated[str, typer.Option("--record-id", help="The assessment's record id.")],
    result: Annotated[str, typer.Option("--result", help="The result level reached.")],
    assessed_on: Annotated[str, typer.Option("--assessed-on", help="The day assessed.")],
    score: Annotated[str | None, typer.Option("--score", help="The score, 0-100.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Deposit an assessment's outcome under a scheme: one outcome per body, all or none."""
    command = DepositJointOutcome(
        scheme=scheme,
        account_number=account,
        record_id=record_id,
        result=result,
        assessed_on=required_date(assessed_on, "--assessed-on"),
        score=None if score is None else _score(score),
    )
    made = act(
        acting, lambda uow, who: schemes.deposit_joint_outcome(command, principal=who, uow=uow)
    )
    print_result(JointOutcomeRead.of(made), _show_outcome, as_json=as_json)


@joint_app.command("linked")
def linked(
    outcome: Annotated[str, typer.Argument(help="An outcome's public id.")],
    as_json: JsonOption = False,
) -> None:
    """The outcomes the same joint assessment made at the other bodies."""
    with unit_of_work() as uow:
        found = [
            LinkedOutcomeRead.of(o)
            for o in schemes.show_linked_outcomes(
                ShowLinkedOutcomes(outcome), principal=None, uow=uow
            )
        ]
    if as_json:
        print_json(found)
        return
    for one in found:
        print_line(f"{one.outcome}  {one.institution}  {one.item_code}")


GROUPS = ((joint_app, "joint"),)
"""The command groups :mod:`creditbank.cli.main` registers."""
