"""The problem types of peer banks, witnessing and peers' checkpoints (RFC 9457);
``creditbank.web.problems`` collects them."""

from __future__ import annotations

from creditbank.problems import ProblemType, declare

PROBLEM_TYPES = declare(
    ProblemType("invalid-peer", 422, "Invalid peer bank"),
    ProblemType("peer-not-found", 404, "Peer bank not found"),
    ProblemType("peer-exists", 409, "Peer bank exists already"),
    ProblemType("peer-status-conflict", 409, "The peer's status does not allow this"),
    ProblemType("peer-four-eyes", 403, "The administrator who proposed a peer may not approve it"),
    ProblemType("unknown-peer", 404, "Not a trusted peer bank"),
    ProblemType("invalid-checkpoint", 422, "Invalid checkpoint"),
    ProblemType("too-few-cosignatures", 422, "Too few witnesses cosigned the checkpoint"),
    ProblemType("checkpoint-fork", 409, "The peer's log forked"),
    ProblemType("peer-unreachable", 502, "The peer bank does not answer"),
)
