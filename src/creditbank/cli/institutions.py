"""``creditbank institutions|users|tokens``: institutional accounts, staff users, API tokens.

These commands set a bank up, so they take no ``--as``: the server's operator acts as the
bank's administrator (:data:`creditbank.access.policy.OPERATOR`).
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer

from creditbank.access.policy import OPERATOR
from creditbank.cli.common import (
    JsonOption,
    _,
    err,
    in_language,
    out,
    print_json,
    print_result,
    print_table,
    say,
    unit_of_work,
)
from creditbank.institutions import handlers, views
from creditbank.institutions.commands import (
    MAX_PAGE,
    AddInstitution,
    AddUser,
    CreateToken,
    DisableUser,
    EditInstitution,
    EnableUser,
    ListInstitutions,
    ListTokens,
    ListUsers,
    RevokeToken,
    ShowInstitution,
)
from creditbank.institutions.model import InstitutionType, Role
from creditbank.institutions.schemas import (
    InstitutionRead,
    StaffUserRead,
    TokenListingRead,
    TokenRead,
    UserRead,
)
from creditbank.messages import msg
from creditbank.sessions import handlers as sessions
from creditbank.sessions.commands import IssueStaffPasswordCode
from creditbank.sessions.schemas import StaffPasswordCodeRead

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


@institutions_app.command("list")
def list_institutions(
    search: Annotated[str, typer.Option("--search", help="Part of a code or name.")] = "",
    region: Annotated[str, typer.Option("--region", help="Region, e.g. CN-SH.")] = "",
    as_json: JsonOption = False,
) -> None:
    """Institutions by code (all pages), those whose code or names contain --search."""
    found: list[InstitutionRead] = []
    with unit_of_work() as uow:
        cursor = None
        while True:
            query = ListInstitutions(search=search, region=region, cursor=cursor, limit=MAX_PAGE)
            page = views.list_institutions(query, principal=OPERATOR, uow=uow)
            found.extend(InstitutionRead.of(item) for item in page.items)
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
    print_result(
        found,
        lambda rows: print_table(
            [_("Code"), _("Name"), _("Type"), _("Region"), _("Alliances")],
            (
                (
                    row.code,
                    in_language(row.name, row.name_en),
                    row.type.value,
                    row.region,
                    " ".join(row.alliances),
                )
                for row in rows
            ),
        ),
        as_json=as_json,
    )


@institutions_app.command("edit")
def edit_institution(
    code: Annotated[str, typer.Argument(help="Institution code.")],
    name: Annotated[str | None, typer.Option("--name", help="Name (Chinese).")] = None,
    name_en: Annotated[str | None, typer.Option("--name-en", help="Name in English.")] = None,
    region: Annotated[str | None, typer.Option("--region", help="Region, e.g. CN-SH.")] = None,
    alliance: Annotated[
        list[str] | None,
        typer.Option("--alliance", help="The alliances, all of them (repeatable)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Change an institution's names, region or alliances; what is not given stays."""
    with unit_of_work() as uow:
        now = handlers.show_institution(ShowInstitution(code), principal=OPERATOR, uow=uow)
        command = EditInstitution(
            code=now.code,
            version=now.version,
            name=now.name if name is None else name,
            name_en=now.name_en if name_en is None else name_en,
            region=now.region if region is None else region,
            alliances=now.alliances if alliance is None else tuple(alliance),
        )
        edited = handlers.edit_institution(command, principal=OPERATOR, uow=uow)
    print_result(
        InstitutionRead.of(edited),
        lambda changed: out.print(say(msg("Institution {code} changed", code=changed.code))),
        as_json=as_json,
    )


