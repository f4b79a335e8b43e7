"""The example dashboard and GraphiQL in a real headless Chromium, against a running `portal serve` with
the demo data: a certificates file for 20 course-takers made and downloaded, a query run in GraphiQL,
and nothing fetched from anywhere but the service itself."""

from __future__ import annotations

import base64
import importlib.util
import itertools
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from pypdf import PdfReader

if TYPE_CHECKING:
    from playwright.sync_api import ConsoleMessage, Page

from service.settings import Settings
from tests.support.processes import PORTAL, environment, start_api, stop
from tests.support.smtp_server import free_port

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
# .ci/run sets it: there, a missing browser is a failure, not a skip.
REQUIRED = os.environ.get("PORTAL_TEST_REQUIRE_BROWSER") == "1"
CHROMIUM_ARGUMENTS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ADMIN = "admin@riverside.example"
RECOGNITION = "Certificates for this year's completers"
HOSTILE_NAME = '<img src="/static/favicon.svg" onerror="alert(1)"> & co'
# Screenshots stay after the run (tmp_path is pruned), for people to look at.
OUTPUT = Path(__file__).resolve().parents[2] / "test-output" / "browser"


def _missing_browser() -> str | None:
    if importlib.util.find_spec("playwright") is None:
        return "Python's playwright is not installed (make .venv/.installed-test)"
    if not CHROMIUM.is_file():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run installs it)"
    return None


@pytest.fixture
def chromium() -> Path:
    reason = _missing_browser()
    if reason and REQUIRED:
        pytest.fail(f"PORTAL_TEST_REQUIRE_BROWSER=1 but {reason}")
    if reason:
        pytest.skip(reason)
    return CHROMIUM


@dataclass
class Portal:
    url: str
    token: str


