"""Set-up shared by the combined-file tests: a world with enough completers for two chunks, the
request as a front end sends it, and waiting for a job to finish."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

from strawberry.relay import to_base64

from service.certificate_files.models import CertificateFileJob, FileJobStatus
from service.users.actor import Actor
from tests.support.certificates_world import CertificatesWorld, enroll, make_certificates_world
from tests.support.graphql_client import GraphQLClient, token_for

REQUEST = """
mutation Request($input: CertificateFileRequestInput!) {
  certificateFileRequest(input: $input) { job { id status total } errors { field code message } }
}
"""


async def make_files_world() -> CertificatesWorld:
    """The certificates world and 30 more completers, "Zoe 00" to "Zoe 29": enough for two chunks."""
    world = await make_certificates_world()
    for number in range(30):
        name = f"Zoe {number:02d}"
        world.enrollments[name] = await enroll(
            world.partner, world.online_cohort, name, completed=True, certified=True
        )
    return world


def enrollment_ids(world: CertificatesWorld, names: list[str]) -> list[str]:
    """The API ids of the named course-takers' enrolments."""
    return [to_base64("Enrollment", world.enrollments[name].id) for name in names]


def key_of(global_id: str) -> int:
    """The database id inside an API id."""
    return int(base64.b64decode(global_id).decode().split(":")[1])


def admin_actor(world: CertificatesWorld) -> Actor:
    return Actor(user_id=world.admin.id, role=world.admin.role, partner_id=world.partner.id)


async def request_file(
    gql: GraphQLClient, world: CertificatesWorld, names: list[str], user: Any = None
) -> dict[str, Any]:
    """certificateFileRequest for the named course-takers, as the admin (or ``user``)."""
    body = await gql.post(
        REQUEST,
        {"input": {"recognitionId": world.recognition_id, "enrollmentIds": enrollment_ids(world, names)}},
        token=token_for(user or world.admin),
    )
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["certificateFileRequest"]
    return result


async def until_finished(job_id: int, seconds: float = 60) -> CertificateFileJob:
    """The job once READY or FAILED; an assertion error if it takes longer than ``seconds``."""
    for _ in range(int(seconds / 0.05)):
        job = await CertificateFileJob.get(id=job_id)
        if job.status in (FileJobStatus.READY, FileJobStatus.FAILED):
            return job
        await asyncio.sleep(0.05)
    raise AssertionError("the job did not finish in time")


ISSUE = """mutation($input: CertificateIssueInput!) {
  certificateIssue(input: $input) { certificate { id code } errors { code } } }"""
REVOKE = """mutation($input: CertificateRevokeInput!) {
  certificateRevoke(input: $input) { errors { code } } }"""


async def revoked_certificate(gql: GraphQLClient, world: CertificatesWorld, name: str) -> dict[str, Any]:
    """The named course-taker's certificate issued by their partner, then revoked by staff ("Issued
    in error"): its id and code."""
    [enrollment] = enrollment_ids(world, [name])
    issued = await gql.data(
        ISSUE,
        {"input": {"recognitionId": world.recognition_id, "enrollmentId": enrollment}},
        as_user=world.admin,
    )
    certificate: dict[str, Any] = issued["certificateIssue"]["certificate"]
    revoked = await gql.data(
        REVOKE, {"input": {"id": certificate["id"], "reason": "Issued in error"}}, as_user=world.staff
    )
    assert revoked == {"certificateRevoke": {"errors": []}}
    return certificate
