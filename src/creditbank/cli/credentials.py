"""Verifiable credentials from the command line: ``creditbank credentials ...`` and
``creditbank verify FILE``.

Imported by :mod:`creditbank.cli.main` (at its end), whose app, console, messages and unit of
work these commands share. Commands that change something (keys, status) act as a staff user
(``--as EMAIL``) and are held to the same policy as the HTTP API; export, without ``--as``, is
the bank operator's. ``verify`` prints every check and exits 1 unless the credential verifies.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from creditbank.access.policy import Action, require
from creditbank.accounts import api as accounts
from creditbank.cli.common import JsonOption, _, fail, out, print_json, say, state, unit_of_work
from creditbank.credentials import service
from creditbank.credentials.schemas import SigningKeyRead, VerdictRead
from creditbank.institutions import service as institution_service
from creditbank.messages import msg

top_level = typer.Typer()  # commands of the main level (`creditbank ...`)
credentials_app = typer.Typer(
    help="Verifiable credentials: export (Open Badges 3.0, CLR 2.0, JWT), signing keys, status.",
    no_args_is_help=True,
)
keys_app = typer.Typer(help="Institutions' (and the bank's) Ed25519 signing keys.")
credentials_app.add_typer(keys_app, name="keys")

AsOption = Annotated[
    str | None,
    typer.Option("--as", help="E-mail of the staff user who acts (checked against the policy)."),
]
RequiredAs = Annotated[
    str, typer.Option("--as", help="E-mail of the staff user who acts (checked and recorded).")
]


def _now() -> datetime:
    return datetime.now(UTC)


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        output.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        out.print(say(msg("Written to {path}", path=str(output))), markup=False, highlight=False)


def _moment(text: str | None, option: str) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        fail(
            say(
                msg(
                    "{option} must be a date or date and time (ISO 8601), not {value}",
                    option=option,
                    value=text,
                )
            )
        )
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@credentials_app.command("export")
def export(
    outcome_ids: Annotated[list[str], typer.Argument(help="The outcome(s) to export.")],
    fmt: Annotated[
        str, typer.Option("--format", help="ob3 (JSON-LD, Data Integrity), jwt, or clr.")
    ] = "ob3",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file (default: stdout).")
    ] = None,
    acting: AsOption = None,
) -> None:
    """Export outcomes as signed credentials: one Open Badges 3.0 credential (ob3 or jwt), or
    a CLR 2.0 record holding the chosen outcomes of one learner (clr)."""
    if fmt not in service.FORMATS:
        fail(say(msg("the format is ob3, clr or jwt, not {format}", format=fmt)))
    now = _now()
    with unit_of_work() as uow:
        if acting is not None:
            principal = institution_service.principal_for(uow=uow, email=acting)
            for outcome_id in outcome_ids:
                require(
                    principal,
                    Action.EXPORT_CREDENTIAL,
                    None if fmt == "clr" else accounts.issuer_of(uow=uow, public_id=outcome_id),
                )
        if fmt == "clr":
            owners = {
                accounts.outcome_by_public_id(uow=uow, public_id=oid)[0].account_number
                for oid in outcome_ids
            }
            if len(owners) != 1:
                fail(say(msg("a CLR holds the outcomes of one learner")))
            document = service.issue_clr(
                uow=uow, account_number=owners.pop(), outcome_ids=outcome_ids, now=now
            )
            _write(json.dumps(document, ensure_ascii=False, indent=2), output)
            return
        if len(outcome_ids) != 1:
            fail(say(msg("export one outcome at a time, or several with --format clr")))
        issued = service.issue(uow=uow, outcome_id=outcome_ids[0], fmt=fmt, now=now)
    _write(
        issued.jwt
        if issued.jwt is not None
        else json.dumps(issued.document, ensure_ascii=False, indent=2),
        output,
    )


@top_level.command("verify")
def verify(
    file: Annotated[str, typer.Argument(help="A credential file (JSON-LD or JWT); - for stdin.")],
    as_json: JsonOption = False,
) -> None:
    """Verify a credential and print every check (exit 1 unless it verifies)."""
    data = sys.stdin.read() if file == "-" else _read(Path(file))
    with unit_of_work() as uow:
        verdict = service.verify(uow=uow, data=data, now=_now())
        answer = VerdictRead.of(verdict, state.language)
    if as_json:
        print_json(answer)
    else:
        _print_verdict(answer, 0)
    if not answer.verified:
        raise typer.Exit(1)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        fail(say(msg("cannot read {path}: {reason}", path=str(path), reason=str(error))))


def _print_verdict(answer: VerdictRead, indent: int) -> None:
    pad = " " * indent
    headline = (
        _("VERIFIED: the credential is genuine and valid") if answer.verified else _("NOT VERIFIED")
    )
    out.print(f"{pad}{headline}", markup=False, highlight=False)
    if answer.credential_id or answer.issuer:
        out.print(
            f"{pad}  {answer.credential_id or '-'}  ({_('issuer')}: {answer.issuer or '-'})",
            markup=False,
            highlight=False,
        )
    marks = {"passed": "✓", "failed": "✗", "skipped": "-"}
    for check in answer.checks:
        out.print(
            f"{pad}  {marks.get(check.result, '?')} {check.check}: {check.message}",
            markup=False,
            highlight=False,
        )
    for part in answer.credentials:
        _print_verdict(part, indent + 4)


@keys_app.command("list")
def list_keys(
    owner: Annotated[str, typer.Argument(help="An institution's code, or bank.")],
    as_json: JsonOption = False,
) -> None:
    """An institution's signing keys: validity and compromise dates."""
    with unit_of_work() as uow:
        found = [SigningKeyRead.of(key) for key in service.list_keys(uow=uow, owner=owner)]
    if as_json:
        print_json(found)
        return
    for key in found:
        ends = key.valid_until.isoformat() if key.valid_until else "-"
        line = f"{key.verification_method}  {key.valid_from.isoformat()} → {ends}"
        if key.compromised_from:
            line += "  " + say(
                msg("compromised from {since}", since=key.compromised_from.isoformat())
            )
        out.print(line, markup=False, highlight=False)


