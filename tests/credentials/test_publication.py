"""What the service publishes: credentials that match the Open Badges 3.0 schema, the keys that
verify them (checked by a JOSE library that is not ours, over real HTTP), the status list, and the
verify page's download and "Add to LinkedIn" links."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jsonschema
import pytest
from jwcrypto import jwk, jws
from strawberry.relay import to_base64

from service.app import create_app
from service.credentials.config import LIST_ENTRIES, credentials_config
from service.credentials.document import OB_CONTEXT, VALIDATOR_CONTEXT, VC_CONTEXT
from service.credentials.keys import rotate_keys
from service.credentials.status import CredentialState, read_entry
from service.database import LARGEST_KEY
from service.settings import Settings
from tests.support.audit_log import audit_rows
from tests.support.certificates_world import CertificatesWorld, make_certificates_world
from tests.support.clock import MovableClock
from tests.support.credentials import credential, issue, jwt_of, parts, revoke, status_position
from tests.support.graphql_client import GraphQLClient
from tests.support.jsonld_terms import undefined_terms
from tests.support.live_server import serving

SCHEMA = json.loads(
    (Path(__file__).parent / "schemas" / "ob_v3p0_achievementcredential_schema.json").read_text(
        encoding="utf-8"
    )
)
CONTEXTS = {
    VC_CONTEXT: json.loads(
        (Path(__file__).parent / "schemas" / "credentials-v2.jsonld").read_text(encoding="utf-8")
    ),
    OB_CONTEXT: json.loads(
        (Path(__file__).parent / "schemas" / "ob-context-3.0.3.json").read_text(encoding="utf-8")
    ),
}
CERTIFICATE = """
query Certificate($id: ID!) {
  node(id: $id) { ... on Certificate { credential { jwt json downloadUrl linkedInUrl } } }
}
"""


@pytest.mark.parametrize("name", ["Ana Completer", "Hal Online-Approaching"])
async def test_the_credential_matches_the_open_badges_schema_and_names_no_email(
    world: CertificatesWorld, settings: Settings, clock: MovableClock, name: str
) -> None:
    certificate = await issue(world, name, settings, clock)
    email = (await world.enrollments[name].course_taker).email
    document = (await credential(certificate, settings)).document
    salt = document["credentialSubject"]["identifier"][0]["salt"]

    jsonschema.Draft201909Validator(SCHEMA).validate(document)
    assert document["@context"] == [VC_CONTEXT, OB_CONTEXT, VALIDATOR_CONTEXT]
    assert undefined_terms(document, CONTEXTS) == []
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert email not in json.dumps(document)
    assert document["credentialSubject"]["identifier"][0] == {
        "type": "IdentityObject",
        "identityHash": "sha256$" + hashlib.sha256((email + salt).encode()).hexdigest(),
        "identityType": "emailAddress",
        "hashed": True,
        "salt": salt,
    }
    assert document["issuer"]["name"] == world.partner.name
    assert document["issuer"]["parentOrg"]["name"] == settings.certifier_name
    assert document["id"] == f"{settings.public_url}/verify/{certificate.code}"


async def test_the_schema_and_the_contexts_refuse_what_they_do_not_define(
    world: CertificatesWorld, settings: Settings, clock: MovableClock
) -> None:
    document = (await credential(await issue(world, "Ana Completer", settings, clock), settings)).document
    del document["issuer"]

    with pytest.raises(jsonschema.ValidationError, match="'issuer' is a required property"):
        jsonschema.Draft201909Validator(SCHEMA).validate(document)
    document["credentialSubject"]["email"] = "ana@example.org"  # no context defines it there
    assert undefined_terms(document, CONTEXTS) == ["$.credentialSubject[0].email"]


async def test_an_independent_library_verifies_the_credential_with_the_keys_fetched_over_http(
    settings: Settings, clock: MovableClock
) -> None:
    async with serving(create_app(settings, clock=clock)) as url, httpx.AsyncClient(base_url=url) as client:
        world = await make_certificates_world()
        certificate = await issue(world, "Ana Completer", settings, clock)
        before = await jwt_of(certificate, settings)
        rotate_keys(credentials_config(settings).keys_dir)
        after = await jwt_of(certificate, settings)
        published = await client.get("/.well-known/jwks.json")
        status_list = (await client.get(f"/credentials/status/{status_position(certificate)[0]}")).text
    keys = jwk.JWKSet.from_json(published.text)
    verified = []
    for token in (before, after, status_list):
        signed = jws.JWS()
        signed.deserialize(token)
        signed.verify(keys.get_key(parts(token)[0]["kid"]), alg="EdDSA")
        verified.append(json.loads(signed.payload))

    assert published.headers["content-type"] == "application/jwk-set+json"
    assert [key["kid"] for key in published.json()["keys"]] == [
        parts(after)[0]["kid"],
        parts(before)[0]["kid"],
    ]
    assert verified[0] == parts(before)[1] and verified[1] == parts(after)[1]
    assert verified[2]["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]


async def test_the_status_list_is_cached_by_etag_and_flips_when_a_certificate_is_revoked(
    http: httpx.AsyncClient,
    gql: GraphQLClient,
    world: CertificatesWorld,
    settings: Settings,
    clock: MovableClock,
) -> None:
    certificate = await issue(world, "Ana Completer", settings, clock)
    provisional = await issue(world, "Hal Online-Approaching", settings, clock)
    list_number, index = status_position(certificate)
    first = await http.get(f"/credentials/status/{list_number}")
    unchanged = await http.get(
        f"/credentials/status/{list_number}", headers={"If-None-Match": first.headers["etag"]}
    )

    await revoke(gql, world, certificate)
    changed = await http.get(
        f"/credentials/status/{list_number}", headers={"If-None-Match": first.headers["etag"]}
    )

    def entry(response: httpx.Response, at: int) -> CredentialState:
        return CredentialState(read_entry(parts(response.text)[1]["credentialSubject"]["encodedList"], at))

    assert (first.status_code, unchanged.status_code, changed.status_code) == (200, 304, 200)
    assert first.headers["content-type"] == "application/vc+jwt"
    assert undefined_terms(parts(first.text)[1], CONTEXTS) == []
    assert first.headers["cache-control"] == f"public, max-age={settings.credential_status_max_age}"
    assert unchanged.content == b"" and unchanged.headers["etag"] == first.headers["etag"]
    assert changed.headers["etag"] != first.headers["etag"]
    assert (entry(first, index), entry(changed, index)) == (CredentialState.VALID, CredentialState.REVOKED)
    assert entry(changed, status_position(provisional)[1]) is CredentialState.SUSPENDED
    # the compressed list is small, though it holds the specification's minimum of entries
    assert len(changed.content) < 2_000
    with pytest.raises(ValueError, match="outside"):
        read_entry(parts(changed.text)[1]["credentialSubject"]["encodedList"], LIST_ENTRIES)
    assert (await http.get("/credentials/status/99999999999999")).status_code == 404
    assert (await http.get(f"/credentials/status/{LARGEST_KEY // LIST_ENTRIES}")).status_code == 200


async def test_the_api_gives_the_credential_a_signed_download_and_a_linkedin_link(
    http: httpx.AsyncClient,
    gql: GraphQLClient,
    world: CertificatesWorld,
    settings: Settings,
    clock: MovableClock,
) -> None:
    certificate = await issue(world, "Ana Completer", settings, clock)

    data = await gql.data(CERTIFICATE, {"id": to_base64("Certificate", certificate.id)}, as_user=world.admin)
    given = data["node"]["credential"]
    download = await http.get(given["downloadUrl"].removeprefix(settings.public_url))
    forged = await http.get(
        given["downloadUrl"].removeprefix(settings.public_url).replace("signature=", "signature=0")
    )
    linkedin = urlsplit(given["linkedInUrl"])

    assert (download.status_code, download.text, download.headers["content-type"]) == (
        200,
        given["jwt"],
        "application/vc+jwt",
    )
    assert (
        download.headers["content-disposition"]
        == f'attachment; filename="certificate-{certificate.code}.jwt"'
    )
    assert forged.status_code == 403
    assert await audit_rows(gql, world.staff, actions=["FILE_DOWNLOADED"]) == [
        (
            "FILE_DOWNLOADED",
            world.admin.email,
            world.partner.name,
            f"Certificate:{certificate.id}",
            {"file": "credential"},
            1,
        )
    ]
    assert json.loads(given["json"]) == parts(given["jwt"])[1]
    assert (linkedin.scheme, linkedin.netloc, linkedin.path) == ("https", "www.linkedin.com", "/profile/add")
    assert parse_qs(linkedin.query) == {
        "startTask": ["CERTIFICATION_NAME"],
        "name": ["Certificate in Effective College Instruction, " + certificate.printed["program"]],
        "organizationName": [world.partner.name],
        "issueYear": ["2026"],
        "issueMonth": ["8"],
        "certUrl": [f"{settings.public_url}/verify/{certificate.code}"],
        "certId": [certificate.code],
    }


async def test_the_verify_page_offers_the_credential_and_linkedin_until_revoked(
    http: httpx.AsyncClient,
    gql: GraphQLClient,
    world: CertificatesWorld,
    settings: Settings,
    clock: MovableClock,
) -> None:
    certificate = await issue(world, "Ana Completer", settings, clock)
    pending = await issue(world, "Hal Online-Approaching", settings, clock)
    issued = await credential(certificate, settings)

    page = (await http.get(f"/verify/{certificate.code}")).text
    pending_page = (await http.get(f"/verify/{pending.code}")).text
    download = await http.get(f"/verify/{certificate.code}/credential.jwt")
    await revoke(gql, world, certificate)
    revoked_page = (await http.get(f"/verify/{certificate.code}")).text
    revoked_download = await http.get(f"/verify/{certificate.code}/credential.jwt")

    assert f'<a href="/verify/{certificate.code}/credential.jwt" download>' in page
    assert "Add to LinkedIn profile" in page and "https://www.linkedin.com/profile/add?startTask=" in page
    assert issued.linkedin_url is not None and issued.linkedin_url.replace("&", "&amp;") in page
    assert "credential.jwt" in pending_page and "LinkedIn" not in pending_page
    assert (download.status_code, download.text) == (200, issued.jwt)
    assert "credential.jwt" not in revoked_page and "LinkedIn" not in revoked_page
    assert revoked_download.status_code == 410


async def test_the_issuers_named_in_a_credential_are_published_at_their_ids(
    http: httpx.AsyncClient, world: CertificatesWorld, settings: Settings, clock: MovableClock
) -> None:
    issuer = (await credential(await issue(world, "Ana Completer", settings, clock), settings)).document[
        "issuer"
    ]

    partner = await http.get(issuer["id"].removeprefix(settings.public_url))
    certifier = await http.get(issuer["parentOrg"]["id"].removeprefix(settings.public_url))
    missing = await http.get("/credentials/issuers/99999999")

    assert {key: partner.json()[key] for key in ("id", "type", "name")} == {
        "id": issuer["id"],
        "type": ["Profile"],
        "name": world.partner.name,
    }
    assert partner.json()["parentOrg"] == {**issuer["parentOrg"], "url": settings.public_url}
    assert certifier.json()["name"] == settings.certifier_name and missing.status_code == 404


def _private_texts(settings: Settings) -> list[str]:
    """The private key in every form it could leak in: PEM body, raw bytes (hex, base64url)."""
    from cryptography.hazmat.primitives import serialization

    from tests.support.credentials import b64

    private = credentials_config(settings).keys().signing.private
    raw = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    pem = (credentials_config(settings).keys_dir / "signing-key.pem").read_text()
    body = "".join(line for line in pem.splitlines() if "-----" not in line)
    return [body, raw.hex(), b64(raw)]


async def test_the_private_key_appears_in_no_response_and_no_log(
    http: httpx.AsyncClient,
    gql: GraphQLClient,
    world: CertificatesWorld,
    settings: Settings,
    clock: MovableClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level("DEBUG")
    certificate = await issue(world, "Ana Completer", settings, clock)
    data = await gql.data(CERTIFICATE, {"id": to_base64("Certificate", certificate.id)}, as_user=world.admin)
    responses: list[Any] = [
        data,
        (await http.get("/.well-known/jwks.json")).text,
        (await http.get(f"/credentials/status/{status_position(certificate)[0]}")).text,
        (await http.get(f"/verify/{certificate.code}")).text,
        (await http.get(f"/verify/{certificate.code}/credential.jwt")).text,
        await gql.post(
            "query($c: String!) { verifyCredential(credential: $c) { message } }",
            {"c": data["node"]["credential"]["jwt"]},
        ),
        repr(credentials_config(settings).keys()),
    ]
    seen = json.dumps(responses) + caplog.text

    assert all("d" not in key for key in json.loads(responses[1])["keys"])
    assert [secret for secret in _private_texts(settings) if secret in seen] == []
