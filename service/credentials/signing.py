"""VC-JOSE: a credential secured as a compact JWS (``typ: vc+jwt``), EdDSA over Ed25519.

The JWT's payload is the credential itself (VC-JOSE-COSE for the VC Data Model 2.0), so any JOSE
library verifies it with the published JWKS; its header names the key (``kid``: the key's RFC 7638
thumbprint).
"""

from __future__ import annotations

import json
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from service.credentials.keys import SigningKey

ALGORITHM = "EdDSA"
MEDIA_TYPE = "application/vc+jwt"
HEADER_TYPE = "vc+jwt"


class Unreadable(Exception):
    """Not a compact JWS of ours at all (its message is safe to show)."""


def sign(document: dict[str, Any], key: SigningKey) -> str:
    return jwt.api_jws.encode(
        json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode(),
        key.private,
        algorithm=ALGORITHM,
        headers={"kid": key.kid, "typ": HEADER_TYPE, "cty": "vc"},
    )


def read_unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The header and the payload, before any check (Unreadable when it is no JWS of a credential)."""
    try:
        header = jwt.get_unverified_header(token)
        payload = json.loads(
            jwt.api_jws.decode_complete(token, options={"verify_signature": False})["payload"]
        )
    except (jwt.InvalidTokenError, ValueError, TypeError, RecursionError):
        raise Unreadable("This is not a signed credential (a compact JWS).") from None
    if not isinstance(payload, dict):
        raise Unreadable("The credential's payload is not a JSON object.")
    if header.get("alg") != ALGORITHM or not isinstance(header.get("kid"), str):
        raise Unreadable("The credential is not signed with EdDSA under a named key.")
    return header, payload


def signature_holds(token: str, key: Ed25519PublicKey) -> bool:
    try:
        jwt.api_jws.decode_complete(token, key, algorithms=[ALGORITHM])
    except jwt.InvalidTokenError:
        return False
    return True
