"""The layer every page of a document shares, written once per document: a Form XObject that each
page shows with one ``Do``.

What is the same on every page and is not text goes here: the frame and the rules today, and the
static elements of a certificate template (a logo, a signature image). A picture is an Image
XObject in the form's own resources, so a file of 2,000 pages holds its bytes once per document
(once per part of a combined file), however many pages show it.

Text stays on the pages (laid out once per document, written on each page): text inside the form
would be read before the page's own words, out of the page's reading order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from borb.pdf.primitives import name, stream

from service.pdf.drawing import _n
from service.pdf.runtime import fill_stream


@dataclass(frozen=True)
class Picture:
    """An image on the shared layer: ``jpeg`` (baseline JPEG, RGB or grey) drawn in the box at
    (``x``, ``y``) of ``width`` × ``height`` points."""

    jpeg: bytes
    pixels_wide: int
    pixels_high: int
    x: float
    y: float
    width: float
    height: float
    grey: bool = False


def shared_layer(
    operators: Sequence[str], pictures: Sequence[Picture] = (), *, width: float, height: float
) -> stream:
    """The Form XObject drawing ``operators`` and then ``pictures``, for a page of ``width`` ×
    ``height`` points."""
    content = list(operators)
    images = {}
    for number, picture in enumerate(pictures, start=1):
        resource = f"Im{number}"
        images[name(resource)] = _image(picture)
        box = f"{_n(picture.width)} 0 0 {_n(picture.height)} {_n(picture.x)} {_n(picture.y)}"
        content.append(f"q {box} cm /{resource} Do Q")
    form = stream()
    form[name("Type")] = name("XObject")
    form[name("Subtype")] = name("Form")
    form[name("BBox")] = [0, 0, width, height]
    form[name("Resources")] = {name("XObject"): images} if images else {}
    fill_stream(form, "\n".join(content).encode("latin-1"))
    return form


def _image(picture: Picture) -> stream:
    """A JPEG as an Image XObject, its bytes as they are (DCTDecode: nothing to decode here)."""
    image = stream()
    image[name("Type")] = name("XObject")
    image[name("Subtype")] = name("Image")
    image[name("Width")] = picture.pixels_wide
    image[name("Height")] = picture.pixels_high
    image[name("ColorSpace")] = name("DeviceGray" if picture.grey else "DeviceRGB")
    image[name("BitsPerComponent")] = 8
    image[name("Filter")] = name("DCTDecode")
    image[name("DecodedBytes")] = picture.jpeg
    image[name("Bytes")] = picture.jpeg
    image[name("Length")] = len(picture.jpeg)
    return image
