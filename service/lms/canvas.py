"""A client for the parts of the Canvas LMS REST API the progress sync reads.

- `GET /api/v1/courses/:id/enrollments?type[]=StudentEnrollment` — who is enrolled;
- `GET /api/v1/courses/:id/bulk_user_progress` — every student's progress at once;
- `GET /api/v1/courses/:id/users/:user_id/progress` — one student's, where the bulk endpoint is
  not offered.

Lists are paginated with the `Link` header (`rel="next"`). A next page is followed only on the
partner's Canvas itself (the scheme, host and port it was connected with: the API token goes nowhere
else), only to a page not read yet, and for ``MAX_PAGES`` pages at most: a link elsewhere, a list
that goes round in a circle or never ends fails the course. Canvas throttles per token: each
answer says how much of the budget is left (`X-Rate-Limit-Remaining`), and a request over budget
is answered `403 Forbidden (Rate Limit Exceeded)`. The client slows down when the budget runs low
and retries throttled (and 5xx) answers with exponential backoff.

Canvas answers 401 for two things (its OAuth2 documentation, "Storing Tokens"): a token it does not
take — invalid, expired or deleted — with a `WWW-Authenticate` header (`{"errors": [{"message":
"Invalid access token."}]}`), and a valid token whose user may not see what was asked, without one
(`{"status": "unauthorized", "errors": [{"message": "user not authorized to perform that
action"}]}`). The first is the partner's (``CanvasTokenRefused``: the token must be replaced), the
second the course's. How a request failed also says whether Canvas itself may be down
(``CanvasUnreachable``, ``CanvasUnavailable``): the sync then stops reading the partner's courses.

Canvas may list one student more than once (an enrolment per section, or a list that moved while its
pages were read): the enrolments come back as listed (the sync reads each student once), and a
student's progress listed twice is the furthest of the two (``rules.furthest``). An answer that is not
what Canvas documents (a redirect, a page that is not JSON) fails the course with what it was, as does
one that keeps failing; a student who left the course between the two reads has no progress.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from service.lms.rules import furthest

PAGE_SIZE = 100  # the most Canvas gives per page
LOW_BUDGET = 50.0  # X-Rate-Limit-Remaining under this: pause before the next request
MAX_PAGES = 1000
"""The most pages of one list followed (100,000 entries at ``PAGE_SIZE`` a page, far more students
than a course has): a list that goes on past them is taken for one that never ends."""
DEFAULT_PORTS = {"http": 80, "https": 443}


class CanvasError(Exception):
    """A course could not be read; the message says why in words staff can act on."""


class CanvasUnavailable(CanvasError):
    """Canvas gave no answer to a request through every attempt (5xx, a timeout): it may be down, or
    only failing on this course."""


class CanvasUnreachable(CanvasUnavailable):
    """No connection to Canvas could be made through every attempt: nothing answers at its address."""


class CanvasTokenRefused(CanvasError):
    """Canvas does not take the partner's API token (invalid, expired or deleted): no course can be
    read until it is replaced."""


@dataclass(frozen=True)
class CanvasStudent:
    user_id: str
    name: str
    email: str | None
    locale: str | None = None  # the user's own Canvas locale, when they set one


@dataclass(frozen=True)
class CanvasProgress:
    requirement_count: int
    requirement_completed_count: int
    completed_at: datetime | None


class CanvasClient:
    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        pause: float = 1.0,
        attempts: int = 6,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
        answered: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        """``answered`` is awaited after each request, answered or not (the sync renews its lease there)."""
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=timeout,
            transport=transport,
        )
        self.pause = pause
        self.attempts = attempts
        self.answered = answered
        self.answers = 0
        """How many requests Canvas has answered (anything but a 5xx): it is up."""

    async def __aenter__(self) -> CanvasClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self._http.aclose()

    async def students(self, course_id: str) -> list[CanvasStudent]:
        """The course's student enrolments, as Canvas lists them (a student may be listed more than once)."""
        students = []
        params = {"type[]": "StudentEnrollment", "per_page": str(PAGE_SIZE)}
        try:
            async for enrollment in self._pages(f"/api/v1/courses/{course_id}/enrollments", params):
                user = enrollment.get("user") or {}
                login = user.get("email") or user.get("login_id")
                students.append(
                    CanvasStudent(
                        user_id=str(enrollment["user_id"]),
                        name=str(user.get("name") or user.get("sortable_name") or ""),
                        email=login if isinstance(login, str) and "@" in login else None,
                        locale=_locale(user.get("locale") or user.get("effective_locale")),
                    )
                )
        except _NotFound:
            raise CanvasError(
                "Canvas does not know this course (404); check the cohort's LMS course id."
            ) from None
        return students

    async def progress(self, course_id: str, user_ids: list[str]) -> dict[str, CanvasProgress]:
        """Each student's progress: in bulk, or one by one where the bulk endpoint is not offered. A
        student listed twice has the furthest of their two; one Canvas no longer has in the course
        (they left it since their enrolment was read) has none."""
        path = f"/api/v1/courses/{course_id}/bulk_user_progress"
        found: dict[str, CanvasProgress] = {}
        try:
            async for entry in self._pages(path, {"per_page": str(PAGE_SIZE)}):
                user_id, read = str(entry["id"]), _progress(entry.get("progress") or {})
                found[user_id] = furthest(found[user_id], read) if user_id in found else read
            return found
        except _NotFound:  # not offered by this Canvas
            found = {}
        for user_id in dict.fromkeys(user_ids):
            try:
                answer = await self._get(f"/api/v1/courses/{course_id}/users/{user_id}/progress", None)
            except _NotFound:
                continue
            found[user_id] = _progress(_json(answer, dict))
        return found

    async def _pages(self, path: str, params: dict[str, str]) -> AsyncIterator[dict[str, Any]]:
        url: str | httpx.URL = path
        query: dict[str, str] | None = params
        read: set[str] = set()
        while True:
            answer = await self._get(url, query)
            query = None  # the next link carries them (an empty dict would wipe them)
            read.add(str(answer.url))
            for item in _json(answer, list):
                if not isinstance(item, dict):
                    raise CanvasError(f"Canvas answered {answer.url.path} with a list of something else.")
                yield item
            link = answer.links.get("next", {}).get("url")
            if link is None:
                return
            url = self._next_page(path, answer, link, read)

    def _next_page(self, path: str, answer: httpx.Response, link: str, read: set[str]) -> httpx.URL:
        """Where the list goes on, if it may be followed: on the partner's Canvas (the token goes to no
        other address), to a page not read yet, within ``MAX_PAGES``."""
        try:
            following = answer.url.join(link)
        except httpx.InvalidURL:
            raise CanvasError(f"Canvas's link to the next page of {path} is not an address.") from None
        if _origin(following) != _origin(self._http.base_url):
            raise CanvasError(
                f"Canvas's next page of {path} is on another address ({address_of(following)}): not "
                "followed, so the partner's API token is not sent there."
            )
        if str(following) in read:
            raise CanvasError(
                f"Canvas's pages of {path} go round in a circle (the next page is one already read): "
                "stopped there."
            )
        if len(read) >= MAX_PAGES:
            raise CanvasError(
                f"Canvas's pages of {path} go on past {MAX_PAGES} pages of {PAGE_SIZE}: stopped there, "
                "taken for a list that never ends."
            )
        return following

    async def _tried(self) -> None:
        if self.answered is not None:
            await self.answered()

    async def _get(self, url: str | httpx.URL, params: dict[str, str] | None) -> httpx.Response:
        for attempt in range(self.attempts):
            last = attempt == self.attempts - 1
            try:
                answer = await self._http.get(url, params=params)
            except httpx.TransportError as error:
                await self._tried()
                if last:
                    # No connection at all is Canvas's address not answering; anything else (a read
                    # that timed out, a dropped connection) may be this request's alone.
                    unconnected = isinstance(error, httpx.ConnectError | httpx.ConnectTimeout)
                    unreached = CanvasUnreachable if unconnected else CanvasUnavailable
                    raise unreached(f"Canvas could not be reached ({type(error).__name__}).") from error
                await asyncio.sleep(self.pause * 2**attempt)
                continue
            await self._tried()
            if answer.status_code < 500:
                self.answers += 1
            if _throttled(answer) or answer.status_code >= 500:
                if last:
                    # A throttled answer is Canvas answering (the token's budget is spent).
                    refused = CanvasUnavailable if answer.status_code >= 500 else CanvasError
                    raise refused(
                        f"Canvas kept refusing ({answer.status_code}) after {self.attempts} attempts; "
                        "try again later."
                    )
                await asyncio.sleep(min(_retry_after(answer) or self.pause * 2**attempt, 60))
                continue
            if answer.status_code == 404:
                raise _NotFound
            if answer.status_code == 401:
                raise _unauthorized(answer)
            if answer.is_redirect:
                # Not followed: the token goes only to the address the partner was connected to.
                moved = answer.url.join(answer.headers["Location"])
                raise CanvasError(
                    f"Canvas answered {answer.status_code} for {answer.url.path}, moving it to "
                    f"{address_of(moved)}: connect the partner to Canvas's address "
                    "as it is now (portal connect-canvas)."
                )
            if answer.status_code >= 300:
                raise CanvasError(f"Canvas answered {answer.status_code} for {answer.url.path}.")
            remaining = _float(answer.headers.get("X-Rate-Limit-Remaining"))
            if remaining is not None and remaining < LOW_BUDGET:
                await asyncio.sleep(self.pause)  # let the budget refill a little
            return answer
        raise AssertionError("every attempt returns or raises")


