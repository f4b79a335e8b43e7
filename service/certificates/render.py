"""One certificate as a one-page landscape US Letter PDF, drawn with borb. Pure: text in, bytes out.

The same text always gives the same bytes (no random ids, no clock), so a re-download is
byte-identical. Text is drawn at absolute positions; long names shrink to fit their line.
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
from borb.pdf import Chunk, Document, HexColor, LayoutElement, Page, Shape
from borb.pdf.license.version import Version
from borb.pdf.primitives import datestr, hexstr, name

from service.certificates.fonts import SubsetFont, choose_face, font_subset
from service.certificates.pdf_runtime import write_pdf

PAGE_WIDTH, PAGE_HEIGHT = 792, 612  # US Letter, landscape
NAME_LINE_WIDTH = PAGE_WIDTH - 2 * 90
NAME_SIZE, SMALLEST_NAME_SIZE = 40.0, 10.0
PRODUCER = f"borb {Version.get_current_version()} (Recognition service)"  # borb stays named, as it asks
NAVY, GOLD, INK, GREY = HexColor("#1F3A5F"), HexColor("#B08D3C"), HexColor("#222222"), HexColor("#666666")
LEFT, BOTTOM = LayoutElement.HorizontalAlignment.LEFT, LayoutElement.VerticalAlignment.BOTTOM
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


def _clean(text: str) -> str:
    """NFC (the fonts hold precomposed letters) and single spaces."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def render_certificate(text: CertificateText) -> bytes:
    """The certificate's PDF."""
    return render_certificates([text])


def render_certificates(texts: Sequence[CertificateText]) -> bytes:
    """One PDF with a page per certificate, each page as ``render_certificate`` draws it; the pages
    share their font subsets, which is what makes a part of a combined file cheap to draw."""
    pages = [_lines(text) for text in texts]
    fonts = _fonts(pages)
    document = Document()
    for text, lines in zip(texts, pages, strict=True):
        page = Page(width_in_points=PAGE_WIDTH, height_in_points=PAGE_HEIGHT)
        document.append_page(page)
        _draw_page(page, text, lines, {role: fonts[group] for role, group in _groups(lines).items()})
    _fix_document_info(document, texts)
    return write_pdf(document)


Lines = dict[str, tuple[str, bool]]  # role: (text, bold)


def _lines(text: CertificateText) -> Lines:
    return {
        "partner": (_clean(text.partner_name).upper(), False),
        "title": (_clean(text.certificate_type), True),
        "presented": ("This certifies that", False),
        "name": (_clean(text.recipient_name), True),
        "completed": ("has completed the program", False),
        "program": (_clean(text.program), True),
        "cohort": (f"Cohort: {_clean(text.cohort)}", False),
        "date": (f"{text.awarded_on.day} {MONTHS[text.awarded_on.month - 1]} {text.awarded_on.year}", False),
        "date_caption": ("Date awarded", False),
        "signature_caption": ("Authorized signature", False),
        "code": (f"Verification code: {text.code}", False),
        "verify": ("Scan the code or visit", False),
        "url": (text.verification_url, False),
    }


def _draw_page(page: Page, text: CertificateText, lines: Lines, fonts: dict[str, SubsetFont]) -> None:
    _draw_border(page)
    center = PAGE_WIDTH / 2

    def line(role: str, size: float, baseline: float, color: HexColor, x: float = center) -> None:
        _draw_text(page, lines[role][0], fonts[role], size, x, baseline, color)

    line("partner", 13, 528, GREY)
    line("title", _fitting(lines["title"][0], fonts["title"], 30, NAME_LINE_WIDTH), 468, NAVY)
    _draw_line(page, center - 60, 452, center + 60, 452, GOLD, 1.5)
    line("presented", 13, 418, GREY)
    line("name", _fitting(lines["name"][0], fonts["name"], NAME_SIZE, NAME_LINE_WIDTH), 366, INK)
    _draw_line(page, center - NAME_LINE_WIDTH / 2, 354, center + NAME_LINE_WIDTH / 2, 354, GOLD, 0.75)
    line("completed", 14, 322, INK)
    line("program", _fitting(lines["program"][0], fonts["program"], 20, NAME_LINE_WIDTH), 292, NAVY)
    line("cohort", 12, 268, GREY)
    line("date", 13, 150, INK, x=200)
    for x, caption in ((200, "date_caption"), (420, "signature_caption")):
        _draw_line(page, x - 90, 142, x + 90, 142, INK, 0.75)
        line(caption, 10, 128, GREY, x=x)
    _draw_qr(page, text.verification_url, x=640, y=104, size=86)
    line("code", 8, 88, INK, x=683)
    line("verify", 7, 78, GREY, x=683)
    url_size = _fitting(lines["url"][0], fonts["url"], 7, 2 * (PAGE_WIDTH - 42 - 683), smallest=4)
    line("url", url_size, 69, GREY, x=683)


