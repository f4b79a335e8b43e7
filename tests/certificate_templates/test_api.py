"""Templates through the API: staff give Riverside its logos and signatures by multipart upload,
preview the design, assign it, and the next certificate carries it; refusals name their fields and
change nothing; a partner's admin may reword their template but not rebrand it; every change is
an audit entry."""

from __future__ import annotations

import asyncio
import contextlib
import io
from datetime import timedelta
from typing import Any

import httpx
import pypdf
from strawberry.relay import from_base64, to_base64
from tortoise.transactions import in_transaction

from service.audit import services as audit
from service.audit.models import AuditAction, AuditEntry
from service.certificate_templates.preview import DEFAULT_SAMPLES
from tests.support.certificates_world import CertificatesWorld
from tests.support.clock import MovableClock
from tests.support.graphql_client import GraphQLClient, token_for
from tests.support.images import SVG_WITH_SCRIPT, jpeg, png
from tests.support.tables import every_row

UPLOAD = """mutation($input: CertificateImageUploadInput!) {
  certificateImageUpload(input: $input) {
    image { id format width height } errors { field code message } } }"""
CREATE = """mutation($input: CertificateTemplateCreateInput!) {
  certificateTemplateCreate(input: $input) {
    template { id version assigned } errors { field code message } } }"""
EDIT = """mutation($input: CertificateTemplateEditInput!) {
  certificateTemplateEdit(input: $input) {
    template { id version design { version wording { presented } signatories { name } } }
    errors { field code } } }"""
ASSIGN = """mutation($input: CertificateTemplateAssignInput!) {
  certificateTemplateAssign(input: $input) { template { id assigned } errors { field code } } }"""
PREVIEW = """query($id: ID!, $names: [String!]) {
  certificateTemplatePreview(templateId: $id, sampleNames: $names) { downloadUrl errors { field code } } }"""
TYPES = "{ certificateTypes { id name } }"
CREATE_NARROWED = """mutation($input: CertificateTemplateCreateInput!) {
  certificateTemplateCreate(input: $input) {
    template { id certificateTypeId } errors { field code message } } }"""
ISSUE = """mutation($input: CertificateIssueInput!) {
  certificateIssue(input: $input) { certificate { downloadUrl } errors { code } } }"""


async def _upload(
    gql: GraphQLClient, world: CertificatesWorld, data: bytes, name: str, user: Any = None
) -> Any:
    body = await gql.upload(
        UPLOAD,
        {"input": {"partnerId": to_base64("Partner", world.partner.id), "file": None}},
        {"input.file": (name, data, "application/octet-stream")},
        token=token_for(user or world.staff),
    )
    return body["data"]["certificateImageUpload"]


async def _as_staff(
    gql: GraphQLClient, world: CertificatesWorld, document: str, field: str, payload: Any
) -> Any:
    body = await gql.post(document, {"input": payload}, token=token_for(world.staff))
    return body["data"][field]


def _path(url: str) -> str:
    return url.removeprefix("http://127.0.0.1:8000")


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


async def _riverside_design(gql: GraphQLClient, world: CertificatesWorld) -> dict[str, Any]:
    logo = await _upload(gql, world, png(), "riverside.png")
    seal = await _upload(gql, world, jpeg(), "seal.JPG")
    provost = await _upload(gql, world, png(400, 120, (0, 0, 0), alpha=True), "provost.png")
    dean = await _upload(gql, world, png(300, 100, (0, 0, 90), alpha=True), "dean.png")
    return {
        "partnerLogoId": logo["image"]["id"],
        "organisationLogoId": seal["image"]["id"],
        "primaryColor": "#5a1020",
        "signatories": [
            {"name": "Dr. Jane Q. Riverside", "title": "Provost", "signatureImageId": provost["image"]["id"]},
            {"name": "Sam Lee", "title": "Dean of Education", "signatureImageId": dean["image"]["id"]},
        ],
    }


