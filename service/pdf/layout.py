"""Where a recipient's name goes: one line at 40 pt when it fits; otherwise whichever is larger of
one line shrunk to fit or two balanced lines broken at a line-break opportunity (UAX #14, ICU's
line break iterator, with its Thai dictionary), down to a floor size. Sizes and baselines come
from the glyphs' real ink, so a name never leaves its box (between "This certifies that" and the
gold rule under it, inside the frame) whatever its script's marks do.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import icu

from service.pdf.shaping import ShapedLine, shape_line

BOLD = 700
NAME_SIZE = 40.0
# The floor: a 200-character Latin name fits two lines at it. The page's other text is never drawn
# larger than the name (see render.py), so the name stays its largest text.
NAME_FLOOR = 11.0
NAME_BOX = (90.0, 354.5, 702.0, 414.5)  # left, bottom, right, top: above the rule, under the line before
NAME_BASELINE = 366.0
LEADING = 1.2  # between the baselines of two lines, in em
# Two lines fill their box: kept this far under its top, so the block does not crowd the words above.
TWO_LINES_CLEARANCE = 6.0
SOFT_HYPHEN = "\u00ad"


@dataclass(frozen=True)
class NameLine:
    shaped: ShapedLine
    baseline: float
    trailing: str  # characters where the line breaks that are not drawn (a space)


@dataclass(frozen=True)
class NameLayout:
    size: float
    lines: tuple[NameLine, ...]


def _width_fit(lines: list[ShapedLine]) -> float:
    left, _bottom, right, _top = NAME_BOX
    spans = [line.span for line in lines]
    return min((right - left) * 1000 / span if span else float("inf") for span in spans)


def _one_line(line: ShapedLine) -> tuple[float, NameLayout]:
    _left, bottom, _right, top = NAME_BOX
    ink_bottom, ink_top = line.ink_bottom / 1000, line.ink_top / 1000
    size = min(NAME_SIZE, _width_fit([line]), (top - bottom) / max(ink_top - ink_bottom, 1e-6))
    size = _floor_half_point(size)
    # The usual baseline, moved only as far as the ink needs to stay in the box.
    baseline = min(max(NAME_BASELINE, bottom - ink_bottom * size), top - ink_top * size)
    return size, NameLayout(size, (NameLine(line, round(baseline, 2), ""),))


def _two_lines(first: ShapedLine, second: ShapedLine, trailing: str) -> tuple[float, NameLayout]:
    _left, bottom, _right, top = NAME_BOX
    top -= TWO_LINES_CLEARANCE
    descent = max(-second.ink_bottom / 1000, 0.22)
    leading = max(LEADING, (second.ink_top - first.ink_bottom) / 1000 + 0.05)
    ascent = max(first.ink_top / 1000, 0.7)
    height = descent + leading + ascent  # in em
    size = _floor_half_point(min(NAME_SIZE, _width_fit([first, second]), (top - bottom) / height))
    lower = bottom + descent * size + (top - bottom - height * size) / 2  # the block centred in the box
    upper = lower + leading * size
    return size, NameLayout(
        size, (NameLine(first, round(upper, 2), trailing), NameLine(second, round(lower, 2), ""))
    )


def _floor_half_point(size: float) -> float:
    return int(size * 2) / 2


@functools.lru_cache(maxsize=4096)
def layout_name(name: str, language: str = "") -> NameLayout:
    """The name's lines, size and baselines (its size may be under ``NAME_FLOOR``: see ``fits``)."""
    whole = shape_line(name, weight=BOLD, language=language)
    size, best = _one_line(whole)
    if size >= NAME_SIZE:
        return best
    split = _balanced_break(name, whole, language)
    if split is not None:
        first, second = name[:split], name[split:]
        kept = first.rstrip()
        two_size, two = _two_lines(
            shape_line(kept, weight=BOLD, language=language),
            shape_line(second, weight=BOLD, language=language),
            first[len(kept) :],
        )
        if two_size > size:
            return two
    return best


def fits(layout: NameLayout) -> bool:
    return layout.size >= NAME_FLOOR


def _balanced_break(name: str, whole: ShapedLine, language: str) -> int | None:
    """The line-break opportunity that makes the longer of the two lines shortest (by the whole
    line's cluster widths; the halves are shaped again once chosen)."""
    width_before = _logical_widths(whole, len(name))
    best, best_width = None, float("inf")
    # Not after a soft hyphen: it is never drawn, so no line ends with it. After a space when the
    # name has one: a line ending in a hyphen reads (and is extracted) as a word hyphenated there.
    opportunities = [
        position for position in _break_opportunities(name, language) if name[position - 1] != SOFT_HYPHEN
    ]
    at_spaces = [position for position in opportunities if name[position - 1].isspace()]
    for position in at_spaces or opportunities:
        trailing = len(name[:position]) - len(name[:position].rstrip())
        first = width_before[position - trailing]
        second = width_before[len(name)] - width_before[position]
        if max(first, second) < best_width:
            best, best_width = position, max(first, second)
    return best


def _logical_widths(line: ShapedLine, length: int) -> list[float]:
    """``widths[i]``: the advance of the clusters that start before character ``i``."""
    per_character = [0.0] * (length + 1)
    for glyph in line.glyphs:
        per_character[glyph.start] += glyph.advance
    widths = [0.0]
    for index in range(length):
        widths.append(widths[-1] + per_character[index])
    return widths


def _break_opportunities(text: str, language: str) -> list[int]:
    """UAX #14 opportunities inside ``text`` (Python indices; ICU counts UTF-16 units)."""
    iterator = icu.BreakIterator.createLineInstance(icu.Locale(language or "und"))
    iterator.setText(icu.UnicodeString(text))
    python_index, utf16 = {}, 0
    for index, character in enumerate(text):
        python_index[utf16] = index
        utf16 += 2 if ord(character) > 0xFFFF else 1
    return [python_index[offset] for offset in iterator if 0 < offset < utf16 and offset in python_index]
