"""The guide's rules for recognitions, as pure functions: no database, no clock of their own."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import pycountry

from service.errors import ErrorCode, Problem
from service.recognitions.commands import UNCHANGED, CeremonyChanges, MailingContact, PostalAddress
from service.recognitions.models import CeremonyFormat, RecognitionKind, StoredStatus
from service.text import clean_text
from service.users.actor import Actor
from service.users.models import Role

MINIMUM_NOTICE = timedelta(days=14)
NAME_MAX_LENGTH = 200
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE_CHARACTERS = re.compile(r"^\+?[0-9 ()./-]+$")


class Status(StrEnum):
    """What the dashboard shows."""

    DRAFT = "DRAFT"
    SCHEDULED_PENDING = "SCHEDULED_PENDING"
    SCHEDULED_PINS_MAILED = "SCHEDULED_PINS_MAILED"
    PAST = "PAST"
    CREATED = "CREATED"


class Action(StrEnum):
    """What a dashboard row's menu may offer."""

    VIEW = "VIEW"
    EDIT = "EDIT"
    SUBMIT = "SUBMIT"
    FINALIZE = "FINALIZE"
    CERTIFICATES = "CERTIFICATES"
    MARK_PINS_MAILED = "MARK_PINS_MAILED"
    DELETE = "DELETE"


SCHEDULED = (StoredStatus.SCHEDULED_PENDING, StoredStatus.SCHEDULED_PINS_MAILED)
# Stands for "whoever is staff" when asking what only staff may do.
ANY_STAFF = Actor(user_id=0, role=Role.STAFF, partner_id=None)


def status_of(stored: StoredStatus, starts_at: datetime | None, now: datetime) -> Status:
    """A scheduled ceremony whose start has passed is PAST; everything else shows as stored."""
    if stored in SCHEDULED and starts_at is not None and starts_at <= now:
        return Status.PAST
    return Status(stored.value)


def available_actions(kind: RecognitionKind, status: Status, actor: Actor) -> list[Action]:
    """The menu of one dashboard row for this actor, in display order."""
    if kind is RecognitionKind.CERTIFICATE_REQUEST:
        if status is Status.DRAFT:
            return [Action.VIEW, Action.EDIT, Action.FINALIZE, Action.DELETE]
        return [Action.VIEW, Action.CERTIFICATES]
    match status:
        case Status.DRAFT:
            return [Action.VIEW, Action.EDIT, Action.SUBMIT, Action.DELETE]
        case Status.SCHEDULED_PENDING:
            staff_only = [Action.MARK_PINS_MAILED] if actor.is_staff else []
            return [Action.VIEW, Action.EDIT, Action.CERTIFICATES, *staff_only]
        case Status.SCHEDULED_PINS_MAILED:
            # After the pins are mailed only staff may change the ceremony.
            return (
                [Action.VIEW, Action.EDIT, Action.CERTIFICATES]
                if actor.is_staff
                else [
                    Action.VIEW,
                    Action.CERTIFICATES,
                ]
            )
        case _:
            return [Action.VIEW, Action.CERTIFICATES]


def default_name(kind: RecognitionKind, start: date, end: date) -> str:
    what = "Pinning ceremony" if kind is RecognitionKind.CEREMONY else "Certificate request"
    return f"{what}: cohorts ending {start.isoformat()} to {end.isoformat()}"


def zone_named(name: str, *, field: tuple[str, ...]) -> tuple[ZoneInfo | None, list[Problem]]:
    """The IANA zone of that name, or a problem."""
    if name in _zone_names():
        try:
            return ZoneInfo(name), []
        except ZoneInfoNotFoundError:
            pass
    return None, [Problem(ErrorCode.INVALID_TIME_ZONE, f"{name!r} is not an IANA time zone.", field)]


@cache
def _zone_names() -> set[str]:
    return available_timezones()


FIRST_YEAR, LAST_YEAR = 1900, 2100