class _NotFound(Exception):
    """Canvas answered 404: what that means depends on what was asked (the caller says)."""


def _json(answer: httpx.Response, kind: type[list[Any]] | type[dict[str, Any]]) -> Any:
    """The answer's JSON, which must be a ``kind``: a page that is something else (a proxy's page
    answered in Canvas's place) fails the course with what it was."""
    try:
        value = answer.json()
    except ValueError:
        value = None
    if not isinstance(value, kind):
        content = answer.headers.get("Content-Type", "no content type").split(";")[0]
        raise CanvasError(
            f"Canvas answered {answer.url.path} with something other than the JSON it documents "
            f"({content}); try again later."
        )
    return value


def _unauthorized(answer: httpx.Response) -> CanvasError:
    """Canvas's 401, told apart as its documentation says: with `WWW-Authenticate` (or "unauthenticated",
    "Invalid access token.") the token is not taken; with "unauthorized" its user may not read this."""
    try:
        body = answer.json()
    except ValueError:
        body = None
    body = body if isinstance(body, dict) else {}
    status = str(body.get("status") or "").lower()
    said = " ".join(
        str(error.get("message") or "") for error in body.get("errors") or [] if isinstance(error, dict)
    ).lower()
    if "WWW-Authenticate" in answer.headers or status == "unauthenticated" or "access token" in said:
        return CanvasTokenRefused(
            "Canvas does not take the partner's API token: it is invalid or has expired (401). Replace "
            "it with a new token of a Canvas user who may read the partner's courses."
        )
    if status == "unauthorized" or "not authorized" in said:
        return CanvasError(
            f"Canvas answered that the API token's user is not authorized to read {answer.url.path} "
            "(401): give that user access to the course in Canvas, or check the cohort's LMS course id."
        )
    return CanvasError(
        f"Canvas answered 401 for {answer.url.path} without saying why: check that the partner's API "
        "token is valid and that its user may read the course."
    )


