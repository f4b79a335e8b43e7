"""Combined certificate files through the API: a request, its file and mail, repeats, regenerating,
tenancy, and the single downloads of the certificates a file issued."""

from __future__ import annotations

import io
from email import message_from_string, policy
from typing import Any
from urllib.parse import quote

import httpx
import pypdf
import pytest
from starlette.applications import Starlette
from strawberry.relay import to_base64

from service.certificate_files.models import CertificateFileJob, FileJobStatus
from service.certificate_files.paths import file_path
from service.certificate_files.requests import request_file as request_file_service
from service.certificates.models import Certificate
from service.cohorts.models import Cohort
from service.enrollments.models import CourseTaker
from service.mail.models import OutboxMessage
from service.settings import Settings
from tests.support.certificate_files import (
    admin_actor,
    enrollment_ids,
    key_of,
    request_file,
    until_finished,
)
from tests.support.certificates_world import CertificatesWorld
from tests.support.clock import MovableClock
from tests.support.graphql_client import GraphQLClient, token_for
from tests.support.tables import every_row

pytestmark = pytest.mark.jobs

REGENERATE = """
mutation Regenerate($input: CertificateFileRegenerateInput!) {
  certificateFileRegenerate(input: $input) {
    job { id status total enrollmentIds } errors { field code message }
  }
}
"""
LAST_FILE = """
query Last($id: ID!) {
  recognition(id: $id) {
    lastCertificateFile { id status done total file { pageCount size sha256 downloadUrl } }
    certificateFiles { id status }
  }
}
"""
SELECTION = ["Jo Micro", *[f"Zoe {n:02d}" for n in range(29, -1, -1)], "Ana Completer"]


async def test_a_file_of_the_selection_in_its_order(
    gql: GraphQLClient, http: httpx.AsyncClient, world: CertificatesWorld
) -> None:
    # when
    result = await request_file(gql, world, SELECTION)
    assert (result["errors"], result["job"]["total"]) == ([], 32)
    job = await until_finished(key_of(result["job"]["id"]))

    # then: one page per course-taker, in the page's order, each with its own issued code
    assert (job.status, job.done, job.total, job.page_count) == (FileJobStatus.READY, 32, 32, 32)
    data = await gql.data(LAST_FILE, {"id": world.recognition_id}, as_user=world.admin)
    last = data["recognition"]["lastCertificateFile"]
    assert (last["status"], last["done"], last["file"]["pageCount"]) == ("READY", 32, 32)
    pdf = await http.get(last["file"]["downloadUrl"].removeprefix("http://127.0.0.1:8000"))
    assert (pdf.status_code, pdf.headers["content-type"], len(pdf.content)) == (
        200,
        "application/pdf",
        job.file_size,
    )
    pages = [page.extract_text().splitlines() for page in pypdf.PdfReader(io.BytesIO(pdf.content)).pages]
    certificates = {c.enrollment_id: c.code for c in await Certificate.all()}
    assert [
        (name in lines, f"Verification code: {certificates[world.enrollments[name].id]}" in lines)
        for name, lines in zip(SELECTION, pages, strict=True)
    ] == [(True, True)] * 32
    # and one "ready" mail with a link back to the recognition, not to the file
    [ready] = await OutboxMessage.filter(key=f"certificate-file-ready:{job.id}")
    assert ready.subject == "Your certificates file is ready: Autumn ceremony"
    sent = message_from_string(ready.message, policy=policy.default)
    assert (sent["To"], ready.recipient) == (f"{world.admin.name} <{world.admin.email}>", world.admin.email)
    text = sent.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert f"http://127.0.0.1:8000/recognitions/{quote(world.recognition_id, safe='=')}/certificates" in text
    assert "/files/" not in text


async def test_codes_in_the_file_match_the_single_downloads(
    gql: GraphQLClient, world: CertificatesWorld, settings: Settings
) -> None:
    issue = """mutation($input: CertificateIssueInput!) {
        certificateIssue(input: $input) { certificate { code } } }"""
    single = await gql.post(
        issue,
        {
            "input": {
                "recognitionId": world.recognition_id,
                "enrollmentId": enrollment_ids(world, ["Ana Completer"])[0],
            }
        },
        token=token_for(world.admin),
    )
    code = single["data"]["certificateIssue"]["certificate"]["code"]

    result = await request_file(gql, world, ["Ana Completer", "Dov Closed-Completer"])
    job = await until_finished(key_of(result["job"]["id"]))

    first_page = pypdf.PdfReader(file_path(settings.resolved_files_dir, job)).pages[0]
    assert f"Verification code: {code}" in first_page.extract_text().splitlines()
    assert await Certificate.filter(enrollment_id=world.enrollments["Ana Completer"].id).count() == 1


