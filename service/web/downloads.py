"""Downloads by signed link: no Authorization header needed, so a plain <a href> works."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from service.audit import services as audit
from service.audit.models import AuditAction
from service.certificate_files.models import CertificateFileJob
from service.certificate_files.paths import file_path
from service.certificate_templates.preview import Preview, preview_pdf
from service.certificates.export import export_chunks
from service.certificates.models import CandidateExport, Certificate
from service.certificates.printing import certificate_path, download_refusal, ensure_file
from service.clock import Clock
from service.database import storable_key
from service.errors import DomainError
from service.files.signing import BadLink, LinkProblem, check_link, signed_path
from service.settings import Settings
from service.users.actor import Actor
from service.users.models import Role, User

EXPORT_PURPOSE = "candidates-export"
CERTIFICATE_PURPOSE = "certificate-pdf"
FILE_PURPOSE = "certificate-file"
PREVIEW_PURPOSE = "certificate-template-preview"


def preview_link(*, settings: Settings, preview: Preview, user_id: int, now: datetime) -> str:
    """An absolute, signed, expiring link to a template preview: the version and the sample names
    are in the link, and signed, so it always shows what was asked for."""
    path = f"/files/certificate-template-previews/{preview.template_id}.pdf"
    names = json.dumps(list(preview.names), ensure_ascii=False)
    link = _link(settings, path, PREVIEW_PURPOSE, _preview_subject(preview), user_id, now)
    return f"{link}&{urlencode({'version': preview.version, 'names': names})}"


def _preview_subject(preview: Preview) -> str:
    names = json.dumps(list(preview.names), ensure_ascii=False)
    return f"{preview.template_id}:{preview.version}:{names}"


def certificate_file_link(*, settings: Settings, job: CertificateFileJob, user_id: int, now: datetime) -> str:
    """An absolute, signed, expiring link to a combined file, bound to its content."""
    path = f"/files/certificate-files/{job.id}.pdf"
    return _link(settings, path, FILE_PURPOSE, _file_subject(job), user_id, now)


def certificate_link(*, settings: Settings, certificate: Certificate, user_id: int, now: datetime) -> str:
    """An absolute, signed, expiring link to one certificate's PDF, bound to that certificate (its
    code: what it prints never changes; a re-issue is another certificate)."""
    path = f"/files/certificates/{certificate.id}.pdf"
    return _link(settings, path, CERTIFICATE_PURPOSE, _certificate_subject(certificate), user_id, now)


def export_link(*, settings: Settings, export: CandidateExport, user_id: int, now: datetime) -> str:
    """An absolute, signed, expiring link to the export's CSV."""
    return _link(settings, f"/files/exports/{export.id}.csv", EXPORT_PURPOSE, str(export.id), user_id, now)


def _link(settings: Settings, path: str, purpose: str, subject: str, user_id: int, now: datetime) -> str:
    secret = settings.signing_secret()
    signed = signed_path(secret=secret, path=path, purpose=purpose, subject=subject, user_id=user_id, now=now)
    return settings.public_url.rstrip("/") + signed


def _file_subject(job: CertificateFileJob | None) -> str:
    return "missing" if job is None or job.file_sha256 is None else f"{job.id}:{job.file_sha256}"


def _certificate_subject(certificate: Certificate | None) -> str:
    return "missing" if certificate is None else f"{certificate.id}:{certificate.code}"


