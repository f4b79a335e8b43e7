"""One certificate as a one-page landscape US Letter PDF, drawn with borb. Pure: text in, bytes out.

The same text always gives the same bytes (no random ids, no clock), so a re-download is
byte-identical. Every line is shaped (``shaping``) and drawn glyph by glyph at its shaped
positions (``drawing``); lines too wide for their place shrink to fit, and the recipient's name is
laid out by ``layout`` (one line, or two balanced ones) and is never smaller than any other text.

Where everything goes is said once, in ``PLACES``, ``RULES``, ``FRAME`` and ``QR``. The frame and
the rules, the same on every page, are drawn once per document as a Form XObject that every page
shows; a line repeated on every page is laid out once per document but written on each page, so
that text is read in the page's order. Everything is written as PDF operators here rather than
through borb's layout elements, which cost more per page than everything else (see
bench/README.md); borb still makes the document, its fonts' dictionaries and the file.
"""

from __future__ import annotations

import functools
import hashlib
import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from borb.pdf import Document, Page
from borb.pdf.license.version import Version
from borb.pdf.primitives import datestr, hexstr, name, stream

from service.dates import written_day
from service.pdf.branding import (
    DEFAULT,
    Branding,
    Signatory,
    branded_color,
    branded_lines,
    branded_places,
    branded_rules,
    draw_image,
    image_name,
    image_xobject,
    pdf_number,
    placed_images,
)
from service.pdf.design import shared_layer
from service.pdf.drawing import show_line
from service.pdf.faces import BOLD, REGULAR
from service.pdf.fonts import DocumentFonts
from service.pdf.layout import NAME_BOX, NAME_SIZE, NameLayout, layout_name
from service.pdf.qr import qr_operators
from service.pdf.runtime import fill_stream, write_pdf
from service.pdf.shaping import shape_line
from service.pdf.spliced import show_spliced, splice

PAGE_WIDTH, PAGE_HEIGHT = 792, 612  # US Letter, landscape
NAME_LINE_WIDTH = NAME_BOX[2] - NAME_BOX[0]
SMALLEST_SIZE = 4.0
PRODUCER = f"borb {Version.get_current_version()} (Recognition service)"  # borb stays named, as it asks
RGB = tuple[int, int, int]
NAVY, GOLD, INK, GREY = (0x1F, 0x3A, 0x5F), (0xB0, 0x8D, 0x3C), (0x22, 0x22, 0x22), (0x66, 0x66, 0x66)
CENTER = PAGE_WIDTH / 2


@dataclass(frozen=True)
class CertificateText:
    """Every value printed on a certificate."""

    partner_name: str
    recipient_name: str
    certificate_type: str
    program: str
    cohort: str
    awarded_on: date
    code: str
    verification_url: str
    # BCP 47 language of the name: picks the regional forms of Han characters (ja, ko, zh-Hans,
    # zh-Hant, zh-HK) and any language forms of other scripts. "" when not known.
    language: str = ""
    # Issued before the course-taker completed: the page says they are completing the program.
    provisional: bool = False

    def as_printed(self) -> dict[str, Any]:
        # What ``dataclasses.asdict`` gives for these plain values, without its deep copies (a
        # tenth of a page's drawing when the document's /ID is made from every page's text).
        values = {field: getattr(self, field) for field in _TEXT_FIELDS}
        values["awarded_on"] = self.awarded_on.isoformat()
        if not self.provisional:
            del values["provisional"]  # as printed before provisional wording existed: same /ID
        return values

    @classmethod
    def from_printed(cls, values: dict[str, Any]) -> CertificateText:
        # Certificates printed before the name had a language carry no "language": "" then.
        return cls(**{**values, "awarded_on": date.fromisoformat(values["awarded_on"])})


_TEXT_FIELDS = tuple(field.name for field in fields(CertificateText))


