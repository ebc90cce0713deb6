"""Credentials in VC-JOSE form: a compact JWS whose payload is the credential (``vc+jwt``).

The header names the algorithm (``EdDSA``, which JOSE libraries widely verify; RFC 9864's
fully specified ``Ed25519`` is accepted when verifying too), the type
``vc+jwt``, the content type ``vc`` and the verification method (``kid``). The
payload is the unsecured credential itself, as VC-JOSE-COSE specifies; a VC 1.1
style payload with a ``vc`` claim is read too.
"""

from __future__ import annotations

import base64
import json
import warnings
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

ALGORITHM = "EdDSA"
ACCEPTED_ALGORITHMS = ("EdDSA", "Ed25519")
MEDIA_TYPE = "vc+jwt"


class JwtError(ValueError):
    """Text that is not a compact JWS credential."""


def sign(credential: Mapping[str, Any], *, private_key: Ed25519PrivateKey, kid: str) -> str:
    """The credential as a compact ``vc+jwt`` signed with ``private_key``."""
    payload = json.dumps(dict(credential), ensure_ascii=False, separators=(",", ":"))
    header = {"alg": ALGORITHM, "typ": MEDIA_TYPE, "cty": "vc", "kid": kid}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # joserfc warns that the name EdDSA is deprecated
        return jws.serialize_compact(
            header, payload.encode("utf-8"), OKPKey.import_key(private_key), algorithms=[ALGORITHM]
        )


def _part(text: str) -> dict[str, Any]:
    try:
        value = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except ValueError as error:
        msg = "a part of the JWT is not base64url JSON"
        raise JwtError(msg) from error
    if not isinstance(value, dict):
        msg = "a part of the JWT is not a JSON object"
        raise JwtError(msg)
    return value


def looks_like_jwt(text: str) -> bool:
    """Whether ``text`` has the shape of a compact JWS (three base64url parts)."""
    parts = text.strip().split(".")
    return len(parts) == 3 and all(parts[:2])  # noqa: PLR2004 - header.payload.signature


def read(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The header and the credential of a compact JWS, without checking the signature."""
    parts = token.strip().split(".")
    if len(parts) != 3:  # noqa: PLR2004
        msg = "a compact JWT has three parts separated by dots"
        raise JwtError(msg)
    header, payload = _part(parts[0]), _part(parts[1])
    inner = payload.get("vc")
    return header, inner if isinstance(inner, dict) else payload


def verify(token: str, public_key: bytes) -> bool:
    """Whether the JWS signature is valid for the Ed25519 ``public_key``."""
    header, _ = read(token)
    if header.get("alg") not in ACCEPTED_ALGORITHMS:
        return False
    key = OKPKey.import_key({"kty": "OKP", "crv": "Ed25519", "x": _b64url(public_key)})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # joserfc warns that the name EdDSA is deprecated
            jws.deserialize_compact(token.strip(), key, algorithms=list(ACCEPTED_ALGORITHMS))
    except (JoseError, ValueError):
        return False
    return True


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def public_jwk(public_key: bytes) -> dict[str, str]:
    """The public JWK of an Ed25519 key."""
    return {"kty": "OKP", "crv": "Ed25519", "x": _b64url(public_key)}
