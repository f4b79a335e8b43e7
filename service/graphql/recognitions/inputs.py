from __future__ import annotations

import datetime
from enum import Enum

import strawberry
from strawberry import relay

from service.graphql.cohorts.inputs import DateRangeInput
from service.graphql.core.enums import described_enum
from service.graphql.core.node import key_of
from service.graphql.recognitions.types import CeremonyFormat, RecognitionKind, RecognitionStatus


class RecognitionOrder(Enum):
    CREATED_AT_DESC = "CREATED_AT_DESC"
    CREATED_AT_ASC = "CREATED_AT_ASC"
    NAME_ASC = "NAME_ASC"
    NAME_DESC = "NAME_DESC"


described_enum(
    RecognitionOrder,
    name="RecognitionOrder",
    description="Dashboard order; every order ends with the id so pages never overlap.",
    meanings={
        RecognitionOrder.CREATED_AT_DESC: "Newest first (the default).",
        RecognitionOrder.CREATED_AT_ASC: "Oldest first.",
        RecognitionOrder.NAME_ASC: "By name, A to Z.",
        RecognitionOrder.NAME_DESC: "By name, Z to A.",
    },
)


@strawberry.input(description="Narrows the dashboard; each field left out lets everything through.")
class RecognitionFilter:
    kind: RecognitionKind | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Only ceremonies, or only certificate requests."
    )
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


# Step 1's fields, the same on create and update of either kind.
NEW_NAME = "Up to 200 characters; left out or blank: a name made from the range, which follows the range."
NAME = (
    "Up to 200 characters; blank is REQUIRED. Left out, the name stays, and a name made from the range "
    "follows the range."
)
DATE_RANGE = (
    "Covers the end dates of the cohorts wanted: at most 366 days, both ends counted "
    "(DATE_RANGE_TOO_LONG), its start not after its end (INVALID_DATE_RANGE)."
)
COHORT_IDS = (
    "At least one (NO_COHORTS_SELECTED), each a cohort ending in the range (COHORT_OUTSIDE_RANGE), all of "
    "one partner; at most 1,000 entries, repeats counted (SELECTION_TOO_LARGE), repeats dropped."
)


@strawberry.input(description="Step 1 of the ceremony wizard, saved as a draft.")
class CeremonyCreateInput:
    date_range: DateRangeInput = strawberry.field(description=DATE_RANGE)
    cohort_ids: list[relay.GlobalID] = strawberry.field(description=COHORT_IDS)
    name: str | None = strawberry.field(default=None, description=NEW_NAME)


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


@strawberry.input(
    description="Who receives the pins. All three are needed to submit; text is trimmed, and blank is null."
)
class MailingContactInput:
    name: str | None = strawberry.field(default=None, description="Up to 200 characters.")
    email: str | None = strawberry.field(
        default=None, description="An email address, up to 254 characters; INVALID_EMAIL otherwise."
    )
    phone: str | None = strawberry.field(
        default=None,
        description="7 to 15 digits; spaces, dashes, dots, brackets and a leading + are allowed "
        "(INVALID_PHONE otherwise). Up to 40 characters.",
    )


@strawberry.input(
    description="Where the pins are mailed. `line1`, `city`, `postalCode` and `country` are needed to "
    "submit; text is trimmed, and blank is null."
)
class PostalAddressInput:
    line1: str | None = strawberry.field(default=None, description="Street and number, or a box; up to 200.")
    line2: str | None = strawberry.field(default=None, description="Optional; up to 200 characters.")
    city: str | None = strawberry.field(default=None, description="Up to 100 characters.")
    region: str | None = strawberry.field(
        default=None, description="State, province or region; optional, up to 100 characters."
    )
    postal_code: str | None = strawberry.field(default=None, description="Up to 20 characters.")
    country: str | None = strawberry.field(
        default=None,
        description="ISO 3166-1 alpha-2 code, e.g. US, in any case (stored in capitals); INVALID_COUNTRY "
        "otherwise.",
    )


