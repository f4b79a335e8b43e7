"""Versions: a certificate is drawn in the version it was issued with, byte for byte, after any
edit; new certificates and re-issues take the current version; a combined file draws each page
in its own certificate's version."""

from __future__ import annotations

import io
from dataclasses import replace
from typing import Any

import httpx
import pikepdf
import pypdf
import pytest
from strawberry.relay import to_base64

from service.certificate_files.paths import file_path
from service.certificate_templates.models import CertificateTemplateVersion
from service.certificate_templates.services import edit_template
from service.certificates.models import Certificate
from service.certificates.printing import certificate_path
from service.certificates.services import reissue_certificate
from service.settings import Settings
from tests.support.certificate_files import (
    admin_actor,
    key_of,
    request_file,
    until_finished,
)
from tests.support.certificates_world import CertificatesWorld
from tests.support.clock import MovableClock
from tests.support.graphql_client import GraphQLClient
from tests.support.templates import assigned_template, branded_design, staff_actor

ISSUE = """mutation($input: CertificateIssueInput!) {
  certificateIssue(input: $input) { certificate { id code downloadUrl } errors { code } } }"""


async def _issue(gql: GraphQLClient, world: CertificatesWorld, name: str) -> dict[str, Any]:
    enrollment_id = to_base64("Enrollment", world.enrollments[name].id)
    data = await gql.data(
        ISSUE,
        {"input": {"recognitionId": world.recognition_id, "enrollmentId": enrollment_id}},
        as_user=world.admin,
    )
    certificate: dict[str, Any] = data["certificateIssue"]["certificate"]
    return certificate


async def _download(http: httpx.AsyncClient, certificate: dict[str, Any]) -> bytes:
    response = await http.get(certificate["downloadUrl"].removeprefix("http://127.0.0.1:8000"))
    assert response.status_code == 200
    return response.content


async def _version_of(code: str) -> int | None:
    certificate = await Certificate.get(code=code)
    if certificate.template_version_id is None:
        return None
    return (await CertificateTemplateVersion.get(id=certificate.template_version_id)).number


def _images(pdf: bytes) -> tuple[int, int]:
    """How many images the pages name, and how many image objects the file holds (with the masks
    of transparent ones)."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        named = {
            xobject.objgen
            for page in document.pages
            for xobject in page.Resources.XObject.values()
            if xobject.Subtype == "/Image"
        }
        stored = [
            obj
            for obj in document.objects
            if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image"
        ]
        return len(named), len(stored)


def _text(pdf: bytes, page: int = 0) -> str:
    return pypdf.PdfReader(io.BytesIO(pdf)).pages[page].extract_text()


async def test_an_edit_leaves_issued_certificates_as_they_were_and_prints_the_next_ones(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    world: CertificatesWorld,
    settings: Settings,
    clock: MovableClock,
) -> None:
    # given Riverside's branded template, and Ana's certificate issued with it
    template = await assigned_template(world.staff, world.partner.id, clock.now())
    ana = await _issue(gql, world, "Ana Completer")
    first = await _download(http, ana)

    # when staff edit the wording, and Ana's file is drawn again from her record (as for a
    # certificate first drawn into a combined file), Gus is issued one, and Ana's is re-issued
    design = await branded_design(world.staff, world.partner.id, clock.now())
    await edit_template(
        actor=staff_actor(world.staff),
        template_id=template.id,
        name=None,
        design=replace(design, wording={"presented": "We proudly certify that"}),
        now=clock.now(),
    )
    record = await Certificate.get(code=ana["code"])
    certificate_path(settings.resolved_files_dir, record).unlink()
    await Certificate.filter(id=record.id).update(file_name=None, file_size=None, file_sha256=None)
    again = await _download(http, ana)
    gus = await _issue(gql, world, "Gus Online-Completer")
    reissued = await reissue_certificate(
        actor=admin_actor(world),
        certificate_id=record.id,
        now=clock.now(),
        files_dir=settings.resolved_files_dir,
        public_url=settings.public_url,
    )

    # then Ana's first certificate is byte for byte what it was (version 1); the new ones are version 2
    assert again == first
    assert [await _version_of(code) for code in (ana["code"], gus["code"], reissued.code)] == [1, 2, 2]
    assert "This certifies that" in _text(first) and "We proudly certify that" not in _text(first)
    assert "We proudly certify that" in _text(await _download(http, gus))
    assert "Dr. Jane Q. Riverside" in _text(first) and "Dean of Education" in _text(first)
    # four images (two logos, two signatures), each written once, and the signatures' two masks
    assert _images(first) == (4, 6)


@pytest.mark.jobs
async def test_a_combined_file_draws_each_page_in_its_certificates_version(
    gql: GraphQLClient,
    http: httpx.AsyncClient,
    world: CertificatesWorld,
    settings: Settings,
    clock: MovableClock,
) -> None:
    # given Ana's certificate issued before Riverside had a template, then a template, then Gus's
    ana = await _issue(gql, world, "Ana Completer")
    await assigned_template(world.staff, world.partner.id, clock.now())
    gus = await _issue(gql, world, "Gus Online-Completer")
    names = ["Ana Completer", "Gus Online-Completer", *[f"Zoe {number:02d}" for number in range(30)]]

    # when a combined file of them (and 30 more, issued now: two chunks) is made
    result = await request_file(gql, world, names)
    job = await until_finished(key_of(result["job"]["id"]))

    # then Ana's page is in the default design, every other in the template's; each image is one
    # object per chunk's document, and the file's pages equal their single downloads' pages
    combined = file_path(settings.resolved_files_dir, job).read_bytes()
    texts = [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(combined)).pages]
    assert ["Dr. Jane Q. Riverside" in text for text in texts] == [False] + [True] * 31
    assert texts[0] == _text(await _download(http, ana)) and texts[1] == _text(await _download(http, gus))
    assert _images(combined) == (4 * job.chunk_count, 6 * job.chunk_count)
