"""The example portal's dashboard in a real headless Chromium (tests/support/browser.py): more
recognitions than one page holds, listed page after page with "Show more"; a long name without
spaces kept within the window."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import quote

import pytest

from tests.support.browser import Portal, Watched

pytestmark = pytest.mark.browser

PAGE_SIZE = 50  # dashboard.js asks for this many rows at a time
PARTNERS = "{ partners { id name } }"
PROGRAMS = """query($range: DateRangeInput!, $partnerId: ID) {
  programs(cohortsEndingBetween: $range, partnerId: $partnerId) { cohorts { id endsOn } } }"""
CREATE = """mutation($input: CertificateRequestCreateInput!) {
  certificateRequestCreate(input: $input) { certificateRequest { id } errors { message } } }"""
DELETE = """mutation($input: RecognitionDeleteInput!) {
  recognitionDelete(input: $input) { deletedId errors { message } } }"""
LISTED = "{ recognitions(first: 100) { edges { node { id name } } pageInfo { hasNextPage } } }"


def _lakeshore_drafts(portal: Portal, count: int) -> list[str]:
    """``count`` certificate-request drafts of Lakeshore (a partner the other browser tests leave
    alone), made by staff; their ids."""
    partners = portal.graphql(PARTNERS, token=portal.staff_token)["partners"]
    lakeshore = next(p["id"] for p in partners if p["name"] == "Lakeshore Community College")
    today = date.today()
    span = {"start": (today - timedelta(days=365)).isoformat(), "end": today.isoformat()}
    programs = portal.graphql(PROGRAMS, {"range": span, "partnerId": lakeshore}, token=portal.staff_token)
    cohort = programs["programs"][0]["cohorts"][0]
    made = []
    for number in range(count):
        payload = portal.graphql(
            CREATE,
            {
                "input": {
                    "name": f"Paging draft {number:02d}",
                    "dateRange": {"start": cohort["endsOn"], "end": cohort["endsOn"]},
                    "cohortIds": [cohort["id"]],
                }
            },
            token=portal.staff_token,
        )["certificateRequestCreate"]
        assert payload["errors"] == []
        made.append(payload["certificateRequest"]["id"])
    return made


def test_staff_list_recognitions_beyond_the_first_page_with_show_more(portal: Portal, tab: Watched) -> None:
    from playwright.sync_api import expect

    page = tab.page
    # given more recognitions than one page holds
    drafts = _lakeshore_drafts(portal, PAGE_SIZE + 1)
    try:
        listed = portal.graphql(LISTED, token=portal.staff_token)["recognitions"]
        assert listed["pageInfo"]["hasNextPage"] is False
        names = [edge["node"]["name"] for edge in listed["edges"]]
        assert len(names) > PAGE_SIZE
        page.goto(f"{portal.url}/#token={portal.staff_token}")

        # then the dashboard shows the first page, newest first, and offers more
        rows = page.locator("#recognition-rows tr")
        expect(rows).to_have_count(PAGE_SIZE)
        more = page.get_by_role("button", name="Show more")
        expect(more).to_be_visible()
        tab.check("dashboard-show-more")

        # when "Show more" is pressed, by keyboard
        more.focus()
        page.keyboard.press("Enter")

        # then the rest follow the first page in the same order, no row twice, and nothing more is offered;
        # the focus moves to the first row added (the button it was on is gone)
        expect(rows).to_have_count(len(names))
        expect(more).to_be_hidden()
        assert rows.locator("td:first-child a").all_inner_texts() == names
        expect(rows.nth(PAGE_SIZE).locator("td:first-child a")).to_be_focused()
        tab.check("dashboard-all-shown")
    finally:
        for draft_id in drafts:  # leaving the other tests the demo's dashboard
            deleted = portal.graphql(DELETE, {"input": {"id": draft_id}}, token=portal.staff_token)
            assert deleted["recognitionDelete"]["errors"] == []


RECOGNITION = "Certificates for this year's completers"
DEMO = "{ recognitions { edges { node { id name dateRange { start end } cohorts { id } } } } }"
WIDTH = 1280
# How far the page reaches to the right, beyond the window or not.
PAGE_WIDTH = "document.documentElement.scrollWidth"


def test_a_long_name_without_spaces_stays_within_the_window(portal: Portal, tab: Watched) -> None:
    from playwright.sync_api import expect

    page = tab.page
    page.set_viewport_size({"width": WIDTH, "height": 900})
    # given a draft whose name is 200 characters without a space (the most a name may have)
    name = "Pinning" + "Ceremony" * 24 + "X"
    assert len(name) == 200
    rows = portal.graphql(DEMO)["recognitions"]["edges"]
    demo = next(edge["node"] for edge in rows if edge["node"]["name"] == RECOGNITION)
    created = portal.graphql(
        CREATE,
        {"input": {"name": name, "dateRange": demo["dateRange"], "cohortIds": [demo["cohorts"][0]["id"]]}},
    )["certificateRequestCreate"]
    assert created["errors"] == []
    try:
        # when the dashboard lists it
        page.goto(f"{portal.url}/#token={portal.admin_token}")
        row = page.locator("#recognition-rows tr", has_text=name[:40])
        expect(row).to_have_count(1)

        # then the page is no wider than the window, the name breaking over lines instead
        assert page.evaluate(PAGE_WIDTH) <= WIDTH
        # and its row's menu opens within the window
        row.get_by_role("button", name=f"Actions for {name}").click()
        menu = row.locator(".menu")
        expect(menu).to_be_visible()
        box = menu.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH
        expect(menu.get_by_role("button", name="Delete draft")).to_be_in_viewport()
        tab.check("dashboard-long-name")
        page.keyboard.press("Escape")

        # when its details popup opens, then the popup holds the name within itself, and the window
        row.get_by_role("link", name=name).click()
        dialog = page.locator("#details")
        expect(page.locator("#details-title")).to_have_text(name)
        assert dialog.evaluate("popup => popup.scrollWidth <= popup.clientWidth")
        assert page.evaluate(PAGE_WIDTH) <= WIDTH
        tab.check("details-long-name")
        page.keyboard.press("Escape")

        # when a course-taker's name and email are as long (drawn into a row of a certificates page)
        page.goto(f"{portal.url}/recognitions/{quote(demo['id'])}/certificates")
        cells = page.locator("#candidate-rows tr").first.locator("td")
        expect(cells.nth(1)).not_to_have_text("")
        cells.nth(1).evaluate("(cell, name) => (cell.textContent = name)", name)
        cells.nth(2).evaluate("(cell, name) => (cell.textContent = `${name}@example.org`)", name.lower())

        # then the page is still no wider than the window
        assert page.evaluate(PAGE_WIDTH) <= WIDTH
        expect(page.locator("#download-button")).to_be_in_viewport()
    finally:
        deleted = portal.graphql(DELETE, {"input": {"id": created["certificateRequest"]["id"]}})
        assert deleted["recognitionDelete"]["errors"] == []
