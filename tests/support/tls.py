"""One default TLS context for every httpx2 client the tests make.

Each ``httpx2.Client()`` builds an SSL context with the system's trusted certificates
(``httpcore2.default_ssl_context``): 24 ms of CPU, and the suite makes a client per role, per
test or per request in many places, most of which never open a TLS connection (the bank is
served in-process or on plain-HTTP loopback). :func:`share_default_context` makes every
client that asks for the default context (``verify=True``, no client certificate) get the same
one, built once: an ``ssl.SSLContext`` is meant to be shared by many connections, and nothing
in the suite changes it after it is built. Clients that pass a context or a CA file of their
own still get theirs. Production code is untouched.
"""

from __future__ import annotations

import functools
import ssl

import httpcore2

_build_default = httpcore2.default_ssl_context


@functools.cache
def _shared_default(*, _trust_env: bool = True) -> ssl.SSLContext:
    return _build_default(_trust_env=_trust_env)


def share_default_context() -> None:
    """Route httpx2's ``verify=True`` to one shared context (idempotent)."""
    httpcore2.default_ssl_context = _shared_default
