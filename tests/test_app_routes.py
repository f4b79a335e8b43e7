"""The app's GraphQL routes: GraphiQL for browsers, queries by GET, no mutations by GET."""

import httpx

from tests.support.factories import make_partner, make_staff
from tests.support.graphql_client import token_for


async def test_browsers_get_graphiql(http: httpx.AsyncClient) -> None:
    response = await http.get("/graphql", headers={"Accept": "text/html"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "graphiql" in response.text.lower()


async def test_queries_work_over_get(http: httpx.AsyncClient) -> None:
    # given
    await make_partner()
    staff = await make_staff()

    # when
    response = await http.get(
        "/graphql",
        params={"query": "{ viewer { email } }"},
        headers={"Authorization": f"Bearer {token_for(staff)}", "Accept": "application/json"},
    )

    # then
    assert response.json() == {"data": {"viewer": {"email": staff.email}}}
