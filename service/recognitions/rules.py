"""The guide's rules for recognitions, as pure functions: no database, no clock of their own."""

from __future__ import annotations

import contextlib
import importlib.resources
import re
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import cache
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import pycountry

from service.dates import written_day, written_moment, written_range, written_wall_time
from service.errors import DomainError, ErrorCode, Problem
from service.recognitions.commands import UNCHANGED, CeremonyChanges, MailingContact, PostalAddress
from service.recognitions.models import CeremonyFormat, RecognitionKind, StoredStatus, day_over_at
from service.text import clean_text
from service.users.actor import Actor
from service.users.models import Role

MINIMUM_NOTICE = timedelta(days=14)
NAME_MAX_LENGTH = 200
# The most cohorts one recognition may select. A partner's cohorts ending within one date range
# (at most a year) are tens, a few hundred at the largest; the cap keeps a refusal (one error per
# entry) and each statement's bind parameters (asyncpg's limit is 32,767) small.
MAX_COHORTS = 1000
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE_CHARACTERS = re.compile(r"^\+?[0-9 ()./-]+$")


class Status(StrEnum):
    """What the dashboard shows."""

    DRAFT = "DRAFT"
    SCHEDULED_PENDING = "SCHEDULED_PENDING"
    SCHEDULED_PINS_MAILED = "SCHEDULED_PINS_MAILED"
    PAST = "PAST"
    CREATED = "CREATED"
    CANCELLED = "CANCELLED"


# The guide's words for each status, as the dashboard shows them.
STATUS_LABELS = {
    Status.DRAFT: "Draft",
    Status.SCHEDULED_PENDING: "Scheduled / Pending",
    Status.SCHEDULED_PINS_MAILED: "Scheduled / Pins mailed",
    Status.PAST: "Past",
    Status.CREATED: "Created",
    Status.CANCELLED: "Cancelled",
}
# What each status means, in the guide's words where it has them.
STATUS_MEANINGS = {
    Status.DRAFT: "Draft: not finalized ceremony or certificate request.",
    Status.SCHEDULED_PENDING: "Scheduled / Pending: ceremony has been scheduled, pins have not been mailed "
    "yet.",
    Status.SCHEDULED_PINS_MAILED: "Scheduled / Pins mailed: pins for the ceremony have been mailed.",
    Status.PAST: "Past: ceremony date is in the past, from the midnight that ends its day in its own time "
    "zone, not from its start (derived from the date, never stored).",
    Status.CREATED: "Created: a finalized certificate request; it never expires.",
    Status.CANCELLED: "Cancelled: the ceremony was called off; its history stays.",
}


def described(kind: RecognitionKind, status: Status) -> str:
    """A recognition in words by its status as the guide labels it, for messages: ceremony with
    status "Scheduled / Pins mailed" (in curly quotes); the enum's words read badly in a sentence."""
    noun = "ceremony" if kind is RecognitionKind.CEREMONY else "certificate request"
    return f"{noun} with status \u201c{STATUS_LABELS[status]}\u201d"


class Action(StrEnum):
    """What a dashboard row's menu may offer."""

    VIEW = "VIEW"
    EDIT = "EDIT"
    SUBMIT = "SUBMIT"
    FINALIZE = "FINALIZE"
    CERTIFICATES = "CERTIFICATES"
    MARK_PINS_MAILED = "MARK_PINS_MAILED"
    CANCEL = "CANCEL"
    DELETE = "DELETE"


SCHEDULED = (StoredStatus.SCHEDULED_PENDING, StoredStatus.SCHEDULED_PINS_MAILED)
# Stands for "whoever is staff" when asking what only staff may do.
ANY_STAFF = Actor(user_id=0, role=Role.STAFF, partner_id=None)


def status_of(stored: StoredStatus, past_from: datetime | None, now: datetime) -> Status:
    """A scheduled ceremony is PAST once its date is in the past on its own calendar, from
    ``past_from`` (the midnight that ends its day in its time zone, ``models.day_over_at``): until
    then, also after its start that day, it stays scheduled with its actions. Everything else shows
    as stored."""
    if stored in SCHEDULED and past_from is not None and past_from <= now:
        return Status.PAST
    return Status(stored.value)


