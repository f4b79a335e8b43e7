"""Every name of the roster (tests/pdf/roster.py) printed faithfully: its text extracts as the NFC
name, every glyph drawn has an outline and its ink lands in the box its shaped position gives it,
marks sit over their base, the name stays in its box and the frame and is the page's largest text,
the QR code decodes, qpdf finds the file sound, and the same roster gives the same bytes.

The roster is drawn in a few documents of many pages (as a combined file's parts are) and each
page rendered once at 144 dpi, so the whole check takes seconds."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy
import pikepdf
import pypdfium2
import pytest
import zxingcpp

from service.pdf import printable_name_problem
from service.pdf.drawing import right_to_left
from service.pdf.faces import face_by_key
from service.pdf.layout import NAME_BOX, layout_name
from service.pdf.render import CertificateText, clean, render_certificates
from tests.pdf import reading
from tests.pdf.roster import FAMILIES, ROSTER

DOCUMENTS = 4
FRAME_INSIDE = (39.2, 39.2, 792 - 39.2, 612 - 39.2)
INK_LEVEL = 110  # darker than the gold rule (about 142 grey) and the grey small print's edges
TOLERANCE = 2  # pixels (1 pt): anti-aliasing spills a pixel around a glyph's outline


def _text(number: int, name: str, language: str) -> CertificateText:
    code = f"7KQ4-{number:04d}-2HT"
    return CertificateText(
        partner_name="Riverside State University",
        recipient_name=name,
        certificate_type="Certificate in Effective College Instruction",
        program="Effective Teaching Practices",
        cohort="Cohort A",
        awarded_on=date(2026, 8, 20),
        code=code,
        verification_url=f"https://recognition.example.org/verify/{code}",
        language=language,
    )


@dataclass
class Printed:
    family: str
    name: str
    language: str
    text: CertificateText
    pdf: pikepdf.Pdf
    document: pypdfium2.PdfDocument
    page: int
    data: bytes


@pytest.fixture(scope="module")
def printed() -> list[Printed]:
    texts = [_text(number, name, language) for number, (_family, name, language) in enumerate(ROSTER)]
    per_document = -(-len(texts) // DOCUMENTS)
    result = []
    for start in range(0, len(texts), per_document):
        data = render_certificates(texts[start : start + per_document])
        pdf, document = pikepdf.open(__import__("io").BytesIO(data)), pypdfium2.PdfDocument(data)
        for page, number in enumerate(range(start, min(start + per_document, len(texts)))):
            family, name, language = ROSTER[number]
            result.append(Printed(family, name, language, texts[number], pdf, document, page, data))
    return result


def test_the_roster_has_200_names_in_15_script_families() -> None:
    assert len(ROSTER) >= 200
    assert len(FAMILIES) >= 15
    long_names = [len(unicodedata.normalize("NFC", name)) for _family, name, _ in ROSTER if len(name) >= 80]
    assert min(long_names) >= 80 and max(long_names) == 200


def test_no_roster_name_is_refused() -> None:
    refused = {name: printable_name_problem(name, language=language) for _family, name, language in ROSTER}

    assert {name: problem for name, problem in refused.items() if problem} == {}


def _name_lines(glyphs: list[reading.DrawnGlyph]) -> list[list[reading.DrawnGlyph]]:
    """The name's glyphs, line by line."""
    lines: dict[int, list[reading.DrawnGlyph]] = {}
    blocks = _name_blocks(glyphs)
    for glyph in glyphs:
        if glyph.line in blocks:
            lines.setdefault(glyph.line, []).append(glyph)
    return [lines[line] for line in sorted(lines)]


def _name_blocks(glyphs: list[reading.DrawnGlyph]) -> set[int]:
    # The name's lines are the text blocks after "This certifies that" (block 2) and before
    # "has completed the program".
    blocks = sorted({glyph.line for glyph in glyphs})
    completed = next(block for block in blocks if _block_text(glyphs, block) == "has completed the program")
    return {block for block in blocks if 2 < block < completed}


def _name_blocks_of(item: Printed) -> set[int]:
    return _name_blocks(reading.drawn_glyphs(item.pdf, item.page))


