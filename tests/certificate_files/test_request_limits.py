"""Asking for files at once: one active job per selection, kept by the database however many identical
requests race; and each user's limits on files unfinished at once and new files a minute."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from service.certificate_files.models import CertificateFileJob, FileJobStatus
from service.settings import Settings
from tests.support.app_client import app_client
from tests.support.certificate_files import REQUEST, enrollment_ids, key_of
from tests.support.certificates_world import CertificatesWorld
from tests.support.clock import MovableClock
from tests.support.graphql_client import GraphQLClient, token_for

pytestmark = pytest.mark.jobs

TWENTY_FIVE = [f"Zoe {number:02d}" for number in range(25)]


@pytest.fixture
async def limited(settings: Settings, clock: MovableClock) -> AsyncIterator[GraphQLClient]:
    """The API with no worker (jobs stay QUEUED) and the default limits: 3 unfinished, 10 a minute."""
    async with app_client(settings.model_copy(update={"worker_threads": 0}), clock) as http:
        yield GraphQLClient(http)


async def _request(gql: GraphQLClient, world: CertificatesWorld, names: list[str]) -> dict[str, Any]:
    body = await gql.post(
        REQUEST,
        {"input": {"recognitionId": world.recognition_id, "enrollmentIds": enrollment_ids(world, names)}},
        token=token_for(world.admin),
    )
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["certificateFileRequest"]
    return result


async def test_twenty_identical_requests_at_once_make_one_job(
    limited: GraphQLClient, world: CertificatesWorld
) -> None:
    # when the same selection is requested 20 times at once
    results = await asyncio.gather(*(_request(limited, world, TWENTY_FIVE) for _ in range(20)))

    # then one job is made, and every request is answered with it
    jobs = await CertificateFileJob.all()
    assert len(jobs) == 1
    assert {key_of(result["job"]["id"]) for result in results} == {jobs[0].id}
    assert [result["errors"] for result in results] == [[]] * 20


async def test_a_finished_selection_can_be_requested_again(
    limited: GraphQLClient, world: CertificatesWorld
) -> None:
    # given a job of the selection that is finished
    first = key_of((await _request(limited, world, TWENTY_FIVE))["job"]["id"])
    await CertificateFileJob.filter(id=first).update(status=FileJobStatus.READY, active_selection_key=None)

    # when it is requested again
    second = key_of((await _request(limited, world, TWENTY_FIVE))["job"]["id"])

    # then a fresh job is made
    assert second != first
    assert await CertificateFileJob.filter(status=FileJobStatus.QUEUED).count() == 1


async def test_eight_orderings_at_once_make_three_jobs_and_five_clear_refusals(
    limited: GraphQLClient, world: CertificatesWorld
) -> None:
    # when one user asks for 8 orderings of the same 25 people at once
    orderings = [TWENTY_FIVE[shift:] + TWENTY_FIVE[:shift] for shift in range(8)]
    results = await asyncio.gather(*(_request(limited, world, names) for names in orderings))

    # then 3 jobs are made (the most one user may have unfinished) and 5 are refused, saying why
    made = [result for result in results if result["job"] is not None]
    refused = [result["errors"] for result in results if result["job"] is None]
    assert len(made) == 3
    assert await CertificateFileJob.all().count() == 3
    assert (
        refused
        == [
            [
                {
                    "field": ["enrollmentIds"],
                    "code": "TOO_MANY_ACTIVE_FILES",
                    "message": "You have 3 certificates files being made. Wait for one to be ready, "
                    "then request this one.",
                }
            ]
        ]
        * 5
    )


async def test_more_than_ten_new_files_a_minute_are_refused(
    limited: GraphQLClient, world: CertificatesWorld, clock: MovableClock
) -> None:
    # given 10 files requested (and finished) within a minute
    for shift in range(10):
        result = await _request(limited, world, TWENTY_FIVE[shift:] + TWENTY_FIVE[:shift])
        await CertificateFileJob.filter(id=key_of(result["job"]["id"])).update(
            status=FileJobStatus.READY, active_selection_key=None
        )
        clock.move(timedelta(seconds=5))

    # when an 11th is requested 50 s after the first, and again 61 s after the first
    too_soon = await _request(limited, world, TWENTY_FIVE[10:] + TWENTY_FIVE[:10])
    count_then = await CertificateFileJob.all().count()
    clock.move(timedelta(seconds=11))
    later = await _request(limited, world, TWENTY_FIVE[10:] + TWENTY_FIVE[:10])

    # then the first is refused, with nothing made, and the second is made
    assert too_soon == {
        "job": None,
        "errors": [
            {
                "field": ["enrollmentIds"],
                "code": "TOO_MANY_FILE_REQUESTS",
                "message": "You have requested 10 certificates files in the last minute. "
                "Please wait a minute, then request this one.",
            }
        ],
    }
    assert count_then == 10
    assert later["errors"] == []
    assert await CertificateFileJob.all().count() == 11
