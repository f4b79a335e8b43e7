"""A stand-in for Canvas (which we cannot reach from here): an HTTP server speaking the parts of the
Canvas REST API the progress sync uses, as Canvas documents them.

- `GET /api/v1/courses/:id/enrollments` (`type[]=StudentEnrollment`, `per_page` up to 100, `page`):
  Enrollment objects with their `user`;
- `GET /api/v1/courses/:id/bulk_user_progress`: `[{id, display_name, progress: {...}}]`;
- `GET /api/v1/courses/:id/users/:user_id/progress`: `{requirement_count,
  requirement_completed_count, next_requirement_url, completed_at}`;
- pagination by the `Link` header (`current`, `next`, `first`, `last`);
- bearer tokens: a token it does not take answered 401 with `WWW-Authenticate` and "Invalid access
  token."; a course the token's user may not read, 401 without it, `{"status": "unauthorized", …}`;
- `X-Rate-Limit-Remaining` on every answer, and throttling as Canvas does it: `403 Forbidden (Rate
  Limit Exceeded)`;
- 404 for a student's progress when they are not (any more) in the course.

And what goes wrong in front of a real Canvas: a page answered by something else (a proxy's HTML page,
200), a Canvas that has moved (301), next links that lead to another address, go round in a circle or
never end, and a hook run at each request (a clock moved as the read goes on).
A student listed twice in a course (two `Student`s with one `user_id`) is listed twice by both lists.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route


@dataclass
class Student:
    user_id: int
    name: str
    login_id: str | None
    requirement_count: int
    requirement_completed_count: int
    completed_at: str | None = None
    locale: str | None = None  # the user's own locale setting, as Canvas gives it (e.g. "zh_HK")

    def progress(self) -> dict[str, Any]:
        return {
            "requirement_count": self.requirement_count,
            "requirement_completed_count": self.requirement_completed_count,
            "next_requirement_url": None,
            "completed_at": self.completed_at,
        }


@dataclass
class FakeCanvas:
    token: str
    courses: dict[str, list[Student]] = field(default_factory=dict)
    failing: set[str] = field(default_factory=set)  # courses that always answer 500
    unauthorized: set[str] = field(default_factory=set)  # courses the token's user may not read
    without_bulk_progress: set[str] = field(default_factory=set)
    throttle_every: int = 0  # every n-th request is refused as over budget (0: never)
    html_pages: dict[str, int] = field(default_factory=dict)  # course: the enrolments' page a proxy answers
    moved_to: str | None = None  # every request answered 301 to this address
    next_elsewhere: str | None = None  # every next link to this address (scheme, host, port) instead
    circling: set[str] = field(default_factory=set)  # courses whose last page's next is the first
    endless: set[str] = field(default_factory=set)  # courses whose every page has a next (empty) one
    left_course: set[int] = field(default_factory=set)  # students whose own progress answers 404
    on_request: Callable[[], Awaitable[None]] | None = None
    requests: int = 0
    throttled: int = 0
    paths: list[str] = field(default_factory=list)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/api/v1/courses/{course}/enrollments", self._enrollments),
                Route("/api/v1/courses/{course}/bulk_user_progress", self._bulk_progress),
                Route("/api/v1/courses/{course}/users/{user}/progress", self._user_progress),
            ]
        )

    async def _refusal(self, request: Request) -> Response | None:
        self.requests += 1
        self.paths.append(request.url.path)
        if self.on_request is not None:
            await self.on_request()
        if self.moved_to is not None:
            return RedirectResponse(f"{self.moved_to}{request.url.path}?{request.url.query}", status_code=301)
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return JSONResponse(
                {"errors": [{"message": "Invalid access token."}]},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="canvas-lms"'},
            )
        if self.throttle_every and self.requests % self.throttle_every == 0:
            self.throttled += 1
            return PlainTextResponse(
                "403 Forbidden (Rate Limit Exceeded)",
                status_code=403,
                headers={"X-Rate-Limit-Remaining": "0.0"},
            )
        course = request.path_params["course"]
        if course in self.failing:
            return JSONResponse({"errors": [{"message": "An error occurred."}]}, status_code=500)
        if course in self.unauthorized:
            return JSONResponse(
                {
                    "status": "unauthorized",
                    "errors": [{"message": "user not authorized to perform that action"}],
                },
                status_code=401,
            )
        if course not in self.courses:
            return JSONResponse(
                {"errors": [{"message": "The specified resource does not exist."}]}, status_code=404
            )
        return None

    def _page(self, request: Request, items: list[dict[str, Any]]) -> Response:
        per_page = min(int(request.query_params.get("per_page", "10")), 100)
        page = int(request.query_params.get("page", "1"))
        last = max(1, -(-len(items) // per_page))

        course = request.path_params["course"]

        def link(number: int) -> str:
            query = dict(request.query_params) | {"page": str(number), "per_page": str(per_page)}
            return str(request.url.replace_query_params(**query))

        relations = {"current": page, "first": 1, "last": last}
        if page < last or course in self.endless:
            relations["next"] = page + 1
        elif course in self.circling:
            relations["next"] = 1
        if page > 1:
            relations["prev"] = page - 1
        links = {name: link(number) for name, number in relations.items()}
        if self.next_elsewhere is not None and "next" in links:
            links["next"] = self.next_elsewhere + links["next"].removeprefix(
                f"{request.base_url}".rstrip("/")
            )
        header = ",".join(f'<{url}>; rel="{name}"' for name, url in links.items())
        chunk = items[(page - 1) * per_page : page * per_page]
        return JSONResponse(chunk, headers={"Link": header, "X-Rate-Limit-Remaining": "650.0"})

    async def _enrollments(self, request: Request) -> Response:
        if refusal := await self._refusal(request):
            return refusal
        course = request.path_params["course"]
        assert request.query_params.getlist("type[]") == ["StudentEnrollment"]
        if self.html_pages.get(course) == int(request.query_params.get("page", "1")):
            return HTMLResponse("<html><body><h1>Down for maintenance</h1></body></html>")
        items = [
            {
                "id": 10_000 + student.user_id,
                "course_id": int(course) if course.isdecimal() else course,
                "user_id": student.user_id,
                "type": "StudentEnrollment",
                "enrollment_state": "active",
                "user": {
                    "id": student.user_id,
                    "name": student.name,
                    "login_id": student.login_id,
                    **({"locale": student.locale} if student.locale else {}),
                },
            }
            for student in self.courses[course]
        ]
        return self._page(request, items)

    async def _bulk_progress(self, request: Request) -> Response:
        if refusal := await self._refusal(request):
            return refusal
        course = request.path_params["course"]
        if course in self.without_bulk_progress:
            return JSONResponse(
                {"errors": [{"message": "The specified resource does not exist."}]}, status_code=404
            )
        items = [
            {"id": s.user_id, "display_name": s.name, "progress": s.progress()} for s in self.courses[course]
        ]
        return self._page(request, items)

    async def _user_progress(self, request: Request) -> Response:
        if refusal := await self._refusal(request):
            return refusal
        user = int(request.path_params["user"])
        found = [s for s in self.courses[request.path_params["course"]] if s.user_id == user]
        if not found or user in self.left_course:
            return JSONResponse(
                {"errors": [{"message": "The specified resource does not exist."}]}, status_code=404
            )
        return JSONResponse(found[0].progress(), headers={"X-Rate-Limit-Remaining": "650.0"})
