"""A combined file of everyone a filter matches but some (the portal's "select all", then a few
unticked): the exceptions travel with the filter, are checked, and count toward the file's limit."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from strawberry.relay import to_base64

from service.certificate_files.models import CertificateFileJob
from service.cohorts.models import Cohort, Program
from service.partners.models import Partner
from tests.support.certificate_files import enrollment_ids, revoked_certificate
from tests.support.certificates_world import CertificatesWorld, enroll
from tests.support.graphql_client import GraphQLClient

REQUEST = """
mutation Request($input: CertificateFileRequestInput!) {
  certificateFileRequest(input: $input) { job { total enrollmentIds } errors { field code message } }
}
"""
REQUEST_LEAVING_OUT = """
mutation Request($input: CertificateFileRequestInput!) {
  certificateFileRequest(input: $input) {
    job { id leftOut { name } } leftOut { name } errors { field code message }
  }
}
"""
ZOES = [f"Zoe {number:02d}" for number in range(30)]


def _online_completers(world: CertificatesWorld) -> dict[str, str]:
    """The filter of the online cohort's completers: Gus and the thirty Zoes."""
    return {"kind": "COMPLETER", "cohortId": to_base64("Cohort", world.online_cohort.id)}


async def _request(gql: GraphQLClient, world: CertificatesWorld, **input: Any) -> dict[str, Any]:
    data = await gql.data(
        REQUEST, {"input": {"recognitionId": world.recognition_id, **input}}, as_user=world.admin
    )
    result: dict[str, Any] = data["certificateFileRequest"]
    return result


async def test_a_filter_with_exceptions_is_everyone_it_matches_but_them(
    gql: GraphQLClient, world: CertificatesWorld
) -> None:
    # when the online completers are asked for but Zoe 03 and Zoe 07 (and Hal, whom the filter does
    # not match: it changes nothing), Zoe 03 named twice
    left_out = enrollment_ids(world, ["Zoe 07", "Zoe 03", "Hal Online-Approaching", "Zoe 03"])
    result = await _request(gql, world, filter=_online_completers(world), exceptEnrollmentIds=left_out)

    # then the file is of the others, in the page's order
    kept = ["Gus Online-Completer", *[name for name in ZOES if name not in ("Zoe 03", "Zoe 07")]]
    assert result == {"job": {"total": 29, "enrollmentIds": enrollment_ids(world, kept)}, "errors": []}


