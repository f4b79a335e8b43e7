from __future__ import annotations

import strawberry

from service.certificates.export import create_export
from service.certificates.models import Certificate as CertificateModel
from service.certificates.services import issue_certificate, reissue_certificate, revoke_certificate
from service.graphql.certificates.inputs import (
    CertificateCandidateFilter,
    CertificateCandidatesExportInput,
    CertificateIssueInput,
    CertificateReissueInput,
    CertificateRevokeInput,
)
from service.graphql.certificates.types import Certificate
from service.graphql.core.context import Info
from service.graphql.core.node import key_of
from service.graphql.core.payloads import (
    ERRORS,
    UserError,
    attempt,
    both_selection_and_filter,
    exceptions_without_filter,
)
from service.graphql.recognitions.inputs import recognition_key
from service.web.downloads import export_link


@strawberry.type(description="What `certificateCandidatesExport` did.")
class CertificateCandidatesExportPayload:
    download_url: str | None = strawberry.field(
        description="A signed link to the CSV (UTF-8 with a byte-order mark), for a plain <a href>; it "
        "expires in 15 minutes. Null when refused."
    )
    errors: list[UserError] = strawberry.field(description=ERRORS)


@strawberry.type(description="What a certificate mutation did.")
class CertificatePayload:
    certificate: Certificate | None = strawberry.field(
        description="The certificate: the one issued (or already issued), revoked, or the new one of a "
        "re-issue; null when refused."
    )
    errors: list[UserError] = strawberry.field(description=ERRORS)

    @classmethod
    def of(cls, result: tuple[CertificateModel | None, list[UserError]]) -> CertificatePayload:
        model, errors = result
        return cls(certificate=None if model is None else Certificate.from_model(model), errors=errors)


@strawberry.type
class CertificateMutations:
    @strawberry.mutation(
        description="Issue one course-taker's certificate, or return the one already issued; its "
        "`downloadUrl` opens the PDF."
    )
    async def certificate_issue(self, info: Info, input: CertificateIssueInput) -> CertificatePayload:
        context = info.context
        return CertificatePayload.of(
            await attempt(
                issue_certificate(
                    actor=await context.actor(),
                    recognition_id=recognition_key(input.recognition_id),
                    enrollment_id=key_of(input.enrollment_id, "Enrollment"),
                    now=context.clock.now(),
                    files_dir=context.settings.resolved_files_dir,
                    public_url=context.settings.public_url,
                )
            )
        )

    @strawberry.mutation(description="Staff: revoke a certificate; its code then verifies as revoked.")
    async def certificate_revoke(self, info: Info, input: CertificateRevokeInput) -> CertificatePayload:
        context = info.context
        return CertificatePayload.of(
            await attempt(
                revoke_certificate(
                    actor=await context.actor(),
                    certificate_id=key_of(input.id, "Certificate"),
                    reason=input.reason,
                    now=context.clock.now(),
                )
            )
        )

    @strawberry.mutation(
        description="Re-issue a certificate with the current data (e.g. a corrected name) and a new code; "
        "the old code then verifies as replaced. A valid certificate's re-issue is valid with the same "
        "completion date."
    )
    async def certificate_reissue(self, info: Info, input: CertificateReissueInput) -> CertificatePayload:
        context = info.context
        return CertificatePayload.of(
            await attempt(
                reissue_certificate(
                    actor=await context.actor(),
                    certificate_id=key_of(input.id, "Certificate"),
                    now=context.clock.now(),
                    files_dir=context.settings.resolved_files_dir,
                    public_url=context.settings.public_url,
                )
            )
        )

    @strawberry.mutation(
        description="Export course-takers of the certificates step to CSV: a selection (at most 5,000), or "
        "everyone a filter matches (but its exceptions), however many. The file is read when it is "
        "downloaded, as the list stands then."
    )
    async def certificate_candidates_export(
        self, info: Info, input: CertificateCandidatesExportInput
    ) -> CertificateCandidatesExportPayload:
        errors = both_selection_and_filter(input.enrollment_ids, input.filter)
        if errors := errors or exceptions_without_filter(input.enrollment_ids, input.except_enrollment_ids):
            return CertificateCandidatesExportPayload(download_url=None, errors=errors)
        context = info.context
        now = context.clock.now()
        actor = await context.actor()
        export, errors = await attempt(
            create_export(
                actor=actor,
                recognition_id=recognition_key(input.recognition_id),
                enrollment_ids=(
                    None
                    if input.enrollment_ids is None
                    else [key_of(enrollment_id, "Enrollment") for enrollment_id in input.enrollment_ids]
                ),
                candidate_filter=(input.filter or CertificateCandidateFilter()).to_domain(),
                except_ids=[key_of(key, "Enrollment") for key in input.except_enrollment_ids or []],
                now=now,
            )
        )
        url = (
            None
            if export is None
            else export_link(settings=context.settings, export=export, user_id=actor.user_id, now=now)
        )
        return CertificateCandidatesExportPayload(download_url=url, errors=errors)
