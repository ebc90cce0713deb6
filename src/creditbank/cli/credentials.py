"""Verifiable credentials from the command line: ``creditbank credentials ...`` and
``creditbank verify FILE``.

Commands that change something (keys, status) act as a staff user (``--as EMAIL``) and are
held to the same policy as the HTTP API, in the same handlers; export and the list of keys,
without ``--as``, are the bank operator's (:data:`creditbank.access.policy.OPERATOR`).
``verify`` prints every check and exits 1 unless the credential verifies.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from creditbank.access.policy import OPERATOR
from creditbank.cli.common import (
    AsOption,
    JsonOption,
    _,
    act,
    acting,
    fail,
    print_line,
    print_result,
    say,
    state,
    unit_of_work,
)
from creditbank.credentials import exports, keys, status, views
from creditbank.credentials.commands import (
    ChangeCredentialStatus,
    ExportOutcomes,
    GenerateKey,
    ListKeys,
    MarkKeyCompromised,
    RotateKey,
    VerifyCredential,
)
from creditbank.credentials.issuing import FORMATS
from creditbank.credentials.schemas import SigningKeyRead, VerdictRead
from creditbank.messages import msg

top_level = typer.Typer()  # commands of the main level (`creditbank ...`)
credentials_app = typer.Typer(
    help="Verifiable credentials: export (Open Badges 3.0, CLR 2.0, JWT), signing keys, status.",
    no_args_is_help=True,
)
keys_app = typer.Typer(help="Institutions' (and the bank's) Ed25519 signing keys.")
credentials_app.add_typer(keys_app, name="keys")

OptionalAs = Annotated[
    str | None,
    typer.Option("--as", help="E-mail of the staff user who acts (checked against the policy)."),
]


def _now() -> datetime:
    return datetime.now(UTC)


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        output.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
        print_line(say(msg("Written to {path}", path=str(output))))


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
    email: OptionalAs = None,
) -> None:
    """An outcome as a signed Open Badges 3.0 credential: `ob3` JSON-LD with an `eddsa-rdfc-2022`
    Data Integrity proof (default), `jwt` the same as a VC-JOSE `vc+jwt`; `clr` a CLR 2.0 record
    of the chosen outcomes of one learner, signed by the bank. Exporting again gives the same
    bytes. With `--as`, held to the API's policy."""
    if fmt not in FORMATS:
        fail(say(msg("the format is ob3, clr or jwt, not {format}", format=fmt)))
    command = ExportOutcomes(tuple(outcome_ids), fmt)
    now = _now()
    with unit_of_work() as uow:
        principal = OPERATOR if email is None else acting(uow, email)
        exported = exports.export_outcomes(command, principal=principal, uow=uow, now=now)
    if isinstance(exported, dict):
        _write(json.dumps(exported, ensure_ascii=False, indent=2), output)
        return
    _write(
        exported.jwt
        if exported.jwt is not None
        else json.dumps(exported.document, ensure_ascii=False, indent=2),
        output,
    )


@top_level.command("verify")
def verify(
    file: Annotated[str, typer.Argument(help="A credential file (JSON-LD or JWT); - for stdin.")],
    as_json: JsonOption = False,
) -> None:
    """Verify a credential (JSON-LD or JWT; `-` reads standard input) and print every check:
    syntax and schema, issuer key, signature, validity dates, revocation/suspension status,
    ledger inclusion; exits 1 unless it verifies. Nothing is fetched from the network."""
    data = sys.stdin.read() if file == "-" else _read(Path(file))
    with unit_of_work() as uow:
        verdict = views.verify_credential(
            VerifyCredential(data), principal=None, uow=uow, now=_now()
        )
        answer = VerdictRead.of(verdict, state.language)
    print_result(answer, _print_verdict, as_json=as_json)
    if not answer.verified:
        raise typer.Exit(1)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        fail(say(msg("cannot read {path}: {reason}", path=str(path), reason=str(error))))


def _print_verdict(answer: VerdictRead, indent: int = 0) -> None:
    headline = (
        _("VERIFIED: the credential is genuine and valid") if answer.verified else _("NOT VERIFIED")
    )
    print_line(headline, indent)
    if answer.credential_id or answer.issuer:
        print_line(
            f"{answer.credential_id or '-'}  ({_('issuer')}: {answer.issuer or '-'})", indent + 2
        )
    marks = {"passed": "✓", "failed": "✗", "skipped": "-"}
    for check in answer.checks:
        print_line(f"{marks.get(check.result, '?')} {check.check}: {check.message}", indent + 2)
    for part in answer.credentials:
        _print_verdict(part, indent + 4)


