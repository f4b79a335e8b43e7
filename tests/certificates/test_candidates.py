"""The certificates step's list over GraphQL: kinds, filters, counts, paging, and a constant query count."""

from __future__ import annotations

from typing import Any

import pytest
from strawberry.relay import to_base64

from service.recognitions.models import StoredStatus
from tests.support.certificates_world import CertificatesWorld, enroll, make_certificates_world
from tests.support.graphql_client import GraphQLClient, token_for
from tests.support.query_counter import counting_queries

CANDIDATES = """
query Candidates($id: ID!, $first: Int, $after: String, $filter: CertificateCandidateFilter) {
  recognition(id: $id) {
    certificateCandidates(first: $first, after: $after, filter: $filter) {
      totalCount completerCount approachingCount
      pageInfo { hasNextPage endCursor }
      edges { node {
        name email kind completedAt
        cohort { name } program { name } certificateType { name }
        progress { percent modulesCompleted modulesRequired syncedAt }
      } }
    }
  }
}
"""

WITH_CERTIFICATES = """
query Candidates($id: ID!, $first: Int) {
  recognition(id: $id) {
    certificateCandidates(first: $first) { edges { node {
      name certificate { code status } revokedCertificate { code status }
    } } }
  }
}
"""


@pytest.fixture
async def world() -> CertificatesWorld:
    return await make_certificates_world()


async def _candidates(
    gql: GraphQLClient, world: CertificatesWorld, query: str = CANDIDATES, **variables: Any
) -> dict[str, Any]:
    data = await gql.data(query, {"id": world.recognition_id, **variables}, as_user=world.admin)
    connection: dict[str, Any] = data["recognition"]["certificateCandidates"]
    return connection


def _listed(connection: dict[str, Any]) -> list[tuple[str, str]]:
    return [(edge["node"]["name"], edge["node"]["kind"]) for edge in connection["edges"]]


async def test_completers_and_approaching_of_the_selected_cohorts(
    gql: GraphQLClient, world: CertificatesWorld
) -> None:
    connection = await _candidates(gql, world)

    assert _listed(connection) == [
        ("Ana Completer", "COMPLETER"),
        ("Cai Approaching", "APPROACHING"),
        ("Dov Closed-Completer", "COMPLETER"),
        ("Gus Online-Completer", "COMPLETER"),
        ("Hal Online-Approaching", "APPROACHING"),
        ("Jo Micro", "APPROACHING"),
    ]
    assert (connection["totalCount"], connection["completerCount"], connection["approachingCount"]) == (
        6,
        3,
        3,
    )


async def test_a_completer_shows_type_and_date_an_approaching_one_progress(
    gql: GraphQLClient, world: CertificatesWorld
) -> None:
    connection = await _candidates(gql, world, filter={"search": "Ana"})
    jo = await _candidates(gql, world, filter={"search": "Jo Micro"})

    ana = world.enrollments["Ana Completer"]
    await ana.fetch_related("course_taker")
    assert connection["edges"][0]["node"] == {
        "name": "Ana Completer",
        "email": ana.course_taker.email,
        "kind": "COMPLETER",
        "completedAt": "2026-08-20T00:00:00+00:00",
        "cohort": {"name": "Open"},
        "program": {"name": "Effective Teaching Practices"},
        "certificateType": {"name": "Certificate in Effective College Instruction"},
        "progress": {
            "percent": 100.0,
            "modulesCompleted": 25,
            "modulesRequired": 25,
            "syncedAt": "2026-09-19T04:00:00+00:00",
        },
    }
    assert jo["edges"][0]["node"]["completedAt"] is None
    assert jo["edges"][0]["node"]["certificateType"] == {"name": "Micro-credential in Belonging"}
    assert jo["edges"][0]["node"]["progress"] == {
        "percent": 50.0,
        "modulesCompleted": 3,
        "modulesRequired": 6,
        "syncedAt": "2026-09-19T04:00:00+00:00",
    }


