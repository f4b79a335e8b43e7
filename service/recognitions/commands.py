"""What callers ask of recognitions: the wizards' steps and changes, and the dashboard's filter."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from service.recognitions.models import CeremonyFormat, RecognitionKind

if TYPE_CHECKING:  # rules reads these commands; a runtime import would go round in a circle
    from service.recognitions.rules import Status


class Unchanged:
    """Marks an update field the caller did not give (``None`` means "clear it")."""

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Any = Unchanged()


@dataclass(frozen=True, slots=True)
class Step1:
    """Step 1 of both wizards: a date range over cohort end dates and the cohorts chosen in it."""

    range_start: date
    range_end: date
    cohort_ids: Sequence[int]
    name: str | None = None


@dataclass(frozen=True, slots=True)
class CeremonyStart:
    """A wall-clock time and the IANA zone it is in."""

    local: datetime
    time_zone: str


@dataclass(frozen=True, slots=True)
class MailingContact:
    name: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class PostalAddress:
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None


@dataclass(frozen=True, slots=True)
class Step1Changes:
    """Step-1 changes of either wizard; every field left UNCHANGED keeps its value."""

    name: str | None = UNCHANGED
    range_start: date | None = UNCHANGED
    range_end: date | None = UNCHANGED
    cohort_ids: Sequence[int] | None = UNCHANGED


@dataclass(frozen=True, slots=True)
class CeremonyChanges(Step1Changes):
    """Changes to either step of the ceremony wizard; every field left UNCHANGED keeps its value."""

    start: CeremonyStart | None = UNCHANGED
    format: CeremonyFormat | None = UNCHANGED
    representative_requested: bool | None = UNCHANGED
    mailing_contact: MailingContact | None = UNCHANGED
    postal_address: PostalAddress | None = UNCHANGED


@dataclass(frozen=True, slots=True)
class DashboardFilter:
    kind: RecognitionKind | None = None
    statuses: Sequence[Status] = ()
    search: str | None = None
    ceremony_date_from: date | None = None
    ceremony_date_to: date | None = None
