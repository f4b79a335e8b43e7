"""Whether a name can be printed faithfully, asked before anything is stored."""

from __future__ import annotations

import unicodedata

from service.pdf.itemize import BIDI_CONTROLS
from service.pdf.layout import NAME_FLOOR, fits, layout_name
from service.pdf.render import clean

# Control characters, surrogates, private use and unassigned code points: nothing to print.
UNPRINTABLE_CATEGORIES = {"Cc", "Cs", "Co", "Cn"}


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


KIND_OF_CATEGORY = {"Cc": "a control character", "Cs": "a surrogate", "Co": "private use", "Cn": "unassigned"}


def _list(characters: list[str]) -> str:
    return ", ".join(
        f"U+{ord(character):04X} "
        + unicodedata.name(character, f"({KIND_OF_CATEGORY.get(unicodedata.category(character), 'unnamed')})")
        for character in characters
    )
