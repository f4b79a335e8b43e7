"""A page of certificates with their credentials costs the same statements however long it is."""

from __future__ import annotations

from service.settings import Settings
from tests.support.certificates_world import CertificatesWorld
from tests.support.clock import MovableClock
from tests.support.credentials import issue_many, parts
from tests.support.graphql_client import GraphQLClient
from tests.support.query_counter import counting_queries

PAGE = """query($id: ID!) { node(id: $id) { ... on Ceremony { certificates(first: 50) {
  edges { node { code credential { jwt downloadUrl linkedInUrl } } } } } } }"""


async def test_a_page_of_fifty_credentials_costs_the_statements_of_a_page_of_five(
    gql: GraphQLClient, world: CertificatesWorld, settings: Settings, clock: MovableClock
) -> None:
    await issue_many(world, settings, clock, range(5))
    with counting_queries() as five:
        small = await gql.data(PAGE, {"id": world.recognition_id}, as_user=world.admin)
    await issue_many(world, settings, clock, range(5, 50))
    with counting_queries() as fifty:
        large = await gql.data(PAGE, {"id": world.recognition_id}, as_user=world.admin)

    rows = [edge["node"] for edge in large["node"]["certificates"]["edges"]]
    assert len(small["node"]["certificates"]["edges"]) == 5 and len(rows) == 50
    assert all(parts(row["credential"]["jwt"])[1]["id"].endswith(row["code"]) for row in rows)
    assert len(fifty) == len(five), fifty
