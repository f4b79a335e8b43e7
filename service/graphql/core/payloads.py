"""What every mutation answers besides its object: the user errors, one per problem found."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

import strawberry

from service.errors import DomainError, ErrorCode, Problem
from service.graphql.core.enums import described_enum

ResultT = TypeVar("ResultT")

UserErrorCode = described_enum(
    ErrorCode,
    name="UserErrorCode",
    description="Why an input was refused: in a mutation payload's `errors`, or a top-level error's "
    "`extensions.code` (docs/api.md lists every code, these and the top-level ones such as "
    "UNAUTHENTICATED).",
    meanings={
        ErrorCode.NOT_FOUND: "No such record, or another partner's (the same answer, so ids leak nothing).",
        ErrorCode.FORBIDDEN: "Staff only: the notice override, marking pins mailed, editing or cancelling "
        "after the pins are mailed, revoking, issuing again after a revocation, creating and assigning "
        "templates and changing their logos, colours or name.",
        ErrorCode.REQUIRED: "A field needed here (to schedule the ceremony, an override's reason, a name) is "
        "missing or blank.",
        ErrorCode.TOO_LONG: "Text over its length, or a list over its size; the message gives the limit.",
        ErrorCode.INVALID_DATE_RANGE: "The range starts after it ends.",
        ErrorCode.DATE_RANGE_TOO_LONG: "The range covers more than 366 days, both ends counted.",
        ErrorCode.NO_COHORTS_SELECTED: "Step 1 needs at least one cohort.",
        ErrorCode.COHORT_OUTSIDE_RANGE: "A selected cohort does not end inside the range.",
        ErrorCode.COHORTS_OF_SEVERAL_PARTNERS: "A recognition is for one partner: cohorts of several were "
        "selected.",
        ErrorCode.INVALID_TIME_ZONE: "Not an IANA time zone name.",
        ErrorCode.NONEXISTENT_LOCAL_TIME: "The clocks skip that local time (daylight saving).",
        ErrorCode.TOO_SOON: "The ceremony's day is less than 14 calendar days after today, both in its time "
        "zone; with staff's override, a start that has passed; on an edit, a new time zone putting the same "
        "start on a day already over there.",
        ErrorCode.INVALID_EMAIL: "Not an email address.",
        ErrorCode.INVALID_PHONE: "Not a phone number of 7 to 15 digits.",
        ErrorCode.INVALID_COUNTRY: "Not an ISO 3166-1 alpha-2 country code.",
        ErrorCode.INVALID_TEXT: "Text with control characters (a line break in a one-line field) or a lone "
        "surrogate.",
        ErrorCode.NOT_ALLOWED_IN_STATUS: "The action does not apply in the recognition's or the "
        "certificate's status.",
        ErrorCode.NOT_A_CANDIDATE: "The enrolment is not on this recognition's certificates page.",
        ErrorCode.INVALID_CODE: "A certificate code of the wrong length or symbols.",
        ErrorCode.MISTYPED_CODE: "A certificate code whose check symbol does not match.",
        ErrorCode.EMPTY_SELECTION: "A combined file or an export of no one.",
        ErrorCode.SELECTION_TOO_LARGE: "Over 5,000 course-takers for a combined file or a selected export "
        "(an export by filter has no limit), over 5,000 exceptions to a filter, or over 1,000 cohort "
        "entries for a recognition.",
        ErrorCode.SELECTION_CHANGED: "Regenerating a file some of whose course-takers are no longer listed "
        "(`droppedOut` says who).",
        ErrorCode.NO_PREVIOUS_FILE: "Regenerating when there is no file yet.",
        ErrorCode.TOO_MANY_ACTIVE_FILES: "The user already has the most combined files queued or being made "
        "(PORTAL_FILE_JOBS_PER_USER).",
        ErrorCode.TOO_MANY_FILE_REQUESTS: "The user asked for the most new combined files in a minute "
        "(PORTAL_FILE_REQUESTS_PER_MINUTE).",
        ErrorCode.CANVAS_NOT_CONFIGURED: "A progress sync asked for a partner with no Canvas connection.",
        ErrorCode.DATE_OUT_OF_RANGE: "A ceremony date outside 1900 to 2100.",
        ErrorCode.LOCAL_TIME_EXPECTED: "A ceremony start with an offset or Z: give the local wall-clock time "
        "and the time zone apart.",
        ErrorCode.INVALID_URL: "A meeting link that is not an https URL with a host, holds a user name or "
        "password, or has a port outside 1 to 65535.",
        ErrorCode.NAME_NOT_PRINTABLE: "A name a certificate cannot print faithfully (blank, a character no "
        "font has, a bidi control, too long); the message quotes it and says why.",
        ErrorCode.BIDI_CONTROL: "Text with a bidi control character, named in the message.",
        ErrorCode.INVALID_LOCALE: "Not a BCP 47 language tag.",
        ErrorCode.IMAGE_TOO_LARGE: "A template image over 2 MB.",
        ErrorCode.IMAGE_TOO_MANY_PIXELS: "A template image over 4 million pixels or 4,000 on a side.",
        ErrorCode.IMAGE_FORMAT: "A template image that is not a PNG or JPEG by its own bytes, or named as "
        "another format.",
        ErrorCode.IMAGE_UNREADABLE: "A template image that is damaged.",
        ErrorCode.INVALID_COLOR: "A colour that is not #RRGGBB.",
        ErrorCode.LOW_CONTRAST: "A colour too faint on white (primary 4.5:1, accent 3:1).",
        ErrorCode.TOO_MANY_SIGNATORIES: "More than three signatories.",
        ErrorCode.INVALID_DATE: "Top level: a Date that cannot be read or does not exist (2026-02-30).",
        ErrorCode.INVALID_DATE_TIME: "Top level: a DateTime that cannot be read or does not exist.",
        ErrorCode.INVALID_ID: "Top level: an id that is not one of this service's global ids.",
        ErrorCode.INVALID_VALUE: "A value of the wrong type, a required argument or field left out (top "
        "level), or a selection and a filter at once (payload).",
    },
)


# Every mutation payload's `errors`.
ERRORS = (
    "Why the mutation was refused: every problem found at once, each at its input field; empty when it "
    "succeeded. When there is any, nothing was changed."
)


@strawberry.type(description="A refusal a user can act on, pointing at the input field it concerns.")
class UserError:
    field: list[str] | None = strawberry.field(
        description="Path of the input field inside the mutation's `input`, e.g. ['postalAddress', 'city'], "
        "with a list's position as text (['enrollmentIds', '3']); null when no one field is at fault."
    )
    code: UserErrorCode = strawberry.field(  # type: ignore[valid-type]
        description="Why, stable: a client decides on it (docs/api.md lists each code's rule)."
    )
    message: str = strawberry.field(description="Why, in words to show the user as they are (English).")

    @classmethod
    def from_problem(cls, problem: Problem) -> UserError:
        return cls(
            field=list(problem.field) if problem.field else None, code=problem.code, message=problem.message
        )


async def attempt(work: Awaitable[ResultT]) -> tuple[ResultT | None, list[UserError]]:
    """The result of a service call, or the user errors of its refusal."""
    try:
        return await work, []
    except DomainError as error:
        return None, [UserError.from_problem(problem) for problem in error.problems]


def both_selection_and_filter(
    enrollment_ids: object | None, candidate_filter: object | None
) -> list[UserError]:
    """The refusal of an input that gives both a selection and a filter (one would be ignored):
    the domain is handed one or the other, so only the input can tell."""
    if enrollment_ids is None or candidate_filter is None:
        return []
    problem = Problem(
        ErrorCode.INVALID_VALUE,
        "Give either enrollmentIds (the selected course-takers) or filter (every course-taker it "
        "matches), not both.",
        ("filter",),
    )
    return [UserError.from_problem(problem)]


def exceptions_without_filter(enrollment_ids: object | None, except_ids: object | None) -> list[UserError]:
    """The refusal of exceptions given with a selection: they are exceptions to a filter ("select all"
    but these); a selection simply leaves them out. Only the input can tell."""
    if enrollment_ids is None or except_ids is None:
        return []
    problem = Problem(
        ErrorCode.INVALID_VALUE,
        "exceptEnrollmentIds leaves course-takers out of those a filter matches; with enrollmentIds, "
        "leave them out of that list instead.",
        ("exceptEnrollmentIds",),
    )
    return [UserError.from_problem(problem)]