@pytest.mark.parametrize(
    ("names", "errors"),
    [
        ([], [(["enrollmentIds"], "EMPTY_SELECTION")]),
        (["Ana Completer", "Bea Uncertified"], [(["enrollmentIds", "1"], "NOT_A_CANDIDATE")]),
    ],
)
async def test_a_bad_selection_is_refused_and_nothing_queued(
    gql: GraphQLClient, world: CertificatesWorld, names: list[str], errors: list[tuple[list[str], str]]
) -> None:
    result = await request_file(gql, world, names)

    assert result["job"] is None
    assert [(error["field"], error["code"]) for error in result["errors"]] == errors
    assert await CertificateFileJob.all().count() == 0


async def test_the_same_selection_queued_or_running_is_one_job(
    app: Starlette, world: CertificatesWorld, no_queue: None, clock: MovableClock
) -> None:
    ids = [world.enrollments[name].id for name in ["Ana Completer", "Gus Online-Completer"]]

    first = await request_file_service(
        actor=admin_actor(world), recognition_id=world.recognition.id, enrollment_ids=ids, now=clock.now()
    )
    again = await request_file_service(
        actor=admin_actor(world),
        recognition_id=world.recognition.id,
        enrollment_ids=[*ids, ids[0]],
        now=clock.now(),
    )
    other_order = await request_file_service(
        actor=admin_actor(world),
        recognition_id=world.recognition.id,
        enrollment_ids=ids[::-1],
        now=clock.now(),
    )

    assert again.id == first.id
    assert other_order.id != first.id
    assert await CertificateFileJob.all().count() == 2


async def test_regenerate_makes_a_fresh_file_of_the_last_selection(
    gql: GraphQLClient, world: CertificatesWorld
) -> None:
    none_yet = await gql.post(
        REGENERATE, {"input": {"recognitionId": world.recognition_id}}, token=token_for(world.admin)
    )
    first = await request_file(gql, world, ["Gus Online-Completer", "Ana Completer"])
    await until_finished(key_of(first["job"]["id"]))

    again = await gql.post(
        REGENERATE, {"input": {"recognitionId": world.recognition_id}}, token=token_for(world.admin)
    )
    job = again["data"]["certificateFileRegenerate"]["job"]
    await until_finished(key_of(job["id"]))

    assert none_yet["data"]["certificateFileRegenerate"]["errors"] == [
        {
            "field": ["recognitionId"],
            "code": "NO_PREVIOUS_FILE",
            "message": "This recognition has no certificates file yet.",
        }
    ]
    assert job["id"] != first["job"]["id"]
    assert job["enrollmentIds"] == enrollment_ids(world, ["Gus Online-Completer", "Ana Completer"])
    data = await gql.data(LAST_FILE, {"id": world.recognition_id}, as_user=world.admin)
    assert data["recognition"]["lastCertificateFile"]["id"] == job["id"]
    assert [entry["status"] for entry in data["recognition"]["certificateFiles"]] == ["READY", "READY"]


async def test_a_job_names_the_recognition_it_was_asked_for(
    gql: GraphQLClient, world: CertificatesWorld
) -> None:
    result = await request_file(gql, world, ["Ana Completer"])

    data = await gql.data(
        "query($id: ID!) { node(id: $id) { ... on CertificateFileJob { recognition { id name } } } }",
        {"id": result["job"]["id"]},
        as_user=world.admin,
    )

    assert data == {"node": {"recognition": {"id": world.recognition_id, "name": "Autumn ceremony"}}}


async def test_another_partner_sees_no_job(gql: GraphQLClient, world: CertificatesWorld) -> None:
    result = await request_file(gql, world, ["Ana Completer"])
    other = await request_file(gql, world, ["Ana Completer"], user=world.other_admin)

    node = await gql.post(
        "query($id: ID!) { node(id: $id) { id } }",
        {"id": result["job"]["id"]},
        token=token_for(world.other_admin),
    )

    assert node == {"data": {"node": None}}
    assert [(e["field"], e["code"]) for e in other["errors"]] == [(["recognitionId"], "NOT_FOUND")]


