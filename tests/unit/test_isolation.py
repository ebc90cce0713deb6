"""The pure cores' tests stay off the network: tests/unit/conftest.py refuses it, provably."""

from __future__ import annotations

import socket

import pytest

from tests.unit.conftest import NetworkUsedError


def test_a_connection_over_ip_is_refused() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp, pytest.raises(NetworkUsedError):
        tcp.connect(("127.0.0.1", 9))


def test_a_name_look_up_is_refused() -> None:
    with pytest.raises(NetworkUsedError):
        socket.getaddrinfo("example.org", 443)


def test_local_sockets_still_work() -> None:
    left, right = socket.socketpair()
    with left, right:
        left.sendall(b"ping")
        assert right.recv(4) == b"ping"
