"""VC-JOSE credentials (``vc+jwt``): signing, reading, verifying, and what is refused.

Tokens name the algorithm ``EdDSA`` or RFC 9864's ``Ed25519``; both verify (tokens
under either name are also signed here with joserfc directly, its deprecation
warning for ``EdDSA`` suppressed). Malformed tokens raise :class:`JwtError` when
read or verified; a wrong key, algorithm or signature answers False.
"""

from __future__ import annotations

import base64
import json
import warnings
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from joserfc import jws
from joserfc.errors import SecurityWarning
from joserfc.jwk import OKPKey

from creditbank.credentials import multikey, vcjwt
from creditbank.credentials.vcjwt import JwtError

JsonObject = dict[str, Any]

KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
PUBLIC = KEY.public_key().public_bytes_raw()
OTHER_PUBLIC = Ed25519PrivateKey.from_private_bytes(bytes(32)).public_key().public_bytes_raw()
KID = "did:web:bank.example:institutions:SHAC#key-1"
CREDENTIAL: JsonObject = {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    "id": "urn:uuid:3b1f0c9e-0000-4000-8000-000000000001",
    "type": ["VerifiableCredential"],
    "issuer": "did:web:bank.example:institutions:SHAC",
    "validFrom": "2026-07-01T00:00:00Z",
    "credentialSubject": {"name": "学分银行"},
}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def b64url_json(value: object) -> str:
    return b64url(json.dumps(value).encode())