async def test_filters(gql: GraphQLClient, world: CertificatesWorld) -> None:
    async def names(filter: dict[str, Any]) -> tuple[list[str], tuple[int, int, int]]:
        connection = await _candidates(gql, world, filter=filter)
        counts = (connection["totalCount"], connection["completerCount"], connection["approachingCount"])
        return [name for name, _ in _listed(connection)], counts

    assert await names({"kind": "COMPLETER"}) == (
        ["Ana Completer", "Dov Closed-Completer", "Gus Online-Completer"],
        (3, 3, 3),
    )
    assert await names({"kind": "APPROACHING", "search": "ONLINE"}) == (["Hal Online-Approaching"], (1, 1, 1))
    email = world.enrollments["Gus Online-Completer"]
    await email.fetch_related("course_taker")
    assert await names({"search": email.course_taker.email.upper()}) == (["Gus Online-Completer"], (1, 1, 0))
    assert await names({"programId": to_base64("Program", world.online.id)}) == (
        ["Gus Online-Completer", "Hal Online-Approaching", "Jo Micro"],
        (3, 1, 2),
    )
    assert await names({"cohortId": to_base64("Cohort", world.closed_cohort.id)}) == (
        ["Dov Closed-Completer"],
        (1, 1, 0),
    )
    assert await names({"certificateTypeId": to_base64("CertificateType", world.micro.id)}) == (
        ["Jo Micro"],
        (1, 0, 1),
    )


async def test_paging_by_name(gql: GraphQLClient, world: CertificatesWorld) -> None:
    seen: list[str] = []
    after = None
    for _ in range(3):
        connection = await _candidates(gql, world, first=2, after=after)
        seen += [name for name, _ in _listed(connection)]
        after = connection["pageInfo"]["endCursor"]

    assert seen == [
        "Ana Completer",
        "Cai Approaching",
        "Dov Closed-Completer",
        "Gus Online-Completer",
        "Hal Online-Approaching",
        "Jo Micro",
    ]
    assert connection["pageInfo"]["hasNextPage"] is False


async def test_a_draft_has_no_certificates_step(gql: GraphQLClient) -> None:
    world = await make_certificates_world(status=StoredStatus.DRAFT)

    body = await gql.post(CANDIDATES, {"id": world.recognition_id}, token=token_for(world.admin))

    # the refusal in its place; the recognition itself still comes back
    assert body["data"] == {"recognition": {"certificateCandidates": None}}
    assert [(e["extensions"]["code"], e["message"]) for e in body["errors"]] == [
        (
            "NOT_ALLOWED_IN_STATUS",
            "Certificates can be generated once the ceremony is scheduled or the request is created.",
        )
    ]


async def test_a_cancelled_ceremony_says_so_and_what_to_do_instead(gql: GraphQLClient) -> None:
    world = await make_certificates_world(status=StoredStatus.CANCELLED)

    body = await gql.post(CANDIDATES, {"id": world.recognition_id}, token=token_for(world.admin))

    assert body["data"] == {"recognition": {"certificateCandidates": None}}
    assert [(e["extensions"]["code"], e["message"]) for e in body["errors"]] == [
        (
            "NOT_ALLOWED_IN_STATUS",
            "This ceremony was cancelled, so certificates cannot be generated for it. Schedule a new "
            "ceremony, or click \u201cRequest Certificates Only\u201d on the \u201cRecognition\u201d "
            "dashboard, to generate certificates for its course-takers.",
        )
    ]