def file_routes(settings: Settings, clock: Clock) -> list[Route]:
    def signed_for(request: Request, purpose: str, subject: str) -> int:
        """The user the request's link was made for; BadLink when it is not a genuine, current link."""
        return check_link(
            secret=settings.signing_secret(),
            purpose=purpose,
            subject=subject,
            query=request.query_params,
            now=clock.now(),
        )

    async def still_theirs(user_id: int, partner_id: int) -> bool:
        """Whether the link's user may still have what it names: someone removed, or moved to another
        partner, within the link's minutes cannot use it."""
        user = await User.get_or_none(id=user_id).only("id", "role", "partner_id")
        return user is not None and (user.role is Role.STAFF or user.partner_id == partner_id)

    async def audited(request: Request, *, user_id: int, partner_id: int, subject: str) -> None:
        """One entry per download: a HEAD, or a reader fetching the rest of a file in ranges, is
        not another download (and cannot be used to flood the log)."""
        if request.method != "GET" or not request.headers.get("range", "bytes=0-").startswith("bytes=0-"):
            return
        await audit.record(
            action=AuditAction.FILE_DOWNLOADED,
            now=clock.now(),
            actor_id=user_id,
            partner_id=partner_id,
            subject=subject,
            address=request.client.host if request.client else "",
        )

    async def candidates_csv(request: Request) -> Response:
        export_id: int = request.path_params["export_id"]
        try:
            user_id = signed_for(request, EXPORT_PURPOSE, str(export_id))
        except BadLink as bad:
            return PlainTextResponse(bad.problem.value, status_code=403)
        export = (
            await CandidateExport.get_or_none(id=export_id).select_related("recognition")
            if _storable(export_id)
            else None
        )
        if export is None:
            return PlainTextResponse("Not found.", status_code=404)
        if not await still_theirs(user_id, export.recognition.partner_id):
            return PlainTextResponse(LinkProblem.INVALID.value, status_code=403)
        chunks = export_chunks(export_id=export_id, now=clock.now())
        try:
            # The first chunk checks access again (the recognition may be gone) before the response starts.
            first = await anext(chunks)
        except DomainError:
            return PlainTextResponse("Not found.", status_code=404)
        await audited(
            request,
            user_id=user_id,
            partner_id=export.recognition.partner_id,
            subject=f"CandidateExport:{export_id}",
        )
        return StreamingResponse(
            _encoded(first, chunks),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="course-takers-{export_id}.csv"'},
        )

    async def certificate_pdf(request: Request) -> Response:
        certificate_id: int = request.path_params["certificate_id"]
        certificate = await Certificate.get_or_none(id=certificate_id) if _storable(certificate_id) else None
        try:
            user_id = signed_for(request, CERTIFICATE_PURPOSE, _certificate_subject(certificate))
        except BadLink as bad:
            return PlainTextResponse(bad.problem.value, status_code=403)
        if certificate is None or not await still_theirs(user_id, certificate.partner_id):
            return PlainTextResponse(LinkProblem.INVALID.value, status_code=403)
        if refusal := download_refusal(certificate):  # revoked (say) since the link was made
            return PlainTextResponse(refusal, status_code=410)
        # Issued for a combined file, a certificate gets its own PDF on its first download.
        certificate = await ensure_file(certificate, files_dir=settings.resolved_files_dir)
        await audited(
            request,
            user_id=user_id,
            partner_id=certificate.partner_id,
            subject=f"Certificate:{certificate.id}",
        )
        return FileResponse(
            certificate_path(settings.resolved_files_dir, certificate),
            media_type="application/pdf",
            filename=f"certificate-{certificate.code}.pdf",
        )

    async def combined_file(request: Request) -> Response:
        job_id: int = request.path_params["job_id"]
        job = await CertificateFileJob.get_or_none(id=job_id) if _storable(job_id) else None
        try:
            user_id = signed_for(request, FILE_PURPOSE, _file_subject(job))
        except BadLink as bad:
            return PlainTextResponse(bad.problem.value, status_code=403)
        if job is None or not await still_theirs(user_id, job.partner_id):
            return PlainTextResponse(LinkProblem.INVALID.value, status_code=403)
        path = file_path(settings.resolved_files_dir, job)
        if not path.is_file():  # removed from the files folder since
            return PlainTextResponse("Not found.", status_code=404)
        await audited(
            request, user_id=user_id, partner_id=job.partner_id, subject=f"CertificateFileJob:{job.id}"
        )
        return FileResponse(
            path,
            media_type="application/pdf",
            filename=f"certificates-{job.id}.pdf",
        )

    async def template_preview(request: Request) -> Response:
        preview = _preview_of(request)
        try:
            user_id = signed_for(
                request, PREVIEW_PURPOSE, "missing" if preview is None else _preview_subject(preview)
            )
        except BadLink as bad:
            return PlainTextResponse(bad.problem.value, status_code=403)
        user = await User.get_or_none(id=user_id)
        if preview is None or user is None:  # cannot happen: no link names nothing
            return PlainTextResponse(LinkProblem.INVALID.value, status_code=403)
        actor = Actor(user_id=user.id, role=user.role, partner_id=user.partner_id)
        try:
            pdf = await preview_pdf(
                actor=actor, preview=preview, public_url=settings.public_url, today=clock.now().date()
            )
        except DomainError:  # the template is no longer the user's to see
            return PlainTextResponse("Not found.", status_code=404)
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="template-{preview.template_id}-preview.pdf"'},
        )

    return [
        Route("/files/certificate-template-previews/{template_id:int}.pdf", template_preview),
        Route("/files/exports/{export_id:int}.csv", candidates_csv),
        Route("/files/certificate-files/{job_id:int}.pdf", combined_file),
        Route("/files/certificates/{certificate_id:int}.pdf", certificate_pdf),
    ]


def _preview_of(request: Request) -> Preview | None:
    """The preview a link names (checked against its signature after), or None when it names none."""
    template_id: int = request.path_params["template_id"]
    version, names = request.query_params.get("version", ""), request.query_params.get("names", "")
    try:
        decoded = json.loads(names)
    except ValueError:
        return None
    if not (version.isascii() and version.isdecimal() and len(version) < 9 and _storable(template_id)):
        return None
    if not (isinstance(decoded, list) and all(isinstance(name, str) for name in decoded)):
        return None
    return Preview(template_id=template_id, version=int(version), names=tuple(decoded))


def _storable(key: int) -> bool:
    """Whether the database could hold this key at all: a larger number in a path names nothing,
    rather than failing the query."""
    return storable_key(key)


async def _encoded(first: str, rest: AsyncIterator[str]) -> AsyncIterator[bytes]:
    yield first.encode("utf-8")
    async for chunk in rest:
        yield chunk.encode("utf-8")
