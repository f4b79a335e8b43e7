"""The example portal's two wizards in a real headless Chromium (tests/support/browser.py): a ceremony
through both steps and its confirmation mail's link, a certificate request by keyboard alone, staff
marking pins mailed, cancelling and overriding the 14 days' notice."""

from __future__ import annotations

import time
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote

import jwt
import pytest

from service.dates import written_day
from tests.support.browser import ADMIN, Portal, Watched, download
from tests.support.graphql_client import TEST_SECRET
from tests.support.smtp_server import plain_text

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

RECOGNITION = "Certificates for this year's completers"


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

    # when step 2 is submitted before a date is chosen
    expect(page.locator("#wizard-title")).to_have_text("Schedule a Ceremony · step 2 of 2")
    page.click("#wizard-submit")

    # then the API's "required" for the start (its input path, `start`) appears next to the date
    expect(page.locator("#wizard-date-error")).to_have_text(
        "This field is required to schedule the ceremony."
    )

    # when step 2 is filled in with a date 13 days out, and submitted
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
    # and saved as a draft, then reopened: in a new tab too, it opens at step 2 as it was left
    page.click("#wizard-draft2")
    expect(row.locator(".badge")).to_have_text("Draft")
    page.goto(f"{portal.url}/")
    # (as another tab would: without this tab's note of the step it was left on)
    page.evaluate(
        "Object.keys(sessionStorage).filter(key => key.startsWith('recognition.wizard-step.'))"
        ".forEach(key => sessionStorage.removeItem(key))"
    )
    row.get_by_role("button", name="Actions for Autumn pinning ceremony").click()
    row.get_by_role("button", name="Edit").click()
    expect(page.locator("#wizard-title")).to_have_text("Schedule a Ceremony · step 2 of 2")
    expect(page.locator("#wizard-date")).to_have_value(too_soon)
    expect(page.locator("#wizard-time")).to_have_value("18:30")
    expect(page.locator("#wizard-city")).to_have_value("Chicago")

    # when the time is cleared (the date kept) and step 2 is submitted, or saved as a draft
    page.fill("#wizard-time", "")
    sent = len(tab.requests)
    page.click("#wizard-submit")

    # then the form refuses it next to the time, and nothing is sent (not a ceremony at midnight)
    expect(page.locator("#wizard-time-error")).to_have_text("Enter the ceremony's time as well as its date.")
    expect(page.locator("#wizard-time")).to_be_focused()
    expect(page.locator("#wizard-time")).to_have_attribute("aria-invalid", "true")
    page.click("#wizard-draft2")
    expect(page.locator("#wizard-time-error")).to_have_text("Enter the ceremony's time as well as its date.")
    assert len(tab.requests) == sent
    expect(page.locator("#wizard-title")).to_have_text("Schedule a Ceremony · step 2 of 2")
    page.fill("#wizard-time", "18:30")
    page.click("#wizard-submit")

    # then the API's words appear next to the date
    # (days written as every mail writes them, "today" on the ceremony's own calendar)
    first_day = date.fromisoformat(earliest)
    expect(page.locator("#wizard-date-error")).to_have_text(
        f"The ceremony date must be at least 14 days from today, on or after {written_day(first_day)} "
        f"(today is {written_day(first_day - timedelta(days=14))} in {zone}). For an urgent ceremony, "
        "contact Partnership Portal Support or your Regional Customer Success Director."
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
    csv = download(page, "#csv-link", tmp_path / "everyone.csv").read_text(encoding="utf-8-sig")
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


SCHEDULE = {
    "create": """mutation($input: CeremonyCreateInput!) {
      ceremonyCreate(input: $input) { ceremony { id } errors { message } } }""",
    "update": """mutation($input: CeremonyUpdateInput!) {
      ceremonyUpdate(input: $input) { ceremony { id } errors { field message } } }""",
    "submit": """mutation($input: CeremonySubmitInput!) {
      ceremonySubmit(input: $input) { ceremony { statusLabel } errors { message } } }""",
}


def _scheduled_ceremony(portal: Portal, name: str, day: str, zone: str) -> str:
    """A ceremony of the demo's completers, scheduled in person at 18:30 on ``day`` by the partner's
    admin through the API; its id."""
    demo = portal.graphql("{ recognitions(first: 100) { edges { node { name dateRange { start end } } } } }")
    span = next(
        e["node"]["dateRange"] for e in demo["recognitions"]["edges"] if e["node"]["name"] == RECOGNITION
    )
    programs = portal.graphql(
        "query($range: DateRangeInput!) { programs(cohortsEndingBetween: $range) { cohorts { id } } }",
        {"range": span},
    )["programs"]
    created = portal.graphql(
        SCHEDULE["create"],
        {"input": {"name": name, "dateRange": span, "cohortIds": [programs[0]["cohorts"][0]["id"]]}},
    )["ceremonyCreate"]
    assert created["errors"] == []
    ceremony_id: str = created["ceremony"]["id"]
    details = {
        "id": ceremony_id,
        "start": {"dateTime": f"{day}T18:30:00", "timeZone": zone},
        "format": "IN_PERSON",
        "mailingContact": {"name": "Dana Whitfield", "email": ADMIN, "phone": "+1 312 555 0100"},
        "postalAddress": {
            "line1": "1 University Way",
            "city": "Chicago",
            "postalCode": "60601",
            "country": "US",
        },
    }
    assert portal.graphql(SCHEDULE["update"], {"input": details})["ceremonyUpdate"]["errors"] == []
    submitted = portal.graphql(SCHEDULE["submit"], {"input": {"id": ceremony_id}})["ceremonySubmit"]
    assert submitted == {"ceremony": {"statusLabel": "Scheduled / Pending"}, "errors": []}
    return ceremony_id


def test_a_partner_admin_changes_a_scheduled_ceremony_in_the_wizard(portal: Portal, tab: Watched) -> None:
    from playwright.sync_api import expect

    page = tab.page
    name = "Ceremony moved to the evening"
    zone = "America/Chicago"
    earliest = portal.graphql(f'{{ earliestCeremonyDate(timeZone: "{zone}") }}')["earliestCeremonyDate"]
    day = (date.fromisoformat(earliest) + timedelta(days=7)).isoformat()
    _scheduled_ceremony(portal, name, day, zone)
    page.goto(f"{portal.url}/#token={portal.admin_token}")

    # when the scheduled ceremony is opened from its row's menu
    row = page.locator("#recognition-rows tr", has_text=name)
    expect(row.locator(".badge")).to_have_text("Scheduled / Pending")
    row.get_by_role("button", name=f"Actions for {name}").click()
    row.get_by_role("button", name="Edit").click()

    # then the wizard opens at step 2 with the ceremony as scheduled, to save changes (no draft any more)
    expect(page.locator("#wizard-title")).to_have_text("Schedule a Ceremony · step 2 of 2")
    expect(page.locator("#wizard-date")).to_have_value(day)
    expect(page.locator("#wizard-time")).to_have_value("18:30")
    expect(page.locator("#wizard-zone")).to_have_value(zone)
    expect(page.locator("#wizard-in-person")).to_be_checked()
    expect(page.locator("#wizard-city")).to_have_value("Chicago")
    expect(page.locator("#wizard-submit")).to_have_text("Save changes")
    expect(page.locator("#wizard-draft2")).to_be_hidden()
    tab.check("wizard-scheduled")

    # when its time and the pins' address change, and the changes are saved
    page.fill("#wizard-time", "19:15")
    page.fill("#wizard-line1", "2 College Avenue")
    page.fill("#wizard-city", "Evanston")
    page.click("#wizard-submit")

    # then its details show the new time and address, still scheduled, and the history has the change
    expect(page.locator("#details-title")).to_have_text(name)
    expect(page.locator("#details-status")).to_have_text("Scheduled / Pending")
    facts = page.locator("#details-facts")
    expect(facts.locator("dt", has_text="Starts").locator("xpath=following-sibling::dd[1]")).to_have_text(
        f"{day} 19:15 ({zone})"
    )
    expect(facts.locator("dt", has_text="Pins to").locator("xpath=following-sibling::dd[1]")).to_have_text(
        "2 College Avenue, Evanston, 60601, US"
    )
    expect(page.locator("#details-events li").last).to_contain_text("updated · Dana Whitfield")
    # (one change saved is one entry: step 1, unchanged, is not saved again)
    assert [text.split(" · ")[1] for text in page.locator("#details-events li").all_inner_texts()] == [
        "created",
        "updated",  # step 2, through the API
        "submitted",
        "updated",
    ]
    # and the person who scheduled it is mailed an updated invitation with the new time
    deadline = time.monotonic() + 15
    subject = f"Pinning ceremony changed: {name}"
    while not [mail for mail in portal.smtp.inbox.messages if mail["Subject"] == subject]:
        assert time.monotonic() < deadline, [mail["Subject"] for mail in portal.smtp.inbox.messages]
        time.sleep(0.05)
    mail = next(mail for mail in portal.smtp.inbox.messages if mail["Subject"] == subject)
    assert ADMIN in mail["To"]
    assert "19:15" in plain_text(mail)


def _demo_span(portal: Portal) -> dict[str, str]:
    demo = portal.graphql("{ recognitions(first: 100) { edges { node { name dateRange { start end } } } } }")
    span: dict[str, str] = next(
        e["node"]["dateRange"] for e in demo["recognitions"]["edges"] if e["node"]["name"] == RECOGNITION
    )
    return span


def test_back_and_forward_move_between_the_dashboard_the_wizard_and_the_certificates(
    portal: Portal, tab: Watched, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page = tab.page
    span = _demo_span(portal)
    name = f"History ceremony {tmp_path.name}"
    title = page.locator("#wizard-title")
    dashboard = page.locator("#recognitions-heading")
    # given a page before the portal in the tab's history, then the portal's dashboard
    page.goto("about:blank")
    page.goto(f"{portal.url}/#token={portal.admin_token}")
    expect(dashboard).to_be_visible()

    # when "Schedule a Ceremony" is pressed, then the wizard has an address of its own
    page.click("#schedule-ceremony")
    expect(title).to_have_text("Schedule a Ceremony · step 1 of 2")
    expect(page).to_have_url(f"{portal.url}/recognitions/new/ceremony")
    # and Back returns to the dashboard, Forward to the wizard
    page.go_back()
    expect(dashboard).to_be_visible()
    expect(page).to_have_url(f"{portal.url}/")
    page.go_forward()
    expect(title).to_have_text("Schedule a Ceremony · step 1 of 2")

    # when step 1 is filled in, and the page reloaded
    page.fill("#wizard-name", name)
    _pick(page, span["start"])
    _pick(page, span["end"])
    programs = page.locator("#wizard-programs input[type=checkbox]")
    programs.first.check()
    page.reload()

    # then the new wizard is still there, as it was typed
    expect(title).to_have_text("Schedule a Ceremony · step 1 of 2")
    expect(page.locator("#wizard-name")).to_have_value(name)
    expect(page.locator("#wizard-programs > p")).to_have_text(
        f"Programs with cohorts ending {span['start']} – {span['end']}:"
    )
    expect(programs.first).to_be_checked()

    # when it goes on to step 2 (saved as a draft), and the page is reloaded
    page.click("#wizard-next")
    expect(title).to_have_text("Schedule a Ceremony · step 2 of 2")
    assert page.url.endswith("/edit")
    draft = page.url
    page.reload()
    expect(title).to_have_text("Schedule a Ceremony · step 2 of 2")

    # when Back is pressed on step 2, then the dashboard shows, listing the draft (not the page before)
    page.go_back()
    expect(dashboard).to_be_visible()
    expect(page).to_have_url(f"{portal.url}/")
    row = page.locator("#recognition-rows tr", has_text=name)
    expect(row.locator(".badge")).to_have_text("Draft")
    # and Forward returns to step 2; step 1 from there, and it stays at step 1 when reloaded
    page.go_forward()
    expect(title).to_have_text("Schedule a Ceremony · step 2 of 2")
    expect(page).to_have_url(draft)
    page.click("#wizard-back")
    expect(title).to_have_text("Schedule a Ceremony · step 1 of 2")
    page.reload()
    expect(title).to_have_text("Schedule a Ceremony · step 1 of 2")
    expect(programs.first).to_be_checked()

    # when the certificates of a recognition are opened from the dashboard, Back and Forward
    page.go_back()
    expect(dashboard).to_be_visible()
    demo = page.locator("#recognition-rows tr", has_text=RECOGNITION)
    demo.get_by_role("button", name=f"Actions for {RECOGNITION}").click()
    demo.get_by_role("button", name="Certificates", exact=True).click()
    expect(page.locator("#certificates-title")).to_have_text(f"Certificates · {RECOGNITION}")
    page.go_back()
    expect(dashboard).to_be_visible()
    page.go_forward()
    expect(page.locator("#certificates-title")).to_have_text(f"Certificates · {RECOGNITION}")

    # and "Request Certificates Only" has its own address too, which Back leaves for the dashboard
    page.go_back()
    page.click("#request-certificates")
    expect(title).to_have_text("Request Certificates Only · step 1 of 1")
    expect(page).to_have_url(f"{portal.url}/recognitions/new/certificate-request")
    expect(page.locator("#wizard-name")).to_have_value("")
    page.go_back()
    expect(dashboard).to_be_visible()

    # and the wizard's address of a recognition that cannot be edited any more shows its details in its
    # place (Back does not return to it)
    demo_id = portal.recognition_id(RECOGNITION)
    page.goto(f"{portal.url}/recognitions/{quote(demo_id)}/edit")
    expect(page.locator("#details-title")).to_have_text(RECOGNITION)
    assert unquote(page.url) == f"{portal.url}/recognitions/{demo_id}"
    page.go_back()
    expect(dashboard).to_be_visible()
    expect(page).to_have_url(f"{portal.url}/")


def _expired(token: str) -> str:
    """The same sign-in, expired a minute ago (as a token does while its tab is left open)."""
    claims = jwt.decode(token, TEST_SECRET, algorithms=["HS256"])
    claims["exp"] = int(time.time()) - 60
    return jwt.encode(claims, TEST_SECRET, algorithm="HS256")


EXPIRE = "token => sessionStorage.setItem('recognition.token', token)"


def test_a_session_that_ends_in_the_wizard_signs_in_again_where_it_was_and_a_lost_server_is_said(
    portal: Portal, tab: Watched, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page = tab.page
    span = _demo_span(portal)
    name = f"Interrupted ceremony {tmp_path.name}"
    title = page.locator("#wizard-title")
    programs = page.locator("#wizard-programs input[type=checkbox]")
    ended = "Your session has ended. Sign in again to go on where you left off."
    page.goto(f"{portal.url}/#token={portal.admin_token}")
    # given a new ceremony's step 1 filled in
    page.click("#schedule-ceremony")
    page.fill("#wizard-name", name)
    _pick(page, span["start"])
    _pick(page, span["end"])
    programs.first.check()

    # when the session has ended meanwhile (the token expired) and "Next" is pressed
    page.evaluate(EXPIRE, _expired(portal.admin_token))
    page.click("#wizard-next")

    # then the sign-in shows, saying why, at the same address
    expect(page.locator("#sign-in-heading")).to_be_visible()
    expect(page.locator("#session-ended")).to_have_text(ended)
    expect(page.locator("#sign-in-error")).to_have_text("")
    expect(page).to_have_url(f"{portal.url}/recognitions/new/ceremony")
    tab.check("sign-in-session-ended")

    # when the partner signs in again, then the wizard is as it was left
    page.fill("#token", portal.admin_token)
    page.click("#sign-in-form button[type=submit]")
    expect(title).to_have_text("Schedule a Ceremony · step 1 of 2")
    expect(page.locator("#wizard-name")).to_have_value(name)
    expect(programs.first).to_be_checked()
    expect(page.locator("#session-ended")).to_be_hidden()
    expect(page.locator("main")).not_to_have_attribute("aria-busy", "true")  # its programs read

    # when the server cannot be reached and "Next" is pressed
    page.route("**/graphql", lambda route: route.abort("connectionrefused"))
    page.click("#wizard-next")

    # then the page says so in words to act on, and the form stays as it was
    expect(page.locator("#wizard-error")).to_have_text(
        "Cannot reach the server; check your connection and try again."
    )
    expect(title).to_have_text("Schedule a Ceremony · step 1 of 2")
    expect(page.locator("#wizard-name")).to_have_value(name)
    expect(programs.first).to_be_checked()
    tab.check("wizard-unreachable")

    # when it can be reached again, then "Next" saves the draft and goes on
    page.unroute("**/graphql")
    page.click("#wizard-next")
    expect(title).to_have_text("Schedule a Ceremony · step 2 of 2")
    draft = page.url
    assert draft.endswith("/edit")

    # when step 2 is being filled in and the session ends again, on "Save as draft"
    page.fill("#wizard-city", "Chicago")
    page.fill("#wizard-contact-name", "Dana Whitfield")
    page.check("#wizard-in-person")
    page.evaluate(EXPIRE, _expired(portal.admin_token))
    page.click("#wizard-draft2")
    expect(page.locator("#session-ended")).to_have_text(ended)
    expect(page).to_have_url(draft)

    # then signing in again finds step 2 as it was typed
    page.fill("#token", portal.admin_token)
    page.click("#sign-in-form button[type=submit]")
    expect(title).to_have_text("Schedule a Ceremony · step 2 of 2")
    expect(page.locator("#wizard-city")).to_have_value("Chicago")
    expect(page.locator("#wizard-contact-name")).to_have_value("Dana Whitfield")
    expect(page.locator("#wizard-in-person")).to_be_checked()
    # and saving it now works
    page.click("#wizard-draft2")
    row = page.locator("#recognition-rows tr", has_text=name)
    expect(row.locator(".badge")).to_have_text("Draft")

    # when the page is opened again while the server cannot be reached
    page.route("**/graphql", lambda route: route.abort("connectionrefused"))
    page.reload()

    # then the sign-in says so, and offers to try again with the same sign-in
    expect(page.locator("#sign-in-error")).to_have_text(
        "Cannot reach the server; check your connection and try again."
    )
    tab.check("sign-in-unreachable")
    page.unroute("**/graphql")
    page.get_by_role("button", name="Try again").click()
    expect(row.locator(".badge")).to_have_text("Draft")
    expect(page.get_by_role("button", name="Try again")).to_be_hidden()
    # (the browser's console told of the refused requests: expected here, and nothing else)
    assert {problem for problem in tab.problems} == {
        "Failed to load resource: net::ERR_CONNECTION_REFUSED",
    }, tab.problems
    tab.problems.clear()


READ_CEREMONY = """query($id: ID!) { recognition(id: $id) { ... on Ceremony {
  status startsAt format mailingContact { name email phone } postalAddress { city country } } } }"""


def test_submit_shows_every_problem_at_once_and_saves_nothing_wrong(
    portal: Portal, tab: Watched, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page = tab.page
    zone = "America/Chicago"
    earliest = portal.graphql(f'{{ earliestCeremonyDate(timeZone: "{zone}") }}')["earliestCeremonyDate"]
    too_soon = (date.fromisoformat(earliest) - timedelta(days=1)).isoformat()
    span = _demo_span(portal)
    programs = portal.graphql(
        "query($range: DateRangeInput!) { programs(cohortsEndingBetween: $range) { cohorts { id } } }",
        {"range": span},
    )["programs"]
    # given a ceremony draft with its step 1 saved, opened at step 2
    name = f"All at once {tmp_path.name}"
    created = portal.graphql(
        SCHEDULE["create"],
        {"input": {"name": name, "dateRange": span, "cohortIds": [programs[0]["cohorts"][0]["id"]]}},
    )["ceremonyCreate"]
    assert created["errors"] == []
    ceremony_id = created["ceremony"]["id"]
    page.goto(f"{portal.url}/recognitions/{quote(ceremony_id)}/edit#token={portal.admin_token}")
    page.click("#wizard-next")
    expect(page.locator("#wizard-title")).to_have_text("Schedule a Ceremony · step 2 of 2")

    # when step 2 has a date 13 days out, a malformed email and phone and an unknown country, and is submitted
    page.fill("#wizard-zone", zone)
    page.fill("#wizard-date", too_soon)
    page.fill("#wizard-time", "18:30")
    page.check("#wizard-in-person")
    page.fill("#wizard-contact-name", "Dana Whitfield")
    page.fill("#wizard-contact-email", "dana.whitfield")
    page.fill("#wizard-contact-phone", "call the front desk")
    page.fill("#wizard-line1", "1 University Way")
    page.fill("#wizard-city", "Chicago")
    page.fill("#wizard-postal-code", "60601")
    page.fill("#wizard-country", "Atlantis")
    page.click("#wizard-submit")

    # then all four problems show at once, each next to its field, in the API's words
    first_day = date.fromisoformat(earliest)
    notice = (
        f"The ceremony date must be at least 14 days from today, on or after {written_day(first_day)} "
        f"(today is {written_day(first_day - timedelta(days=14))} in {zone}). For an urgent ceremony, "
        "contact Partnership Portal Support or your Regional Customer Success Director."
    )
    expect(page.locator("#wizard-date-error")).to_have_text(notice)
    asked = {
        "id": ceremony_id,
        "start": {"dateTime": f"{too_soon}T18:30:00", "timeZone": zone},
        "format": "IN_PERSON",
        "mailingContact": {
            "name": "Dana Whitfield",
            "email": "dana.whitfield",
            "phone": "call the front desk",
        },
        "postalAddress": {
            "line1": "1 University Way",
            "city": "Chicago",
            "postalCode": "60601",
            "country": "Atlantis",
        },
    }
    refused = portal.graphql(SCHEDULE["update"], {"input": asked})["ceremonyUpdate"]["errors"]
    said = {".".join(error["field"]): error["message"] for error in refused}
    assert sorted(said) == ["mailingContact.email", "mailingContact.phone", "postalAddress.country"]
    expect(page.locator("#wizard-contact-email-error")).to_have_text(said["mailingContact.email"])
    expect(page.locator("#wizard-contact-phone-error")).to_have_text(said["mailingContact.phone"])
    expect(page.locator("#wizard-country-error")).to_have_text(said["postalAddress.country"])
    expect(page.locator("#wizard-step2 .field-error")).to_have_count(4)
    expect(page.locator("#wizard-error")).to_have_text("")
    tab.check("wizard-every-problem")
    # and nothing of it was saved, nor submitted
    saved = portal.graphql(READ_CEREMONY, {"id": ceremony_id})["recognition"]
    assert saved == {
        "status": "DRAFT",
        "startsAt": None,
        "format": None,
        "mailingContact": {"name": None, "email": None, "phone": None},
        "postalAddress": {"city": None, "country": None},
    }

    # when the contact and address are put right, the date left as it was, and it is submitted again
    page.fill("#wizard-contact-email", ADMIN)
    page.fill("#wizard-contact-phone", "+1 312 555 0100")
    page.fill("#wizard-country", "US")
    page.click("#wizard-submit")

    # then the date alone is refused, in the same words (now the API's own, from the submit)
    expect(page.locator("#wizard-step2 .field-error")).to_have_count(1)
    expect(page.locator("#wizard-date-error")).to_have_text(notice)

    # when a field needed to schedule is emptied and the email made wrong again
    page.fill("#wizard-city", "")
    page.fill("#wizard-contact-email", "dana.whitfield")
    page.click("#wizard-submit")

    # then the empty field is said with the email, and the date
    required = "This field is required to schedule the ceremony."
    expect(page.locator("#wizard-city-error")).to_have_text(required)
    expect(page.locator("#wizard-contact-email-error")).to_have_text(said["mailingContact.email"])
    expect(page.locator("#wizard-date-error")).to_have_text(notice)
    expect(page.locator("#wizard-step2 .field-error")).to_have_count(3)

    # when everything is put right, then it is scheduled
    page.fill("#wizard-city", "Chicago")
    page.fill("#wizard-contact-email", ADMIN)
    page.fill("#wizard-date", earliest)
    page.click("#wizard-submit")
    expect(page.locator("#wizard-confirmation-text")).to_contain_text("Scheduled / Pending")
