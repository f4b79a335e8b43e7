"""Whom staff revoked, left out of a combined file: kept with the job, named in its "file ready" mail
(delivered to a real SMTP server), and left out of a regenerated file rather than refusing it."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from strawberry.relay import to_base64

from service.certificate_files.mails import left_out_words
from service.certificate_files.models import FileJobStatus
from service.certificates.models import Certificate
from service.enrollments.models import CourseTaker
from service.mail.models import MailStatus, OutboxMessage
from service.settings import Settings
from tests.support.certificate_files import (
    REVOKE,
    enrollment_ids,
    key_of,
    request_file,
    revoked_certificate,
    until_finished,
)
from tests.support.certificates_world import CertificatesWorld
from tests.support.graphql_client import GraphQLClient
from tests.support.smtp_server import SmtpServer, plain_text
from tests.support.tables import every_row

pytestmark = pytest.mark.jobs

LEFT_OUT = "leftOut { enrollmentId name email message revokedCertificate { code status } }"
REQUEST = f"""
mutation Request($input: CertificateFileRequestInput!) {{
  certificateFileRequest(input: $input) {{
    job {{ id total enrollmentIds {LEFT_OUT} }} errors {{ field code message }} {LEFT_OUT}
  }}
}}
"""
REGENERATE = f"""
mutation Regenerate($input: CertificateFileRegenerateInput!) {{
  certificateFileRegenerate(input: $input) {{
    job {{ id total enrollmentIds {LEFT_OUT} }} errors {{ field code message }} {LEFT_OUT}
  }}
}}
"""
JOB = f"""query($id: ID!) {{ node(id: $id) {{ ... on CertificateFileJob {{ status {LEFT_OUT} }} }} }}"""


@pytest.fixture
def settings(settings: Settings, smtp: SmtpServer) -> Settings:
    """The app mails through the test's SMTP server."""
    return settings.model_copy(update={"smtp_url": smtp.url})


async def _left_out_entry(world: CertificatesWorld, name: str, certificate: dict[str, Any]) -> dict[str, Any]:
    email = (await CourseTaker.get(id=world.enrollments[name].course_taker_id)).email
    return {
        "enrollmentId": to_base64("Enrollment", world.enrollments[name].id),
        "name": name,
        "email": email,
        "message": f"{name}'s certificate {certificate['code']} was revoked by staff (Issued in error); only "
        "staff can issue another.",
        "revokedCertificate": {"code": certificate["code"], "status": "REVOKED"},
    }


async def _ready_mail(smtp: SmtpServer, job_id: int) -> str:
    """The text of the job's "file ready" mail, as the SMTP server received it."""
    for _ in range(400):
        if await OutboxMessage.filter(
            key=f"certificate-file-ready:{job_id}", status=MailStatus.SENT
        ).exists():
            break
        await asyncio.sleep(0.05)
    # Its Message-ID is made from the outbox key.
    mark = f".certificate-file-ready.{job_id}@"
    [received] = [message for message in smtp.inbox.messages if mark in message["Message-ID"]]
    return plain_text(received)


async def test_a_file_by_filter_keeps_whom_it_left_out_and_its_ready_mail_names_them(
    gql: GraphQLClient, world: CertificatesWorld, smtp: SmtpServer
) -> None:
    # given staff revoked the certificates of Ana and of Jo
    ana = await revoked_certificate(gql, world, "Ana Completer")
    jo = await revoked_certificate(gql, world, "Jo Micro")

    # when her partner asks for a file of everyone listed
    data = await gql.data(
        REQUEST, {"input": {"recognitionId": world.recognition_id, "filter": {}}}, as_user=world.admin
    )
    result = data["certificateFileRequest"]
    job = await until_finished(key_of(result["job"]["id"]))

    # then the answer and the job both say who was left out, in the page's order
    left_out = [
        await _left_out_entry(world, "Ana Completer", ana),
        await _left_out_entry(world, "Jo Micro", jo),
    ]
    assert (result["errors"], result["leftOut"], result["job"]["leftOut"]) == ([], left_out, left_out)
    assert (job.status, job.total) == (FileJobStatus.READY, 34)
    assert [person["name"] for person in job.left_out] == ["Ana Completer", "Jo Micro"]
    later = await gql.data(JOB, {"id": result["job"]["id"]}, as_user=world.admin)
    assert later == {"node": {"status": "READY", "leftOut": left_out}}
    # and the "file ready" mail says so, naming them
    text = await _ready_mail(smtp, job.id)
    assert "The combined file of 34 certificates you asked for" in text
    assert (
        "2 people whose certificates were revoked by staff are not in this file: Ana Completer and Jo "
        "Micro. Only staff can issue them another certificate." in " ".join(text.split())
    )


async def test_a_file_of_a_selection_leaves_no_one_out_and_its_mail_says_nothing_of_it(
    gql: GraphQLClient, world: CertificatesWorld, smtp: SmtpServer
) -> None:
    result = await request_file(gql, world, ["Ana Completer", "Gus Online-Completer"])
    job = await until_finished(key_of(result["job"]["id"]))

    later = await gql.data(JOB, {"id": result["job"]["id"]}, as_user=world.admin)

    assert later == {"node": {"status": "READY", "leftOut": []}}
    assert "revoked" not in await _ready_mail(smtp, job.id)


