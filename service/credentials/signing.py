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
# The same credential as JSON: VC-JOSE-COSE's enveloped form (the JWT in a data: URL), served as
# the VC Data Model's own media type.
ENVELOPED_MEDIA_TYPE = "application/vc"
ENVELOPED_TYPE = "EnvelopedVerifiableCredential"
DATA_URL_PREFIX = f"data:{MEDIA_TYPE},"


class Unreadable(Exception):
    """Not a compact JWS of ours at all (its message is safe to show)."""


def sign(document: dict[str, Any], key: SigningKey) -> str:
    return jwt.api_jws.encode(
        json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode(),
        key.private,
        algorithm=ALGORITHM,
        headers={"kid": key.kid, "typ": HEADER_TYPE, "cty": "vc"},
    )


def enveloped(token: str) -> dict[str, Any]:
    """The signed credential as a JSON document: an ``EnvelopedVerifiableCredential`` whose id is
    the JWT as a ``data:`` URL. It adds nothing to verify: what is signed is the JWT inside."""
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": DATA_URL_PREFIX + token,
        "type": ENVELOPED_TYPE,
    }


def unwrap(text: str) -> str:
    """The JWT of an enveloped credential (the ``.json`` file); any other text as it is."""
    if not text.startswith("{"):
        return text
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return text
    if not isinstance(document, dict) or document.get("type") != ENVELOPED_TYPE:
        return text
    found = document.get("id")
    if not isinstance(found, str) or not found.startswith(DATA_URL_PREFIX):
        return text
    return found.removeprefix(DATA_URL_PREFIX)


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
