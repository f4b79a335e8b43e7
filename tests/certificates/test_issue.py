"""Issuing one certificate: the record, its PDF behind a signed link, and issuing twice."""

from __future__ import annotations

import asyncio
import hashlib
import io
from datetime import date, timedelta
from pathlib import Path
from typing import Any, cast

import httpx
import pypdf
import pytest
from strawberry.relay import to_base64

from service.audit.models import AuditAction, AuditEntry
from service.certificates import issuing, printing
from service.certificates.models import Certificate, CertificateStatus
from service.credentials import indexes
from service.pdf.render import CertificateText
from service.recognitions.models import Recognition, RecognitionCohort, RecognitionKind, StoredStatus
from service.settings import Settings
from service.users.actor import Actor
from service.users.models import User
from service.web.downloads import certificate_link
from tests.support.certificates_world import CertificatesWorld, make_certificates_world
from tests.support.clock import MovableClock
from tests.support.graphql_client import GraphQLClient, token_for
from tests.support.tables import every_row

ISSUE = """
mutation Issue($input: CertificateIssueInput!) {
  certificateIssue(input: $input) {
    certificate {
      id code status recipientName awardedOn issuedAt issuedBy { email } verificationUrl downloadUrl
    }
    errors { field code message }
  }
}
"""


@pytest.fixture
async def world() -> CertificatesWorld:
    return await make_certificates_world()


async def _issue(gql: GraphQLClient, world: CertificatesWorld, name: str, user: Any = None) -> dict[str, Any]:
    body = await gql.post(
        ISSUE,
        {
            "input": {
                "recognitionId": world.recognition_id,
                "enrollmentId": to_base64("Enrollment", world.enrollments[name].id),
            }
        },
        token=token_for(user or world.admin),
    )
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["certificateIssue"]
    return result


def _local(url: str) -> str:
    return url.removeprefix("http://127.0.0.1:8000")


def _files(settings: Settings) -> list[Path]:
    return sorted((settings.resolved_files_dir / "certificates").glob("*"))


async def test_a_completer_gets_a_certificate_with_a_link_that_opens_it(
    gql: GraphQLClient, http: httpx.AsyncClient, world: CertificatesWorld
) -> None:
    result = await _issue(gql, world, "Ana Completer")

    certificate = result["certificate"]
    assert result["errors"] == []
    assert (certificate["status"], certificate["recipientName"], certificate["awardedOn"]) == (
        "VALID",
        "Ana Completer",
        "2026-08-19",  # 20 Aug 00:00 UTC is still the 19th at the partner
    )
    assert certificate["issuedBy"] == {"email": world.admin.email}
    assert certificate["verificationUrl"] == f"http://127.0.0.1:8000/verify/{certificate['code']}"
    response = await http.get(_local(certificate["downloadUrl"]))  # no Authorization header
    assert (response.status_code, response.headers["content-type"]) == (200, "application/pdf")
    text = pypdf.PdfReader(io.BytesIO(response.content)).pages[0].extract_text().splitlines()
    assert "Ana Completer" in text and f"Verification code: {certificate['code']}" in text


async def test_issuing_again_returns_the_same_certificate_and_bytes(
    gql: GraphQLClient, http: httpx.AsyncClient, world: CertificatesWorld, settings: Settings
) -> None:
    first = (await _issue(gql, world, "Ana Completer"))["certificate"]
    again = (await _issue(gql, world, "Ana Completer"))["certificate"]

    assert (again["id"], again["code"]) == (first["id"], first["code"])
    first_bytes = (await http.get(_local(first["downloadUrl"]))).content
    again_bytes = (await http.get(_local(again["downloadUrl"]))).content
    assert first_bytes == again_bytes
    stored = await Certificate.get()
    assert (stored.file_sha256, stored.file_size) == (
        hashlib.sha256(first_bytes).hexdigest(),
        len(first_bytes),
    )
    assert [path.name for path in _files(settings)] == [f"{first['code']}.pdf"]


