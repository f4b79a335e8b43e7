"""The example portal's "Certificate design" screen in a real headless Chromium (tests/support/browser.py):
staff upload Riverside's logo and two signatures, create, preview and assign a template, and its next
certificate carries the images; a hostile upload and a faint colour are refused next to their fields.
A partner admin edits the wording and sees a logo change refused."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import httpx
import pikepdf
import pytest
from PIL import Image
from pypdf import PdfReader

from tests.support.browser import SLOW_ANSWER, Portal, Watched

pytestmark = pytest.mark.browser

RECOGNITION = "Certificates for this year's completers"
PARTNER = "Riverside State University"
TEMPLATE_FIELDS = (
    "id name version assigned design { wording { presented } partnerLogoId signatories { name } }"
)
PREVIEW = "query($id: ID!) { certificateTemplatePreview(templateId: $id) { downloadUrl errors { message } } }"
ASSIGN = """mutation($input: CertificateTemplateAssignInput!) {
  certificateTemplateAssign(input: $input) { errors { message } } }"""


def _png(path: Path, size: tuple[int, int], color: tuple[int, int, int]) -> Path:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def _images(pdf: bytes) -> list[tuple[int, int]]:
    """The image XObjects the first page draws (also inside form XObjects), as (width, height)."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return sorted(
            (int(image.Width), int(image.Height)) for image in document.pages[0].get_images().values()
        )


def _get(portal: Portal, link: str) -> httpx.Response:
    """A signed link, as a plain `<a href>` follows it (no token)."""
    response = httpx.get(link if link.startswith("http") else f"{portal.url}{link}", timeout=SLOW_ANSWER)
    assert response.status_code == 200, response.text
    return response


