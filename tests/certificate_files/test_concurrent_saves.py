"""The embedded mode (SQLite, the in-process worker) takes saves while a combined file builds:
draft edits and deletes, other file requests and single issues all succeed, none "database is
locked"."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from strawberry.relay import to_base64

from service.certificate_files.models import CertificateFileJob, FileJobStatus
from service.enrollments.models import CourseTaker, Enrollment
from service.settings import Settings
from tests.support.certificate_files import until_finished
from tests.support.certificates_world import CertificatesWorld, make_certificates_world
from tests.support.graphql_client import GraphQLClient, token_for

pytestmark = pytest.mark.jobs


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Per-user file limits out of the way: this test is about the database taking every save."""
    return settings.model_copy(update={"file_jobs_per_user": 1000, "file_requests_per_minute": 1000})


PEOPLE = 150
CREATE = """mutation($input: CertificateRequestCreateInput!) {
  certificateRequestCreate(input: $input) { certificateRequest { id } errors { code message } } }"""
UPDATE = """mutation($input: CertificateRequestUpdateInput!) {
  certificateRequestUpdate(input: $input) { certificateRequest { id } errors { code message } } }"""
DELETE = """mutation($input: RecognitionDeleteInput!) {
  recognitionDelete(input: $input) { deletedId errors { code message } } }"""
REQUEST = """mutation($input: CertificateFileRequestInput!) {
  certificateFileRequest(input: $input) { job { id } errors { code message } } }"""
ISSUE = """mutation($input: CertificateIssueInput!) {
  certificateIssue(input: $input) { certificate { id } errors { code message } } }"""


async def _many_completers(world: CertificatesWorld) -> list[int]:
    await CourseTaker.bulk_create(
        [
            CourseTaker(partner_id=world.partner.id, name=f"Yan {n:04d}", email=f"yan{n}@example.org")
            for n in range(PEOPLE)
        ]
    )
    ids = dict(await CourseTaker.filter(name__startswith="Yan ").values_list("id", "name"))
    await Enrollment.bulk_create(
        [
            Enrollment(
                course_taker_id=taker_id,
                cohort_id=world.online_cohort.id,
                modules_required=25,
                modules_completed=25,
                percent_complete=Decimal(100),
                completed_at=datetime(2026, 8, 20, tzinfo=UTC),
                certified=True,
                certificate_type_id=world.online.certificate_type_id,
            )
            for taker_id in sorted(ids)
        ]
    )
    return [
        e.id
        for e in await Enrollment.filter(course_taker__name__startswith="Yan ").order_by("course_taker__name")
    ]


class Saves:
    def __init__(self, gql: GraphQLClient, world: CertificatesWorld) -> None:
        self.gql, self.world, self.token = gql, world, token_for(world.admin)
        self.failures: list[Any] = []
        self.done = 0

    async def _call(self, query: str, field: str, input: dict[str, Any]) -> dict[str, Any] | None:
        body = await self.gql.post(query, {"input": input}, token=self.token)
        result = (body.get("data") or {}).get(field)
        if "errors" in body or result is None or result["errors"]:
            self.failures.append(body)
            return None
        self.done += 1
        payload: dict[str, Any] = result
        return payload

    async def draft_edited_and_deleted(self, number: int) -> None:
        step1 = {
            "dateRange": {"start": "2026-06-01", "end": "2026-09-30"},
            "cohortIds": [to_base64("Cohort", self.world.open_cohort.id)],
        }
        created = await self._call(CREATE, "certificateRequestCreate", {**step1, "name": f"Draft {number}"})
        if created is None:
            return
        draft_id = created["certificateRequest"]["id"]
        await self._call(
            UPDATE, "certificateRequestUpdate", {"id": draft_id, "name": f"Draft {number}, edited"}
        )
        await self._call(DELETE, "recognitionDelete", {"id": draft_id})

    async def file_requested(self, enrollment_ids: list[int]) -> None:
        await self._call(
            REQUEST,
            "certificateFileRequest",
            {
                "recognitionId": self.world.recognition_id,
                "enrollmentIds": [to_base64("Enrollment", key) for key in enrollment_ids],
            },
        )

    async def issued(self, enrollment_id: int) -> None:
        await self._call(
            ISSUE,
            "certificateIssue",
            {
                "recognitionId": self.world.recognition_id,
                "enrollmentId": to_base64("Enrollment", enrollment_id),
            },
        )


async def test_saves_while_a_file_builds_never_fail(gql: GraphQLClient) -> None:
    # given files of 150 certificates building in the in-process worker
    world = await make_certificates_world()
    selection = await _many_completers(world)
    saves = Saves(gql, world)

    # when, while one builds, drafts are made, edited and deleted, other files requested and
    # certificates issued, several at a time (a warm worker can make a whole file between two
    # rounds of saves: then the same people in another order make another file, up to 10)
    rounds_while_building = 0
    for attempt in range(10):
        await saves.file_requested(selection[attempt:] + selection[:attempt])
        job = await CertificateFileJob.all().order_by("-id").first()
        assert job is not None
        while (await CertificateFileJob.get(id=job.id)).status in (
            FileJobStatus.QUEUED,
            FileJobStatus.RUNNING,
        ):
            number = rounds_while_building
            await asyncio.gather(
                saves.draft_edited_and_deleted(number),
                saves.draft_edited_and_deleted(number + 1000),
                saves.file_requested(selection[number % 20 : number % 20 + 3]),
                saves.issued(selection[-1 - number % PEOPLE]),
            )
            rounds_while_building += 1

        # then every save succeeded, and the file too
        finished = await until_finished(job.id)
        assert saves.failures == []
        assert finished.status is FileJobStatus.READY
        if rounds_while_building >= 2:
            break
    assert rounds_while_building >= 2, "the saves ran while a file was building"
