"""GraphQL over HTTP: the media type a client asks for, and the statuses the specification requires."""

from __future__ import annotations

import httpx
import pytest

GRAPHQL_RESPONSE = "application/graphql-response+json"


@pytest.mark.parametrize(
    ("query", "status", "has_data"),
    [
        ("{ viewer { email } }", 200, True),  # executed (data null: not signed in)
        ("{ viewer { ", 400, False),  # cannot be parsed
        ('{ verifyCertificate(code: "A") { nope } }', 400, False),  # not valid
    ],
)
async def test_graphql_response_json_gets_the_specifications_statuses(
    http: httpx.AsyncClient, query: str, status: int, has_data: bool
) -> None:
    response = await http.post("/graphql", json={"query": query}, headers={"Accept": GRAPHQL_RESPONSE})

    assert (response.status_code, response.headers["content-type"]) == (status, GRAPHQL_RESPONSE)
    assert ("data" in response.json(), len(response.json()["errors"])) == (has_data, 1)


@pytest.mark.parametrize(
    "query", ["{ viewer { email } }", "{ viewer { ", '{ verifyCertificate(code: "A") { nope } }']
)
async def test_plain_json_stays_200(http: httpx.AsyncClient, query: str) -> None:
    response = await http.post("/graphql", json={"query": query}, headers={"Accept": "application/json"})

    assert (response.status_code, response.headers["content-type"]) == (200, "application/json")
    assert response.json()["data"] is None


async def test_a_mutation_over_get_is_not_allowed(http: httpx.AsyncClient) -> None:
    mutation = 'mutation { recognitionDelete(input: {id: "UmVjb2duaXRpb246MQ=="}) { errors { code } } }'

    response = await http.get("/graphql", params={"query": mutation})

    assert (response.status_code, response.text) == (405, "mutations are not allowed when using GET")


async def test_batched_operations_are_not_accepted(http: httpx.AsyncClient) -> None:
    response = await http.post("/graphql", json=[{"query": "{ viewer { email } }"}] * 2)

    assert (response.status_code, response.text) == (400, "Batching is not enabled")


@pytest.mark.parametrize("accept", ["application/json", GRAPHQL_RESPONSE])
async def test_a_subscription_over_plain_http_is_refused_clearly(
    http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture, accept: str
) -> None:
    subscription = "subscription { recognitionActivity { recognition { id } } }"

    response = await http.post("/graphql", json={"query": subscription}, headers={"Accept": accept})

    assert (response.status_code, response.text) == (
        405,
        "Subscriptions run over a WebSocket (graphql-transport-ws) at /graphql, not over plain HTTP.",
    )
    assert "unexpected error" not in caplog.text
