"""The project's certificate drawn with reportlab, fpdf2 and Typst, for the benchmarks only (never used
by the service): the same page as service/pdf/render.py — landscape US Letter, the navy
frame with its gold rule, the same words at the same sizes and baselines in the same Noto Serif
weights, the lines, and the QR code as an image of a pixel a module, drawn without smoothing, as
the service draws it (``QR_AS_RECTANGLES`` draws it as a rectangle a run of dark modules instead,
as the service did before 2026-11-30). ``largest_shift`` checks that a peer's characters sit where
the service's do."""

from __future__ import annotations

import ctypes
import io
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pypdfium2
import pypdfium2.raw
from fontTools import ttLib
from fontTools.varLib import instancer
from fpdf import FPDF
from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from service.dates import written_day
from service.pdf.faces import BOLD, REGULAR, face
from service.pdf.qr import qr_modules, qr_rectangles
from service.pdf.render import (
    NAME_LINE_WIDTH,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    CertificateText,
)

try:
    import typst
except ImportError as missing:  # a peer, not the service: the benchmark goes on without it
    typst = None  # type: ignore[assignment]
    TYPST_MISSING = f"Typst skipped: the typst package cannot be imported ({missing}); pip install '.[bench]'"
else:
    TYPST_MISSING = ""

NAVY, GOLD, INK, GREY = (0x1F, 0x3A, 0x5F), (0xB0, 0x8D, 0x3C), (0x22, 0x22, 0x22), (0x66, 0x66, 0x66)
QR_AS_RECTANGLES = False  # True: every peer draws the QR code as vector rectangles (the old way)
QR_BOX = {"x": 640, "y": 104, "size": 86}
_INKED = bytes.maketrans(b"\x00", bytes([INK[0]]))  # a dark module in the ink's grey, light ones white
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
# Typst shapes (kerning, ligatures) as the service does with HarfBuzz: it gets the same instances with
# their layout tables (GSUB, GPOS, GDEF), which the PDF's embedded cuts leave out.
_TYPST_FOLDER = _FOLDER / "typst"
_TYPST_FOLDER.mkdir()
for _weight, _file in ((REGULAR, "NotoSerif-Regular.ttf"), (BOLD, "NotoSerif-Bold.ttf")):
    _face = face("serif", _weight)
    _font = ttLib.TTFont(io.BytesIO(_face.data), recalcTimestamp=False)
    _font = instancer.instantiateVariableFont(_font, _face._location()) if _face.variable else _font
    _font.save(_TYPST_FOLDER / _file)
pdfmetrics.registerFont(TTFont("Serif", str(REGULAR_FILE)))
pdfmetrics.registerFont(TTFont("Serif-Bold", str(BOLD_FILE)))


def _lines(text: CertificateText) -> list[tuple[str, bool, float, float, float, tuple[int, int, int], float]]:
    """(text, bold, size, largest width or 0, baseline, colour, x) for every line of the page."""
    center = PAGE_WIDTH / 2
    day = written_day(text.awarded_on)
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


def _qr_image(payload: str) -> Image.Image:
    """The code as a greyscale image, a pixel a module (the service's modules)."""
    modules, width = qr_modules(payload)
    return Image.frombytes("L", (width, width), modules.translate(_INKED))


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
        if QR_AS_RECTANGLES:
            path = pdf.beginPath()
            for x, y, w, h in qr_rectangles(text.verification_url, **QR_BOX):
                path.rect(x, y, w, h)
            pdf.setFillColorRGB(*(c / 255 for c in INK))
            pdf.drawPath(path, stroke=0, fill=1)
        else:
            pdf.drawImage(ImageReader(_qr_image(text.verification_url)), 640, 104, 86, 86)
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
        if QR_AS_RECTANGLES:
            pdf.set_fill_color(*INK)
            for x, y, w, h in qr_rectangles(text.verification_url, **QR_BOX):
                pdf.rect(x, top(y, h), w, h, style="F")
        else:
            pdf.image(_qr_image(text.verification_url), x=640, y=top(104, 86), w=86, h=86)
    return bytes(pdf.output())


# ---------------------------------------------------------------- Typst

_TYPST_PRELUDE = """#set page(width: 792pt, height: 612pt, margin: 0pt)
#set text(font: "Noto Serif", top-edge: "baseline", bottom-edge: "baseline")
#let ln(body, x, baseline, size, widest, fill, weight) = place(
  top + center, dx: x - 396pt, dy: 612pt - baseline, context {
    let fitted = size
    if widest > 0pt {
      let wide = measure(text(size: size, weight: weight, body)).width
      if wide > widest {
        let smallest = if size < 10pt { 4pt } else { 10pt }
        fitted = calc.max(smallest, calc.floor(size / 1pt * (widest / wide) * 2) / 2 * 1pt)
      }
    }
    text(size: fitted, weight: weight, fill: fill, body)
  })
#let box(x, y, w, h, fill) = place(
  top + left, dx: x * 1pt, dy: (612 - y - h) * 1pt,
  rect(width: w * 1pt, height: h * 1pt, fill: fill, stroke: none))
"""


