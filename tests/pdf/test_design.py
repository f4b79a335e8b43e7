"""The shared layer: drawn once per document and shown by every page."""

from __future__ import annotations

import io

import pikepdf
import pypdfium2
from borb.pdf import Document, Page
from borb.pdf.primitives import name

from service.pdf.design import shared_layer
from service.pdf.runtime import fill_stream, write_pdf

WIDTH, HEIGHT, PAGES = 200, 100, 3


def _document() -> bytes:
    layer = shared_layer(["0 0 1 rg 10 10 20 20 re f"], width=WIDTH, height=HEIGHT)
    resources = {name("XObject"): {name("Design"): layer}}
    document = Document()
    for _ in range(PAGES):
        page = Page(width_in_points=WIDTH, height_in_points=HEIGHT)
        document.append_page(page)
        page[name("Resources")] = resources
        fill_stream(page["Contents"], b"q /Design Do Q")
    return write_pdf(document)


def test_every_page_shows_the_one_layer() -> None:
    pdf = pikepdf.open(io.BytesIO(_document()))

    layers = {page.Resources.XObject.Design.objgen for page in pdf.pages}

    assert (len(pdf.pages), len(layers)) == (PAGES, 1)


def test_the_layer_draws_where_placed_and_nothing_else() -> None:
    document = pypdfium2.PdfDocument(_document())

    for page in document:
        image = page.render(scale=1).to_pil().convert("RGB")
        assert image.getpixel((20, HEIGHT - 20)) == (0, 0, 255)  # the blue square
        assert image.getpixel((60, HEIGHT - 60)) == (255, 255, 255)  # nothing else
