"""The example portal and GraphiQL in a real headless Chromium, against a running `portal serve` with
the demo data (tests/support/browser.py): the guide walked screen by screen, each screen checked by
axe-core, nothing fetched from anywhere but the service itself and no console errors."""

from __future__ import annotations

import base64
import itertools
import time
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote

import pytest
from pypdf import PdfReader

from tests.support.browser import ADMIN, Portal, Watched, browser, portal, tab
from tests.support.smtp_server import plain_text

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser
__all__ = ["browser", "portal", "tab"]  # the shared fixtures

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
    one = PdfReader(_download(page, "#certificate-link", tmp_path / "one.pdf")).pages
    assert len(one) == 1 and first_name in " ".join(_lines_and_pairs(one[0].extract_text()))
    expect(first.locator(".badge")).to_have_text("Issued")

    # when 20 completers are selected and "Download Certificates" is chosen from the menu
    for position in range(20):
        boxes.nth(position).check()
    names = page.locator("#candidate-rows tr td:nth-child(2)").all_inner_texts()[:20]
    expect(page.locator("#selected-count")).to_have_text("20 selected")
    page.click("#download-button")
    tab.check("download-menu")
    page.click("#download-certificates")

    # then the subscription drives the progress bar to 100 %, and the file downloads
    expect(page.locator("#job-text")).to_have_text("ready · 20 of 20 (100 %)", timeout=45_000)
    assert page.eval_on_selector("#job-progress", "bar => [bar.value, bar.max]") == [20, 20]
    tab.check("certificates-file")
    certificates = _download(page, "#file-link", tmp_path / "certificates.pdf")
    pages = PdfReader(certificates).pages
    assert len(pages) == 20
    # in the order they were listed
    texts = [_lines_and_pairs(sheet.extract_text()) for sheet in pages]
    assert [name in text for name, text in zip(names, texts, strict=True)] == [True] * 20
    # and the last file is that same file, and the selection exports as CSV
    page.click("#download-button")
    page.click("#download-last")
    last = _download(page, "#last-file-link", tmp_path / "last.pdf")
    assert last.read_bytes() == certificates.read_bytes()
    page.click("#download-button")
    page.click("#export-csv")
    csv = _download(page, "#csv-link", tmp_path / "selection.csv").read_text(encoding="utf-8-sig")
    assert len(csv.splitlines()) == 1 + 20
    job_id = page.get_attribute("#job", "data-job-id")
    # and the last file can be made again, its progress shown the same way
    page.click("#download-button")
    page.click("#regenerate")
    expect(page.locator("#job")).not_to_have_attribute("data-job-id", job_id or "")
    expect(page.locator("#job-text")).to_have_text("ready · 20 of 20 (100 %)", timeout=45_000)
    again = _download(page, "#file-link", tmp_path / "again.pdf")
    assert len(PdfReader(again).pages) == 20

    # when the admin goes to GraphiQL (the token comes along) and runs a query
    page.click("a[href='/graphql']")
    _run_in_graphiql(page, "{ viewer { email } }")

    # then its result shows the signed-in user
    expect(page.locator(".graphiql-response")).to_contain_text(f'"email": "{ADMIN}"')
    # and its subscriptions run over this origin's WebSocket, signed in with the same headers
    _run_in_graphiql(page, f'subscription {{ certificateFileJobUpdated(id: "{job_id}") {{ status }} }}')
    expect(page.locator(".graphiql-response")).to_contain_text('"status": "READY"')


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
    assert page.url == f"{portal.url}/"
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
    assert page.url == f"{portal.url}/"

    # when the link to its certificates step is opened
    page.goto(f"{portal.url}/recognitions/{recognition_id.replace('=', '%3D')}/certificates")
    expect(page.locator("#certificates-title")).to_have_text(f"Certificates · {RECOGNITION}")

    # and so does a hash link of earlier versions, and one by database number, at their paths
    page.goto(f"{portal.url}/#/recognitions/{recognition_id}/certificates")
    expect(page.locator("#certificates-title")).to_have_text(f"Certificates · {RECOGNITION}")
    assert page.url == f"{portal.url}/recognitions/{recognition_id}/certificates"
    key = base64.b64decode(recognition_id).decode().split(":")[1]
    page.goto(f"{portal.url}/recognitions/{key}")
    expect(page.locator("#details-title")).to_have_text(RECOGNITION)
    assert page.url == f"{portal.url}/recognitions/{recognition_id}"

    # and an id that names nothing says so over the list
    page.goto(f"{portal.url}/recognitions/Q2VyZW1vbnk6OTk5OTk%3D")
    expect(page.locator("#recognitions-error")).to_have_text(
        "That recognition was not found, or is not yours to see."
    )