async def test_a_file_gone_from_the_files_folder_is_drawn_again_at_its_download(
    gql: GraphQLClient, http: httpx.AsyncClient, world: CertificatesWorld, settings: Settings
) -> None:
    # given Ana's certificate, downloaded, whose file is then lost (a restore without the files)
    certificate = (await _issue(gql, world, "Ana Completer"))["certificate"]
    before = (await http.get(_local(certificate["downloadUrl"]))).content
    [lost] = _files(settings)
    lost.unlink()

    # when the same link is followed again
    response = await http.get(_local(certificate["downloadUrl"]))

    # then the same bytes are served, and the file is back
    assert (response.status_code, response.content) == (200, before)
    assert [path.read_bytes() for path in _files(settings)] == [before]


async def test_an_approaching_course_taker_may_be_certified_on_the_ceremony_date(
    gql: GraphQLClient, world: CertificatesWorld
) -> None:
    result = await _issue(gql, world, "Cai Approaching")

    assert (result["errors"], result["certificate"]["awardedOn"]) == ([], "2026-10-20")


@pytest.mark.parametrize("name", ["Bea Uncertified", "Fay Closed-Unfinished", "Ida Unselected"])
async def test_someone_not_listed_gets_no_certificate(
    gql: GraphQLClient, world: CertificatesWorld, settings: Settings, name: str
) -> None:
    result = await _issue(gql, world, name)

    assert result == {
        "certificate": None,
        "errors": [
            {
                "field": ["enrollmentId"],
                "code": "NOT_A_CANDIDATE",
                "message": "Not a course-taker of this recognition's certificates step.",
            }
        ],
    }
    assert (await Certificate.all().count(), _files(settings)) == (0, [])


async def test_another_partner_cannot_issue(gql: GraphQLClient, world: CertificatesWorld) -> None:
    result = await _issue(gql, world, "Ana Completer", user=world.other_admin)

    assert [(e["field"], e["code"]) for e in result["errors"]] == [(["recognitionId"], "NOT_FOUND")]
    assert await Certificate.all().count() == 0


async def test_two_issues_at_once_make_one_certificate(
    gql: GraphQLClient, world: CertificatesWorld, settings: Settings
) -> None:
    results = await asyncio.gather(*(_issue(gql, world, "Gus Online-Completer") for _ in range(3)))

    assert len({result["certificate"]["code"] for result in results}) == 1
    assert await Certificate.all().count() == 1
    assert len(_files(settings)) == 1


async def test_links_are_bound_to_their_file_and_expire(
    gql: GraphQLClient, http: httpx.AsyncClient, world: CertificatesWorld, clock: MovableClock
) -> None:
    ana = (await _issue(gql, world, "Ana Completer"))["certificate"]
    dov = (await _issue(gql, world, "Dov Closed-Completer"))["certificate"]
    ana_path, ana_query = _local(ana["downloadUrl"]).split("?")
    dov_path = _local(dov["downloadUrl"]).split("?")[0]

    other_file = await http.get(f"{dov_path}?{ana_query}")
    tampered = await http.get(f"{ana_path}?{ana_query.replace('expires=', 'expires=9')}")
    unsigned = await http.get(ana_path)
    clock.move(timedelta(minutes=15))
    expired = await http.get(_local(ana["downloadUrl"]))

    assert [(r.status_code, r.text) for r in (other_file, tampered, unsigned)] == [
        (403, "This link is not valid.")
    ] * 3
    assert (expired.status_code, expired.text) == (
        403,
        "This link has expired. Ask for a new one in the portal.",
    )


