"""The credentials' public addresses: the issuer's keys, the status lists, the credential files.

- ``/.well-known/jwks.json``: every public key that verifies a credential of ours (JWKS);
- ``/credentials/issuer``, ``/credentials/issuers/{partner}``: the issuers' profiles (their ids);
- ``/credentials/status/{n}``: a signed Bitstring Status List (``application/vc+jwt``), with an
  ETag and a short max-age, answered 304 when the verifier has it already;
- ``/files/credentials/{id}.jwt``: a certificate's credential, by signed link (from the API);
- ``/verify/{code}/credential.jwt``: the same, from the verify page (public, rate-limited);
- each also as ``.json``: the same signed credential enveloped in JSON (VC-JOSE-COSE's
  ``EnvelopedVerifiableCredential``); the same signed link serves both.
"""

from __future__ import annotations

import json
from datetime import datetime

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from service.audit import services as audit
from service.audit.models import AuditAction
from service.certificates.models import Certificate
from service.certificates.rules import normalize_code
from service.clock import Clock
from service.credentials.config import LIST_ENTRIES, credentials_config
from service.credentials.document import certifier_profile, partner_profile
from service.credentials.issuing import credential_for
from service.credentials.signing import ENVELOPED_MEDIA_TYPE, MEDIA_TYPE, enveloped
from service.credentials.status import shared_status_lists
from service.database import storable_key
from service.errors import DomainError
from service.files.signing import BadLink, check_link, signed_path
from service.partners.models import Partner
from service.settings import Settings
from service.web.ratelimit import RateLimiter

CREDENTIAL_PURPOSE = "certificate-credential"
# The credential's files: the signed JWT, and the same enveloped in JSON.
SUFFIXES = ("jwt", "json")


def credential_link(
    *, settings: Settings, certificate: Certificate, user_id: int, now: datetime, suffix: str = "jwt"
) -> str:
    """An absolute, signed, expiring link to a certificate's credential (``.jwt`` or ``.json``)."""
    signed = signed_path(
        secret=settings.signing_secret(),
        path=f"/files/credentials/{certificate.id}.{suffix}",
        purpose=CREDENTIAL_PURPOSE,
        subject=_subject(certificate),
        user_id=user_id,
        now=now,
    )
    return settings.public_url.rstrip("/") + signed


def _subject(certificate: Certificate | None) -> str:
    return "missing" if certificate is None else f"{certificate.id}:{certificate.code}"


def credential_routes(settings: Settings, clock: Clock, limiter: RateLimiter) -> list[Route]:
    config = credentials_config(settings)
    lists = shared_status_lists(config)
    max_age = settings.credential_status_max_age

    public = {"Cache-Control": f"public, max-age={max_age}", "Access-Control-Allow-Origin": "*"}

    async def jwks(_: Request) -> Response:
        return JSONResponse(config.keys().jwks(), media_type="application/jwk-set+json", headers=public)

    async def certifier(_: Request) -> Response:
        return JSONResponse(certifier_profile(config), headers=public)

    async def partner(request: Request) -> Response:
        partner_id: int = request.path_params["partner_id"]
        found = await Partner.get_or_none(id=partner_id) if storable_key(partner_id) else None
        if found is None:
            return PlainTextResponse("Not found.", status_code=404)
        return JSONResponse(partner_profile(found.id, found.name, config), headers=public)

    async def status_list(request: Request) -> Response:
        list_number: int = request.path_params["list_number"]
        if not storable_key(list_number * LIST_ENTRIES + 1):
            return PlainTextResponse("Not found.", status_code=404)
        published = await lists.published(list_number)
        headers = {"ETag": published.etag, **public}
        if published.etag in _etags(request.headers.get("if-none-match", "")):
            return Response(status_code=304, headers=headers)
        return Response(published.jwt, media_type=MEDIA_TYPE, headers=headers)

    async def signed_file(request: Request) -> Response:
        certificate_id: int = request.path_params["certificate_id"]
        if request.path_params["suffix"] not in SUFFIXES:
            return PlainTextResponse("Not found.", status_code=404)
        certificate = (
            await Certificate.get_or_none(id=certificate_id) if storable_key(certificate_id) else None
        )
        try:
            user_id = check_link(
                secret=settings.signing_secret(),
                purpose=CREDENTIAL_PURPOSE,
                subject=_subject(certificate),
                query=request.query_params,
                now=clock.now(),
            )
        except BadLink as bad:
            return PlainTextResponse(bad.problem.value, status_code=403)
        assert certificate is not None, "no link names a missing certificate"
        if request.method == "GET":  # one entry per download, as for the PDFs
            await audit.record(
                action=AuditAction.FILE_DOWNLOADED,
                now=clock.now(),
                actor_id=user_id,
                partner_id=certificate.partner_id,
                subject=f"Certificate:{certificate.id}",
                details={"file": "credential"},
                address=request.client.host if request.client else "",
            )
        return await _credential_file(certificate, request.path_params["suffix"])

    async def public_file(request: Request) -> Response:
        if request.path_params["suffix"] not in SUFFIXES:
            return PlainTextResponse("Not found.", status_code=404)
        address = request.client.host if request.client else "unknown"
        wait = await limiter.attempt(address, clock.now())
        if wait is not None:
            return PlainTextResponse(
                "Too many requests.", status_code=429, headers={"Retry-After": str(wait)}
            )
        try:
            code = normalize_code(request.path_params["code"])
        except DomainError:
            return PlainTextResponse("Not found.", status_code=404)
        certificate = await Certificate.get_or_none(code=code)
        if certificate is None:
            return PlainTextResponse("Not found.", status_code=404)
        return await _credential_file(certificate, request.path_params["suffix"])

    async def _credential_file(certificate: Certificate, suffix: str) -> Response:
        issued = await credential_for(certificate, config)
        if issued is None:  # revoked, voided or replaced: no new credential for it
            return PlainTextResponse("This certificate is no longer valid.", status_code=410)
        body, media_type = (
            (issued.jwt, MEDIA_TYPE)
            if suffix == "jwt"
            else (json.dumps(enveloped(issued.jwt), indent=2), ENVELOPED_MEDIA_TYPE)
        )
        return Response(
            body,
            media_type=media_type,
            headers={
                "Content-Disposition": f'attachment; filename="certificate-{certificate.code}.{suffix}"',
                "Cache-Control": "no-store",
            },
        )

    return [
        Route("/.well-known/jwks.json", jwks),
        Route("/credentials/issuer", certifier),
        Route("/credentials/issuers/{partner_id:int}", partner),
        Route("/credentials/status/{list_number:int}", status_list),
        Route("/files/credentials/{certificate_id:int}.{suffix}", signed_file),
        Route("/verify/{code}/credential.{suffix}", public_file),
    ]


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}