def _pick(page: Page, day: str) -> None:
    """Move the calendar to `day`'s month by keyboard (Page Up / Page Down), then click the day."""
    shown = page.locator("#wizard-calendar button[data-day]").first.get_attribute("data-day") or ""
    months = (int(day[:4]) - int(shown[:4])) * 12 + int(day[5:7]) - int(shown[5:7])
    page.locator("#wizard-calendar button[tabindex='0']").focus()
    for _ in range(abs(months)):
        page.keyboard.press("PageDown" if months > 0 else "PageUp")
    page.click(f"#wizard-calendar button[data-day='{day}']")


def test_a_partner_admin_schedules_a_ceremony_through_both_steps(portal: Portal, tab: Watched) -> None:
    from playwright.sync_api import expect

    page = tab.page
    demo = portal.graphql("{ recognitions(first: 100) { edges { node { name dateRange { start end } } } } }")
    span = next(
        e["node"]["dateRange"] for e in demo["recognitions"]["edges"] if e["node"]["name"] == RECOGNITION
    )
    zone = "America/Chicago"
    earliest = portal.graphql(f'{{ earliestCeremonyDate(timeZone: "{zone}") }}')["earliestCeremonyDate"]
    page.goto(f"{portal.url}/#token={portal.admin_token}")

    # when a ceremony is started, a range picked on the calendar and a program chosen
    page.click("#schedule-ceremony")
    page.fill("#wizard-name", "Autumn pinning ceremony")
    _pick(page, span["start"])
    _pick(page, span["end"])
    programs = page.locator("#wizard-programs input[type=checkbox]")
    expect(programs.first).to_be_visible()
    programs.first.check()
    tab.check("wizard-step1")
    # and saved as a draft
    page.click("#wizard-draft1")

    # then the dashboard lists the draft; reopened from its menu, the wizard resumes at step 1
    row = page.locator("#recognition-rows tr", has_text="Autumn pinning ceremony")
    expect(row.locator(".badge")).to_have_text("Draft")
    row.get_by_role("button", name="Actions for Autumn pinning ceremony").click()
    row.get_by_role("button", name="Edit").click()
    expect(page.locator("#wizard-title")).to_have_text("Schedule a Ceremony · step 1 of 2")
    expect(programs.first).to_be_checked()
    page.click("#wizard-next")

    # when step 2 is filled in with a date 13 days out, and submitted
    expect(page.locator("#wizard-title")).to_have_text("Schedule a Ceremony · step 2 of 2")
    page.fill("#wizard-zone", zone)
    page.locator("#wizard-zone").dispatch_event("change")
    expect(page.locator("#wizard-date")).to_have_attribute("min", earliest)
    too_soon = (date.fromisoformat(earliest) - timedelta(days=1)).isoformat()
    page.fill("#wizard-date", too_soon)
    page.fill("#wizard-time", "18:30")
    page.check("#wizard-in-person")
    page.fill("#wizard-contact-name", "Dana Whitfield")
    page.fill("#wizard-contact-email", ADMIN)
    page.fill("#wizard-contact-phone", "+1 312 555 0100")
    page.fill("#wizard-line1", "1 University Way")
    page.fill("#wizard-city", "Chicago")
    page.fill("#wizard-postal-code", "60601")
    page.fill("#wizard-country", "US")
    tab.check("wizard-step2")
    page.click("#wizard-submit")

    # then the API's words appear next to the date
    expect(page.locator("#wizard-date-error")).to_have_text(
        f"The ceremony date must be at least 14 days from today, on or after {earliest} ({zone}). For an "
        "urgent ceremony, contact Partnership Portal Support or your Regional Customer Success Director."
    )
    tab.check("wizard-error")

    # when the earliest allowed day is chosen instead
    page.fill("#wizard-date", earliest)
    page.click("#wizard-submit")

    # then the confirmation shows, and the confirmation mail's link opens the ceremony after sign-in
    expect(page.locator("#wizard-confirmation-text")).to_contain_text("Scheduled / Pending")
    tab.check("wizard-confirmation")
    link = page.url  # the ceremony's details, where the confirmation leaves the address
    assert link.startswith(f"{portal.url}/recognitions/")
    deadline = time.monotonic() + 15
    while not any(f"{link}\r\n" in plain_text(mail) for mail in portal.smtp.inbox.messages):
        assert time.monotonic() < deadline, [plain_text(mail) for mail in portal.smtp.inbox.messages]
        time.sleep(0.05)
    fresh = page.context.browser.new_context()  # type: ignore[union-attr]
    try:
        other = fresh.new_page()
        other.goto(link)
        other.fill("#token", portal.admin_token)
        other.click("#sign-in-form button[type=submit]")
        expect(other.locator("#details-title")).to_have_text("Autumn pinning ceremony")
        expect(other.locator("#details-status")).to_have_text("Scheduled / Pending")
    finally:
        fresh.close()


