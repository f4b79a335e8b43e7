"""A provisional certificate prints the day of its ceremony: when the ceremony moves, so does the
date it prints (its own file and any combined file made after), and the requester is told that
copies printed before show the old day. A valid certificate keeps its completion date. A cancelled
ceremony's provisional certificates stay provisional, dated as they were, and the mail says so;
handed out again through the ceremony that replaces it, they belong to that one and print its day.
So does a provisional certificate issued through a certificate request (which has no date of its
own), handed out through a ceremony; one of another scheduled ceremony stays that ceremony's."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime
from email import message_from_string, policy
from email.message import EmailMessage
from typing import Any, cast

import httpx
import pypdf
import pytest
from strawberry.relay import to_base64

from service.certificate_files.paths import file_path
from service.certificates import issuing, printing
from service.certificates.models import Certificate, CertificateStatus
from service.certificates.provisional import settle_provisional_certificates
from service.enrollments.models import Enrollment
from service.mail.models import OutboxMessage
from service.recognitions.models import CeremonyFormat, Recognition, RecognitionCohort
from service.settings import Settings
from tests.support.certificate_files import key_of, request_file, until_finished
from tests.support.certificates_world import CertificatesWorld, make_certificates_world
from tests.support.clock import MovableClock
from tests.support.graphql_client import GraphQLClient

ISSUE = """mutation($input: CertificateIssueInput!) {
  certificateIssue(input: $input) {
    certificate { id code status awardedOn downloadUrl recognition { id name } } errors { code } } }"""
UPDATE = """mutation($input: CeremonyUpdateInput!) {
  ceremonyUpdate(input: $input) { ceremony { id } errors { field code message } } }"""
CANCEL = """mutation($input: CeremonyCancelInput!) {
  ceremonyCancel(input: $input) { ceremony { id status } errors { field code message } } }"""
CERTIFICATE = """query($id: ID!) { node(id: $id) { ... on Certificate { status awardedOn } } }"""
REQUEST_CREATE = """mutation($input: CertificateRequestCreateInput!) {
  certificateRequestCreate(input: $input) { certificateRequest { id } errors { code } } }"""
REQUEST_FINALIZE = """mutation($input: CertificateRequestFinalizeInput!) {
  certificateRequestFinalize(input: $input) { certificateRequest { status } errors { code } } }"""
CANDIDATE = """query($id: ID!, $name: String!) { recognition(id: $id) {
  certificateCandidates(first: 5, filter: {search: $name}) { edges { node {
    name certificate { code status awardedOn recognition { id name } } } } } } }"""
VERIFY = """query($code: String!) { verifyCertificate(code: $code) { outcome awardedOn } }"""
HAL, ANA, CAI = "Hal Online-Approaching", "Ana Completer", "Cai Approaching"
# The world's ceremony is on 20 October 2026 in Chicago; moved a week on.
MOVED = {"dateTime": "2026-10-27T13:00:00", "timeZone": "America/Chicago"}


@pytest.fixture
async def world() -> CertificatesWorld:
    """The certificates world, its ceremony's step 2 complete (so it can be changed)."""
    world = await make_certificates_world()
    await Recognition.filter(id=world.recognition.id).update(
        format=CeremonyFormat.ONLINE,
        contact_name="Pat Pins",
        contact_email="pat.pins@riverside.example",
        contact_phone="+1 312 555 0100",
        address_line1="1 Campus Drive",
        address_city="Chicago",
        address_postal_code="60601",
        address_country="US",
    )
    return world


async def _issue(
    gql: GraphQLClient, world: CertificatesWorld, name: str, *, through: str | None = None
) -> dict[str, Any]:
    """certificateIssue for the named course-taker, through the world's recognition (or ``through``)."""
    data = await gql.data(
        ISSUE,
        {
            "input": {
                "recognitionId": through or world.recognition_id,
                "enrollmentId": to_base64("Enrollment", world.enrollments[name].id),
            }
        },
        as_user=world.admin,
    )
    certificate: dict[str, Any] = data["certificateIssue"]["certificate"]
    return certificate


