"""Schemathesis in its GraphQL mode against a running `portal serve` with the demo data: queries and
mutations built from the schema, with arguments of every shape it allows, sent as a partner admin
and as staff. No answer may be a server error, and none may carry a masked unexpected exception
(`INTERNAL`): every input must meet a clear error or a correct result.

Run by `make test-fuzz` (bounded and seeded: the same examples every run), not by `make test`.
"""

from __future__ import annotations

import os
import secrets
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from graphql import StringValueNode, introspection_from_schema
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from service.graphql.schema import schema as our_schema
from service.settings import Settings
from tests.support.processes import PORTAL, environment, start_api, stop
from tests.support.smtp_server import free_port

pytestmark = pytest.mark.fuzz

# A file can only come as a part of a multipart request: written into the document, an `Upload` is
# some text, which must meet a clear field error.
schemathesis.graphql.scalar("Upload", st.text(max_size=20).map(lambda text: StringValueNode(value=text)))

EXAMPLES = int(os.environ.get("PORTAL_FUZZ_EXAMPLES", "50"))
ADMIN, STAFF = "admin@riverside.example", "staff@recognition.example"

# The schema the server serves (a test keeps schema.graphql equal to it); subscriptions need a
# WebSocket and are left to the authorisation matrix and the subscription tests.
api = schemathesis.graphql.from_dict(dict(introspection_from_schema(our_schema._schema)))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    """`portal serve` on the demo data: its GraphQL URL, and a token for each role."""
    data = tmp_path_factory.mktemp("fuzz")
    settings = Settings(
        data_dir=data,
        database_url=f"sqlite://{data / 'portal.sqlite3'}",
        secret_key=secrets.token_hex(32),
        broker_url="",
        pubsub_url="",
    )

    def portal(*arguments: str) -> str:
        done = subprocess.run(
            [*PORTAL, *arguments], env=environment(settings), capture_output=True, text=True, check=True
        )
        return done.stdout.strip()

    portal("migrate")
    portal("seed-demo")
    tokens = {email: portal("token", "--email", email).splitlines()[-1] for email in (ADMIN, STAFF)}
    port = free_port()
    # A verification limit the fuzzer cannot reach: RATE_LIMITED answers would hide the rest.
    process = start_api(settings, port, PORTAL_VERIFY_PER_MINUTE="1000000")
    try:
        yield f"http://127.0.0.1:{port}/graphql", tokens
    finally:
        stop(process)


def _check(case: Any, url: str, token: str) -> None:
    response = case.call(base_url=url, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code < 500, response.text
    body = response.json()
    unexpected = [
        error for error in body.get("errors") or [] if error.get("extensions", {}).get("code") == "INTERNAL"
    ]
    assert unexpected == [], (case.body, body)


FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@api.parametrize()
@FUZZ
def test_as_a_partner_admin(case: Any, server: tuple[str, dict[str, str]]) -> None:
    url, tokens = server
    _check(case, url, tokens[ADMIN])


@api.parametrize()
@FUZZ
def test_as_staff(case: Any, server: tuple[str, dict[str, str]]) -> None:
    url, tokens = server
    _check(case, url, tokens[STAFF])