def _templates(portal: Portal, token: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = portal.graphql(
        f"{{ certificateTemplates {{ {TEMPLATE_FIELDS} }} }}", token=token
    )["certificateTemplates"]
    return found


def _uncertified_completer(portal: Portal, recognition_id: str) -> str:
    """A completer of the recognition without a certificate yet (issuing answers an existing one)."""
    data = portal.graphql(
        """query($id: ID!) { recognition(id: $id) {
             certificateCandidates(first: 100, filter: {kind: COMPLETER}) {
               edges { node { enrollmentId certificate { code } } } } } }""",
        {"id": recognition_id},
        token=portal.staff_token,
    )
    edges = data["recognition"]["certificateCandidates"]["edges"]
    found: str = next(e["node"]["enrollmentId"] for e in reversed(edges) if e["node"]["certificate"] is None)
    return found


def test_staff_give_riverside_a_logo_and_two_signatures(portal: Portal, tab: Watched, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    page = tab.page
    name = "Riverside branded"
    logo = _png(tmp_path / "logo.png", (240, 120), (31, 58, 95))
    signatures = [_png(tmp_path / f"sign-{n}.png", (300, 90 + n), (20, 20, 20)) for n in range(2)]
    hostile = tmp_path / "evil.png"
    hostile.write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    page.goto(f"{portal.url}/#token={portal.staff_token}")

    # when staff open "Certificate design" from the header and choose Riverside
    page.get_by_role("link", name="Certificate design").click()
    expect(page).to_have_url(f"{portal.url}/templates")
    page.select_option("#template-partner", label=PARTNER)
    page.click("#template-new")
    page.fill("#template-name", name)

    # and upload an SVG named .png as the logo: the API's refusal shows next to the field
    page.set_input_files("#template-partner-logo", str(hostile))
    expect(page.locator("#template-partner-logo-error")).to_have_text(
        "Upload a PNG or JPEG image (SVG is not accepted: export it as PNG)."
    )
    logo_input = page.locator("#template-partner-logo")
    expect(logo_input).to_have_attribute("aria-invalid", "true")
    expect(logo_input).to_have_attribute(
        "aria-describedby", "template-partner-logo-current template-partner-logo-error"
    )
    tab.check("templates-upload-refused")

    # then a PNG logo and two signatures upload, and the template saves
    page.set_input_files("#template-partner-logo", str(logo))
    expect(page.locator("#template-partner-logo-current")).to_have_text("Uploaded: PNG 240×120 pixels")
    expect(page.locator("#template-partner-logo-error")).to_have_count(0)
    expect(logo_input).to_have_attribute("aria-describedby", "template-partner-logo-current")
    for index, (person, signature) in enumerate(zip(["Ada Moreno", "Ken Ito"], signatures, strict=True)):
        page.fill(f"#template-signatory-{index}-name", person)
        page.fill(f"#template-signatory-{index}-title", "Dean" if index == 0 else "Provost")
        page.set_input_files(f"#template-signature-{index}", str(signature))
        expect(page.locator(f"#template-signature-{index}-current")).to_have_text(
            f"Uploaded: PNG 300×{90 + index} pixels"
        )
    page.fill("#template-wording-presented", "We proudly certify that")
    page.locator("#template-form-heading").scroll_into_view_if_needed()
    tab.check("templates-editor")
    # and a colour too faint to read is refused next to its field, in the API's words
    page.fill("#template-primary", "#DDDDDD")
    page.click("#template-save")
    expect(page.locator("#template-primary-error")).to_have_text(
        "#DDDDDD has a contrast of 1.4:1 on the white page; at least 4.5:1 is needed to read it. "
        "Choose a darker colour."
    )
    expect(page.locator("#template-primary")).to_be_focused()
    page.fill("#template-primary", "#1F3A5F")
    page.click("#template-save")
    expect(page.locator("#template-status")).to_have_text(f"Saved {name}, version 1.")
    row = page.locator("#template-rows tr", has_text=name)
    expect(row.locator("td").nth(3)).to_have_text("Not in use")

    # when previewed: the link opens a PDF with one page per default sample
    row.get_by_role("button", name=f"Preview {name}").click()
    link = page.locator("#template-preview-link")
    expect(link).to_be_focused()
    preview = _get(portal, link.get_attribute("href") or "")
    assert preview.headers["content-type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(preview.content)).pages) == 4
    assert _images(preview.content) == [(240, 120), (300, 90), (300, 91)]
    tab.check("templates")

    templates = _templates(portal, portal.staff_token)
    in_use = [t["id"] for t in templates if t["assigned"]]
    template = next(t for t in templates if t["name"] == name)
    try:
        # and assigned, by keyboard
        row.get_by_role("button", name=f"Use for new certificates ({name})").focus()
        page.keyboard.press("Enter")
        expect(row.locator("td").nth(3)).to_have_text("In use")
        # then Riverside's next certificate carries the logo and both signatures
        recognition_id = portal.recognition_id(RECOGNITION)
        issued = portal.graphql(
            """mutation($input: CertificateIssueInput!) { certificateIssue(input: $input) {
                 certificate { downloadUrl } errors { message } } }""",
            {
                "input": {
                    "recognitionId": recognition_id,
                    "enrollmentId": _uncertified_completer(portal, recognition_id),
                }
            },
            token=portal.staff_token,
        )["certificateIssue"]
        assert issued["errors"] == []
        pdf = _get(portal, issued["certificate"]["downloadUrl"]).content
        assert _images(pdf) == [(240, 120), (300, 90), (300, 91)]
    finally:
        # leaving the other tests the designs the demo assigned
        portal.graphql(ASSIGN, {"input": {"id": template["id"], "assigned": False}}, token=portal.staff_token)
        for template_id in in_use:
            portal.graphql(ASSIGN, {"input": {"id": template_id, "assigned": True}}, token=portal.staff_token)


def test_a_partner_admin_edits_the_wording_and_may_not_change_the_logo(
    portal: Portal, tab: Watched, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    page = tab.page
    name = "Riverside wording"
    partner_id = portal.graphql("{ viewer { partner { id } } }")["viewer"]["partner"]["id"]
    created = portal.graphql(
        """mutation($input: CertificateTemplateCreateInput!) { certificateTemplateCreate(input: $input) {
             template { id } errors { message } } }""",
        {
            "input": {
                "partnerId": partner_id,
                "name": name,
                "design": {"signatories": [{"name": "Ada Moreno"}]},
            }
        },
        token=portal.staff_token,
    )["certificateTemplateCreate"]
    assert created["errors"] == []
    page.goto(f"{portal.url}/templates#token={portal.admin_token}")

    # when the admin edits the wording of their partner's template
    expect(page.locator("#template-partner-field")).to_be_hidden()
    expect(page.locator("#template-new")).to_be_hidden()
    row = page.locator("#template-rows tr", has_text=name)
    expect(row.get_by_role("button", name=f"Use for new certificates ({name})")).to_have_count(0)
    row.get_by_role("button", name=f"Edit {name}").click()
    expect(page.locator("#template-name")).to_be_disabled()
    page.fill("#template-wording-presented", "Riverside is proud to certify that")
    page.fill("#template-second-presented", "Riverside certifica que")
    page.click("#template-save")

    # then a new version holds the words
    expect(page.locator("#template-status")).to_have_text(f"Saved {name}, version 2.")
    saved = next(t for t in _templates(portal, portal.admin_token) if t["name"] == name)
    assert (saved["version"], saved["design"]["wording"]["presented"]) == (
        2,
        "Riverside is proud to certify that",
    )

    # when they upload a new logo (allowed) and save it into the template (not allowed)
    row.get_by_role("button", name=f"Edit {name}").click()
    page.set_input_files("#template-partner-logo", str(_png(tmp_path / "logo.png", (200, 100), (90, 20, 20))))
    expect(page.locator("#template-partner-logo-current")).to_have_text("Uploaded: PNG 200×100 pixels")
    page.click("#template-save")

    # then the API's refusal shows next to the logo, and nothing changed
    expect(page.locator("#template-partner-logo-error")).to_have_text("Only staff may change this.")
    expect(page.locator("#template-partner-logo")).to_be_focused()
    expect(page.locator("#template-form-error")).to_have_text("Please correct the fields marked.")
    tab.check("templates-partner-admin-refused")
    after = next(t for t in _templates(portal, portal.admin_token) if t["name"] == name)
    assert (after["version"], after["design"]["partnerLogoId"]) == (2, None)


def test_staff_narrow_a_new_template_to_one_certificate_type(portal: Portal, tab: Watched) -> None:
    from playwright.sync_api import expect

    page = tab.page
    name = "Riverside online instruction"
    online = "Certificate in Effective Online Instruction"
    page.goto(f"{portal.url}/templates#token={portal.staff_token}")
    page.select_option("#template-partner", label=PARTNER)

    # when staff make a new template and choose what it prints: one certificate type
    page.click("#template-new")
    expect(page.locator("#template-type")).to_have_value("")
    expect(page.locator("#template-type option")).to_have_text(
        [
            "Every certificate type",
            "Certificate in Effective College Instruction",
            online,
            "Micro-credential in Fostering a Culture of Belonging",
        ]
    )
    page.fill("#template-name", name)
    page.select_option("#template-type", label=online)
    tab.check("templates-narrowed")
    page.click("#template-save")

    # then the template prints that type only, in the list and in the API
    expect(page.locator("#template-status")).to_have_text(f"Saved {name}, version 1.")
    row = page.locator("#template-rows tr", has_text=name)
    expect(row.locator("td").nth(1)).to_have_text(online)
    types = {
        t["name"]: t["id"] for t in portal.graphql("{ certificateTypes { id name } }")["certificateTypes"]
    }
    saved = portal.graphql("{ certificateTemplates { name certificateTypeId } }", token=portal.staff_token)
    assert [t["certificateTypeId"] for t in saved["certificateTemplates"] if t["name"] == name] == [
        types[online]
    ]

    # and editing it shows the type, fixed since the template was made
    row.get_by_role("button", name=f"Edit {name}").click()
    expect(page.locator("#template-type")).to_have_value(types[online])
    expect(page.locator("#template-type")).to_be_disabled()
    page.click("#template-cancel")


def test_the_editor_offers_three_signatories_each_with_its_labelled_fields(
    portal: Portal, tab: Watched
) -> None:
    from playwright.sync_api import expect

    page = tab.page
    page.goto(f"{portal.url}/templates#token={portal.staff_token}")

    # when staff open a new template
    page.click("#template-new")

    # then each signatory's fieldset (made once, by the script) has its name, title and signature image,
    # each under its label, named for the API's fields, the image with its "Remove" button
    expect(page.locator("#template-signatories fieldset.signatory legend")).to_have_text(
        ["Signatory 1", "Signatory 2", "Signatory 3"]
    )
    for index in range(3):
        group = page.get_by_role("group", name=f"Signatory {index + 1}")
        expect(group.get_by_label("Name")).to_have_attribute(
            "data-field", f"design.signatories.{index}.name design.signatories.{index}"
        )
        expect(group.get_by_label("Title")).to_have_attribute(
            "data-field", f"design.signatories.{index}.title"
        )
        image = group.get_by_label("Signature image (PNG or JPEG)")
        expect(image).to_have_attribute("data-field", f"design.signatories.{index}.signatureImageId")
        expect(image).to_have_attribute("aria-describedby", f"template-signature-{index}-current")
        expect(page.locator(f"#template-signature-{index}-current")).to_have_text("None")
        expect(group.get_by_role("button", name="Remove (Signature image (PNG or JPEG))")).to_have_count(1)
    tab.check("templates-new")