@dataclass(frozen=True)
class Place:
    """A line centred on ``x`` with its baseline at ``baseline``, at ``size`` or smaller: it shrinks
    (in half points) until it is at most ``widest`` wide, and a line that ``follows_name`` is never
    larger than the name."""

    size: float
    baseline: float
    color: RGB
    x: float = CENTER
    widest: float = NAME_LINE_WIDTH
    follows_name: bool = True


# The gold rule inside the frame is at 38–39.2 pt from the edges; small print keeps 4 pt from it.
FRAME_INSIDE = 39.2
SMALL_PRINT_WIDEST = 2 * (PAGE_WIDTH - FRAME_INSIDE - 4 - 683)
PLACES: dict[str, Place] = {
    "partner": Place(13, 528, GREY),
    "title": Place(30, 468, NAVY),
    "presented": Place(13, 418, GREY),
    "name": Place(NAME_SIZE, 366, INK),
    "completed": Place(14, 322, INK),
    "program": Place(20, 292, NAVY),
    "cohort": Place(12, 268, GREY),
    "date": Place(13, 150, INK, x=200, widest=180),
    "date_caption": Place(10, 128, GREY, x=200, widest=180),
    "signature_caption": Place(10, 128, GREY, x=420, widest=180),
    "code": Place(8, 88, INK, x=683, widest=SMALL_PRINT_WIDEST, follows_name=False),
    "verify": Place(7, 78, GREY, x=683, widest=SMALL_PRINT_WIDEST, follows_name=False),
    "url": Place(7, 69, GREY, x=683, widest=SMALL_PRINT_WIDEST, follows_name=False),
}
RULES = [  # (x0, y0, x1, y1, colour, width): under the title and the name, above date and signature
    (CENTER - 60, 452, CENTER + 60, 452, GOLD, 1.5),
    (CENTER - NAME_LINE_WIDTH / 2, 354, CENTER + NAME_LINE_WIDTH / 2, 354, GOLD, 0.75),
    (110, 142, 290, 142, INK, 0.75),
    (330, 142, 510, 142, INK, 0.75),
]
FRAME = [(24, 6.0, NAVY), (38, 1.2, GOLD)]  # (margin, thickness, colour): a navy frame, a gold rule inside
QR = {"x": 640, "y": 104, "size": 86}
QR_COLOR = "0.1333 0.1333 0.1333"


def clean(text: str) -> str:
    """NFC and single spaces: how every value is printed (and what a PDF reader gets back)."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def render_certificate(text: CertificateText, branding: Branding = DEFAULT) -> bytes:
    """The certificate's PDF."""
    return render_certificates([text], [branding])