def _block_text(glyphs: list[reading.DrawnGlyph], block: int) -> str:
    return "".join(glyph.text for glyph in glyphs if glyph.line == block)


def test_every_name_extracts_as_its_nfc_text(printed: list[Printed]) -> None:
    wrong = {}
    for item in printed:
        if right_to_left(clean(item.name)):
            # pdfium and pypdf rebuild a right-to-left line's order from glyphs drawn left to right
            # by heuristics of their own (pdfium reverses each character, even a ligature's); the
            # line's ActualText is what a reader that honours it gives back.
            extracted = "".join(reading.actual_texts(item.pdf, item.page, _name_blocks_of(item)))
        else:
            extracted = reading.text_in(item.document, item.page, NAME_BOX)
        if extracted != clean(item.name):
            wrong[item.name] = extracted

    assert wrong == {}


def test_every_glyph_drawn_has_an_outline_and_no_glyph_is_notdef(printed: list[Printed]) -> None:
    wrong = []
    for item in printed:
        for glyph in reading.drawn_glyphs(item.pdf, item.page):
            if glyph.glyph == 0 or (glyph.box is None and not glyph.text.isspace()):
                wrong.append((item.name, glyph.text, glyph.glyph))

    assert wrong == []


def test_each_glyphs_ink_lies_in_its_shaped_box_and_the_name_in_its_box_and_frame(
    printed: list[Printed],
) -> None:
    outside: dict[str, int] = {}
    empty: dict[str, list[str]] = {}
    for item in printed:
        glyphs = reading.drawn_glyphs(item.pdf, item.page)
        name_glyphs = [glyph for line in _name_lines(glyphs) for glyph in line]
        page = reading.ink(item.document, item.page) < INK_LEVEL
        # The band from under "This certifies that" to over "has completed the program".
        band = reading.pixel_box((FRAME_INSIDE[0], 334, FRAME_INSIDE[2], 414.5))
        allowed = numpy.zeros_like(page)
        inside_name_box = numpy.zeros_like(page)
        top, bottom, left, right = reading.pixel_box(NAME_BOX)
        inside_name_box[top - TOLERANCE : bottom + TOLERANCE, left - TOLERANCE : right + TOLERANCE] = True
        for glyph in name_glyphs:
            if glyph.box is None:
                continue
            top, bottom, left, right = reading.pixel_box(glyph.box)
            allowed[top - TOLERANCE : bottom + TOLERANCE, left - TOLERANCE : right + TOLERANCE] = True
            if not page[top:bottom, left:right].any():
                empty.setdefault(item.name, []).append(glyph.text)
        region = (slice(band[0], band[1]), slice(band[2], band[3]))
        stray = page[region] & ~(allowed[region] & inside_name_box[region])
        if stray.any():
            outside[item.name] = int(stray.sum())

    assert (outside, empty) == ({}, {})


def test_marks_sit_over_their_base(printed: list[Printed]) -> None:
    misplaced = []
    checked = 0
    for item in printed:
        layout = layout_name(clean(item.name), item.language)
        for line in layout.lines:
            pen = 0.0
            clusters: dict[int, list[tuple[float, float, float]]] = {}
            for glyph in line.shaped.glyphs:
                box = face_by_key(glyph.face).ink(glyph.glyph)
                if box is not None:
                    x = pen + glyph.x_offset
                    clusters.setdefault(glyph.start, []).append((glyph.advance, x + box[0], x + box[2]))
                pen += glyph.advance
            for parts in clusters.values():
                bases = [(x0, x1) for advance, x0, x1 in parts if advance > 0]
                marks = [(x0, x1) for advance, x0, x1 in parts if advance == 0]
                if not bases or not marks:
                    continue
                left, right = min(x0 for x0, _ in bases), max(x1 for _, x1 in bases)
                for x0, x1 in marks:
                    checked += 1
                    if not (x0 < right and x1 > left):  # the mark overlaps its base, not a neighbour
                        misplaced.append((item.name, round(x0), round(x1), round(left), round(right)))

    assert misplaced == []
    assert checked > 100  # the roster has marks to check: Yoruba, Navajo, Arabic, Thai, Devanagari …