@pytest.fixture
def portal(settings: Settings) -> Iterator[Portal]:
    """`portal serve` on a free loopback port with the demo data, making jobs in its own threads."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    more = {"PORTAL_PUBLIC_URL": url, "PORTAL_WORKER_THREADS": "2"}
    env = environment(settings, **more)
    subprocess.run([*PORTAL, "seed-demo"], env=env, check=True, capture_output=True)
    token = subprocess.run(
        [*PORTAL, "token", "--email", ADMIN], env=env, check=True, capture_output=True, text=True
    ).stdout.strip()
    api = start_api(settings, port, PORTAL_PUBLIC_URL=url, PORTAL_WORKER_THREADS="2")
    try:
        yield Portal(url, token)
    finally:
        stop(api)


@dataclass
class Watched:
    """What the pages asked the network for and complained about."""

    origin: str
    requests: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def elsewhere(self) -> list[str]:
        ours = (f"{self.origin}/", self.origin.replace("http", "ws", 1) + "/", "data:")
        return [url for url in self.requests if not url.startswith(ours)]


def test_a_partner_admin_downloads_20_certificates_and_queries_in_graphiql(
    chromium: Path, portal: Portal, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    OUTPUT.mkdir(parents=True, exist_ok=True)
    watched = Watched(portal.url)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGUMENTS)
        try:
            page = browser.new_context(
                accept_downloads=True, viewport={"width": 1200, "height": 860}
            ).new_page()
            page.on("request", lambda request: watched.requests.append(request.url))
            page.on("websocket", lambda socket: watched.requests.append(socket.url))

            def console_error(message: ConsoleMessage) -> None:
                if message.type == "error":
                    watched.problems.append(message.text)

            page.on("console", console_error)
            page.on("pageerror", lambda error: watched.problems.append(str(error)))

            # given a recognition whose name looks like markup, and the dashboard
            _create_request_named(portal, HOSTILE_NAME)
            page.goto(f"{portal.url}/")
            # when a wrong token is pasted, then the right one
            page.fill("#token", "not-a-token")
            page.click("#sign-in-form button[type=submit]")
            expect(page.locator("#sign-in-error")).to_have_text("The token is malformed.")
            page.fill("#token", f"Bearer {portal.token}")
            page.click("#sign-in-form button[type=submit]")

            # then the admin is signed in, and every name is shown as text
            expect(page.locator("#who-name")).to_have_text(
                f"Dana Whitfield ({ADMIN}) · Riverside State University"
            )
            expect(page.locator("#recognition-rows tr", has_text=HOSTILE_NAME)).to_have_count(1)
            assert page.locator("#recognition-rows img").count() == 0

            # when the admin opens a recognition's certificates and selects 20 completers
            row = page.locator("#recognition-rows tr", has_text=RECOGNITION)
            expect(row.locator(".badge")).to_have_text("Created")
            row.get_by_role("button", name="Certificates").click()
            expect(page.locator("#tab-completer")).to_have_attribute("aria-selected", "true")
            boxes = page.locator("#candidate-rows input[type=checkbox]")
            expect(boxes.first).to_be_visible()
            for position in range(20):
                boxes.nth(position).check()
            names = page.locator("#candidate-rows tr td:nth-child(2)").all_inner_texts()[:20]
            expect(page.locator("#selected-count")).to_have_text("20 selected")
            # and asks for the certificates
            page.click("#download-certificates")

            # then the subscription drives the progress bar to 100 %, and the file downloads
            expect(page.locator("#job-text")).to_have_text("ready · 20 of 20 (100 %)", timeout=45_000)
            assert page.eval_on_selector("#job-progress", "bar => [bar.value, bar.max]") == [20, 20]
            page.screenshot(path=OUTPUT / "dashboard.png")
            certificates = _download(page, "#file-link", tmp_path / "certificates.pdf")
            pages = PdfReader(certificates).pages
            assert len(pages) == 20
            # in the order they were listed
            texts = [_lines_and_pairs(sheet.extract_text()) for sheet in pages]
            assert [name in text for name, text in zip(names, texts, strict=True)] == [True] * 20
            # and the last file is that same file, and the selection exports as CSV
            page.click("#download-last")
            last = _download(page, "#last-file-link", tmp_path / "last.pdf")
            assert last.read_bytes() == certificates.read_bytes()
            page.click("#export-csv")
            csv = _download(page, "#csv-link", tmp_path / "selection.csv").read_text(encoding="utf-8-sig")
            assert len(csv.splitlines()) == 1 + 20
            job_id = page.get_attribute("#job", "data-job-id")

            # when the admin goes to GraphiQL (the token comes along) and runs a query
            page.click("a[href='/graphql']")
            _run_in_graphiql(page, "{ viewer { email } }")

            # then its result shows the signed-in user
            expect(page.locator(".graphiql-response")).to_contain_text(f'"email": "{ADMIN}"')
            page.screenshot(path=OUTPUT / "graphiql.png")
            # and its subscriptions run over this origin's WebSocket, signed in with the same headers
            _run_in_graphiql(
                page, f'subscription {{ certificateFileJobUpdated(id: "{job_id}") {{ status }} }}'
            )
            expect(page.locator(".graphiql-response")).to_contain_text('"status": "READY"')
        finally:
            browser.close()

    # and nothing was fetched from outside the service, nor refused by the pages' policies
    assert watched.elsewhere() == []
    assert watched.problems == []


def _run_in_graphiql(page: Page, operation: str) -> None:
    """Type the operation as a person would, then run it."""
    page.locator(".graphiql-query-editor .CodeMirror").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(operation)
    # GraphiQL parses the editor 100 ms after the last key (until then it would send the operation it
    # saw before, by the wrong transport); it stores the text in that same step, so that is the sign.
    page.wait_for_function("text => localStorage.getItem('graphiql:query') === text", arg=operation)
    page.click(".graphiql-execute-button")


def _download(page: Page, link: str, path: Path) -> Path:
    with page.expect_download() as download:
        page.click(link)
    download.value.save_as(path)
    return path


def _lines_and_pairs(text: str) -> list[str]:
    """Each line of a page's text, and each two consecutive lines joined: a long name is printed on
    two lines, the first keeping the space it broke at (its ActualText), so the two read as the name."""
    lines = text.splitlines()
    return lines + [first + second for first, second in itertools.pairwise(lines)]


def _create_request_named(portal: Portal, name: str) -> None:
    """A draft certificate request over the same cohorts as the demo's created one, through the API."""
    headers = {"Authorization": f"Bearer {portal.token}"}

    def data(query: str, variables: dict[str, Any] | None = None) -> Any:
        body = httpx.post(
            f"{portal.url}/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        ).json()
        assert "errors" not in body, body
        return body["data"]

    rows = data("{ recognitions { edges { node { name dateRange { start end } cohorts { id } } } } }")
    demo = next(edge["node"] for edge in rows["recognitions"]["edges"] if edge["node"]["name"] == RECOGNITION)
    created = data(
        "mutation($input: CertificateRequestCreateInput!) {"
        " certificateRequestCreate(input: $input) { errors { code } } }",
        {"input": {"name": name, "dateRange": demo["dateRange"], "cohortIds": [demo["cohorts"][0]["id"]]}},
    )
    assert created == {"certificateRequestCreate": {"errors": []}}


def test_a_mailed_link_opens_the_recognition_and_its_certificates_step(
    chromium: Path, portal: Portal
) -> None:
    from playwright.sync_api import expect, sync_playwright

    # given the global id of a recognition, as our mail carries it in a link
    rows = httpx.post(
        f"{portal.url}/graphql",
        json={"query": "{ recognitions { edges { node { id name } } } }"},
        headers={"Authorization": f"Bearer {portal.token}"},
    ).json()["data"]["recognitions"]["edges"]
    recognition_id = next(edge["node"]["id"] for edge in rows if edge["node"]["name"] == RECOGNITION)
    ceremony_id = next(
        edge["node"]["id"] for edge in rows if edge["node"]["name"] == "Summer pinning ceremony"
    )
    watched = Watched(portal.url)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGUMENTS)
        try:
            page = browser.new_context().new_page()
            page.on("pageerror", lambda error: watched.problems.append(str(error)))

            # when the link to its details is opened, and the admin signs in
            page.goto(f"{portal.url}/#/recognitions/{recognition_id}")
            page.fill("#token", portal.token)
            page.click("#sign-in-form button[type=submit]")

            # then the page shows that recognition, its status in the guide's words and its history
            expect(page.locator("#details-title")).to_have_text(RECOGNITION)
            expect(page.locator("#details-status")).to_have_text("Created")
            expect(page.locator("#details-events li").first).to_contain_text("created")

            # when the link to its certificates step is opened
            page.goto(f"{portal.url}/#/recognitions/{recognition_id.replace('=', '%3D')}/certificates")

            # then the certificates step of that recognition shows
            expect(page.locator("#certificates-title")).to_have_text(f"Certificates · {RECOGNITION}")
            expect(page.locator("#tab-completer")).to_have_attribute("aria-selected", "true")

            # and so does a link mailed before links carried global ids, by its database number
            key = base64.b64decode(recognition_id).decode().split(":")[1]
            page.goto(f"{portal.url}/recognitions/{key}")
            expect(page.locator("#details-title")).to_have_text(RECOGNITION)
            assert page.url == f"{portal.url}/#/recognitions/{recognition_id.replace('=', '%3D')}"

            # and an id that names nothing says so over the list
            page.goto(f"{portal.url}/#/recognitions/Q2VyZW1vbnk6OTk5OTk%3D")
            expect(page.locator("#recognitions-error")).to_have_text(
                "That recognition was not found, or is not yours to see."
            )

            # when the admin opens a scheduled ceremony and cancels it (confirming when asked)
            page.goto(f"{portal.url}/#/recognitions/{ceremony_id}")
            expect(page.locator("#details-status")).to_have_text("Scheduled / Pending")
            page.once("dialog", lambda dialog: dialog.accept())
            page.click("#details-cancel")

            # then it shows as cancelled, by whom, and cannot be cancelled again
            expect(page.locator("#details-status")).to_have_text("Cancelled")
            expect(page.locator("#details-events li").last).to_contain_text("cancelled · Dana Whitfield")
            expect(page.locator("#details-cancel")).to_be_hidden()
        finally:
            browser.close()
    assert watched.problems == []
