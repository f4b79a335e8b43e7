"""A small GraphQL client over the test's HTTP client, as a front end would send requests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx

from service.users.models import User
from service.users.tokens import issue_token

TEST_SECRET = "test-secret-that-is-long-enough-for-hs256-signing"


@dataclass
class GraphQLClient:
    http: httpx.AsyncClient

    async def post(
        self, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def upload(
        self,
        query: str,
        variables: dict[str, Any],
        files: dict[str, tuple[str, bytes, str]],
        *,
        token: str | None = None,
    ) -> dict[str, Any]:
        """A GraphQL multipart request: each file (by its variable path, e.g. "input.file") sent as
        a part, its variable null in the operation, as the specification has it."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        keys = {str(number): path for number, path in enumerate(files)}
        response = await self.http.post(
            "/graphql",
            data={
                "operations": json.dumps({"query": query, "variables": variables}),
                "map": json.dumps({key: [f"variables.{path}"] for key, path in keys.items()}),
            },
            files={key: files[path] for key, path in keys.items()},
            headers=headers,
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def data(self, query: str, variables: dict[str, Any] | None = None, *, as_user: User) -> Any:
        """The data of a query that must succeed, signed in as ``as_user``."""
        body = await self.post(query, variables, token=token_for(as_user))
        assert "errors" not in body, body
        return body["data"]


def token_for(user: User) -> str:
    return issue_token(user, secret=TEST_SECRET, lifetime=timedelta(hours=1))
