"""A certificate as an Open Badges 3.0 ``OpenBadgeCredential`` (W3C Verifiable Credentials 2.0).

Built from what the certificate printed, so it says exactly what the paper says. The recipient is
named (as printed) and identified by a salted SHA-256 of their email address, never the address.
A provisional certificate's credential carries no completion date (there is none yet) and its status
entry reads "suspended" until it settles valid.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import UTC, date, datetime, time
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from service.certificates.models import Certificate, CertificateStatus
from service.credentials.config import CredentialsConfig
from service.credentials.indexes import position
from service.credentials.status import STATUS_MESSAGES, STATUS_SIZE

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
# 1EdTech's schema validator type is in neither context: defined inline, as 1EdTech's own examples do.
SCHEMA_VALIDATOR = "1EdTechJsonSchemaValidator2019"
VALIDATOR_CONTEXT = {SCHEMA_VALIDATOR: f"https://purl.imsglobal.org/spec/vc/ob/vocab.html#{SCHEMA_VALIDATOR}"}
OB_SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
LINKEDIN_ADD = "https://www.linkedin.com/profile/add"


def recipient_salt(config: CredentialsConfig, code: str) -> str:
    """Each credential's own salt: unguessable, and the same on every download."""
    return hmac.new(
        config.salt_secret.encode(), f"credential-salt:{code}".encode(), hashlib.sha256
    ).hexdigest()[:32]


def identity_hash(email: str, salt: str) -> str:
    """OB 3.0 ``IdentityObject.identityHash``: ``sha256$`` and the hex digest of the address and salt."""
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode()).hexdigest()


def _instant(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def completion_date(certificate: Certificate) -> date | None:
    """The completion date printed on a valid certificate; none while it is provisional."""
    if certificate.status is CertificateStatus.PROVISIONAL:
        return None
    return date.fromisoformat(certificate.printed["awarded_on"])


def _start_of(day: date, time_zone: str) -> str:
    """The first moment of a day where it was reckoned, with that place's offset: the date reads the
    same in the credential as on the paper (a UTC midnight is the day before west of Greenwich)."""
    start = datetime.combine(day, time(), ZoneInfo(time_zone))
    return start.isoformat().replace("+00:00", "Z")


def build_credential(
    certificate: Certificate, *, email: str, time_zone: str, config: CredentialsConfig
) -> dict[str, Any]:
    """The unsigned credential of a certificate; ``time_zone`` is its partner's, where its
    completion date was reckoned."""
    printed = certificate.printed
    assert certificate.credential_status_index is not None, "placed in the status lists on issue"
    list_number, index = position(certificate.credential_status_index)
    status_list = config.status_list_url(list_number)
    salt = recipient_salt(config, certificate.code)
    achievement_key = "/".join(
        (
            config.base,
            "achievements",
            str(certificate.partner_id),
            printed["certificate_type"],
            printed["program"],
        )
    )
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityHash": identity_hash(email, salt),
                "identityType": "emailAddress",
                "hashed": True,
                "salt": salt,
            },
            {
                "type": "IdentityObject",
                "identityHash": printed["recipient_name"],
                "identityType": "name",
                "hashed": False,
            },
        ],
        "achievement": {
            "id": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, achievement_key)}",
            "type": ["Achievement"],
            "achievementType": "Certificate",
            "name": printed["certificate_type"],
            "description": f"{printed['certificate_type']}, {printed['program']}: awarded by "
            f"{printed['partner_name']} with {config.certifier}.",
            "criteria": {
                "narrative": f"Completed the {printed['program']} program and met the requirements for the "
                f"{printed['certificate_type']}."
            },
            "fieldOfStudy": printed["program"],
        },
    }
    credential: dict[str, Any] = {
        "@context": [VC_CONTEXT, OB_CONTEXT, VALIDATOR_CONTEXT],
        "id": printed["verification_url"],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{printed['certificate_type']}, {printed['program']}",
        "issuer": {
            "id": config.partner_issuer_id(certificate.partner_id),
            "type": ["Profile"],
            "name": printed["partner_name"],
            "parentOrg": {"id": config.certifier_id, "type": ["Profile"], "name": config.certifier},
        },
        "validFrom": _instant(certificate.issued_at),
        "credentialSubject": subject,
        "credentialStatus": {
            "id": f"{status_list}#{index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "message",
            "statusListIndex": str(index),
            "statusListCredential": status_list,
            "statusSize": STATUS_SIZE,
            "statusMessage": STATUS_MESSAGES,
        },
        "credentialSchema": [{"id": OB_SCHEMA, "type": SCHEMA_VALIDATOR}],
    }
    completed = completion_date(certificate)
    if completed is not None:
        credential["awardedDate"] = _start_of(completed, time_zone)
        subject["activityEndDate"] = credential["awardedDate"]
    return credential


def linkedin_url(certificate: Certificate) -> str | None:
    """LinkedIn's documented "Add to Profile" link for a certification (a link we render; LinkedIn
    is never called). None until the certificate is valid: a pending one is no certification yet."""
    completed = completion_date(certificate)
    if certificate.status is not CertificateStatus.VALID or completed is None:
        return None
    printed = certificate.printed
    query = {
        "startTask": "CERTIFICATION_NAME",
        "name": f"{printed['certificate_type']}, {printed['program']}",
        "organizationName": printed["partner_name"],
        "issueYear": str(completed.year),
        "issueMonth": str(completed.month),
        "certUrl": printed["verification_url"],
        "certId": certificate.code,
    }
    return f"{LINKEDIN_ADD}?{urlencode(query)}"


def certifier_profile(config: CredentialsConfig) -> dict[str, Any]:
    """The certifying organisation's OB 3.0 ``Profile``, served at its id."""
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": config.certifier_id,
        "type": ["Profile"],
        "name": config.certifier,
        "url": config.base,
    }


def partner_profile(partner_id: int, name: str, config: CredentialsConfig) -> dict[str, Any]:
    """A partner's OB 3.0 ``Profile`` as the issuer of its certificates' credentials, served at its id."""
    certifier = certifier_profile(config)
    del certifier["@context"]
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": config.partner_issuer_id(partner_id),
        "type": ["Profile"],
        "name": name,
        "parentOrg": certifier,
    }