def render_certificates(
    texts: Sequence[CertificateText], brandings: Sequence[Branding] | None = None
) -> bytes:
    """One PDF with a page per certificate, each page as ``render_certificate`` draws it (in its own
    design: ``brandings`` pairs with ``texts``); the pages share their fonts, designs and images,
    which is what makes a part of a combined file cheap to draw. The lines that hold the code are
    spliced (``spliced``) unless ``SPLICE_CODES`` is off."""
    fonts = DocumentFonts()
    laid_out: dict[LineKey, str] = {}  # a line the pages repeat, written once
    designs: dict[Branding, str] = {}  # each design's frame and rules, once per document
    # Each design's first operators (its layer, its images) and places, once per document.
    per_design: dict[Branding, tuple[list[str], dict[str, Place]]] = {}
    contents = []
    for text, branding in zip(texts, brandings or [DEFAULT] * len(texts), strict=True):
        lines = _lines(text, branding)
        name_layout = layout_name(lines["name"], text.language)
        if branding not in per_design:
            design = designs[branding] = "Design" if branding.is_default else f"Design{len(designs)}"
            drawn = [draw_image(placed) for placed in placed_images(branding)]
            per_design[branding] = [f"q /{design} Do Q", *drawn], branded_places(PLACES, branding)
        first, places = per_design[branding]
        sizes = {
            role: min(place.size, name_layout.size) if place.follows_name else place.size
            for role, place in places.items()
        }
        # The lines the pages repeat are written first, so that their codes (each document's
        # fonts give codes out in order) are the same in every document that starts with them.
        keys = {
            role: (role, lines[role], sizes[role], place)
            for role, place in places.items()
            if role != "name" and role not in CODED_ROLES
        }
        if not laid_out:
            fonts, laid_out = _first_lines(tuple(keys.values()))
        for key in keys.values():
            if key not in laid_out:
                laid_out[key] = _line(key[1], key[3], key[2], fonts, bold=key[0] in BOLD_ROLES)
        name_operators = _name(name_layout, fonts)
        content = list(first)
        for role, place in places.items():
            if role == "name":
                content.append(name_operators)
            elif role in keys:
                content.append(laid_out[keys[role]])
            else:
                content.append(
                    _line(lines[role], place, sizes[role], fonts, bold=False, spliced=SPLICE_CODES)
                )
        content.append(qr_operators(text.verification_url, **QR, color=QR_COLOR))
        contents.append("\n".join(content).encode("latin-1"))
    # One resources dictionary for every page: borb's writer then writes it (and the fonts) once.
    xobjects = {name(design): _design(branding) for branding, design in designs.items()}
    images = dict.fromkeys(image for branding in designs for image in branding.images())
    xobjects |= {name(image_name(image)): image_xobject(image) for image in images}
    resources = {name("Font"): fonts.pdf_fonts(), name("XObject"): xobjects}
    document = Document()
    for content_bytes in contents:
        page = Page(width_in_points=PAGE_WIDTH, height_in_points=PAGE_HEIGHT)
        # Obsolete (ProcSet) or the default (Rotate 0): entries borb's writer would visit on every page.
        del page["ProcSet"], page["Rotate"]
        document.append_page(page)
        page[name("Resources")] = resources
        fill_stream(page["Contents"], content_bytes)
    _fix_document_info(document, texts, [branding.fingerprint() for branding in designs])
    return write_pdf(document)


LineKey = tuple[str, str, float, Place]  # role, text, largest size, place
BOLD_ROLES = {"title", "name", "program"}


@functools.lru_cache(maxsize=64)
def _laid_out_first(keys: tuple[LineKey, ...]) -> tuple[DocumentFonts, dict[LineKey, str]]:
    """The repeated lines of a document's first page, written into fresh fonts; kept for the
    process, as most documents start with the same lines (one certificate at a time, or the parts
    of one file)."""
    fonts = DocumentFonts()
    laid_out: dict[LineKey, str] = {}
    for key in keys:
        if key not in laid_out:
            laid_out[key] = _line(key[1], key[3], key[2], fonts, bold=key[0] in BOLD_ROLES)
    return fonts, laid_out


def _first_lines(keys: tuple[LineKey, ...]) -> tuple[DocumentFonts, dict[LineKey, str]]:
    """A new document's fonts and lines after its first page's repeated lines: the same codes and
    operators as writing them anew."""
    fonts, laid_out = _laid_out_first(keys)
    return fonts.copy(), dict(laid_out)


CODED_ROLES = {"code", "url"}  # the lines that end in the certificate's code (spliced)
# Off only in tests (tests/pdf/test_spliced.py), which compare the spliced lines' bytes with the
# bytes of the lines shaped and written whole.
SPLICE_CODES = True


def _lines(text: CertificateText, branding: Branding) -> dict[str, str]:
    return {
        "partner": clean(text.partner_name).upper(),
        "title": clean(text.certificate_type),
        "name": clean(text.recipient_name),
        "program": clean(text.program),
        "cohort": f"Cohort: {clean(text.cohort)}",
        "date": written_day(text.awarded_on),
        "code": f"Verification code: {text.code}",
        "url": text.verification_url,
        **branded_lines(branding, provisional=text.provisional),
    }


