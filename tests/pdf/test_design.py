"""The shared layer: drawn once per document, shown by every page, a template's picture in it once."""

from __future__ import annotations

import io

import pikepdf
import pypdfium2
from borb.pdf import Document, Page
from borb.pdf.primitives import name
from PIL import Image

from service.pdf.design import Picture, shared_layer
from service.pdf.runtime import fill_stream, write_pdf

WIDTH, HEIGHT, PAGES = 200, 100, 3


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 20, 20)).save(out, format="JPEG", quality=95)
    return out.getvalue()


def _document() -> bytes:
    layer = shared_layer(
        ["0 0 1 rg 10 10 20 20 re f"],
        [Picture(_jpeg(), 40, 20, x=100, y=40, width=80, height=40)],
        width=WIDTH,
        height=HEIGHT,
    )
    resources = {name("XObject"): {name("Design"): layer}}
    document = Document()
    for _ in range(PAGES):
        page = Page(width_in_points=WIDTH, height_in_points=HEIGHT)
        document.append_page(page)
        page[name("Resources")] = resources
        fill_stream(page["Contents"], b"q /Design Do Q")
    return write_pdf(document)


def test_every_page_shows_one_layer_holding_one_copy_of_the_picture() -> None:
    data = _document()
    pdf = pikepdf.open(io.BytesIO(data))

    layers = {page.Resources.XObject.Design.objgen for page in pdf.pages}
    images = [
        obj for obj in pdf.objects if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image"
    ]

    assert (len(pdf.pages), len(layers), len(images)) == (PAGES, 1, 1)
    assert images[0].read_raw_bytes() == _jpeg()


def test_the_picture_and_the_drawing_appear_where_placed() -> None:
    document = pypdfium2.PdfDocument(_document())

    for page in document:
        image = page.render(scale=1).to_pil().convert("RGB")
        red, green, blue = image.getpixel((140, HEIGHT - 60))  # the picture's middle
        assert red > 150 and green < 80 and blue < 80
        assert image.getpixel((20, HEIGHT - 20)) == (0, 0, 255)  # the blue square
        assert image.getpixel((60, HEIGHT - 60)) == (255, 255, 255)  # nothing else
