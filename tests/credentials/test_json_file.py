"""The credential's ``.json`` file: the signed JWT enveloped in JSON, beside the ``.jwt``, from the
verify page and by signed link; ``verifyCredential`` takes either."""

from __future__ import annotations

import httpx
from strawberry.relay import to_base64

from service.certificates.models import Certificate
from service.settings import Settings
from tests.support.certificates_world import CertificatesWorld
from tests.support.clock import MovableClock
from tests.support.credentials import issue, jwt_of
from tests.support.graphql_client import GraphQLClient

LINKS = """query($id: ID!) { node(id: $id) { ... on Certificate { credential {
  jwt: downloadUrl json: downloadUrl(format: JSON) } } } }"""
VERIFY = "query($c: String!) { verifyCredential(credential: $c) { valid failedCheck } }"


async def _links(gql: GraphQLClient, world: CertificatesWorld, certificate: Certificate) -> dict[str, str]:
    """The certificate's two signed download links, as its partner's admin asks for them."""
    data = await gql.data(LINKS, {"id": to_base64("Certificate", certificate.id)}, as_user=world.admin)
    links: dict[str, str] = data["node"]["credential"]
    return links


async def test_the_json_file_envelopes_the_signed_jwt_and_verifies_like_it(
    http: httpx.AsyncClient,
    gql: GraphQLClient,
    world: CertificatesWorld,
    settings: Settings,
    clock: MovableClock,
) -> None:
    certificate = await issue(world, "Ana Completer", settings, clock)
    token = await jwt_of(certificate, settings)
    links = await _links(gql, world, certificate)

    public = await http.get(f"/verify/{certificate.code}/credential.json")
    signed = await http.get(links["json"].removeprefix(settings.public_url))
    page = (await http.get(f"/verify/{certificate.code}")).text
    verified = (await gql.post(VERIFY, {"c": public.text}))["data"]  # no sign-in

    assert public.status_code == 200 and public.headers["content-type"] == "application/vc"
    assert (
        public.headers["content-disposition"] == f'attachment; filename="certificate-{certificate.code}.json"'
    )
    assert public.json() == {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": f"data:application/vc+jwt,{token}",
        "type": "EnvelopedVerifiableCredential",
    }
    assert links["jwt"].split("?")[0].endswith(f"/files/credentials/{certificate.id}.jwt")
    assert links["json"].split("?")[0].endswith(f"/files/credentials/{certificate.id}.json")
    assert (signed.status_code, signed.json()) == (200, public.json())
    assert f'<a href="/verify/{certificate.code}/credential.json" download>' in page
    assert verified == {"verifyCredential": {"valid": True, "failedCheck": None}}


async def test_no_other_file_is_served(
    http: httpx.AsyncClient,
    gql: GraphQLClient,
    world: CertificatesWorld,
    settings: Settings,
    clock: MovableClock,
) -> None:
    certificate = await issue(world, "Ana Completer", settings, clock)
    links = await _links(gql, world, certificate)

    signed = await http.get(links["jwt"].removeprefix(settings.public_url).replace(".jwt?", ".xml?"))
    public = await http.get(f"/verify/{certificate.code}/credential.xml")
    not_enveloped = (await gql.post(VERIFY, {"c": '{"type": "EnvelopedVerifiableCredential", "id": "x"}'}))[
        "data"
    ]

    assert (signed.status_code, public.status_code) == (404, 404)
    assert not_enveloped == {"verifyCredential": {"valid": False, "failedCheck": "FORMAT"}}
