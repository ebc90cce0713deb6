"""``creditbank log ...`` and ``creditbank witness ...``: the ledger from the command line.

Verifying the log and asking witnesses to cosign take no ``--as``: the server's operator
acts as the bank's administrator (:data:`creditbank.access.policy.OPERATOR`). Making a key,
auditing another bank over HTTP and serving a witness touch no data of this bank's.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from creditbank.access.policy import OPERATOR
from creditbank.bootstrap import ledger_readers, open_database
from creditbank.cli.common import err, fail, out, say, unit_of_work
from creditbank.ledger import auditor, merkle, notes, operations
from creditbank.ledger.commands import AskWitnesses, VerifyLog
from creditbank.messages import msg

log_app = typer.Typer(help="The ledger: verify, audit, keys, witnesses.", no_args_is_help=True)
witness_app = typer.Typer(
    help="Run a witness that cosigns other banks' logs.", no_args_is_help=True
)


def _write_private_key(path: Path, private_key: str) -> None:
    if path.exists():
        fail(say(msg("{path} exists already; a key is never overwritten", path=str(path))))
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(private_key + "\n")


@log_app.command("keygen")
def keygen(
    name: Annotated[
        str, typer.Argument(help="The key's name: the log's origin (or a witness's name).")
    ],
    out_file: Annotated[
        Path, typer.Option("--out", help="File to write the private key to (mode 600).")
    ],
    witness: Annotated[
        bool, typer.Option("--witness", help="Print the key's witness (cosignature) form.")
    ] = False,
) -> None:
    """Make an Ed25519 signing key (NAME: the log's origin, or a witness's name), write it to
    `--out` (mode 600, never overwritten) and print its public verifier key (`--witness`: the
    cosignature form a bank configures)."""
    try:
        private_key, verifier_key = notes.generate_key(name)
    except notes.NoteError as error:
        fail(str(error))
    _write_private_key(out_file, private_key)
    if witness:
        verifier_key = notes.CosignatureSigner.from_private_key(private_key).verifier_key()
    out.print(verifier_key, highlight=False)


@log_app.command("verify")
def verify(
    from_checkpoint: Annotated[
        Path | None,
        typer.Option("--from-checkpoint", help="A checkpoint saved earlier, to check against."),
    ] = None,
) -> None:
    """Recompute the whole ledger from storage: every entry, Merkle node, the head, every
    checkpoint's signature and root and the consistency between them, every business fact
    against its commitment, and that no fact is missing from the log; prints each problem
    (which leaf, node, checkpoint or record) and exits 1 on any. `--from-checkpoint` also checks
    a checkpoint saved earlier (a fork shows)."""
    readers, unlogged = ledger_readers()
    with unit_of_work() as uow:
        saved = None
        if from_checkpoint is not None:
            try:
                saved = from_checkpoint.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                fail(str(error))
        report = operations.verify(
            VerifyLog(saved), principal=OPERATOR, uow=uow, readers=readers, unlogged=unlogged
        )
    for problem in report.problems:
        err.print(say(problem), highlight=False)
    out.print(
        say(
            msg(
                "{size} entries, {checkpoints} checkpoints, {facts} facts checked against their "
                "commitments ({erased} erased); {problems} problems",
                size=report.tree_size,
                checkpoints=report.checkpoints,
                facts=report.facts_checked,
                erased=report.salts_erased,
                problems=len(report.problems),
            )
        ),
        highlight=False,
    )
    if report.problems:
        raise typer.Exit(1)


@log_app.command("publish")
def publish() -> None:
    """Ask the witnesses (those of `CREDITBANK_LOG_WITNESSES` and the approved peer banks') to
    cosign the newest checkpoint now (the server asks every `CREDITBANK_LOG_PUBLISH_SECONDS`)."""
    database = open_database()
    try:
        with database.unit_of_work() as uow:
            results = operations.ask_witnesses(
                AskWitnesses(), principal=OPERATOR, uow=uow, database=database
            )
    finally:
        database.dispose()
    failed = False
    for result in results:
        if result.cosigned:
            out.print(
                say(
                    msg(
                        "{witness} cosigned tree {size}",
                        witness=result.witness,
                        size=result.tree_size,
                    )
                )
            )
        else:
            failed = True
            err.print(
                say(
                    msg(
                        "{witness} did not cosign tree {size}: {detail}",
                        witness=result.witness,
                        size=result.tree_size,
                        detail=result.detail,
                    )
                ),
                highlight=False,
            )
    if failed:
        raise typer.Exit(1)


@log_app.command("audit")
def audit(
    url: Annotated[str, typer.Argument(help="The bank's base URL, e.g. https://bank.example")],
    state: Annotated[
        Path,
        typer.Option(
            "--state", metavar="DIR", help="Directory where the auditor keeps what it saw."
        ),
    ] = Path(".creditbank-audit"),
    key: Annotated[
        str | None,
        typer.Option(
            "--key",
            metavar="VERIFIER-KEY",
            help="The log's verifier key (else pinned on first use).",
        ),
    ] = None,
) -> None:
    """An outsider's check of a bank: fetch its newest checkpoint, check the signature (key
    pinned on first use unless given) and that it extends the last one seen (consistency proof
    verified here); exits 1 on a fork or a bad signature."""
    try:
        result = auditor.audit(url, state, verifier_key=key)
    except auditor.AuditError as failure:
        fail(str(failure))
    except (OSError, ValueError, notes.NoteError, merkle.ProofError) as error:
        fail(say(msg("cannot audit {url}: {error}", url=url, error=str(error))))
    if result.pinned_now:
        out.print(say(msg("pinned the log's key on first use")))
    out.print(
        say(
            msg(
                "{origin}: tree of {size} entries, consistent with the {previous} seen before",
                origin=result.origin,
                size=result.tree_size,
                previous=result.previous_size if result.previous_size is not None else 0,
            )
        ),
        highlight=False,
    )


@witness_app.command("serve")
def serve_witness(
    state: Annotated[
        Path, typer.Option("--state", metavar="DIR", help="Directory of the witness's state.")
    ],
    key_file: Annotated[Path, typer.Option("--key-file", help="The witness's private key file.")],
    log: Annotated[
        list[str],
        typer.Option(
            "--log",
            metavar='"ORIGIN VERIFIER-KEY"',
            help='A log to witness: "ORIGIN VERIFIER-KEY" (repeatable).',
        ),
    ],
    host: Annotated[str, typer.Option(metavar="H", help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(metavar="P", help="Port to listen on.")] = 8100,
) -> None:
    """Run a C2SP tlog-witness (`POST /add-checkpoint`) for the logs named: it cosigns a
    checkpoint only if a consistency proof shows it extends the last one it cosigned, and
    refuses (409/422, saying why) a fork."""
    import uvicorn  # noqa: PLC0415

    from creditbank.ledger.keys import read_key_file  # noqa: PLC0415
    from creditbank.ledger.witness import Witness  # noqa: PLC0415
    from creditbank.ledger.witness_app import make_witness_app  # noqa: PLC0415

    logs: dict[str, list[str]] = {}
    for line in log:
        origin, _, verifier_key = line.strip().rpartition(" ")
        if not origin or not verifier_key:
            fail(say(msg('--log takes "ORIGIN VERIFIER-KEY", not {line}', line=line)))
        logs.setdefault(origin, []).append(verifier_key)
    try:
        signer = notes.CosignatureSigner.from_private_key(read_key_file(key_file))
        witness = Witness(state, signer, logs)
    except (OSError, ValueError) as error:
        fail(str(error))
    sys.stderr.write(f"witness key: {witness.verifier_key}\n")
    uvicorn.run(make_witness_app(witness), host=host, port=port)


GROUPS = ((log_app, "log"), (witness_app, "witness"))
