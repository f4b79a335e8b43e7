"""Reading a certificate page back the way a viewer does, for the tests: every glyph its content
stream draws (font, glyph id, position, outline box in page points, ToUnicode text), the page's
rendered ink (pypdfium2), and its text (pdfium's extraction)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any, cast

import numpy
import pikepdf
import pypdfium2
from fontTools.cffLib import CFFFontSet
from fontTools.ttLib import TTFont

SCALE = 2.0  # 144 dpi: enough to see a glyph moved by half a point
PAGE_HEIGHT = 612


@dataclass(frozen=True)
class DrawnGlyph:
    font: str
    glyph: int
    text: str  # the code's ToUnicode entry
    x: float
    y: float
    size: float
    box: tuple[float, float, float, float] | None  # outline bounds in page points; None: no outline
    line: int  # which BT … ET block of the page


@dataclass(frozen=True)
class EmbeddedFont:
    glyph_of_code: dict[int, int]
    width_of_code: dict[int, float]
    text_of_code: dict[int, str]
    bounds: dict[int, tuple[float, float, float, float] | None]  # per glyph, in 1/1000 em


def _widths(array: pikepdf.Array) -> dict[int, float]:
    widths: dict[int, float] = {}
    items = list(array)
    index = 0
    while index < len(items):
        first = int(items[index])
        if isinstance(items[index + 1], pikepdf.Array):
            for offset, width in enumerate(items[index + 1]):
                widths[first + offset] = float(width)
            index += 2
        else:
            for code in range(first, int(items[index + 1]) + 1):
                widths[code] = float(items[index + 2])
            index += 3
    return widths


def _to_unicode(data: bytes) -> dict[int, str]:
    pairs = re.findall(rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]*)>", data.split(b"endcodespacerange", 1)[1])
    return {int(code, 16): bytes.fromhex(text.decode()).decode("utf-16-be") for code, text in pairs}


def embedded_font(font: pikepdf.Dictionary) -> EmbeddedFont:
    descendant = font.DescendantFonts[0]
    descriptor = descendant.FontDescriptor
    widths = _widths(cast(pikepdf.Array, descendant.W))
    texts = _to_unicode(font.ToUnicode.read_bytes())
    if "/FontFile2" in descriptor:
        program = TTFont(io.BytesIO(descriptor.FontFile2.read_bytes()))
        raw = descendant.CIDToGIDMap.read_bytes()
        glyph_of_code = {code: int.from_bytes(raw[2 * code : 2 * code + 2], "big") for code in widths}
        order, glyf = program.getGlyphOrder(), program["glyf"]
        scale = 1000 / program["head"].unitsPerEm
        bounds: dict[int, tuple[float, float, float, float] | None] = {}
        for glyph in set(glyph_of_code.values()):
            outline = glyf[order[glyph]]
            has_outline = outline.numberOfContours != 0
            bounds[glyph] = (
                (outline.xMin * scale, outline.yMin * scale, outline.xMax * scale, outline.yMax * scale)
                if has_outline
                else None
            )
        return EmbeddedFont(glyph_of_code, widths, texts, bounds)
    cff = CFFFontSet()
    cff.decompile(io.BytesIO(descriptor.FontFile3.read_bytes()), None)
    top = cff[cff.fontNames[0]]
    charstrings = top.CharStrings
    bounds = {}
    for code in widths:
        glyph_name = ".notdef" if code == 0 else f"cid{code:05d}"
        box = charstrings[glyph_name].calcBounds(charstrings) if glyph_name in charstrings else None
        bounds[code] = (box[0], box[1], box[2], box[3]) if box else None
    return EmbeddedFont({code: code for code in widths}, widths, texts, bounds)


def _instructions(page: pikepdf.Page) -> list[tuple[list[Any], pikepdf.Operator]]:
    """The page's content stream as (operands, operator) pairs; inline images are not text."""
    return [
        (list(instruction.operands), instruction.operator)
        for instruction in pikepdf.parse_content_stream(page)
        if isinstance(instruction, pikepdf.ContentStreamInstruction)
    ]