@strawberry.input(
    description="Fields left out stay as they are; null clears a field. Objects are replaced whole."
)
class CeremonyUpdateInput:
    id: relay.GlobalID = strawberry.field(description="The ceremony's id.")
    name: str | None = strawberry.field(default=strawberry.UNSET, description=NAME)
    date_range: DateRangeInput | None = strawberry.field(default=strawberry.UNSET, description=DATE_RANGE)
    cohort_ids: list[relay.GlobalID] | None = strawberry.field(
        default=strawberry.UNSET, description=COHORT_IDS
    )
    start: CeremonyStartInput | None = strawberry.field(
        default=strawberry.UNSET, description="Step 2: when it starts, in its own time zone."
    )
    format: CeremonyFormat | None = strawberry.field(  # type: ignore[valid-type]
        default=strawberry.UNSET, description="Step 2: ONLINE or IN_PERSON."
    )
    representative_requested: bool | None = strawberry.field(
        default=strawberry.UNSET,
        description="Whether an ACUE representative should attend; false until asked for (null is false).",
    )
    meeting_url: str | None = strawberry.field(
        default=strawberry.UNSET,
        description="An online ceremony's meeting link, an https URL with a host (no user name or "
        "password, a port from 1 to 65535 if any); it goes into the calendar invitation.",
    )
    mailing_contact: MailingContactInput | None = strawberry.field(
        default=strawberry.UNSET, description="Step 2: who receives the pins, replaced whole."
    )
    postal_address: PostalAddressInput | None = strawberry.field(
        default=strawberry.UNSET, description="Step 2: where the pins are mailed, replaced whole."
    )


@strawberry.input(
    description="Schedule a draft ceremony: every step-2 field is needed (REQUIRED at each one missing), "
    "and its date must be at least 14 calendar days ahead in its time zone (TOO_SOON)."
)
class CeremonySubmitInput:
    id: relay.GlobalID = strawberry.field(description="The draft ceremony's id.")
    override_minimum_notice: bool = strawberry.field(
        default=False,
        description="Staff only: schedule sooner than 14 days ahead (urgent requests), never in the past.",
    )
    override_reason: str | None = strawberry.field(
        default=None, description="Why, required with the override (REQUIRED otherwise); audited."
    )


@strawberry.input(description="Fields left out stay as they are.")
class CertificateRequestUpdateInput:
    id: relay.GlobalID = strawberry.field(description="The draft certificate request's id.")
    name: str | None = strawberry.field(default=strawberry.UNSET, description=NAME)
    date_range: DateRangeInput | None = strawberry.field(default=strawberry.UNSET, description=DATE_RANGE)
    cohort_ids: list[relay.GlobalID] | None = strawberry.field(
        default=strawberry.UNSET, description=COHORT_IDS
    )


@strawberry.input(description="Staff: the pins of a scheduled ceremony (also a past one) have been mailed.")
class CeremonyMarkPinsMailedInput:
    id: relay.GlobalID = strawberry.field(description="The ceremony's id.")


@strawberry.input(
    description="Call a scheduled ceremony off: the partner until its pins are mailed, staff always."
)
class CeremonyCancelInput:
    id: relay.GlobalID = strawberry.field(description="The ceremony's id.")
    reason: str | None = strawberry.field(default=None, description="Optional, up to 500 characters; mailed.")


@strawberry.input(description="Finalize a draft certificate request: it becomes CREATED.")
class CertificateRequestFinalizeInput:
    id: relay.GlobalID = strawberry.field(description="The draft certificate request's id.")


@strawberry.input(description="Drafts only, of either kind.")
class RecognitionDeleteInput:
    id: relay.GlobalID = strawberry.field(description="A draft ceremony's or certificate request's id.")


def recognition_key(recognition_id: relay.GlobalID) -> int:
    """The database key of a ceremony's or a certificate request's id; -1 (matching nothing) otherwise."""
    return key_of(recognition_id, "Ceremony", "CertificateRequest")
