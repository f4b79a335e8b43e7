from __future__ import annotations

import strawberry
from graphql import GraphQLError

from service.certificates.candidates import candidates_page
from service.certificates.rules import CandidateKind as CandidateKindValue
from service.certificates.verification import verify
from service.graphql.certificates.inputs import CertificateCandidateFilter
from service.graphql.certificates.types import (
    CertificateCandidate,
    CertificateCandidateConnection,
    CertificateCandidateEdge,
    CertificateVerification,
)
from service.graphql.core.context import Info
from service.graphql.core.errors import domain_errors_as_graphql
from service.graphql.core.paging import (
    checked_page_size,
    decode_cursor,
    encode_cursor,
    integer,
    page_info,
    text,
)

ORDERING = "CANDIDATES_BY_NAME"


async def certificate_candidates(
    info: Info,
    recognition_id: int,
    first: int,
    after: str | None,
    filter: CertificateCandidateFilter | None,
) -> CertificateCandidateConnection:
    """The certificates step of one recognition, ordered by name."""
    context = info.context
    with domain_errors_as_graphql():
        page, counts = await candidates_page(
            actor=await context.actor(),
            recognition_id=recognition_id,
            now=context.clock.now(),
            candidate_filter=(filter or CertificateCandidateFilter()).to_domain(),
            first=checked_page_size(first),
            after=None if after is None else _after(after),
        )
    assert page.total is not None, "the candidates are counted"
    edges = [
        CertificateCandidateEdge(
            node=CertificateCandidate(enrollment=row),
            cursor=encode_cursor(ORDERING, row.course_taker.name, row.id),
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


def _after(cursor: str) -> tuple[str, int]:
    name, enrollment_id = decode_cursor(cursor, ORDERING, (text, integer))
    return name, enrollment_id


@strawberry.type
class CertificateQueries:
    @strawberry.field(
        description="Public, no sign-in: check the code printed on a certificate. Limited per client address."
    )
    async def verify_certificate(self, info: Info, code: str) -> CertificateVerification:
        context = info.context
        wait = await context.verify_limiter.attempt(context.client_address, context.clock.now())
        if wait is not None:
            raise GraphQLError(
                "Too many verifications from your address. Try again in a minute.",
                extensions={"code": "RATE_LIMITED", "retryAfter": wait},
            )
        return CertificateVerification.from_result(await verify(code))
