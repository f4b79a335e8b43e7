from __future__ import annotations

from typing import TYPE_CHECKING

from service.graphql.dataloader import ScopedLoader
from service.recognitions.dashboard import (
    cohort_ids_by_recognition_ids,
    events_by_recognition_ids,
    recognitions_by_ids,
)
from service.recognitions.models import Recognition, RecognitionEvent

if TYPE_CHECKING:
    from service.graphql.context import Context


class RecognitionByIdLoader(ScopedLoader[int, Recognition]):
    def __init__(self, context: Context) -> None:
        super().__init__(context, lambda actor, ids: recognitions_by_ids(actor=actor, ids=ids))


class CohortIdsByRecognitionIdLoader(ScopedLoader[int, list[int]]):
    """Keys are ids of recognitions the request has already loaded through the actor's scope."""

    def __init__(self, context: Context) -> None:
        super().__init__(context, lambda _actor, ids: cohort_ids_by_recognition_ids(ids=ids))


class EventsByRecognitionIdLoader(ScopedLoader[int, list[RecognitionEvent]]):
    """Keys are ids of recognitions the request has already loaded through the actor's scope."""

    def __init__(self, context: Context) -> None:
        super().__init__(context, lambda _actor, ids: events_by_recognition_ids(ids=ids))
