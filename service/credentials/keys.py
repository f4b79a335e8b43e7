"""The issuer's Ed25519 keys: one signs, every earlier one stays published so what it signed verifies.

They live in a folder (``PORTAL_CREDENTIAL_KEYS_DIR``, by default ``<data_dir>/credential-keys``):
``signing-key.pem`` is the private key in use, made on first use (readable by its owner only);
``retired/<kid>.pem`` holds the public half of each key rotated out. A rotation writes the public
half of the old key first, then replaces the signing key in one rename, so a process reading the
folder at any moment finds every key it needs. Several API processes share the folder at scale.

A private key is never printed: ``SigningKey`` shows its ``kid`` only, and errors name files.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

SIGNING_KEY_FILE = "signing-key.pem"
RETIRED_DIR = "retired"


class KeyFileError(Exception):
    """A key file that cannot be read as an Ed25519 key (its path is named, never its content)."""


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def public_jwk(public: Ed25519PublicKey) -> dict[str, str]:
    """The public key as an OKP JWK (RFC 8037) whose ``kid`` is its RFC 7638 thumbprint."""
    x = _b64url(public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
    # RFC 7638: the required members, in lexicographic order, without whitespace.
    thumbprint = hashlib.sha256(
        json.dumps({"crv": "Ed25519", "kty": "OKP", "x": x}, separators=(",", ":")).encode()
    )
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": x,
        "kid": _b64url(thumbprint.digest()),
        "alg": "EdDSA",
        "use": "sig",
    }


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private: Ed25519PrivateKey = field(repr=False, compare=False)


@dataclass(frozen=True)
class KeyRing:
    """The signing key and every public key that verifies a credential of ours, by ``kid``."""

    signing: SigningKey
    public: dict[str, Ed25519PublicKey] = field(repr=False)

    def jwks(self) -> dict[str, Any]:
        """The JSON Web Key Set published at ``/.well-known/jwks.json``: the signing key first."""
        keys = [public_jwk(self.public[self.signing.kid])]
        keys += [public_jwk(key) for kid, key in sorted(self.public.items()) if kid != self.signing.kid]
        return {"keys": keys}


def load_keys(folder: Path) -> KeyRing:
    """The keys in ``folder``; a signing key is made there first if it has none."""
    private = _signing_key(folder / SIGNING_KEY_FILE)
    signing = SigningKey(kid=public_jwk(private.public_key())["kid"], private=private)
    public = {signing.kid: private.public_key()}
    retired = folder / RETIRED_DIR
    for path in sorted(retired.glob("*.pem")) if retired.is_dir() else []:
        key = _read_public(path)
        public[public_jwk(key)["kid"]] = key
    return KeyRing(signing=signing, public=public)


# Per process: the keys last read from each folder, with the folder's stamp when they were read.
_read: dict[Path, tuple[tuple[tuple[int, int, int] | None, ...], KeyRing]] = {}


def _stamp(folder: Path) -> tuple[tuple[int, int, int] | None, ...]:
    """What changes whenever the folder's keys do: a rotation renames a new signing key into place
    (a new inode) and adds a retired key (the retired folder's mtime)."""
    stamps: list[tuple[int, int, int] | None] = []
    for path in (folder / SIGNING_KEY_FILE, folder / RETIRED_DIR):
        try:
            found = path.stat()
        except FileNotFoundError:
            stamps.append(None)
        else:
            stamps.append((found.st_ino, found.st_mtime_ns, found.st_size))
    return tuple(stamps)


def current_keys(folder: Path) -> KeyRing:
    """``load_keys``, read again only when the folder changed (two ``stat`` calls otherwise), so a
    rotation by another process takes effect here at the next use."""
    # Stamped before reading: a rotation during the read leaves a stale stamp, read again next time.
    stamp = _stamp(folder)
    kept = _read.get(folder)
    if kept is not None and kept[0] == stamp:
        return kept[1]
    keys = load_keys(folder)
    # A key made by this read: stamped as made (a rotation in that same instant is not expected).
    _read[folder] = (_stamp(folder) if stamp[0] is None else stamp, keys)
    return keys


def rotate_keys(folder: Path) -> tuple[str, str]:
    """A new signing key; the old one's public half stays published. Answers (old kid, new kid)."""
    old = load_keys(folder).signing
    retired = folder / RETIRED_DIR
    retired.mkdir(parents=True, exist_ok=True)
    public_pem = old.private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    _write_atomically(retired / f"{old.kid}.pem", public_pem, mode=0o644)
    new = Ed25519PrivateKey.generate()
    _write_atomically(folder / SIGNING_KEY_FILE, _private_pem(new), mode=0o600)
    return old.kid, public_jwk(new.public_key())["kid"]


def _signing_key(path: Path) -> Ed25519PrivateKey:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        # Written whole under another name, then linked into place: a process starting at the same
        # moment finds no file or a complete one, and both keep the first key linked.
        temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.new")
        _write_atomically(temporary, _private_pem(key), mode=0o600)
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        else:
            return key
        finally:
            temporary.unlink()
    try:
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (ValueError, TypeError):
        raise KeyFileError(f"{path} is not a PEM private key.") from None
    if not isinstance(loaded, Ed25519PrivateKey):
        raise KeyFileError(f"{path} is not an Ed25519 private key.")
    return loaded


def _read_public(path: Path) -> Ed25519PublicKey:
    try:
        loaded = serialization.load_pem_public_key(path.read_bytes())
    except ValueError:
        raise KeyFileError(f"{path} is not a PEM public key.") from None
    if not isinstance(loaded, Ed25519PublicKey):
        raise KeyFileError(f"{path} is not an Ed25519 public key.")
    return loaded


def _private_pem(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _write_atomically(path: Path, content: bytes, *, mode: int) -> None:
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
