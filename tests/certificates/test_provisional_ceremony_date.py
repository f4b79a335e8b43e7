"""A provisional certificate prints the day of its ceremony: when the ceremony moves, so does the
date it prints (its own file and any combined file made after), and the requester is told that
copies printed before show the old day. A valid certificate keeps its completion date. A cancelled
ceremony's provisional certificates stay provisional, dated as they were, and the mail says so;
handed out again through the ceremony that replaces it, they belong to that one and print its day."""

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
from service.mail.models import OutboxMessage
from service.recognitions.models import CeremonyFormat, Recognition, RecognitionCohort
from service.settings import Settings
from tests.support.certificate_files import key_of, request_file, until_finished
from tests.support.certificates_world import CertificatesWorld, make_certificates_world
from tests.support.graphql_client import GraphQLClient

ISSUE = """mutation($input: CertificateIssueInput!) {
  certificateIssue(input: $input) {
    certificate { id code status awardedOn downloadUrl } errors { code } } }"""
UPDATE = """mutation($input: CeremonyUpdateInput!) {
  ceremonyUpdate(input: $input) { ceremony { id } errors { field code message } } }"""
CANCEL = """mutation($input: CeremonyCancelInput!) {
  ceremonyCancel(input: $input) { ceremony { id status } errors { field code message } } }"""
CERTIFICATE = """query($id: ID!) { node(id: $id) { ... on Certificate { status awardedOn } } }"""
HAL, ANA = "Hal Online-Approaching", "Ana Completer"
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


async def _issue(gql: GraphQLClient, world: CertificatesWorld, name: str) -> dict[str, Any]:
    data = await gql.data(
        ISSUE,
        {
            "input": {
                "recognitionId": world.recognition_id,
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
