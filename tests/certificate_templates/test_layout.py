"""The layout adapts to every design: over a grid of templates × names, no element's box overlaps
another's (text lines by their glyphs' outlines, images, rules, the QR code), and every one stays
inside the frame's inner rule."""

from __future__ import annotations

import io
import itertools
from dataclasses import replace
from datetime import date

import pikepdf
import pytest

from service.pdf import Branding, CertificateText, Signatory, Wording, render_certificates
from service.pdf.branding import branded_rules
from service.pdf.render import FRAME_INSIDE, PAGE_HEIGHT, PAGE_WIDTH, QR, RULES
from tests.pdf.reading import DrawnGlyph, drawn_glyphs
from tests.support.images import jpeg, png

Box = tuple[float, float, float, float]
LOGO, SEAL = png(), jpeg()
WIDE_LOGO, TALL_LOGO = png(900, 60), png(60, 400)
INK = png(400, 120, (0, 0, 0), alpha=True)
LONG_SIGNATORY = Signatory(
    "Professor Dr. Maximiliana Alexandrina von Hohenzollern-Sigmaringen",
    "Vice-President for Academic Affairs and Dean of the Graduate School of Education",
    png(2000, 100, (0, 0, 0), alpha=True),
)
TEMPLATES = {
    "default": Branding(),
    "logos only": Branding(partner_logo=WIDE_LOGO, organisation_logo=TALL_LOGO),
    "one signatory, no logo": Branding(signatories=(Signatory("Sam Lee", "Dean", INK),)),
    "two signatories, partner logo": Branding(
        partner_logo=LOGO, signatories=(Signatory("Sam Lee", "Dean", INK), Signatory("Kim Park", "Director"))
    ),
    "three long signatories, two logos, second language": Branding(
        partner_logo=LOGO,
        organisation_logo=SEAL,
        signatories=(LONG_SIGNATORY, Signatory("Sam Lee", "Dean", png(100, 300, (0, 0, 0))), LONG_SIGNATORY),
        second_language=Wording(
            presented="Hiermit wird bestätigt, dass die genannte Person",
            completed="das Programm erfolgreich abgeschlossen hat",
            completed_provisional="das Programm absolviert",
            date_caption="Datum der Verleihung",
            signature_caption="Unterschrift",
            verify="Code scannen oder die Adresse besuchen",
        ),
        primary=(0x5A, 0x10, 0x20),
    ),
}
NAMES = [
    "Ana Lee",
    "Maximiliana Alexandrina Konstantinopoulou-Vanderbilt de la Cruz y Montenegro-Habsburg-Lothringen",
    "欧阳娜娜",
    "محمد بن عبد الله الهاشمي",
    "Nguyễn Thị Ánh Tuyết",
    "श्रीनिवास रामानुजन्",
]
INSIDE: Box = (FRAME_INSIDE, FRAME_INSIDE, PAGE_WIDTH - FRAME_INSIDE, PAGE_HEIGHT - FRAME_INSIDE)


def _text(name: str, number: int) -> CertificateText:
    return CertificateText(
        partner_name="The Riverside University of Applied Teaching and Learning Sciences, Graduate Campus",
        recipient_name=name,
        certificate_type="Certificate in Effective College Instruction",
        program="Effective Teaching Practices",
        cohort="Fall 2026",
        awarded_on=date(2026, 10, 1),
        code="7KQ4-M9XD-2HT",
        verification_url="https://recognition.example.org/verify/7KQ4-M9XD-2HT",
        provisional=number % 2 == 1,
    )


def _overlap(first: Box, second: Box) -> bool:
    return first[0] < second[2] and second[0] < first[2] and first[1] < second[3] and second[1] < first[3]


def _inside(box: Box, frame: Box) -> bool:
    return frame[0] <= box[0] and frame[1] <= box[1] and box[2] <= frame[2] and box[3] <= frame[3]


def _image_boxes(document: pikepdf.Pdf, page_number: int) -> list[tuple[str, Box]]:
    page = document.pages[page_number]
    images = {str(key) for key, xobject in page.Resources.XObject.items() if xobject.Subtype == "/Image"}
    boxes, matrix = [], None
    for instruction in pikepdf.parse_content_stream(page):
        operator = str(instruction.operator)
        if operator == "cm":
            matrix = [float(value) for value in instruction.operands]
        elif operator == "Do" and str(instruction.operands[0]) in images and matrix is not None:
            width, _, _, height, x, y = matrix
            boxes.append((f"image {instruction.operands[0]}", (x, y, x + width, y + height)))
    return boxes


