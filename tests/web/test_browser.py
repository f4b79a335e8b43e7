"""The example portal's dashboard, details, deep links, certificates step and GraphiQL in a real headless
Chromium, against a running `portal serve` with the demo data (tests/support/browser.py): each screen
checked by axe-core, nothing fetched from anywhere but the service itself and no console errors."""

from __future__ import annotations

import base64
import itertools
import re
import time
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import pytest
from pypdf import PdfReader

from tests.support.browser import ADMIN, Portal, Watched, download
from tests.support.smtp_server import plain_text

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

RECOGNITION = "Certificates for this year's completers"
HOSTILE_NAME = '<img src="/static/favicon.svg" onerror="alert(1)"> & co'


def test_a_partner_admin_downloads_certificates_and_queries_in_graphiql(
    portal: Portal, tab: Watched, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page = tab.page
    # given a recognition whose name looks like markup, and the portal
    name = f"{HOSTILE_NAME} {tmp_path.name}"
    _create_request_named(portal, name)
    page.goto(f"{portal.url}/")
    tab.check("sign-in")
    # when a wrong token is pasted, then the right one
    page.fill("#token", "not-a-token")
    page.click("#sign-in-form button[type=submit]")
    expect(page.locator("#sign-in-error")).to_have_text("The token is malformed.")
    page.fill("#token", f"Bearer {portal.admin_token}")
    page.click("#sign-in-form button[type=submit]")

    # then the admin is signed in, and every name is shown as text
    expect(page.locator("#who-name")).to_have_text(f"Dana Whitfield ({ADMIN}) · Riverside State University")
    expect(page.locator("#recognition-rows tr", has_text=name)).to_have_count(1)
    assert page.locator("#recognition-rows img").count() == 0
    tab.check("dashboard-markup-names")
    # and that draft can be deleted from its row's menu (confirming when asked)
    hostile = page.locator("#recognition-rows tr", has_text=name)
    hostile.get_by_role("button", name=f"Actions for {name}").click()
    page.once("dialog", lambda dialog: dialog.accept())
    hostile.get_by_role("button", name="Delete draft").click()
    expect(hostile).to_have_count(0)

    # when the admin opens a recognition's certificates from its row's menu
    row = page.locator("#recognition-rows tr", has_text=RECOGNITION)
    expect(row.locator(".badge")).to_have_text("Created")
    row.get_by_role("button", name=f"Actions for {RECOGNITION}").click()
    row.get_by_role("button", name="Certificates", exact=True).click()
    expect(page.locator("#tab-completer")).to_have_attribute("aria-selected", "true")
    boxes = page.locator("#candidate-rows input[type=checkbox]")
    expect(boxes.first).to_be_visible()
    expect(page.locator("#synced")).to_contain_text("Progress last synced")
    tab.check("certificates")

    # and downloads one certificate from its row's paper icon
    first = page.locator("#candidate-rows tr").first
    first_name = first.locator("td").nth(1).inner_text()
    first.get_by_role("button", name=f"Certificate of {first_name}").click()
    link = first.get_by_role("link", name=f"Download the certificate of {first_name} (issued)")
    one = PdfReader(download(page, link, tmp_path / "one.pdf")).pages
    assert len(one) == 1 and first_name in " ".join(_lines_and_pairs(one[0].extract_text()))
    expect(first.locator(".badge")).to_have_text("Issued")
    # and from a row further down, the page staying where it was
    bottom = page.locator("#candidate-rows tr").last
    last_name = bottom.locator("td").nth(1).inner_text()
    bottom.scroll_into_view_if_needed()
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 0
    bottom.get_by_role("button", name=f"Certificate of {last_name}").click()
    expect(
        bottom.get_by_role("link", name=f"Download the certificate of {last_name} (issued)")
    ).to_be_focused()
    assert page.evaluate("window.scrollY") == scrolled
    assert page.locator("#links li").count() == 0
    page.evaluate("window.scrollTo(0, 0)")

    # when 20 completers are selected and "Download Certificates" is chosen from the menu
    for position in range(20):
        boxes.nth(position).check()
    names = page.locator("#candidate-rows tr td:nth-child(2)").all_inner_texts()[:20]
    expect(page.locator("#selected-count")).to_have_text("20 selected")
    badges = page.locator("#candidate-rows tr .badge")
    assert badges.all_inner_texts()[:20] == ["Issued"] + ["Not issued"] * 19
    page.click("#download-button")
    tab.check("download-menu")
    page.click("#download-certificates")

    # then the subscription drives the progress bar to 100 %, and the file downloads
    expect(page.locator("#job-text")).to_have_text("ready · 20 of 20 (100 %)", timeout=45_000)
    assert page.eval_on_selector("#job-progress", "bar => [bar.value, bar.max]") == [20, 20]
    # and the rows it issued say so without a reload, and no mail is to be waited for any more
    expect(badges.nth(19)).to_have_text("Issued")
    assert badges.all_inner_texts()[:20] == ["Issued"] * 20
    expect(page.locator("#job-leave")).to_be_hidden()
    expect(page.locator("#candidate-rows input[type=checkbox]:checked")).to_have_count(20)
    tab.check("certificates-file")
    certificates = download(page, "#file-link", tmp_path / "certificates.pdf")
    pages = PdfReader(certificates).pages
    assert len(pages) == 20
    # in the order they were listed
    texts = [_lines_and_pairs(sheet.extract_text()) for sheet in pages]
    assert [name in text for name, text in zip(names, texts, strict=True)] == [True] * 20
    # and the last file is that same file, and the selection exports as CSV
    page.click("#download-button")
    page.click("#download-last")
    last = download(page, "#last-file-link", tmp_path / "last.pdf")
    assert last.read_bytes() == certificates.read_bytes()
    page.click("#download-button")
    page.click("#export-csv")
    csv = download(page, "#csv-link", tmp_path / "selection.csv").read_text(encoding="utf-8-sig")
    assert len(csv.splitlines()) == 1 + 20
    job_id = page.get_attribute("#job", "data-job-id")
    assert job_id
    # and the last file can be made again, its progress shown the same way
    page.click("#download-button")
    page.click("#regenerate")
    expect(page.locator("#job")).not_to_have_attribute("data-job-id", job_id)
    expect(page.locator("#job-text")).to_have_text("ready · 20 of 20 (100 %)", timeout=45_000)
    again = download(page, "#file-link", tmp_path / "again.pdf")
    assert len(PdfReader(again).pages) == 20

    # when the first file's "ready" mail link is opened (the regenerated file is now the last one)
    page.goto(_file_ready_link(portal, job_id))

    # then that very file is offered, apart from the last file
    expect(page.locator("#certificates-title")).to_have_text(f"Certificates · {RECOGNITION}")
    expect(page.locator("#mailed-file-link")).to_have_text("Download this file (20 pages)")
    tab.check("certificates-mailed-file")
    mailed = download(page, "#mailed-file-link", tmp_path / "mailed.pdf")
    assert mailed.read_bytes() == certificates.read_bytes()
    # and a file id that names nothing says so
    page.goto(_file_ready_link(portal, job_id).split("?")[0] + "?file=Q2VydGlmaWNhdGVGaWxlSm9iOjk5OTk5")
    expect(page.locator("#mailed-file")).to_have_text(
        "That certificates file was not found, or is not yours to see."
    )
    expect(page.locator("#mailed-file-link")).to_have_count(0)
    # and that file's link opened on another recognition's certificates page is not offered as its
    # file: the page says whose it is, and links there
    # (a request of this test's own: the demo's ceremonies are cancelled by other tests of the session)
    elsewhere = _create_request_over_first_cohort(portal, "Another request for the mailed file")
    page.goto(f"{portal.url}/recognitions/{quote(elsewhere)}/certificates?file={quote(job_id)}")
    expect(page.locator("#certificates-title")).to_have_text(
        "Certificates · Another request for the mailed file"
    )
    expect(page.locator("#mailed-file")).to_have_text(
        f"That certificates file belongs to another recognition, \u201c{RECOGNITION}\u201d, not to this one. "
        "Open it on that recognition\u2019s certificates page"
    )
    expect(page.locator("#mailed-file-link")).to_have_count(0)
    tab.check("certificates-mailed-file-elsewhere")
    page.click("#mailed-file-elsewhere")
    expect(page.locator("#certificates-title")).to_have_text(f"Certificates · {RECOGNITION}")
    expect(page.locator("#mailed-file-link")).to_have_text("Download this file (20 pages)")

    # when the admin goes to GraphiQL (the token comes along) and runs a query
    page.click("a[href='/graphql']")
    _run_in_graphiql(page, "{ viewer { email } }")

    # then its result shows the signed-in user
    expect(page.locator(".graphiql-response")).to_contain_text(f'"email": "{ADMIN}"')
    # and its subscriptions run over this origin's WebSocket, signed in with the same headers
    _run_in_graphiql(page, f'subscription {{ certificateFileJobUpdated(id: "{job_id}") {{ status }} }}')
    expect(page.locator(".graphiql-response")).to_contain_text('"status": "READY"')


def test_the_selection_holds_both_tabs_and_csv_exports_only_the_selected(
    portal: Portal, tab: Watched, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page = tab.page
    # given a created certificate request over every demo cohort, ended (completers) or not (approaching)
    request_id = _create_request_over_every_cohort(portal, f"Both tabs {tmp_path.name}")
    page.goto(f"{portal.url}/recognitions/{quote(request_id)}/certificates#token={portal.admin_token}")
    boxes = page.locator("#candidate-rows input[type=checkbox]")
    expect(boxes.first).to_be_visible()
    # when two completers are selected, then two approaching course-takers on the other tab
    boxes.nth(0).check()
    boxes.nth(1).check()
    names = page.locator("#candidate-rows tr td:nth-child(2)").all_inner_texts()[:2]
    page.click("#tab-approaching")
    expect(page.locator("#tab-approaching")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#candidate-rows input[type=checkbox]:checked")).to_have_count(0)
    boxes.nth(0).check()
    boxes.nth(1).check()
    names += page.locator("#candidate-rows tr td:nth-child(2)").all_inner_texts()[:2]

    # then the selection holds both tabs, back on the first too, and so does the CSV of it
    expect(page.locator("#selected-count")).to_have_text("4 selected (2 completers, 2 approaching)")
    page.click("#tab-completer")
    expect(page.locator("#tab-completer")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#candidate-rows input[type=checkbox]:checked")).to_have_count(2)
    expect(page.locator("#selected-count")).to_have_text("4 selected (2 completers, 2 approaching)")
    page.click("#download-button")
    page.click("#export-csv")
    csv = download(page, "#csv-link", tmp_path / "both.csv").read_text(encoding="utf-8-sig")
    assert len(csv.splitlines()) == 1 + 4
    assert [name for name in names if name not in csv] == []

    # when nobody is selected any more
    boxes.nth(0).uncheck()
    boxes.nth(1).uncheck()
    page.click("#tab-approaching")
    expect(page.locator("#tab-approaching")).to_have_attribute("aria-selected", "true")
    expect(page.locator("#candidate-rows input[type=checkbox]:checked")).to_have_count(2)
    expect(page.locator("#selected-count")).to_have_text("2 selected")
    boxes.nth(0).uncheck()
    boxes.nth(1).uncheck()
    expect(page.locator("#selected-count")).to_have_text("0 selected")
    page.click("#download-button")

    # then there is nothing to export nor download, and the menu says why
    expect(page.locator("#export-csv")).to_be_disabled()
    expect(page.locator("#download-certificates")).to_be_disabled()
    expect(page.locator("#select-first")).to_have_text(
        "Select course-takers first to download their certificates or export them."
    )
    tab.check("certificates-nothing-selected")


def _create_request_over_every_cohort(portal: Portal, name: str) -> str:
    """A created certificate request over the demo partner's cohorts ending within a year of the demo
    request's first (ended ones: completers; later ones: approaching), through the API."""
    data = portal.graphql
    rows = data("{ recognitions { edges { node { name dateRange { start end } } } } }")
    demo = next(edge["node"] for edge in rows["recognitions"]["edges"] if edge["node"]["name"] == RECOGNITION)
    start = date.fromisoformat(demo["dateRange"]["start"])
    span = {"start": start.isoformat(), "end": (start + timedelta(days=365)).isoformat()}
    programs = data(
        "query($r: DateRangeInput!) { programs(cohortsEndingBetween: $r) { cohorts { id } } }", {"r": span}
    )
    cohorts = [cohort["id"] for program in programs["programs"] for cohort in program["cohorts"]]
    created = data(
        "mutation($input: CertificateRequestCreateInput!) {"
        " certificateRequestCreate(input: $input) { certificateRequest { id } errors { code } } }",
        {"input": {"name": name, "dateRange": span, "cohortIds": cohorts}},
    )["certificateRequestCreate"]
    assert created["errors"] == []
    request_id: str = created["certificateRequest"]["id"]
    finalized = data(
        "mutation($input: CertificateRequestFinalizeInput!) {"
        " certificateRequestFinalize(input: $input) { errors { code message } } }",
        {"input": {"id": request_id}},
    )
    assert finalized == {"certificateRequestFinalize": {"errors": []}}
    return request_id


def _file_ready_link(portal: Portal, job_id: str) -> str:
    """The link in the "file ready" mail of that job (sent once the file is made)."""
    pattern = re.compile(r"https?://\S+\?file=" + re.escape(quote(job_id, safe="")))
    deadline = time.monotonic() + 15
    while True:
        for mail in portal.smtp.inbox.messages:
            found = pattern.search(plain_text(mail))
            if found:
                return found.group(0)
        assert time.monotonic() < deadline, "no file ready mail for that job"
        time.sleep(0.05)


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


def _lines_and_pairs(text: str) -> list[str]:
    """Each line of a page's text, and each two consecutive lines joined: a long name is printed on
    two lines, the first keeping the space it broke at (its ActualText), so the two read as the name."""
    lines = text.splitlines()
    return lines + [first + second for first, second in itertools.pairwise(lines)]


def _create_request_named(portal: Portal, name: str) -> None:
    """A draft certificate request over the same cohorts as the demo's created one, through the API."""
    data = portal.graphql
    rows = data("{ recognitions { edges { node { name dateRange { start end } cohorts { id } } } } }")
    demo = next(edge["node"] for edge in rows["recognitions"]["edges"] if edge["node"]["name"] == RECOGNITION)
    created = data(
        "mutation($input: CertificateRequestCreateInput!) {"
        " certificateRequestCreate(input: $input) { errors { code } } }",
        {"input": {"name": name, "dateRange": demo["dateRange"], "cohortIds": [demo["cohorts"][0]["id"]]}},
    )
    assert created == {"certificateRequestCreate": {"errors": []}}


def test_a_one_click_address_signs_in_and_mailed_links_open_their_pages(portal: Portal, tab: Watched) -> None:
    from playwright.sync_api import expect

    page = tab.page
    recognition_id = portal.recognition_id(RECOGNITION)
    # when the address `make run` prints is opened
    page.goto(f"{portal.url}/#token={portal.admin_token}")

    # then the dashboard shows, the token is kept in the tab only and is gone from the address
    expect(page.locator("#recognitions-heading")).to_be_visible()
    expect(page).to_have_url(f"{portal.url}/")
    assert page.evaluate("sessionStorage.getItem('recognition.token')") == portal.admin_token
    assert [url for url in tab.requests if portal.admin_token in url] == []
    tab.check("dashboard")

    # when a mailed link to a recognition's details is opened
    page.goto(f"{portal.url}/recognitions/{recognition_id}")

    # then its details popup shows over the dashboard, with its status and history
    expect(page.locator("#details")).to_be_visible()
    expect(page.locator("#details-title")).to_have_text(RECOGNITION)
    expect(page.locator("#details-status")).to_have_text("Created")
    expect(page.locator("#details-events li").first).to_contain_text("created")
    tab.check("details")
    # and closing it (Escape) goes back to the dashboard's address
    page.keyboard.press("Escape")
    expect(page.locator("#details")).to_be_hidden()
    expect(page).to_have_url(f"{portal.url}/")

    # when the link to its certificates step is opened
    page.goto(f"{portal.url}/recognitions/{recognition_id.replace('=', '%3D')}/certificates")
    expect(page.locator("#certificates-title")).to_have_text(f"Certificates · {RECOGNITION}")

    # and so does a hash link of earlier versions, and one by database number, at their paths
    page.goto(f"{portal.url}/#/recognitions/{recognition_id}/certificates")
    expect(page.locator("#certificates-title")).to_have_text(f"Certificates · {RECOGNITION}")
    expect(page).to_have_url(f"{portal.url}/recognitions/{recognition_id}/certificates")
    key = base64.b64decode(recognition_id).decode().split(":")[1]
    page.goto(f"{portal.url}/recognitions/{key}")
    expect(page.locator("#details-title")).to_have_text(RECOGNITION)
    expect(page).to_have_url(f"{portal.url}/recognitions/{recognition_id}")

    # and a one-click address to a file's link keeps the file asked for (here one that is not there)
    page.evaluate("sessionStorage.clear()")
    certificates = (
        f"{portal.url}/recognitions/{recognition_id}/certificates?file=Q2VydGlmaWNhdGVGaWxlSm9iOjk5OTk5"
    )
    page.goto(f"{certificates}#token={portal.admin_token}")
    expect(page.locator("#mailed-file")).to_have_text(
        "That certificates file was not found, or is not yours to see."
    )
    expect(page).to_have_url(certificates)

    # and an id that names nothing says so over the list
    page.goto(f"{portal.url}/recognitions/Q2VyZW1vbnk6OTk5OTk%3D")
    expect(page.locator("#recognitions-error")).to_have_text(
        "That recognition was not found, or is not yours to see."
    )


CANDIDATE_NAMES = """query($id: ID!) { recognition(id: $id) {
  certificateCandidates(first: 100, filter: {kind: COMPLETER}) { edges { node { enrollmentId name } } } } }"""
ISSUE = """mutation($input: CertificateIssueInput!) { certificateIssue(input: $input) {
  certificate { id code } errors { code } } }"""
REVOKE = (
    """mutation($input: CertificateRevokeInput!) { certificateRevoke(input: $input) { errors { code } } }"""
)
CERTIFICATE_OF = """query($id: ID!, $search: String) { recognition(id: $id) {
  certificateCandidates(first: 2, filter: {search: $search}) {
    edges { node { certificate { id code } } } } } }"""


def test_a_revoked_certificate_shows_as_revoked_and_a_file_of_everyone_leaves_it_out(
    portal: Portal, tab: Watched, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page = tab.page
    # given a created request over one cohort, and staff revoked the certificate of its third completer
    request_id = _create_request_over_first_cohort(portal, f"Revoked {tmp_path.name}")
    edges = portal.graphql(CANDIDATE_NAMES, {"id": request_id})["recognition"]["certificateCandidates"][
        "edges"
    ]
    count = len(edges)
    assert 3 <= count <= 50  # one page, so selecting everyone listed is everyone
    revoked_name, enrollment_id = edges[2]["node"]["name"], edges[2]["node"]["enrollmentId"]
    issued = portal.graphql(ISSUE, {"input": {"recognitionId": request_id, "enrollmentId": enrollment_id}})
    certificate = issued["certificateIssue"]["certificate"]
    revoke = {"input": {"id": certificate["id"], "reason": "Issued in error"}}
    assert portal.graphql(REVOKE, revoke, token=portal.staff_token) == {"certificateRevoke": {"errors": []}}

    # when the partner admin opens its certificates step
    page.goto(f"{portal.url}/recognitions/{quote(request_id)}/certificates#token={portal.admin_token}")

    # then that row says the certificate was revoked, and offers no paper icon but says why
    rows = page.locator("#candidate-rows tr")
    row = rows.filter(has=page.get_by_role("cell", name=revoked_name, exact=True))
    expect(row.locator(".badge")).to_have_text("Revoked")
    expect(row.locator(".badge")).to_have_attribute(
        "title", f"Certificate {certificate['code']} revoked by staff: Issued in error"
    )
    expect(row.get_by_role("button", name=f"Certificate of {revoked_name}")).to_have_count(0)
    expect(row.locator("td").last).to_have_text("Only staff can issue another")
    expect(page.locator("#candidate-rows button.paper")).to_have_count(count - 1)
    tab.check("certificates-revoked")

    # when everyone listed is selected and "Download Certificates" is chosen
    page.click("#select-listed")
    expect(page.locator("#selected-count")).to_have_text(f"All {count} selected")
    page.click("#download-button")
    page.click("#download-certificates")

    # then the file is made of the others, and the page says who was left out and why
    expect(page.locator("#file-left-out")).to_have_text(
        "Left out of this file, as only staff can issue them another certificate: "
        f"{revoked_name} (certificate {certificate['code']} revoked by staff: Issued in error)."
    )
    others = count - 1
    expect(page.locator("#job-text")).to_have_text(f"ready · {others} of {others} (100 %)", timeout=45_000)
    expect(page.locator("#certificates-error")).to_have_text("")
    expect(row.locator(".badge")).to_have_text("Revoked")
    tab.check("certificates-file-left-out")
    assert len(PdfReader(download(page, "#file-link", tmp_path / "others.pdf")).pages) == others

    # when staff revoke the certificate the file issued the first completer, and the last file is
    # made again
    first_name = edges[0]["node"]["name"]
    first = portal.graphql(CERTIFICATE_OF, {"id": request_id, "search": first_name})["recognition"]
    [first_certificate] = [edge["node"]["certificate"] for edge in first["certificateCandidates"]["edges"]]
    revoke_first = {"input": {"id": first_certificate["id"], "reason": "Name misspelt"}}
    assert portal.graphql(REVOKE, revoke_first, token=portal.staff_token) == {
        "certificateRevoke": {"errors": []}
    }
    page.click("#download-button")
    page.click("#regenerate")

    # then it is made without them (rather than refused), and the page says who was left out and why
    expect(page.locator("#file-left-out")).to_have_text(
        "Left out of this file, as only staff can issue them another certificate: "
        f"{first_name} (certificate {first_certificate['code']} revoked by staff: Name misspelt)."
    )
    expect(page.locator("#job-text")).to_have_text(
        f"ready · {others - 1} of {others - 1} (100 %)", timeout=45_000
    )
    expect(page.locator("#certificates-error")).to_have_text("")
    again = download(page, "#file-link", tmp_path / "again.pdf")
    assert len(PdfReader(again).pages) == others - 1
    # and its "file ready" mail's link, opened later, offers that file and says who is not in it
    regenerated = page.locator("#job").get_attribute("data-job-id") or ""
    page.goto(_file_ready_link(portal, regenerated))
    expect(page.locator("#mailed-file-link")).to_have_text(f"Download this file ({others - 1} pages)")
    expect(page.locator("#file-left-out")).to_have_text(
        "Left out of this file, as only staff can issue them another certificate: "
        f"{first_name} (certificate {first_certificate['code']} revoked by staff: Name misspelt)."
    )

    # and staff, who may issue another, are offered the paper icon in that row
    page.evaluate("sessionStorage.clear()")
    page.goto(f"{portal.url}/")  # a page load, not a move of the fragment alone
    page.goto(f"{portal.url}/recognitions/{quote(request_id)}/certificates#token={portal.staff_token}")
    expect(row.locator(".badge")).to_have_text("Revoked")
    expect(row.get_by_role("button", name=f"Certificate of {revoked_name}")).to_have_count(1)


def _create_request_over_first_cohort(portal: Portal, name: str) -> str:
    """A created certificate request over the first cohort of the demo request, through the API."""
    data = portal.graphql
    rows = data("{ recognitions { edges { node { name dateRange { start end } cohorts { id } } } } }")
    demo = next(edge["node"] for edge in rows["recognitions"]["edges"] if edge["node"]["name"] == RECOGNITION)
    created = data(
        "mutation($input: CertificateRequestCreateInput!) {"
        " certificateRequestCreate(input: $input) { certificateRequest { id } errors { code } } }",
        {"input": {"name": name, "dateRange": demo["dateRange"], "cohortIds": [demo["cohorts"][0]["id"]]}},
    )["certificateRequestCreate"]
    assert created["errors"] == []
    request_id: str = created["certificateRequest"]["id"]
    finalized = data(
        "mutation($input: CertificateRequestFinalizeInput!) {"
        " certificateRequestFinalize(input: $input) { errors { code message } } }",
        {"input": {"id": request_id}},
    )
    assert finalized == {"certificateRequestFinalize": {"errors": []}}
    return request_id
