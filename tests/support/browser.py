"""The example portal in a real headless Chromium (Debian's, never a downloaded one): one `portal serve`
with the demo data and a real SMTP server, and one browser per module (fixtures in
tests/web/conftest.py); each test opens its own context (its own tab storage). Every page is watched:
console errors, requests to any other origin, and axe-core's serious or critical findings on each
screen checked."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from service.settings import Settings
from tests.support.databases import Databases
from tests.support.engines import BROKER_URL, PUBSUB_URL, remove_namespace
from tests.support.graphql_client import TEST_SECRET
from tests.support.processes import PORTAL, environment, start_api, stop
from tests.support.smtp_server import SmtpServer, free_port

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Locator, Page

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
# Installed by `make assets` (assets/package.json); loaded into the checked pages only, never served.
AXE = ROOT / "assets" / "node_modules" / "axe-core" / "axe.min.js"
# .ci/run sets it: there, a missing browser is a failure, not a skip.
REQUIRED = os.environ.get("PORTAL_TEST_REQUIRE_BROWSER") == "1"
# Screenshots of each screen into docs/portal/ only when asked (`make screenshots`).
SCREENSHOTS = Path(os.environ["PORTAL_SCREENSHOTS"]) if os.environ.get("PORTAL_SCREENSHOTS") else None
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
STAFF = "staff@recognition.example"
# How long a test's own request to the portal may take: the server's first PDF (a certificate, a
# template's preview) loads and cuts its fonts, seconds on a loaded 2-core machine, past httpx's 5 s.
SLOW_ANSWER = 60.0
AXE_SERIOUS = """async () => {
  const rules = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];
  const result = await axe.run(document, { runOnly: rules });
  return result.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((v) => `${v.id}: ${v.nodes.map((node) => node.target.join(" ")).join(", ")}`);
}"""


def missing_browser() -> str | None:
    if importlib.util.find_spec("playwright") is None:
        return "Python's playwright is not installed (make .venv/.installed-test)"
    if not CHROMIUM.is_file():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run installs it)"
    if not AXE.is_file():
        return f"no axe-core at {AXE.relative_to(ROOT)} (make assets)"
    return None


@dataclass
class Server:
    """The `portal serve` behind the tests' portal, which a test may stop and start again (on the same
    port, with the same data), as a deployment restarts it."""

    launch: Callable[[], subprocess.Popen[bytes]]
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        assert self.process is None
        self.process = self.launch()  # returns once the server answers /readyz

    def stop(self) -> None:
        assert self.process is not None
        stop(self.process)
        self.process = None


@dataclass
class Portal:
    url: str
    admin_token: str
    staff_token: str
    smtp: SmtpServer
    server: Server

    def graphql(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        token: str | None = None,
        timeout: float = SLOW_ANSWER,
    ) -> Any:
        """The data of a request that must succeed (within ``timeout`` seconds)."""
        headers = {"Authorization": f"Bearer {token or self.admin_token}"}
        body = httpx.post(
            f"{self.url}/graphql",
            json={"query": query, "variables": variables or {}},
            headers=headers,
            timeout=timeout,
        ).json()
        assert "errors" not in body, body
        return body["data"]

    def recognition_id(self, name: str) -> str:
        rows = self.graphql("{ recognitions(first: 100) { edges { node { id name } } } }")
        found: str = next(
            edge["node"]["id"] for edge in rows["recognitions"]["edges"] if edge["node"]["name"] == name
        )
        return found


@pytest.fixture(scope="session")
def portal(tmp_path_factory: pytest.TempPathFactory, databases: Databases) -> Iterator[Portal]:
    """`portal serve` on a free loopback port with the demo data, mailing a real SMTP server."""
    reason = missing_browser()
    if reason and REQUIRED:
        pytest.fail(f"PORTAL_TEST_REQUIRE_BROWSER=1 but {reason}")
    if reason:
        pytest.skip(reason)
    folder = tmp_path_factory.mktemp("portal")
    settings = Settings(
        _env_file=None,
        data_dir=folder,
        database_url=databases.fresh(folder),
        secret_key=TEST_SECRET,
        namespace=f"test-{uuid.uuid4().hex[:12]}",
        broker_url=BROKER_URL,
        pubsub_url=PUBSUB_URL,
        progress_sync_hour=None,
    )
    smtp = SmtpServer()
    smtp.start()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    more = {"PORTAL_PUBLIC_URL": url, "PORTAL_WORKER_THREADS": "2", "PORTAL_SMTP_URL": smtp.url}
    env = environment(settings, **more)
    subprocess.run([*PORTAL, "seed-demo"], env=env, check=True, capture_output=True)

    def token(email: str) -> str:
        command = [*PORTAL, "token", "--email", email]
        return subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout.strip()

    server = Server(
        lambda: start_api(
            settings, port, PORTAL_PUBLIC_URL=url, PORTAL_WORKER_THREADS="2", PORTAL_SMTP_URL=smtp.url
        )
    )
    server.start()
    try:
        yield Portal(url, token(ADMIN), token(STAFF), smtp, server)
    finally:
        if server.process is not None:
            server.stop()
        smtp.stop()
        remove_namespace(settings)


# Per module: playwright's sync API keeps an event loop running in this thread while it is open,
# which the asyncio tests of other modules cannot share.
@pytest.fixture(scope="module")
def browser(portal: Portal) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGUMENTS)
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class Watched:
    """A tab, and what it asked the network for and complained about."""

    origin: str
    page: Page
    requests: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    findings: dict[str, list[str]] = field(default_factory=dict)

    def elsewhere(self) -> list[str]:
        ours = (f"{self.origin}/", self.origin.replace("http", "ws", 1) + "/", "data:", "blob:")
        return [url for url in self.requests if not url.startswith(ours)]

    def check(self, screen: str) -> None:
        """axe-core on the screen as it is now; a screenshot of it when asked for."""
        self.findings[screen] = self.page.evaluate(AXE_SERIOUS)
        if SCREENSHOTS:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=SCREENSHOTS / f"{screen}.png")

    def assert_clean(self) -> None:
        assert self.elsewhere() == []
        assert self.problems == []
        assert {screen: found for screen, found in self.findings.items() if found} == {}


@pytest.fixture
def tab(browser: Browser, portal: Portal) -> Iterator[Watched]:
    """A fresh context (its own sessionStorage) and page; clean at the end, or the test fails."""
    context: BrowserContext = browser.new_context(
        accept_downloads=True, viewport={"width": 1200, "height": 900}
    )
    context.add_init_script(path=str(AXE))  # through the debugger: no page policy applies to it
    page = context.new_page()
    watched = Watched(portal.url, page)
    page.on("request", lambda request: watched.requests.append(request.url))
    page.on("websocket", lambda socket: watched.requests.append(socket.url))

    def console_error(message: ConsoleMessage) -> None:
        if message.type == "error":
            watched.problems.append(message.text)

    page.on("console", console_error)
    page.on("pageerror", lambda error: watched.problems.append(str(error)))
    try:
        yield watched
    finally:
        context.close()
    watched.assert_clean()


def download(page: Page, link: str | Locator, path: Path) -> Path:
    """Click the link (a selector or a locator) and save what it downloads to `path`."""
    with page.expect_download() as download:
        if isinstance(link, str):
            page.click(link)
        else:
            link.click()
    download.value.save_as(path)
    return path
