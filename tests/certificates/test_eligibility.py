"""Who the certificates step lists: the pure rule over every combination, and SQL that agrees with it."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from typing import Any

import pytest
from starlette.applications import Starlette

from service.certificates.candidates import SQL_CONDITION, of_kinds
from service.certificates.rules import CandidateKind, eligibility
from service.cohorts.models import Cohort
from service.enrollments.models import Enrollment
from tests.support.certificates_world import enroll
from tests.support.factories import make_partner, make_program

C, A = CandidateKind.COMPLETER, CandidateKind.APPROACHING


@pytest.mark.parametrize(
    ("course_closed", "completed", "certified", "listed_as"),
    [
        (False, True, True, C),  # completed and certified: a completer
        (True, True, True, C),  # also once the course has closed
        (False, True, False, None),  # completed without certification: never listed
        (True, True, False, None),
        (False, False, False, A),  # course open, not completed: approaching certification
        (False, False, True, A),  # (certified before completing cannot happen; still approaching)
        (True, False, False, None),  # did not complete a course that closed: never listed
        (True, False, True, None),
    ],
)
def test_eligibility_table(
    course_closed: bool, completed: bool, certified: bool, listed_as: CandidateKind | None
) -> None:
    assert eligibility(course_closed=course_closed, completed=completed, certified=certified) is listed_as


async def test_the_sql_conditions_list_exactly_whom_the_rule_lists(app: Starlette) -> None:
    # given an enrolment for every combination
    partner = await make_partner()
    program = await make_program(partner)
    cohorts = {
        closed: await Cohort.create(
            partner=partner,
            program=program,
            name=f"closed={closed}",
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 6, 1),
            closed_at=datetime(2026, 6, 15, tzinfo=UTC) if closed else None,
        )
        for closed in (False, True)
    }
    expected: dict[int, CandidateKind | None] = {}
    for closed, completed, certified in itertools.product((False, True), repeat=3):
        enrollment = await enroll(
            partner,
            cohorts[closed],
            f"P {closed} {completed} {certified}",
            completed=completed,
            certified=certified,
        )
        expected[enrollment.id] = eligibility(course_closed=closed, completed=completed, certified=certified)

    # when each kind is asked of the database
    found: dict[CandidateKind, set[Any]] = {
        kind: set(await of_kinds(Enrollment.all(), kind).values_list("id", flat=True))
        for kind in SQL_CONDITION
    }
    either: set[Any] = set(await of_kinds(Enrollment.all(), None).values_list("id", flat=True))

    # then
    assert found == {
        kind: {key for key, value in expected.items() if value is kind} for kind in SQL_CONDITION
    }
    assert either == {key for key, value in expected.items() if value is not None}
