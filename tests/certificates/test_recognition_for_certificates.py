"""The certificates step's recognition as a caller read it already (``loaded``) is still held to the
actor's scope: another partner's, or a deleted one, is NOT_FOUND as a missing one."""

from __future__ import annotations

import pytest
from starlette.applications import Starlette

from service.certificates.candidates import recognition_for_certificates
from service.errors import ErrorCode, NotFound, Problem
from service.recognitions.models import Recognition
from service.users.actor import Actor
from service.users.models import User
from tests.support.certificates_world import CertificatesWorld, make_certificates_world
from tests.support.clock import MovableClock


def _actor(user: User) -> Actor:
    return Actor(user_id=user.id, role=user.role, partner_id=user.partner_id)


@pytest.fixture
async def world(app: Starlette) -> CertificatesWorld:  # app: the database is open
    return await make_certificates_world()


async def test_another_partners_loaded_recognition_is_not_found(
    world: CertificatesWorld, clock: MovableClock
) -> None:
    # given: the recognition as read for its own partner
    loaded = await Recognition.get(id=world.recognition.id)

    # when / then
    with pytest.raises(NotFound) as refused:
        await recognition_for_certificates(
            actor=_actor(world.other_admin), recognition_id=loaded.id, now=clock.now(), loaded=loaded
        )
    assert refused.value.problems == [
        Problem(ErrorCode.NOT_FOUND, "Recognition not found.", ("recognitionId",))
    ]


async def test_a_deleted_loaded_recognition_is_not_found(
    world: CertificatesWorld, clock: MovableClock
) -> None:
    # given
    loaded = await Recognition.get(id=world.recognition.id)
    loaded.deleted_at = clock.now()

    # when / then
    with pytest.raises(NotFound):
        await recognition_for_certificates(
            actor=_actor(world.admin), recognition_id=loaded.id, now=clock.now(), loaded=loaded
        )


@pytest.mark.parametrize("who", ["admin", "staff"])
async def test_a_loaded_recognition_the_actor_may_see_is_used_as_it_is(
    world: CertificatesWorld, clock: MovableClock, who: str
) -> None:
    # given
    loaded = await Recognition.get(id=world.recognition.id)

    # when
    found = await recognition_for_certificates(
        actor=_actor(getattr(world, who)), recognition_id=loaded.id, now=clock.now(), loaded=loaded
    )

    # then
    assert found is loaded
