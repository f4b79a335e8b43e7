"""The credentials tests' set-up (their world, certificates issued in it, revoking one over the API)
and JWS surgery (tampering, foreign signatures)."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from starlette.applications import Starlette
from strawberry.relay import to_base64

from service.certificates import services as certificates
from service.certificates.models import Certificate
from service.credentials.config import CredentialsConfig, credentials_config
from service.credentials.indexes import position
from service.credentials.issuing import IssuedCredential, credential_for
from service.credentials.keys import SigningKey, public_jwk
from service.credentials.signing import sign
from service.settings import Settings
from service.users.actor import Actor
from tests.support.certificates_world import CertificatesWorld, enroll, make_certificates_world
from tests.support.clock import MovableClock
from tests.support.graphql_client import GraphQLClient

REVOKE = """
mutation Revoke($input: CertificateRevokeInput!) {
  certificateRevoke(input: $input) { certificate { status } errors { code } }
}
"""


@pytest.fixture
async def world(app: Starlette) -> CertificatesWorld:
    """Partner A's world, the app (and its database) running (tests/credentials/conftest.py)."""
    return await make_certificates_world()


def admin_of(world: CertificatesWorld) -> Actor:
    """The partner's admin, as the services take them."""
    return Actor(user_id=world.admin.id, role=world.admin.role, partner_id=world.partner.id)


def staff_of(world: CertificatesWorld) -> Actor:
    return Actor(user_id=world.staff.id, role=world.staff.role, partner_id=world.staff.partner_id)


async def issue(world: CertificatesWorld, name: str, settings: Settings, clock: MovableClock) -> Certificate:
    return await certificates.issue_certificate(
        actor=admin_of(world),
        recognition_id=world.recognition.id,
        enrollment_id=world.enrollments[name].id,
        now=clock.now(),
        files_dir=settings.resolved_files_dir,
        public_url=settings.public_url,
    )


async def issue_many(
    world: CertificatesWorld, settings: Settings, clock: MovableClock, numbers: range
) -> list[Certificate]:
    """Certificates for new completers ``Learner {number}`` of the open cohort, issued in one batch
    (without files: as for a combined file)."""
    enrollments = [
        await enroll(world.partner, world.open_cohort, f"Learner {number}", completed=True, certified=True)
        for number in numbers
    ]
    return await certificates.certificates_for(
        actor=admin_of(world),
        recognition=world.recognition,
        enrollment_ids=[e.id for e in enrollments],
        now=clock.now(),
        files_dir=settings.resolved_files_dir,
        public_url=settings.public_url,
        with_files=False,
    )


async def credential(certificate: Certificate, settings: Settings) -> IssuedCredential:
    issued = await credential_for(certificate, credentials_config(settings))
    assert issued is not None
    return issued


async def jwt_of(certificate: Certificate, settings: Settings) -> str:
    """The certificate's credential, signed: what a verifier is given."""
    return (await credential(certificate, settings)).jwt


async def revoke(gql: GraphQLClient, world: CertificatesWorld, certificate: Certificate) -> dict[str, Any]:
    """Staff revoke the certificate over the API; the mutation's payload."""
    data = await gql.data(
        REVOKE,
        {"input": {"id": to_base64("Certificate", certificate.id), "reason": "Issued in error"}},
        as_user=world.staff,
    )
    payload: dict[str, Any] = data["certificateRevoke"]
    return payload


def status_position(certificate: Certificate) -> tuple[int, int]:
    """The status list and the entry in it of an issued certificate."""
    assert certificate.credential_status_index is not None
    return position(certificate.credential_status_index)


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def parts(token: str) -> tuple[dict[str, Any], dict[str, Any], str]:
    header, payload, signature = token.split(".")
    return json.loads(unb64(header)), json.loads(unb64(payload)), signature


def with_payload(token: str, payload: dict[str, Any]) -> str:
    """The same header and signature over another payload."""
    header, _, signature = token.split(".")
    return ".".join((header, b64(json.dumps(payload, separators=(",", ":")).encode()), signature))


def with_header(token: str, header: dict[str, Any]) -> str:
    _, payload, signature = token.split(".")
    return ".".join((b64(json.dumps(header, separators=(",", ":")).encode()), payload, signature))


def signed_by_us(payload: dict[str, Any], config: CredentialsConfig) -> str:
    return sign(payload, config.keys().signing)


def signed_by_stranger(payload: dict[str, Any], *, kid: str | None = None) -> str:
    stranger = Ed25519PrivateKey.generate()
    return sign(payload, SigningKey(kid=kid or public_jwk(stranger.public_key())["kid"], private=stranger))


def leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The path to every scalar in a JSON value."""
    if isinstance(value, dict):
        return [leaf for key, inner in value.items() for leaf in leaves(inner, (*path, key))]
    if isinstance(value, list):
        return [leaf for index, inner in enumerate(value) for leaf in leaves(inner, (*path, index))]
    return [path]


def altered(document: dict[str, Any], path: tuple[Any, ...]) -> dict[str, Any]:
    """A copy with the scalar at ``path`` changed (a text gains a character, a flag flips...)."""
    copy: Any = json.loads(json.dumps(document))
    parent = copy
    for step in path[:-1]:
        parent = parent[step]
    value = parent[path[-1]]
    parent[path[-1]] = (
        not value if isinstance(value, bool) else value + 1 if isinstance(value, int) else f"{value}x"
    )
    result: dict[str, Any] = copy
    return result