@keys_app.command("generate")
def generate_key(
    owner: Annotated[str, typer.Argument(help="An institution's code, or bank.")],
    acting: RequiredAs,
    did: Annotated[
        str, typer.Option("--did", help="web (did:web of the bank's host) or key.")
    ] = "web",
    valid_from: Annotated[str | None, typer.Option("--from", help="Start (default now).")] = None,
    valid_until: Annotated[str | None, typer.Option("--until", help="End (default none).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Register a new Ed25519 key (the private key is kept sealed under the data key)."""
    with unit_of_work() as uow:
        principal = institution_service.principal_for(uow=uow, email=acting)
        require(principal, Action.MANAGE_KEYS, service.policy_owner(owner))
        key = SigningKeyRead.of(
            service.generate_key(
                uow=uow,
                owner=owner,
                now=_now(),
                valid_from=_moment(valid_from, "--from"),
                valid_until=_moment(valid_until, "--until"),
                did_method=did,
            )
        )
    if as_json:
        print_json(key)
    else:
        out.print(key.verification_method, markup=False, highlight=False)


@keys_app.command("rotate")
def rotate_key(
    owner: Annotated[str, typer.Argument(help="An institution's code, or bank.")],
    acting: RequiredAs,
) -> None:
    """Start a new key now; the current keys end now (what they signed stays valid)."""
    with unit_of_work() as uow:
        principal = institution_service.principal_for(uow=uow, email=acting)
        require(principal, Action.MANAGE_KEYS, service.policy_owner(owner))
        key = service.rotate_key(uow=uow, owner=owner, now=_now())
    out.print(key.verification_method, markup=False, highlight=False)


@keys_app.command("compromised")
def mark_compromised(
    owner: Annotated[str, typer.Argument(help="An institution's code, or bank.")],
    name: Annotated[str, typer.Argument(help="The key's name (key-1, ...).")],
    since: Annotated[str, typer.Option("--since", help="From when the key is not trusted.")],
    acting: RequiredAs,
) -> None:
    """Mark a key compromised: what it signed from --since on fails verification."""
    moment = _moment(since, "--since")
    with unit_of_work() as uow:
        principal = institution_service.principal_for(uow=uow, email=acting)
        require(principal, Action.MANAGE_KEYS, service.policy_owner(owner))
        key = service.mark_compromised(
            uow=uow, owner=owner, name=name, since=moment or _now(), now=_now()
        )
    out.print(
        say(
            msg(
                "{key} is compromised from {since}",
                key=key.verification_method,
                since=(key.compromised_from or _now()).isoformat(),
            )
        ),
        markup=False,
        highlight=False,
    )


@credentials_app.command("status")
def change_status(
    credential_id: Annotated[str, typer.Argument(help="The credential's id (a UUID).")],
    purpose: Annotated[str, typer.Option("--purpose", help="revocation or suspension.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept with the change).")],
    acting: RequiredAs,
    lift: Annotated[bool, typer.Option("--lift", help="Lift a suspension.")] = False,
) -> None:
    """Suspend or revoke a credential (or lift a suspension); the status lists show it at once."""
    with unit_of_work() as uow:
        principal = institution_service.principal_for(uow=uow, email=acting)
        require(
            principal,
            Action.CHANGE_CREDENTIAL_STATUS,
            service.credential_owner(uow=uow, credential_id=credential_id),
        )
        service.change_status(
            uow=uow,
            credential_id=credential_id,
            purpose=purpose,
            value=not lift,
            reason=reason,
            by_user=principal.user_id,
            now=_now(),
        )
    out.print(say(msg("Done")), markup=False, highlight=False)


GROUPS = ((credentials_app, "credentials"),)