@users_app.command("list")
def list_users(
    institution: Annotated[
        str | None, typer.Option("--institution", help="Institution code.")
    ] = None,
    role: Annotated[Role | None, typer.Option("--role", help="Only this role.")] = None,
    enabled: Annotated[
        bool | None, typer.Option("--enabled/--disabled", help="Only enabled (disabled) users.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Staff users by id (all pages); never their passwords."""
    found: list[StaffUserRead] = []
    with unit_of_work() as uow:
        cursor = None
        while True:
            query = ListUsers(
                institution=institution, role=role, enabled=enabled, cursor=cursor, limit=MAX_PAGE
            )
            page = views.list_users(query, principal=OPERATOR, uow=uow)
            found.extend(StaffUserRead.of(item) for item in page.items)
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
    print_result(
        found,
        lambda rows: print_table(
            [_("E-mail address"), _("Role"), _("Institution"), _("State")],
            (
                (
                    row.email,
                    row.role.value,
                    row.institution or "",
                    _("enabled") if row.enabled else _("disabled"),
                )
                for row in rows
            ),
        ),
        as_json=as_json,
    )


def _switch(email: str, *, enabled: bool, as_json: bool) -> None:
    with unit_of_work() as uow:
        if enabled:
            user = handlers.enable_user(EnableUser(email), principal=OPERATOR, uow=uow)
        else:
            user = handlers.disable_user(DisableUser(email), principal=OPERATOR, uow=uow)
    said = (
        msg("User {email} enabled", email=user.email)
        if enabled
        else msg("User {email} disabled: no login, no token works for them", email=user.email)
    )
    print_result(UserRead.of(user), lambda _user: out.print(say(said)), as_json=as_json)


@users_app.command("disable")
def disable_user(
    email: Annotated[str, typer.Argument(help="The user's e-mail address.")],
    as_json: JsonOption = False,
) -> None:
    """Disable a staff user: their password, web sessions and API tokens stop working."""
    _switch(email, enabled=False, as_json=as_json)


@users_app.command("enable")
def enable_user(
    email: Annotated[str, typer.Argument(help="The user's e-mail address.")],
    as_json: JsonOption = False,
) -> None:
    """Enable a disabled staff user again (their unrevoked tokens work again)."""
    _switch(email, enabled=True, as_json=as_json)


@users_app.command("password-code")
def password_code(
    email: Annotated[str, typer.Argument(help="The user's e-mail address.")],
    valid_days: Annotated[
        int, typer.Option("--valid-days", min=1, max=30, help="Days the code stays good.")
    ] = 3,
    as_json: JsonOption = False,
) -> None:
    """A one-time code (printed once, good for 3 days unless `--valid-days`) with which the
    user sets their web password at `/set-password`; a new code cancels the earlier ones."""
    command = IssueStaffPasswordCode(email, timedelta(days=valid_days))
    with unit_of_work() as uow:
        issued = sessions.issue_staff_password_code(
            command, principal=OPERATOR, uow=uow, now=datetime.now(UTC)
        )
    if as_json:
        print_json(StaffPasswordCodeRead.of(issued))
        return
    err.print(
        say(
            msg(
                "Give this code to the user; it will not be shown again. It works once, "
                "at /set-password, until {date}.",
                date=issued.expires_at.strftime("%Y-%m-%d %H:%M UTC"),
            )
        )
    )
    sys.stdout.write(issued.code + "\n")


@tokens_app.command("list")
def list_tokens(
    institution: Annotated[
        str | None, typer.Option("--institution", help="Only tokens of this institution's users.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """API tokens, the newest first (all pages): whom each acts for, whether it is revoked;
    never the secrets."""
    found: list[TokenListingRead] = []
    with unit_of_work() as uow:
        cursor = None
        while True:
            query = ListTokens(institution=institution, cursor=cursor, limit=MAX_PAGE)
            page = views.list_tokens(query, principal=OPERATOR, uow=uow)
            found.extend(TokenListingRead.of(item) for item in page.items)
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
    print_result(
        found,
        lambda rows: print_table(
            [_("Id"), _("Token"), _("User"), _("Institution"), _("State")],
            (
                (
                    str(row.id),
                    row.prefix + "…",
                    row.user,
                    row.institution or "",
                    _("in use") if row.revoked_at is None else _("revoked"),
                )
                for row in rows
            ),
        ),
        as_json=as_json,
    )


GROUPS = ((institutions_app, "institutions"), (users_app, "users"), (tokens_app, "tokens"))
