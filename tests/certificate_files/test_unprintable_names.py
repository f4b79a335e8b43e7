"""Combined files and names that cannot be printed: refused when the file is requested, by position,
with the reason; a job that still fails names the person and the reason."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from starlette.applications import Starlette

from service.certificate_files import build, parts
from service.certificate_files.models import CertificateFileChunk, CertificateFileJob, FileJobStatus
from service.certificate_files.requests import request_file as request_file_service
from service.certificates.models import Certificate, CertificateStatus
from service.enrollments.models import CourseTaker
from service.mail.compose import MailConfig
from service.pdf import Branding, CertificateText, render_certificates
from service.settings import Settings
from tests.support.certificate_files import admin_actor, key_of, request_file, until_finished
from tests.support.certificates_world import CertificatesWorld, enroll
from tests.support.clock import MovableClock
from tests.support.graphql_client import GraphQLClient, token_for
from tests.support.tables import row_counts

pytestmark = pytest.mark.jobs

CUNEIFORM = "Ana \U00012000 Silva"
CUNEIFORM_MESSAGE = (
    "“Ana \U00012000 Silva” cannot be printed on a certificate. "
    "No font can print these characters: U+12000 CUNEIFORM SIGN A."
)
BLANK_MESSAGE = (
    "This name cannot be printed on a certificate. The name is blank. Correct it in Canvas: "
    "the next progress sync brings it here."
)
REGENERATE = """
mutation Regenerate($input: CertificateFileRegenerateInput!) {
  certificateFileRegenerate(input: $input) { job { id } errors { field code message } }
}
"""


async def _with_names(world: CertificatesWorld) -> None:
    for name in (CUNEIFORM, "   "):
        world.enrollments[name] = await enroll(
            world.partner, world.open_cohort, name, completed=True, certified=True
        )


async def _rename(world: CertificatesWorld, person: str, name: str) -> None:
    await CourseTaker.filter(id=world.enrollments[person].course_taker_id).update(name=name)


async def _build(job: CertificateFileJob, settings: Settings, clock: MovableClock) -> CertificateFileJob:
    work = build.FileWork(
        files_dir=settings.resolved_files_dir,
        public_url="http://127.0.0.1:8000",
        mail_config=MailConfig(sender="recognition@example.org", public_url="http://127.0.0.1:8000"),
    )
    for chunk in await CertificateFileChunk.filter(job_id=job.id).order_by("position"):
        await build.build_part(chunk_id=chunk.id, clock=clock.now, work=work)
    return await CertificateFileJob.get(id=job.id)


async def test_a_selection_holding_names_that_cannot_be_printed_is_refused_by_position(
    gql: GraphQLClient, world: CertificatesWorld
) -> None:
    # given two selected course-takers whose names cannot be printed
    await _with_names(world)
    before = await row_counts()

    # when the admin asks for their file
    result = await request_file(gql, world, ["Ana Completer", CUNEIFORM, "Gus Online-Completer", "   "])

    # then each is refused at its position, with the reason, and nothing is queued or issued
    assert result == {
        "job": None,
        "errors": [
            {"field": ["enrollmentIds", "1"], "code": "NAME_NOT_PRINTABLE", "message": CUNEIFORM_MESSAGE},
            {"field": ["enrollmentIds", "3"], "code": "NAME_NOT_PRINTABLE", "message": BLANK_MESSAGE},
        ],
    }
    assert await row_counts() == before


async def test_regenerating_after_a_name_became_unprintable_is_refused_naming_the_person(
    gql: GraphQLClient, world: CertificatesWorld
) -> None:
    # given a file of two people; then the second one's certificate revoked and their name changed
    # to one that cannot be printed (a certificate issued already prints the name it was issued with)
    first = await request_file(gql, world, ["Gus Online-Completer", "Cai Approaching"])
    await until_finished(key_of(first["job"]["id"]))
    cai = world.enrollments["Cai Approaching"].id
    await Certificate.filter(enrollment_id=cai).update(
        status=CertificateStatus.REVOKED, valid_enrollment_id=None
    )
    await _rename(world, "Cai Approaching", "Cai \ue000")
    before = await row_counts()

    # when staff regenerate the last file (they keep Cai: for a partner's admin Cai is left out, as
    # only staff may issue another certificate; tests/certificate_files/test_left_out.py)
    body = await gql.post(
        REGENERATE, {"input": {"recognitionId": world.recognition_id}}, token=token_for(world.staff)
    )

    # then the regeneration is refused naming Cai (the input lists no one), and nothing is queued or issued
    assert body["data"]["certificateFileRegenerate"] == {
        "job": None,
        "errors": [
            {
                "field": ["recognitionId"],
                "code": "NAME_NOT_PRINTABLE",
                "message": "“Cai \ue000” cannot be printed on a certificate. "
                "No font can print these characters: U+E000 (private use).",
            }
        ],
    }
    assert await row_counts() == before


async def test_a_job_whose_person_can_no_longer_be_printed_fails_naming_them(
    app: Starlette, world: CertificatesWorld, no_queue: None, clock: MovableClock, settings: Settings
) -> None:
    # given a file requested, then one person's name changed (LMS) before the worker took it
    job = await request_file_service(
        actor=admin_actor(world),
        recognition_id=world.recognition.id,
        enrollment_ids=[world.enrollments[name].id for name in ("Ana Completer", "Gus Online-Completer")],
        now=clock.now(),
    )
    await _rename(world, "Gus Online-Completer", CUNEIFORM)

    # when the worker makes it
    finished = await _build(job, settings, clock)

    # then it fails, naming the person and the reason, and saying what to do
    assert (finished.status, finished.error_message) == (
        FileJobStatus.FAILED,
        f"{CUNEIFORM_MESSAGE} {build.LEAVE_OUT}",
    )


async def test_a_job_that_fails_to_draw_one_person_names_them(
    app: Starlette,
    world: CertificatesWorld,
    no_queue: None,
    clock: MovableClock,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given drawing fails for one person's page (a bug in the drawing)
    def fails_for_gus(texts: Sequence[CertificateText], brandings: Sequence[Branding]) -> bytes:
        if any(text.recipient_name == "Gus Online-Completer" for text in texts):
            raise ValueError("a glyph the shaper did not expect")
        return render_certificates(texts, brandings)

    monkeypatch.setattr(parts, "render_certificates", fails_for_gus)
    job = await request_file_service(
        actor=admin_actor(world),
        recognition_id=world.recognition.id,
        enrollment_ids=[world.enrollments[name].id for name in ("Ana Completer", "Gus Online-Completer")],
        now=clock.now(),
    )

    # when the worker makes it
    finished = await _build(job, settings, clock)

    # then it fails naming that person, never only "something went wrong"
    assert (finished.status, finished.error_message) == (
        FileJobStatus.FAILED,
        f"The certificate of “Gus Online-Completer” could not be drawn (ValueError). {build.LEAVE_OUT}",
    )