def available_actions(
    kind: RecognitionKind, status: Status, actor: Actor, *, pins_pending: bool = False
) -> list[Action]:
    """The menu of one dashboard row for this actor, in display order.

    ``pins_pending``: the pins of a scheduled ceremony are not mailed yet (also once it is past).
    """
    if kind is RecognitionKind.CERTIFICATE_REQUEST:
        if status is Status.DRAFT:
            return [Action.VIEW, Action.EDIT, Action.FINALIZE, Action.DELETE]
        return [Action.VIEW, Action.CERTIFICATES]
    staff_only: list[Action]
    match status:
        case Status.DRAFT:
            return [Action.VIEW, Action.EDIT, Action.SUBMIT, Action.DELETE]
        case Status.SCHEDULED_PENDING:
            # The partner may call it off until the pins are mailed; staff always.
            staff_only = [Action.MARK_PINS_MAILED] if actor.is_staff else []
            return [Action.VIEW, Action.EDIT, Action.CERTIFICATES, *staff_only, Action.CANCEL]
        case Status.SCHEDULED_PINS_MAILED:
            # After the pins are mailed only staff may change or cancel the ceremony.
            staff_only = [Action.EDIT] if actor.is_staff else []
            cancel = [Action.CANCEL] if actor.is_staff else []
            return [Action.VIEW, *staff_only, Action.CERTIFICATES, *cancel]
        case Status.PAST:
            # Pins still pending after the day are recorded by staff when they go out.
            staff_only = [Action.MARK_PINS_MAILED] if actor.is_staff and pins_pending else []
            cancel = [Action.CANCEL] if actor.is_staff else []
            return [Action.VIEW, Action.CERTIFICATES, *staff_only, *cancel]
        case _:
            return [Action.VIEW]


def check_cohort_count(cohort_ids: Sequence[int], *, field: tuple[str, ...] = ("cohortIds",)) -> None:
    """Refuse a selection of more than ``MAX_COHORTS`` entries (repeats counted), before any query."""
    if len(cohort_ids) > MAX_COHORTS:
        raise DomainError.of(
            ErrorCode.SELECTION_TOO_LARGE,
            f"{len(cohort_ids):,} cohorts are selected; a recognition may select at most {MAX_COHORTS:,}.",
            field=field,
        )


def default_name(kind: RecognitionKind, start: date, end: date) -> str:
    """The name of a recognition saved without one: what it is and its step-1 range, the cohorts'
    end dates it covers (as the guide describes step 1), its days written as every mail that
    carries the name writes dates: "Pinning ceremony: cohorts ending 1 May 2026 to 31 August 2026";
    a range of one day names it once: "Certificate request: cohorts ending 14 January 2027"."""
    return f"{_what(kind)}: cohorts ending {written_range(start, end)}"


def is_default_name(name: str, kind: RecognitionKind, start: date, end: date) -> bool:
    """Whether ``name`` is the one ``default_name`` gives that range, or gave it before (a one-day
    range as "14 January 2027 to 14 January 2027"; days written 2026-05-01): a name nobody chose,
    which follows the range when it changes."""
    what = _what(kind)
    return name in (
        default_name(kind, start, end),
        f"{what}: cohorts ending {written_day(start)} to {written_day(end)}",
        f"{what}: cohorts ending {start} to {end}",
    )


def _what(kind: RecognitionKind) -> str:
    return "Pinning ceremony" if kind is RecognitionKind.CEREMONY else "Certificate request"


def zone_named(name: str, *, field: tuple[str, ...]) -> tuple[ZoneInfo | None, list[Problem]]:
    """The IANA zone of that name, or a problem. An alias the database keeps for an old name
    ("US/Pacific", "Asia/Calcutta") gives the zone under its own name ("America/Los_Angeles"): a
    ceremony stores one name for one zone, whatever was typed."""
    if name in _zone_names():
        try:
            return ZoneInfo(canonical_zone_name(name)), []
        except ZoneInfoNotFoundError:
            pass
    return None, [Problem(ErrorCode.INVALID_TIME_ZONE, f"{name!r} is not an IANA time zone.", field)]


def canonical_zone_name(name: str) -> str:
    """The zone's own name for a link of the time zone database (itself for a zone); UTC's aliases
    give "UTC", as people write it, not the database's Etc/UTC."""
    links = _zone_links()
    seen: set[str] = set()
    while name in links and name not in seen:
        seen.add(name)
        name = links[name]
    return "UTC" if name == "Etc/UTC" else name


# In the zone folder but not a place's time: the machine's own zone (a copy, which differs from one
# server to the next) and tzdata's placeholder for "no zone yet".
_NOT_ZONES = frozenset({"localtime", "posixrules", "Factory"})


@cache
def _zone_names() -> set[str]:
    """The zones and links the time zone database names (its tzdata.zi), as ZoneInfo can load them;
    every file of the zone folder when no tzdata.zi is found. Never the machine's own zone."""
    zones, links = _tzdata()
    named = zones | set(links) if zones else set(available_timezones())
    return (named & available_timezones()) - _NOT_ZONES


def _zone_links() -> dict[str, str]:
    return _tzdata()[1]