async def test_the_query_count_does_not_grow_with_the_page(
    gql: GraphQLClient, world: CertificatesWorld
) -> None:
    for number in range(100):
        await enroll(
            world.partner,
            world.online_cohort if number % 2 else world.open_cohort,
            f"Zed {number:03d}",
            completed=True,
            certified=True,
        )

    with counting_queries() as ten:
        small = await _candidates(gql, world, first=10)
    with counting_queries() as hundred:
        large = await _candidates(gql, world, first=100)

    assert (len(small["edges"]), len(large["edges"])) == (10, 100)
    # user, recognition (read once, for the field and the service), its cohorts, both kinds' counts
    # (one statement), the page (with its programs and certificate types)
    assert len(ten) == len(hundred) == 5, ten

    # and each row's certificate, current or revoked, costs one statement for the page
    with counting_queries() as ten:
        await _candidates(gql, world, first=10, query=WITH_CERTIFICATES)
    with counting_queries() as hundred:
        await _candidates(gql, world, first=100, query=WITH_CERTIFICATES)
    assert len(ten) == len(hundred) == 7, ten


async def test_names_sort_as_people_read_them_page_after_page(
    gql: GraphQLClient, world: CertificatesWorld
) -> None:
    # given names whose code points would put "Zed" before "Ángela" and "Øyvind" last
    for name in (
        "Zoë Sortwell",
        "Øyvind Sortwell",
        "Zed Sortwell",
        "émile Sortwell",
        "Ángela Sortwell",
        "Oscar Sortwell",
    ):
        await enroll(world.partner, world.open_cohort, name, completed=True, certified=True)

    # when the list is read two at a time
    names: list[str] = []
    after = None
    while True:
        page = await _candidates(gql, world, first=2, after=after, filter={"search": "Sortwell"})
        names += [edge["node"]["name"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    # then accents and case do not move a name away from its letters
    assert names == [
        "Ángela Sortwell",
        "émile Sortwell",
        "Oscar Sortwell",
        "Øyvind Sortwell",
        "Zed Sortwell",
        "Zoë Sortwell",
    ]


async def test_a_search_finds_a_name_whatever_its_accents_and_case(
    gql: GraphQLClient, world: CertificatesWorld
) -> None:
    # given two course-takers whose names carry accents and letters of their own
    for listed, renamed in (("Ana Completer", "Ángela Müller"), ("Cai Approaching", "Zoë Ødegaard")):
        enrollment = world.enrollments[listed]
        await enrollment.fetch_related("course_taker")
        enrollment.course_taker.name = renamed
        await enrollment.course_taker.save()

    async def found(search: str) -> list[str]:
        return [name for name, _ in _listed(await _candidates(gql, world, filter={"search": search}))]

    # then each is found as a person would type it
    assert await found("angela") == ["Ángela Müller"]
    assert await found("ÁNGELA  MÜLLER") == ["Ángela Müller"]
    assert await found("muller") == ["Ángela Müller"]
    assert await found("zoe odegaard") == ["Zoë Ødegaard"]
    assert await found("ZOË") == ["Zoë Ødegaard"]
    assert await found("angela z") == []


async def test_a_search_finds_a_name_whatever_its_apostrophes_and_hyphens(
    gql: GraphQLClient, world: CertificatesWorld
) -> None:
    # given names written with a plain apostrophe and hyphen, and with typographic ones
    for listed, renamed in (
        ("Ana Completer", "Jean-Luc O'Brien"),
        ("Cai Approaching", "Siân O\u2019Neil\u2011Hughes"),
    ):
        enrollment = world.enrollments[listed]
        await enrollment.fetch_related("course_taker")
        enrollment.course_taker.name = renamed
        await enrollment.course_taker.save()

    async def found(search: str) -> list[str]:
        return [name for name, _ in _listed(await _candidates(gql, world, filter={"search": search}))]

    # then each is found whichever apostrophe or dash is typed, or none, or a space for a hyphen
    for search in (
        "o\u2019brien",
        "O'BRIEN",
        "o\u02bcbrien",
        "o\u2018brien",
        "obrien",
        "jean luc",
        "Jean\u2013Luc",
    ):
        assert await found(search) == ["Jean-Luc O'Brien"], search
    for search in ("o'neil-hughes", "neil hughes", "SIAN O\u2019NEIL"):
        assert await found(search) == ["Siân O\u2019Neil\u2011Hughes"], search
    # and punctuation alone finds no one (it has no letters to look for)
    assert await found("'") == []
    assert await found(" - ") == []