async def _pdf(http: httpx.AsyncClient, certificate: dict[str, Any]) -> tuple[bytes, str]:
    pdf = (await http.get(certificate["downloadUrl"].removeprefix("http://127.0.0.1:8000"))).content
    return pdf, pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


async def _awarded(gql: GraphQLClient, world: CertificatesWorld, certificate: dict[str, Any]) -> Any:
    return (await gql.data(CERTIFICATE, {"id": certificate["id"]}, as_user=world.admin))["node"]


async def _mail(key_prefix: str) -> EmailMessage:
    """The requester's mail (the first under that key)."""
    row = await OutboxMessage.filter(key__startswith=key_prefix).order_by("id").first()
    assert row is not None
    message = message_from_string(row.message, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def _text(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return " ".join(str(part.get_content()).split())


async def test_a_provisional_certificate_moves_with_its_ceremony_and_a_valid_one_does_not(
    gql: GraphQLClient, http: httpx.AsyncClient, world: CertificatesWorld, settings: Settings
) -> None:
    # given Hal's provisional certificate and Ana's valid one, both downloaded
    hal, ana = await _issue(gql, world, HAL), await _issue(gql, world, ANA)
    hal_before, hal_text_before = await _pdf(http, hal)
    ana_before, _ = await _pdf(http, ana)
    ana_printed = (await Certificate.get(code=ana["code"])).printed

    # when the ceremony moves a week on
    moved = await gql.data(
        UPDATE, {"input": {"id": world.recognition_id, "start": MOVED}}, as_user=world.admin
    )

    # then Hal's certificate prints the new day, the same bytes at every download; Ana's is unchanged
    assert moved["ceremonyUpdate"]["errors"] == []
    hal_after, hal_text_after = await _pdf(http, hal)
    hal_again, _ = await _pdf(http, hal)
    ana_after, _ = await _pdf(http, ana)
    assert (hal["status"], hal["awardedOn"]) == ("PROVISIONAL", "2026-10-20")
    assert await _awarded(gql, world, hal) == {"status": "PROVISIONAL", "awardedOn": "2026-10-27"}
    assert ("20 October 2026" in hal_text_before, "27 October 2026" in hal_text_before) == (True, False)
    assert ("20 October 2026" in hal_text_after, "27 October 2026" in hal_text_after) == (False, True)
    assert hal_after == hal_again and hal_after != hal_before
    assert await _awarded(gql, world, ana) == {"status": "VALID", "awardedOn": ana["awardedOn"]}
    assert (await Certificate.get(code=ana["code"])).printed == ana_printed
    assert ana_after == ana_before

    # and a combined file made afterwards prints the new day too
    requested = await request_file(gql, world, [HAL])
    job = await until_finished(key_of(requested["job"]["id"]))
    combined = pypdf.PdfReader(file_path(settings.resolved_files_dir, job)).pages[0].extract_text()
    assert ("20 October 2026" in combined, "27 October 2026" in combined) == (False, True)

    # and the updated invitation tells the requester the copies printed before show the old day
    updated = _text(await _mail(f"ceremony-updated:{world.recognition.id}:"))
    assert (
        "The provisional certificate issued for this ceremony now shows its new date, 27 October 2026. "
        "Certificates printed or downloaded before this change still show 20 October 2026: download "
        "them again, or regenerate the combined file (\u201cDownload Last Certificates File\u201d under "
        "the \u201cDownload\u201d menu), before the ceremony."
    ) in updated


async def test_a_change_that_keeps_the_day_leaves_the_certificates_and_says_nothing_of_them(
    gql: GraphQLClient, http: httpx.AsyncClient, world: CertificatesWorld
) -> None:
    # given Hal's provisional certificate, downloaded
    hal = await _issue(gql, world, HAL)
    before, _ = await _pdf(http, hal)

    # when the ceremony moves by an hour on the same day
    later = {"dateTime": "2026-10-20T14:00:00", "timeZone": "America/Chicago"}
    await gql.data(UPDATE, {"input": {"id": world.recognition_id, "start": later}}, as_user=world.admin)

    # then
    after, _ = await _pdf(http, hal)
    assert after == before
    assert "provisional" not in _text(await _mail(f"ceremony-updated:{world.recognition.id}:"))


async def test_a_cancelled_ceremony_keeps_its_provisional_certificates_as_they_are(
    gql: GraphQLClient, http: httpx.AsyncClient, world: CertificatesWorld
) -> None:
    # given Hal's provisional certificate, downloaded
    hal = await _issue(gql, world, HAL)
    before, _ = await _pdf(http, hal)

    # when the ceremony is cancelled
    cancelled = await gql.data(CANCEL, {"input": {"id": world.recognition_id}}, as_user=world.admin)

    # then the certificate stands, and the cancellation says what becomes of it
    assert cancelled["ceremonyCancel"]["errors"] == []
    after, _ = await _pdf(http, hal)
    assert after == before
    assert (await Certificate.get(code=hal["code"])).status is CertificateStatus.PROVISIONAL
    assert (
        "A provisional certificate was issued for this ceremony. It stays provisional and still shows "
        "the ceremony\u2019s date, 20 October 2026, until its course-taker completes the course: then it "
        "shows the completion date (or is voided if the course closes without it). Generated again for a "
        "ceremony that replaces this one, it shows that ceremony\u2019s date instead."
    ) in _text(await _mail(f"ceremony-cancelled:{world.recognition.id}"))


async def test_a_download_drawn_while_the_ceremony_moves_is_drawn_again_with_the_new_day(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    world: CertificatesWorld,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given Hal's provisional certificate, never downloaded, and a first download whose drawing ends
    # just as the ceremony moves (the move lands between the drawing and its record)
    hal = await _issue(gql, world, HAL)
    await Certificate.filter(code=hal["code"]).update(file_name=None, file_size=None, file_sha256=None)
    real_draw_file = printing.draw_file
    moves: list[dict[str, Any]] = []

    async def drawn_as_the_ceremony_moves(*args: Any, **kwargs: Any) -> printing.DrawnFile:
        drawn = await real_draw_file(*args, **kwargs)
        if not moves:
            moves.append(
                await gql.data(
                    UPDATE, {"input": {"id": world.recognition_id, "start": MOVED}}, as_user=world.admin
                )
            )
        return drawn

    monkeypatch.setattr(printing, "draw_file", drawn_as_the_ceremony_moves)

    # when it is downloaded
    pdf, text = await _pdf(http, hal)

    # then what it serves and what is recorded are the new day's drawing
    assert moves[0]["ceremonyUpdate"]["errors"] == []
    assert ("20 October 2026" in text, "27 October 2026" in text) == (False, True)
    assert (await Certificate.get(code=hal["code"])).file_sha256 == hashlib.sha256(pdf).hexdigest()


async def test_a_certificate_issued_as_the_ceremony_moves_prints_the_new_day(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    world: CertificatesWorld,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given Hal's certificate being issued just as the ceremony moves: read on the old day, the move
    # (and its re-dating of the provisional certificates) lands before the certificate is recorded
    real_record_many = issuing.record_many
    moves: list[dict[str, Any]] = []

    async def recorded_as_the_ceremony_moves(**kwargs: Any) -> dict[int, Certificate]:
        move = {"input": {"id": world.recognition_id, "start": MOVED}}
        moves.append(await gql.data(UPDATE, move, as_user=world.admin))
        return await real_record_many(**kwargs)

    monkeypatch.setattr(issuing, "record_many", recorded_as_the_ceremony_moves)

    # when it is issued and downloaded
    hal = await _issue(gql, world, HAL)
    pdf, text = await _pdf(http, hal)

    # then it prints the day the ceremony is on, as recorded
    assert moves[0]["ceremonyUpdate"]["errors"] == []
    assert (hal["status"], hal["awardedOn"]) == ("PROVISIONAL", "2026-10-27")
    assert ("20 October 2026" in text, "27 October 2026" in text) == (False, True)
    assert (await Certificate.get(code=hal["code"])).file_sha256 == hashlib.sha256(pdf).hexdigest()


async def test_a_late_drawing_of_the_old_day_never_replaces_the_new_days_file(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    world: CertificatesWorld,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given Hal's provisional certificate, never downloaded, and a first download whose drawing of
    # the old day ends last: meanwhile the ceremony moves and a second download draws and records
    # the new day
    hal = await _issue(gql, world, HAL)
    await Certificate.filter(code=hal["code"]).update(file_name=None, file_size=None, file_sha256=None)
    real_draw_file = printing.draw_file
    overtaken: list[Certificate] = []

    async def overtaken_first(*args: Any, **kwargs: Any) -> printing.DrawnFile:
        if not overtaken:
            overtaken.append(await Certificate.get(code=hal["code"]))
            await gql.data(
                UPDATE, {"input": {"id": world.recognition_id, "start": MOVED}}, as_user=world.admin
            )
            second = await Certificate.get(code=hal["code"])
            await printing.ensure_file(second, files_dir=settings.resolved_files_dir)
        return await real_draw_file(*args, **kwargs)

    monkeypatch.setattr(printing, "draw_file", overtaken_first)

    # when the first download ends
    first = await printing.ensure_file(
        await Certificate.get(code=hal["code"]), files_dir=settings.resolved_files_dir
    )

    # then the file on disk is the one recorded, of the new day
    on_disk = (settings.resolved_files_dir / printing.CERTIFICATES_FOLDER / f"{hal['code']}.pdf").read_bytes()
    text = pypdf.PdfReader(io.BytesIO(on_disk)).pages[0].extract_text()
    assert first.file_sha256 == hashlib.sha256(on_disk).hexdigest()
    assert ("20 October 2026" in text, "27 October 2026" in text) == (False, True)


async def test_a_ceremony_replacing_a_cancelled_one_hands_out_its_certificates_with_its_own_day(
    gql: GraphQLClient, http: httpx.AsyncClient, world: CertificatesWorld, settings: Settings
) -> None:
    # given Hal's provisional certificate and Ana's valid one, issued for the ceremony of 20 October,
    # which is then cancelled and replaced by one on 27 October for the same cohorts
    hal, ana = await _issue(gql, world, HAL), await _issue(gql, world, ANA)
    ana_printed = (await Certificate.get(code=ana["code"])).printed
    await gql.data(CANCEL, {"input": {"id": world.recognition_id}}, as_user=world.admin)
    cancelled = world.recognition
    replacement = await Recognition.create(
        partner_id=cancelled.partner_id,
        kind=cancelled.kind,
        name="Autumn ceremony, again",
        status=cancelled.status,
        range_start=cancelled.range_start,
        range_end=cancelled.range_end,
        created_by_id=cancelled.created_by_id,
        created_at=cancelled.created_at,
        updated_at=cancelled.updated_at,
        starts_at=datetime(2026, 10, 27, 18, 0, tzinfo=UTC),
        time_zone=cancelled.time_zone,
    )
    for link in await RecognitionCohort.filter(recognition_id=cancelled.id):
        await RecognitionCohort.create(recognition=replacement, cohort_id=link.cohort_id)
    world.recognition = replacement

    # when they are handed out through the new ceremony, one at a time and in a combined file
    hal_again, ana_again = await _issue(gql, world, HAL), await _issue(gql, world, ANA)
    _, hal_text = await _pdf(http, hal_again)
    job = await until_finished(key_of((await request_file(gql, world, [HAL, ANA]))["job"]["id"]))
    combined = pypdf.PdfReader(file_path(settings.resolved_files_dir, job))
    pages = [page.extract_text() for page in combined.pages]

    # then they are the same certificates, now the new ceremony's, Hal's printing its day
    assert (hal_again["code"], ana_again["code"]) == (hal["code"], ana["code"])
    assert (hal_again["status"], hal_again["awardedOn"]) == ("PROVISIONAL", "2026-10-27")
    assert ("20 October 2026" in hal_text, "27 October 2026" in hal_text) == (False, True)
    assert ("20 October 2026" in pages[0], "27 October 2026" in pages[0]) == (False, True)
    owners = Certificate.filter(code__in=[hal["code"], ana["code"]]).values_list("recognition_id", flat=True)
    assert cast(list[int], await owners) == [replacement.id] * 2
    assert (await Certificate.get(code=ana["code"])).printed == ana_printed


async def _certificate_request(gql: GraphQLClient, world: CertificatesWorld) -> str:
    """A created certificate request over the world's ceremony's cohorts, through the API; its id."""
    cohorts = [world.open_cohort, world.closed_cohort, world.online_cohort]
    step_1 = {
        "dateRange": {"start": "2026-06-01", "end": "2026-09-30"},
        "cohortIds": [to_base64("Cohort", cohort.id) for cohort in cohorts],
    }
    created = (await gql.data(REQUEST_CREATE, {"input": step_1}, as_user=world.admin))[
        "certificateRequestCreate"
    ]
    assert created["errors"] == []
    request_id: str = created["certificateRequest"]["id"]
    finalized = await gql.data(REQUEST_FINALIZE, {"input": {"id": request_id}}, as_user=world.admin)
    assert finalized["certificateRequestFinalize"] == {
        "certificateRequest": {"status": "CREATED"},
        "errors": [],
    }
    return request_id


async def _another_ceremony(world: CertificatesWorld, name: str, starts_at: datetime) -> Recognition:
    """A scheduled ceremony over the same cohorts as the world's."""
    first = world.recognition
    other = await Recognition.create(
        partner_id=first.partner_id,
        kind=first.kind,
        name=name,
        status=first.status,
        range_start=first.range_start,
        range_end=first.range_end,
        created_by_id=first.created_by_id,
        created_at=first.created_at,
        updated_at=first.updated_at,
        starts_at=starts_at,
        time_zone=first.time_zone,
    )
    for link in await RecognitionCohort.filter(recognition_id=first.id):
        await RecognitionCohort.create(recognition=other, cohort_id=link.cohort_id)
    return other


def _shown(certificate: dict[str, Any]) -> dict[str, Any]:
    return {key: certificate[key] for key in ("code", "status", "awardedOn", "recognition")}


async def _candidate(gql: GraphQLClient, world: CertificatesWorld, recognition_id: str, name: str) -> Any:
    """What a recognition's certificates step shows of the named course-taker's certificate."""
    data = await gql.data(CANDIDATE, {"id": recognition_id, "name": name}, as_user=world.admin)
    [edge] = data["recognition"]["certificateCandidates"]["edges"]
    return edge["node"]["certificate"]


async def test_a_ceremony_takes_over_a_certificate_requests_provisional_certificates_and_prints_its_day(
    gql: GraphQLClient, http: httpx.AsyncClient, world: CertificatesWorld, settings: Settings
) -> None:
    # given Hal's and Cai's provisional certificates and Ana's valid one, issued through a certificate
    # request (which has no date: the provisional ones print the day of issue, 19 September 2026)
    request_id = await _certificate_request(gql, world)
    hal, cai, ana = [await _issue(gql, world, name, through=request_id) for name in (HAL, CAI, ANA)]
    _, hal_text_before = await _pdf(http, hal)
    ana_printed = (await Certificate.get(code=ana["code"])).printed

    # when the ceremony of 20 October over the same cohorts hands out Hal's alone, and Cai's and Ana's
    # in a combined file
    hal_here = await _issue(gql, world, HAL)
    _, hal_text = await _pdf(http, hal_here)
    job = await until_finished(key_of((await request_file(gql, world, [CAI, ANA]))["job"]["id"]))
    combined = pypdf.PdfReader(file_path(settings.resolved_files_dir, job))
    cai_page, ana_page = [page.extract_text() for page in combined.pages]

    # then Hal's and Cai's are the same certificates, now the ceremony's, printing its day
    request = {
        "id": request_id,
        "name": "Certificate request: cohorts ending 1 June 2026 to 30 September 2026",
    }
    ceremony = {"id": world.recognition_id, "name": "Autumn ceremony"}
    assert _shown(hal) == {
        "code": hal["code"],
        "status": "PROVISIONAL",
        "awardedOn": "2026-09-19",
        "recognition": request,
    }
    assert ("19 September 2026" in hal_text_before, "20 October 2026" in hal_text_before) == (True, False)
    assert _shown(hal_here) == {**_shown(hal), "awardedOn": "2026-10-20", "recognition": ceremony}
    assert ("19 September 2026" in hal_text, "20 October 2026" in hal_text) == (False, True)
    assert await _awarded(gql, world, cai) == {"status": "PROVISIONAL", "awardedOn": "2026-10-20"}
    assert ("19 September 2026" in cai_page, "20 October 2026" in cai_page) == (False, True)
    # and Ana's valid one stays the request's, with its completion date, on the ceremony's page too
    assert await _awarded(gql, world, ana) == {"status": "VALID", "awardedOn": "2026-08-19"}
    assert ("19 August 2026" in ana_page, "20 October 2026" in ana_page) == (True, False)
    assert (await Certificate.get(code=ana["code"])).printed == ana_printed
    owners = Certificate.filter(code__in=[hal["code"], cai["code"], ana["code"]]).values_list(
        "code", "recognition_id"
    )
    assert dict(cast(list[tuple[str, int]], await owners)) == {
        hal["code"]: world.recognition.id,
        cai["code"]: world.recognition.id,
        ana["code"]: key_of(request_id),
    }


async def test_a_provisional_certificate_taken_over_from_a_request_follows_the_ceremony_when_it_moves(
    gql: GraphQLClient, http: httpx.AsyncClient, world: CertificatesWorld
) -> None:
    # given Hal's provisional certificate, issued through a certificate request, then handed out
    # through the ceremony of 20 October
    request_id = await _certificate_request(gql, world)
    hal = await _issue(gql, world, HAL, through=request_id)
    await _issue(gql, world, HAL)

    # when the ceremony moves to 28 October, 9:00 in Auckland (27 October in Chicago, the partner's zone)
    auckland = {"dateTime": "2026-10-28T09:00:00", "timeZone": "Pacific/Auckland"}
    moved = await gql.data(
        UPDATE, {"input": {"id": world.recognition_id, "start": auckland}}, as_user=world.admin
    )

    # then it prints the ceremony's new day, on the ceremony's own calendar, with the same code
    assert moved["ceremonyUpdate"]["errors"] == []
    _, text = await _pdf(http, hal)
    assert await _awarded(gql, world, hal) == {"status": "PROVISIONAL", "awardedOn": "2026-10-28"}
    assert ("20 October 2026" in text, "28 October 2026" in text) == (False, True)
    assert (
        "The provisional certificate issued for this ceremony now shows its new date, 28 October 2026. "
        "Certificates printed or downloaded before this change still show 20 October 2026"
    ) in _text(await _mail(f"ceremony-updated:{world.recognition.id}:"))

    # and the request's page shows it as the ceremony's; issued through the request again, it stays so
    ceremony = {"id": world.recognition_id, "name": "Autumn ceremony"}
    expected = {
        "code": hal["code"],
        "status": "PROVISIONAL",
        "awardedOn": "2026-10-28",
        "recognition": ceremony,
    }
    assert await _candidate(gql, world, request_id, HAL) == expected
    assert _shown(await _issue(gql, world, HAL, through=request_id)) == expected
    # and verification still says it is pending completion, without a date
    verified = (await gql.post(VERIFY, {"code": hal["code"]}))["data"]["verifyCertificate"]
    assert verified == {"outcome": "PROVISIONAL", "awardedOn": None}


async def test_a_certificate_taken_over_as_the_ceremony_moves_prints_the_new_day(
    gql: GraphQLClient, http: httpx.AsyncClient, world: CertificatesWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given Hal's provisional certificate of a certificate request, handed out through the ceremony
    # just as it moves: read on the old day, the move lands before the certificate is taken over
    request_id = await _certificate_request(gql, world)
    hal = await _issue(gql, world, HAL, through=request_id)
    real_adopt = issuing.adopt
    moves: list[dict[str, Any]] = []

    async def taken_over_as_the_ceremony_moves(*args: Any, **kwargs: Any) -> dict[int, Certificate]:
        move = {"input": {"id": world.recognition_id, "start": MOVED}}
        moves.append(await gql.data(UPDATE, move, as_user=world.admin))
        return await real_adopt(*args, **kwargs)

    monkeypatch.setattr(issuing, "adopt", taken_over_as_the_ceremony_moves)

    # when it is handed out and downloaded
    hal_here = await _issue(gql, world, HAL)
    _, text = await _pdf(http, hal_here)

    # then it prints the day the ceremony is on
    assert moves[0]["ceremonyUpdate"]["errors"] == []
    assert (hal_here["code"], hal_here["status"], hal_here["awardedOn"]) == (
        hal["code"],
        "PROVISIONAL",
        "2026-10-27",
    )
    assert ("20 October 2026" in text, "27 October 2026" in text) == (False, True)


async def test_a_certificate_that_settles_valid_as_a_ceremony_takes_it_over_keeps_its_completion_date(
    gql: GraphQLClient, world: CertificatesWorld, clock: MovableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given Hal's provisional certificate of a certificate request, handed out through the ceremony
    # just as the LMS reports him completed (on 1 October in Chicago) and it settles valid
    request_id = await _certificate_request(gql, world)
    hal = await _issue(gql, world, HAL, through=request_id)
    real_adopt = issuing.adopt

    async def settled_as_it_is_taken_over(*args: Any, **kwargs: Any) -> dict[int, Certificate]:
        await Enrollment.filter(id=world.enrollments[HAL].id).update(
            completed_at=datetime(2026, 10, 1, 15, 0, tzinfo=UTC), certified=True, modules_completed=25
        )
        assert (await settle_provisional_certificates(now=clock.now())).validated != []
        return await real_adopt(*args, **kwargs)

    monkeypatch.setattr(issuing, "adopt", settled_as_it_is_taken_over)

    # when it is handed out
    hal_here = await _issue(gql, world, HAL)

    # then it is valid with its completion date, and stays the request's
    assert _shown(hal_here) == {
        "code": hal["code"],
        "status": "VALID",
        "awardedOn": "2026-10-01",
        "recognition": {"id": request_id, "name": hal["recognition"]["name"]},
    }


async def test_a_provisional_certificate_of_another_scheduled_ceremony_stays_its_own_and_says_whose(
    gql: GraphQLClient, http: httpx.AsyncClient, world: CertificatesWorld, settings: Settings
) -> None:
    # given Hal's provisional certificate issued for a winter ceremony on 5 November over the same cohorts
    winter = await _another_ceremony(world, "Winter ceremony", datetime(2026, 11, 5, 18, 0, tzinfo=UTC))
    winter_id = to_base64("Ceremony", winter.id)
    hal = await _issue(gql, world, HAL, through=winter_id)

    # when the autumn ceremony hands it out, alone and in a combined file
    hal_here = await _issue(gql, world, HAL)
    _, text = await _pdf(http, hal_here)
    job = await until_finished(key_of((await request_file(gql, world, [HAL]))["job"]["id"]))
    [page] = [
        page.extract_text() for page in pypdf.PdfReader(file_path(settings.resolved_files_dir, job)).pages
    ]

    # then it is the winter ceremony's, printing its day, and the autumn ceremony's page says so
    expected = {
        "code": hal["code"],
        "status": "PROVISIONAL",
        "awardedOn": "2026-11-05",
        "recognition": {"id": winter_id, "name": "Winter ceremony"},
    }
    assert _shown(hal_here) == expected
    assert await _candidate(gql, world, world.recognition_id, HAL) == expected
    assert ("20 October 2026" in text, "5 November 2026" in text) == (False, True)
    assert ("20 October 2026" in page, "5 November 2026" in page) == (False, True)
    assert (await Certificate.get(code=hal["code"])).recognition_id == winter.id
