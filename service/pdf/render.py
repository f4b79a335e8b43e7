"""One certificate as a one-page landscape US Letter PDF, drawn with borb. Pure: text in, bytes out.

The same text always gives the same bytes (no random ids, no clock), so a re-download is
byte-identical. Text is drawn at absolute positions; long lines shrink to fit their width.

Where everything goes is said once, in ``PLACES``, ``RULES``, ``FRAME`` and ``QR``. The frame and
the rules, the same on every page, are drawn once per document as a Form XObject that every page
shows; the fixed words are laid out once per document but written on each page, so that text is
read in the page's order. Everything is written as PDF operators here rather than through borb's
layout elements, which cost more per page than everything else (see bench/README.md); borb still
makes the document, its fonts' dictionaries and the file.
"""

from __future__ import annotations

import hashlib
import json
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import segno
from borb.pdf import Document, Page
from borb.pdf.license.version import Version
from borb.pdf.primitives import datestr, hexstr, name, stream

from service.pdf.fonts import SubsetFont, choose_face, font_subset
from service.pdf.runtime import write_pdf

PAGE_WIDTH, PAGE_HEIGHT = 792, 612  # US Letter, landscape
NAME_LINE_WIDTH = PAGE_WIDTH - 2 * 90
NAME_SIZE, SMALLEST_NAME_SIZE = 40.0, 10.0
PRODUCER = f"borb {Version.get_current_version()} (Recognition service)"  # borb stays named, as it asks
RGB = tuple[int, int, int]
NAVY, GOLD, INK, GREY = (0x1F, 0x3A, 0x5F), (0xB0, 0x8D, 0x3C), (0x22, 0x22, 0x22), (0x66, 0x66, 0x66)
CENTER = PAGE_WIDTH / 2
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


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

    def as_printed(self) -> dict[str, Any]:
        values = asdict(self)
        values["awarded_on"] = self.awarded_on.isoformat()
        return values

    @classmethod
    def from_printed(cls, values: dict[str, Any]) -> CertificateText:
        return cls(**{**values, "awarded_on": date.fromisoformat(values["awarded_on"])})


@dataclass(frozen=True)
class Place:
    """A line centred on ``x`` with its baseline at ``baseline``; if ``widest`` is set, the size
    shrinks (in half points, down to ``smallest``) until the line fits that width."""

    size: float
    baseline: float
    color: RGB
    x: float = CENTER
    widest: float = 0
    smallest: float = SMALLEST_NAME_SIZE


PLACES: dict[str, Place] = {
    "partner": Place(13, 528, GREY),
    "title": Place(30, 468, NAVY, widest=NAME_LINE_WIDTH),
    "presented": Place(13, 418, GREY),
    "name": Place(NAME_SIZE, 366, INK, widest=NAME_LINE_WIDTH),
    "completed": Place(14, 322, INK),
    "program": Place(20, 292, NAVY, widest=NAME_LINE_WIDTH),
    "cohort": Place(12, 268, GREY),
    "date": Place(13, 150, INK, x=200),
    "date_caption": Place(10, 128, GREY, x=200),
    "signature_caption": Place(10, 128, GREY, x=420),
    "code": Place(8, 88, INK, x=683),
    "verify": Place(7, 78, GREY, x=683),
    "url": Place(7, 69, GREY, x=683, widest=2 * (PAGE_WIDTH - 42 - 683), smallest=4),
}
FIXED_WORDS = {
    "presented": "This certifies that",
    "completed": "has completed the program",
    "date_caption": "Date awarded",
    "signature_caption": "Authorized signature",
    "verify": "Scan the code or visit",
}
RULES = [  # (x0, y0, x1, y1, colour, width): under the title and the name, above date and signature
    (CENTER - 60, 452, CENTER + 60, 452, GOLD, 1.5),
    (CENTER - NAME_LINE_WIDTH / 2, 354, CENTER + NAME_LINE_WIDTH / 2, 354, GOLD, 0.75),
    (110, 142, 290, 142, INK, 0.75),
    (330, 142, 510, 142, INK, 0.75),
]
FRAME = [(24, 6.0, NAVY), (38, 1.2, GOLD)]  # (margin, thickness, colour): a navy frame, a gold rule inside
QR = {"x": 640, "y": 104, "size": 86}
QR_COLOR = "0.1333 0.1333 0.1333 rg"