async def test_staff_brand_riverside_preview_it_and_its_next_certificate_carries_it(
    gql: GraphQLClient, http: httpx.AsyncClient, world: CertificatesWorld, clock: MovableClock
) -> None:
    # given Riverside's images uploaded and a template made of them
    design = await _riverside_design(gql, world)
    created = await _as_staff(
        gql,
        world,
        CREATE,
        "certificateTemplateCreate",
        {"partnerId": to_base64("Partner", world.partner.id), "name": "Riverside 2026", "design": design},
    )
    template_id = created["template"]["id"]

    # when staff preview it (default samples, then their own), assign it, and Ana's certificate is issued
    preview = (await gql.post(PREVIEW, {"id": template_id}, token=token_for(world.staff)))["data"]
    own = await gql.post(PREVIEW, {"id": template_id, "names": ["Ana Lee"]}, token=token_for(world.staff))
    preview_pdf = await http.get(_path(preview["certificateTemplatePreview"]["downloadUrl"]))
    own_pdf = await http.get(_path(own["data"]["certificateTemplatePreview"]["downloadUrl"]))
    assigned = await _as_staff(
        gql, world, ASSIGN, "certificateTemplateAssign", {"id": template_id, "assigned": True}
    )
    issued = await gql.post(
        ISSUE,
        {
            "input": {
                "recognitionId": world.recognition_id,
                "enrollmentId": to_base64("Enrollment", world.enrollments["Ana Completer"].id),
            }
        },
        token=token_for(world.admin),
    )
    certificate = await http.get(_path(issued["data"]["certificateIssue"]["certificate"]["downloadUrl"]))

    # then
    assert (created["errors"], created["template"]["version"], created["template"]["assigned"]) == (
        [],
        1,
        False,
    )
    assert (preview_pdf.status_code, preview_pdf.headers["content-type"]) == (200, "application/pdf")
    pages = _pages(preview_pdf.content)
    assert len(pages) == len(DEFAULT_SAMPLES) == 4
    assert all("Dr. Jane Q. Riverside" in page and "Dean of Education" in page for page in pages)
    assert [len(page) for page in _pages(own_pdf.content)] != [] and "Ana Lee" in _pages(own_pdf.content)[0]
    assert assigned == {"template": {"id": template_id, "assigned": True}, "errors": []}
    assert "Dr. Jane Q. Riverside" in _pages(certificate.content)[0]
    # every template action is an audit entry: four uploads, the creation, the two previews (one
    # entry counting both: the first's version and how many names, not the names), the assignment
    # (then the certificate's download)
    entries = await AuditEntry.all().order_by("id")
    template_key = int(from_base64(template_id)[1])
    assert [entry.action.value for entry in entries] == ["TEMPLATE_IMAGE_UPLOADED"] * 4 + [
        "TEMPLATE_CREATED",
        "TEMPLATE_PREVIEWED",
        "TEMPLATE_ASSIGNED",
        "FILE_DOWNLOADED",
    ]
    subject = f"CertificateTemplate:{template_key}"
    assert [
        (entry.actor_id, entry.partner_id, entry.subject, entry.details, entry.count)
        for entry in entries[4:7]
    ] == [
        (world.staff.id, world.partner.id, subject, {"version": 1}, 1),
        (world.staff.id, world.partner.id, subject, {"version": 1, "samples": 4}, 2),
        (world.staff.id, world.partner.id, subject, {"version": 1}, 1),
    ]
    # and the preview link is short-lived
    clock.move(timedelta(minutes=16))
    expired = await http.get(_path(preview["certificateTemplatePreview"]["downloadUrl"]))
    assert (expired.status_code, expired.text) == (
        403,
        "This link has expired. Ask for a new one in the portal.",
    )


async def test_a_design_with_problems_is_refused_field_by_field_and_nothing_is_written(
    gql: GraphQLClient, world: CertificatesWorld
) -> None:
    # given
    before = await every_row()
    signatory = {"name": "Sam Lee", "title": "Dean"}

    # when
    refused = await _as_staff(
        gql,
        world,
        CREATE,
        "certificateTemplateCreate",
        {
            "partnerId": to_base64("Partner", world.partner.id),
            "name": " ",
            "design": {
                "primaryColor": "#FFD700",
                "accentColor": "gold",
                "wording": {"presented": "This\\u202ecertifies"},
                "partnerLogoId": to_base64("CertificateImage", 999),
                "signatories": [signatory] * 4,
            },
        },
    )

    # then
    assert refused["template"] is None
    assert [(error["field"], error["code"]) for error in refused["errors"]] == [
        (["name"], "REQUIRED"),
        (["design", "primaryColor"], "LOW_CONTRAST"),
        (["design", "accentColor"], "INVALID_COLOR"),
        (["design", "signatories"], "TOO_MANY_SIGNATORIES"),
        (["design", "partnerLogoId"], "NOT_FOUND"),
    ]
    assert refused["errors"][1]["message"] == (
        "#FFD700 has a contrast of 1.4:1 on the white page; at least 4.5:1 is needed to read it. "
        "Choose a darker colour."
    )
    assert await every_row() == before