def unpadded(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


NOT_UTF8 = b64url(bytes([0xFF, 0xFE]))


def sign_with_joserfc(header: JsonObject, payload: JsonObject, algorithm: str) -> str:
    """A token signed by joserfc itself (not by :func:`vcjwt.sign`)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SecurityWarning)  # "EdDSA is deprecated via RFC 9864"
        return jws.serialize_compact(
            header, json.dumps(payload).encode(), OKPKey.import_key(KEY), algorithms=[algorithm]
        )


def test_sign_read_verify() -> None:
    token = vcjwt.sign(CREDENTIAL, private_key=KEY, kid=KID)

    header, credential = vcjwt.read(token)

    assert credential == CREDENTIAL
    assert header["kid"] == KID
    assert vcjwt.verify(token, PUBLIC) is True
    assert vcjwt.verify(token, OTHER_PUBLIC) is False


def test_header_fields() -> None:
    token = vcjwt.sign(CREDENTIAL, private_key=KEY, kid=KID)

    header = json.loads(unpadded(token.split(".")[0]))

    assert header == {"alg": vcjwt.ALGORITHM, "typ": "vc+jwt", "cty": "vc", "kid": KID}
    assert vcjwt.ALGORITHM in {"EdDSA", "Ed25519"}


def test_payload_is_the_credential_itself_in_utf8() -> None:
    token = vcjwt.sign(CREDENTIAL, private_key=KEY, kid=KID)

    payload = unpadded(token.split(".")[1])

    assert json.loads(payload) == CREDENTIAL
    assert "学分银行".encode() in payload
    assert b" " not in payload.replace("学分银行".encode(), b"")


def test_token_is_three_base64url_parts() -> None:
    token = vcjwt.sign(CREDENTIAL, private_key=KEY, kid=KID)

    parts = token.split(".")

    assert len(parts) == 3
    assert vcjwt.looks_like_jwt(token)
    assert len(unpadded(parts[2])) == 64
    assert not any(c in token for c in "+/=")


def test_signing_raises_no_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        token = vcjwt.sign(CREDENTIAL, private_key=KEY, kid=KID)
    assert vcjwt.verify(token, PUBLIC) is True


@pytest.mark.parametrize("algorithm", ["EdDSA", "Ed25519"])
def test_tokens_under_either_name_verify(algorithm: str) -> None:
    header = {"alg": algorithm, "typ": "vc+jwt", "kid": KID}
    token = sign_with_joserfc(header, CREDENTIAL, algorithm)

    assert vcjwt.read(token)[0]["alg"] == algorithm
    assert vcjwt.verify(token, PUBLIC) is True
    assert vcjwt.verify(token, OTHER_PUBLIC) is False


def test_vc11_payload_with_a_vc_claim_is_read() -> None:
    payload = {"iss": CREDENTIAL["issuer"], "jti": CREDENTIAL["id"], "vc": CREDENTIAL}
    token = sign_with_joserfc({"alg": "Ed25519", "typ": "JWT"}, payload, "Ed25519")

    _, credential = vcjwt.read(token)

    assert credential == CREDENTIAL
    assert vcjwt.verify(token, PUBLIC) is True


def test_other_algorithms_are_refused() -> None:
    secret = b"s" * 32
    header = b64url_json({"alg": "HS256", "typ": "vc+jwt"})
    payload = b64url_json(CREDENTIAL)
    token = f"{header}.{payload}.{b64url(secret)}"

    assert vcjwt.verify(token, PUBLIC) is False


def test_unsigned_token_is_refused() -> None:
    token = f"{b64url_json({'alg': 'none'})}.{b64url_json(CREDENTIAL)}."

    assert vcjwt.verify(token, PUBLIC) is False


def test_tampered_payload_fails() -> None:
    header, _, signature = vcjwt.sign(CREDENTIAL, private_key=KEY, kid=KID).split(".")
    changed = {**CREDENTIAL, "validFrom": "2020-01-01T00:00:00Z"}

    assert vcjwt.verify(f"{header}.{b64url_json(changed)}.{signature}", PUBLIC) is False


def test_tampered_header_fails() -> None:
    _, payload, signature = vcjwt.sign(CREDENTIAL, private_key=KEY, kid=KID).split(".")
    header = b64url_json({"alg": "Ed25519", "typ": "vc+jwt", "cty": "vc", "kid": KID + "x"})

    assert vcjwt.verify(f"{header}.{payload}.{signature}", PUBLIC) is False


def test_broken_signature_fails() -> None:
    header, payload, _ = vcjwt.sign(CREDENTIAL, private_key=KEY, kid=KID).split(".")

    assert vcjwt.verify(f"{header}.{payload}.{b64url(bytes(64))}", PUBLIC) is False
    assert vcjwt.verify(f"{header}.{payload}.{b64url(bytes(10))}", PUBLIC) is False
    assert vcjwt.verify(f"{header}.{payload}.", PUBLIC) is False


def test_surrounding_whitespace_is_ignored() -> None:
    token = vcjwt.sign(CREDENTIAL, private_key=KEY, kid=KID)

    assert vcjwt.verify(f"  {token}\n", PUBLIC) is True
    assert vcjwt.read(f"\n{token} ")[1] == CREDENTIAL


@pytest.mark.parametrize(
    "token",
    [
        "",
        "only-one-part",
        "two.parts",
        "a.b.c.d",
        f"{b64url(b'not json')}.{b64url_json(CREDENTIAL)}.sig",
        f"{b64url_json({'alg': 'Ed25519'})}.{b64url(b'not json')}.sig",
        f"{b64url_json(['a', 'list'])}.{b64url_json(CREDENTIAL)}.sig",
        f"{b64url_json({'alg': 'Ed25519'})}.{b64url_json('a string')}.sig",
        f"{NOT_UTF8}.{b64url_json(CREDENTIAL)}.sig",
    ],
    ids=[
        "empty",
        "one part",
        "two parts",
        "four parts",
        "header not json",
        "payload not json",
        "header not an object",
        "payload not an object",
        "header not utf-8",
    ],
)
def test_malformed_tokens_raise(token: str) -> None:
    with pytest.raises(JwtError):
        vcjwt.read(token)
    with pytest.raises(JwtError):
        vcjwt.verify(token, PUBLIC)


@pytest.mark.parametrize(
    "text",
    ["", "a.b", "a.b.c.d", ".b.c", "a..c", '{"@context": []}'],
)
def test_looks_like_jwt_refuses_other_shapes(text: str) -> None:
    assert vcjwt.looks_like_jwt(text) is False


def test_looks_like_jwt_allows_an_empty_signature_part() -> None:
    assert vcjwt.looks_like_jwt("a.b.") is True


def test_public_jwk() -> None:
    jwk = vcjwt.public_jwk(PUBLIC)

    assert jwk == {"kty": "OKP", "crv": "Ed25519", "x": b64url(PUBLIC)}
    imported: dict[str, str | list[str]] = {**jwk}
    assert OKPKey.import_key(imported).as_dict(private=False)["x"] == jwk["x"]
    assert multikey.decode_public_key(multikey.encode_public_key(PUBLIC)) == unpadded(jwk["x"])
