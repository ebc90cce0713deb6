"""``creditbank institutions|users|tokens``: institutional accounts, staff users, API tokens.

These commands set a bank up, so they take no ``--as``: the server's operator acts as the
bank's administrator (:data:`creditbank.access.policy.OPERATOR`).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from creditbank.access.policy import OPERATOR
from creditbank.cli.common import JsonOption, err, out, print_result, say, unit_of_work
from creditbank.institutions import handlers
from creditbank.institutions.commands import AddInstitution, AddUser, CreateToken, RevokeToken
from creditbank.institutions.model import InstitutionType, Role
from creditbank.institutions.schemas import InstitutionRead, TokenRead, UserRead
from creditbank.messages import msg

institutions_app = typer.Typer(help="Institutional accounts.", no_args_is_help=True)
users_app = typer.Typer(help="Staff users.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens for machines.", no_args_is_help=True)


@institutions_app.command("add")
def add_institution(
    code: Annotated[str, typer.Argument(help="Institution code, e.g. SHOU.")],
    name: Annotated[str, typer.Option("--name", help="Name (Chinese).")],
    type_: Annotated[InstitutionType, typer.Option("--type", help="Kind of institution.")],
    region: Annotated[str, typer.Option(help="Region, e.g. CN-SH.")] = "",
    name_en: Annotated[str, typer.Option("--name-en", help="Name in English.")] = "",
    alliance: Annotated[
        list[str] | None, typer.Option("--alliance", help="An alliance to join (repeatable).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Open an institutional account (types: university, higher_vocational_college,
    secondary_vocational_school, open_university, technical_school, enterprise,
    industry_association, training_evaluation_organisation, accreditation_centre,
    credit_bank_office)."""
    command = AddInstitution(
        code=code,
        name=name,
        name_en=name_en,
        type=type_,
        region=region,
        alliances=tuple(alliance or ()),
    )
    with unit_of_work() as uow:
        institution = handlers.add_institution(command, principal=OPERATOR, uow=uow)
    print_result(
        InstitutionRead.of(institution),
        lambda added: out.print(say(msg("Institution {code} added", code=added.code))),
        as_json=as_json,
    )


@users_app.command("add")
def add_user(
    email: Annotated[str, typer.Argument(help="The user's e-mail address.")],
    role: Annotated[Role, typer.Option("--role", help="What the user does.")],
    institution: Annotated[
        str | None, typer.Option("--institution", help="Institution code (staff roles).")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read a web password from standard input.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Add a staff user (roles: bank_admin, registrar, assessor, accreditation_officer, auditor);
    registrars, assessors and accreditation officers belong to an institution."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    command = AddUser(email=email, role=role, institution=institution, password=password)
    with unit_of_work() as uow:
        user = handlers.add_user(command, principal=OPERATOR, uow=uow)
    print_result(
        UserRead.of(user),
        lambda added: out.print(
            say(msg("User {email} added as {role}", email=added.email, role=added.role.value))
        ),
        as_json=as_json,
    )


@tokens_app.command("create")
def create_token(
    user: Annotated[str, typer.Option("--user", help="E-mail of the user the token acts for.")],
    as_json: JsonOption = False,
) -> None:
    """Create an API token for machines; printed once, stored only as a digest."""
    with unit_of_work() as uow:
        issued = handlers.create_token(CreateToken(user), principal=OPERATOR, uow=uow)
    print_result(TokenRead.of(issued), _print_secret, as_json=as_json)


def _print_secret(token: TokenRead) -> None:
    """The token's secret alone on stdout (for a pipe), the warning on stderr."""
    err.print(say(msg("Store this token now; it will not be shown again.")))
    sys.stdout.write(token.token + "\n")


@tokens_app.command("revoke")
def revoke_token(
    token_id: Annotated[int, typer.Argument(help="The token's id (from `tokens create`).")],
) -> None:
    """Revoke an API token."""
    with unit_of_work() as uow:
        handlers.revoke_token(RevokeToken(token_id), principal=OPERATOR, uow=uow)
    out.print(say(msg("Token {id} revoked", id=token_id)))


GROUPS = ((institutions_app, "institutions"), (users_app, "users"), (tokens_app, "tokens"))
