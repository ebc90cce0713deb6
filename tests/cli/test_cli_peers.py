"""`creditbank peers add|approve|list|show|remove` on both databases: four eyes from the
command line (the proposer's approval refused with exit 1, naming why), each step logged, the
list and a peer as people read them and as JSON."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from tests.cli.runner import run
from tests.peer_logs import PeerLog, peer_fields

ADMIN1, ADMIN2 = "admin1@bank.example", "admin2@bank.example"


def test_peers_from_the_command_line(initialised: CliRunner) -> None:
    for email in (ADMIN1, ADMIN2):
        run(initialised, "users", "add", email, "--role", "bank_admin")
    log = PeerLog("bank-a.example/log")
    fields = peer_fields(log)
    added = json.loads(
        run(
            initialised,
            "peers",
            "add",
            log.origin,
            "--as",
            ADMIN1,
            "--log-key",
            str(fields["log_key"]),
            "--did",
            str(fields["did"]),
            "--url",
            str(fields["url"]),
            "--witness-url",
            str(fields["witness_url"]),
            "--witness-key",
            str(fields["witness_key"]),
            "--framework",
            "CQF",
            "--item-kind",
            "course",
            "--institution",
            "SHOU",
            "--valid-from",
            "2026-01-01",
            "--json",
        )
    )
    assert (added["status"], added["receipt"]["kind"]) == ("proposed", "peer.proposed")
    refused = run(initialised, "peers", "approve", log.origin, "--as", ADMIN1, code=1)
    assert "four eyes" in refused
    approved = run(initialised, "peers", "approve", str(added["id"]), "--as", ADMIN2)
    assert "approved" in approved
    assert "logged: peer.approved" in approved
    listed = run(initialised, "peers", "list")
    assert log.origin in listed
    assert "approved" in listed
    shown = json.loads(run(initialised, "peers", "show", log.origin, "--json"))
    assert [e["kind"] for e in shown["events"]] == ["proposed", "approved"]
    history = [
        line.split()[1:3]
        for line in run(initialised, "peers", "show", log.origin).splitlines()
        if line.strip().startswith("20")  # a step: when, what, who
    ]
    assert history == [[e["kind"], e["actor"]] for e in shown["events"]]
    assert shown["agreement"]["institutions"] == ["SHOU"]
    run(initialised, "peers", "remove", log.origin, "--as", ADMIN1, code=2)  # no --reason
    removed = json.loads(
        run(
            initialised,
            "peers",
            "remove",
            log.origin,
            "--as",
            ADMIN1,
            "--reason",
            "ended",
            "--json",
        )
    )
    assert removed["status"] == "removed"
    assert json.loads(run(initialised, "peers", "list", "--status", "approved", "--json")) == []
    assert "there is no peer bank" in run(initialised, "peers", "show", log.origin, code=1)