async def test_a_partner_admin_may_reword_their_template_but_not_rebrand_it(
    gql: GraphQLClient, world: CertificatesWorld
) -> None:
    # given Riverside's template, and a logo its admin uploaded
    design = await _riverside_design(gql, world)
    created = await _as_staff(
        gql,
        world,
        CREATE,
        "certificateTemplateCreate",
        {"partnerId": to_base64("Partner", world.partner.id), "name": "Riverside", "design": design},
    )
    template_id = created["template"]["id"]
    other_logo = await _upload(gql, world, png(200, 200, (0, 90, 0)), "new.png", user=world.admin)

    # when the admin rewords it, then tries to change its logo and colour
    reworded = await gql.post(
        EDIT,
        {"input": {"id": template_id, "design": {**design, "wording": {"presented": "We certify that"}}}},
        token=token_for(world.admin),
    )
    before = await every_row()
    rebranded = await gql.post(
        EDIT,
        {
            "input": {
                "id": template_id,
                "design": {**design, "partnerLogoId": other_logo["image"]["id"], "primaryColor": "#000000"},
            }
        },
        token=token_for(world.admin),
    )

    # then the wording is version 2, and the rebranding is refused field by field, changing nothing
    edited = reworded["data"]["certificateTemplateEdit"]
    assert (edited["errors"], edited["template"]["version"]) == ([], 2)
    assert edited["template"]["design"]["wording"]["presented"] == "We certify that"
    assert rebranded["data"]["certificateTemplateEdit"] == {
        "template": None,
        "errors": [
            {"field": ["design", "primaryColor"], "code": "FORBIDDEN"},
            {"field": ["design", "partnerLogoId"], "code": "FORBIDDEN"},
        ],
    }
    assert await every_row() == before
    assert await AuditEntry.filter(action="TEMPLATE_EDITED").count() == 1


async def test_hostile_uploads_are_refused_through_the_api(
    gql: GraphQLClient, world: CertificatesWorld
) -> None:
    before = await every_row()
    svg = await _upload(gql, world, SVG_WITH_SCRIPT, "logo.svg")
    renamed = await _upload(gql, world, png(), "logo.jpg")
    assert [svg["errors"], renamed["errors"]] == [
        [
            {
                "field": ["file"],
                "code": "IMAGE_FORMAT",
                "message": "Upload a PNG or JPEG image (SVG is not accepted: export it as PNG).",
            }
        ],
        [
            {
                "field": ["file"],
                "code": "IMAGE_FORMAT",
                "message": "The file is a PNG image but its name says otherwise: name it .png.",
            }
        ],
    ]
    assert await every_row() == before


async def test_previews_are_one_audit_entry_per_actor_template_and_hour_counted(
    gql: GraphQLClient, world: CertificatesWorld, clock: MovableClock
) -> None:
    # given a template
    design = await _riverside_design(gql, world)
    created = await _as_staff(
        gql,
        world,
        CREATE,
        "certificateTemplateCreate",
        {"partnerId": to_base64("Partner", world.partner.id), "name": "Riverside", "design": design},
    )
    template_id = created["template"]["id"]
    first_at = clock.now()

    async def preview(user: Any, names: list[str] | None = None) -> None:
        body = await gql.post(PREVIEW, {"id": template_id, "names": names}, token=token_for(user))
        assert body["data"]["certificateTemplatePreview"]["errors"] == []

    # when staff preview it three times in the hour (two at once), the partner's admin once, and
    # staff once more in the next hour
    await preview(world.staff, ["Ana Lee"])
    clock.move(timedelta(minutes=59))
    await asyncio.gather(preview(world.staff), preview(world.staff))
    await preview(world.admin)
    clock.move(timedelta(minutes=1))
    await preview(world.staff)

    # then each actor's previews of the hour are one entry, with the first's details, counted
    entries = await AuditEntry.filter(action="TEMPLATE_PREVIEWED").order_by("id")
    subject = f"CertificateTemplate:{from_base64(template_id)[1]}"
    start, end = first_at + timedelta(minutes=59), first_at + timedelta(hours=1)
    assert [
        (e.actor_id, e.partner_id, e.subject, e.details, e.count, e.occurred_at, e.last_occurred_at)
        for e in entries
    ] == [
        (world.staff.id, world.partner.id, subject, {"version": 1, "samples": 1}, 3, first_at, start),
        (world.admin.id, world.partner.id, subject, {"version": 1, "samples": 4}, 1, start, start),
        (world.staff.id, world.partner.id, subject, {"version": 1, "samples": 4}, 1, end, end),
    ]


async def test_a_counted_entry_stands_or_falls_with_the_callers_transaction(
    gql: GraphQLClient, world: CertificatesWorld, clock: MovableClock
) -> None:
    # given an entry counted inside a transaction that then fails
    now, staff = clock.now(), world.staff

    async def count(counted_by: tuple[object, ...]) -> None:
        await audit.record_counted(
            action=AuditAction.TEMPLATE_PREVIEWED, counted_by=counted_by, now=now, actor_id=staff.id
        )

    with contextlib.suppress(RuntimeError):
        async with in_transaction():
            await count(("rolled back",))
            raise RuntimeError("the caller's change failed")
    # when another counts five times at once
    await asyncio.gather(*(count(("kept",)) for _ in range(5)))

    # then only the kept one is there, counted five times
    rows = await AuditEntry.all().values_list("aggregate_key", "count")
    assert rows == [(f"TEMPLATE_PREVIEWED|kept|{now:%Y-%m-%dT%H}", 5)]