async def test_a_link_is_no_longer_valid_for_someone_moved_to_another_partner_or_removed(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    world: CertificatesWorld,
    settings: Settings,
    clock: MovableClock,
) -> None:
    # given a link to Ana's certificate made for the admin, and one made for a user who is gone
    ana = (await _issue(gql, world, "Ana Completer"))["certificate"]
    certificate = await Certificate.get(code=ana["code"])
    gone = certificate_link(settings=settings, certificate=certificate, user_id=10**6, now=clock.now())
    staff = certificate_link(
        settings=settings, certificate=certificate, user_id=world.staff.id, now=clock.now()
    )

    # when the admin moves to another partner within the link's minutes
    await User.filter(id=world.admin.id).update(partner_id=world.other_admin.partner_id)
    answers = [await http.get(_local(url)) for url in (ana["downloadUrl"], gone, staff)]

    # then neither the admin's link nor the gone user's opens it (and nothing is logged for them);
    # staff's does
    assert [(r.status_code, r.text) for r in answers[:2]] == [(403, "This link is not valid.")] * 2
    assert (answers[2].status_code, answers[2].headers["content-type"]) == (200, "application/pdf")
    downloads = AuditEntry.filter(action=AuditAction.FILE_DOWNLOADED).values_list("actor_id", flat=True)
    assert cast(list[int], await downloads) == [world.staff.id]


async def test_the_list_shows_the_certificate_issued(gql: GraphQLClient, world: CertificatesWorld) -> None:
    issued = (await _issue(gql, world, "Dov Closed-Completer"))["certificate"]
    query = """query($id: ID!) { recognition(id: $id) { certificateCandidates(filter: {kind: COMPLETER}) {
        edges { node { name certificate { code } } } } } }"""

    data = await gql.data(query, {"id": world.recognition_id}, as_user=world.admin)

    assert [
        (edge["node"]["name"], edge["node"]["certificate"])
        for edge in data["recognition"]["certificateCandidates"]["edges"]
    ] == [
        ("Ana Completer", None),
        ("Dov Closed-Completer", {"code": issued["code"]}),
        ("Gus Online-Completer", None),
    ]


async def test_issuing_many_keeps_a_certificate_someone_issued_meanwhile(
    gql: GraphQLClient, world: CertificatesWorld, clock: MovableClock, settings: Settings
) -> None:
    # given Ana's certificate issued by someone else after this batch looked for existing ones
    theirs = await _issue(gql, world, "Ana Completer")
    ana, gus = world.enrollments["Ana Completer"].id, world.enrollments["Gus Online-Completer"].id
    texts = {
        key: CertificateText(
            partner_name="Riverside",
            recipient_name=name,
            certificate_type="Type",
            program="Program",
            cohort="Cohort",
            awarded_on=date(2026, 8, 20),
            code=code,
            verification_url=f"http://127.0.0.1:8000/verify/{code}",
        )
        for key, name, code in ((ana, "Ana Completer", "2345-6789-ABC"), (gus, "Gus", "3456-789A-BCD"))
    }
    actor = Actor(user_id=world.admin.id, role=world.admin.role, partner_id=world.partner.id)

    files_dir = settings.resolved_files_dir
    versions: dict[int, int | None] = dict.fromkeys(texts)
    files = await printing.draw_files(texts, versions, files_dir=files_dir)

    # when the batch inserts
    issued = await issuing.record_many(
        actor=actor,
        recognition=world.recognition,
        texts=texts,
        statuses=dict.fromkeys(texts, CertificateStatus.VALID),
        versions=versions,
        files=files,
        now=clock.now(),
        files_dir=files_dir,
    )

    # then theirs stands, and the other is issued with its file; the file drawn for ours is gone
    assert (issued[ana].code, issued[gus].code) == (theirs["certificate"]["code"], "3456-789A-BCD")
    assert await Certificate.filter(enrollment_id=ana).count() == 1
    assert (issued[gus].file_name, issued[gus].file_sha256) == ("3456-789A-BCD.pdf", files[gus].sha256)
    assert [path.name for path in _files(settings)] == sorted(
        [f"{theirs['certificate']['code']}.pdf", "3456-789A-BCD.pdf"]
    )


