"""Subscribers of one job woken by the same change share one read of it; a read begun before a
change is never passed off as showing it; and sharing never shows a job to another partner."""

from __future__ import annotations

import asyncio
import time

import pytest
from starlette.applications import Starlette

from service.certificate_files.models import CertificateFileJob, FileJobStatus
from service.certificate_files.watching import watched_job
from service.errors import NotFound
from service.users.actor import Actor
from tests.support.certificates_world import CertificatesWorld, make_certificates_world
from tests.support.query_counter import counting_queries


@pytest.fixture
async def job(app: Starlette) -> tuple[CertificatesWorld, CertificateFileJob]:
    world = await make_certificates_world()
    job = await CertificateFileJob.create(
        partner_id=world.partner.id,
        recognition_id=world.recognition.id,
        requested_by_id=world.admin.id,
        enrollment_ids=[],
        selection_key="shared",
        status=FileJobStatus.RUNNING,
        total=30,
        created_at=world.recognition.created_at,
    )
    return world, job


def _actor(world: CertificatesWorld, *, other: bool = False) -> Actor:
    user = world.other_admin if other else world.admin
    return Actor(user_id=user.id, role=user.role, partner_id=user.partner_id)


async def test_fifty_subscribers_woken_by_one_change_make_one_read(
    job: tuple[CertificatesWorld, CertificateFileJob],
) -> None:
    world, created = job
    changed_at = time.monotonic()

    with counting_queries() as statements:
        seen = await asyncio.gather(
            *(watched_job(actor=_actor(world), job_id=created.id, changed_at=changed_at) for _ in range(50))
        )

    assert (len(statements), {job.id for job in seen}) == (1, {created.id})


async def test_a_read_begun_before_a_change_is_not_shared_after_it(
    job: tuple[CertificatesWorld, CertificateFileJob],
) -> None:
    # given a read under way, then the job moves on
    world, created = job
    with counting_queries() as statements:
        early = asyncio.ensure_future(watched_job(actor=_actor(world), job_id=created.id, changed_at=0.0))
        await asyncio.sleep(0)  # the early read has begun
        await CertificateFileJob.filter(id=created.id).update(done=25)
        changed_at = time.monotonic()

        # when a subscriber woken by that change reads
        late = await watched_job(actor=_actor(world), job_id=created.id, changed_at=changed_at)
        await early

    # then it read again, and saw the change
    assert (late.done, len([s for s in statements if s.lstrip().upper().startswith("SELECT")])) == (25, 2)


async def test_another_partner_gets_not_found_even_from_a_shared_read(
    job: tuple[CertificatesWorld, CertificateFileJob],
) -> None:
    world, created = job
    changed_at = time.monotonic()

    mine, theirs = await asyncio.gather(
        watched_job(actor=_actor(world), job_id=created.id, changed_at=changed_at),
        watched_job(actor=_actor(world, other=True), job_id=created.id, changed_at=changed_at),
        return_exceptions=True,
    )

    assert isinstance(mine, CertificateFileJob) and isinstance(theirs, NotFound)
