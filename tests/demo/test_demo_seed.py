"""`portal seed-demo`: idempotent, realistic, and covering every eligibility case of the guide."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import cast

from starlette.applications import Starlette

from service.cohorts.models import Cohort
from service.demo.seed import seed_demo
from service.enrollments.models import CourseTaker, Enrollment

TODAY = date(2026, 11, 29)


async def test_seeding_twice_gives_the_same_counts(app: Starlette) -> None:
    heard: list[tuple[int, int]] = []
    first = await seed_demo(today=TODAY, progress=lambda *step: heard.append(step))
    second = await seed_demo(today=TODAY)

    assert heard == [(0, 2), (1, 2), (2, 2)]  # partners done, for `portal seed-demo`'s progress bar
    assert (
        asdict(first)
        == asdict(second)
        == {
            "partners": 2,
            "users": 3,
            "programs": 4,
            "cohorts": 12,
            "course_takers": 400,
            "enrollments": 400,
            "recognitions": 8,
        }
    )


async def test_cohorts_end_from_six_months_ago_to_six_months_ahead(app: Starlette) -> None:
    await seed_demo(today=TODAY)

    cohorts = await Cohort.all().order_by("ends_on")

    assert cohorts[0].ends_on == date(2026, 6, 2)
    assert cohorts[-1].ends_on == date(2027, 5, 28)
    assert sum(cohort.closed_at is not None for cohort in cohorts) == 6


async def test_every_eligibility_case_is_present(app: Starlette) -> None:
    await seed_demo(today=TODAY)

    enrollments = await Enrollment.all().prefetch_related("cohort")
    cases = {(e.cohort.closed_at is not None, e.completed_at is not None, e.certified) for e in enrollments}

    assert cases == {
        (True, True, True),  # completer of a closed course
        (True, True, False),  # completed without certification: never listed
        (True, False, False),  # did not complete a closed course: never listed
        (False, True, True),  # completer of an open course
        (False, True, False),  # completed without certification
        (False, False, False),  # approaching certification
    }


async def test_the_roster_has_names_of_every_script(app: Starlette) -> None:
    await seed_demo(today=TODAY)

    names = set(cast(list[str], await CourseTaker.all().values_list("name", flat=True)))

    for expected in (
        "Siobhán Ó Súilleabháin",
        "Nguyễn Thị Minh Khai",
        "Ελένη Οικονόμου",
        "Олена Шевченко",
        "王小明",
        "佐藤 花子",
        "김민준",
        "Aisha D'Angelo",
        "Jiří Wójcik",
    ):
        assert expected in names, expected
    assert any(name.count("-") >= 2 and len(name) > 50 for name in names)


async def test_the_dashboard_has_a_recognition_in_each_status(app: Starlette) -> None:
    from datetime import UTC, datetime

    from service.recognitions.dashboard import shown_status
    from service.recognitions.models import Recognition

    await seed_demo(today=TODAY)
    now = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)

    shown = sorted({(r.kind.value, shown_status(r, now).value) for r in await Recognition.all()})

    assert shown == [
        ("CEREMONY", "DRAFT"),
        ("CEREMONY", "PAST"),
        ("CEREMONY", "SCHEDULED_PENDING"),
        ("CERTIFICATE_REQUEST", "CREATED"),
    ]
