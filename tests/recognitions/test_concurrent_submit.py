"""Two submits of one ceremony at the same moment: one transition, one event, one mail."""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

from service.mail.compose import MailConfig
from service.mail.models import OutboxMessage
from service.recognitions import transitions, wizard
from service.recognitions.commands import CeremonyChanges, CeremonyStart, MailingContact, PostalAddress, Step1
from service.recognitions.models import (
    CeremonyFormat,
    EventKind,
    RecognitionEvent,
    RecognitionKind,
    StoredStatus,
)
from service.users.actor import Actor
from tests.support.graphql_client import GraphQLClient, token_for
from tests.support.recognition_api import CEREMONY_SUBMIT, make_world

NOW = datetime(2026, 9, 19, 22, 0, tzinfo=ZoneInfo("UTC"))
CONFIG = MailConfig(sender="Recognition <recognition@example.org>", public_url="http://portal.test")


async def _complete_draft() -> tuple[Actor, int, object]:
    world = await make_world()
    actor = Actor(user_id=world.admin.id, role=world.admin.role, partner_id=world.riverside.id)
    draft = await wizard.create_recognition(
        actor=actor,
        kind=RecognitionKind.CEREMONY,
        now=NOW,
        step=Step1(
            range_start=world.spring.ends_on, range_end=world.summer.ends_on, cohort_ids=[world.spring.id]
        ),
    )
    await wizard.update_ceremony(
        actor=actor,
        recognition_id=draft.id,
        now=NOW,
        changes=CeremonyChanges(
            start=CeremonyStart(local=datetime(2026, 10, 20, 18, 0), time_zone="Pacific/Auckland"),
            format=None,
            representative_requested=False,
            mailing_contact=MailingContact(
                name="Aroha Ngata", email="aroha@riverside.example", phone="+64 9 123 4567"
            ),
            postal_address=PostalAddress(
                line1="12 Princes Street", city="Auckland", postal_code="1010", country="NZ"
            ),
        ),
    )
    await wizard.update_ceremony(
        actor=actor,
        recognition_id=draft.id,
        now=NOW,
        changes=CeremonyChanges(format=CeremonyFormat.ONLINE),
    )
    return actor, draft.id, world


async def _one_of_everything(recognition_id: int) -> None:
    submitted = await RecognitionEvent.filter(recognition_id=recognition_id, kind=EventKind.SUBMITTED).count()
    assert (submitted, await OutboxMessage.all().count()) == (1, 1)


async def test_two_concurrent_service_calls(app: object) -> None:
    actor, recognition_id, _ = await _complete_draft()

    first, second = await asyncio.gather(
        *(
            transitions.submit_ceremony(
                actor=actor, recognition_id=recognition_id, now=NOW, mail_config=CONFIG
            )
            for _ in range(2)
        )
    )

    assert first.status is second.status is StoredStatus.SCHEDULED_PENDING
    await _one_of_everything(recognition_id)


async def test_two_concurrent_requests_over_http(gql: GraphQLClient) -> None:
    _, recognition_id, world = await _complete_draft()
    from strawberry.relay import to_base64

    variables = {"input": {"id": to_base64("Ceremony", recognition_id)}}
    token = token_for(world.admin)  # type: ignore[attr-defined]

    answers = await asyncio.gather(*(gql.post(CEREMONY_SUBMIT, variables, token=token) for _ in range(2)))

    assert [
        (a["data"]["ceremonySubmit"]["errors"], a["data"]["ceremonySubmit"]["ceremony"]["status"])
        for a in answers
    ] == [([], "SCHEDULED_PENDING")] * 2
    await _one_of_everything(recognition_id)


async def test_submitting_again_later_changes_nothing(app: object) -> None:
    actor, recognition_id, _ = await _complete_draft()
    await transitions.submit_ceremony(actor=actor, recognition_id=recognition_id, now=NOW, mail_config=CONFIG)

    again = await transitions.submit_ceremony(
        actor=actor, recognition_id=recognition_id, now=NOW, mail_config=CONFIG
    )

    assert again.submitted_at == NOW
    await _one_of_everything(recognition_id)
