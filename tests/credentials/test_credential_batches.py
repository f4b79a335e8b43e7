"""A page of certificates with their credentials costs the same statements however long it is."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette

from service.certificates import services as certificates
from service.settings import Settings
from service.users.actor import Actor
from tests.support.certificates_world import CertificatesWorld, enroll, make_certificates_world
from tests.support.clock import MovableClock
from tests.support.credentials import parts
from tests.support.graphql_client import GraphQLClient
from tests.support.query_counter import counting_queries

PAGE = """query($id: ID!) { node(id: $id) { ... on Ceremony { certificates(first: 50) {
  edges { node { code credential { jwt downloadUrl linkedInUrl } } } } } } }"""


@pytest.fixture
async def world(app: Starlette) -> CertificatesWorld:
    return await make_certificates_world()


async def _issue(world: CertificatesWorld, settings: Settings, clock: MovableClock, names: range) -> None:
    enrollments = [
        await enroll(world.partner, world.open_cohort, f"Learner {number}", completed=True, certified=True)
        for number in names
    ]
    await certificates.certificates_for(
        actor=Actor(user_id=world.admin.id, role=world.admin.role, partner_id=world.partner.id),
        recognition=world.recognition,
        enrollment_ids=[e.id for e in enrollments],
        now=clock.now(),
        files_dir=settings.resolved_files_dir,
        public_url=settings.public_url,
        with_files=False,
    )


async def test_a_page_of_fifty_credentials_costs_the_statements_of_a_page_of_five(
    gql: GraphQLClient, world: CertificatesWorld, settings: Settings, clock: MovableClock
) -> None:
    await _issue(world, settings, clock, range(5))
    with counting_queries() as five:
        small = await gql.data(PAGE, {"id": world.recognition_id}, as_user=world.admin)
    await _issue(world, settings, clock, range(5, 50))
    with counting_queries() as fifty:
        large = await gql.data(PAGE, {"id": world.recognition_id}, as_user=world.admin)

    rows = [edge["node"] for edge in large["node"]["certificates"]["edges"]]
    assert len(small["node"]["certificates"]["edges"]) == 5 and len(rows) == 50
    assert all(parts(row["credential"]["jwt"])[1]["id"].endswith(row["code"]) for row in rows)
    assert len(fifty) == len(five), fifty
