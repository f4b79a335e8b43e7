"""The credentials' status: a W3C Bitstring Status List, read from the certificates themselves.

One entry of two bits per certificate (``statusPurpose: message``): valid, suspended (a provisional
certificate, pending completion), revoked (revoked, or voided), replaced. The list is computed from
the certificates' statuses, so revoking, replacing, voiding or settling a certificate flips its
entry with no second write to keep in step. It is GZIP-compressed (as the specification asks),
signed like the credentials, and built again only when a status in it changed.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from enum import IntEnum
from functools import lru_cache
from typing import Any

from service.certificates.models import Certificate, CertificateStatus
from service.credentials.config import LIST_ENTRIES, CredentialsConfig
from service.credentials.signing import sign
from service.database import LARGEST_KEY

STATUS_SIZE = 2


class CredentialState(IntEnum):
    VALID = 0
    SUSPENDED = 1
    REVOKED = 2
    REPLACED = 3


STATUS_MESSAGES = [
    {"status": "0x0", "message": "valid"},
    {"status": "0x1", "message": "suspended: pending completion of the course"},
    {"status": "0x2", "message": "revoked"},
    {"status": "0x3", "message": "replaced by a corrected certificate"},
]

STATE_OF = {
    CertificateStatus.VALID: CredentialState.VALID,
    CertificateStatus.PROVISIONAL: CredentialState.SUSPENDED,
    CertificateStatus.REVOKED: CredentialState.REVOKED,
    CertificateStatus.VOIDED: CredentialState.REVOKED,
    CertificateStatus.REPLACED: CredentialState.REPLACED,
}


async def list_states(list_number: int) -> dict[int, CredentialState]:
    """The entries of one list that are not valid, by index (one range query on the unique index)."""
    first = list_number * LIST_ENTRIES
    # The last list ends where an index can go no further (a larger bound is refused by PostgreSQL).
    last = min(first + LIST_ENTRIES - 1, LARGEST_KEY)
    rows = await (
        Certificate.filter(credential_status_index__gte=first, credential_status_index__lte=last)
        .exclude(status=CertificateStatus.VALID)
        .values_list("credential_status_index", "status")
    )
    return {int(index) - first: STATE_OF[CertificateStatus(status)] for index, status in rows}


def encode_list(states: dict[int, CredentialState]) -> str:
    """``encodedList``: multibase base64url (``u``, no padding) of the GZIP of the bitstring, whose
    first entry is the left-most bits of the first byte."""
    bits = bytearray(LIST_ENTRIES * STATUS_SIZE // 8)
    for index, state in states.items():
        for offset in range(STATUS_SIZE):
            if state >> (STATUS_SIZE - 1 - offset) & 1:
                position = index * STATUS_SIZE + offset
                bits[position // 8] |= 0x80 >> (position % 8)
    packed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")


def read_entry(encoded: str, index: int, size: int = STATUS_SIZE) -> int:
    """The value of one entry of an ``encodedList`` (ValueError when it is not one)."""
    if not encoded.startswith("u"):
        raise ValueError("not a multibase base64url value")
    text = encoded[1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    if not 0 <= index < len(bits) * 8 // size:
        raise ValueError("index outside the list")
    value = 0
    for offset in range(size):
        position = index * size + offset
        value = value << 1 | (bits[position // 8] >> (7 - position % 8) & 1)
    return value


def status_list_credential(list_number: int, encoded: str, config: CredentialsConfig) -> dict[str, Any]:
    url = config.status_list_url(list_number)
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": {"id": config.certifier_id, "name": config.certifier},
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "message",
            "encodedList": encoded,
        },
    }


@dataclass(frozen=True)
class PublishedList:
    jwt: str
    etag: str
    encoded: str
    """The list's ``encodedList``, as signed in ``jwt`` (read by the verification, not parsed again)."""


class StatusLists:
    """The signed status lists, kept per process and built again only when their content (or the
    signing key) changed: the same list always has the same bytes and ETag, in every process.

    Each call reads the list's entries from the database (one range query) and compares them with
    what was signed, so an entry changed by another request or process (a revocation just
    committed) is in the very next answer: nothing here can be stale."""

    def __init__(self, config: CredentialsConfig, *, kept: int = 16) -> None:
        self.config = config
        self._kept = kept
        self._built: OrderedDict[int, tuple[str, PublishedList]] = OrderedDict()
        self.builds = 0
        """How many times a list was encoded and signed (the work the cache saves)."""

    async def published(self, list_number: int) -> PublishedList:
        states = await list_states(list_number)
        # No await from here on: the entries read and the list kept for them are one step.
        keys = self.config.keys()
        fingerprint = hashlib.sha256(f"{keys.signing.kid}:{sorted(states.items())}".encode()).hexdigest()
        cached = self._built.get(list_number)
        if cached is not None and cached[0] == fingerprint:
            self._built.move_to_end(list_number)
            return cached[1]
        encoded = encode_list(states)
        token = sign(status_list_credential(list_number, encoded, self.config), keys.signing)
        built = PublishedList(
            jwt=token, etag=f'"{hashlib.sha256(token.encode()).hexdigest()[:32]}"', encoded=encoded
        )
        self.builds += 1
        self._built[list_number] = (fingerprint, built)
        while len(self._built) > self._kept:
            self._built.popitem(last=False)
        return built


@lru_cache(maxsize=8)
def shared_status_lists(config: CredentialsConfig) -> StatusLists:
    """This process's status lists for an issuer: the ones ``/credentials/status/{n}`` serves and
    ``verifyCredential`` reads, so a list is signed once for both."""
    return StatusLists(config)
