"""Prepared reads: the SQL built once per shape gives exactly what Tortoise's own building gives, for
every shape, on SQLite and on PostgreSQL; what cannot be kept safely is built each time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from starlette.applications import Starlette
from tortoise.expressions import RawSQL
from tortoise.models import Model
from tortoise.transactions import in_transaction

from service.cohorts.models import Cohort
from service.partners.models import Partner
from service.prepared import Prepared
from service.recognitions import dashboard
from service.recognitions.dashboard import DashboardFilter
from service.recognitions.models import Recognition, RecognitionCohort, RecognitionKind, StoredStatus
from service.recognitions.rules import Status
from service.users.actor import Actor, scoped
from service.users.models import Role, User
from tests.support.factories import make_admin, make_cohort, make_partner, make_program, make_staff


def _fields(model: Model | None, *related: str) -> dict[str, Any] | None:
    """A model's stored values, its annotations and the related models read with it."""
    if model is None:
        return None
    shown: dict[str, Any] = {name: getattr(model, name) for name in model._meta.db_fields}
    shown.update({name: value for name, value in vars(model).items() if name == dashboard.TOTAL})
    for path in related:
        head, _, rest = path.partition("__")
        shown[head] = _fields(getattr(model, head), *([rest] if rest else []))
    return shown


async def _users(partner_count: int = 2) -> tuple[list[User], User]:
    users = []
    for _ in range(partner_count):
        partner = await make_partner()
        users += [await make_admin(partner), await make_admin(partner)]
    return users, await make_staff()


USERS_BY_ID: Prepared[list[User]] = Prepared(
    lambda partner_id, ids: scoped(User.filter(id__in=ids), partner_id).order_by("id")
)


async def test_a_shape_is_built_once_and_answers_as_tortoise_does(app: Starlette) -> None:
    # given users of two partners
    users, staff = await _users()
    first, second, third, fourth = (user.id for user in users)

    # when one shape is asked with different values
    for partner_id, ids in [
        (users[0].partner_id, [first, third]),
        (users[0].partner_id, [second, fourth]),
        (users[2].partner_id, [fourth, first]),
    ]:
        found = await USERS_BY_ID(partner_id=partner_id, ids=ids)
        expected = await scoped(User.filter(id__in=ids), partner_id).order_by("id")

        # then each answer is Tortoise's, and the partner's scope holds
        assert [_fields(user) for user in found] == [_fields(user) for user in expected]
        assert {user.partner_id for user in found} == {partner_id}
    assert USERS_BY_ID.statements_kept == 1

    # and staff (no partner), a longer list and an empty one are shapes of their own
    assert [user.id for user in await USERS_BY_ID(partner_id=None, ids=[fourth, first, staff.id])] == [
        first,
        fourth,
        staff.id,
    ]
    assert [user.id for user in await USERS_BY_ID(partner_id=None, ids=[second, third, staff.id])] == [
        second,
        third,
        staff.id,
    ]
    assert [user.id for user in await USERS_BY_ID(partner_id=users[0].partner_id, ids=[])] == []
    assert [user.id for user in await USERS_BY_ID(partner_id=users[0].partner_id, ids=[])] == []
    assert USERS_BY_ID.statements_kept == 3


async def test_a_string_tortoise_changes_is_not_kept_and_still_answers_right(app: Starlette) -> None:
    # given users whose names hold LIKE's wildcards
    partner = await make_partner()
    plain = await User.create(
        email="a@example.org", name="Ana Lima", role=Role.PARTNER_ADMIN, partner=partner
    )
    wild = await User.create(
        email="b@example.org", name="100%_sure", role=Role.PARTNER_ADMIN, partner=partner
    )
    by_name_part: Prepared[list[User]] = Prepared(
        lambda text: User.filter(name__icontains=text).order_by("id")
    )
    by_email: Prepared[User | None] = Prepared(lambda email: User.filter(email=email).first())

    # when they are searched for through reads asked twice (the second from the kept statement, if any)
    for _ in range(2):
        assert [user.id for user in await by_name_part(text="%_")] == [wild.id]
        assert [user.id for user in await by_name_part(text="LIMA")] == [plain.id]
        assert [user.id for user in await by_name_part(text="a_l")] == []
        found = await by_email(email="b@example.org")
        assert found is not None and found.id == wild.id
        assert await by_email(email="B@example.org") is None

    # then the wrapped, escaped one is built each time, the plain equality is kept
    assert by_name_part.statements_kept == 0
    assert by_email.statements_kept == 1


