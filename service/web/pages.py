"""Our browser pages: the example partner portal at `/` and GraphiQL, both served with their
scripts from this app (third-party bundles installed by `make assets`, never from a CDN)."""

from __future__ import annotations

from pathlib import Path

from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
VENDOR_DIR = STATIC_DIR / "vendor"
TEMPLATES_DIR = HERE / "templates"
INSTALL_COMMAND = "make assets"

# Only this origin's scripts, styles, images and connections (fetch and the same-origin WebSocket).
DASHBOARD_POLICY = (
    "default-src 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'; form-action 'none'"
)
# GraphiQL's stylesheet embeds its fonts and icons as data URLs. (Its inline styles are set through
# the DOM, which a policy does not restrict, so styles need no 'unsafe-inline'.)
GRAPHIQL_POLICY = f"{DASHBOARD_POLICY}; font-src 'self' data:; img-src 'self' data:"


class Page:
    """An HTML page of ours whose third-party bundles must be installed before it can work."""

    def __init__(self, template: str, *, bundles: tuple[str, ...], policy: str) -> None:
        self.template = TEMPLATES_DIR / template
        self.bundles = bundles
        self.policy = policy

    def response(self) -> Response:
        headers = {
            "Content-Security-Policy": self.policy,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
        }
        missing = [name for name in self.bundles if not (VENDOR_DIR / name).is_file()]
        if missing:
            return HTMLResponse(_missing_bundles_page(missing), status_code=503, headers=headers)
        return HTMLResponse(self.template.read_text(encoding="utf-8"), headers=headers)


DASHBOARD = Page("dashboard.html", bundles=("graphql-ws.min.js",), policy=DASHBOARD_POLICY)
GRAPHIQL = Page(
    "graphiql.html",
    bundles=("react.production.min.js", "react-dom.production.min.js", "graphiql.min.js", "graphiql.min.css"),
    policy=GRAPHIQL_POLICY,
)


async def dashboard(_: Request) -> Response:
    return DASHBOARD.response()


async def recognition_page(_: Request) -> Response:
    """The example portal's deep links, which our mail opens: `/recognitions/{id}` (a recognition's
    details) and `/recognitions/{id}/certificates` (its certificates step), `{id}` the API's global id
    (or, in links mailed before ids were global, a database number). The page reads the path itself,
    asking for sign-in first when the tab has no token."""
    return DASHBOARD.response()


def page_routes() -> list[BaseRoute]:
    """`/` (the example portal), its deep links `/recognitions/…`, its "Certificate design" screen
    `/templates`, and `/static/…` (our scripts and
    the installed bundles)."""
    return [
        Route("/", dashboard),
        # `path`: an id is percent-encoded base64, and a decoded "/" in it must still reach the page.
        Route("/recognitions/{rest:path}", recognition_page),
        Route("/templates", dashboard),
        # check_dir=False: without `make assets` the pages still answer, and say what to run.
        # Compressed for clients that accept it: GraphiQL's bundle alone is 3.5 MB as published.
        Mount(
            "/static",
            GZipMiddleware(StaticFiles(directory=STATIC_DIR, check_dir=False), minimum_size=1024),
            name="static",
        ),
    ]


def _missing_bundles_page(missing: list[str]) -> str:
    names = ", ".join(missing)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Scripts not installed</title>'
        "</head><body><h1>This page's scripts are not installed</h1>"
        f"<p>Missing: {names}. Install them from the npm registry with <code>{INSTALL_COMMAND}</code> "
        "(it runs <code>npm ci</code> in <code>assets/</code>), then reload.</p></body></html>"
    )
