"""Whether a name can be printed faithfully, asked before anything is stored.

Asked for every selected name when a combined file is requested (thousands at once), so most
names skip shaping: a name whose characters all sit in the Latin face (Noto Serif Bold) as plain
letters, digits, spaces or punctuation, and whose characters' widths add up to well under what
fits on one line at the floor size, is printable (see ``_surely_printable``); any other name is
shaped and laid out as it would be drawn. Both give the same verdict
(``tests/pdf/test_printable.py`` compares them name by name).
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Sequence

from service.pdf.faces import BOLD, face
from service.pdf.itemize import BIDI_CONTROLS, script_of
from service.pdf.layout import NAME_BOX, NAME_FLOOR, fits, layout_name
from service.pdf.render import clean
from service.pdf.shaping import ignorable

# Control characters, surrogates, private use and unassigned code points: nothing to print.
UNPRINTABLE_CATEGORIES = {"Cc", "Cs", "Co", "Cn"}
# What the quick verdict accepts: letters, digits, spaces and punctuation of the Latin script or of
# none (no combining marks, symbols or default-ignorables), left to right or neutral.
PLAIN_CATEGORIES = {"Lu", "Ll", "Lt", "Lm", "Lo", "Nd", "Zs", "Pd", "Po", "Pi", "Pf", "Ps", "Pe", "Pc"}
PLAIN_SCRIPTS = {"Latn", "Zyyy"}
PLAIN_BIDI_CLASSES = {"L", "EN", "ES", "ET", "CS", "ON", "WS"}
# What the quick verdict keeps in hand: for kerning, more than any pair of the face moves apart
# (126/1000 em at most: tests/pdf/test_printable.py reads them all), for each character; and for
# ligatures and language forms, a fifth of the whole.
KERNING_IN_HAND = 150.0
WIDTH_MARGIN = 1.2


def printable_name_problem(name: str, *, language: str = "") -> str | None:
    """Why ``name`` cannot be printed on a certificate as it is, in a sentence; None when it can.

    Pure and quick (shaping only, no PDF): blank names, bidi controls (a name may not change its
    own reading order), characters no bundled font has (named), and names too long for two lines
    at the floor size are refused. ``language`` is the name's BCP 47 language, as printed.
    """
    if not name.strip():
        return "The name is blank."
    if controls := sorted({character for character in name if character in BIDI_CONTROLS}):
        return f"The name contains bidi control characters, which could reorder it: {_list(controls)}."
    printed = clean(name)
    if _surely_printable(printed):
        return None
    return _shaped_problem(printed, language)


def _shaped_problem(printed: str, language: str) -> str | None:
    """The verdict on a cleaned name from its layout, as it would be drawn."""
    unprintable = sorted(
        {character for character in printed if unicodedata.category(character) in UNPRINTABLE_CATEGORIES}
    )
    layout = layout_name(printed, language)
    missing = sorted(
        set(unprintable) | {character for line in layout.lines for character in line.shaped.missing}
    )
    if missing:
        return f"No font can print these characters: {_list(missing)}."
    if not fits(layout):
        return f"The name is too long to print: it does not fit on two lines at {NAME_FLOOR:g} pt."
    return None


def _surely_printable(printed: str) -> bool:
    """Whether the name prints without shaping it: every character is in the Latin face's table
    of plain characters, so the name is one left-to-right run in that face with no missing glyph
    (whatever its language), and their widths (advance and ink, 1/1000 em), with kerning and a
    margin in hand, fit one line at the floor size: the layout is then at least that large."""
    widths, widest = _plain_widths()
    total = 0.0
    for character in printed:
        width = widths.get(character)
        if width is None:
            return False
        total += width + KERNING_IN_HAND
    return total * WIDTH_MARGIN <= widest


@functools.cache
def _plain_widths() -> tuple[dict[str, float], float]:
    """The Latin face's plain characters with their widths, and the widest sum that fits one line
    at the floor size. (A line of any of the face's glyphs is far shorter in ink, from its deepest
    to its tallest, than the name's box at the floor size, so only the width can keep a plain name
    from fitting.)"""
    latin = face("serif", BOLD)
    left, bottom, right, top = NAME_BOX
    boxes = [box for box in map(latin.ink, range(latin.hb_font.face.glyph_count)) if box]
    widths: dict[str, float] = {}
    if ink_height(boxes) * WIDTH_MARGIN * NAME_FLOOR > (top - bottom) * 1000:
        return widths, 0.0  # a face this tall: every name is shaped
    for code_point in latin.characters:
        character = chr(code_point)
        if (
            unicodedata.category(character) in PLAIN_CATEGORIES
            and script_of(character) in PLAIN_SCRIPTS
            and unicodedata.bidirectional(character) in PLAIN_BIDI_CLASSES
            and not ignorable(character)
        ):
            glyph = latin.hb_font.get_nominal_glyph(code_point)
            ink = latin.ink(glyph) or (0.0, 0.0, 0.0, 0.0)
            widths[character] = max(latin.advance(glyph), ink[2]) - min(0.0, ink[0])
    return widths, (right - left) * 1000 / NAME_FLOOR


def ink_height(boxes: Sequence[tuple[float, float, float, float]]) -> float:
    """How tall a line's ink can be with glyphs of these ink boxes (left, bottom, right, top) on one
    baseline: from the lowest bottom to the highest top (not the tallest glyph's own height: a line
    holds its tallest and its deepest glyph at once)."""
    return max(box[3] for box in boxes) - min(box[1] for box in boxes)


KIND_OF_CATEGORY = {"Cc": "a control character", "Cs": "a surrogate", "Co": "private use", "Cn": "unassigned"}


def _list(characters: list[str]) -> str:
    return ", ".join(
        f"U+{ord(character):04X} "
        + unicodedata.name(character, f"({KIND_OF_CATEGORY.get(unicodedata.category(character), 'unnamed')})")
        for character in characters
    )
