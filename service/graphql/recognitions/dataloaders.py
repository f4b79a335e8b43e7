from __future__ import annotations

from service.graphql.core.dataloader import ScopedLoader
from service.recognitions.dashboard import (
    cohort_ids_by_recognition_ids,
    events_by_recognition_ids,
    recognitions_by_ids,
)
from service.recognitions.models import Recognition, RecognitionEvent
from service.users.actor import Actor


class RecognitionByIdLoader(ScopedLoader[int, Recognition]):
    async def fetch(self, actor: Actor, ids: list[int]) -> dict[int, Recognition]:
        return await recognitions_by_ids(actor=actor, ids=ids)


class CohortIdsByRecognitionIdLoader(ScopedLoader[int, list[int]]):
    """Keys are ids of recognitions the request has already loaded through the actor's scope."""

    async def fetch(self, actor: Actor, ids: list[int]) -> dict[int, list[int]]:
        return await cohort_ids_by_recognition_ids(ids=ids)


class EventsByRecognitionIdLoader(ScopedLoader[int, list[RecognitionEvent]]):
    """Keys are ids of recognitions the request has already loaded through the actor's scope."""

    async def fetch(self, actor: Actor, ids: list[int]) -> dict[int, list[RecognitionEvent]]:
        return await events_by_recognition_ids(ids=ids)