async def test_a_preview_refuses_a_name_that_cannot_be_printed(
    gql: GraphQLClient, world: CertificatesWorld
) -> None:
    design = await _riverside_design(gql, world)
    created = await _as_staff(
        gql,
        world,
        CREATE,
        "certificateTemplateCreate",
        {"partnerId": to_base64("Partner", world.partner.id), "name": "Riverside", "design": design},
    )
    before = await every_row()
    body = await gql.post(
        PREVIEW,
        {"id": created["template"]["id"], "names": ["Ana Lee", "Ana\u202eLee"]},
        token=token_for(world.admin),
    )
    assert body["data"]["certificateTemplatePreview"] == {
        "downloadUrl": None,
        "errors": [{"field": ["sampleNames", "1"], "code": "BIDI_CONTROL"}],
    }
    # a refused preview is no audit entry: nothing was written
    assert await every_row() == before


async def test_a_preview_of_a_template_not_found_names_the_templateId_argument(
    gql: GraphQLClient, world: CertificatesWorld
) -> None:
    # given a template of Riverside, and an id that names no template
    design = await _riverside_design(gql, world)
    created = await _as_staff(
        gql,
        world,
        CREATE,
        "certificateTemplateCreate",
        {"partnerId": to_base64("Partner", world.partner.id), "name": "Riverside", "design": design},
    )

    # when another partner's admin, and anyone with a missing id, ask for a preview
    answers = [
        (await gql.post(PREVIEW, {"id": template_id}, token=token_for(user)))["data"][
            "certificateTemplatePreview"
        ]
        for template_id, user in (
            (created["template"]["id"], world.other_admin),
            (to_base64("CertificateTemplate", 999_999), world.staff),
        )
    ]

    # then each refusal is at the argument that named the template
    assert answers == [{"downloadUrl": None, "errors": [{"field": ["templateId"], "code": "NOT_FOUND"}]}] * 2


async def test_an_oversize_upload_is_refused_in_the_payload_and_an_oversize_body_unread(
    gql: GraphQLClient, http: httpx.AsyncClient, world: CertificatesWorld
) -> None:
    # given a PNG padded past the 2 MB image limit, and a body past the 3 MB request limit
    before = await every_row()
    over_image = png() + b"\0" * (2 * 1024 * 1024)
    over_body = png() + b"\0" * (3 * 1024 * 1024)

    # when
    refused = await _upload(gql, world, over_image, "logo.png")
    unread = await http.post(
        "/graphql",
        data={"operations": "{}", "map": "{}"},
        files={"0": ("logo.png", over_body, "image/png")},
        headers={"Authorization": f"Bearer {token_for(world.staff)}"},
    )

    # then
    assert refused == {
        "image": None,
        "errors": [
            {"field": ["file"], "code": "IMAGE_TOO_LARGE", "message": "The file is larger than 2 MB."}
        ],
    }
    assert (unread.status_code, unread.json()["errors"][0]["extensions"]) == (
        413,
        {"code": "REQUEST_TOO_LARGE", "limit": 3_000_000},
    )
    assert await every_row() == before


async def test_staff_narrow_a_new_template_to_one_of_the_certificate_types_listed(
    gql: GraphQLClient, world: CertificatesWorld
) -> None:
    # given the certificate types, as any signed-in user lists them
    listed = await gql.data(TYPES, as_user=world.admin)
    micro_id = to_base64("CertificateType", world.micro.id)

    # when staff create a template for the micro-credential only, and one for a type that is not there
    narrowed = await _as_staff(
        gql,
        world,
        CREATE_NARROWED,
        "certificateTemplateCreate",
        {
            "partnerId": to_base64("Partner", world.partner.id),
            "certificateTypeId": micro_id,
            "name": "Belonging",
            "design": {},
        },
    )
    before = await every_row()
    unknown = await _as_staff(
        gql,
        world,
        CREATE_NARROWED,
        "certificateTemplateCreate",
        {
            "partnerId": to_base64("Partner", world.partner.id),
            "certificateTypeId": to_base64("CertificateType", 999_999),
            "name": "Nowhere",
            "design": {},
        },
    )

    # then
    assert [(t["name"], t["id"] == micro_id) for t in listed["certificateTypes"]] == [
        ("Certificate in Effective College Instruction", False),
        ("Certificate in Effective Online Instruction", False),
        ("Micro-credential in Belonging", True),
    ]
    assert narrowed["errors"] == [] and narrowed["template"]["certificateTypeId"] == micro_id
    assert unknown == {
        "template": None,
        "errors": [
            {"field": ["certificateTypeId"], "code": "NOT_FOUND", "message": "Certificate type not found."}
        ],
    }
    assert await every_row() == before
