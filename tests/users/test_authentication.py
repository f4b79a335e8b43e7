"""Sign-in: every way a bearer token can be wrong answers UNAUTHENTICATED with no data."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import jwt
import pytest

from service.users.tokens import issue_token
from tests.support.factories import make_admin, make_partner, make_staff
from tests.support.graphql_client import TEST_SECRET, GraphQLClient
from tests.support.query_counter import counting_queries

VIEWER_QUERY = "{ viewer { email name role partner { name } } }"


async def test_viewer_is_the_signed_in_partner_admin(gql: GraphQLClient) -> None:
    # given
    partner = await make_partner("Riverside")
    admin = await make_admin(partner)

    # when
    data = await gql.data(VIEWER_QUERY, as_user=admin)

    # then
    assert data == {
        "viewer": {
            "email": admin.email,
            "name": admin.name,
            "role": "PARTNER_ADMIN",
            "partner": {"name": partner.name},
        }
    }


async def test_viewer_is_staff_without_partner(gql: GraphQLClient) -> None:
    staff = await make_staff()

    data = await gql.data(VIEWER_QUERY, as_user=staff)

    assert data == {"viewer": {"email": staff.email, "name": staff.name, "role": "STAFF", "partner": None}}


async def test_viewer_reads_the_signed_in_user_and_partner_once(gql: GraphQLClient) -> None:
    # given
    partner = await make_partner("Riverside")
    admin = await make_admin(partner)
    await gql.data(VIEWER_QUERY, as_user=admin)

    # when
    with counting_queries() as statements:
        data = await gql.data(VIEWER_QUERY, as_user=admin)

    # then: the sign-in's read of the user with their partner; neither is read again
    assert data == {
        "viewer": {
            "email": admin.email,
            "name": admin.name,
            "role": "PARTNER_ADMIN",
            "partner": {"name": partner.name},
        }
    }
    assert len(statements) == 1, statements


def _signed(claims: dict[str, object], secret: str = TEST_SECRET) -> str:
    return jwt.encode(claims, secret, algorithm="HS256")


def _in(hours: float) -> int:
    return int((datetime.now(UTC) + timedelta(hours=hours)).timestamp())


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (None, "Sign in: send 'Authorization: Bearer <token>'."),
        ("Basic dXNlcjpwYXNz", "The Authorization header must be 'Bearer <token>'."),
        ("Bearer ", "The Authorization header must be 'Bearer <token>'."),
        ("Bearer not-a-jwt", "The token is malformed."),
        (
            "Bearer "
            + _signed({"sub": "1", "role": "STAFF", "exp": _in(1)}, "another-secret-of-enough-length-x"),
            "The token's signature is not valid.",
        ),
        ("Bearer " + _signed({"sub": "1", "role": "STAFF", "exp": _in(-1)}), "The token has expired."),
        ("Bearer " + _signed({"sub": "1", "role": "STAFF"}), "The token is malformed."),
        ("Bearer " + _signed({"sub": "x", "role": "STAFF", "exp": _in(1)}), "The token is malformed."),
        ("Bearer " + _signed({"sub": "1", "role": "KING", "exp": _in(1)}), "The token is malformed."),
        (
            "Bearer " + _signed({"sub": "999999", "role": "STAFF", "exp": _in(1)}),
            "The token's user no longer exists.",
        ),
    ],
    ids=[
        "missing",
        "not-bearer",
        "empty",
        "malformed",
        "wrong-signature",
        "expired",
        "no-expiry",
        "bad-subject",
        "bad-role",
        "unknown-user",
    ],
)
async def test_bad_credentials_are_refused_with_no_data(
    gql: GraphQLClient, header: str | None, message: str
) -> None:
    # given
    await make_staff()
    headers = {"Authorization": header} if header is not None else {}

    # when
    response = await gql.http.post("/graphql", json={"query": VIEWER_QUERY}, headers=headers)

    # then
    body = response.json()
    assert body["data"] is None
    assert [(error["message"], error["extensions"]["code"]) for error in body["errors"]] == [
        (message, "UNAUTHENTICATED")
    ]


async def test_unauthenticated_operation_returns_no_partial_data(gql: GraphQLClient) -> None:
    body = await gql.post('{ viewer { email } node(id: "UHJvZ3JhbTox") { id } }')

    assert body["data"] is None
    assert {error["extensions"]["code"] for error in body["errors"]} == {"UNAUTHENTICATED"}


async def test_the_users_current_role_wins_over_the_tokens(gql: GraphQLClient) -> None:
    # given a token issued while the user was staff, then the user became a partner admin
    staff = await make_staff()
    token = issue_token(staff, secret=TEST_SECRET, lifetime=timedelta(hours=1))
    partner = await make_partner()
    staff.role = staff.role.PARTNER_ADMIN
    staff.partner = partner
    await staff.save()

    # when
    body = await gql.post("{ viewer { role partner { name } } }", token=token)

    # then
    assert body == {"data": {"viewer": {"role": "PARTNER_ADMIN", "partner": {"name": partner.name}}}}


async def test_a_token_used_before_is_refused_once_it_expires(
    gql: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a token that works, valid for a minute more
    staff = await make_staff()
    token = issue_token(staff, secret=TEST_SECRET, lifetime=timedelta(minutes=1))
    headers = {"Authorization": f"Bearer {token}"}
    body = (await gql.http.post("/graphql", json={"query": VIEWER_QUERY}, headers=headers)).json()
    assert body["data"]["viewer"]["email"] == staff.email

    # when the same token comes again two minutes later
    later = time.time() + 120

    class Later(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Later:
            return cls.fromtimestamp(later, tz)

    monkeypatch.setattr("service.users.tokens.time", SimpleNamespace(time=lambda: later))
    monkeypatch.setattr(jwt.api_jwt, "datetime", Later)
    body = (await gql.http.post("/graphql", json={"query": VIEWER_QUERY}, headers=headers)).json()

    # then it is refused as expired
    assert body["data"] is None
    assert [(error["message"], error["extensions"]["code"]) for error in body["errors"]] == [
        ("The token has expired.", "UNAUTHENTICATED")
    ]