async def test_a_value_of_another_kind_is_built_each_time(app: Starlette) -> None:
    users, _ = await _users(partner_count=1)
    made_before: Prepared[list[User]] = Prepared(
        lambda before, partner_id: User.filter(created_at__lt=before, partner_id=partner_id).order_by("id")
    )
    later = datetime.now(UTC) + timedelta(days=1)
    for _ in range(2):
        found = await made_before(before=later, partner_id=users[0].partner_id)
        assert [user.id for user in found] == [users[0].id, users[1].id]
        assert (
            await made_before(before=datetime(2000, 1, 1, tzinfo=UTC), partner_id=users[0].partner_id) == []
        )
    assert made_before.statements_kept == 0


class _RolledBack(Exception):
    pass


async def test_a_kept_statement_runs_in_the_transaction_given(app: Starlette) -> None:
    # given a recognition, and a link to a cohort made inside a transaction that is rolled back
    admin, recognition, cohorts = await _recognition_with_cohorts()
    await dashboard.cohort_ids_by_recognition_ids(ids=[recognition.id])  # the shape is built and kept
    partner = await Partner.get(id=admin.partner_id)
    extra = await make_cohort(await make_program(partner, "Another program"), ends_on=date(2026, 12, 1))
    with pytest.raises(_RolledBack):
        async with in_transaction() as connection:
            await RecognitionCohort.create(recognition=recognition, cohort=extra, using_db=connection)

            # then the read on that connection sees it
            inside = await dashboard.cohort_ids_by_recognition_ids(
                ids=[recognition.id], connection=connection
            )
            assert inside == {recognition.id: sorted([*(cohort.id for cohort in cohorts), extra.id])}
            raise _RolledBack
    assert await dashboard.cohort_ids_by_recognition_ids(ids=[recognition.id]) == {
        recognition.id: sorted(cohort.id for cohort in cohorts)
    }


async def _recognition_with_cohorts() -> tuple[User, Recognition, list[Cohort]]:
    partner = await make_partner()
    admin = await make_admin(partner)
    program = await make_program(partner)
    cohorts = [await make_cohort(program, ends_on=date(2026, 11, day)) for day in (3, 10)]
    recognition = await _recognition(admin, "Autumn")
    for cohort in cohorts:
        await RecognitionCohort.create(recognition=recognition, cohort=cohort)
    return admin, recognition, cohorts


async def _recognition(admin: User, name: str, **fields: Any) -> Recognition:
    now = datetime(2026, 9, 1, tzinfo=UTC) + timedelta(minutes=await Recognition.all().count())
    return await Recognition.create(
        partner_id=admin.partner_id,
        kind=fields.pop("kind", RecognitionKind.CERTIFICATE_REQUEST),
        name=name,
        range_start=date(2026, 10, 1),
        range_end=date(2026, 11, 30),
        created_by=admin,
        created_at=now,
        updated_at=now,
        **fields,
    )