def local_start(
    wall_time: datetime, zone: ZoneInfo, *, field: tuple[str, ...]
) -> tuple[datetime | None, list[Problem]]:
    """The instant a wall-clock time means in a zone; a time skipped by a clock change is refused.

    An ambiguous time (clocks going back) means its first occurrence. Years outside 1900–2100 are
    refused (a typo, and beyond what time zone rules and date arithmetic can hold).
    """
    naive = wall_time.replace(tzinfo=None)
    if not FIRST_YEAR <= naive.year <= LAST_YEAR:
        return None, [
            Problem(
                ErrorCode.DATE_OUT_OF_RANGE, f"Choose a date between {FIRST_YEAR} and {LAST_YEAR}.", field
            )
        ]
    aware = naive.replace(tzinfo=zone, fold=0)
    round_trip = aware.astimezone(ZoneInfo("UTC")).astimezone(zone).replace(tzinfo=None)
    if round_trip != naive:
        return None, [
            Problem(
                ErrorCode.NONEXISTENT_LOCAL_TIME,
                f"{naive.isoformat(timespec='minutes')} does not exist in {zone.key}: "
                "the clocks skip it. Choose another time.",
                field,
            )
        ]
    return aware, []


def earliest_start(now: datetime, zone: ZoneInfo) -> datetime:
    """The earliest wall-clock start allowed: 14 days from now, counted on the ceremony's own clock."""
    return now.astimezone(zone).replace(tzinfo=None) + MINIMUM_NOTICE


def check_notice(
    starts_at: datetime, zone: ZoneInfo, now: datetime, *, field: tuple[str, ...]
) -> list[Problem]:
    """The guide: a ceremony date cannot be earlier than 14 days in the future."""
    earliest = earliest_start(now, zone)
    if starts_at.astimezone(zone).replace(tzinfo=None) >= earliest:
        return []
    return [
        Problem(
            ErrorCode.TOO_SOON,
            f"The ceremony must start at least 14 days from now, on or after "
            f"{earliest.isoformat(timespec='minutes')} ({zone.key}). For an urgent ceremony, "
            "contact Partnership Portal Support or your Regional Customer Success Director.",
            field,
        )
    ]


def check_email(value: str, *, field: tuple[str, ...]) -> list[Problem]:
    if _EMAIL.match(value) and len(value) <= 254:
        return []
    return [Problem(ErrorCode.INVALID_EMAIL, f"{value!r} is not an email address.", field)]


def check_phone(value: str, *, field: tuple[str, ...]) -> list[Problem]:
    digits = sum(character.isdigit() for character in value)
    if _PHONE_CHARACTERS.match(value) and 7 <= digits <= 15:
        return []
    return [
        Problem(
            ErrorCode.INVALID_PHONE,
            "Give a phone number of 7 to 15 digits; spaces, dashes, brackets and a leading + are allowed.",
            field,
        )
    ]


def check_country(value: str, *, field: tuple[str, ...]) -> list[Problem]:
    if len(value) == 2 and pycountry.countries.get(alpha_2=value.upper()) is not None:
        return []
    return [
        Problem(ErrorCode.INVALID_COUNTRY, f"{value!r} is not a two-letter country code (ISO 3166-1).", field)
    ]


@dataclass(frozen=True, slots=True)
class CeremonyDetails:
    """Step 2 as stored: every field may be missing on a draft."""

    starts_at: datetime | None
    time_zone: str | None
    format: CeremonyFormat | None
    representative_requested: bool | None
    contact_name: str | None
    contact_email: str | None
    contact_phone: str | None
    address_line1: str | None
    address_line2: str | None
    address_city: str | None
    address_region: str | None
    address_postal_code: str | None
    address_country: str | None


