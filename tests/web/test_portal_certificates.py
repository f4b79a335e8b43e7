"""The example portal's certificates step in a real headless Chromium (tests/support/browser.py):
"select all" but a few, and a file's progress followed across a restart of the server."""

from __future__ import annotations

import json
import re
import time
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pytest

from tests.support.browser import Portal, Watched, download

if TYPE_CHECKING:
    from playwright.sync_api import Route, WebSocketRoute

pytestmark = pytest.mark.browser

RECOGNITION = "Certificates for this year's completers"
DEMO = "{ recognitions { edges { node { name dateRange { start end } cohorts { id } } } } }"
JOB = """query($id: ID!) { node(id: $id) { ... on CertificateFileJob { status total enrollmentIds } } }"""


def _created_request(portal: Portal, name: str, *, cohorts: int, like: str = RECOGNITION) -> str:
    """A created certificate request over the first ``cohorts`` cohorts of the demo request (or of the
    demo recognition named ``like``), through the API; its id."""
    demo = _demo(portal, like)
    created = portal.graphql(
        "mutation($input: CertificateRequestCreateInput!) {"
        " certificateRequestCreate(input: $input) { certificateRequest { id } errors { code } } }",
        {
            "input": {
                "name": name,
                "dateRange": demo["dateRange"],
                "cohortIds": [cohort["id"] for cohort in demo["cohorts"][:cohorts]],
            }
        },
    )["certificateRequestCreate"]
    assert created["errors"] == []
    request_id: str = created["certificateRequest"]["id"]
    finalized = portal.graphql(
        "mutation($input: CertificateRequestFinalizeInput!) {"
        " certificateRequestFinalize(input: $input) { errors { code } } }",
        {"input": {"id": request_id}},
    )
    assert finalized == {"certificateRequestFinalize": {"errors": []}}
    return request_id


def _demo(portal: Portal, name: str) -> dict[str, Any]:
    """A demo recognition's date range and cohorts."""
    rows = portal.graphql(DEMO)
    demo: dict[str, Any] = next(
        edge["node"] for edge in rows["recognitions"]["edges"] if edge["node"]["name"] == name
    )
    return demo


