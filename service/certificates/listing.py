"""Support's question: why is this person not on a recognition's certificates page?"""

from __future__ import annotations

from dataclasses import dataclass

from service.certificates.candidates import listing_of
from service.certificates.rules import LISTING_WORDS, Listing
from service.enrollments.models import CourseTaker, Enrollment
from service.enrollments.rules import name_or_email
from service.errors import DomainError, ErrorCode, NotFound
from service.recognitions import dashboard
from service.users.actor import Actor

# When none of a person's enrolments is listed, the answer names the one closest to being listed.
CLOSEST_FIRST = (
    Listing.LISTED,
    Listing.COMPLETED_WITHOUT_CERTIFICATION,
    Listing.DID_NOT_COMPLETE_CLOSED_COURSE,
    Listing.NOT_IN_SELECTED_COHORTS,
)


@dataclass(frozen=True, slots=True)
class EnrollmentListing:
    enrollment: Enrollment
    why: Listing


@dataclass(frozen=True, slots=True)
class PersonListing:
    name: str
    email: str
    why: Listing
    message: str
    enrollments: list[EnrollmentListing]


async def person_listing(
    *, actor: Actor, recognition_id: int, email: str | None, enrollment_id: int | None
) -> PersonListing:
    """Whether a course-taker (by email, or by any enrolment of theirs) is on the recognition's
    certificates page, and if not, why: for each of their enrolments at the partner, and overall."""
    if email is None and enrollment_id is None:
        raise DomainError.of(ErrorCode.REQUIRED, "Give an email or an enrolment id.", field=("email",))
    if email is not None and enrollment_id is not None:
        raise DomainError.of(
            ErrorCode.INVALID_VALUE, "Give an email or an enrolment id, not both.", field=("email",)
        )
    recognition = await dashboard.get_recognition(
        actor=actor, recognition_id=recognition_id, field=("recognitionId",)
    )
    takers = CourseTaker.filter(partner_id=recognition.partner_id)
    if email is not None:
        taker = await takers.filter(email__iexact=email.strip()).first()
    else:
        taker = await takers.filter(enrollments__id=enrollment_id).first()
    if taker is None:
        raise NotFound("Course-taker", field=("email",) if email is not None else ("enrollmentId",))
    selected = set((await dashboard.cohort_ids_by_recognition_ids(ids=[recognition.id]))[recognition.id])
    enrollments = [
        EnrollmentListing(
            enrollment, listing_of(enrollment, in_selected_cohorts=enrollment.cohort_id in selected)
        )
        for enrollment in await Enrollment.filter(course_taker_id=taker.id)
        .select_related("cohort", "cohort__partner")
        .order_by("cohort__ends_on", "id")
    ]
    why = min(
        (entry.why for entry in enrollments), key=CLOSEST_FIRST.index, default=Listing.NOT_IN_SELECTED_COHORTS
    )
    named = name_or_email(taker.name, taker.email)
    return PersonListing(
        name=taker.name,
        email=taker.email,
        why=why,
        message=f"{named} is {LISTING_WORDS[why]}."
        if why is Listing.LISTED
        else f"{named}: {LISTING_WORDS[why]}.",
        enrollments=enrollments,
    )