REQUIRED_TO_SUBMIT = {
    "starts_at": ("startsAt",),
    "time_zone": ("timeZone",),
    "format": ("format",),
    "representative_requested": ("representativeRequested",),
    "contact_name": ("mailingContact", "name"),
    "contact_email": ("mailingContact", "email"),
    "contact_phone": ("mailingContact", "phone"),
    "address_line1": ("postalAddress", "line1"),
    "address_city": ("postalAddress", "city"),
    "address_postal_code": ("postalAddress", "postalCode"),
    "address_country": ("postalAddress", "country"),
}


def missing_for_submit(details: CeremonyDetails) -> list[Problem]:
    """Every step-2 field a scheduled ceremony needs (region and address line 2 are optional)."""
    return [
        Problem(ErrorCode.REQUIRED, "This field is required to schedule the ceremony.", field)
        for name, field in REQUIRED_TO_SUBMIT.items()
        if getattr(details, name) is None
    ]


def submit_problems(details: CeremonyDetails, now: datetime, *, with_notice: bool) -> list[Problem]:
    """What stops a ceremony from being scheduled as it stands; the 14-day notice if ``with_notice``."""
    problems = missing_for_submit(details)
    if with_notice and details.starts_at is not None and details.time_zone:
        problems += check_notice(
            details.starts_at, ZoneInfo(details.time_zone), now, field=("start", "dateTime")
        )
    return problems


# ---------------------------------------------------------------- step 2's form


def step2_values(changes: CeremonyChanges) -> tuple[dict[str, Any], list[Problem]]:
    """Column values for the step-2 fields given, each checked for form (not for presence)."""
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    if changes.start is not UNCHANGED:
        if changes.start is None:
            values.update(starts_at=None, time_zone=None)
        else:
            zone, zone_problems = zone_named(changes.start.time_zone, field=("start", "timeZone"))
            problems += zone_problems
            if zone is not None:
                starts_at, time_problems = local_start(changes.start.local, zone, field=("start", "dateTime"))
                problems += time_problems
                values.update(starts_at=starts_at, time_zone=zone.key)
    if changes.format is not UNCHANGED:
        values["format"] = changes.format
    if changes.representative_requested is not UNCHANGED:
        values["representative_requested"] = changes.representative_requested
    for given, group, fields_of_group in (
        (changes.mailing_contact, "mailingContact", CONTACT_FIELDS),
        (changes.postal_address, "postalAddress", ADDRESS_FIELDS),
    ):
        if given is not UNCHANGED:
            group_values, group_problems = _text_values(given, group, fields_of_group)
            values.update(group_values)
            problems += group_problems
    return values, problems


FormCheck = Callable[..., list[Problem]]
# column, input attribute, longest text, form check, how it is stored
TextField = tuple[str, str, int, FormCheck | None, Callable[[str], str]]
CONTACT_FIELDS: tuple[TextField, ...] = (
    ("contact_name", "name", 200, None, str),
    ("contact_email", "email", 254, check_email, str),
    ("contact_phone", "phone", 40, check_phone, str),
)
ADDRESS_FIELDS: tuple[TextField, ...] = (
    ("address_line1", "line1", 200, None, str),
    ("address_line2", "line2", 200, None, str),
    ("address_city", "city", 100, None, str),
    ("address_region", "region", 100, None, str),
    ("address_postal_code", "postal_code", 20, None, str),
    ("address_country", "country", 64, check_country, str.upper),
)


def _text_values(
    given: MailingContact | PostalAddress | None, group: str, fields_of_group: tuple[TextField, ...]
) -> tuple[dict[str, Any], list[Problem]]:
    """An object of text fields, replaced whole (None clears it): column values and problems of form."""
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for column, attribute, longest, check, stored in fields_of_group:
        field = (group, camel_case(attribute))
        text, text_problems = clean_text(
            getattr(given, attribute, None), field=field, max_length=longest, required=False
        )
        problems += text_problems
        if text is not None and check is not None:
            problems += check(text, field=field)
        values[column] = None if text is None else stored(text)
    return values, problems


def camel_case(name: str) -> str:
    """A column or attribute name as the API spells it: ``postal_code`` -> ``postalCode``."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