async def test_a_place_taken_meanwhile_is_drawn_again_and_the_batch_still_issued_in_one_insert(
    gql: GraphQLClient,
    world: CertificatesWorld,
    clock: MovableClock,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given Dov's certificate, which another process moves onto a place this batch drew, after the
    # draw and before the insert (as a place given to a certificate issued meanwhile would be)
    dov = (await _issue(gql, world, "Dov Closed-Completer"))["certificate"]
    ana, gus = world.enrollments["Ana Completer"].id, world.enrollments["Gus Online-Completer"].id
    texts = {
        key: CertificateText(
            partner_name="Riverside",
            recipient_name=name,
            certificate_type="Type",
            program="Program",
            cohort="Cohort",
            awarded_on=date(2026, 8, 20),
            code=code,
            verification_url=f"http://127.0.0.1:8000/verify/{code}",
        )
        for key, name, code in ((ana, "Ana Completer", "2345-6789-ABC"), (gus, "Gus", "3456-789A-BCD"))
    }
    draws: list[list[int]] = []

    async def places_then_one_taken(count: int) -> list[int]:
        places = await indexes.places_for_new(count)
        if not draws:
            await Certificate.filter(code=dov["code"]).update(credential_status_index=places[1])
        draws.append(places)
        return places

    monkeypatch.setattr(issuing, "places_for_new", places_then_one_taken)
    actor = Actor(user_id=world.admin.id, role=world.admin.role, partner_id=world.partner.id)

    # when the batch inserts
    issued = await issuing.record_many(
        actor=actor,
        recognition=world.recognition,
        texts=texts,
        statuses=dict.fromkeys(texts, CertificateStatus.VALID),
        versions=dict.fromkeys(texts),
        files={},
        now=clock.now(),
        files_dir=settings.resolved_files_dir,
    )

    # then the second draw's places are theirs, given in the insert (one at a time, they would
    # have none yet: they are placed afterwards)
    assert len(draws) == 2
    assert [issued[ana].credential_status_index, issued[gus].credential_status_index] == draws[1]
    assert (issued[ana].code, issued[gus].code) == ("2345-6789-ABC", "3456-789A-BCD")
    taken = await Certificate.get(code=dov["code"])
    assert taken.credential_status_index == draws[0][1] not in draws[1]


async def test_a_signature_that_is_not_ascii_is_an_invalid_link(
    gql: GraphQLClient, http: httpx.AsyncClient, world: CertificatesWorld
) -> None:
    path, query = _local((await _issue(gql, world, "Ana Completer"))["certificate"]["downloadUrl"]).split("?")
    expires = dict(part.split("=") for part in query.split("&"))["expires"]

    response = await http.get(path, params={"by": world.admin.id, "expires": expires, "signature": "é" * 64})

    assert (response.status_code, response.text) == (403, "This link is not valid.")


async def test_a_certificate_issued_through_another_recognition_is_not_handed_out_here(
    gql: GraphQLClient, world: CertificatesWorld, settings: Settings
) -> None:
    # given Ida's certificate, issued through a request that selected her cohort (not this ceremony's)
    ida = world.enrollments["Ida Unselected"]
    request = await Recognition.create(
        partner=world.partner,
        kind=RecognitionKind.CERTIFICATE_REQUEST,
        name="Summer certificates",
        status=StoredStatus.CREATED,
        range_start=date(2026, 8, 1),
        range_end=date(2026, 8, 31),
        created_by=world.admin,
        created_at=world.recognition.created_at,
        updated_at=world.recognition.created_at,
    )
    await RecognitionCohort.create(recognition=request, cohort_id=ida.cohort_id)
    body = await gql.post(
        ISSUE,
        {
            "input": {
                "recognitionId": to_base64("CertificateRequest", request.id),
                "enrollmentId": to_base64("Enrollment", ida.id),
            }
        },
        token=token_for(world.admin),
    )
    assert body["data"]["certificateIssue"]["errors"] == []
    rows_before, files_before = await every_row(), _files(settings)

    # when the ceremony, which did not select her cohort, is asked for her certificate
    result = await _issue(gql, world, "Ida Unselected")

    # then it refuses, and nothing is stored
    assert result == {
        "certificate": None,
        "errors": [
            {
                "field": ["enrollmentId"],
                "code": "NOT_A_CANDIDATE",
                "message": "Not a course-taker of this recognition's certificates step.",
            }
        ],
    }
    assert (await every_row(), _files(settings)) == (rows_before, files_before)