async def test_the_dashboards_reads_answer_as_tortoise_builds_them(app: Starlette) -> None:
    # given two partners' recognitions, one deleted, with cohorts of two programs
    admin, recognition, cohorts = await _recognition_with_cohorts()
    other_admin, other_recognition, other_cohorts = await _recognition_with_cohorts()
    staff = await make_staff()
    later = await _recognition(admin, "Winter", status=StoredStatus.SCHEDULED_PENDING)
    await _recognition(admin, "Deleted", deleted_at=datetime(2026, 9, 5, tzinfo=UTC))
    await RecognitionCohort.create(recognition=later, cohort=cohorts[1])
    partner = Actor(user_id=admin.id, role=admin.role, partner_id=admin.partner_id)
    staff_actor = Actor(user_id=staff.id, role=staff.role, partner_id=None)
    everything = DashboardFilter()
    ids = [recognition.id, later.id, other_recognition.id]

    # when each read is asked three times (built, then kept) as the partner and as staff
    for _ in range(3):
        for actor in (partner, staff_actor):
            page = await dashboard.dashboard_page(
                actor=actor, now=datetime(2026, 9, 20, tzinfo=UTC), filter=everything,
                order_by="CREATED_AT_DESC", first=1, after=None,
            )  # fmt: skip
            expected = (
                await dashboard._visible(actor.seen_partner_id)
                .annotate(**{dashboard.TOTAL: RawSQL("COUNT(*) OVER ()")})
                .order_by("-created_at", "-id")
                .limit(2)
            )
            # then each gives what Tortoise's own building gives
            assert [_fields(row) for row in page.items] == [_fields(row) for row in expected[:1]]
            assert page.total == (2 if actor is partner else 3)
            assert page.has_next is True

            selected = await dashboard.cohorts_selected_by(actor=actor, ids=ids)
            expected_cohorts = (
                await scoped(Cohort.filter(recognitions__recognition_id__in=ids), actor.seen_partner_id)
                .select_related("program__certificate_type")
                .distinct()
            )
            assert {key: _fields(value, "program__certificate_type") for key, value in selected.items()} == {
                cohort.id: _fields(cohort, "program__certificate_type") for cohort in expected_cohorts
            }
            visible_cohorts = cohorts + (other_cohorts if actor is staff_actor else [])
            assert set(selected) == {cohort.id for cohort in visible_cohorts}

        links = await dashboard.cohort_ids_by_recognition_ids(ids=ids)
        assert links == {
            recognition.id: [cohort.id for cohort in cohorts],
            later.id: [cohorts[1].id],
            other_recognition.id: [cohort.id for cohort in other_cohorts],
        }
    assert dashboard._FIRST_PAGE.statements_kept >= 2  # the partner's and staff's first page
    assert dashboard._SELECTED_COHORTS.statements_kept >= 2
    assert dashboard._COHORT_LINKS.statements_kept >= 1
    assert other_admin.partner_id != admin.partner_id


async def test_a_filtered_first_page_answers_as_before(app: Starlette) -> None:
    # given recognitions of each kind and status
    admin = await make_admin(await make_partner())
    ceremony = await _recognition(
        admin, "Spring ceremony", kind=RecognitionKind.CEREMONY, status=StoredStatus.SCHEDULED_PENDING,
        starts_at=datetime(2026, 10, 1, 9, tzinfo=UTC), time_zone="Pacific/Auckland",
    )  # fmt: skip
    request = await _recognition(admin, "Spring request")
    actor = Actor(user_id=admin.id, role=admin.role, partner_id=admin.partner_id)

    async def names(filter: DashboardFilter) -> list[str]:
        page = await dashboard.dashboard_page(
            actor=actor, now=datetime(2026, 9, 20, tzinfo=UTC), filter=filter, order_by="NAME_ASC",
            first=10, after=None,
        )  # fmt: skip
        return [row.name for row in page.items]

    # when filtered each way, twice
    for _ in range(2):
        # then each filter narrows as it says
        assert await names(DashboardFilter(kind=RecognitionKind.CEREMONY)) == [ceremony.name]
        assert await names(DashboardFilter(statuses=[Status.DRAFT])) == [request.name]
        assert await names(DashboardFilter(statuses=[Status.SCHEDULED_PENDING])) == [ceremony.name]
        assert await names(DashboardFilter(statuses=[])) == []
        assert await names(DashboardFilter(search="  REQUEST ")) == [request.name]
        assert await names(DashboardFilter(search="%")) == []
        assert await names(
            DashboardFilter(ceremony_date_from=date(2026, 10, 1), ceremony_date_to=date(2026, 10, 1))
        ) == [ceremony.name]
        assert await names(DashboardFilter()) == [ceremony.name, request.name]
