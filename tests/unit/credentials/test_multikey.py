"""Ed25519 Multikey text, ``did:key`` and ``did:web`` identifiers; the canonicaliser's safe mode.

Round trips over any 32-byte key, the W3C and 1EdTech vectors' keys, what is refused
(another key type, a private key, a wrong length, text that is not base58-btc multibase),
``did:web`` with a port and a path; and that canonicalisation refuses a term or a type no
context defines and a context that is not bundled, rather than dropping what it cannot read.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import base58
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from creditbank.credentials.multikey import (
    KeyFormatError,
    decode_public_key,
    did_key,
    did_key_method,
    did_key_public_key,
    did_web,
    did_web_parts,
    encode_public_key,
)
from creditbank.credentials.proofs import CanonicalisationError, canonicalise

VECTORS = Path(__file__).parents[2] / "vectors"

W3C_KEY = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
W3C_METHOD = f"did:key:{W3C_KEY}#{W3C_KEY}"
OB_KEY = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
OB_KEY_HEX = "4bdeafde2ea8beefadd8c699b5c7e0704cf51154d52e17b20b71337ca04cc5a5"
# The issuer of the W3C employment vector: a P-256 key (multicodec 0x1200), not an Ed25519 one.
P256_KEY = "zDnaegE6RR3atJtHKwTRTWHsJ3kNHqFwv7n9YjTgmU7TyfU76"
# keyPair.json's private key (multicodec 0x1300, ed25519-priv): right length, wrong prefix.
W3C_PRIVATE_KEY = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"


def _multibase(data: bytes) -> str:
    return "z" + base58.b58encode(data).decode("ascii")


# --- Multikey and did:key -------------------------------------------------------------------------


@given(st.binary(min_size=32, max_size=32))
def test_any_key_makes_the_round_trip(raw: bytes) -> None:
    text = encode_public_key(raw)
    assert text.startswith("z6Mk")  # every Ed25519 Multikey does
    assert decode_public_key(text) == raw
    assert did_key(raw) == f"did:key:{text}"
    assert did_key_method(raw) == f"did:key:{text}#{text}"
    assert did_key_public_key(did_key(raw)) == raw
    assert did_key_public_key(did_key_method(raw)) == raw


def test_the_w3c_vector_key() -> None:
    raw = decode_public_key(W3C_KEY)
    assert len(raw) == 32
    assert encode_public_key(raw) == W3C_KEY
    assert did_key_method(raw) == W3C_METHOD
    assert did_key_public_key(W3C_METHOD) == raw
    key_pair: dict[str, Any] = json.loads(
        (VECTORS / "vc-di-eddsa" / "keyPair.json").read_text(encoding="utf-8")
    )
    assert key_pair["publicKeyMultibase"] == W3C_KEY
    seed = base58.b58decode(key_pair["privateKeyMultibase"][1:])[2:]
    assert Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw() == raw


def test_the_open_badges_vector_key() -> None:
    assert decode_public_key(OB_KEY).hex() == OB_KEY_HEX
    assert encode_public_key(bytes.fromhex(OB_KEY_HEX)) == OB_KEY


NOT_ED25519_PUBLIC_KEYS = [
    pytest.param(P256_KEY, id="p256-public-key"),
    pytest.param(W3C_PRIVATE_KEY, id="ed25519-private-key"),
    pytest.param(_multibase(b"\xed\x01" + bytes(31)), id="31-bytes"),
    pytest.param(_multibase(b"\xed\x01" + bytes(33)), id="33-bytes"),
    pytest.param(_multibase(bytes(34)), id="no-multicodec-prefix"),
    pytest.param(_multibase(b"\x01\xed" + bytes(32)), id="prefix-reversed"),
    pytest.param(W3C_KEY[:-1] + "0", id="non-base58-zero"),
    pytest.param("z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQl", id="non-base58-ell"),
    pytest.param("z6Mkr JVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2", id="space"),
    pytest.param(W3C_KEY[1:], id="no-z"),
    pytest.param("u7QF" + "A" * 43, id="base64url-multibase"),
    pytest.param("Z" + W3C_KEY[1:], id="capital-z"),
    pytest.param("z", id="only-z"),
    pytest.param("", id="empty"),
]


@pytest.mark.parametrize("text", NOT_ED25519_PUBLIC_KEYS)
def test_what_is_not_an_ed25519_public_key_is_refused(text: str) -> None:
    with pytest.raises(KeyFormatError):
        decode_public_key(text)


@pytest.mark.parametrize("text", NOT_ED25519_PUBLIC_KEYS)
def test_a_did_key_of_what_is_not_an_ed25519_public_key_is_refused(text: str) -> None:
    with pytest.raises(KeyFormatError):
        did_key_public_key(f"did:key:{text}")


@pytest.mark.parametrize("size", [0, 31, 33, 64])
def test_only_32_bytes_are_encoded(size: int) -> None:
    with pytest.raises(KeyFormatError):
        encode_public_key(bytes(size))


@pytest.mark.parametrize(
    "did",
    [
        pytest.param(f"did:key:{W3C_KEY}#{OB_KEY}", id="fragment-names-another-key"),
        pytest.param(f"did:key:{W3C_KEY}#key-1", id="fragment-not-the-key"),
        pytest.param(f"did:web:example.com#{W3C_KEY}", id="did-web"),
        pytest.param(W3C_KEY, id="bare-multikey"),
        pytest.param(f"DID:KEY:{W3C_KEY}", id="upper-case-method"),
    ],
)
def test_what_is_not_a_did_key_method_is_refused(did: str) -> None:
    with pytest.raises(KeyFormatError):
        did_key_public_key(did)


# --- did:web --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "path", "did"),
    [
        pytest.param("example.com", (), "did:web:example.com", id="host"),
        pytest.param("localhost:8000", (), "did:web:localhost%3A8000", id="port"),
        pytest.param(
            "example.edu", ("issuers", "565049"), "did:web:example.edu:issuers:565049", id="path"
        ),
        pytest.param(
            "localhost:8000",
            ("institutions", "shac"),
            "did:web:localhost%3A8000:institutions:shac",
            id="port-and-path",
        ),
        pytest.param(
            "example.com", ("a b", "c:d"), "did:web:example.com:a%20b:c%3Ad", id="escapes"
        ),
    ],
)
def test_did_web(host: str, path: tuple[str, ...], did: str) -> None:
    assert did_web(host, *path) == did
    assert did_web_parts(did) == (host, list(path))


def test_a_did_web_method_id_names_its_did() -> None:
    assert did_web_parts("did:web:localhost%3A8000:institutions:shac#key-1") == (
        "localhost:8000",
        ["institutions", "shac"],
    )


TEXT = st.text(st.characters(codec="utf-8"), max_size=20)  # any text UTF-8 can encode


@given(TEXT, st.lists(TEXT, max_size=4))
def test_any_did_web_makes_the_round_trip(host: str, path: list[str]) -> None:
    did = did_web(host, *path)
    assert did.startswith("did:web:")
    assert "#" not in did
    assert did_web_parts(did) == (host, path)


@pytest.mark.parametrize("did", [f"did:key:{W3C_KEY}", "https://example.com", "did:webs:x"])
def test_what_is_not_a_did_web_is_refused(did: str) -> None:
    with pytest.raises(KeyFormatError):
        did_web_parts(did)


# --- safe mode ------------------------------------------------------------------------------------


def _credential(**changes: Any) -> dict[str, Any]:
    credential: dict[str, Any] = {
        "@context": [CREDENTIALS_V2],
        "id": "urn:uuid:6f1d2a0e-2b7c-4c33-9d0e-4d3c7b2f9a11",
        "type": ["VerifiableCredential"],
        "issuer": "https://example.edu/issuers/565049",
        "validFrom": "2024-09-01T00:00:00Z",
        "name": "Credit transfer",
        "credentialSubject": {"id": "did:example:learner"},
    }
    credential.update(changes)
    return credential


def test_a_credential_with_only_defined_terms_is_canonicalised() -> None:
    nquads = canonicalise(_credential())
    assert nquads.endswith(" .\n")
    assert '<https://schema.org/name> "Credit transfer" .' in nquads


@pytest.mark.parametrize(
    ("changes", "undefined"),
    [
        pytest.param({"favouriteColour": "blue"}, "favouriteColour", id="top-level"),
        pytest.param(
            {"credentialSubject": {"id": "did:example:learner", "degree": "BSc"}},
            "degree",
            id="in-the-subject",
        ),
        pytest.param(
            {"issuer": {"id": "https://example.edu/issuers/565049", "url": "https://x.test"}},
            "url",
            id="in-the-issuer",
        ),
    ],
)
def test_a_term_no_context_defines_is_refused(changes: dict[str, Any], undefined: str) -> None:
    with pytest.raises(CanonicalisationError, match=undefined):
        canonicalise(_credential(**changes))


def test_a_type_no_context_defines_is_refused() -> None:
    credential = _credential(type=["VerifiableCredential", "AlumniCredential"])
    with pytest.raises(CanonicalisationError, match="AlumniCredential"):
        canonicalise(credential)


def test_a_nested_type_no_context_defines_is_refused() -> None:
    subject = {"id": "did:example:learner", "type": "Learner"}
    with pytest.raises(CanonicalisationError, match="Learner"):
        canonicalise(_credential(credentialSubject=subject))


@pytest.mark.parametrize(
    ("changes", "relative"),
    [
        pytest.param({"id": "credential-1"}, "credential-1", id="credential-id"),
        pytest.param({"issuer": "issuers/565049"}, "issuers/565049", id="issuer"),
        pytest.param({"credentialSubject": {"id": "learners/42"}}, "learners/42", id="subject-id"),
    ],
)
def test_an_id_that_is_not_an_absolute_iri_is_refused(
    changes: dict[str, Any], relative: str
) -> None:
    """A relative IRI means nothing without a base: RDF drops what it names (or, given a made-up
    base, signs that base instead), so the signature would not cover what a reader sees."""
    with pytest.raises(CanonicalisationError, match=re.escape(relative)):
        canonicalise(_credential(**changes))


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/contexts/unknown/v1",
        "https://www.w3.org/ns/credentials/examples/v2",  # real, but not bundled
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",  # an older OB context
    ],
)
def test_a_context_that_is_not_bundled_is_refused(url: str) -> None:
    with pytest.raises(CanonicalisationError, match=re.escape(url)):
        canonicalise(_credential(**{"@context": [CREDENTIALS_V2, url]}))


def test_a_context_given_by_the_caller_is_used() -> None:
    url = "https://example.com/contexts/unknown/v1"
    credential = _credential(**{"@context": [CREDENTIALS_V2, url], "favouriteColour": "blue"})
    nquads = canonicalise(
        credential, documents={url: {"@context": {"favouriteColour": "https://example.com/#c"}}}
    )
    assert '<https://example.com/#c> "blue" .' in nquads