async def test_the_file_limit_counts_those_left_after_the_exceptions(
    gql: GraphQLClient, world: CertificatesWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a file holds 30 at most, and the filter matches 31
    monkeypatch.setattr("service.certificates.candidates.MAX_SELECTION", 30)
    online = _online_completers(world)

    # when all 31 are asked for, all but Zoe 05, and all but Hal (whom it does not match)
    everyone = await _request(gql, world, filter=online)
    all_but_one = await _request(
        gql, world, filter=online, exceptEnrollmentIds=enrollment_ids(world, ["Zoe 05"])
    )
    all_but_no_one = await _request(
        gql, world, filter=online, exceptEnrollmentIds=enrollment_ids(world, ["Hal Online-Approaching"])
    )

    # then 31 are refused, saying so plainly at `filter`; 30 fit
    assert everyone == {
        "job": None,
        "errors": [
            {
                "field": ["filter"],
                "code": "SELECTION_TOO_LARGE",
                "message": "More than 30 course-takers match this filter; at most 30 fit in one file. Narrow "
                "it (e.g. by cohort).",
            }
        ],
    }
    assert (all_but_one["errors"], all_but_one["job"]["total"]) == ([], 30)
    assert all_but_no_one == {
        "job": None,
        "errors": [
            {
                "field": ["filter"],
                "code": "SELECTION_TOO_LARGE",
                "message": "More than 30 of the course-takers this filter matches are left after its "
                "exceptions; at most 30 fit in one file. Narrow it (e.g. by cohort), or leave out more.",
            }
        ],
    }
    assert await CertificateFileJob.all().count() == 1


async def test_exceptions_are_checked_and_a_refusal_queues_nothing(
    gql: GraphQLClient, world: CertificatesWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a completer of another partner's
    lakeshore = await Partner.get(id=world.other_admin.partner_id)
    program = await Program.create(partner=lakeshore, name="Lakeshore teaching", certificate_type=world.micro)
    cohort = await Cohort.create(
        partner=lakeshore, program=program, name="Lake", starts_on=date(2026, 5, 1), ends_on=date(2026, 9, 1)
    )
    theirs = await enroll(lakeshore, cohort, "Lake Person", completed=True, certified=True)
    online = _online_completers(world)

    # when exceptions name someone not listed (Bea did not earn certification) and another partner's,
    # come with a selection, are too many, or leave no one
    unknown = await _request(
        gql,
        world,
        filter=online,
        exceptEnrollmentIds=[
            *enrollment_ids(world, ["Zoe 01", "Bea Uncertified"]),
            to_base64("Enrollment", theirs.id),
        ],
    )
    with_selection = await _request(
        gql,
        world,
        enrollmentIds=enrollment_ids(world, ["Zoe 01"]),
        exceptEnrollmentIds=enrollment_ids(world, ["Zoe 02"]),
    )
    everyone_left_out = await _request(
        gql,
        world,
        filter={"search": "Gus Online"},
        exceptEnrollmentIds=enrollment_ids(world, ["Gus Online-Completer"]),
    )
    monkeypatch.setattr("service.certificates.select_all.MAX_EXCEPTIONS", 2)
    too_many = await _request(
        gql, world, filter=online, exceptEnrollmentIds=enrollment_ids(world, ["Zoe 01", "Zoe 02", "Zoe 01"])
    )

    # then each is refused at the field, by position where it is one entry, and nothing is queued
    not_listed = "Not a course-taker of this recognition's certificates step."
    assert unknown == {
        "job": None,
        "errors": [
            {"field": ["exceptEnrollmentIds", "1"], "code": "NOT_A_CANDIDATE", "message": not_listed},
            {"field": ["exceptEnrollmentIds", "2"], "code": "NOT_A_CANDIDATE", "message": not_listed},
        ],
    }
    assert with_selection == {
        "job": None,
        "errors": [
            {
                "field": ["exceptEnrollmentIds"],
                "code": "INVALID_VALUE",
                "message": "exceptEnrollmentIds leaves course-takers out of those a filter matches; with "
                "enrollmentIds, leave them out of that list instead.",
            }
        ],
    }
    assert everyone_left_out == {
        "job": None,
        "errors": [
            {
                "field": ["exceptEnrollmentIds"],
                "code": "EMPTY_SELECTION",
                "message": "Everyone this filter matches (1) is among exceptEnrollmentIds: no "
                "course-taker is left.",
            }
        ],
    }
    assert too_many == {
        "job": None,
        "errors": [
            {
                "field": ["exceptEnrollmentIds"],
                "code": "SELECTION_TOO_LARGE",
                "message": "3 exceptions to the filter are given; at most 2 can be. Narrow the filter "
                "instead (e.g. by cohort).",
            }
        ],
    }
    assert await CertificateFileJob.all().count() == 0


async def test_a_filter_whose_every_match_was_revoked_names_the_first_few_and_counts_the_rest(
    gql: GraphQLClient, world: CertificatesWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given staff revoked the certificates of Zoe 01 and Zoe 02, and a refusal names one person at most
    first = await revoked_certificate(gql, world, "Zoe 01")
    await revoked_certificate(gql, world, "Zoe 02")
    monkeypatch.setattr("service.certificate_files.requests.NAMED_AT_MOST", 1)

    # when a file is asked of the online completers but everyone else
    others = ["Gus Online-Completer", *[name for name in ZOES if name not in ("Zoe 01", "Zoe 02")]]
    result = await _request(
        gql, world, filter=_online_completers(world), exceptEnrollmentIds=enrollment_ids(world, others)
    )

    # then it is refused, naming the first and counting the other
    assert result == {
        "job": None,
        "errors": [
            {
                "field": ["filter"],
                "code": "FORBIDDEN",
                "message": f"Zoe 01's certificate {first['code']} was revoked by staff (Issued in error); "
                "only staff can issue another.",
            },
            {
                "field": ["filter"],
                "code": "FORBIDDEN",
                "message": "And 1 more whose certificates staff revoked; only staff can issue them another.",
            },
        ],
    }
    assert await CertificateFileJob.all().count() == 0


async def test_the_same_selection_asked_again_by_filter_keeps_whom_the_filter_left_out(
    gql: GraphQLClient, world: CertificatesWorld
) -> None:
    # given staff revoked Zoe 05's certificate, and a file of the other online completers, by their ids,
    # is queued
    await revoked_certificate(gql, world, "Zoe 05")
    kept = ["Gus Online-Completer", *[name for name in ZOES if name != "Zoe 05"]]
    by_ids = await gql.data(
        REQUEST_LEAVING_OUT,
        {"input": {"recognitionId": world.recognition_id, "enrollmentIds": enrollment_ids(world, kept)}},
        as_user=world.admin,
    )

    # when the same people are asked for by the filter, which leaves Zoe 05 out
    by_filter = await gql.data(
        REQUEST_LEAVING_OUT,
        {"input": {"recognitionId": world.recognition_id, "filter": _online_completers(world)}},
        as_user=world.admin,
    )

    # then it is the same job, which now keeps whom the filter left out, for its "file ready" mail
    first, again = by_ids["certificateFileRequest"], by_filter["certificateFileRequest"]
    assert (first["errors"], first["job"]["leftOut"]) == ([], [])
    assert again == {
        "job": {"id": first["job"]["id"], "leftOut": [{"name": "Zoe 05"}]},
        "leftOut": [{"name": "Zoe 05"}],
        "errors": [],
    }