def address_of(url: httpx.URL | str) -> str:
    """An address as people write it: scheme, host and port (never a user or password in it)."""
    url = httpx.URL(url)
    port = "" if url.port is None else f":{url.port}"
    return f"{url.scheme}://{url.host}{port}"


def _origin(url: httpx.URL) -> tuple[str, str, int | None]:
    return url.scheme, url.host, url.port or DEFAULT_PORTS.get(url.scheme)


def _throttled(answer: httpx.Response) -> bool:
    return answer.status_code == 429 or (answer.status_code == 403 and "Rate Limit Exceeded" in answer.text)


def _retry_after(answer: httpx.Response) -> float | None:
    return _float(answer.headers.get("Retry-After"))


def _locale(value: object) -> str | None:
    """Canvas's locale as a BCP 47 tag (it writes some with an underscore, e.g. zh_HK)."""
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip().replace("_", "-")[:35]


def _float(text: str | None) -> float | None:
    try:
        return None if text is None else float(text)
    except ValueError:
        return None


def _progress(data: dict[str, Any]) -> CanvasProgress:
    completed_at = data.get("completed_at")
    return CanvasProgress(
        requirement_count=int(data.get("requirement_count") or 0),
        requirement_completed_count=int(data.get("requirement_completed_count") or 0),
        completed_at=datetime.fromisoformat(completed_at.replace("Z", "+00:00")) if completed_at else None,
    )
