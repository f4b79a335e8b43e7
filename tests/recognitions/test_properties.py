"""Properties of the domain rules that take text, dates and time zones, for any input hypothesis
finds: a clear problem or a correct result, never a crash. Seeded (derandomized) and bounded."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.certificates.rules import new_code, normalize_code
from service.cohorts.rules import check_date_range
from service.dates import MONTHS
from service.errors import DomainError, ErrorCode
from service.recognitions.rules import check_email, check_phone, local_start
from service.text import BIDI_CONTROLS, clean_text

BOUNDED = settings(max_examples=300, derandomize=True, deadline=None)
ZONES = ["Pacific/Auckland", "America/Chicago", "Europe/Dublin", "Asia/Kolkata", "Australia/Lord_Howe", "UTC"]


@BOUNDED
@given(st.text(), st.integers(min_value=1, max_value=300), st.booleans())
def test_clean_text_cleans_or_says_why(value: str, max_length: int, required: bool) -> None:
    text, problems = clean_text(value, field=("name",), max_length=max_length, required=required)

    if problems:
        assert text is None
        assert [problem.code for problem in problems] in (
            [ErrorCode.REQUIRED],
            [ErrorCode.INVALID_TEXT],
            [ErrorCode.BIDI_CONTROL],
            [ErrorCode.TOO_LONG],
        )
    else:
        assert text is None or (
            text == value.strip()
            and len(text) <= max_length
            and not any(ord(c) < 32 or ord(c) == 127 or c in BIDI_CONTROLS for c in text)
        )
        assert text is not None or not required


@BOUNDED
@given(st.datetimes(), st.sampled_from(ZONES))
def test_a_wall_clock_time_is_an_instant_or_a_clear_problem(wall_time: datetime, zone_name: str) -> None:
    zone = ZoneInfo(zone_name)

    start, problems = local_start(wall_time, zone, field=("startsAt",))

    if start is None:
        [problem] = problems
        assert problem.code in (ErrorCode.NONEXISTENT_LOCAL_TIME, ErrorCode.DATE_OUT_OF_RANGE)
    else:
        assert problems == []
        assert start.astimezone(zone).replace(tzinfo=None) == wall_time


@BOUNDED
@given(st.dates(), st.dates())
def test_a_date_range_is_accepted_or_refused_with_a_code(start: date, end: date) -> None:
    try:
        check_date_range(start, end, field=("dateRange",))
    except DomainError as error:
        assert {problem.code for problem in error.problems} <= {
            ErrorCode.INVALID_DATE_RANGE,
            ErrorCode.DATE_RANGE_TOO_LONG,
        }
    else:
        assert start <= end


@BOUNDED
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)), st.integers(0, 800))
def test_a_too_long_range_is_refused_with_the_days_the_limit_counts(start: date, length: int) -> None:
    # a range of ``length`` days after its start: ``length + 1`` days with both ends included
    end = start + timedelta(days=length)
    try:
        check_date_range(start, end, field=("dateRange",))
    except DomainError as error:
        [problem] = error.problems
        counted, limit = map(
            int, re.findall(r"covers (\d+) days.*at most (\d+) are allowed", problem.message)[0]
        )
        day, month, year = re.findall(r"end it on (\d+) (\w+) (\d+) at the latest", problem.message)[0]
        last_end = date(int(year), MONTHS.index(month) + 1, int(day))
        assert (counted, limit, counted > limit) == (length + 1, 366, True)
        check_date_range(start, last_end, field=("dateRange",))  # the end it names is allowed
    else:
        assert length + 1 <= 366


@BOUNDED
@given(st.text())
def test_any_typed_code_is_read_or_refused_with_a_code(typed: str) -> None:
    try:
        code = normalize_code(typed)
    except DomainError as error:
        assert [problem.code for problem in error.problems] in (
            [ErrorCode.INVALID_CODE],
            [ErrorCode.MISTYPED_CODE],
        )
    else:
        assert normalize_code(code) == code


@BOUNDED
@given(st.text(), st.text())
def test_contact_checks_never_crash(email: str, phone: str) -> None:
    for problem in [*check_email(email, field=("email",)), *check_phone(phone, field=("phone",))]:
        assert problem.code in (ErrorCode.INVALID_EMAIL, ErrorCode.INVALID_PHONE)


@pytest.mark.parametrize("year", [1, 1899, 2101, 9999])
def test_a_year_far_off_is_refused_not_a_crash(year: int) -> None:
    start, problems = local_start(
        datetime(year, 1, 1, 0, 0), ZoneInfo("Pacific/Auckland"), field=("startsAt",)
    )

    assert start is None
    assert [(p.code, p.message) for p in problems] == [
        (ErrorCode.DATE_OUT_OF_RANGE, "Choose a date between 1900 and 2100.")
    ]


def test_new_codes_always_read_back() -> None:
    for _ in range(200):
        code = new_code()
        assert normalize_code(code.lower().replace("-", " ")) == code
