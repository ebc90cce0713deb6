"""Data Integrity proofs with the ``eddsa-rdfc-2022`` cryptosuite (W3C VC DI EdDSA).

To sign a document: canonicalise (RDFC-1.0, via pyld's URDNA2015) the proof
configuration (the proof without ``proofValue``, with the document's
``@context``) and the document without its proofs; the data signed with Ed25519
is ``SHA-256(proof config) || SHA-256(document)``; the signature, base58-btc with
the multibase prefix ``z``, is the ``proofValue``. Verifying repeats the same
steps with the given proof.

Canonicalisation runs in "safe mode", as the Digital Bazaar libraries do: a term
no context defines would be silently dropped by JSON-LD (and so could be changed
without breaking the signature), so such a document is refused instead
(:class:`CanonicalisationError`). Contexts come only from the bundle
(:mod:`creditbank.credentials.contexts`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import base58
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pyld import jsonld

from creditbank.credentials.contexts import UnknownContextError, offline_loader

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
SIGNATURE_BYTES = 64

JsonObject = dict[str, Any]


class CanonicalisationError(ValueError):
    """A document cannot be canonicalised safely (unknown context, undefined terms, bad JSON-LD)."""


class ProofError(ValueError):
    """A proof is not an ``eddsa-rdfc-2022`` Data Integrity proof this module can check."""


def _absolute(iri: str) -> bool:
    return iri.startswith("_:") or (":" in iri and not iri.startswith(":"))


def _relative_iris(node: object, found: list[str]) -> None:
    """Collect the relative IRIs of expanded JSON-LD: node ids, references and types.

    toRdf drops a triple whose subject, predicate or object is a relative IRI, so a document
    with one would be signed without (part of) what it says.
    """
    if isinstance(node, list):
        for item in node:
            _relative_iris(item, found)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@type" and "@value" not in node:
                found.extend(t for t in value if isinstance(t, str) and not _absolute(t))
            elif key == "@id":
                if isinstance(value, str) and not _absolute(value):
                    found.append(value)
            else:
                _relative_iris(value, found)


_EXPANDED = "creditbank.expanded"
"""The option that tells :class:`_ExpandingOnce` its input is expanded already."""


class _ExpandingOnce(jsonld.JsonLdProcessor):  # type: ignore[misc] # pyld is untyped
    """pyld's processor, but its ``normalize`` takes a document :func:`canonicalise` expanded
    already (to refuse what safe mode refuses) as it is: pyld's ``to_rdf`` expands whatever it
    is given, and expanding a second time was a third of the time canonicalising took."""

    def expand(self, input_: Any, options: dict[str, Any]) -> Any:  # noqa: ANN401 - as pyld's
        if options.get(_EXPANDED):
            return input_
        return super().expand(input_, options)


def canonicalise(
    document: Mapping[str, Any], *, documents: Mapping[str, Mapping[str, Any]] | None = None
) -> str:
    """The RDFC-1.0 canonical N-Quads of ``document``, refusing what safe mode refuses."""
    dropped: list[str | None] = []
    processor = _ExpandingOnce(on_property_dropped=dropped.append)
    options = {"documentLoader": offline_loader(documents), "base": None}
    try:
        # pyld's expand works on a deep copy of its input: the caller's document stays as it was
        expanded = processor.expand(dict(document), options)
    except jsonld.JsonLdError as error:
        cause = error
        while cause is not None:
            if isinstance(cause, UnknownContextError):
                raise CanonicalisationError(str(cause)) from error
            cause = cause.__cause__
        msg = f"the document is not valid JSON-LD: {error.args[0] if error.args else error}"
        raise CanonicalisationError(msg) from error
    if dropped:
        names = ", ".join(sorted({str(name) for name in dropped}))
        msg = f"no context defines the term(s) {names}"
        raise CanonicalisationError(msg)
    relative: list[str] = []
    _relative_iris(expanded, relative)
    if relative:
        names = ", ".join(sorted(set(relative)))
        msg = f"no context defines the type(s), or the id(s) are not absolute IRIs: {names}"
        raise CanonicalisationError(msg)
    try:
        nquads: str = processor.normalize(
            expanded,
            {
                **options,
                "algorithm": "URDNA2015",
                "format": "application/n-quads",
                _EXPANDED: True,
            },
        )
    except jsonld.JsonLdError as error:
        msg = f"the document cannot be canonicalised: {error.args[0] if error.args else error}"
        raise CanonicalisationError(msg) from error
    return nquads


@dataclass(frozen=True, slots=True)
class Hashes:
    """What an ``eddsa-rdfc-2022`` signature covers, step by step (for tests and diagnostics)."""

    proof_canonical: str
    document_canonical: str

    @property
    def proof_hash(self) -> bytes:
        return hashlib.sha256(self.proof_canonical.encode("utf-8")).digest()

    @property
    def document_hash(self) -> bytes:
        return hashlib.sha256(self.document_canonical.encode("utf-8")).digest()

    @property
    def signed_data(self) -> bytes:
        return self.proof_hash + self.document_hash


def proofs_of(document: Mapping[str, Any]) -> list[JsonObject]:
    """The document's proofs as a list (``proof`` may be one object or an array)."""
    proof = document.get("proof")
    if proof is None:
        return []
    if isinstance(proof, dict):
        return [proof]
    if isinstance(proof, list) and all(isinstance(item, dict) for item in proof):
        return list(proof)
    msg = "'proof' must be an object or an array of objects"
    raise ProofError(msg)


