"""Our browser pages: the dashboard at `/` and GraphiQL, their policy, and their installed bundles."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from service.web import pages

DASHBOARD_POLICY = (
    "default-src 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'; form-action 'none'"
)
GRAPHIQL_POLICY = DASHBOARD_POLICY + "; font-src 'self' data:; img-src 'self' data:"
HTML = {"Accept": "text/html"}


def _sources(page: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', page)


async def test_the_dashboard_allows_only_this_origin(http: httpx.AsyncClient) -> None:
    response = await http.get("/", headers=HTML)

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-security-policy"] == DASHBOARD_POLICY
    assert _sources(response.text) == [
        "/static/favicon.svg",
        "/static/dashboard.css",
        "/graphql",
        "/",
        "/templates",
        "/",
        "/static/vendor/graphql-ws.min.js",
        "/static/portal/main.js",
    ]


async def test_graphiql_loads_only_what_the_app_serves(http: httpx.AsyncClient) -> None:
    response = await http.get("/graphql", headers=HTML)

    assert response.status_code == 200
    assert response.headers["content-security-policy"] == GRAPHIQL_POLICY
    assert _sources(response.text) == [
        "/static/favicon.svg",
        "/static/vendor/graphiql.min.css",
        "/static/graphiql-page.css",
        "/static/vendor/react.production.min.js",
        "/static/vendor/react-dom.production.min.js",
        "/static/vendor/graphiql.min.js",
        "/static/graphiql-setup.js",
    ]


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("/static/vendor/graphiql.min.js", "text/javascript; charset=utf-8"),
        ("/static/vendor/graphiql.min.css", "text/css; charset=utf-8"),
        ("/static/vendor/graphql-ws.min.js", "text/javascript; charset=utf-8"),
        ("/static/portal/main.js", "text/javascript; charset=utf-8"),
    ],
)
async def test_the_installed_bundles_and_our_scripts_are_served(
    http: httpx.AsyncClient, path: str, media_type: str
) -> None:
    response = await http.get(path)

    assert (response.status_code, response.headers["content-type"]) == (200, media_type)
    assert len(response.content) > 1000


async def test_static_files_are_compressed_for_clients_that_accept_it(http: httpx.AsyncClient) -> None:
    plain = await http.get("/static/vendor/graphiql.min.js", headers={"Accept-Encoding": "identity"})
    compressed = await http.get("/static/vendor/graphiql.min.js", headers={"Accept-Encoding": "gzip"})

    assert (plain.headers.get("content-encoding"), compressed.headers["content-encoding"]) == (None, "gzip")
    assert compressed.content == plain.content  # httpx decodes it
    assert compressed.num_bytes_downloaded < len(plain.content) / 3


@pytest.mark.parametrize(
    ("path", "missing"),
    [
        ("/", "graphql-ws.min.js"),
        (
            "/graphql",
            "react.production.min.js, react-dom.production.min.js, graphiql.min.js, graphiql.min.css",
        ),
    ],
)
async def test_without_the_bundles_a_page_says_how_to_install_them(
    http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, path: str, missing: str
) -> None:
    # given bundles not installed
    monkeypatch.setattr(pages, "VENDOR_DIR", tmp_path / "not-installed")

    # when
    response = await http.get(path, headers=HTML)

    # then
    assert response.status_code == 503
    assert f"Missing: {missing}." in response.text
    assert "<code>make assets</code>" in response.text


@pytest.mark.parametrize(
    "link",
    [
        "/recognitions/Q2VyZW1vbnk6OQ==",
        "/recognitions/Q2VyZW1vbnk6OQ%3D%3D/certificates",
        "/recognitions/9",
        "/recognitions/9/certificates",
        "/templates",
    ],
)
async def test_mailed_links_and_the_design_screen_open_the_example_portal_on_their_own_path(
    http: httpx.AsyncClient, link: str
) -> None:
    response = await http.get(link, headers=HTML)

    home = await http.get("/", headers=HTML)
    assert (response.status_code, response.text) == (200, home.text)
    assert response.headers["content-security-policy"] == DASHBOARD_POLICY
