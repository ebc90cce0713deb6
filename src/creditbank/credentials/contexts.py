"""The JSON-LD contexts the bank signs and verifies with, bundled and pinned by hash.

Nothing is fetched from the network when a credential is signed or verified: a
context is read from this package's ``contexts/`` folder, and only when its bytes
have the SHA-256 that ``contexts/index.json`` pins. A document naming any other
context is refused (:class:`UnknownContextError`), which a verifier reports as a
syntax problem rather than guessing what the terms mean.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_V3_EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
CLR_V2 = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
DID_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"


class UnknownContextError(ValueError):
    """A document names a context the bank does not bundle."""

    def __init__(self, url: str) -> None:
        super().__init__(f"the JSON-LD context {url} is not bundled with the bank")
        self.url = url


@cache
def _index() -> dict[str, dict[str, str]]:
    folder = resources.files("creditbank.credentials") / "contexts"
    index: dict[str, dict[str, str]] = json.loads((folder / "index.json").read_text("utf-8"))
    return index


@cache
def bundled_context(url: str) -> dict[str, Any]:
    """The bundled document of context ``url``, checked against its pinned hash."""
    entry = _index().get(url)
    if entry is None:
        raise UnknownContextError(url)
    data = (resources.files("creditbank.credentials") / "contexts" / entry["file"]).read_bytes()
    if hashlib.sha256(data).hexdigest() != entry["sha256"]:
        msg = f"the bundled context {entry['file']} does not match its pinned SHA-256"
        raise RuntimeError(msg)
    document: dict[str, Any] = json.loads(data)
    return document


def bundled_urls() -> list[str]:
    """Every context URL the bank bundles."""
    return sorted(_index())


def offline_loader(
    extra: Mapping[str, Mapping[str, Any]] | None = None,
) -> Any:  # noqa: ANN401 - pyld's loader type is untyped
    """A pyld document loader that answers from the bundle (and ``extra``), never the network."""
    extra = dict(extra or {})

    def load(url: str, options: object = None) -> dict[str, Any]:  # noqa: ARG001
        document = extra.get(url)
        if document is not None:
            return {"contextUrl": None, "documentUrl": url, "document": document}
        # a bundled context never changes: tagged "static", pyld keeps it resolved across
        # documents (untagged, every expansion resolved each context again: a third of the time
        # of verifying a credential)
        document = bundled_context(url)
        return {"contextUrl": None, "documentUrl": url, "document": document, "tag": "static"}

    return load