def _clean(text: str) -> str:
    """NFC (the fonts hold precomposed letters) and single spaces."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def render_certificate(text: CertificateText) -> bytes:
    """The certificate's PDF."""
    return render_certificates([text])


def render_certificates(texts: Sequence[CertificateText]) -> bytes:
    """One PDF with a page per certificate, each page as ``render_certificate`` draws it; the pages
    share their font subsets and the fixed design, which is what makes a part of a combined file
    cheap to draw."""
    pages = [_lines(text) for text in texts]
    faces = [_faces(lines) for lines in pages]
    fonts = _fonts(pages, faces)
    resource_of = {face: f"F{number}" for number, face in enumerate(sorted(fonts), start=1)}
    # One resources dictionary for every page: borb's writer then writes it (and the fonts) once.
    resources = {
        name("Font"): {name(resource_of[face]): font for face, font in fonts.items()},
        name("XObject"): {name("Design"): _design()},
    }
    # The fixed words are written on each page, not in the design, so that text is read (copied,
    # extracted) in the page's order; they are laid out once per document.
    fixed = {
        role: _text(words, PLACES[role], fonts[face], resource_of[face])
        for role, words in FIXED_WORDS.items()
        for face in [choose_face(words, bold=False)]
    }
    document = Document()
    for text, lines, face_of in zip(texts, pages, faces, strict=True):
        page = Page(width_in_points=PAGE_WIDTH, height_in_points=PAGE_HEIGHT)
        # Obsolete (ProcSet) or the default (Rotate 0): entries borb's writer would visit on every page.
        del page["ProcSet"], page["Rotate"]
        document.append_page(page)
        page[name("Resources")] = resources
        content = ["q /Design Do Q"]
        for role, place in PLACES.items():
            if role in fixed:
                content.append(fixed[role])
            else:
                face = face_of[role]
                content.append(_text(lines[role][0], place, fonts[face], resource_of[face]))
        content.append(_qr(text.verification_url))
        page["Contents"][name("DecodedBytes")] = "\n".join(content).encode("latin-1")
    _fix_document_info(document, texts)
    return write_pdf(document)


Lines = dict[str, tuple[str, bool]]  # role: (text, bold)


def _lines(text: CertificateText) -> Lines:
    return {
        "partner": (_clean(text.partner_name).upper(), False),
        "title": (_clean(text.certificate_type), True),
        "name": (_clean(text.recipient_name), True),
        "program": (_clean(text.program), True),
        "cohort": (f"Cohort: {_clean(text.cohort)}", False),
        "date": (f"{text.awarded_on.day} {MONTHS[text.awarded_on.month - 1]} {text.awarded_on.year}", False),
        "code": (f"Verification code: {text.code}", False),
        "url": (text.verification_url, False),
        **{role: (words, False) for role, words in FIXED_WORDS.items()},
    }


def _faces(lines: Lines) -> dict[str, str]:
    """Each line's face (see ``choose_face``)."""
    return {role: choose_face(value, bold=bold) for role, (value, bold) in lines.items()}


def _fonts(pages: Sequence[Lines], faces: Sequence[dict[str, str]]) -> dict[str, SubsetFont]:
    """One subset per face over every page, so a document of many pages embeds each font once (the
    name shares the bold face with the title and the program: one font fewer for borb's writer)."""
    characters: dict[str, set[str]] = {}
    for lines, face_of in zip(pages, faces, strict=True):
        for role, (value, _bold) in lines.items():
            characters.setdefault(face_of[role], set()).update(value)
    return {face: SubsetFont(font_subset(face, "".join(sorted(chars)))) for face, chars in characters.items()}


