from __future__ import annotations

from typing import Annotated

import strawberry
from graphql import GraphQLError
from strawberry import relay

from service.certificates.candidates import candidates_page
from service.certificates.listing import person_listing
from service.certificates.models import CertificateStatus as CertificateStatusValue
from service.certificates.rules import CandidateKind as CandidateKindValue
from service.certificates.services import certificates_page
from service.certificates.verification import verify
from service.enrollments.models import Enrollment
from service.graphql.certificates.inputs import CertificateCandidateFilter
from service.graphql.certificates.types import (
    Certificate,
    CertificateCandidate,
    CertificateCandidateConnection,
    CertificateCandidateEdge,
    CertificateConnection,
    CertificateEdge,
    CertificateListing,
    CertificateVerification,
)
from service.graphql.cohorts.dataloaders import CertificateTypeByIdLoader, ProgramByIdLoader
from service.graphql.core.context import Info
from service.graphql.core.errors import domain_errors_as_graphql
from service.graphql.core.node import key_of
from service.graphql.core.paging import (
    checked_page_size,
    decode_cursor,
    encode_cursor,
    integer,
    page_info,
    text,
)
from service.graphql.core.selections import selects
from service.recognitions.models import Recognition

ORDERING = "CANDIDATES_BY_SORT_NAME"


async def certificate_candidates(
    info: Info,
    recognition: Recognition,
    first: int,
    after: str | None,
    filter: CertificateCandidateFilter | None,
) -> CertificateCandidateConnection:
    """The certificates step of one recognition (as this request read it), ordered by name."""
    context = info.context
    with_programs = selects(info, "edges", "node", "program") or selects(
        info, "edges", "node", "certificateType"
    )
    # A refusal of the recognition itself (a draft) has no argument of this field to point at.
    with domain_errors_as_graphql(arguments=("first", "after", "filter")):
        page, counts = await candidates_page(
            actor=await context.actor(),
            recognition_id=recognition.id,
            now=context.clock.now(),
            candidate_filter=(filter or CertificateCandidateFilter()).to_domain(),
            first=checked_page_size(first),
            after=None if after is None else _after(after),
            loaded=recognition,
            with_programs=with_programs,
        )
    assert page.total is not None, "the candidates are counted"
    if with_programs:
        _prime_for_rows(info, page.items)
    edges = [
        CertificateCandidateEdge(
            node=CertificateCandidate(enrollment=row),
            cursor=encode_cursor(ORDERING, row.course_taker.sort_name, row.id),
        )
        for row in page.items
    ]
    return CertificateCandidateConnection(
        edges=edges,
        page_info=page_info(edges, has_next_page=page.has_next, after=after),
        total_count=page.total,
        completer_count=counts[CandidateKindValue.COMPLETER],
        approaching_count=counts[CandidateKindValue.APPROACHING],
    )


def _prime_for_rows(info: Info, rows: list[Enrollment]) -> None:
    """The programs and certificate types the page's rows show, read with the rows (of the
    recognition's cohorts, so the actor's to see), given to this request's loaders: the rows'
    ``program`` and ``certificateType`` then resolve at once, without a statement, a coroutine, a
    task and a future per row."""
    programs = ProgramByIdLoader.for_context(info.context)
    types = CertificateTypeByIdLoader.for_context(info.context)
    for row in rows:
        programs.prime(row.cohort.program_id, row.cohort.program)
        types.prime(row.certificate_type_id, row.certificate_type)


CERTIFICATES_ORDERING = "CERTIFICATES_NEWEST_FIRST"


async def issued_certificates(
    info: Info,
    recognition_id: int,
    first: int,
    after: str | None,
    statuses: list[CertificateStatusValue] | None,
) -> CertificateConnection:
    """The certificates issued through one recognition, newest first."""
    await info.context.actor()
    page = await certificates_page(
        recognition_id=recognition_id,
        statuses=statuses,
        first=checked_page_size(first),
        after=None if after is None else decode_cursor(after, CERTIFICATES_ORDERING, (integer,))[0],
    )
    assert page.total is not None, "the certificates are counted"
    edges = [
        CertificateEdge(node=Certificate.from_model(row), cursor=encode_cursor(CERTIFICATES_ORDERING, row.id))
        for row in page.items
    ]
    return CertificateConnection(
        edges=edges,
        page_info=page_info(edges, has_next_page=page.has_next, after=after),
        total_count=page.total,
    )


def _after(cursor: str) -> tuple[str, int]:
    name, enrollment_id = decode_cursor(cursor, ORDERING, (text, integer))
    return name, enrollment_id


@strawberry.type
class CertificateQueries:
    @strawberry.field(
        description="Support: why is this person not on the recognition's certificates page? By email, or "
        "by any `enrollmentId` of theirs: not in the selected cohorts, did not complete a closed course, "
        "completed without certification, or listed."
    )
    async def certificate_listing(
        self,
        info: Info,
        recognition_id: Annotated[
            relay.GlobalID, strawberry.argument(description="A ceremony's or a certificate request's id.")
        ],
        email: Annotated[
            str | None,
            strawberry.argument(
                description="The person's email address, in any case; this or `enrollmentId` is REQUIRED."
            ),
        ] = None,
        enrollment_id: Annotated[
            relay.GlobalID | None,
            strawberry.argument(description="Any of their enrolments' ids, instead of the email."),
        ] = None,
    ) -> CertificateListing:
        context = info.context
        with domain_errors_as_graphql():
            result = await person_listing(
                actor=await context.actor(),
                recognition_id=key_of(recognition_id, "Ceremony", "CertificateRequest"),
                email=email,
                enrollment_id=None if enrollment_id is None else key_of(enrollment_id, "Enrollment"),
            )
        return CertificateListing.from_result(result)

    @strawberry.field(
        description="Public, no sign-in: check the code printed on a certificate. Limited per client address "
        "(RATE_LIMITED, with `retryAfter` seconds)."
    )
    async def verify_certificate(
        self,
        info: Info,
        code: Annotated[
            str,
            strawberry.argument(
                description="The code as printed, e.g. 7KQ4-M9XD-2HT; case, spaces and dashes do not matter."
            ),
        ],
    ) -> CertificateVerification:
        context = info.context
        wait = await context.verify_limiter.attempt(context.client_address, context.clock.now())
        if wait is not None:
            raise GraphQLError(
                "Too many verifications from your address. Try again in a minute.",
                extensions={"code": "RATE_LIMITED", "retryAfter": wait},
            )
        return CertificateVerification.from_result(await verify(code))