def test_the_pdf_draws_each_glyph_where_the_shaper_put_it(printed: list[Printed]) -> None:
    differences = []
    for item in printed:
        layout = layout_name(clean(item.name), item.language)
        lines = _name_lines(reading.drawn_glyphs(item.pdf, item.page))
        assert len(lines) == len(layout.lines), item.name
        for drawn, line in zip(lines, layout.lines, strict=True):
            left = line.shaped.left_for_centre(396, layout.size)
            pen, expected = 0.0, []
            for glyph in line.shaped.glyphs:
                box = face_by_key(glyph.face).ink(glyph.glyph)
                if box is not None or line.shaped.text[glyph.start : glyph.end].isspace():
                    x = left + (pen + glyph.x_offset) * layout.size / 1000
                    expected.append((glyph.glyph, x, line.baseline + glyph.y_offset * layout.size / 1000))
                pen += glyph.advance
            found = [(glyph.glyph, glyph.x, glyph.y) for glyph in drawn]
            # Positions are written to 1/100 of a 1/1000 em and origins to 1/1000 pt.
            if [glyph for glyph, _, _ in found] != [glyph for glyph, _, _ in expected] or any(
                abs(x - x_expected) > 0.01 or abs(y - y_expected) > 0.01
                for (_, x, y), (_, x_expected, y_expected) in zip(found, expected, strict=True)
            ):
                differences.append(item.name)

    assert differences == []


def _first_difference(
    found: list[tuple[int, float, float]], expected: list[tuple[int, float, float]]
) -> tuple[object, ...]:
    for number, (one, other) in enumerate(zip(found, expected, strict=False)):
        if one[0] != other[0] or abs(one[1] - other[1]) > 0.01 or abs(one[2] - other[2]) > 0.01:
            return (number, one, other)
    return (len(found), len(expected))


def test_the_name_is_the_largest_text_and_the_small_print_is_inside_the_frame(printed: list[Printed]) -> None:
    wrong = []
    for item in printed:
        glyphs = reading.drawn_glyphs(item.pdf, item.page)
        name_blocks = _name_blocks(glyphs)
        name_size = {glyph.size for glyph in glyphs if glyph.line in name_blocks}
        other_sizes = {glyph.size for glyph in glyphs if glyph.line not in name_blocks}
        [size] = name_size
        boxes = [glyph.box for glyph in glyphs if glyph.box is not None]
        inside = all(
            FRAME_INSIDE[0] + 4 <= x0 and x1 <= FRAME_INSIDE[2] - 4 and y0 >= FRAME_INSIDE[1]
            for x0, y0, x1, _ in boxes
        )
        if max(other_sizes) > size or not inside:
            wrong.append((item.name, size, max(other_sizes), inside))

    assert wrong == []


def test_every_qr_code_opens_its_verification_page(printed: list[Printed]) -> None:
    found = {}
    for item in printed:
        image = item.document[item.page].render(scale=2).to_pil()
        found[item.text.verification_url] = [barcode.text for barcode in zxingcpp.read_barcodes(image)]

    assert found == {item.text.verification_url: [item.text.verification_url] for item in printed}


def test_the_same_roster_gives_the_same_bytes(printed: list[Printed]) -> None:
    first_document = [item for item in printed if item.data is printed[0].data]

    again = render_certificates([item.text for item in first_document])

    assert again == printed[0].data


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf is not installed (.ci/run installs it)")
def test_qpdf_finds_every_roster_document_sound(printed: list[Printed], tmp_path: Path) -> None:
    documents = list({id(item.data): item.data for item in printed}.values())
    results = []
    for number, data in enumerate(documents):
        path = tmp_path / f"roster-{number}.pdf"
        path.write_bytes(data)
        completed = subprocess.run(
            ["qpdf", "--check", str(path)], capture_output=True, text=True, timeout=60, check=False
        )
        results.append(
            (completed.returncode, "No syntax or stream encoding errors found" in completed.stdout)
        )

    assert results == [(0, True)] * DOCUMENTS
