"""Support: why is this person not on the certificates page? One answer per case of the guide."""

from __future__ import annotations

from typing import Any

import pytest
from strawberry.relay import to_base64

from service.enrollments.models import CourseTaker
from tests.support.certificates_world import CertificatesWorld, enroll, make_certificates_world
from tests.support.graphql_client import GraphQLClient, token_for

LISTING = """query($recognitionId: ID!, $email: String, $enrollmentId: ID) {
  certificateListing(recognitionId: $recognitionId, email: $email, enrollmentId: $enrollmentId) {
    name why message enrollments { cohort { name } why kind } } }"""


@pytest.fixture
async def world() -> CertificatesWorld:
    return await make_certificates_world()


async def _ask(gql: GraphQLClient, world: CertificatesWorld, **by: Any) -> dict[str, Any]:
    return await gql.post(
        LISTING, {"recognitionId": world.recognition_id, **by}, token=token_for(world.staff)
    )


async def _email(world: CertificatesWorld, name: str) -> str:
    return (await CourseTaker.get(id=world.enrollments[name].course_taker_id)).email


@pytest.mark.parametrize(
    ("name", "why", "message", "kind"),
    [
        ("Ana Completer", "LISTED", "Ana Completer is listed on the certificates page.", "COMPLETER"),
        ("Cai Approaching", "LISTED", "Cai Approaching is listed on the certificates page.", "APPROACHING"),
        (
            "Ida Unselected",
            "NOT_IN_SELECTED_COHORTS",
            "Ida Unselected: not in the cohorts this recognition selected.",
            None,
        ),
        (
            "Fay Closed-Unfinished",
            "DID_NOT_COMPLETE_CLOSED_COURSE",
            "Fay Closed-Unfinished: did not complete a course that is closed for submissions.",
            None,
        ),
        (
            "Bea Uncertified",
            "COMPLETED_WITHOUT_CERTIFICATION",
            "Bea Uncertified: completed the course without achieving certification.",
            None,
        ),
    ],
)
async def test_each_case_by_email_with_its_enrolment(
    gql: GraphQLClient, world: CertificatesWorld, name: str, why: str, message: str, kind: str | None
) -> None:
    # given
    email = (await _email(world, name)).upper()  # support types emails in any case

    # when
    body = await _ask(gql, world, email=email)

    # then
    cohort = (await world.enrollments[name].cohort).name
    assert body == {
        "data": {
            "certificateListing": {
                "name": name,
                "why": why,
                "message": message,
                "enrollments": [{"cohort": {"name": cohort}, "why": why, "kind": kind}],
            }
        }
    }


async def test_by_an_enrolment_and_refusals(gql: GraphQLClient, world: CertificatesWorld) -> None:
    by_enrollment = await _ask(
        gql, world, enrollmentId=to_base64("Enrollment", world.enrollments["Bea Uncertified"].id)
    )
    unknown = await _ask(gql, world, email="nobody@example.org")
    neither = await _ask(gql, world)
    both = await _ask(
        gql,
        world,
        email="nobody@example.org",
        enrollmentId=to_base64("Enrollment", world.enrollments["Bea Uncertified"].id),
    )

    assert by_enrollment["data"]["certificateListing"]["why"] == "COMPLETED_WITHOUT_CERTIFICATION"
    assert [error["extensions"] for error in unknown["errors"]] == [{"code": "NOT_FOUND", "field": ["email"]}]
    assert [(error["message"], error["extensions"]) for error in neither["errors"]] == [
        ("Give an email or an enrolment id.", {"code": "REQUIRED", "field": ["email"]})
    ]
    assert [(error["message"], error["extensions"]) for error in both["errors"]] == [
        ("Give an email or an enrolment id, not both.", {"code": "INVALID_VALUE", "field": ["email"]})
    ]


@pytest.mark.parametrize(
    ("cohort", "completed", "message"),
    [
        ("online_cohort", False, "blank@x.example is listed on the certificates page."),
        (
            "closed_cohort",
            False,
            "blank@x.example: did not complete a course that is closed for submissions.",
        ),
    ],
)
async def test_a_course_taker_canvas_gives_no_name_is_named_by_their_email(
    gql: GraphQLClient, world: CertificatesWorld, cohort: str, completed: bool, message: str
) -> None:
    # given a course-taker stored without a name (Canvas gives a blank one: never replaced by the email)
    await enroll(world.partner, getattr(world, cohort), "", completed=completed, certified=completed)
    blank = await CourseTaker.filter(partner_id=world.partner.id, name="").get()
    await CourseTaker.filter(id=blank.id).update(email="blank@x.example")

    # when support asks about them
    body = await _ask(gql, world, email="blank@x.example")

    # then the answer names them by their email, and their name stays blank
    answer = body["data"]["certificateListing"]
    assert (answer["name"], answer["message"]) == ("", message)