@cache
def _tzdata() -> tuple[set[str], dict[str, str]]:
    """The zones of the time zone database (`Z America/Los_Angeles …` in its tzdata.zi) and each of
    its links with the name it points to (`L America/Los_Angeles US/Pacific`), from the copy ZoneInfo
    reads zones from: the system's first, then the tzdata package's."""
    for source in _tzdata_sources():
        with contextlib.suppress(OSError):
            lines = [line.split() for line in source.read_text(encoding="utf-8").splitlines()]
            zones = {words[1] for words in lines if len(words) >= 2 and words[0] == "Z"}
            links = {words[2]: words[1] for words in lines if len(words) >= 3 and words[0] == "L"}
            return zones, links
    return set(), {}


def _tzdata_sources() -> list[Traversable]:
    sources: list[Traversable] = [Path(folder) / "tzdata.zi" for folder in zoneinfo.TZPATH]
    with contextlib.suppress(ModuleNotFoundError):
        sources.append(importlib.resources.files("tzdata.zoneinfo") / "tzdata.zi")
    return sources


FIRST_YEAR, LAST_YEAR = 1900, 2100


def local_start(
    wall_time: datetime, zone: ZoneInfo, *, field: tuple[str, ...]
) -> tuple[datetime | None, list[Problem]]:
    """The instant a wall-clock time means in a zone; a time skipped by a clock change is refused.

    An ambiguous time (clocks going back) means its first occurrence. Years outside 1900–2100 are
    refused (a typo, and beyond what time zone rules and date arithmetic can hold). A time with an
    offset or Z is refused rather than guessed at: the zone is given apart, so its offset is known.
    """
    if wall_time.tzinfo is not None:
        return None, [
            Problem(
                ErrorCode.LOCAL_TIME_EXPECTED,
                "Give the local wall-clock time of the ceremony without an offset or Z, e.g. "
                f"{wall_time.replace(tzinfo=None).isoformat(timespec='seconds')}; its time zone goes in "
                "timeZone.",
                field,
            )
        ]
    naive = wall_time
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
                f"{written_wall_time(naive)} does not exist in {zone.key}: "
                "the clocks skip it. Choose another time.",
                field,
            )
        ]
    return aware, []


def earliest_date(now: datetime, zone: ZoneInfo) -> date:
    """The first day a ceremony may be on: today in its own time zone, plus 14 calendar days."""
    return now.astimezone(zone).date() + MINIMUM_NOTICE


def check_notice(
    starts_at: datetime, zone: ZoneInfo, now: datetime, *, field: tuple[str, ...]
) -> list[Problem]:
    """The guide: a ceremony date cannot be earlier than 14 days in the future (a rule about days,
    counted on the ceremony's own calendar: any time on the 14th day from today there is allowed).
    The refusal names today there too: near midnight it is not the reader's own today."""
    earliest = earliest_date(now, zone)
    if starts_at.astimezone(zone).date() >= earliest:
        return []
    today = now.astimezone(zone).date()
    return [
        Problem(
            ErrorCode.TOO_SOON,
            f"The ceremony date must be at least 14 days from today, on or after {written_day(earliest)} "
            f"(today is {written_day(today)} in {zone.key}). For an urgent ceremony, contact Partnership "
            "Portal Support or your Regional Customer Success Director.",
            field,
        )
    ]


def check_not_past(
    starts_at: datetime, zone: ZoneInfo, now: datetime, *, field: tuple[str, ...]
) -> list[Problem]:
    """Staff may waive the 14 days' notice, never the future: a ceremony scheduled for a moment
    already gone would have its mails announce a start that is over (and, on a day already over,
    be PAST at once). A scheduled ceremony is not PAST before its day is over, but none is
    scheduled to have begun already."""
    if starts_at > now:
        return []
    return [
        Problem(
            ErrorCode.TOO_SOON,
            f"The ceremony start, {written_moment(starts_at, zone.key)}, has already passed; it is now "
            f"{written_wall_time(now.astimezone(zone))} there. Overriding the minimum notice allows a "
            "ceremony sooner than 14 days ahead, not in the past: choose a later start.",
            field,
        )
    ]


def earliest_ceremony_date(time_zone: str, now: datetime) -> date:
    """The first day a ceremony in ``time_zone`` may be on, for date pickers; refuses an unknown zone."""
    zone, problems = zone_named(time_zone, field=("timeZone",))
    if zone is None:
        raise DomainError(*problems)
    return earliest_date(now, zone)


