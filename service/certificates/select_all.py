"""The certificates step's "select all": every candidate a filter matches, but the exceptions the user
unticked since, without sending every page of ids; the exceptions checked as a selection is."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from service.certificates import candidates
from service.certificates.candidates import (
    CandidateFilter,
    candidates_query,
    listed_among,
    of_kinds,
    recognition_for_certificates,
    refuse_not_listed,
)
from service.errors import DomainError, ErrorCode
from service.recognitions.models import Recognition
from service.users.actor import Actor

# The most exceptions to a filter: a request's body stays bounded (as a selection's 5,000 ids do).
MAX_EXCEPTIONS = 5000
EXCEPTIONS = "exceptEnrollmentIds"


async def filtered_selection(
    *,
    actor: Actor,
    recognition_id: int,
    candidate_filter: CandidateFilter,
    now: datetime,
    except_ids: Sequence[int] = (),
    field: str = "filter",
) -> list[int]:
    """Every candidate the filter matches but those of ``except_ids`` (a "select all" the user
    unticked some of), in the page's order, without fetching every page of ids; refused when that is
    no one or more than fit in one file."""
    refuse_too_many_exceptions(except_ids)
    most = candidates.MAX_SELECTION  # a file's, as a selection's: one limit, read where it is set
    recognition = await recognition_for_certificates(actor=actor, recognition_id=recognition_id, now=now)
    excepted = await checked_exceptions(recognition, except_ids)
    query = of_kinds(await candidates_query(recognition, candidate_filter), candidate_filter.kind)
    # Enough rows to tell whether more than the limit are left once the exceptions are taken out.
    wanted = most + len(excepted) + 1
    ids: list[int] = await (
        query.order_by("course_taker__sort_name", "id").limit(wanted).values_list("id", flat=True)  # type: ignore[assignment]
    )
    if not ids:
        raise DomainError.of(
            ErrorCode.EMPTY_SELECTION, "No course-taker matches this filter.", field=(field,)
        )
    kept = [key for key in ids if key not in excepted]
    if not kept:
        raise DomainError.of(
            ErrorCode.EMPTY_SELECTION,
            f"Everyone this filter matches ({len(ids):,}) is among {EXCEPTIONS}: no course-taker is left.",
            field=(EXCEPTIONS,),
        )
    if len(kept) > most:
        matched = (
            f"More than {most:,} of the course-takers this filter matches are left after its exceptions"
            if excepted
            else f"More than {most:,} course-takers match this filter"
        )
        more = ", or leave out more" if excepted else ""
        raise DomainError.of(
            ErrorCode.SELECTION_TOO_LARGE,
            f"{matched}; at most {most:,} fit in one file. Narrow it (e.g. by cohort){more}.",
            field=(field,),
        )
    return kept


def refuse_too_many_exceptions(except_ids: Sequence[int]) -> None:
    """More exceptions than a file holds people, repeats counted: refused before any query (a
    refusal names each entry at most MAX_EXCEPTIONS times)."""
    if len(except_ids) > MAX_EXCEPTIONS:
        raise DomainError.of(
            ErrorCode.SELECTION_TOO_LARGE,
            f"{len(except_ids):,} exceptions to the filter are given; at most {MAX_EXCEPTIONS:,} can be. "
            "Narrow the filter instead (e.g. by cohort).",
            field=(EXCEPTIONS,),
        )


async def checked_exceptions(recognition: Recognition, except_ids: Sequence[int]) -> set[int]:
    """The exceptions to a filter, each a course-taker the recognition's certificates step lists
    (any kind: one the filter does not match is left out all the same); or a refusal by position."""
    listed = await listed_among(recognition, list(dict.fromkeys(except_ids)))
    refuse_not_listed(except_ids, listed, field=EXCEPTIONS)
    return listed