def _groups(lines: Lines) -> dict[str, tuple[str, str]]:
    """Each line's font: its face, and "name" for the name, "body" for the rest."""
    return {
        role: (choose_face(value, bold=bold), "name" if role == "name" else "body")
        for role, (value, bold) in lines.items()
    }


def _fonts(pages: Sequence[Lines]) -> dict[tuple[str, str], SubsetFont]:
    """One subset per face for the other words and another for the names, over every page: a lone
    certificate's words subset comes from the cache whoever it is for, and a document of many
    embeds each font once."""
    characters: dict[tuple[str, str], set[str]] = {}
    for lines in pages:
        for role, group in _groups(lines).items():
            characters.setdefault(group, set()).update(lines[role][0])
    return {
        group: SubsetFont(font_subset(group[0], "".join(sorted(chars))))
        for group, chars in characters.items()
    }


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


def _draw_text(
    page: Page, value: str, font: SubsetFont, size: float, x: float, baseline: float, color: HexColor
) -> None:
    """``value`` centred on ``x`` with its baseline at ``baseline``."""
    width = font.get_width(value, font_size=size)
    # With LEFT/BOTTOM alignment borb puts the baseline's start at the available space's origin.
    Chunk(
        value,
        font=font,
        font_size=size,
        font_color=color,
        horizontal_alignment=LEFT,
        vertical_alignment=BOTTOM,
    ).paint(
        available_space=(round(x - width / 2, 2), round(baseline, 2), math.ceil(width) + 1, math.ceil(size)),
        page=page,
    )


def _paint_shape(
    page: Page,
    polygons: list[list[tuple[float, float]]],
    *,
    fill: HexColor | None,
    stroke: HexColor | None,
    line_width: float,
) -> None:
    # borb moves a shape's bounding box to the available space's origin: give it that corner.
    xs = [x for polygon in polygons for x, _ in polygon]
    ys = [y for polygon in polygons for _, y in polygon]
    Shape(
        coordinates=polygons,
        fill_color=fill,
        stroke_color=stroke,
        line_width=line_width,
        horizontal_alignment=LEFT,
        vertical_alignment=BOTTOM,
    ).paint(
        available_space=(min(xs), min(ys), math.ceil(max(xs) - min(xs)), math.ceil(max(ys) - min(ys))),
        page=page,
    )


def _draw_line(page: Page, x0: float, y0: float, x1: float, y1: float, color: HexColor, width: float) -> None:
    _paint_shape(page, [[(x0, y0), (x1, y1)]], fill=None, stroke=color, line_width=width)


def _fill_rectangles(
    page: Page, rectangles: list[tuple[float, float, float, float]], color: HexColor
) -> None:
    polygons = [[(x, y), (x + w, y), (x + w, y + h), (x, y + h), (x, y)] for x, y, w, h in rectangles]
    _paint_shape(page, polygons, fill=color, stroke=None, line_width=1)


def _draw_border(page: Page) -> None:
    """A navy frame with a thin gold rule inside it."""
    for margin, thickness, color in ((24, 6.0, NAVY), (38, 1.2, GOLD)):
        inner_width, inner_height = PAGE_WIDTH - 2 * margin, PAGE_HEIGHT - 2 * margin
        _fill_rectangles(
            page,
            [
                (margin, margin, inner_width, thickness),
                (margin, PAGE_HEIGHT - margin - thickness, inner_width, thickness),
                (margin, margin, thickness, inner_height),
                (PAGE_WIDTH - margin - thickness, margin, thickness, inner_height),
            ],
            color,
        )


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


def _draw_qr(page: Page, payload: str, *, x: float, y: float, size: float) -> None:
    """The QR code as vector rectangles in a single path: a few milliseconds, where borb's own QR
    element embeds an image and takes ~90 ms."""
    operations = [
        f"{left:.3f} {bottom:.3f} {width:.3f} {height:.3f} re"
        for left, bottom, width, height in qr_rectangles(payload, x=x, y=y, size=size)
    ]
    # borb has no public call for a raw path; this is the helper its own elements use.
    LayoutElement._append_newline_to_content_stream(page)  # type: ignore[attr-defined]
    LayoutElement._append_to_content_stream(
        page, "q\n0.1333 0.1333 0.1333 rg\n" + "\n".join(operations) + "\nf\nQ\n"
    )  # type: ignore[attr-defined]