def unsecured(document: Mapping[str, Any]) -> JsonObject:
    """The document without its proofs."""
    return {key: value for key, value in document.items() if key != "proof"}


def hashes(
    document: Mapping[str, Any],
    proof_config: Mapping[str, Any],
    *,
    documents: Mapping[str, Mapping[str, Any]] | None = None,
) -> Hashes:
    """Canonical forms of ``proof_config`` (given the document's ``@context``) and ``document``."""
    return _hashes(unsecured(document), proof_config, documents=documents)


def _hashes(
    secured: Mapping[str, Any],
    proof_config: Mapping[str, Any],
    *,
    documents: Mapping[str, Mapping[str, Any]] | None = None,
    document_canonical: str | None = None,
) -> Hashes:
    """Like :func:`hashes`, but ``secured`` is canonicalised as given (proofs it holds included),
    unless its canonical form is given already."""
    config = {key: value for key, value in proof_config.items() if key != "proofValue"}
    config["@context"] = secured.get("@context")
    return Hashes(
        proof_canonical=canonicalise(config, documents=documents),
        document_canonical=document_canonical
        if document_canonical is not None
        else canonicalise(secured, documents=documents),
    )


def sign(
    document: Mapping[str, Any],
    *,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: str,
    proof_purpose: str = "assertionMethod",
    documents: Mapping[str, Mapping[str, Any]] | None = None,
) -> JsonObject:
    """``document`` with an ``eddsa-rdfc-2022`` proof added to its ``proof`` array."""
    config: JsonObject = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    signature = private_key.sign(hashes(document, config, documents=documents).signed_data)
    proof = {**config, "proofValue": "z" + base58.b58encode(signature).decode("ascii")}
    return {**unsecured(document), "proof": [*proofs_of(document), proof]}


def signature_of(proof: Mapping[str, Any]) -> bytes:
    """The signature bytes in a proof's ``proofValue``; :class:`ProofError` when malformed."""
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        msg = "the proofValue must be base58-btc multibase text (starting with 'z')"
        raise ProofError(msg)
    try:
        signature = base58.b58decode(value[1:])
    except ValueError as error:
        msg = "the proofValue is not valid base58-btc"
        raise ProofError(msg) from error
    if len(signature) != SIGNATURE_BYTES:
        msg = f"the proofValue holds {len(signature)} bytes; an Ed25519 signature has 64"
        raise ProofError(msg)
    return signature


def check_proof_shape(proof: Mapping[str, Any]) -> None:
    """:class:`ProofError` unless ``proof`` is a complete ``eddsa-rdfc-2022`` proof."""
    if proof.get("type") != PROOF_TYPE:
        msg = f"the proof type is {proof.get('type')!r}, not {PROOF_TYPE}"
        raise ProofError(msg)
    if proof.get("cryptosuite") != CRYPTOSUITE:
        msg = f"the cryptosuite is {proof.get('cryptosuite')!r}, not {CRYPTOSUITE}"
        raise ProofError(msg)
    for field in ("verificationMethod", "proofPurpose", "proofValue"):
        if not isinstance(proof.get(field), str):
            msg = f"the proof has no {field}"
            raise ProofError(msg)


def verify(
    document: Mapping[str, Any],
    proof: Mapping[str, Any],
    public_key: bytes,
    *,
    documents: Mapping[str, Mapping[str, Any]] | None = None,
    document_canonical: str | None = None,
) -> bool:
    """Whether ``proof`` is a valid signature over ``document`` by ``public_key``.

    ``document_canonical``, when given, is ``canonicalise(unsecured(document))`` made already
    (the verifier's syntax check makes it); a chained proof signs more and ignores it.
    Raises :class:`ProofError` for a malformed proof and :class:`CanonicalisationError` for a
    document that cannot be canonicalised safely; answers False for a wrong signature.
    """
    check_proof_shape(proof)
    signature = signature_of(proof)
    if "@context" in proof and proof["@context"] != document.get("@context"):
        msg = "the proof's @context differs from the document's"
        raise ProofError(msg)
    secured = unsecured(document)
    previous = proof.get("previousProof")
    if previous is not None:
        wanted = {previous} if isinstance(previous, str) else set(previous)
        secured["proof"] = [p for p in proofs_of(document) if p.get("id") in wanted]
        document_canonical = None
    data = _hashes(
        secured, proof, documents=documents, document_canonical=document_canonical
    ).signed_data
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, data)
    except InvalidSignature:
        return False
    return True