async def test_a_certificate_issued_for_a_file_gets_its_own_pdf_on_first_download(
    gql: GraphQLClient, http: httpx.AsyncClient, world: CertificatesWorld, settings: Settings
) -> None:
    result = await request_file(gql, world, ["Ana Completer", "Gus Online-Completer"])
    job = await until_finished(key_of(result["job"]["id"]))
    query = """query($id: ID!) { node(id: $id) { ... on Certificate { code fileSize downloadUrl } } }"""
    certificate = await Certificate.get(enrollment_id=world.enrollments["Ana Completer"].id)
    node_id = to_base64("Certificate", certificate.id)

    before = (await gql.data(query, {"id": node_id}, as_user=world.admin))["node"]
    pdf = await http.get(before["downloadUrl"].removeprefix("http://127.0.0.1:8000"))
    after = (await gql.data(query, {"id": node_id}, as_user=world.admin))["node"]

    # The combined file drew its pages; the certificate's own PDF is made when first asked for.
    assert (job.status, certificate.file_sha256, before["fileSize"]) == (FileJobStatus.READY, None, None)
    assert (pdf.status_code, after["fileSize"]) == (200, len(pdf.content))
    [page] = pypdf.PdfReader(io.BytesIO(pdf.content)).pages
    combined = pypdf.PdfReader(file_path(settings.resolved_files_dir, job)).pages[0]
    assert page.extract_text() == combined.extract_text()
    assert f"Verification code: {certificate.code}" in page.extract_text().splitlines()


REGENERATE_WITH_DROPOUTS = """
mutation Regenerate($input: CertificateFileRegenerateInput!) {
  certificateFileRegenerate(input: $input) {
    job { enrollmentIds } errors { field code message } droppedOut { enrollmentId name why }
  }
}
"""


async def test_regenerating_a_file_whose_selection_changed_says_who_dropped_out_and_why(
    gql: GraphQLClient, world: CertificatesWorld, clock: MovableClock
) -> None:
    # given a file of Ana, Hal (approaching) and Gus, then Hal's course closed without his completion
    first = await request_file(
        gql, world, ["Ana Completer", "Hal Online-Approaching", "Gus Online-Completer"]
    )
    await until_finished(key_of(first["job"]["id"]))
    await Cohort.filter(id=world.online_cohort.id).update(closed_at=clock.now())
    rows_before = await every_row()
    hal = {
        "enrollmentId": to_base64("Enrollment", world.enrollments["Hal Online-Approaching"].id),
        "name": "Hal Online-Approaching",
        "why": "DID_NOT_COMPLETE_CLOSED_COURSE",
    }

    # when it is regenerated as it was, then without those who dropped out
    refused = await gql.post(
        REGENERATE_WITH_DROPOUTS,
        {"input": {"recognitionId": world.recognition_id}},
        token=token_for(world.admin),
    )
    rows_after_refusal = await every_row()
    made = await gql.post(
        REGENERATE_WITH_DROPOUTS,
        {"input": {"recognitionId": world.recognition_id, "withoutDroppedOut": True}},
        token=token_for(world.admin),
    )

    # then the first answer says who and why at a field of its own input, and stores nothing
    assert refused["data"]["certificateFileRegenerate"] == {
        "job": None,
        "errors": [
            {
                "field": ["withoutDroppedOut"],
                "code": "SELECTION_CHANGED",
                "message": "1 of the last file's course-takers are no longer listed: Hal Online-Approaching "
                "(did not complete a course that is closed for submissions). Regenerate without them "
                "(withoutDroppedOut: true), or request a new file.",
            }
        ],
        "droppedOut": [hal],
    }
    assert rows_after_refusal == rows_before
    # and the second makes the file of the others
    assert made["data"]["certificateFileRegenerate"] == {
        "job": {"enrollmentIds": enrollment_ids(world, ["Ana Completer", "Gus Online-Completer"])},
        "errors": [],
        "droppedOut": [hal],
    }


REQUEST_BY_FILTER = """
mutation Request($input: CertificateFileRequestInput!) {
  certificateFileRequest(input: $input) { job { total enrollmentIds } errors { field code message } }
}
"""


