"""Checking a credential: its form, its issuer, its key, its signature, its dates, its status.

The checks run in that order and the first that fails is named, so a verifier learns exactly why a
credential does not hold. Nothing here trusts the credential's own claims before its signature is
checked, except to find which issuer and key to check it with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from service.credentials.config import CredentialsConfig
from service.credentials.signing import Unreadable, read_unverified, signature_holds, unwrap
from service.credentials.status import CredentialState, StatusLists, read_entry

# Longer than any credential of ours by far; a longer text is not read at all.
MAX_CREDENTIAL_CHARACTERS = 20_000


class Check(StrEnum):
    FORMAT = "FORMAT"
    ISSUER = "ISSUER"
    KEY = "KEY"
    SIGNATURE = "SIGNATURE"
    CONTENT = "CONTENT"
    NOT_YET_VALID = "NOT_YET_VALID"
    EXPIRED = "EXPIRED"
    STATUS = "STATUS"


ORDER = list(Check)

MESSAGES = {
    Check.FORMAT: "This is not a signed credential (a compact JWS signed with EdDSA, or its enveloped JSON).",
    Check.ISSUER: "The credential names an issuer this service does not know.",
    Check.KEY: "The credential was signed with a key this service has not published.",
    Check.SIGNATURE: "The signature does not match: the credential was altered or forged.",
    Check.CONTENT: "The credential is not an Open Badges 3.0 credential of this service.",
    Check.NOT_YET_VALID: "The credential is not valid yet (its validFrom is in the future).",
    Check.EXPIRED: "The credential has expired (its validUntil has passed).",
}
STATE_MESSAGES = {
    CredentialState.SUSPENDED: "The certificate is pending completion: its credential is suspended until "
    "the course is completed.",
    CredentialState.REVOKED: "The certificate has been revoked (or voided) and is no longer valid.",
    CredentialState.REPLACED: "The certificate was replaced by a corrected one.",
}


@dataclass(frozen=True)
class CredentialVerification:
    valid: bool
    message: str
    failed: Check | None = None
    passed: list[Check] = field(default_factory=list)
    state: CredentialState | None = None
    code: str | None = None

    @classmethod
    def failing(cls, check: Check, message: str | None = None, **rest: Any) -> CredentialVerification:
        return cls(
            valid=False,
            failed=check,
            message=message or MESSAGES[check],
            passed=ORDER[: ORDER.index(check)],
            **rest,
        )


def _instant(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _content_holds(payload: dict[str, Any], config: CredentialsConfig) -> tuple[int, int] | None:
    """The status list and index of a credential of ours, when it has the form of one."""
    types = payload.get("type")
    status = payload.get("credentialStatus")
    if (
        not isinstance(types, list)
        or "VerifiableCredential" not in types
        or "OpenBadgeCredential" not in types
        or not isinstance(payload.get("@context"), list)
        or not isinstance(payload.get("credentialSubject"), dict)
        or _instant(payload.get("validFrom")) is None
        or not isinstance(status, dict)
        or status.get("type") != "BitstringStatusListEntry"
        or status.get("statusPurpose") != "message"
    ):
        return None
    list_url, index = status.get("statusListCredential"), status.get("statusListIndex")
    prefix = config.status_list_url(0)[:-1]
    if not isinstance(list_url, str) or not list_url.startswith(prefix) or not isinstance(index, str):
        return None
    number = list_url[len(prefix) :]
    if not (number.isdigit() and index.isdigit()):
        return None
    return int(number), int(index)


async def verify_credential(
    text: str, *, now: datetime, config: CredentialsConfig, lists: StatusLists
) -> CredentialVerification:
    """Every check, in order; the first that fails is the answer."""
    if len(text) > MAX_CREDENTIAL_CHARACTERS:
        return CredentialVerification.failing(Check.FORMAT)
    token = unwrap(text.strip())
    try:
        header, payload = read_unverified(token)
    except Unreadable as unreadable:
        return CredentialVerification.failing(Check.FORMAT, str(unreadable))
    issuer = payload.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not isinstance(issuer_id, str) or not issuer_id.startswith(config.partner_issuer_prefix):
        return CredentialVerification.failing(Check.ISSUER)
    key = config.keys().public.get(header["kid"])
    if key is None:
        return CredentialVerification.failing(Check.KEY)
    if not signature_holds(token, key):
        return CredentialVerification.failing(Check.SIGNATURE)
    # Signed by us: from here on the payload is what we wrote.
    position = _content_holds(payload, config)
    if position is None:
        return CredentialVerification.failing(Check.CONTENT)
    code = str(payload.get("id", "")).rsplit("/", 1)[-1] or None
    valid_from, valid_until = _instant(payload["validFrom"]), _instant(payload.get("validUntil"))
    if valid_from is not None and now < valid_from:
        return CredentialVerification.failing(Check.NOT_YET_VALID, code=code)
    if valid_until is not None and now >= valid_until:
        return CredentialVerification.failing(Check.EXPIRED, code=code)
    list_number, index = position
    published = await lists.published(list_number)
    state = CredentialState(read_entry(published.encoded, index))
    if state is not CredentialState.VALID:
        return CredentialVerification.failing(Check.STATUS, STATE_MESSAGES[state], state=state, code=code)
    return CredentialVerification(
        valid=True, message="The credential is valid.", passed=list(ORDER), state=state, code=code
    )
