"""A cohort's LMS course id is unique within its partner (one course of its Canvas is one cohort), not
across partners (each partner has its own Canvas, whose course ids may be another's)."""

from __future__ import annotations

from datetime import date

import pytest
from starlette.applications import Starlette
from tortoise.exceptions import IntegrityError

from service.cohorts.models import Cohort, Program
from service.partners.models import Partner
from tests.support.factories import make_certificate_type, make_partner


async def _cohort(partner: Partner, program: Program, name: str, course_id: str | None) -> Cohort:
    return await Cohort.create(
        partner=partner,
        program=program,
        name=name,
        starts_on=date(2026, 5, 1),
        ends_on=date(2026, 10, 30),
        lms_course_id=course_id,
    )


async def test_a_course_id_is_unique_within_a_partner_only(app: Starlette) -> None:
    # given two partners, each with a program
    certificate_type = await make_certificate_type("Teaching")
    riverside, lakeshore = await make_partner("Riverside"), await make_partner("Lakeshore")
    programs = [
        await Program.create(partner=partner, name="Teaching", certificate_type=certificate_type)
        for partner in (riverside, lakeshore)
    ]

    # when each has a cohort of course 12345, and cohorts without a course
    await _cohort(riverside, programs[0], "Fall", "12345")
    await _cohort(lakeshore, programs[1], "Fall", "12345")
    for name in ("Spring", "Summer"):
        await _cohort(riverside, programs[0], name, None)

    # then a second cohort of course 12345 at Riverside is refused, and nothing else was stored
    with pytest.raises(IntegrityError):
        await _cohort(riverside, programs[0], "Fall again", "12345")
    assert await Cohort.all().order_by("id").values_list("partner_id", "name", "lms_course_id") == [
        (riverside.id, "Fall", "12345"),
        (lakeshore.id, "Fall", "12345"),
        (riverside.id, "Spring", None),
        (riverside.id, "Summer", None),
    ]