def check_meeting_url(value: str, *, field: tuple[str, ...]) -> list[Problem]:
    """An online ceremony's meeting link: an https URL with a host, nothing else. Never a user name
    or password in it (``https://user:pass@host``: it would be mailed to everyone invited, and it
    makes a link that shows one host and opens another, ``https://zoom.us@evil.example``), and a
    port, if any, from 1 to 65535."""
    example = "e.g. https://zoom.us/j/123456789"
    try:
        parts = urlsplit(value)
    except ValueError:  # a bracketed host that is no IPv6 address
        parts = None
    if parts is None or parts.scheme != "https" or not parts.hostname or any(c.isspace() for c in value):
        return [
            Problem(ErrorCode.INVALID_URL, f"Give the meeting link as an https address, {example}.", field)
        ]
    if "@" in parts.netloc:
        return [
            Problem(
                ErrorCode.INVALID_URL,
                "Remove the user name and password (the part before @) from the meeting link: it is mailed "
                f"to everyone invited. Give the address the meeting service shows, {example}.",
                field,
            )
        ]
    try:
        port = parts.port
    except ValueError:
        port = 0
    if port == 0:
        return [
            Problem(
                ErrorCode.INVALID_URL,
                f"The port in the meeting link ({parts.netloc.rpartition(':')[2]}) is not a port: give a "
                "number from 1 to 65535, or none.",
                field,
            )
        ]
    return []


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
    representative_requested: bool
    contact_name: str | None
    contact_email: str | None
    contact_phone: str | None
    address_line1: str | None
    address_line2: str | None
    address_city: str | None
    address_region: str | None
    address_postal_code: str | None
    address_country: str | None


# Each column's input path (ceremonyUpdate's): the start and its zone are one input, `start`.
REQUIRED_TO_SUBMIT = {
    "starts_at": ("start",),
    "time_zone": ("start",),
    "format": ("format",),
    "contact_name": ("mailingContact", "name"),
    "contact_email": ("mailingContact", "email"),
    "contact_phone": ("mailingContact", "phone"),
    "address_line1": ("postalAddress", "line1"),
    "address_city": ("postalAddress", "city"),
    "address_postal_code": ("postalAddress", "postalCode"),
    "address_country": ("postalAddress", "country"),
}


def missing_for_submit(details: CeremonyDetails) -> list[Problem]:
    """Every step-2 field a scheduled ceremony needs (region and address line 2 are optional), each
    input once."""
    missing = dict.fromkeys(
        field for name, field in REQUIRED_TO_SUBMIT.items() if getattr(details, name) is None
    )
    return [
        Problem(ErrorCode.REQUIRED, "This field is required to schedule the ceremony.", field)
        for field in missing
    ]


def submit_problems(details: CeremonyDetails, now: datetime, *, with_notice: bool) -> list[Problem]:
    """What stops a ceremony from being scheduled as it stands: the 14-day notice if ``with_notice``,
    else (staff's override) a start that has passed already."""
    problems = missing_for_submit(details)
    if details.starts_at is not None and details.time_zone:
        check = check_notice if with_notice else check_not_past
        problems += check(details.starts_at, ZoneInfo(details.time_zone), now, field=("start", "dateTime"))
    return problems


def edit_problems(details: CeremonyDetails, now: datetime, *, start_moved: bool) -> list[Problem]:
    """What stops a scheduled ceremony from being saved with changes: what a submit needs, and a
    start that moves gives the 14 days' notice. A start left where it is may have begun earlier
    today (the ceremony is scheduled until its day is over: a PAST one cannot be edited); only its
    day must not be over, which a new time zone for the same instant could make it."""
    if start_moved:
        return submit_problems(details, now, with_notice=True)
    problems = missing_for_submit(details)
    if details.starts_at is not None and details.time_zone:
        problems += check_day_not_over(
            details.starts_at, ZoneInfo(details.time_zone), now, field=("start", "timeZone")
        )
    return problems


def check_day_not_over(
    starts_at: datetime, zone: ZoneInfo, now: datetime, *, field: tuple[str, ...]
) -> list[Problem]:
    """A scheduled ceremony is not saved on a date already over in its time zone: it would turn PAST
    as it is saved, and its mails would announce a day gone by."""
    over_at = day_over_at(starts_at, zone.key)
    if over_at is None or now < over_at:
        return []
    return [
        Problem(
            ErrorCode.TOO_SOON,
            f"The ceremony start, {written_moment(starts_at, zone.key)}, is on a day that is already over "
            f"there: it is now {written_wall_time(now.astimezone(zone))} in {zone.key}. Keep its time "
            "zone, or choose a later start.",
            field,
        )
    ]


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
        # Not answered is "no": a representative attends only when asked for.
        values["representative_requested"] = bool(changes.representative_requested)
    if changes.meeting_url is not UNCHANGED:
        url, url_problems = clean_text(
            changes.meeting_url, field=("meetingUrl",), max_length=2000, required=False
        )
        problems += url_problems
        if url is not None:
            problems += check_meeting_url(url, field=("meetingUrl",))
        values["meeting_url"] = url
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
