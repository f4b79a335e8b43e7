"""CSV export of the certificates step: exact rows, safe cells, signed links, streaming."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from strawberry.relay import to_base64

from service.certificates.export import HEADER, export_chunks
from service.certificates.models import CandidateExport
from service.cohorts.models import Cohort, Program
from service.enrollments.models import CourseTaker, Enrollment
from service.partners.models import Partner
from service.recognitions.models import StoredStatus
from tests.support.certificates_world import SYNCED_AT, CertificatesWorld, enroll, make_certificates_world
from tests.support.clock import MovableClock
from tests.support.graphql_client import GraphQLClient, token_for

EXPORT = """
mutation Export($input: CertificateCandidatesExportInput!) {
  certificateCandidatesExport(input: $input) { downloadUrl errors { field code message } }
}
"""


@pytest.fixture
async def world() -> CertificatesWorld:
    return await make_certificates_world()


def _ids(world: CertificatesWorld, *names: str) -> list[str]:
    return [to_base64("Enrollment", world.enrollments[name].id) for name in names]


async def _export(gql: GraphQLClient, world: CertificatesWorld, **input: Any) -> dict[str, Any]:
    body = await gql.post(
        EXPORT, {"input": {"recognitionId": world.recognition_id, **input}}, token=token_for(world.admin)
    )
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["certificateCandidatesExport"]
    return result


async def _download(http: httpx.AsyncClient, url: str) -> httpx.Response:
    return await http.get(url.removeprefix("http://127.0.0.1:8000"))


def _rows(response: httpx.Response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


async def _email(world: CertificatesWorld, name: str) -> str:
    taker = await CourseTaker.get(id=world.enrollments[name].course_taker_id)
    return taker.email


async def test_the_selection_in_its_order(
    gql: GraphQLClient, http: httpx.AsyncClient, world: CertificatesWorld
) -> None:
    result = await _export(gql, world, enrollmentIds=_ids(world, "Jo Micro", "Ana Completer", "Jo Micro"))

    response = await _download(http, result["downloadUrl"])

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith('attachment; filename="course-takers-')
    assert _rows(response) == [
        HEADER,
        [
            "Jo Micro",
            await _email(world, "Jo Micro"),
            "Approaching certification",
            "Effective Online Teaching",
            "Online",
            "Micro-credential in Belonging",
            "",
            "50.00",
            "3",
            "6",
            "2026-09-19T04:00+00:00",
            "",
        ],
        [
            "Ana Completer",
            await _email(world, "Ana Completer"),
            "Completer",
            "Effective Teaching Practices",
            "Open",
            "Certificate in Effective College Instruction",
            "2026-08-19",  # completed at 20 Aug 00:00 UTC: the 19th in Chicago
            "100.00",
            "25",
            "25",
            "2026-09-19T04:00+00:00",
            "",
        ],
    ]


async def test_without_a_selection_the_filter_decides(
    gql: GraphQLClient, http: httpx.AsyncClient, world: CertificatesWorld
) -> None:
    result = await _export(gql, world, filter={"kind": "COMPLETER"})

    rows = _rows(await _download(http, result["downloadUrl"]))

    assert [row[0] for row in rows[1:]] == ["Ana Completer", "Dov Closed-Completer", "Gus Online-Completer"]


async def _other_partners_cohort(world: CertificatesWorld) -> str:
    other = await Partner.get(id=world.other_admin.partner_id)
    program = await Program.create(partner=other, name="Belonging", certificate_type=world.micro)
    cohort = await Cohort.create(
        partner=other, program=program, name="Lakeshore", starts_on=date(2026, 5, 1), ends_on=date(2026, 9, 1)
    )
    return to_base64("Cohort", cohort.id)


@pytest.mark.parametrize("which", ["search", "another partner's cohort", "approaching in a closed cohort"])
async def test_a_filter_that_matches_no_one_is_refused_as_an_empty_selection(
    gql: GraphQLClient, world: CertificatesWorld, which: str
) -> None:
    # given a filter under which the certificates step lists no one
    candidate_filter = {
        "search": {"search": "zzzzqqq"},
        "another partner's cohort": {"cohortId": await _other_partners_cohort(world)},
        "approaching in a closed cohort": {
            "cohortId": to_base64("Cohort", world.closed_cohort.id),
            "kind": "APPROACHING",
        },
    }[which]

    # when it is exported
    result = await _export(gql, world, filter=candidate_filter)

    # then it is refused at the filter, as a combined file of no one is, and no export is recorded
    assert result == {
        "downloadUrl": None,
        "errors": [
            {
                "field": ["filter"],
                "code": "EMPTY_SELECTION",
                "message": "No course-taker matches this filter.",
            }
        ],
    }
    assert await CandidateExport.all().count() == 0


async def test_a_filter_with_exceptions_exports_everyone_it_matches_but_them(
    gql: GraphQLClient, http: httpx.AsyncClient, world: CertificatesWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given rows read two at a time, so the exceptions fall in several chunks, one of them whole
    monkeypatch.setattr("service.certificates.export.CHUNK", 2)
    for name in ("Kit Completer", "Lee Completer", "Max Completer"):
        world.enrollments[name] = await enroll(
            world.partner, world.open_cohort, name, completed=True, certified=True
        )

    # when every completer is exported but Dov, Gus and Kit (and Cai, whom the filter does not match)
    left_out = _ids(world, "Dov Closed-Completer", "Gus Online-Completer", "Kit Completer", "Cai Approaching")
    result = await _export(gql, world, filter={"kind": "COMPLETER"}, exceptEnrollmentIds=left_out)
    rows = _rows(await _download(http, result["downloadUrl"]))

    # then the file has the others, in the list's order
    assert result["errors"] == []
    assert [row[0] for row in rows[1:]] == ["Ana Completer", "Lee Completer", "Max Completer"]


async def test_exceptions_to_an_exported_filter_are_checked(
    gql: GraphQLClient, world: CertificatesWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    # when exceptions name someone not listed, come with a selection, leave no one, or are too many
    not_listed = await _export(
        gql, world, filter={}, exceptEnrollmentIds=_ids(world, "Ana Completer", "Ida Unselected")
    )
    with_selection = await _export(
        gql, world, enrollmentIds=_ids(world, "Ana Completer"), exceptEnrollmentIds=_ids(world, "Jo Micro")
    )
    no_one_left = await _export(
        gql, world, filter={"search": "Jo Micro"}, exceptEnrollmentIds=_ids(world, "Jo Micro")
    )
    monkeypatch.setattr("service.certificates.select_all.MAX_EXCEPTIONS", 1)
    too_many = await _export(
        gql, world, filter={}, exceptEnrollmentIds=_ids(world, "Ana Completer", "Jo Micro")
    )

    # then each is refused at the field, and no export is recorded
    assert [not_listed, with_selection, no_one_left, too_many] == [
        {
            "downloadUrl": None,
            "errors": [
                {
                    "field": ["exceptEnrollmentIds", "1"],
                    "code": "NOT_A_CANDIDATE",
                    "message": "Not a course-taker of this recognition's certificates step.",
                }
            ],
        },
        {
            "downloadUrl": None,
            "errors": [
                {
                    "field": ["exceptEnrollmentIds"],
                    "code": "INVALID_VALUE",
                    "message": "exceptEnrollmentIds leaves course-takers out of those a filter matches; with "
                    "enrollmentIds, leave them out of that list instead.",
                }
            ],
        },
        {
            "downloadUrl": None,
            "errors": [
                {
                    "field": ["exceptEnrollmentIds"],
                    "code": "EMPTY_SELECTION",
                    "message": "Everyone this filter matches (1) is among exceptEnrollmentIds: no "
                    "course-taker is left.",
                }
            ],
        },
        {
            "downloadUrl": None,
            "errors": [
                {
                    "field": ["exceptEnrollmentIds"],
                    "code": "SELECTION_TOO_LARGE",
                    "message": "2 exceptions to the filter are given; at most 1 can be. Narrow the filter "
                    "instead (e.g. by cohort).",
                }
            ],
        },
    ]
    assert await CandidateExport.all().count() == 0


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
async def test_cells_that_would_run_as_formulas_are_neutralised(
    gql: GraphQLClient, http: httpx.AsyncClient, world: CertificatesWorld, start: str
) -> None:
    name = f'{start}HYPERLINK("http://evil.example","click")'
    enrollment = await enroll(world.partner, world.open_cohort, name, completed=True, certified=True)

    result = await _export(gql, world, enrollmentIds=[to_base64("Enrollment", enrollment.id)])
    rows = _rows(await _download(http, result["downloadUrl"]))

    assert rows[1][0] == "'" + name


@pytest.mark.parametrize(
    ("names", "errors"),
    [
        ([], [(["enrollmentIds"], "EMPTY_SELECTION")]),
        (
            ["Ana Completer", "Bea Uncertified", "Ida Unselected", "Fay Closed-Unfinished"],
            [
                (["enrollmentIds", "1"], "NOT_A_CANDIDATE"),
                (["enrollmentIds", "2"], "NOT_A_CANDIDATE"),
                (["enrollmentIds", "3"], "NOT_A_CANDIDATE"),
            ],
        ),
    ],
)
async def test_a_bad_selection_is_refused(
    gql: GraphQLClient, world: CertificatesWorld, names: list[str], errors: list[tuple[list[str], str]]
) -> None:
    result = await _export(gql, world, enrollmentIds=_ids(world, *names))

    assert result["downloadUrl"] is None
    assert [(error["field"], error["code"]) for error in result["errors"]] == errors


TOO_LARGE = (
    "{} course-takers are selected; an export of selected course-takers takes at most 5,000. To export "
    "everyone the list shows, export by its filter instead: an export by filter has no limit."
)


async def test_a_selection_over_5000_is_refused(gql: GraphQLClient, world: CertificatesWorld) -> None:
    result = await _export(
        gql, world, enrollmentIds=[to_base64("Enrollment", number) for number in range(1, 5002)]
    )

    assert result == {
        "downloadUrl": None,
        "errors": [
            {"field": ["enrollmentIds"], "code": "SELECTION_TOO_LARGE", "message": TOO_LARGE.format("5,001")}
        ],
    }
    assert await CandidateExport.all().count() == 0


async def test_one_id_repeated_past_5000_times_is_one_refusal_not_one_per_entry(
    gql: GraphQLClient, world: CertificatesWorld
) -> None:
    # when someone not listed is selected 40,000 times
    result = await _export(gql, world, enrollmentIds=_ids(world, "Bea Uncertified") * 40_000)

    # then one refusal, not 40,000
    assert [(e["field"], e["code"], e["message"]) for e in result["errors"]] == [
        (["enrollmentIds"], "SELECTION_TOO_LARGE", TOO_LARGE.format("40,000"))
    ]


async def test_another_partners_recognition_is_not_found(
    gql: GraphQLClient, world: CertificatesWorld
) -> None:
    body = await gql.post(
        EXPORT, {"input": {"recognitionId": world.recognition_id}}, token=token_for(world.other_admin)
    )

    assert body["data"]["certificateCandidatesExport"]["errors"] == [
        {"field": ["recognitionId"], "code": "NOT_FOUND", "message": "Recognition not found."}
    ]


async def test_a_draft_cannot_be_exported(gql: GraphQLClient) -> None:
    draft = await make_certificates_world(status=StoredStatus.DRAFT)

    result = await _export(gql, draft)

    assert [error["code"] for error in result["errors"]] == ["NOT_ALLOWED_IN_STATUS"]


async def test_links_expire_and_cannot_be_bent(
    gql: GraphQLClient, http: httpx.AsyncClient, world: CertificatesWorld, clock: MovableClock
) -> None:
    first = (await _export(gql, world))["downloadUrl"]
    second = (await _export(gql, world, filter={"kind": "APPROACHING"}))["downloadUrl"]
    path, query = first.removeprefix("http://127.0.0.1:8000").split("?")
    other_path = second.removeprefix("http://127.0.0.1:8000").split("?")[0]

    tampered = await http.get(f"{path}?{query[:-1]}{'0' if query[-1] != '0' else '1'}")
    bent = await http.get(f"{other_path}?{query}")
    unsigned = await http.get(path)
    clock.move(timedelta(minutes=15))
    expired = await _download(http, first)

    assert [(r.status_code, r.text) for r in (tampered, bent, unsigned)] == [
        (403, "This link is not valid.")
    ] * 3
    assert (expired.status_code, expired.text) == (
        403,
        "This link has expired. Ask for a new one in the portal.",
    )


def _kilobytes(field: str) -> int:
    status = Path("/proc/self/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith(field + ":")))


async def _memory_growth_of_streaming(export_id: int) -> tuple[int, int]:
    """Bytes streamed, and how far the process's peak resident memory rose above where it stood
    (each chunk is dropped once counted, as the server drops it once sent)."""
    # Reset the peak (VmHWM) to the current size; /proc answers at once, so no thread is needed.
    Path("/proc/self/clear_refs").write_text("5")  # noqa: ASYNC240
    before = _kilobytes("VmRSS")
    size = 0
    async for chunk in export_chunks(export_id=export_id, now=datetime(2026, 9, 19, tzinfo=UTC)):
        size += len(chunk.encode("utf-8"))
    return size, (_kilobytes("VmHWM") - before) * 1024


async def _export_id(gql: GraphQLClient, world: CertificatesWorld) -> int:
    url = (await _export(gql, world))["downloadUrl"]
    return int(url.split("/files/exports/")[1].split(".csv")[0])


async def _add_completers(world: CertificatesWorld, count: int, start: int) -> None:
    """``count`` course-takers "Learner 00000" onwards, each a completer of the open cohort."""
    takers = [
        CourseTaker(
            partner=world.partner, name=f"Learner {start + n:05d}", email=f"bulk{start + n}@example.org"
        )
        for n in range(count)
    ]
    await CourseTaker.bulk_create(takers, batch_size=1000)
    created = await CourseTaker.filter(email__in=[t.email for t in takers])
    await Enrollment.bulk_create(
        [
            Enrollment(
                course_taker=taker,
                cohort=world.open_cohort,
                modules_required=25,
                modules_completed=25,
                percent_complete=Decimal(100),
                completed_at=datetime(2026, 8, 20, tzinfo=UTC),
                certified=True,
                certificate_type_id=world.teaching.certificate_type_id,
                progress_synced_at=SYNCED_AT,
            )
            for taker in created
        ],
        batch_size=1000,
    )


async def test_an_export_by_filter_has_no_limit(
    gql: GraphQLClient, http: httpx.AsyncClient, world: CertificatesWorld
) -> None:
    # given more completers than a combined file or a selection may hold
    await _add_completers(world, 5_001, 0)

    # when every completer is exported by filter, as "select all" does
    result = await _export(gql, world, filter={"kind": "COMPLETER"})
    rows = _rows(await _download(http, result["downloadUrl"]))

    # then the file has every one of them, the world's three and the 5,001 learners, by name
    assert result["errors"] == []
    learners = [f"Learner {n:05d}" for n in range(5_001)]
    assert [row[0] for row in rows[1:]] == [
        "Ana Completer",
        "Dov Closed-Completer",
        "Gus Online-Completer",
        *learners,
    ]


async def test_a_20000_row_export_streams_with_flat_memory(
    gql: GraphQLClient, world: CertificatesWorld
) -> None:
    await _add_completers(world, 2_000, 0)
    small_size, small_growth = await _memory_growth_of_streaming(await _export_id(gql, world))
    await _add_completers(world, 18_000, 2_000)
    large_size, large_growth = await _memory_growth_of_streaming(await _export_id(gql, world))

    assert large_size > 9 * small_size > 2_000_000
    # Ten times the rows, and memory rises no more than a chunk's worth: the file is never held
    # whole (holding 20,000 rows with their records would take tens of megabytes).
    assert large_growth < small_growth + 4_000_000, (small_growth, large_growth)
