"""A field error stays a field error: the rest of the data comes back, over HTTP and WebSocket,
however the failing field's siblings were waiting (shared loaders included)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request

from service.app import create_app
from service.clock import SystemClock
from service.graphql.core.context import Context
from service.graphql.partners.dataloaders import PartnerByIdLoader
from service.mail.compose import MailConfig
from service.recognitions import transitions, wizard
from service.recognitions.commands import CeremonyChanges, CeremonyStart, MailingContact, PostalAddress, Step1
from service.recognitions.models import CeremonyFormat, RecognitionKind
from service.settings import Settings
from service.users.actor import Actor
from service.web.ratelimit import MemoryRateLimiter
from tests.support.clock import MovableClock
from tests.support.graphql_client import token_for
from tests.support.live_server import serving, subscriber
from tests.support.recognition_api import World, make_world

LIST = (
    "{ recognitions(first: 2) { edges { node { partner { slug } certificateCandidates { totalCount } } } } }"
)


async def _scheduled_and_draft(clock: MovableClock) -> World:
    world = await make_world()
    actor = Actor(user_id=world.admin.id, role=world.admin.role, partner_id=world.admin.partner_id)
    cohort = world.spring
    step = Step1(range_start=cohort.ends_on, range_end=cohort.ends_on, cohort_ids=[cohort.id], name="x")
    await wizard.create_recognition(actor=actor, kind=RecognitionKind.CEREMONY, now=clock.now(), step=step)
    clock.move(timedelta(minutes=1))
    scheduled = await wizard.create_recognition(
        actor=actor, kind=RecognitionKind.CEREMONY, now=clock.now(), step=step
    )
    mail_config = MailConfig(sender="r@example.org", public_url="http://portal.test")
    await wizard.update_ceremony(
        actor=actor,
        recognition_id=scheduled.id,
        now=clock.now(),
        mail_config=mail_config,
        changes=CeremonyChanges(
            start=CeremonyStart(local=datetime(2026, 12, 1, 10), time_zone="UTC"),
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
    await transitions.submit_ceremony(
        actor=actor,
        recognition_id=scheduled.id,
        now=clock.now(),
        mail_config=mail_config,
    )
    return world


def _expected(world: World) -> dict[str, Any]:
    row = {"partner": {"slug": world.riverside.slug}}
    return {
        "recognitions": {
            "edges": [
                {"node": {**row, "certificateCandidates": {"totalCount": 0}}},
                {"node": {**row, "certificateCandidates": None}},
            ]
        }
    }


REFUSAL = {
    "message": "Certificates can be generated once the ceremony is scheduled or the request is created.",
    "locations": [{"line": 1, "column": 60}],
    "path": ["recognitions", "edges", 1, "node", "certificateCandidates"],
    "extensions": {"code": "NOT_ALLOWED_IN_STATUS"},
}


async def test_a_field_error_inside_a_list_leaves_the_rest(
    http: httpx.AsyncClient, clock: MovableClock
) -> None:
    # given: a partner admin whose list holds a scheduled ceremony and, after it, a draft
    world = await _scheduled_and_draft(clock)

    # when
    response = await http.post(
        "/graphql", json={"query": LIST}, headers={"Authorization": f"Bearer {token_for(world.admin)}"}
    )

    # then: the draft's refusal in its place, the rest of the data with it
    assert (response.status_code, response.headers["content-type"]) == (200, "application/json")
    assert response.json() == {"data": _expected(world), "errors": [REFUSAL]}


async def test_over_a_websocket_too(settings: Settings, clock: MovableClock) -> None:
    application = create_app(settings, clock=clock)
    async with serving(application) as url:
        world = await _scheduled_and_draft(clock)
        async with subscriber(url, token_for(world.admin)) as client:
            await client.subscribe("1", LIST)
            messages = await client.until_complete("1", seconds=20)

    assert messages == [
        {"id": "1", "type": "next", "payload": {"data": _expected(world), "errors": [REFUSAL]}},
        {"id": "1", "type": "complete"},
    ]


async def test_a_waiter_cancelled_leaves_the_others_their_value(app: Starlette, settings: Settings) -> None:
    # given: two fields of one request waiting on the same partner through the request's loader
    world = await make_world()
    context = Context(
        request=Request({"type": "http", "headers": [], "client": ("127.0.0.1", 1)}),
        settings=settings,
        authorization=f"Bearer {token_for(world.admin)}",
        request_id="r",
        clock=SystemClock(),
        verify_limiter=MemoryRateLimiter(limit=1),
    )
    loader = PartnerByIdLoader.for_context(context)
    cancelled = asyncio.ensure_future(loader.load(world.riverside.id))
    waiting = asyncio.ensure_future(loader.load(world.riverside.id))

    # when graphql-core cancels the first (its sibling failed)
    await asyncio.sleep(0)
    cancelled.cancel()

    # then the second still gets the partner
    assert (await waiting).id == world.riverside.id  # type: ignore[union-attr]
    assert cancelled.cancelled()
