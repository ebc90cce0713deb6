"""``creditbank demo federation``: three credit banks on loopback, witnessing each other.

A national bank, a Shanghai-like and a Guangdong-like one (:mod:`creditbank.demo.federation`),
each with its database and keys in ``--dir`` (kept: a second run serves the same banks), served
on 127.0.0.1 from ``--port`` on until Ctrl-C. Refused in production, as ``init --demo`` is.
"""

from __future__ import annotations

import json
import socket
import threading
from pathlib import Path
from typing import Annotated

import typer

from creditbank.cli.common import fail, in_language, out, refusals_fail, say
from creditbank.clock import today
from creditbank.db import Database
from creditbank.demo import federation
from creditbank.messages import msg
from creditbank.settings import Environment, get_settings

demo_app = typer.Typer(help="Demonstrations on this machine.", no_args_is_help=True)

STATE_FILE = "federation.json"
KEYS_FILE = "keys.json"


def _made(directory: Path, port: int) -> dict[str, str] | None:
    """The learner's account numbers of the banks made in ``directory`` before (None: none
    made yet); refused when those banks were made with other keys or for another port."""
    state = directory / STATE_FILE
    keys = directory / KEYS_FILE
    databases = [directory / f"{spec.key}.db" for spec in federation.BANKS]
    if not state.exists() or not keys.exists() or not all(p.exists() for p in databases):
        if any(p.exists() for p in databases) and not keys.exists():
            fail(
                say(msg("{dir} holds banks made with other keys: use another --dir", dir=directory))
            )
        return None
    saved = json.loads(state.read_text("utf-8"))
    if saved["port"] != port:
        fail(
            say(
                msg(
                    "the banks in {dir} were made for port {port}: use --port {port} or another "
                    "--dir",
                    dir=directory,
                    port=saved["port"],
                )
            )
        )
    learner: dict[str, str] = saved["learner"]
    return learner


def _show(banks: dict[str, federation.Bank], learner: dict[str, str]) -> None:
    for bank in banks.values():
        spec = bank.spec
        out.print(
            say(
                msg(
                    "{name}: {url} (log {origin})",
                    name=in_language(spec.name, spec.name_en),
                    url=bank.url,
                    origin=bank.origin,
                )
            )
        )
        logins = ", ".join(spec.email(who) for who, _role, _of in federation.STAFF)
        out.print("  " + say(msg("Staff: {logins}", logins=logins)))
    out.print(say(msg("Password of every login: {password}", password=federation.PASSWORD)))
    shanghai = banks[federation.SHANGHAI.key]
    guangdong = banks[federation.GUANGDONG.key]
    out.print(
        say(
            msg(
                "The learner to move: account {shanghai} at Shanghai, {guangdong} at Guangdong.",
                shanghai=learner.get(federation.SHANGHAI.key, "-"),
                guangdong=learner.get(federation.GUANGDONG.key, "-"),
            )
        )
    )
    steps = (
        msg("1. Log in at {url}/login with the Shanghai account number.", url=shanghai.url),
        msg(
            "2. On {url}/me/transfers, move your record to {peer}: make a one-time link.",
            url=shanghai.url,
            peer=guangdong.origin,
        ),
        msg("3. Log in at {url}/login with the Guangdong account number.", url=guangdong.url),
        msg("4. On {url}/me/transfers, hand the link over.", url=guangdong.url),
        msg(
            "5. As {officer}, decide on {url}/staff/recognitions.",
            officer=federation.GUANGDONG.email("officer"),
            url=guangdong.url,
        ),
        msg(
            "The national bank's figures: {url}/national",
            url=banks[federation.NATIONAL.key].url,
        ),
        msg(
            "The regional banks' statistics combined: {url}/stats/network",
            url=banks[federation.NATIONAL.key].url,
        ),
    )
    for step in steps:
        out.print("  " + say(step))
    out.print(say(msg("Ctrl-C stops the three banks.")))


@demo_app.command("federation")
def serve_federation(
    directory: Annotated[
        Path,
        typer.Option("--dir", metavar="DIR", help="Where the banks' databases and keys are kept."),
    ] = Path("federation"),
    port: Annotated[
        int, typer.Option(help="The national bank's port; Shanghai's and Guangdong's follow it.")
    ] = 8101,
) -> None:
    """Start three credit banks on loopback (a national bank, a Shanghai-like and a
    Guangdong-like one), each with its own SQLite database, log and witness keys in `--dir`,
    trusting and witnessing each other, with a learner to move from Shanghai to Guangdong;
    print their addresses, the staff logins, the password and the learner's steps; serve until
    Ctrl-C. The first run makes the banks (with the demo bank's data at Shanghai: a minute or
    so); later runs serve them again."""
    settings = get_settings()
    if settings.environment is Environment.PRODUCTION:
        fail(say(msg("demo data (with a known password) is refused in production")))
    directory = directory.resolve()
    learner = _made(directory, port)
    keys_path = directory / KEYS_FILE
    keys = federation.read_keys(keys_path) or federation.generate_keys()
    federation.save_keys(keys_path, keys)
    sockets: dict[str, socket.socket] = {}
    try:
        for n, spec in enumerate(federation.BANKS):
            sockets[spec.key] = federation.bind(port + n)
    except OSError as error:
        for sock in sockets.values():
            sock.close()
        fail(say(msg("cannot listen on port {port}: {error}", port=port, error=str(error))))
    urls = {key: federation.url_of(sock) for key, sock in sockets.items()}
    databases = {
        spec.key: Database(f"sqlite:///{directory / spec.key}.db") for spec in federation.BANKS
    }
    banks = federation.banks_of(databases, urls, keys)
    if learner is None:
        out.print(say(msg("Making the three banks (the first run takes a minute or so)...")))
        with refusals_fail():
            federation.prepare(banks, demo=True, today=today())
        learner = {key: bank.learner for key, bank in banks.items() if bank.learner}
        state = {"port": port, "learner": learner}
        (directory / STATE_FILE).write_text(json.dumps(state, indent=2), "utf-8")
    try:
        with federation.serving([(banks[key], sockets[key]) for key in banks]):
            federation.witness_round(list(banks.values()))
            with refusals_fail():
                sent = federation.send_to_national(banks)
            for key, batches in sent.items():
                out.print(
                    say(
                        msg(
                            "{bank} sent the national bank {count} references.",
                            bank=in_language(banks[key].spec.name, banks[key].spec.name_en),
                            count=sum(batch.references for batch in batches),
                        )
                    )
                )
            _show(banks, learner)
            threading.Event().wait()
    except KeyboardInterrupt:
        out.print(say(msg("The three banks stopped.")))
    finally:
        for database in databases.values():
            database.dispose()


GROUPS = [(demo_app, "demo")]
