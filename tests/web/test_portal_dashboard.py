"""The example portal's dashboard in a real headless Chromium (tests/support/browser.py): more
recognitions than one page holds, listed page after page with "Show more"."""

from __future__ import annotations

from datetime import date, timedelta

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
