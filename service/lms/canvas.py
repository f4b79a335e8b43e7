"""A client for the parts of the Canvas LMS REST API the progress sync reads.

- `GET /api/v1/courses/:id/enrollments?type[]=StudentEnrollment` — who is enrolled;
- `GET /api/v1/courses/:id/bulk_user_progress` — every student's progress at once;
- `GET /api/v1/courses/:id/users/:user_id/progress` — one student's, where the bulk endpoint is
  not offered.

Lists are paginated with the `Link` header (`rel="next"`). Canvas throttles per token: each
answer says how much of the budget is left (`X-Rate-Limit-Remaining`), and a request over budget
is answered `403 Forbidden (Rate Limit Exceeded)`. The client slows down when the budget runs low
and retries throttled (and 5xx) answers with exponential backoff.

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


class CanvasError(Exception):
    """A course could not be read; the message says why in words staff can act on."""


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
        url: str | None = path
        query: dict[str, str] | None = params
        while url is not None:
            answer = await self._get(url, query)
            query = None  # the next link carries them (an empty dict would wipe them)
            for item in _json(answer, list):
                if not isinstance(item, dict):
                    raise CanvasError(f"Canvas answered {answer.url.path} with a list of something else.")
                yield item
            url = answer.links.get("next", {}).get("url")

    async def _tried(self) -> None:
        if self.answered is not None:
            await self.answered()

    async def _get(self, url: str, params: dict[str, str] | None) -> httpx.Response:
        for attempt in range(self.attempts):
            try:
                answer = await self._http.get(url, params=params)
            except httpx.TransportError as error:
                await self._tried()
                if attempt == self.attempts - 1:
                    raise CanvasError(f"Canvas could not be reached ({type(error).__name__}).") from error
                await asyncio.sleep(self.pause * 2**attempt)
                continue
            await self._tried()
            if _throttled(answer) or answer.status_code >= 500:
                if attempt == self.attempts - 1:
                    break
                await asyncio.sleep(min(_retry_after(answer) or self.pause * 2**attempt, 60))
                continue
            if answer.status_code == 404:
                raise _NotFound
            if answer.status_code == 401:
                raise CanvasError("Canvas refused the API token (401); check the partner's Canvas token.")
            if answer.is_redirect:
                # Not followed: the token goes only to the address the partner was connected to.
                moved = answer.url.join(answer.headers["Location"])
                raise CanvasError(
                    f"Canvas answered {answer.status_code} for {answer.url.path}, moving it to "
                    f"{moved.scheme}://{moved.netloc.decode()}: connect the partner to Canvas's address "
                    "as it is now (portal connect-canvas)."
                )
            if answer.status_code >= 300:
                raise CanvasError(f"Canvas answered {answer.status_code} for {answer.url.path}.")
            remaining = _float(answer.headers.get("X-Rate-Limit-Remaining"))
            if remaining is not None and remaining < LOW_BUDGET:
                await asyncio.sleep(self.pause)  # let the budget refill a little
            return answer
        raise CanvasError(
            f"Canvas kept refusing ({answer.status_code}) after {self.attempts} attempts; try again later."
        )


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
