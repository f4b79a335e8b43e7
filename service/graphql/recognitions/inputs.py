from __future__ import annotations

import datetime
from enum import Enum

import strawberry
from strawberry import relay

from service.graphql.cohorts.inputs import DateRangeInput
from service.graphql.core.node import key_of
from service.graphql.recognitions.types import CeremonyFormat, RecognitionKind, RecognitionStatus


@strawberry.enum(description="Dashboard order; every order ends with the id so pages never overlap.")
class RecognitionOrder(Enum):
    CREATED_AT_DESC = "CREATED_AT_DESC"
    CREATED_AT_ASC = "CREATED_AT_ASC"
    NAME_ASC = "NAME_ASC"
    NAME_DESC = "NAME_DESC"


@strawberry.input
class RecognitionFilter:
    kind: RecognitionKind | None = None  # type: ignore[valid-type]
    statuses: list[RecognitionStatus] | None = strawberry.field(  # type: ignore[valid-type]
        default=None,
        description="Only recognitions in these statuses; left out or null: every status; an empty "
        "list: none.",
    )
    search: str | None = strawberry.field(default=None, description="Part of the name, any case.")
    ceremony_date_from: datetime.date | None = strawberry.field(
        default=None, description="Ceremonies on or after this day (the day in the ceremony's own time zone)."
    )
    ceremony_date_to: datetime.date | None = strawberry.field(
        default=None,
        description="Ceremonies on or before this day (the day in the ceremony's own time zone).",
    )


@strawberry.input(description="Step 1 of the ceremony wizard, saved as a draft.")
class CeremonyCreateInput:
    date_range: DateRangeInput = strawberry.field(description="Covers the end dates of the cohorts wanted.")
    cohort_ids: list[relay.GlobalID] = strawberry.field(description="At least one, each ending in the range.")
    name: str | None = strawberry.field(default=None, description="Defaults to one made from the range.")


@strawberry.input(description="Step 1 of the certificate-request wizard, saved as a draft.")
class CertificateRequestCreateInput(CeremonyCreateInput):
    pass


@strawberry.input(description="A wall-clock date and time in an IANA time zone.")
class CeremonyStartInput:
    date_time: datetime.datetime = strawberry.field(
        description="Local wall-clock date and time in `timeZone`, without offset, e.g. 2026-12-20T18:30:00. "
        "A value with an offset or Z (such as JavaScript's toISOString()) is refused with "
        "LOCAL_TIME_EXPECTED, never converted or reinterpreted."
    )
    time_zone: str = strawberry.field(description="IANA name, e.g. America/Chicago.")


@strawberry.input
class MailingContactInput:
    name: str | None = None
    email: str | None = None
    phone: str | None = None


@strawberry.input
class PostalAddressInput:
    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = strawberry.field(default=None, description="ISO 3166-1 alpha-2 code, e.g. US.")


@strawberry.input(
    description="Fields left out stay as they are; null clears a field. Objects are replaced whole."
)
class CeremonyUpdateInput:
    id: relay.GlobalID
    name: str | None = strawberry.UNSET
    date_range: DateRangeInput | None = strawberry.UNSET
    cohort_ids: list[relay.GlobalID] | None = strawberry.UNSET
    start: CeremonyStartInput | None = strawberry.UNSET
    format: CeremonyFormat | None = strawberry.UNSET  # type: ignore[valid-type]
    representative_requested: bool | None = strawberry.field(
        default=strawberry.UNSET,
        description="Whether an ACUE representative should attend; false until asked for (null is false).",
    )
    meeting_url: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="An online ceremony's meeting link, an https URL with a host (no user name or "
        "password, a port from 1 to 65535 if any); it goes into the calendar invitation.",
    )
    mailing_contact: MailingContactInput | None = strawberry.UNSET
    postal_address: PostalAddressInput | None = strawberry.UNSET


@strawberry.input
class CeremonySubmitInput:
    id: relay.GlobalID
    override_minimum_notice: bool = strawberry.field(
        default=False,
        description="Staff only: schedule sooner than 14 days ahead (urgent requests), never in the past.",
    )
    override_reason: str | None = strawberry.field(default=None, description="Required with the override.")


@strawberry.input(description="Fields left out stay as they are.")
class CertificateRequestUpdateInput:
    id: relay.GlobalID
    name: str | None = strawberry.UNSET
    date_range: DateRangeInput | None = strawberry.UNSET
    cohort_ids: list[relay.GlobalID] | None = strawberry.UNSET


@strawberry.input
class CeremonyMarkPinsMailedInput:
    id: relay.GlobalID


@strawberry.input(
    description="Call a scheduled ceremony off: the partner until its pins are mailed, staff always."
)
class CeremonyCancelInput:
    id: relay.GlobalID
    reason: str | None = strawberry.field(default=None, description="Optional, up to 500 characters; mailed.")


@strawberry.input
class CertificateRequestFinalizeInput:
    id: relay.GlobalID


@strawberry.input(description="Drafts only, of either kind.")
class RecognitionDeleteInput:
    id: relay.GlobalID


def recognition_key(recognition_id: relay.GlobalID) -> int:
    """The database key of a ceremony's or a certificate request's id; -1 (matching nothing) otherwise."""
    return key_of(recognition_id, "Ceremony", "CertificateRequest")
