"""The project's certificate drawn with reportlab and with fpdf2, for the benchmarks only (never used
by the service): the same page as service/pdf/render.py — landscape US Letter, the navy
frame with its gold rule, the same words at the same sizes and baselines in the same Noto Serif
weights, the lines, and the QR code as vector rectangles."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Sequence
from pathlib import Path

from fontTools import ttLib
from fpdf import FPDF
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from service.pdf.faces import BOLD, REGULAR, face
from service.pdf.render import (
    MONTHS,
    NAME_LINE_WIDTH,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    CertificateText,
    qr_rectangles,
)

NAVY, GOLD, INK, GREY = (0x1F, 0x3A, 0x5F), (0xB0, 0x8D, 0x3C), (0x22, 0x22, 0x22), (0x66, 0x66, 0x66)
_FOLDER = Path(tempfile.mkdtemp(prefix="bench-fonts-"))
REGULAR_FILE, BOLD_FILE = _FOLDER / "NotoSerif-Regular.ttf", _FOLDER / "NotoSerif-Bold.ttf"


def _named(data: bytes, postscript_name: str) -> bytes:
    """The instance under a name of its own (both weights come out named NotoSerif-Regular, and
    reportlab tells fonts apart by name)."""
    font = ttLib.TTFont(io.BytesIO(data))
    font["name"].setName(postscript_name, 6, 3, 1, 0x409)
    font["name"].setName(postscript_name, 4, 3, 1, 0x409)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


REGULAR_FILE.write_bytes(_named(face("serif", REGULAR).static_program, "NotoSerif-Regular"))
BOLD_FILE.write_bytes(_named(face("serif", BOLD).static_program, "NotoSerif-Bold"))
pdfmetrics.registerFont(TTFont("Serif", str(REGULAR_FILE)))
pdfmetrics.registerFont(TTFont("Serif-Bold", str(BOLD_FILE)))


def _lines(text: CertificateText) -> list[tuple[str, bool, float, float, float, tuple[int, int, int], float]]:
    """(text, bold, size, largest width or 0, baseline, colour, x) for every line of the page."""
    center = PAGE_WIDTH / 2
    day = f"{text.awarded_on.day} {MONTHS[text.awarded_on.month - 1]} {text.awarded_on.year}"
    return [
        (text.partner_name.upper(), False, 13, 0, 528, GREY, center),
        (text.certificate_type, True, 30, NAME_LINE_WIDTH, 468, NAVY, center),
        ("This certifies that", False, 13, 0, 418, GREY, center),
        (text.recipient_name, True, 40, NAME_LINE_WIDTH, 366, INK, center),
        ("has completed the program", False, 14, 0, 322, INK, center),
        (text.program, True, 20, NAME_LINE_WIDTH, 292, NAVY, center),
        (f"Cohort: {text.cohort}", False, 12, 0, 268, GREY, center),
        (day, False, 13, 0, 150, INK, 200),
        ("Date awarded", False, 10, 0, 128, GREY, 200),
        ("Authorized signature", False, 10, 0, 128, GREY, 420),
        (f"Verification code: {text.code}", False, 8, 0, 88, INK, 683),
        ("Scan the code or visit", False, 7, 0, 78, GREY, 683),
        (text.verification_url, False, 7, 2 * (PAGE_WIDTH - 42 - 683), 69, GREY, 683),
    ]


RULES = [  # (x0, y0, x1, y1, colour, width)
    (PAGE_WIDTH / 2 - 60, 452, PAGE_WIDTH / 2 + 60, 452, GOLD, 1.5),
    (PAGE_WIDTH / 2 - NAME_LINE_WIDTH / 2, 354, PAGE_WIDTH / 2 + NAME_LINE_WIDTH / 2, 354, GOLD, 0.75),
    (110, 142, 290, 142, INK, 0.75),
    (330, 142, 510, 142, INK, 0.75),
]


def _frame() -> list[tuple[float, float, float, float, tuple[int, int, int]]]:
    rectangles = []
    for margin, thickness, color in ((24, 6.0, NAVY), (38, 1.2, GOLD)):
        width, height = PAGE_WIDTH - 2 * margin, PAGE_HEIGHT - 2 * margin
        rectangles += [
            (margin, margin, width, thickness, color),
            (margin, PAGE_HEIGHT - margin - thickness, width, thickness, color),
            (margin, margin, thickness, height, color),
            (PAGE_WIDTH - margin - thickness, margin, thickness, height, color),
        ]
    return rectangles


def _fitting(width_at: float, size: float, widest: float) -> float:
    """As the service fits a line: half points down to 10 pt (4 pt for the small print)."""
    if not widest or width_at <= widest:
        return size
    smallest = 4 if size < 10 else 10
    return max(smallest, int(size * widest / width_at * 2) / 2)


def reportlab_pdf(texts: Sequence[CertificateText]) -> bytes:
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), pageCompression=1)
    for text in texts:
        for x, y, w, h, color in _frame():
            pdf.setFillColorRGB(*(c / 255 for c in color))
            pdf.rect(x, y, w, h, stroke=0, fill=1)
        for x0, y0, x1, y1, color, width in RULES:
            pdf.setStrokeColorRGB(*(c / 255 for c in color))
            pdf.setLineWidth(width)
            pdf.line(x0, y0, x1, y1)
        for value, bold, size, widest, baseline, color, x in _lines(text):
            font = "Serif-Bold" if bold else "Serif"
            size = _fitting(pdfmetrics.stringWidth(value, font, size), size, widest)
            pdf.setFont(font, size)
            pdf.setFillColorRGB(*(c / 255 for c in color))
            pdf.drawCentredString(x, baseline, value)
        path = pdf.beginPath()
        for x, y, w, h in qr_rectangles(text.verification_url, x=640, y=104, size=86):
            path.rect(x, y, w, h)
        pdf.setFillColorRGB(*(c / 255 for c in INK))
        pdf.drawPath(path, stroke=0, fill=1)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def fpdf2_pdf(texts: Sequence[CertificateText]) -> bytes:
    pdf = FPDF(orientation="L", unit="pt", format="letter")
    pdf.set_auto_page_break(False)
    pdf.add_font("Serif", "", str(REGULAR_FILE))
    pdf.add_font("Serif", "B", str(BOLD_FILE))

    def top(y: float, height: float = 0) -> float:  # fpdf2 measures from the top
        return PAGE_HEIGHT - y - height

    for text in texts:
        pdf.add_page()
        for x, y, w, h, color in _frame():
            pdf.set_fill_color(*color)
            pdf.rect(x, top(y, h), w, h, style="F")
        for x0, y0, x1, y1, color, width in RULES:
            pdf.set_draw_color(*color)
            pdf.set_line_width(width)
            pdf.line(x0, top(y0), x1, top(y1))
        for value, bold, size, widest, baseline, color, x in _lines(text):
            pdf.set_font("Serif", "B" if bold else "", size)
            size = _fitting(pdf.get_string_width(value), size, widest)
            pdf.set_font_size(size)
            pdf.set_text_color(*color)
            pdf.text(x - pdf.get_string_width(value) / 2, top(baseline), value)
        pdf.set_fill_color(*INK)
        for x, y, w, h in qr_rectangles(text.verification_url, x=640, y=104, size=86):
            pdf.rect(x, top(y, h), w, h, style="F")
    return bytes(pdf.output())