def test_a_partner_admin_requests_certificates_only_by_keyboard_and_finalizes(
    portal: Portal, tab: Watched, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page = tab.page
    demo = portal.graphql("{ recognitions(first: 100) { edges { node { name dateRange { start end } } } } }")
    span = next(
        e["node"]["dateRange"] for e in demo["recognitions"]["edges"] if e["node"]["name"] == RECOGNITION
    )
    page.goto(f"{portal.url}/#token={portal.admin_token}")

    # when "Request Certificates Only" is chosen and the range picked with the keyboard alone
    expect(page.locator("#recognitions-heading")).to_be_focused()
    page.focus("#request-certificates")
    page.keyboard.press("Enter")
    expect(page.locator("#wizard-title")).to_have_text("Request Certificates Only · step 1 of 1")
    page.fill("#wizard-name", "Keyboard request")
    for day in (span["start"], span["end"]):
        _keyboard_pick(page, day)
    expect(page.locator("#wizard-calendar button[aria-pressed='true']").first).to_be_visible()
    programs = page.locator("#wizard-programs input[type=checkbox]")
    expect(programs.first).to_be_visible()
    for position in range(programs.count()):
        programs.nth(position).focus()
        page.keyboard.press("Space")
        expect(programs.nth(position)).to_be_checked()
    # and it is finalized
    page.focus("#wizard-finalize")
    page.keyboard.press("Enter")

    # then it is created, and its certificates step is one link away
    expect(page.locator("#wizard-confirmation-text")).to_have_text(
        "“Keyboard request” is created: its certificates can be generated now."
    )
    page.click("#wizard-confirmation-certificates")
    expect(page.locator("#certificates-title")).to_have_text("Certificates · Keyboard request")
    # and "select all" takes in every page (50 to a page), which the CSV shows
    request_id = unquote(page.url.split("/recognitions/")[1].split("/")[0])
    count = portal.graphql(
        "query($id: ID!) { recognition(id: $id) {"
        " certificateCandidates(filter: { kind: COMPLETER }) { totalCount } } }",
        {"id": request_id},
    )["recognition"]["certificateCandidates"]["totalCount"]
    assert count > 50
    expect(page.locator("#tab-completer")).to_have_text(f"Completers ({count})")
    page.click("#select-listed")
    expect(page.locator("#selected-count")).to_have_text("50 selected")
    page.click("#select-everyone")
    expect(page.locator("#selected-count")).to_have_text(f"All {count} selected")
    page.click("#download-button")
    page.click("#export-csv")
    csv = _download(page, "#csv-link", tmp_path / "everyone.csv").read_text(encoding="utf-8-sig")
    assert len(csv.splitlines()) == 1 + count


def _keyboard_pick(page: Page, day: str) -> None:
    """Arrows and Page Up / Page Down to `day` from the calendar's tab stop, then Enter."""
    from playwright.sync_api import expect

    stop = page.locator("#wizard-calendar button[tabindex='0']")
    stop.focus()
    at = date.fromisoformat(stop.get_attribute("data-day") or "")
    target = date.fromisoformat(day)
    months = (target.year - at.year) * 12 + target.month - at.month
    for _ in range(abs(months)):
        page.keyboard.press("PageDown" if months > 0 else "PageUp")
    expect(page.locator(f"#wizard-calendar button[data-day^='{day[:7]}']").first).to_be_visible()
    at = date.fromisoformat(stop.get_attribute("data-day") or "")
    for _ in range(abs((target - at).days)):
        page.keyboard.press("ArrowRight" if target > at else "ArrowLeft")
    expect(page.locator(f"#wizard-calendar button[data-day='{day}']")).to_be_focused()
    page.keyboard.press("Enter")


def test_staff_see_every_partner_mark_pins_mailed_and_cancel(portal: Portal, tab: Watched) -> None:
    from playwright.sync_api import expect

    page = tab.page
    # when staff sign in with a one-click address
    page.goto(f"{portal.url}/#token={portal.staff_token}")

    # then every partner's recognitions are listed, with the partner
    expect(page.locator("#partner-heading")).to_be_visible()
    rows = page.locator("#recognition-rows tr", has_text="Riverside State University")
    summer = rows.filter(has_text="Summer pinning ceremony")
    expect(summer.locator("td").nth(1)).to_have_text("Riverside State University")
    tab.check("staff-dashboard")

    # when staff mark the summer ceremony's pins mailed from its details popup
    summer.get_by_role("link", name="Summer pinning ceremony").click()
    expect(page.locator("#details-status")).to_have_text("Scheduled / Pending")
    page.click("#details-actions [data-action=MARK_PINS_MAILED]")

    # then its status says so, and so does its history
    expect(page.locator("#details-status")).to_have_text("Scheduled / Pins mailed")
    expect(page.locator("#details-events li").last).to_contain_text("pins mailed · Priya Raman")
    expect(summer.locator(".badge")).to_have_text("Scheduled / Pins mailed")
    tab.check("staff-details")
    page.keyboard.press("Escape")

    # when staff cancel the spring ceremony from its row's menu (confirming when asked)
    spring = rows.filter(has_text="Spring pinning ceremony")
    spring.get_by_role("button", name="Actions for Spring pinning ceremony").click()
    page.once("dialog", lambda dialog: dialog.accept())
    spring.get_by_role("button", name="Cancel ceremony").click()

    # then it shows as cancelled
    expect(spring.locator(".badge")).to_have_text("Cancelled")


def test_staff_schedule_a_partners_draft_with_the_14_day_override_and_its_reason(
    portal: Portal, tab: Watched
) -> None:
    from playwright.sync_api import expect

    page = tab.page
    zone = "America/Chicago"
    earliest = portal.graphql(f'{{ earliestCeremonyDate(timeZone: "{zone}") }}')["earliestCeremonyDate"]
    too_soon = (date.fromisoformat(earliest) - timedelta(days=1)).isoformat()
    page.goto(f"{portal.url}/#token={portal.staff_token}")

    # when staff open a partner's draft ceremony from its row's menu and go on to step 2
    row = page.locator("#recognition-rows tr", has_text="Riverside State University").filter(
        has_text="Winter pinning ceremony (draft)"
    )
    row.get_by_role("button", name="Actions for Winter pinning ceremony (draft)").click()
    row.get_by_role("button", name="Edit").click()
    page.click("#wizard-next")
    expect(page.locator("#wizard-title")).to_have_text("Schedule a Ceremony · step 2 of 2")
    # and fill it in with a date 13 days out, overriding the notice without a reason first
    page.fill("#wizard-zone", zone)
    page.fill("#wizard-date", too_soon)
    page.fill("#wizard-time", "17:00")
    page.check("#wizard-online")
    page.fill("#wizard-meeting-url", "https://meet.example.org/winter")
    page.fill("#wizard-contact-name", "Dana Whitfield")
    page.fill("#wizard-contact-email", ADMIN)
    page.fill("#wizard-contact-phone", "+1 312 555 0100")
    page.fill("#wizard-line1", "1 University Way")
    page.fill("#wizard-city", "Chicago")
    page.fill("#wizard-postal-code", "60601")
    page.fill("#wizard-country", "US")
    page.check("#wizard-override")
    page.click("#wizard-submit")

    # then the reason is asked for next to its field, in the API's words
    expect(page.locator("#wizard-override-reason-error")).to_have_text("This field is required.")
    tab.check("staff-override")

    # when a reason is given
    page.fill("#wizard-override-reason", "The provost's visit moved the ceremony forward.")
    page.click("#wizard-submit")

    # then it is scheduled on that day
    expect(page.locator("#wizard-confirmation-text")).to_contain_text(
        f"scheduled for {too_soon} 17:00 ({zone})"
    )
