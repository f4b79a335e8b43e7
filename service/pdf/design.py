"""The layer every page of a document shares, written once per document: a Form XObject that each
page shows with one ``Do``.

What is the same on every page and is not text goes here: the frame and the rules. (A template's
pictures are Image XObjects in the pages' shared resources, see ``branding``: also written once per
document, however many pages show them.)

Text stays on the pages (laid out once per document, written on each page): text inside the form
would be read before the page's own words, out of the page's reading order.
"""

from __future__ import annotations

from collections.abc import Sequence

from borb.pdf.primitives import name, stream

from service.pdf.runtime import fill_stream


def shared_layer(operators: Sequence[str], *, width: float, height: float) -> stream:
    """The Form XObject drawing ``operators``, for a page of ``width`` × ``height`` points."""
    form = stream()
    form[name("Type")] = name("XObject")
    form[name("Subtype")] = name("Form")
    form[name("BBox")] = [0, 0, width, height]
    form[name("Resources")] = {}
    fill_stream(form, "\n".join(operators).encode("latin-1"))
    return form
