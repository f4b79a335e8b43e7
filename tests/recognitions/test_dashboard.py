"""The Recognition dashboard: paging, filters, derived PAST, the row menu, tenancy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from service.mail.compose import MailConfig
from service.recognitions import transitions, wizard
from service.recognitions.commands import CeremonyChanges, CeremonyStart, MailingContact, PostalAddress, Step1
from service.recognitions.models import CeremonyFormat, Recognition, RecognitionKind
from service.users.actor import Actor
from service.users.models import User
from tests.support.clock import MovableClock
from tests.support.graphql_client import GraphQLClient, token_for
from tests.support.recognition_api import DASHBOARD, World, make_world

CONFIG = MailConfig(sender="recognition@example.org", public_url="http://portal.test")


def _actor(user: User) -> Actor:
    return Actor(user_id=user.id, role=user.role, partner_id=user.partner_id)


async def _draft(
    world: World,
    clock: MovableClock,
    name: str,
    kind: RecognitionKind = RecognitionKind.CEREMONY,
    user: User | None = None,
) -> Recognition:
    clock.move(timedelta(minutes=1))  # distinct creation times, as in life
    cohort = world.lakeshore_cohort if user is world.other_admin else world.spring
    return await wizard.create_recognition(
        actor=_actor(user or world.admin),
        kind=kind,
        now=clock.now(),
        step=Step1(range_start=cohort.ends_on, range_end=cohort.ends_on, cohort_ids=[cohort.id], name=name),
    )


async def _scheduled(
    world: World, clock: MovableClock, name: str, local_start: datetime, time_zone: str = "UTC"
) -> Recognition:
    draft = await _draft(world, clock, name)
    actor = _actor(world.admin)
    await wizard.update_ceremony(
        actor=actor,
        mail_config=CONFIG,
        recognition_id=draft.id,
        now=clock.now(),
        changes=CeremonyChanges(
            start=CeremonyStart(local=local_start, time_zone=time_zone),
            format=CeremonyFormat.ONLINE,
            representative_requested=False,
            mailing_contact=MailingContact(
                name="Aroha", email="aroha@riverside.example", phone="+64 9 123 4567"
            ),
            postal_address=PostalAddress(
                line1="1 Queen St", city="Auckland", postal_code="1010", country="NZ"
            ),
        ),
    )
    return await transitions.submit_ceremony(
        actor=actor, recognition_id=draft.id, now=clock.now(), mail_config=CONFIG
    )


@pytest.fixture
async def world() -> World:
    return await make_world()


def _names(data: dict[str, Any]) -> list[str]:
    return [edge["node"]["name"] for edge in data["recognitions"]["edges"]]


async def test_pages_are_stable_and_complete(gql: GraphQLClient, world: World, clock: MovableClock) -> None:
    for number in range(7):
        await _draft(world, clock, f"Ceremony {number}")
    seen: list[str] = []
    after = None

    while True:
        data = await gql.data(DASHBOARD, {"first": 3, "after": after}, as_user=world.admin)
        connection = data["recognitions"]
        seen += _names(data)
        assert connection["totalCount"] == (7 if after is None else 8)
        # a recognition created while paging does not shift the pages that follow
        if after is None:
            await _draft(world, clock, "Created while paging")
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]

    assert seen == [f"Ceremony {number}" for number in range(6, -1, -1)]


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("CREATED_AT_ASC", ["beta", "Alpha", "gamma"]),
        ("CREATED_AT_DESC", ["gamma", "Alpha", "beta"]),
        ("NAME_ASC", ["Alpha", "beta", "gamma"]),
        ("NAME_DESC", ["gamma", "beta", "Alpha"]),
    ],
)
async def test_orders_page_the_same_way(
    gql: GraphQLClient, world: World, clock: MovableClock, order: str, expected: list[str]
) -> None:
    for name in ("beta", "Alpha", "gamma"):
        await _draft(world, clock, name)

    first = await gql.data(DASHBOARD, {"first": 2, "orderBy": order}, as_user=world.admin)
    rest = await gql.data(
        DASHBOARD,
        {"first": 2, "orderBy": order, "after": first["recognitions"]["pageInfo"]["endCursor"]},
        as_user=world.admin,
    )

    assert [*_names(first), *_names(rest)] == expected


async def test_filters(gql: GraphQLClient, world: World, clock: MovableClock) -> None:
    await _draft(world, clock, "Spring draft")
    await _draft(world, clock, "Spring certificates", RecognitionKind.CERTIFICATE_REQUEST)
    await _scheduled(world, clock, "October ceremony", datetime(2026, 10, 20, 18, 0))
    await _scheduled(world, clock, "November ceremony", datetime(2026, 11, 5, 18, 0))

    async def names(filter: dict[str, Any]) -> list[str]:
        data = await gql.data(DASHBOARD, {"filter": filter, "orderBy": "NAME_ASC"}, as_user=world.admin)
        return _names(data)

    assert await names({"kind": "CERTIFICATE_REQUEST"}) == ["Spring certificates"]
    assert await names({"statuses": ["DRAFT"]}) == ["Spring certificates", "Spring draft"]
    assert await names({"statuses": ["SCHEDULED_PENDING"]}) == ["November ceremony", "October ceremony"]
    assert await names({"search": "SPRING"}) == ["Spring certificates", "Spring draft"]
    assert await names({"ceremonyDateFrom": "2026-10-20", "ceremonyDateTo": "2026-10-20"}) == [
        "October ceremony"
    ]
    assert await names({"ceremonyDateFrom": "2026-10-21"}) == ["November ceremony"]
    assert await names({"kind": "CEREMONY", "statuses": ["DRAFT", "PAST"]}) == ["Spring draft"]


async def test_a_ceremony_date_is_the_day_on_the_ceremony_s_own_clock(
    gql: GraphQLClient, world: World, clock: MovableClock
) -> None:
    # given 10:00 on 4 November in Auckland (21:00 UTC on the 3rd) and 19:00 on 3 November in
    # Chicago (00:00 UTC on the 4th)
    await _scheduled(world, clock, "Auckland", datetime(2026, 11, 4, 10, 0), "Pacific/Auckland")
    await _scheduled(world, clock, "Chicago", datetime(2026, 11, 3, 19, 0), "America/Chicago")

    async def names(day: str) -> list[str]:
        filter = {"ceremonyDateFrom": day, "ceremonyDateTo": day}
        return _names(
            await gql.data(DASHBOARD, {"filter": filter, "orderBy": "NAME_ASC"}, as_user=world.admin)
        )

    # then
    assert (await names("2026-11-03"), await names("2026-11-04")) == (["Chicago"], ["Auckland"])


async def test_past_appears_exactly_when_the_ceremony_s_day_is_over(
    gql: GraphQLClient, world: World, clock: MovableClock
) -> None:
    ceremony = await _scheduled(world, clock, "October ceremony", datetime(2026, 10, 20, 18, 0))
    assert (ceremony.starts_at, ceremony.past_from) == (
        datetime(2026, 10, 20, 18, 0, tzinfo=UTC),
        datetime(2026, 10, 21, 0, 0, tzinfo=UTC),
    )

    async def statuses(filter: dict[str, Any] | None = None) -> list[tuple[str, str]]:
        data = await gql.data(DASHBOARD, {"filter": filter}, as_user=world.admin)
        return [(edge["node"]["status"], edge["node"]["name"]) for edge in data["recognitions"]["edges"]]

    # begun, its day not over: scheduled
    for now in (datetime(2026, 10, 20, 18, 0), datetime(2026, 10, 20, 23, 59, 59)):
        clock.current = now.replace(tzinfo=UTC)
        assert await statuses() == [("SCHEDULED_PENDING", "October ceremony")]
        assert await statuses({"statuses": ["PAST"]}) == []

    clock.current = datetime(2026, 10, 21, 0, 0, tzinfo=UTC)
    assert await statuses() == [("PAST", "October ceremony")]
    assert await statuses({"statuses": ["PAST"]}) == [("PAST", "October ceremony")]
    assert await statuses({"statuses": ["SCHEDULED_PENDING"]}) == []


async def test_each_ceremony_is_past_from_midnight_in_its_own_zone_on_the_filter_as_in_its_row(
    gql: GraphQLClient, world: World, clock: MovableClock
) -> None:
    # given ceremonies on 20 October in zones far from UTC both ways, and on Havana's day whose
    # midnight the clocks skip (an instant filter and row must agree on, whatever the engine)
    await _scheduled(world, clock, "Auckland", datetime(2026, 10, 20, 0, 30), "Pacific/Auckland")
    await _scheduled(world, clock, "Honolulu", datetime(2026, 10, 20, 18, 0), "Pacific/Honolulu")
    await _scheduled(world, clock, "Kiritimati", datetime(2026, 10, 20, 23, 0), "Pacific/Kiritimati")
    await _scheduled(world, clock, "Havana", datetime(2027, 3, 13, 20, 0), "America/Havana")

    async def by_status() -> dict[str, list[str]]:
        shown: dict[str, list[str]] = {}
        for status in ("SCHEDULED_PENDING", "PAST"):
            data = await gql.data(
                DASHBOARD, {"filter": {"statuses": [status]}, "orderBy": "NAME_ASC"}, as_user=world.admin
            )
            assert {edge["node"]["status"] for edge in data["recognitions"]["edges"]} <= {status}
            shown[status] = _names(data)
        return shown

    # then each turns PAST at the midnight that ends its day there: Kiritimati (UTC+14) at 10:00 UTC on
    # the 20th, Auckland (UTC+13) at 11:00 UTC, Honolulu (UTC-10) at 10:00 UTC on the 21st, Havana at
    # 05:00 UTC on 14 March 2027, when its clocks jump from 00:00 to 01:00
    expected = [
        ((2026, 10, 20, 9, 59, 59), ["Auckland", "Havana", "Honolulu", "Kiritimati"], []),
        ((2026, 10, 20, 10, 0, 0), ["Auckland", "Havana", "Honolulu"], ["Kiritimati"]),
        ((2026, 10, 20, 10, 59, 59), ["Auckland", "Havana", "Honolulu"], ["Kiritimati"]),
        ((2026, 10, 20, 11, 0, 0), ["Havana", "Honolulu"], ["Auckland", "Kiritimati"]),
        ((2026, 10, 21, 9, 59, 59), ["Havana", "Honolulu"], ["Auckland", "Kiritimati"]),
        ((2026, 10, 21, 10, 0, 0), ["Havana"], ["Auckland", "Honolulu", "Kiritimati"]),
        ((2027, 3, 14, 4, 59, 59), ["Havana"], ["Auckland", "Honolulu", "Kiritimati"]),
        ((2027, 3, 14, 5, 0, 0), [], ["Auckland", "Havana", "Honolulu", "Kiritimati"]),
    ]
    for moment, scheduled, past in expected:
        clock.current = datetime(*moment, tzinfo=UTC)
        assert await by_status() == {"SCHEDULED_PENDING": scheduled, "PAST": past}, moment


async def test_the_row_menu_depends_on_who_asks(
    gql: GraphQLClient, world: World, clock: MovableClock
) -> None:
    await _scheduled(world, clock, "October ceremony", datetime(2026, 10, 20, 18, 0))

    admin = await gql.data(DASHBOARD, as_user=world.admin)
    staff = await gql.data(DASHBOARD, as_user=world.staff)

    assert admin["recognitions"]["edges"][0]["node"]["availableActions"] == [
        "VIEW",
        "EDIT",
        "CERTIFICATES",
        "CANCEL",
    ]
    assert staff["recognitions"]["edges"][0]["node"]["availableActions"] == [
        "VIEW",
        "EDIT",
        "CERTIFICATES",
        "MARK_PINS_MAILED",
        "CANCEL",
    ]


async def test_partners_see_their_own_and_staff_see_all(
    gql: GraphQLClient, world: World, clock: MovableClock
) -> None:
    await _draft(world, clock, "Riverside draft")
    await _draft(world, clock, "Lakeshore draft", user=world.other_admin)

    assert _names(await gql.data(DASHBOARD, as_user=world.admin)) == ["Riverside draft"]
    assert _names(await gql.data(DASHBOARD, as_user=world.other_admin)) == ["Lakeshore draft"]
    assert _names(await gql.data(DASHBOARD, as_user=world.staff)) == ["Lakeshore draft", "Riverside draft"]


@pytest.mark.parametrize(
    ("variables", "code", "message"),
    [
        ({"first": 0}, "INVALID_PAGE_SIZE", "`first` must be between 1 and 100."),
        ({"first": 101}, "INVALID_PAGE_SIZE", "`first` must be between 1 and 100."),
        (
            {"after": "not-a-cursor"},
            "INVALID_CURSOR",
            "The cursor is not one this list gave out with this order.",
        ),
    ],
)
async def test_bad_paging_is_refused(
    gql: GraphQLClient, world: World, variables: dict[str, Any], code: str, message: str
) -> None:
    body = await gql.post(DASHBOARD, variables, token=token_for(world.admin))

    assert body["data"] is None
    assert [(error["extensions"]["code"], error["message"]) for error in body["errors"]] == [(code, message)]


async def test_a_cursor_of_another_order_is_refused(
    gql: GraphQLClient, world: World, clock: MovableClock
) -> None:
    for name in ("a", "b"):
        await _draft(world, clock, name)
    first = await gql.data(DASHBOARD, {"first": 1, "orderBy": "NAME_ASC"}, as_user=world.admin)

    body = await gql.post(
        DASHBOARD, {"after": first["recognitions"]["pageInfo"]["endCursor"]}, token=token_for(world.admin)
    )

    assert [error["extensions"]["code"] for error in body["errors"]] == ["INVALID_CURSOR"]


async def test_the_details_popup_reads_one_recognition(
    gql: GraphQLClient, world: World, clock: MovableClock
) -> None:
    from strawberry.relay import to_base64

    draft = await _draft(world, clock, "Popup")
    query = "query($id: ID!) { recognition(id: $id) { name ... on Ceremony { format } } }"

    own = await gql.data(query, {"id": to_base64("Ceremony", draft.id)}, as_user=world.admin)
    foreign = await gql.data(query, {"id": to_base64("Ceremony", draft.id)}, as_user=world.other_admin)
    wrong_type = await gql.data(query, {"id": to_base64("CertificateRequest", draft.id)}, as_user=world.admin)

    assert (own, foreign, wrong_type) == (
        {"recognition": {"name": "Popup", "format": None}},
        {"recognition": None},
        {"recognition": None},
    )