@keys_app.command("list")
def list_keys(
    owner: Annotated[str, typer.Argument(help="An institution's code, or bank.")],
    as_json: JsonOption = False,
) -> None:
    """An institution's (or, with `bank`, the bank's) signing keys: verification method,
    validity, compromise date."""
    with unit_of_work() as uow:
        listed = keys.list_keys(ListKeys(owner), principal=OPERATOR, uow=uow)
        found = [SigningKeyRead.of(key) for key in listed]
    print_result(found, _print_keys, as_json=as_json)


def _print_keys(found: list[SigningKeyRead]) -> None:
    for key in found:
        ends = key.valid_until.isoformat() if key.valid_until else "-"
        line = f"{key.verification_method}  {key.valid_from.isoformat()} → {ends}"
        if key.compromised_from:
            line += "  " + say(
                msg("compromised from {since}", since=key.compromised_from.isoformat())
            )
        print_line(line)


@keys_app.command("generate")
def generate_key(
    owner: Annotated[str, typer.Argument(help="An institution's code, or bank.")],
    email: AsOption,
    did: Annotated[
        str, typer.Option("--did", help="web (did:web of the bank's host) or key.")
    ] = "web",
    valid_from: Annotated[str | None, typer.Option("--from", help="Start (default now).")] = None,
    valid_until: Annotated[str | None, typer.Option("--until", help="End (default none).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Register a new Ed25519 key; the private key is stored only sealed under the data key. An
    institution without keys gets one on its first export."""
    command = GenerateKey(
        owner, _moment(valid_from, "--from"), _moment(valid_until, "--until"), did
    )
    key = SigningKeyRead.of(
        act(email, lambda uow, who: keys.generate_key(command, principal=who, uow=uow, now=_now()))
    )
    print_result(key, lambda key: print_line(key.verification_method), as_json=as_json)


@keys_app.command("rotate")
def rotate_key(
    owner: Annotated[str, typer.Argument(help="An institution's code, or bank.")],
    email: AsOption,
) -> None:
    """A new key from now; the current ones end now (what they signed stays valid)."""
    command = RotateKey(owner)
    key = act(email, lambda uow, who: keys.rotate_key(command, principal=who, uow=uow, now=_now()))
    print_line(key.verification_method)


@keys_app.command("compromised")
def mark_compromised(
    owner: Annotated[str, typer.Argument(help="An institution's code, or bank.")],
    name: Annotated[str, typer.Argument(help="The key's name (key-1, ...).")],
    since: Annotated[str, typer.Option("--since", help="From when the key is not trusted.")],
    email: AsOption,
) -> None:
    """Mark a key compromised: credentials it signed from `--since` on fail verification."""
    moment = _moment(since, "--since")
    command = MarkKeyCompromised(owner, name, moment or _now())
    key = act(
        email,
        lambda uow, who: keys.mark_key_compromised(command, principal=who, uow=uow, now=_now()),
    )
    print_line(
        say(
            msg(
                "{key} is compromised from {since}",
                key=key.verification_method,
                since=(key.compromised_from or _now()).isoformat(),
            )
        )
    )


@credentials_app.command("status")
def change_status(
    credential_id: Annotated[str, typer.Argument(help="The credential's id (a UUID).")],
    purpose: Annotated[str, typer.Option("--purpose", help="revocation or suspension.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept with the change).")],
    email: AsOption,
    lift: Annotated[bool, typer.Option("--lift", help="Lift a suspension.")] = False,
) -> None:
    """Revoke or suspend a credential (or lift a suspension); the bank's status lists show it at
    once. An outcome revoked or corrected in the bank has its credentials revoked by itself."""
    command = ChangeCredentialStatus(credential_id, purpose, not lift, reason)
    act(
        email,
        lambda uow, who: status.change_credential_status(
            command, principal=who, uow=uow, now=_now()
        ),
    )
    print_line(say(msg("Done")))


GROUPS = ((credentials_app, "credentials"),)
