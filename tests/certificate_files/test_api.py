"""Combined certificate files through the API: a request, its file and mail, repeats, regenerating,
tenancy, and the single downloads of the certificates a file issued."""

from __future__ import annotations

import io
from email import message_from_string, policy

import httpx
import pypdf
import pytest
from starlette.applications import Starlette
from strawberry.relay import to_base64

from service.certificate_files.models import CertificateFileJob, FileJobStatus
from service.certificate_files.paths import file_path
from service.certificate_files.requests import request_file as request_file_service
from service.certificates.models import Certificate
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
    text = message_from_string(ready.message, policy=policy.default).get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert f"http://127.0.0.1:8000/recognitions/{world.recognition.id}/certificates" in text
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