async def test_select_all_is_a_filter_not_every_page_of_ids(
    gql: GraphQLClient, world: CertificatesWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the online cohort's completers: Gus and the thirty Zoes
    online = {"kind": "COMPLETER", "cohortId": to_base64("Cohort", world.online_cohort.id)}

    async def request(filter: dict[str, str]) -> dict[str, Any]:
        body = await gql.post(
            REQUEST_BY_FILTER,
            {"input": {"recognitionId": world.recognition_id, "filter": filter}},
            token=token_for(world.admin),
        )
        result: dict[str, Any] = body["data"]["certificateFileRequest"]
        return result

    # when a file is asked for by filter, one for a filter matching no one, and one over the limit
    made = await request(online)
    nobody = await request({"search": "nobody at all"})
    monkeypatch.setattr("service.certificates.candidates.MAX_SELECTION", 30)
    too_many = await request(online)

    # then the file holds every match in the page's order; the others are refused at `filter`
    names = ["Gus Online-Completer", *[f"Zoe {n:02d}" for n in range(30)]]
    assert made == {"job": {"total": 31, "enrollmentIds": enrollment_ids(world, names)}, "errors": []}
    assert nobody == {
        "job": None,
        "errors": [
            {
                "field": ["filter"],
                "code": "EMPTY_SELECTION",
                "message": "No course-taker matches this filter.",
            }
        ],
    }
    assert too_many["errors"] == [
        {
            "field": ["filter"],
            "code": "SELECTION_TOO_LARGE",
            "message": "More than 30 course-takers match this filter; at most 30 fit in one file. Narrow it "
            "(e.g. by cohort).",
        }
    ]


REQUEST_LEAVING_OUT = """
mutation Request($input: CertificateFileRequestInput!) {
  certificateFileRequest(input: $input) {
    job { id total enrollmentIds } errors { field code message }
    leftOut { enrollmentId name email message revokedCertificate { code status } }
  }
}
"""
ISSUE = """mutation($input: CertificateIssueInput!) {
  certificateIssue(input: $input) { certificate { id code } } }"""
REVOKE = """mutation($input: CertificateRevokeInput!) {
  certificateRevoke(input: $input) { errors { code } } }"""


async def test_a_file_by_filter_leaves_out_whom_staff_revoked_and_says_so(
    gql: GraphQLClient, world: CertificatesWorld
) -> None:
    # given staff revoked Ana's certificate
    ana = enrollment_ids(world, ["Ana Completer"])[0]
    issued = await gql.data(
        ISSUE, {"input": {"recognitionId": world.recognition_id, "enrollmentId": ana}}, as_user=world.admin
    )
    revoked = issued["certificateIssue"]["certificate"]
    await gql.data(REVOKE, {"input": {"id": revoked["id"], "reason": "Issued in error"}}, as_user=world.staff)

    async def request(filter: dict[str, Any], user: Any) -> dict[str, Any]:
        data = await gql.data(
            REQUEST_LEAVING_OUT,
            {"input": {"recognitionId": world.recognition_id, "filter": filter}},
            as_user=user,
        )
        result: dict[str, Any] = data["certificateFileRequest"]
        return result

    # when her partner asks for a file of everyone listed, and of a filter that matches only her
    everyone = await request({}, world.admin)
    only_her = await request({"search": "Ana Completer"}, world.admin)

    # then the file is of everyone else, in the page's order, and the answer says who was left out
    # and why; a filter of her alone is refused, naming her
    why = (
        f"Ana Completer's certificate {revoked['code']} was revoked by staff (Issued in error); only staff "
        "can issue another."
    )
    others = [
        "Cai Approaching",
        "Dov Closed-Completer",
        "Gus Online-Completer",
        "Hal Online-Approaching",
        "Jo Micro",
        *[f"Zoe {n:02d}" for n in range(30)],
    ]
    email = (await CourseTaker.get(id=world.enrollments["Ana Completer"].course_taker_id)).email
    assert everyone == {
        "job": {"id": everyone["job"]["id"], "total": 35, "enrollmentIds": enrollment_ids(world, others)},
        "errors": [],
        "leftOut": [
            {
                "enrollmentId": ana,
                "name": "Ana Completer",
                "email": email,
                "message": why,
                "revokedCertificate": {"code": revoked["code"], "status": "REVOKED"},
            }
        ],
    }
    assert only_her == {
        "job": None,
        "errors": [{"field": ["filter"], "code": "FORBIDDEN", "message": why}],
        "leftOut": [],
    }
    job = await until_finished(key_of(everyone["job"]["id"]))
    assert (job.status, job.page_count) == (FileJobStatus.READY, 35)
    assert [
        c.code for c in await Certificate.filter(enrollment_id=world.enrollments["Ana Completer"].id)
    ] == [revoked["code"]]

    # and staff, who may issue her another, get her in theirs
    by_staff = await request({"search": "Ana Completer"}, world.staff)
    assert (by_staff["job"]["enrollmentIds"], by_staff["errors"], by_staff["leftOut"]) == ([ana], [], [])