def test_the_ready_mail_counts_many_left_out_and_names_the_first_few() -> None:
    one = [{"name": "Ana Completer"}]
    seven = [{"name": f"Zoe {number:02d}"} for number in range(7)]

    assert left_out_words([]) == []
    assert left_out_words(one) == [
        "1 person whose certificate was revoked by staff is not in this file: Ana Completer. Only staff can "
        "issue them another certificate."
    ]
    namesakes = [{"name": "佐藤 美咲", "email": f"learner{number}@example.org"} for number in (74, 200)]
    assert left_out_words([*namesakes, {"name": "Ana Completer", "email": "ana@example.org"}]) == [
        "3 people whose certificates were revoked by staff are not in this file: 佐藤 美咲 "
        "(learner74@example.org), 佐藤 美咲 (learner200@example.org) and Ana Completer. Only staff can issue "
        "them another certificate."
    ]
    assert left_out_words(seven) == [
        "7 people whose certificates were revoked by staff are not in this file, among them Zoe 00, Zoe 01, "
        "Zoe 02, Zoe 03, Zoe 04. The Certificates page shows each as revoked. Only staff can issue them "
        "another certificate."
    ]


async def test_regenerating_leaves_out_whom_staff_revoked_since_and_says_so(
    gql: GraphQLClient, world: CertificatesWorld, smtp: SmtpServer
) -> None:
    # given a file of Gus, Ana and Cai (approaching), then staff revoked Ana's certificate
    first = await request_file(gql, world, ["Gus Online-Completer", "Ana Completer", "Cai Approaching"])
    assert (await until_finished(key_of(first["job"]["id"]))).status is FileJobStatus.READY
    certificate = await _revoke_issued(gql, world, "Ana Completer")

    # when her partner makes the last file again
    data = await gql.data(REGENERATE, {"input": {"recognitionId": world.recognition_id}}, as_user=world.admin)
    result = data["certificateFileRegenerate"]
    job = await until_finished(key_of(result["job"]["id"]))

    # then it is made of the others, and the answer, the job and its mail say who was left out
    left_out = [await _left_out_entry(world, "Ana Completer", certificate)]
    assert result == {
        "job": {
            "id": result["job"]["id"],
            "total": 2,
            "enrollmentIds": enrollment_ids(world, ["Gus Online-Completer", "Cai Approaching"]),
            "leftOut": left_out,
        },
        "errors": [],
        "leftOut": left_out,
    }
    assert (job.status, job.page_count) == (FileJobStatus.READY, 2)
    assert (
        "1 person whose certificate was revoked by staff is not in this file: Ana Completer. Only staff "
        "can issue them another certificate." in " ".join((await _ready_mail(smtp, job.id)).split())
    )


async def test_regenerating_is_refused_only_when_staff_revoked_everyone_in_the_last_file(
    gql: GraphQLClient, world: CertificatesWorld
) -> None:
    # given a file of Ana and Gus, then staff revoked both their certificates
    first = await request_file(gql, world, ["Ana Completer", "Gus Online-Completer"])
    await until_finished(key_of(first["job"]["id"]))
    ana = await _revoke_issued(gql, world, "Ana Completer")
    gus = await _revoke_issued(gql, world, "Gus Online-Completer")
    rows_before = await every_row()

    # when her partner makes the last file again
    refused = await gql.data(
        REGENERATE, {"input": {"recognitionId": world.recognition_id}}, as_user=world.admin
    )

    # then it is refused at a field of its input, naming both, and nothing is stored
    assert refused["certificateFileRegenerate"] == {
        "job": None,
        "errors": [
            {
                "field": ["recognitionId"],
                "code": "FORBIDDEN",
                "message": "The last file cannot be made again: since it was made, staff revoked the "
                "certificate of everyone still listed in it: Ana Completer (certificate "
                f"{ana['code']}: Issued in error); Gus Online-Completer (certificate {gus['code']}: Issued "
                "in error). Only staff can issue them another.",
            }
        ],
        "leftOut": [],
    }
    assert await every_row() == rows_before
    # and staff, who may issue them others, make it of both
    by_staff = await gql.data(
        REGENERATE, {"input": {"recognitionId": world.recognition_id}}, as_user=world.staff
    )
    made = by_staff["certificateFileRegenerate"]
    assert (made["errors"], made["leftOut"], made["job"]["enrollmentIds"]) == (
        [],
        [],
        enrollment_ids(world, ["Ana Completer", "Gus Online-Completer"]),
    )


async def _revoke_issued(gql: GraphQLClient, world: CertificatesWorld, name: str) -> dict[str, Any]:
    """Staff revoke the certificate a file issued the named course-taker: its id and code."""
    issued = await Certificate.get(enrollment_id=world.enrollments[name].id)
    certificate = {"id": to_base64("Certificate", issued.id), "code": issued.code}
    revoked = await gql.data(
        REVOKE, {"input": {"id": certificate["id"], "reason": "Issued in error"}}, as_user=world.staff
    )
    assert revoked == {"certificateRevoke": {"errors": []}}
    return certificate