def _design() -> stream:
    """The frame and the rules as a Form XObject, written once per document."""
    content = []
    for margin, thickness, color in FRAME:
        width, height = PAGE_WIDTH - 2 * margin, PAGE_HEIGHT - 2 * margin
        content.append(f"{_rgb(color)} rg")
        sides: list[tuple[float, float, float, float]] = [
            (margin, margin, width, thickness),
            (margin, PAGE_HEIGHT - margin - thickness, width, thickness),
            (margin, margin, thickness, height),
            (PAGE_WIDTH - margin - thickness, margin, thickness, height),
        ]
        for x, y, w, h in sides:
            content.append(f"{_n(x)} {_n(y)} {_n(w)} {_n(h)} re f")
    content.append("1 J")  # round caps, as the rules have always had
    for x0, y0, x1, y1, color, line_width in RULES:
        content.append(f"{_rgb(color)} RG {_n(line_width)} w {_n(x0)} {_n(y0)} m {_n(x1)} {_n(y1)} l S")
    form = stream()
    form[name("Type")] = name("XObject")
    form[name("Subtype")] = name("Form")
    form[name("BBox")] = [0, 0, PAGE_WIDTH, PAGE_HEIGHT]
    form[name("Resources")] = {}
    form[name("DecodedBytes")] = "\n".join(content).encode("latin-1")
    return form


def _text(value: str, place: Place, font: SubsetFont, resource: str) -> str:
    """``value`` at its place, in the text operators borb's own text element writes: a 1 pt font
    scaled by the text matrix, so readers report the size in the matrix."""
    size = place.size
    if place.widest:
        size = _fitting(value, font, size, place.widest, place.smallest)
    left = round(place.x - font.get_width(value, font_size=size) / 2, 2)
    return (
        f"BT {_rgb(place.color)} rg /{resource} 1 Tf {_n(size)} 0 0 {_n(size)} {_n(left)} "
        f"{_n(place.baseline)} Tm <{font.hex_codes(value)}> Tj ET"
    )


def _rgb(color: RGB) -> str:
    return " ".join(f"{component / 255:.7g}" for component in color)


def _n(number: float) -> str:
    """A number as PDF writes it: no exponent, no trailing zeros."""
    return f"{round(number, 3):f}".rstrip("0").rstrip(".")


def _fix_document_info(document: Document, texts: Sequence[CertificateText]) -> None:
    """Replace what borb makes up (a random /ID, today's dates) with values from the texts themselves."""
    printed = [text.as_printed() for text in texts]
    digest = hashlib.sha256(json.dumps(printed, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    trailer = document["Trailer"]
    trailer[name("ID")] = [hexstr(digest[:32].upper())] * 2
    info = trailer["Info"]
    awarded = max(text.awarded_on for text in texts)
    info[name("CreationDate")] = info[name("ModDate")] = datestr(awarded.strftime("D:%Y%m%d000000Z"))
    info[name("Producer")] = PRODUCER
    # borb writes plain strings as Latin-1 without escaping; UTF-16 hex is safe for any name.
    [first, *others] = texts
    title = f"{_clean(first.certificate_type)}: {_clean(first.recipient_name)}"
    if others:
        title = f"Certificates ({len(texts)})"
    info[name("Title")] = hexstr("FEFF" + title.encode("utf-16-be").hex().upper())


def _fitting(
    value: str, font: SubsetFont, size: float, width: float, smallest: float = SMALLEST_NAME_SIZE
) -> float:
    """The size (in half points, down to ``smallest``) at which ``value`` fits ``width``."""
    needed = font.get_width(value, font_size=size)
    if needed <= width:
        return size
    return max(smallest, math.floor(size * width / needed * 2) / 2)


def qr_rectangles(
    payload: str, *, x: float, y: float, size: float
) -> list[tuple[float, float, float, float]]:
    """The QR code of ``payload`` in a square at (x, y): one rectangle (x, y, width, height) per run
    of dark modules in a row, so a code is a few dozen rectangles rather than hundreds."""
    rows = [list(row) for row in segno.make(payload, error="m", micro=False).matrix]
    module = size / len(rows)
    rectangles = []
    for row_number, row in enumerate(rows):
        column = 0
        while column < len(row):
            if not row[column]:
                column += 1
                continue
            start = column
            while column < len(row) and row[column]:
                column += 1
            top = y + size - (row_number + 1) * module
            rectangles.append((x + start * module, top, (column - start) * module, module))
    return rectangles


def _qr(payload: str) -> str:
    """The QR code as vector rectangles filled as one path (borb's own QR element embeds an image
    and takes ~90 ms)."""
    rectangles = "\n".join(
        f"{left:.3f} {bottom:.3f} {width:.3f} {height:.3f} re"
        for left, bottom, width, height in qr_rectangles(payload, **QR)
    )
    return f"q {QR_COLOR}\n{rectangles}\nf Q"
