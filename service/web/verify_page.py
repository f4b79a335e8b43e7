"""/verify/{code}: the page a certificate's QR code opens. Public, small, rate-limited."""

from __future__ import annotations

import base64
import hashlib
import html
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from service.certificates.models import Certificate
from service.certificates.verification import Outcome, Verification, verify
from service.clock import Clock
from service.credentials.document import linkedin_url
from service.dates import written_day
from service.web.ratelimit import RateLimiter

STYLE = (
    "body{font-family:Georgia,serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#222}"
    "h1{color:#1F3A5F;font-size:1.5rem}.valid{color:#1b6e3a}.pending{color:#8a5a00}.invalid{color:#9b1c1c}"
    "dt{color:#666;font-size:.85rem;margin-top:.8rem}dd{margin:0;font-size:1.1rem}code{font-size:1.1rem}"
)


# Nothing but this page's own inline style: no scripts, no frames, no forms, nothing fetched.
STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
POLICY = (
    f"default-src 'none'; style-src 'sha256-{STYLE_HASH}'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def verification_page(clock: Clock, limiter: RateLimiter) -> Callable[[Request], Awaitable[Response]]:
    async def page(request: Request) -> Response:
        address = request.client.host if request.client else "unknown"
        wait = await limiter.attempt(address, clock.now())
        if wait is not None:
            return HTMLResponse(
                _document(
                    "Too many checks",
                    "<p>Too many verifications from your address. Try again in a minute.</p>",
                ),
                status_code=429,
                headers={**HEADERS, "Retry-After": str(wait)},
            )
        result = await verify(request.path_params["code"])
        status = 404 if result.outcome in (Outcome.UNKNOWN, Outcome.MISTYPED, Outcome.MALFORMED) else 200
        body = _body(result)
        if result.outcome in (Outcome.VALID, Outcome.PROVISIONAL):
            body += await _credential_links(result.code)
        return HTMLResponse(_document("Certificate verification", body), status_code=status, headers=HEADERS)

    return page


def _body(result: Verification) -> str:
    css = {Outcome.VALID: "valid", Outcome.PROVISIONAL: "pending"}.get(result.outcome, "invalid")
    parts = [
        f"<p>Code <code>{html.escape(result.code)}</code></p>",
        f'<p class="{css}"><strong>{html.escape(result.message)}</strong></p>',
    ]
    if result.outcome in (Outcome.VALID, Outcome.PROVISIONAL):
        # Names and titles in any script: each value takes its own direction, and the name its
        # language (Han characters in its regional forms, as the certificate prints them).
        name_language = (
            f' lang="{html.escape(result.recipient_language)}"' if result.recipient_language else ""
        )
        details = [
            ("Awarded to", result.recipient_name, name_language),
            ("Certificate", result.certificate_type, ""),
            ("Institution", result.partner_name, ""),
            (
                "Date",
                written_day(result.awarded_on) if result.awarded_on else "Pending completion",
                "",
            ),
        ]
        parts.append(
            "<dl>"
            + "".join(
                f'<dt>{label}</dt><dd{language} dir="auto">{html.escape(value or "")}</dd>'
                for label, value, language in details
            )
            + "</dl>"
        )
    return "".join(parts)


async def _credential_links(code: str) -> str:
    """The certificate as a digital credential (Open Badges 3.0), and LinkedIn's "Add to profile"
    once it is valid: plain links, nothing fetched from LinkedIn."""
    certificate = await Certificate.get_or_none(code=code)
    if certificate is None:
        return ""
    links = [
        f'<a href="/verify/{html.escape(code)}/credential.jwt" download>Download the digital credential</a> '
        f'(Open Badges 3.0, signed; also <a href="/verify/{html.escape(code)}/credential.json" download>as '
        "JSON</a>)"
    ]
    linkedin = linkedin_url(certificate)
    if linkedin is not None:
        links.append(f'<a href="{html.escape(linkedin)}" rel="noopener">Add to LinkedIn profile</a>')
    return '<ul class="links">' + "".join(f"<li>{link}</li>" for link in links) + "</ul>"


def _document(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="robots" content="noindex">'
        f"<style>{STYLE}</style></head><body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )
