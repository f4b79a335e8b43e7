"""The pure rules: shown status, the row menu, wall-clock starts and the 14-day notice."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from service.errors import ErrorCode
from service.recognitions.models import RecognitionKind, StoredStatus, day_over_at
from service.recognitions.rules import (
    Action,
    Status,
    available_actions,
    check_country,
    check_email,
    check_notice,
    check_phone,
    default_name,
    is_default_name,
    local_start,
    status_of,
    zone_named,
)
from service.text import clean_text
from service.users.actor import Actor
from service.users.models import Role

ADMIN = Actor(user_id=1, role=Role.PARTNER_ADMIN, partner_id=1)
STAFF = Actor(user_id=2, role=Role.STAFF, partner_id=None)
NOW = datetime(2026, 9, 19, 22, 0, tzinfo=UTC)
AUCKLAND = ZoneInfo("Pacific/Auckland")

C, R = RecognitionKind.CEREMONY, RecognitionKind.CERTIFICATE_REQUEST
V, E, S, F, CE, M, D = (
    Action.VIEW,
    Action.EDIT,
    Action.SUBMIT,
    Action.FINALIZE,
    Action.CERTIFICATES,
    Action.MARK_PINS_MAILED,
    Action.DELETE,
)
X = Action.CANCEL


# The end of a ceremony's day in Auckland (NZST, UTC+12): midnight starting 20 September there.
DAY_OVER = datetime(2026, 9, 19, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("stored", "past_from", "now", "shown"),
    [
        (StoredStatus.DRAFT, None, NOW, Status.DRAFT),
        (StoredStatus.DRAFT, datetime(2020, 1, 1, tzinfo=UTC), NOW, Status.DRAFT),
        (
            StoredStatus.SCHEDULED_PENDING,
            DAY_OVER,
            DAY_OVER - timedelta(microseconds=1),
            Status.SCHEDULED_PENDING,
        ),
        (StoredStatus.SCHEDULED_PENDING, DAY_OVER, DAY_OVER, Status.PAST),
        (
            StoredStatus.SCHEDULED_PINS_MAILED,
            DAY_OVER,
            DAY_OVER - timedelta(seconds=1),
            Status.SCHEDULED_PINS_MAILED,
        ),
        (StoredStatus.SCHEDULED_PINS_MAILED, DAY_OVER, DAY_OVER, Status.PAST),
        (StoredStatus.CANCELLED, DAY_OVER, NOW, Status.CANCELLED),
        (StoredStatus.CREATED, None, NOW, Status.CREATED),
    ],
)
def test_shown_status(stored: StoredStatus, past_from: datetime | None, now: datetime, shown: Status) -> None:
    assert status_of(stored, past_from, now) is shown


@pytest.mark.parametrize(
    ("wall_time", "zone", "day_over"),
    [
        # an ordinary day, ahead of UTC and behind it: the midnight after it there
        (datetime(2026, 9, 19, 0, 30), "Pacific/Auckland", datetime(2026, 9, 19, 12, 0, tzinfo=UTC)),
        (datetime(2026, 9, 19, 23, 59), "Pacific/Auckland", datetime(2026, 9, 19, 12, 0, tzinfo=UTC)),
        (datetime(2026, 9, 19, 18, 0), "Pacific/Honolulu", datetime(2026, 9, 20, 10, 0, tzinfo=UTC)),
        (datetime(2026, 9, 19, 0, 30), "Pacific/Kiritimati", datetime(2026, 9, 19, 10, 0, tzinfo=UTC)),
        (datetime(2026, 9, 19, 12, 0), "UTC", datetime(2026, 9, 20, 0, 0, tzinfo=UTC)),
        # Auckland's 23-hour day (02:00 is 03:00) and its 25-hour day (03:00 is 02:00 again)
        (datetime(2026, 9, 27, 10, 0), "Pacific/Auckland", datetime(2026, 9, 27, 11, 0, tzinfo=UTC)),
        (datetime(2026, 4, 5, 10, 0), "Pacific/Auckland", datetime(2026, 4, 5, 12, 0, tzinfo=UTC)),
        # Havana skips its midnight (00:00 is 01:00): the day is over when the clocks jump
        (datetime(2026, 3, 7, 20, 0), "America/Havana", datetime(2026, 3, 8, 5, 0, tzinfo=UTC)),
        # ... and has 00:00 twice (01:00 is 00:00 again): the first ends the day before
        (datetime(2026, 10, 31, 20, 0), "America/Havana", datetime(2026, 11, 1, 4, 0, tzinfo=UTC)),
        (datetime(2026, 11, 1, 20, 0), "America/Havana", datetime(2026, 11, 2, 5, 0, tzinfo=UTC)),
        # Samoa skipped 30 December 2011 whole: the 29th ended when the 31st began
        (datetime(2011, 12, 29, 20, 0), "Pacific/Apia", datetime(2011, 12, 30, 10, 0, tzinfo=UTC)),
    ],
)
def test_a_ceremony_day_is_over_at_the_midnight_that_ends_it_on_its_own_clock(
    wall_time: datetime, zone: str, day_over: datetime
) -> None:
    starts_at = wall_time.replace(tzinfo=ZoneInfo(zone))

    over = day_over_at(starts_at, zone)

    assert over == day_over
    assert over is not None and over.utcoffset() == timedelta(0)
    # the last moment before it is still the ceremony's day there, and it is a later day
    assert (over - timedelta(microseconds=1)).astimezone(ZoneInfo(zone)).date() == wall_time.date()
    assert over.astimezone(ZoneInfo(zone)).date() > wall_time.date()


def test_a_ceremony_without_its_start_or_zone_has_no_day_to_be_over() -> None:
    assert day_over_at(None, "Pacific/Auckland") is None
    assert day_over_at(NOW, None) is None


@pytest.mark.parametrize(
    ("kind", "status", "admin_actions", "staff_actions"),
    [
        (C, Status.DRAFT, [V, E, S, D], [V, E, S, D]),
        (C, Status.SCHEDULED_PENDING, [V, E, CE, X], [V, E, CE, M, X]),
        (C, Status.SCHEDULED_PINS_MAILED, [V, CE], [V, E, CE, X]),
        (C, Status.PAST, [V, CE], [V, CE, X]),
        (C, Status.CANCELLED, [V], [V]),
        (R, Status.DRAFT, [V, E, F, D], [V, E, F, D]),
        (R, Status.CREATED, [V, CE], [V, CE]),
    ],
)
def test_row_menu_per_status_and_role(
    kind: RecognitionKind, status: Status, admin_actions: list[Action], staff_actions: list[Action]
) -> None:
    assert available_actions(kind, status, ADMIN) == admin_actions
    assert available_actions(kind, status, STAFF) == staff_actions


def test_staff_record_pins_mailed_on_a_past_ceremony_only_while_they_are_pending() -> None:
    assert available_actions(C, Status.PAST, STAFF, pins_pending=True) == [V, CE, M, X]
    assert available_actions(C, Status.PAST, ADMIN, pins_pending=True) == [V, CE]


def test_the_notice_is_counted_in_calendar_days_on_the_ceremonys_own_calendar() -> None:
    # 10:00 on 20 September in Auckland (UTC+12): the 14th day from today there is 4 October.
    early_on_the_14th_day, problems = local_start(datetime(2026, 10, 4, 0, 30), AUCKLAND, field=("start",))
    late_on_the_13th_day, _ = local_start(datetime(2026, 10, 3, 23, 59), AUCKLAND, field=("start",))
    assert problems == [] and early_on_the_14th_day is not None and late_on_the_13th_day is not None

    assert check_notice(early_on_the_14th_day, AUCKLAND, NOW, field=("start",)) == []
    [too_soon] = check_notice(late_on_the_13th_day, AUCKLAND, NOW, field=("start",))
    assert too_soon.code is ErrorCode.TOO_SOON
    assert too_soon.message == (
        "The ceremony date must be at least 14 days from today, on or after 4 October 2026 (today is "
        "20 September 2026 in Pacific/Auckland). For an urgent ceremony, contact Partnership Portal Support "
        "or your Regional Customer Success Director."
    )


def test_a_time_skipped_by_the_clocks_is_refused_and_an_ambiguous_one_is_the_first() -> None:
    skipped, problems = local_start(datetime(2026, 9, 27, 2, 30), AUCKLAND, field=("start", "dateTime"))
    assert skipped is None
    assert [(p.code, p.field) for p in problems] == [
        (ErrorCode.NONEXISTENT_LOCAL_TIME, ("start", "dateTime"))
    ]

    # Clocks go back at 03:00 on 5 April 2026 in Auckland: 02:30 happens twice.
    ambiguous, problems = local_start(datetime(2026, 4, 5, 2, 30), AUCKLAND, field=("start",))
    assert problems == [] and ambiguous is not None
    assert ambiguous.astimezone(UTC) == datetime(2026, 4, 4, 13, 30, tzinfo=UTC)


@pytest.mark.parametrize("name", ["Pacific/Auckland", "America/Chicago", "UTC"])
def test_real_time_zones_are_accepted(name: str) -> None:
    zone, problems = zone_named(name, field=("timeZone",))
    assert (zone.key if zone else None, problems) == (name, [])


# "localtime" is the machine's own zone (a copy that differs from one server to the next), "Factory"
# tzdata's placeholder: files of the zone folder, not a place's time.
@pytest.mark.parametrize(
    "name",
    ["Mars/Olympus", "", "../etc/passwd", "america/chicago", "+05:00", "localtime", "Factory", "posixrules"],
)
def test_other_time_zones_are_refused(name: str) -> None:
    zone, problems = zone_named(name, field=("timeZone",))
    assert zone is None
    assert [p.code for p in problems] == [ErrorCode.INVALID_TIME_ZONE]


@pytest.mark.parametrize(
    ("check", "value", "valid"),
    [
        (check_email, "pins@riverside.edu", True),
        (check_email, "first.last+tag@sub.example.org", True),
        (check_email, "no-at-sign.example.org", False),
        (check_email, "two@@example.org", False),
        (check_email, "spaces in@example.org", False),
        (check_phone, "+1 (312) 555-0147", True),
        (check_phone, "+64 9 123 4567", True),
        (check_phone, "555-01", False),
        (check_phone, "call me maybe", False),
        (check_phone, "+1234567890123456", False),
        (check_country, "US", True),
        (check_country, "nz", True),
        (check_country, "XX", False),
        (check_country, "USA", False),
    ],
)
def test_field_formats(check: object, value: str, valid: bool) -> None:
    problems = check(value, field=("f",))  # type: ignore[operator]
    assert (problems == []) is valid


@pytest.mark.parametrize(
    ("value", "required", "expected"),
    [
        ("  Dana  ", True, ("Dana", [])),
        ("   ", True, (None, [ErrorCode.REQUIRED])),
        (None, False, (None, [])),
        ("a\x00b", True, (None, [ErrorCode.INVALID_TEXT])),
        ("x" * 21, True, (None, [ErrorCode.TOO_LONG])),
        ("Nguyễn Thị Minh Khai", True, ("Nguyễn Thị Minh Khai", [])),
    ],
)
def test_clean_text(value: str | None, required: bool, expected: tuple[str | None, list[ErrorCode]]) -> None:
    text, problems = clean_text(value, field=("name",), max_length=20, required=required)
    assert (text, [p.code for p in problems]) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "Venue closed.\nSee the new date.",
            "Write it on one line: line breaks and tabs cannot be kept here.",
        ),
        ("Venue\r\n\tclosed", "Write it on one line: line breaks and tabs cannot be kept here."),
        ("Venue\nclosed\x07", "Remove the control characters."),
    ],
)
def test_a_line_break_is_named_as_such(value: str, message: str) -> None:
    _, problems = clean_text(value, field=("reason",), max_length=500, required=True)
    assert [(p.code, p.message) for p in problems] == [(ErrorCode.INVALID_TEXT, message)]


@pytest.mark.parametrize(
    ("kind", "start", "end", "name"),
    [
        (R, date(2027, 1, 14), date(2027, 1, 14), "Certificate request: cohorts ending 14 January 2027"),
        (C, date(2027, 1, 14), date(2027, 1, 14), "Pinning ceremony: cohorts ending 14 January 2027"),
        (
            R,
            date(2027, 1, 4),
            date(2027, 1, 15),
            "Certificate request: cohorts ending 4 January 2027 to 15 January 2027",
        ),
        (
            C,
            date(2026, 12, 14),
            date(2027, 1, 14),
            "Pinning ceremony: cohorts ending 14 December 2026 to 14 January 2027",
        ),
    ],
    ids=["one-day-request", "one-day-ceremony", "within-a-month", "across-years"],
)
def test_a_default_name_writes_its_range_and_a_one_day_range_as_that_day(
    kind: RecognitionKind, start: date, end: date, name: str
) -> None:
    assert default_name(kind, start, end) == name
    assert is_default_name(name, kind, start, end)


@pytest.mark.parametrize(
    ("name", "is_default"),
    [
        ("Certificate request: cohorts ending 14 January 2027", True),
        # stored before a one-day range was written once, and before days were written out
        ("Certificate request: cohorts ending 14 January 2027 to 14 January 2027", True),
        ("Certificate request: cohorts ending 2027-01-14 to 2027-01-14", True),
        ("Pinning ceremony: cohorts ending 14 January 2027", False),
        ("Certificate request: cohorts ending 15 January 2027", False),
        ("January certificates", False),
    ],
)
def test_a_one_day_ranges_default_name_is_known_in_each_form_it_was_ever_given(
    name: str, is_default: bool
) -> None:
    assert is_default_name(name, R, date(2027, 1, 14), date(2027, 1, 14)) is is_default