def _elements(document: pikepdf.Pdf, page_number: int, branding: Branding) -> list[tuple[str, Box]]:
    lines: dict[int, list[Box]] = {}
    for glyph in drawn_glyphs(document, page_number):
        if glyph.box is not None:
            lines.setdefault(glyph.line, []).append(glyph.box)
    texts = [
        (
            f"line {line}",
            (
                min(b[0] for b in boxes),
                min(b[1] for b in boxes),
                max(b[2] for b in boxes),
                max(b[3] for b in boxes),
            ),
        )
        for line, boxes in lines.items()
    ]
    rules = [
        (f"rule at {y0}", (x0, y0 - width / 2, x1, y1 + width / 2))
        for x0, y0, x1, y1, _color, width in branded_rules(RULES, branding)
    ]
    qr = ("QR code", (QR["x"], QR["y"], QR["x"] + QR["size"], QR["y"] + QR["size"]))
    return [*texts, *_image_boxes(document, page_number), *rules, qr]


@pytest.mark.parametrize("template", list(TEMPLATES))
def test_no_element_overlaps_another_or_the_frame(template: str) -> None:
    # given a page per name in this design (every other one provisional)
    branding = TEMPLATES[template]
    pdf = render_certificates(
        [_text(name, number) for number, name in enumerate(NAMES)], [branding] * len(NAMES)
    )

    # when every element's box is read back from the file
    with pikepdf.open(io.BytesIO(pdf)) as document:
        pages = [_elements(document, number, branding) for number in range(len(NAMES))]

    # then no two overlap, and all are inside the frame
    clashes = [
        (NAMES[number], first[0], second[0])
        for number, elements in enumerate(pages)
        for first, second in itertools.combinations(elements, 2)
        if _overlap(first[1], second[1])
    ]
    outside = [
        (NAMES[number], name)
        for number, elements in enumerate(pages)
        for name, box in elements
        if not _inside(box, INSIDE)
    ]
    assert (clashes, outside) == ([], [])
    # every image of the design was drawn on every page
    assert {
        len(_image_count)
        for _image_count in [[e for e in page if e[0].startswith("image")] for page in pages]
    } == {len([*branding.logos(), *(s for s in branding.signatories if s.signature)])}


def test_the_second_language_is_a_line_of_its_own_under_the_first() -> None:
    # given a design with a second language for every words but the date's caption
    german = TEMPLATES["three long signatories, two logos, second language"].second_language
    assert german is not None
    branding = Branding(second_language=replace(german, date_caption=""))
    pdf = render_certificates([_text("Ana Lee", 0)], [branding])

    # when the page's lines are read back, each with its baseline and size
    with pikepdf.open(io.BytesIO(pdf)) as document:
        glyphs = drawn_glyphs(document, 0)
    lines: dict[int, list[DrawnGlyph]] = {}
    for glyph in glyphs:
        lines.setdefault(glyph.line, []).append(glyph)
    found = {"".join(g.text for g in line): (line[0].y, line[0].size) for line in lines.values()}

    # then each of the second language's words is a line under the first language's (smaller, and
    # shrunk to fit like any line); the address moved down under the second words beside the QR code;
    # a blank one is left out
    assert {
        text: found[text]
        for text in [*Wording().__dict__.values(), *german.__dict__.values()]
        if text in found
    } == {
        "This certifies that": (436.0, 13.0),
        "Hiermit wird bestätigt, dass die genannte Person": (422.0, 10.0),
        "has completed the program": (334.0, 14.0),
        "das Programm erfolgreich abgeschlossen hat": (320.0, 10.0),
        "Date awarded": (128.0, 10.0),
        "Authorized signature": (128.0, 10.0),
        "Unterschrift": (117.0, 8.0),
        "Scan the code or visit": (78.0, 7.0),
        "Code scannen oder die Adresse besuchen": (70.0, 6.5),  # shrunk to its narrow column
    }
    assert found["https://recognition.example.org/verify/7KQ4-M9XD-2HT"][0] == 61.0
    assert "Datum der Verleihung" not in found
