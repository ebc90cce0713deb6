"""The pure cores' tests: no database, no server, no network.

``make unit`` runs this directory alone with ``--confcutdir=tests/unit``, so the suite's
fixtures (databases, live servers) in ``tests/conftest.py`` are not even loaded: a test here
that asks for one fails with "fixture not found". A connection to the network (an IP
address, or a name to resolve) fails here too: such a test belongs to tests/integration or
tests/api. Local sockets (Unix, socketpair) stay allowed, as the process pools use them.
"""

from __future__ import annotations

import socket
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

# As in tests/conftest.py, which `make unit` does not load: speed is measured in benchmarks,
# never in tests, so no per-example deadline.
hypothesis_settings.register_profile("creditbank", deadline=None)
hypothesis_settings.load_profile("creditbank")

_NETWORK_FAMILIES = frozenset({socket.AF_INET, socket.AF_INET6})


class NetworkUsedError(AssertionError):
    """A test of a pure core reached for the network."""


def _refuse(what: str) -> NetworkUsedError:
    return NetworkUsedError(f"tests/unit must not use the network ({what}); move the test")


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse connections over IP and name look-ups for the test's duration."""
    connect = socket.socket.connect
    connect_ex = socket.socket.connect_ex

    def guarded_connect(self: socket.socket, address: Any) -> None:
        if self.family in _NETWORK_FAMILIES:
            raise _refuse(f"connect to {address!r}")
        connect(self, address)

    def guarded_connect_ex(self: socket.socket, address: Any) -> int:
        if self.family in _NETWORK_FAMILIES:
            raise _refuse(f"connect to {address!r}")
        return connect_ex(self, address)

    def guarded_getaddrinfo(host: Any, *_args: Any, **_kwargs: Any) -> Any:
        raise _refuse(f"look up {host!r}")

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