def _line(
    value: str, place: Place, largest: float, fonts: DocumentFonts, *, bold: bool, spliced: bool = False
) -> str:
    """``value`` centred at its place, at ``largest`` or the size that fits its width; a line that
    ends in a code is ``spliced`` when it can be."""
    weight = BOLD if bold else REGULAR
    joined = splice(value, weight=weight) if spliced else None
    line = joined.line if joined is not None else shape_line(value, weight=weight)
    size = largest
    if line.span * size / 1000 > place.widest:
        size = max(SMALLEST_SIZE, int(place.widest * 1000 / line.span * 2) / 2)
    left, color = line.left_for_centre(place.x, size), _rgb(place.color)
    if joined is not None:
        return show_spliced(joined, left=left, baseline=place.baseline, size=size, color=color, fonts=fonts)
    return show_line(line, left=left, baseline=place.baseline, size=size, color=color, fonts=fonts)


def _name(layout: NameLayout, fonts: DocumentFonts) -> str:
    """The name's one or two lines, centred on the page."""
    color = _rgb(PLACES["name"].color)
    return "\n".join(
        show_line(
            line.shaped,
            left=line.shaped.left_for_centre(CENTER, layout.size),
            baseline=line.baseline,
            size=layout.size,
            color=color,
            fonts=fonts,
            trailing=line.trailing,
            repeated=False,
        )
        for line in layout.lines
    )


def _design(branding: Branding) -> stream:
    """The frame and the rules as a Form XObject, written once per document (per design), made once
    per process for each look (borb's writer only sets its /Length again, to the same value)."""
    return _frame(branding.primary, branding.accent, len(branding.signatories))


@functools.lru_cache(maxsize=64)
def _frame(primary: RGB, accent: RGB, signatories: int) -> stream:
    """What a design's frame and rules depend on: its colours and how many signatories it has. Keyed
    by those alone, the cache keeps no design's logos, signatures or wording (up to 2 MB an image)."""
    branding = Branding(primary=primary, accent=accent, signatories=(Signatory("", ""),) * signatories)
    content = []
    for margin, thickness, color in FRAME:
        width, height = PAGE_WIDTH - 2 * margin, PAGE_HEIGHT - 2 * margin
        content.append(f"{_rgb(branded_color(color, branding))} rg")
        sides: list[tuple[float, float, float, float]] = [
            (margin, margin, width, thickness),
            (margin, PAGE_HEIGHT - margin - thickness, width, thickness),
            (margin, margin, thickness, height),
            (PAGE_WIDTH - margin - thickness, margin, thickness, height),
        ]
        for x, y, w, h in sides:
            content.append(f"{_n(x)} {_n(y)} {_n(w)} {_n(h)} re f")
    content.append("1 J")  # round caps, as the rules have always had
    for x0, y0, x1, y1, color, line_width in branded_rules(RULES, branding):
        content.append(f"{_rgb(color)} RG {_n(line_width)} w {_n(x0)} {_n(y0)} m {_n(x1)} {_n(y1)} l S")
    return shared_layer(content, width=PAGE_WIDTH, height=PAGE_HEIGHT)


@functools.cache
def _rgb(color: RGB) -> str:
    return " ".join(f"{component / 255:.7g}" for component in color)


_n = pdf_number


def _fix_document_info(document: Document, texts: Sequence[CertificateText], designs: list[str]) -> None:
    """Replace what borb makes up (a random /ID, today's dates) with values from the texts (and
    the designs, when not the default) themselves."""
    printed: list[Any] = [text.as_printed() for text in texts]
    if any(designs):
        printed.append(designs)
    digest = hashlib.sha256(json.dumps(printed, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    trailer = document["Trailer"]
    trailer[name("ID")] = [hexstr(digest[:32].upper())] * 2
    info = trailer["Info"]
    awarded = max(text.awarded_on for text in texts)
    info[name("CreationDate")] = info[name("ModDate")] = datestr(awarded.strftime("D:%Y%m%d000000Z"))
    info[name("Producer")] = PRODUCER
    # borb writes plain strings as Latin-1 without escaping; UTF-16 hex is safe for any name.
    [first, *others] = texts
    title = f"{clean(first.certificate_type)}: {clean(first.recipient_name)}"
    if others:
        title = f"Certificates ({len(texts)})"
    info[name("Title")] = hexstr("FEFF" + title.encode("utf-16-be").hex().upper())