def drawn_glyphs(pdf: pikepdf.Pdf, page_number: int) -> list[DrawnGlyph]:
    """Every glyph the page's content stream shows, where it shows it."""
    page = pdf.pages[page_number]
    resources = page.Resources.Font.items()
    fonts = {str(key): embedded_font(cast(pikepdf.Dictionary, font)) for key, font in resources}
    glyphs: list[DrawnGlyph] = []
    matrix = (1.0, 0.0, 0.0, 0.0)
    font_name, rise, advance, line = "", 0.0, 0.0, -1
    for operands, operator in _instructions(page):
        name = str(operator)
        if name == "BT":
            line += 1
            advance, rise = 0.0, 0.0
        elif name == "Tm":
            size, x, y = float(operands[0]), float(operands[4]), float(operands[5])
            matrix = (size, x, y, 0.0)
            advance = 0.0
        elif name == "Tf":
            font_name = str(operands[0])
        elif name == "Ts":
            rise = float(operands[0])
        elif name == "TJ":
            font = fonts[font_name]
            size, x, y, _ = matrix
            for item in operands[0]:
                if isinstance(item, pikepdf.String):
                    data = bytes(item)
                    for offset in range(0, len(data), 2):
                        code = int.from_bytes(data[offset : offset + 2], "big")
                        glyph = font.glyph_of_code[code]
                        bounds = font.bounds[glyph if glyph in font.bounds else code]
                        origin_x, origin_y = x + advance * size, y + rise * size
                        box = (
                            None
                            if bounds is None
                            else (
                                origin_x + bounds[0] * size / 1000,
                                origin_y + bounds[1] * size / 1000,
                                origin_x + bounds[2] * size / 1000,
                                origin_y + bounds[3] * size / 1000,
                            )
                        )
                        glyphs.append(
                            DrawnGlyph(
                                font_name,
                                glyph,
                                font.text_of_code.get(code, ""),
                                origin_x,
                                origin_y,
                                size,
                                box,
                                line,
                            )
                        )
                        advance += font.width_of_code[code] / 1000
                else:
                    advance -= float(item) / 1000
    return glyphs


def ink(document: pypdfium2.PdfDocument, page_number: int) -> numpy.ndarray:
    """The page rendered in grey (0 black … 255 white), ``SCALE`` pixels a point."""
    return numpy.asarray(document[page_number].render(scale=SCALE, grayscale=True).to_pil().convert("L"))


def pixel_box(box: tuple[float, float, float, float]) -> tuple[int, int, int, int]:
    """Page points (x0, y0, x1, y1) as pixel rows and columns (top, bottom, left, right), outward."""
    x0, y0, x1, y1 = box
    return (
        int((PAGE_HEIGHT - y1) * SCALE),
        int((PAGE_HEIGHT - y0) * SCALE + 0.999),
        int(x0 * SCALE),
        int(x1 * SCALE + 0.999),
    )


def page_text(document: pypdfium2.PdfDocument, page_number: int) -> list[str]:
    """The page's text as pdfium extracts it, line by line."""
    return str(document[page_number].get_textpage().get_text_range()).split("\r\n")


def text_in(document: pypdfium2.PdfDocument, page_number: int, box: tuple[float, float, float, float]) -> str:
    """The text pdfium extracts from a box of the page (page points), its lines joined."""
    left, bottom, right, top = box
    text = document[page_number].get_textpage().get_text_bounded(left, bottom, right, top)
    return str(text).replace("\r\n", "")


def actual_texts(pdf: pikepdf.Pdf, page_number: int, blocks: set[int]) -> list[str]:
    """The ActualText of each marked-content span that starts in these BT … ET blocks."""
    texts, block = [], -1
    for operands, operator in _instructions(pdf.pages[page_number]):
        if str(operator) == "BT":
            block += 1
        elif str(operator) == "BDC" and block in blocks and "/ActualText" in operands[1]:
            texts.append(bytes(operands[1].ActualText)[2:].decode("utf-16-be"))
    return texts