def _completers(portal: Portal, request_id: str) -> list[dict[str, Any]]:
    """Every completer (enrolment id, and whether staff revoked a certificate of theirs, none issued
    since), in the page's order."""
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        connection = portal.graphql(
            "query($id: ID!, $after: String) { recognition(id: $id) {"
            " certificateCandidates(first: 100, after: $after, filter: { kind: COMPLETER }) {"
            " edges { node { enrollmentId certificate { status } revokedCertificate { code } } }"
            " pageInfo { hasNextPage endCursor } } } }",
            {"id": request_id, "after": after},
        )["recognition"]["certificateCandidates"]
        nodes += [edge["node"] for edge in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            return nodes
        after = connection["pageInfo"]["endCursor"]


def test_select_all_but_some_downloads_and_exports_everyone_else(
    portal: Portal, tab: Watched, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page = tab.page
    # given a created request whose completers fill more than one page (50 to a page)
    request_id = _created_request(portal, f"All but some {tmp_path.name}", cohorts=100)
    everyone = _completers(portal, request_id)
    count = len(everyone)
    assert count > 50
    # (the file asked for is answered by the test, not made: what matters is what the portal asks)
    asked: list[dict[str, Any]] = []
    queries: list[str] = []  # every query the page sends

    def answer_file_requests(route: Route) -> None:
        body = json.loads(route.request.post_data or "{}")
        queries.append(body.get("query", ""))
        if "certificateFileRequest" not in body.get("query", ""):
            route.continue_()
            return
        asked.append(body["variables"]["input"])
        refusal = {"field": None, "code": "TEST", "message": "Answered by the test."}
        payload = {"job": None, "errors": [refusal], "leftOut": []}
        route.fulfill(json={"data": {"certificateFileRequest": payload}})

    page.route("**/graphql", answer_file_requests)
    page.goto(f"{portal.url}/recognitions/{quote(request_id)}/certificates#token={portal.admin_token}")
    boxes = page.locator("#candidate-rows input[type=checkbox]")
    expect(boxes).to_have_count(50)

    # when everyone is selected ("Select all"), and the file of them is asked for
    page.click("#select-listed")
    expect(page.locator("#selected-count")).to_have_text("50 selected")
    page.click("#select-everyone")
    expect(page.locator("#selected-count")).to_have_text(f"All {count} selected")
    page.click("#download-button")
    page.click("#download-certificates")

    # then the portal asks for it by filter, the cheap way, as before
    expect(page.locator("#certificates-error")).to_have_text("Answered by the test.")
    assert asked == [{"recognitionId": request_id, "filter": {"kind": "COMPLETER"}}]
    # and unticking "everyone listed" then leaves nobody selected, listed or not
    page.click("#select-listed")
    expect(page.locator("#selected-count")).to_have_text("0 selected")
    page.click("#select-listed")
    page.click("#select-everyone")
    expect(page.locator("#selected-count")).to_have_text(f"All {count} selected")

    # when one person on the first page is unticked
    boxes.nth(1).uncheck()

    # then everyone but that one is selected, and "Select all" is offered again
    expect(page.locator("#selected-count")).to_have_text(f"{count - 1} selected")
    expect(page.locator("#select-listed")).not_to_be_checked()
    expect(page.locator("#select-everyone")).to_be_visible()
    expect(page.locator("#select-everyone")).to_have_text(f"Select all {count}")
    tab.check("certificates-all-but-one")

    # when the next page is shown, then its rows are selected too; and one of them is unticked
    page.click("#more")
    expect(boxes).to_have_count(min(count, 100))
    expect(boxes.nth(50)).to_be_checked()
    boxes.nth(50).uncheck()
    expect(page.locator("#selected-count")).to_have_text(f"{count - 2} selected")
    expect(page.locator("#candidate-rows input[type=checkbox]:checked")).to_have_count(min(count, 100) - 2)

    # and the file asked for is of everyone but those two: the filter and those two as its exceptions,
    # not every page of ids (the API leaves out anyone whose certificate staff revoked, as ever)
    page.click("#download-button")
    page.click("#download-certificates")
    expect(page.locator("#certificates-error")).to_have_text("Answered by the test.")
    but_two = [everyone[1]["enrollmentId"], everyone[50]["enrollmentId"]]
    assert asked[1:] == [
        {"recognitionId": request_id, "filter": {"kind": "COMPLETER"}, "exceptEnrollmentIds": but_two}
    ]
    assert not [query for query in queries if "CandidateIds" in query]
    # and so is the CSV (made by the API)
    page.click("#download-button")
    page.click("#export-csv")
    csv = download(page, "#csv-link", tmp_path / "all-but-two.csv").read_text(encoding="utf-8-sig")
    assert len(csv.splitlines()) == 1 + count - 2

    # when one of them is ticked again, then only the other is left out
    boxes.nth(1).check()
    expect(page.locator("#selected-count")).to_have_text(f"{count - 1} selected")

    # when "everyone listed" is ticked (everyone is listed now), then it is everyone, asked by filter
    assert count <= 100
    page.click("#select-listed")
    expect(page.locator("#selected-count")).to_have_text(f"All {count} selected")
    expect(page.locator("#candidate-rows input[type=checkbox]:checked")).to_have_count(count)
    page.click("#download-button")
    page.click("#download-certificates")
    expect(page.locator("#certificates-error")).to_have_text("Answered by the test.")
    assert asked[2:] == [{"recognitionId": request_id, "filter": {"kind": "COMPLETER"}}]

    # when "everyone listed" is unticked, then nobody is selected
    page.click("#select-listed")
    expect(page.locator("#selected-count")).to_have_text("0 selected")
    expect(page.locator("#download-certificates")).to_be_disabled()


def test_more_than_a_file_holds_is_said_plainly_and_a_cohort_narrows_it(
    portal: Portal, tab: Watched, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page = tab.page
    # given a created request over several cohorts, whose completers the test says are 5,001 (the
    # list's counts pass through the test; the rows are the real ones)
    request_id = _created_request(portal, f"Too many {tmp_path.name}", cohorts=100)
    cohorts = portal.graphql(
        "query($id: ID!) { recognition(id: $id) { cohorts { id name } } }", {"id": request_id}
    )["recognition"]["cohorts"]
    assert len(cohorts) > 1
    asked: list[dict[str, Any]] = []

    def answer(route: Route) -> None:
        body = json.loads(route.request.post_data or "{}")
        query = body.get("query", "")
        if "certificateFileRequest" in query:
            asked.append(body["variables"]["input"])
            refusal = {"field": None, "code": "TEST", "message": "Answered by the test."}
            route.fulfill(
                json={"data": {"certificateFileRequest": {"job": None, "errors": [refusal], "leftOut": []}}}
            )
        elif "query Candidates" in query and body["variables"]["cohortId"] is None:
            answered = route.fetch().json()
            connection = answered["data"]["recognition"]["certificateCandidates"]
            connection.update(completerCount=5001, totalCount=5001)
            route.fulfill(json=answered)
        else:
            route.continue_()

    page.route("**/graphql", answer)
    page.goto(f"{portal.url}/recognitions/{quote(request_id)}/certificates#token={portal.admin_token}")
    expect(page.locator("#tab-completer")).to_have_text("Completers (5001)")

    # when all 5,001 are selected
    page.click("#select-listed")
    page.click("#select-everyone")
    expect(page.locator("#selected-count")).to_have_text("All 5001 selected")

    # then the page says, before anything is asked, that a file holds 5,000, and how to narrow it
    expect(page.locator("#file-limit")).to_have_text(
        "A combined certificates file holds at most 5,000 certificates, and 5,001 are selected. Choose a "
        "cohort above to narrow the list, or untick some to download their certificates. Export to CSV "
        "takes them all."
    )
    expect(page.locator("#download-certificates")).to_be_disabled()
    expect(page.locator("#export-csv")).to_be_enabled()
    tab.check("certificates-too-many")

    # when one of them is unticked, then 5,000 fit: the file is asked for by filter, but that one
    first = page.locator("#candidate-rows tr").first
    first.locator("input[type=checkbox]").uncheck()
    expect(page.locator("#selected-count")).to_have_text("5000 selected")
    expect(page.locator("#file-limit")).to_be_hidden()
    page.click("#download-button")
    page.click("#download-certificates")
    expect(page.locator("#certificates-error")).to_have_text("Answered by the test.")
    unticked = first.get_attribute("data-enrollment")
    assert asked == [
        {"recognitionId": request_id, "filter": {"kind": "COMPLETER"}, "exceptEnrollmentIds": [unticked]}
    ]

    # when a cohort is chosen
    cohort = cohorts[0]
    page.select_option("#cohort-filter", value=cohort["id"])

    # then only its course-takers are listed, and the selection starts again
    expect(page.locator("#selected-count")).to_have_text("0 selected")
    expect(page.locator("#tab-completer")).not_to_have_text("Completers (5001)")
    rows = page.locator("#candidate-rows tr")
    expect(rows.first).to_be_visible()
    expect(rows.filter(has_not=page.get_by_role("cell", name=cohort["name"], exact=True))).to_have_count(0)
    expect(page.locator("#file-limit")).to_be_hidden()

    # and a file of everyone listed is asked for by the filter of that cohort
    page.click("#select-listed")
    if page.locator("#select-everyone").is_visible():
        page.click("#select-everyone")
    expect(page.locator("#selected-count")).to_have_text(re.compile(r"^All \d+ selected$"))
    page.click("#download-button")
    page.click("#download-certificates")
    expect(page.locator("#certificates-error")).to_have_text("Answered by the test.")
    assert asked[1:] == [
        {"recognitionId": request_id, "filter": {"kind": "COMPLETER", "cohortId": cohort["id"]}}
    ]


def _finished(message: str | bytes) -> bool:
    """A graphql-transport-ws message saying the file is made (or failed), or that it is complete."""
    parsed = json.loads(message)
    if parsed.get("type") == "complete":
        return True
    if parsed.get("type") != "next":
        return False
    status: str = parsed["payload"]["data"]["certificateFileJobUpdated"]["status"]
    return status in {"READY", "FAILED"}


def test_a_files_progress_is_followed_again_after_the_server_restarts(
    portal: Portal, tab: Watched, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page = tab.page
    # given a created request, and its certificates step open (the page's sockets pass through the
    # test, which holds back the first socket's news that the file is made: as if the server stopped
    # just before it could send it)
    request_id = _created_request(portal, f"Restart {tmp_path.name}", cohorts=1)
    sockets: list[WebSocketRoute] = []

    def hold_back_the_end(socket: WebSocketRoute) -> None:
        server = socket.connect_to_server()
        sockets.append(socket)
        if len(sockets) == 1:
            server.on_message(lambda message: None if _finished(message) else socket.send(message))

    page.route_web_socket(re.compile(r"/graphql$"), hold_back_the_end)
    page.goto(f"{portal.url}/recognitions/{quote(request_id)}/certificates#token={portal.admin_token}")
    # (three a partner admin may have certificates of: any whose certificate staff revoked are not)
    issuable = page.locator("#candidate-rows tr", has=page.locator("button.paper"))
    for position in range(3):
        issuable.nth(position).locator("input[type=checkbox]").check()

    # when a file of three is asked for, and made, but the server stops before the page hears of it
    page.click("#download-button")
    page.click("#download-certificates")
    expect(page.locator("#job")).to_have_attribute("data-job-id", re.compile(".+"))
    job_id = page.get_attribute("#job", "data-job-id")
    deadline = time.monotonic() + 45
    while portal.graphql(JOB, {"id": job_id})["node"]["status"] != "READY":
        assert time.monotonic() < deadline, "the file was not made"
        time.sleep(0.1)
    expect(page.locator("#job-text")).not_to_have_text("ready · 3 of 3 (100 %)")
    portal.server.stop()
    try:
        # then the page says it is reconnecting (not that the progress is lost), and keeps trying
        expect(page.locator("#job-connection")).to_have_text("Reconnecting to the server…")
        tab.check("certificates-reconnecting")
        # (twice refused: the sockets it opened since are the test's to count, between its waits)
        deadline = time.monotonic() + 20
        while len(sockets) < 3:
            assert time.monotonic() < deadline, len(sockets)
            page.wait_for_timeout(50)
        expect(page.locator("#job-connection")).to_have_text("Reconnecting to the server…")
        expect(page.locator("#certificates-error")).to_have_text("")
    finally:
        # when the server is back
        portal.server.start()

    # then the page hears where the file stands now: made, with its link
    expect(page.locator("#job-text")).to_have_text("ready · 3 of 3 (100 %)", timeout=45_000)
    expect(page.locator("#job-connection")).to_be_hidden()
    expect(page.locator("#certificates-error")).to_have_text("")
    made = download(page, "#file-link", tmp_path / "after-restart.pdf")
    assert made.read_bytes().startswith(b"%PDF")
    # (the browser's console told of each refused socket: expected here, and nothing else)
    socket = portal.url.replace("http", "ws", 1) + "/graphql"
    refused = f"WebSocket connection to '{socket}' failed: Error in connection establishment: "
    assert {problem.replace(refused, "") for problem in tab.problems} == {"net::ERR_CONNECTION_REFUSED"}
    tab.problems.clear()


APPROACHING = """query($id: ID!) { recognition(id: $id) {
  certificateCandidates(first: 50, filter: { kind: APPROACHING }) {
    edges { node { enrollmentId certificate { status } } } } } }"""
ISSUE = """mutation($input: CertificateIssueInput!) {
  certificateIssue(input: $input) { certificate { code recognition { name } } errors { code } } }"""
CEREMONY_CREATE = """mutation($input: CeremonyCreateInput!) {
  ceremonyCreate(input: $input) { ceremony { id } errors { code } } }"""
CEREMONY_UPDATE = (
    """mutation($input: CeremonyUpdateInput!) { ceremonyUpdate(input: $input) { errors { code } } }"""
)
CEREMONY_SUBMIT = (
    """mutation($input: CeremonySubmitInput!) { ceremonySubmit(input: $input) { errors { code } } }"""
)


def _scheduled_ceremony(portal: Portal, name: str, *, like: str) -> str:
    """A ceremony over the cohorts of the demo recognition named ``like``, a month from now, scheduled
    through the API; its id."""
    demo = _demo(portal, like)
    step_1 = {"name": name, "dateRange": demo["dateRange"], "cohortIds": [c["id"] for c in demo["cohorts"]]}
    created = portal.graphql(CEREMONY_CREATE, {"input": step_1})["ceremonyCreate"]
    assert created["errors"] == []
    ceremony_id: str = created["ceremony"]["id"]
    step_2 = {
        "id": ceremony_id,
        "start": {
            "dateTime": f"{date.today() + timedelta(days=30)}T15:00:00",
            "timeZone": "America/Los_Angeles",
        },
        "format": "ONLINE",
        "mailingContact": {"name": "Pat Pins", "email": "pat.pins@example.org", "phone": "+1 555 0100"},
        "postalAddress": {
            "line1": "1 University Avenue",
            "city": "Springfield",
            "postalCode": "12345",
            "country": "US",
        },
    }
    assert portal.graphql(CEREMONY_UPDATE, {"input": step_2}) == {"ceremonyUpdate": {"errors": []}}
    submitted = portal.graphql(CEREMONY_SUBMIT, {"input": {"id": ceremony_id}})
    assert submitted == {"ceremonySubmit": {"errors": []}}
    return ceremony_id


def _approaching(portal: Portal, recognition_id: str) -> list[dict[str, Any]]:
    """The first page of a recognition's approaching course-takers, in the page's order."""
    connection = portal.graphql(APPROACHING, {"id": recognition_id})["recognition"]["certificateCandidates"]
    return [edge["node"] for edge in connection["edges"]]


def _issued(portal: Portal, recognition_id: str, enrollment_id: str) -> dict[str, Any]:
    input_ = {"recognitionId": recognition_id, "enrollmentId": enrollment_id}
    payload = portal.graphql(ISSUE, {"input": input_})["certificateIssue"]
    assert payload["errors"] == []
    certificate: dict[str, Any] = payload["certificate"]
    return certificate


def test_a_certificate_another_recognition_took_over_says_whose_it_is(
    portal: Portal, tab: Watched, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page = tab.page
    # given someone approaching, whose provisional certificate was issued through a new certificate
    # request and then handed out through a ceremony over the same cohorts (which took it over)
    # (the draft's cohort has not ended: its course-takers are approaching)
    upcoming = "Winter pinning ceremony (draft)"
    request_id = _created_request(portal, f"Taken over {tmp_path.name}", cohorts=100, like=upcoming)
    ceremony = f"Pinning ceremony {tmp_path.name}"
    ceremony_id = _scheduled_ceremony(portal, ceremony, like=upcoming)
    person = next(
        node["enrollmentId"] for node in _approaching(portal, request_id) if node["certificate"] is None
    )
    code = _issued(portal, request_id, person)["code"]
    assert _issued(portal, ceremony_id, person) == {"code": code, "recognition": {"name": ceremony}}

    # when the request's certificates step lists the approaching
    page.goto(f"{portal.url}/recognitions/{quote(request_id)}/certificates#token={portal.admin_token}")
    page.click("#tab-approaching")
    row = page.locator(f'#candidate-rows tr[data-enrollment="{person}"]')

    # then the person's row says the certificate is the ceremony's, with a link to its page
    expect(row.locator(".badge")).to_have_text("Provisional")
    expect(row.locator(".whose")).to_have_text(f"For {ceremony}")
    tab.check("certificates-whose")
    # and so it does after the paper icon hands it out again (it stays the ceremony's)
    row.locator("button.paper").click()
    expect(row.locator(".certificate-link")).to_be_visible()
    expect(row.locator(".whose")).to_have_text(f"For {ceremony}")

    # when the link is followed, then the ceremony's page lists the person without saying so
    row.locator(".whose a").click()
    expect(page.locator("#certificates-title")).to_have_text(f"Certificates · {ceremony}")
    page.click("#tab-approaching")
    theirs = page.locator(f'#candidate-rows tr[data-enrollment="{person}"]')
    expect(theirs.locator(".badge")).to_have_text("Provisional")
    expect(theirs.locator(".whose")).to_have_count(0)
