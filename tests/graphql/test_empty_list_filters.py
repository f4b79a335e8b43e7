"""A list filter narrows to the values listed: left out or null, everything; an empty list, nothing.
The same for every list filter of the schema: a recognition's `certificates(statuses:)`, the
dashboard's `recognitions(filter: {statuses:})`, and `auditEntries(actions:)`."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from strawberry.relay import to_base64

from service.audit import services as audit
from service.audit.models import AuditAction
from tests.support.audit_log import AUDIT_ENTRIES
from tests.support.certificates_world import make_certificates_world
from tests.support.clock import MovableClock
from tests.support.graphql_client import GraphQLClient

ISSUE = """mutation($input: CertificateIssueInput!) {
  certificateIssue(input: $input) { certificate { code } errors { code } } }"""
CERTIFICATES = """query($id: ID!, $statuses: [CertificateStatus!]) { recognition(id: $id) {
  certificates(first: 10, statuses: $statuses) { totalCount edges { node { code status } } } } }"""
DASHBOARD = """query($filter: RecognitionFilter) {
  recognitions(first: 10, filter: $filter) { totalCount edges { node { name } } } }"""


async def test_an_empty_list_of_statuses_or_actions_matches_nothing(
    gql: GraphQLClient, clock: MovableClock
) -> None:
    # given a recognition with one certificate issued, and one entry in the audit log
    world = await make_certificates_world()
    enrollment_id = to_base64("Enrollment", world.enrollments["Ana Completer"].id)
    issued = await gql.data(
        ISSUE,
        {"input": {"recognitionId": world.recognition_id, "enrollmentId": enrollment_id}},
        as_user=world.admin,
    )
    code = issued["certificateIssue"]["certificate"]["code"]
    await audit.record(
        action=AuditAction.FILE_DOWNLOADED,
        now=clock.now() + timedelta(minutes=1),
        actor_id=world.admin.id,
        partner_id=world.partner.id,
        subject="Certificate:1",
    )

    async def certificates(**statuses: Any) -> tuple[int, list[str]]:
        data = await gql.data(CERTIFICATES, {"id": world.recognition_id, **statuses}, as_user=world.admin)
        found = data["recognition"]["certificates"]
        return found["totalCount"], [edge["node"]["code"] for edge in found["edges"]]

    async def recognitions(**statuses: Any) -> int:
        data = await gql.data(DASHBOARD, {"filter": statuses}, as_user=world.admin)
        count: int = data["recognitions"]["totalCount"]
        assert count == len(data["recognitions"]["edges"])
        return count

    async def entries(**actions: Any) -> list[str]:
        data = await gql.data(AUDIT_ENTRIES, actions, as_user=world.staff)
        return [edge["node"]["subject"] for edge in data["auditEntries"]["edges"]]

    # then left out or null lets everything through, a listed value narrows, and an empty list
    # lets nothing through
    assert await certificates() == await certificates(statuses=None) == (1, [code])
    assert await certificates(statuses=["VALID"]) == (1, [code])
    assert await certificates(statuses=["REVOKED"]) == (0, [])
    assert await certificates(statuses=[]) == (0, [])
    assert await recognitions() == await recognitions(statuses=None) == 1
    assert await recognitions(statuses=["SCHEDULED_PENDING"]) == 1
    assert await recognitions(statuses=[]) == 0
    assert await entries() == await entries(actions=None) == ["Certificate:1"]
    assert await entries(actions=["FILE_DOWNLOADED"]) == ["Certificate:1"]
    assert await entries(actions=[]) == []