def _typst_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _typst_color(color: tuple[int, int, int]) -> str:
    return 'rgb("#{:02x}{:02x}{:02x}")'.format(*color)


def typst_source(texts: Sequence[CertificateText]) -> str:
    """The same page in Typst markup: frame, rules, lines fitted as the service fits them, QR code."""
    pages = []
    for text in texts:
        page = [f"#box({x}, {y}, {w}, {h}, {_typst_color(color)})" for x, y, w, h, color in _frame()]
        for x0, y0, x1, y1, color, width in RULES:
            page.append(
                f"#place(top + left, line(start: ({x0}pt, {PAGE_HEIGHT - y0}pt), end: ({x1}pt, "
                f"{PAGE_HEIGHT - y1}pt), stroke: (paint: {_typst_color(color)}, thickness: {width}pt, "
                'cap: "round")))'
            )
        for value, bold, size, widest, baseline, color, x in _lines(text):
            weight = '"bold"' if bold else '"regular"'
            page.append(
                f"#ln({_typst_string(value)}, {x}pt, {baseline}pt, {size}pt, {widest}pt, "
                f"{_typst_color(color)}, {weight})"
            )
        if QR_AS_RECTANGLES:
            ink = _typst_color(INK)
            for x, y, w, h in qr_rectangles(text.verification_url, **QR_BOX):
                page.append(f"#box({x:.3f}, {y:.3f}, {w:.3f}, {h:.3f}, {ink})")
        else:
            modules, width = qr_modules(text.verification_url)
            pixels = ",".join([str(INK[0]), "255"][module // 255] for module in modules)
            page.append(
                f"#place(top + left, dx: 640pt, dy: {PAGE_HEIGHT - 104 - 86}pt, image(bytes(({pixels})), "
                f'format: (encoding: "luma8", width: {width}, height: {width}), scaling: "pixelated", '
                "width: 86pt, height: 86pt))"
            )
        pages.append("\n".join(page))
    return _TYPST_PRELUDE + "\n#pagebreak()\n".join(pages) + "\n"


_typst_compiler: Any = None


def typst_pdf(texts: Sequence[CertificateText]) -> bytes:
    """The pages compiled by Typst (the `typst` package), with the same two Noto Serif instances and
    no system fonts; the compiler (its fonts) is kept between calls, as a warm service would."""
    global _typst_compiler
    if typst is None:
        raise RuntimeError(TYPST_MISSING)
    if _typst_compiler is None:
        _typst_compiler = typst.Compiler(font_paths=[str(_TYPST_FOLDER)], ignore_system_fonts=True)
    pdf: bytes = _typst_compiler.compile(input=typst_source(texts).encode())
    return pdf


# ---------------------------------------------------------------- the same page?


def glyph_origins(pdf: bytes) -> list[list[tuple[str, float, float]]]:
    """Every drawn character of every page with its origin (pdfium), spaces left out, in page order
    (top to bottom, then left to right)."""
    document = pypdfium2.PdfDocument(pdf)
    pages = []
    for page in document:
        textpage = page.get_textpage()
        found = []
        x, y = ctypes.c_double(), ctypes.c_double()
        for index in range(textpage.count_chars()):
            character = chr(pypdfium2.raw.FPDFText_GetUnicode(textpage, index))
            if character.isspace() or not character.isprintable():
                continue
            pypdfium2.raw.FPDFText_GetCharOrigin(textpage, index, ctypes.byref(x), ctypes.byref(y))
            found.append((character, round(x.value, 3), round(y.value, 3)))
        pages.append(sorted(found, key=lambda glyph: (-round(glyph[2]), glyph[1])))
    return pages


def largest_shift(pdf: bytes, reference: bytes) -> dict[str, Any]:
    """How far (points) any character of ``pdf`` is from the same character of ``reference`` (the
    service's page), over the lines where the reference forms no ligature; and how many lines do
    (HarfBuzz joins "fi" and "ff" in Noto Serif, which reportlab and fpdf2 never do and Typst does not
    with this instance: a ligature narrows its line, so the centred line starts elsewhere)."""
    theirs, ours = glyph_origins(pdf), glyph_origins(reference)
    if [[glyph[0] for glyph in page] for page in theirs] != [[glyph[0] for glyph in page] for page in ours]:
        return {"different_text": True}
    shifts: dict[tuple[int, float], float] = {}
    ligatures: set[tuple[int, float]] = set()
    for number, (page, other) in enumerate(zip(theirs, ours, strict=True)):
        for index, (a, b) in enumerate(zip(page, other, strict=True)):
            line = (number, b[2])
            shifts[line] = max(shifts.get(line, 0.0), abs(a[1] - b[1]), abs(a[2] - b[2]))
            if index and other[index - 1][1:] == b[1:]:
                ligatures.add(line)
    plain = [shift for line, shift in shifts.items() if line not in ligatures]
    return {
        "largest_shift_pt": round(max(plain, default=0.0), 3),
        "lines": len(shifts),
        "lines_with_ligatures_left_out": len(ligatures),
    }
