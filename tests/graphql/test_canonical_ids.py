"""An object has one id: only global ids and link numbers as the service writes them are taken;
a refusal of a global id carries a code, and a refusal about `recognitionId` names that field."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from service.files.signing import BadLink, LinkProblem, check_link, signed_path
from tests.support.factories import make_admin, make_partner
from tests.support.graphql_client import token_for

NODE = "query($id: ID!) { node(id: $id) { id } }"
NOW = datetime(2026, 9, 19, tzinfo=UTC)


def _id(text: bytes) -> str:
    return base64.b64encode(text).decode()


async def _node(http: httpx.AsyncClient, node_id: str, token: str) -> dict[str, Any]:
    response = await http.post(
        "/graphql",
        json={"query": NODE, "variables": {"id": node_id}},
        headers={"Authorization": f"Bearer {token}"},
    )
    body: dict[str, Any] = response.json()
    return body


async def test_only_the_canonical_id_names_a_record(http: httpx.AsyncClient) -> None:
    # given
    partner = await make_partner()
    token = token_for(await make_admin(partner))
    canonical = _id(f"Partner:{partner.id}".encode())

    # when
    found = await _node(http, canonical, token)
    leading_zero = await _node(http, _id(f"Partner:0{partner.id}".encode()), token)
    junk = [await _node(http, canonical + suffix, token) for suffix in ("junk", "!!", "\n")]

    # then
    assert found == {"data": {"node": {"id": canonical}}}
    assert leading_zero == {"data": {"node": None}}
    assert [(answer["data"], [error["extensions"] for error in answer["errors"]]) for answer in junk] == [
        ({"node": None}, [{"code": "INVALID_ID", "field": ["id"]}])
    ] * 3
    assert junk[0]["errors"][0]["message"] == f'Value cannot represent a GlobalID: "{canonical}junk".'


async def test_a_refusal_about_the_recognition_names_recognition_id(http: httpx.AsyncClient) -> None:
    admin = await make_admin(await make_partner())
    mutation = """mutation($input: CertificateCandidatesExportInput!) {
      certificateCandidatesExport(input: $input) { errors { field code } } }"""

    response = await http.post(
        "/graphql",
        json={"query": mutation, "variables": {"input": {"recognitionId": _id(b"Ceremony:999")}}},
        headers={"Authorization": f"Bearer {token_for(admin)}"},
    )

    assert response.json() == {
        "data": {
            "certificateCandidatesExport": {"errors": [{"field": ["recognitionId"], "code": "NOT_FOUND"}]}
        }
    }


@pytest.mark.parametrize("field", ["by", "expires"])
def test_a_link_number_with_a_leading_zero_is_not_the_link(field: str) -> None:
    signed = signed_path(secret="s" * 32, path="/f", purpose="p", subject="x", user_id=2, now=NOW)
    query = dict(pair.split("=") for pair in signed.split("?")[1].split("&"))
    query[field] = "0" + query[field]

    with pytest.raises(BadLink) as refused:
        check_link(secret="s" * 32, purpose="p", subject="x", query=query, now=NOW + timedelta(minutes=1))

    assert refused.value.problem is LinkProblem.INVALID


async def test_a_number_past_what_a_key_can_be_names_nothing(http: httpx.AsyncClient) -> None:
    # given a number just past the largest key (an `integer` column on PostgreSQL)
    token = token_for(await make_admin(await make_partner()))
    past = 2**31

    # when it is asked for as a node and as a file
    node = await _node(http, _id(f"Partner:{past}".encode()), token)
    download = await http.get(f"/files/certificate-files/{past}.pdf")

    # then it is simply not there, on every database (it used to fail the query on PostgreSQL)
    assert node == {"data": {"node": None}}
    assert download.status_code == 403
