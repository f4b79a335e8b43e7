"""Inputs that once answered INTERNAL or a 500 get a clear refusal, each with its code."""

from __future__ import annotations

import base64
import time
from typing import Any

import httpx
import jwt

from service.users.models import User
from tests.support.factories import make_admin, make_partner
from tests.support.graphql_client import TEST_SECRET, token_for

SEARCH = "query($s: String) { recognitions(first: 1, filter: {search: $s}) { edges { node { id } } } }"


async def _admin() -> User:
    return await make_admin(await make_partner())


async def _post(http: httpx.AsyncClient, body: dict[str, Any], user: User) -> httpx.Response:
    return await http.post("/graphql", json=body, headers={"Authorization": f"Bearer {token_for(user)}"})


async def test_an_id_of_the_node_interface_itself_names_nothing(http: httpx.AsyncClient) -> None:
    node_id = base64.b64encode(b"Node:1").decode()

    response = await _post(http, {"query": f'{{ node(id: "{node_id}") {{ id }} }}'}, await _admin())

    assert response.json() == {"data": {"node": None}}


async def test_a_search_longer_than_any_name(http: httpx.AsyncClient) -> None:
    response = await _post(http, {"query": SEARCH, "variables": {"s": "%_" * 25_000}}, await _admin())

    assert response.json() == {
        "data": None,
        "errors": [
            {
                "message": "A text input is 50,000 characters long; at most 1,000 are allowed.",
                "extensions": {"code": "INPUT_TOO_LONG", "variable": "s"},
            }
        ],
    }


async def test_a_long_text_in_the_document_itself(http: httpx.AsyncClient) -> None:
    query = '{ recognitions(first: 1, filter: {search: "' + "x" * 1_001 + '"}) { edges { node { id } } } }'

    response = await _post(http, {"query": query}, await _admin())

    assert [error["extensions"]["code"] for error in response.json()["errors"]] == ["INPUT_TOO_LONG"]


async def test_a_lone_surrogate_in_a_text_input(http: httpx.AsyncClient) -> None:
    admin = await _admin()
    body = b'{"query": "' + SEARCH.encode() + b'", "variables": {"s": "a\\ud800"}}'
    mutation = (
        b'{"query": "mutation($i: CeremonyCreateInput!) { ceremonyCreate(input: $i) { errors { code } } }",'
        b' "variables": {"i": {"dateRange": {"start": "2026-01-01", "end": "2026-02-01"},'
        b' "cohortIds": [], "name": "\\udfff"}}}'
    )
    headers = {"Authorization": f"Bearer {token_for(admin)}", "Content-Type": "application/json"}

    answers = [
        (await http.post("/graphql", content=content, headers=headers)).json() for content in (body, mutation)
    ]

    assert [answer["errors"][0]["extensions"] for answer in answers] == [
        {"code": "INVALID_TEXT", "variable": "s"},
        {"code": "INVALID_TEXT", "variable": "i"},
    ]
    assert answers[0]["errors"][0]["message"] == (
        "A text input holds a character that is not valid Unicode (a lone surrogate)."
    )


async def test_a_file_number_longer_than_any_key(http: httpx.AsyncClient) -> None:
    for path in (
        "/files/certificates/99999999999999999999999.pdf",
        "/files/certificate-files/99999999999999999999999.pdf",
        "/files/exports/99999999999999999999999.csv",
    ):
        response = await http.get(path)

        assert (response.status_code, response.text) == (403, "This link is not valid."), path


async def test_a_body_nested_100_000_deep(http: httpx.AsyncClient) -> None:
    body = b'{"query": "{ __typename }", "variables": {"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}}"

    response = await http.post("/graphql", content=body, headers={"Content-Type": "application/json"})

    assert (response.status_code, response.text) == (
        400,
        "The request body is nested more than 64 levels deep.",
    )


async def test_a_signed_token_naming_a_user_no_database_holds(http: httpx.AsyncClient) -> None:
    claims = {"sub": "1" * 23, "role": "PARTNER_ADMIN", "partner": 1, "exp": int(time.time()) + 600}
    token = jwt.encode(claims, TEST_SECRET, algorithm="HS256")

    response = await http.post(
        "/graphql", json={"query": "{ viewer { id } }"}, headers={"Authorization": f"Bearer {token}"}
    )

    assert response.json() == {
        "data": None,
        "errors": [{"message": "The token is malformed.", "extensions": {"code": "UNAUTHENTICATED"}}],
    }


async def test_an_operation_name_that_is_not_a_string(http: httpx.AsyncClient) -> None:
    admin = await _admin()
    names: list[object] = [5, ["a"], {}]
    answers = [
        await _post(http, {"query": "{ viewer { id } }", "operationName": name}, admin) for name in names
    ]
    not_an_object = await http.post("/graphql", content=b"5", headers={"Content-Type": "application/json"})

    assert {(answer.status_code, answer.text) for answer in answers} == {
        (400, "The GraphQL operation's `operationName` must be a string or null, if provided.")
    }
    assert (not_an_object.status_code, not_an_object.text) == (400, "The request body must be a JSON object.")
