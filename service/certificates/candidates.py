"""The certificates step's list: who a recognition may certify, filtered, counted and paged in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from tortoise.expressions import Q, Subquery
from tortoise.functions import Count
from tortoise.queryset import QuerySet

from service.certificates.rules import CandidateKind, Listing, completion_date, eligibility, listing
from service.cohorts.models import Cohort
from service.enrollments.models import Enrollment
from service.enrollments.rules import name_search_key
from service.errors import DomainError, ErrorCode, NotFound, Problem
from service.paging import Page
from service.recognitions import dashboard
from service.recognitions.models import Recognition, StoredStatus
from service.recognitions.rules import Action
from service.users.actor import Actor

# The most certificates one combined file holds (and the most ids a selection sends): a file's size,
# its workers' time and one request's body stay bounded. An export by filter streams, and has none.
MAX_SELECTION = 5000
# What a listed enrolment is loaded with: the name, the kind and the completion date need them.
LISTED_WITH = ("course_taker", "cohort", "cohort__partner")
SELECTION_CHUNK = 500

# The SQL twin of rules.eligibility; a test holds the two to the same table.
SQL_CONDITION = {
    CandidateKind.COMPLETER: Q(completed_at__isnull=False, certified=True),
    CandidateKind.APPROACHING: Q(completed_at__isnull=True, cohort__closed_at__isnull=True),
}


@dataclass(frozen=True, slots=True)
class CandidateFilter:
    kind: CandidateKind | None = None
    search: str | None = None
    program_id: int | None = None
    cohort_id: int | None = None
    certificate_type_id: int | None = None

    def to_plain(self) -> dict[str, Any]:
        """As JSON stores it."""
        plain = asdict(self)
        plain["kind"] = None if self.kind is None else self.kind.value
        return plain

    @classmethod
    def from_plain(cls, plain: dict[str, Any]) -> CandidateFilter:
        return cls(**{**plain, "kind": None if plain.get("kind") is None else CandidateKind(plain["kind"])})


def kind_of(enrollment: Enrollment) -> CandidateKind:
    """The kind of a listed enrollment (its cohort loaded)."""
    kind = eligibility(
        course_closed=enrollment.cohort.closed_at is not None,
        completed=enrollment.completed_at is not None,
        certified=enrollment.certified,
    )
    assert kind is not None, "only eligible enrollments are listed"
    return kind


def completed_on(enrollment: Enrollment) -> date | None:
    """The enrolment's completion date (its cohort and the cohort's partner loaded); None until it
    is completed."""
    if enrollment.completed_at is None:
        return None
    return completion_date(enrollment.completed_at, enrollment.cohort.partner.time_zone)


def listing_of(enrollment: Enrollment, *, in_selected_cohorts: bool) -> Listing:
    """Whether the enrolment (its cohort loaded) is listed, and if not, why."""
    return listing(
        in_selected_cohorts=in_selected_cohorts,
        course_closed=enrollment.cohort.closed_at is not None,
        completed=enrollment.completed_at is not None,
        certified=enrollment.certified,
    )


async def recognition_for_certificates(
    *, actor: Actor, recognition_id: int, now: datetime, loaded: Recognition | None = None
) -> Recognition:
    """A recognition whose certificates step may be opened now: scheduled, past or created.
    ``loaded``: the recognition as the caller read it in this request (it is not read again; the
    actor's scope is still checked, on it)."""
    if loaded is not None and loaded.id == recognition_id:
        if not dashboard.is_visible(loaded, actor):
            raise NotFound("Recognition", field=("recognitionId",))
        recognition = loaded
    else:
        recognition = await dashboard.get_recognition(
            actor=actor, recognition_id=recognition_id, field=("recognitionId",)
        )
    if Action.CERTIFICATES not in dashboard.actions_for(recognition, actor, now):
        raise DomainError.of(
            ErrorCode.NOT_ALLOWED_IN_STATUS, _no_certificates_yet(recognition), field=("recognitionId",)
        )
    return recognition


def _no_certificates_yet(recognition: Recognition) -> str:
    if recognition.status is StoredStatus.CANCELLED:
        return (
            "This ceremony was cancelled, so certificates cannot be generated for it. Schedule a new "
            "ceremony, or click \u201cRequest Certificates Only\u201d on the \u201cRecognition\u201d "
            "dashboard, to generate certificates for its course-takers."
        )
    return "Certificates can be generated once the ceremony is scheduled or the request is created."


async def candidates_query(
    recognition: Recognition, candidate_filter: CandidateFilter
) -> QuerySet[Enrollment]:
    """Every listed enrollment of the recognition's cohorts that passes the filter, any kind."""
    cohort_ids = (await dashboard.cohort_ids_by_recognition_ids(ids=[recognition.id]))[recognition.id]
    return candidates_in(cohort_ids, candidate_filter)


async def selected_cohorts(recognition: Recognition, *, with_programs: bool) -> dict[int, Cohort]:
    """The recognition's cohorts, each with its partner (and with its program and the program's
    certificate type), by id: one statement, instead of joining them into every row of a page."""
    query = Cohort.filter(recognitions__recognition_id=recognition.id).select_related("partner")
    if with_programs:
        query = query.select_related("program__certificate_type")
    return {cohort.id: cohort for cohort in await query}


def candidates_in(cohort_ids: Sequence[int], candidate_filter: CandidateFilter) -> QuerySet[Enrollment]:
    """``candidates_query`` of these cohorts."""
    query = Enrollment.filter(cohort_id__in=list(cohort_ids))
    if candidate_filter.search and candidate_filter.search.strip():
        text = candidate_filter.search.strip()
        by_email = Q(course_taker__email__icontains=text)
        # Only punctuation ("'", "-") has no letters to find: it would match every name.
        key = name_search_key(text)
        by_name = Q(course_taker__search_name__contains=key)
        query = query.filter((by_name | by_email) if key else by_email)
    if candidate_filter.program_id is not None:
        query = query.filter(cohort__program_id=candidate_filter.program_id)
    if candidate_filter.cohort_id is not None:
        query = query.filter(cohort_id=candidate_filter.cohort_id)
    if candidate_filter.certificate_type_id is not None:
        query = query.filter(certificate_type_id=candidate_filter.certificate_type_id)
    return query


def of_kinds(query: QuerySet[Enrollment], kind: CandidateKind | None) -> QuerySet[Enrollment]:
    if kind is not None:
        return query.filter(SQL_CONDITION[kind])
    return query.filter(Q(*SQL_CONDITION.values(), join_type=Q.OR))


async def kind_counts(query: QuerySet[Enrollment]) -> dict[CandidateKind, int]:
    """How many of the query's enrolments are listed as each kind, in one statement: a listed
    enrolment is a completer exactly when it is completed (SQL_CONDITION: an approaching one is
    not), so counting the listed rows' completion instants counts the completers."""
    listed = Subquery(of_kinds(query, None).values("id"))
    counted = await (
        Enrollment.filter(id__in=listed)
        .annotate(listed=Count("id"), completed=Count("completed_at"))
        .values("listed", "completed")
    )
    listed_count, completed = counted[0]["listed"], counted[0]["completed"]
    found = {CandidateKind.COMPLETER: completed, CandidateKind.APPROACHING: listed_count - completed}
    return {kind: found[kind] for kind in CandidateKind}


async def candidates_page(
    *,
    actor: Actor,
    recognition_id: int,
    now: datetime,
    candidate_filter: CandidateFilter,
    first: int,
    after: tuple[str, int] | None,
    loaded: Recognition | None = None,
    with_programs: bool = False,
) -> tuple[Page[Enrollment], dict[CandidateKind, int]]:
    """One page of candidates ordered by name (its total: those the filter lists), and the count of
    each kind. ``loaded``: see `recognition_for_certificates`; ``with_programs``: each row's cohort
    comes with its program and the row with its certificate type (in the same statement)."""
    recognition = await recognition_for_certificates(
        actor=actor, recognition_id=recognition_id, now=now, loaded=loaded
    )
    cohorts = await selected_cohorts(recognition, with_programs=with_programs)
    base = candidates_in(sorted(cohorts), candidate_filter)
    counts = await kind_counts(base)
    # each row with its course-taker; its cohort is one of the few read above (a row built with
    # three more models was a fifth of the step's CPU: issue 19)
    rows_query = by_name(of_kinds(base, candidate_filter.kind), after=after, related=("course_taker",))
    if with_programs:
        rows_query = rows_query.select_related("certificate_type")
    rows = await rows_query.limit(first + 1)
    for row in rows:
        row.cohort = cohorts[row.cohort_id]
    total = counts[candidate_filter.kind] if candidate_filter.kind else sum(counts.values())
    return Page.of(rows, first, total=total), counts


def by_name(
    query: QuerySet[Enrollment], *, after: tuple[str, int] | None, related: Sequence[str] = LISTED_WITH
) -> QuerySet[Enrollment]:
    """Candidates in the page's order (name as people read it, then id), after the keyset (sort name,
    id) of the last row seen."""
    if after is not None:
        name, last_id = after
        same_name: dict[str, Any] = {"course_taker__sort_name": name, "id__gt": last_id}
        query = query.filter(Q(course_taker__sort_name__gt=name) | Q(**same_name))
    return query.select_related(*related).order_by("course_taker__sort_name", "id")


async def selection_of(
    *, actor: Actor, recognition_id: int, emails: Sequence[str], all_completers: bool, now: datetime
) -> list[int]:
    """Enrolment ids in the certificates page's order: every completer, or the listed course-takers'
    (by email; every enrolment of theirs the recognition lists)."""
    recognition = await recognition_for_certificates(actor=actor, recognition_id=recognition_id, now=now)
    kind = CandidateKind.COMPLETER if all_completers else None
    query = of_kinds(await candidates_query(recognition, CandidateFilter(kind=kind)), kind)
    if not all_completers:
        # In any case, as the certificates page's search and certificateListing take an email.
        anyone = [Q(course_taker__email__iexact=email) for email in emails] or [Q(id__in=[])]
        query = query.filter(Q(*anyone, join_type="OR"))
    rows = await by_name(query, after=None)
    found = {row.course_taker.email.casefold() for row in rows}
    missing = sorted(email for email in dict.fromkeys(emails) if email.casefold() not in found)
    if missing:
        raise DomainError.of(
            ErrorCode.NOT_A_CANDIDATE, f"Not a course-taker of this recognition: {', '.join(missing)}."
        )
    return [row.id for row in rows]


async def listed_among(recognition: Recognition, ids: Sequence[int]) -> set[int]:
    """Those of ``ids`` the recognition's certificates step lists (any kind), a chunk of ids a query."""
    if not ids:
        return set()
    every_candidate = of_kinds(await candidates_query(recognition, CandidateFilter()), None)
    listed: set[int] = set()
    for start in range(0, len(ids), SELECTION_CHUNK):
        chunk = list(ids[start : start + SELECTION_CHUNK])
        listed.update(await every_candidate.filter(id__in=chunk).values_list("id", flat=True))  # type: ignore[arg-type]
    return listed


@dataclass(frozen=True, slots=True)
class NotListed:
    """An enrolment of a selection that the certificates page no longer lists, and why."""

    enrollment_id: int
    name: str
    email: str
    why: Listing


async def not_listed(recognition: Recognition, enrollment_ids: Sequence[int]) -> list[NotListed]:
    """The enrolments of a selection the recognition's certificates page does not list (any more),
    each with why, in the selection's order."""
    cohort_ids = set((await dashboard.cohort_ids_by_recognition_ids(ids=[recognition.id]))[recognition.id])
    listed = await listed_among(recognition, enrollment_ids)
    others = [key for key in dict.fromkeys(enrollment_ids) if key not in listed]
    found = {
        row.id: row
        for row in await Enrollment.filter(
            id__in=others, cohort__partner_id=recognition.partner_id
        ).select_related("course_taker", "cohort")
    }
    return [
        NotListed(
            enrollment_id=key,
            name=found[key].course_taker.name,
            email=found[key].course_taker.email,
            why=listing_of(found[key], in_selected_cohorts=found[key].cohort_id in cohort_ids),
        )
        for key in others
        if key in found
    ]


async def checked_selection(
    *,
    actor: Actor,
    recognition_id: int,
    enrollment_ids: Sequence[int],
    now: datetime,
    field: str = "enrollmentIds",
) -> list[int]:
    """The selection without repeats, in its order, each a candidate of the recognition; or every problem."""
    # Repeats counted, before any query: a refusal names each entry at most MAX_SELECTION times.
    if len(enrollment_ids) > MAX_SELECTION:
        raise DomainError.of(
            ErrorCode.SELECTION_TOO_LARGE,
            f"{len(enrollment_ids):,} course-takers are selected; at most {MAX_SELECTION:,} fit in one file.",
            field=(field,),
        )
    recognition = await recognition_for_certificates(actor=actor, recognition_id=recognition_id, now=now)
    unique = list(dict.fromkeys(enrollment_ids))
    if not unique:
        raise DomainError.of(ErrorCode.EMPTY_SELECTION, "Select at least one course-taker.", field=(field,))
    refuse_not_listed(enrollment_ids, await listed_among(recognition, unique), field=field)
    return unique


def refuse_not_listed(ids: Sequence[int], listed: set[int], *, field: str) -> None:
    """A refusal naming, by its position in ``ids``, each one the certificates step does not list."""
    problems = [
        Problem(
            ErrorCode.NOT_A_CANDIDATE,
            "Not a course-taker of this recognition's certificates step.",
            (field, str(index)),
        )
        for index, key in enumerate(ids)
        if key not in listed
    ]
    if problems:
        raise DomainError(*problems)
