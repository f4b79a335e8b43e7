"""Lines that change from page to page only in their last few characters: the verification code
line (``Verification code: XXXX-XXXX-XXX``) and the verification address (``…/verify/XXXX-XXXX-XXX``).

Shaping and writing such a line anew on every page was about half of a page's drawing. Here the
line is cut before its code (the run of letters, digits and hyphens that ends it): the fixed part
(the prefix) is shaped once per process and written once per document, and each page shapes only
its code and writes only the code's glyphs after the prefix's, from the writer's state where the
prefix left it. The result is the same line, to the byte, as ``shape_line`` and
``show_line`` give for the whole text, because a line is spliced only when:

- the prefix is one left-to-right Latin run in one TrueType face, with no missing glyph, every
  glyph on the baseline and each cluster one glyph with ink: so it is written with one font, one
  text matrix and no ActualText, and the code (ASCII letters, digits and hyphens) stays in its run;
- the shaper shows nothing across the join: the prefix followed by the code's first character,
  shaped whole by ``shape_line``, gives exactly the prefix's glyphs and that character's as this
  module shapes them apart (checked once per prefix and first character, e.g. a kerning pair such as
  ``/A`` or a ligature fails it, and such codes are drawn the general way);
- the code's own glyphs are one a character, on the baseline, each with ink.

HarfBuzz's own flag for this (``UNSAFE_TO_CONCAT``) is set on nearly every glyph of Noto Serif,
whose kerning covers most letters, so the glyphs themselves are compared instead.
``tests/pdf/test_spliced.py`` compares the spliced and the general path's bytes for every code's
first two characters, random codes and prefixes that kern at the join.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import uharfbuzz as harfbuzz

from service.pdf import itemize
from service.pdf.drawing import Writer, clusters_and_texts, feed, feed_glyphs, inked, right_to_left
from service.pdf.faces import face_by_key
from service.pdf.fonts import DocumentFonts
from service.pdf.shaping import Glyph, ShapedLine, face_scale, shape_line

# A line's code: the characters that end it and stay in a Latin run at level 0 after any prefix
# that is one (ASCII letters, digits and hyphens).
_CODE_AT_END = re.compile(r"[0-9A-Za-z-]+\Z")


@dataclass(frozen=True)
class Prefix:
    """The fixed part of a line, shaped once."""

    line: ShapedLine
    face: str
    script: str  # HarfBuzz's script for the whole line (the code alone may have none: digits)


@dataclass(frozen=True)
class SplicedLine:
    """A whole line (``line``, as ``shape_line`` gives it) and where its code's glyphs begin."""

    line: ShapedLine
    prefix: Prefix
    code: tuple[Glyph, ...]


def splice(value: str, *, weight: int) -> SplicedLine | None:
    """``value`` shaped as its prefix and its code; None when it must be shaped whole."""
    code = _CODE_AT_END.search(value)
    if code is None or code.start() == 0:
        return None
    prefix = _prefix(value[: code.start()], weight)
    if prefix is None or not _joins(prefix.line.text, weight, value[code.start()]):
        return None
    glyphs = _code_glyphs(prefix, value)
    if glyphs is None:
        return None
    line = prefix.line.joined(value, glyphs)
    return SplicedLine(line, prefix, glyphs)


def show_spliced(
    spliced: SplicedLine, *, left: float, baseline: float, size: float, color: str, fonts: DocumentFonts
) -> str:
    """What ``show_line(spliced.line, …)`` gives: the prefix's state taken from the document's first
    line with it, the code's glyphs written after it."""
    key = (spliced.prefix.line.text, spliced.prefix.face)
    state = fonts.spliced.get(key)
    if state is None:
        state = fonts.spliced[key] = _prefix_state(spliced.prefix, fonts)
    font, first_x, items, face, x, y, pen = state
    writer = Writer(fonts, left=left, baseline=baseline, size=size)
    writer.out = [font, writer.matrix(first_x, y)]
    writer.items, writer.face, writer.x, writer.y = list(items), face, x, y
    feed_glyphs(writer, spliced.code, spliced.line.text, pen=pen)
    return writer.text(color)


PrefixState = tuple[str, float, tuple[str, ...], str, float, float, float]


def _prefix_state(prefix: Prefix, fonts: DocumentFonts) -> PrefixState:
    """The writer after the prefix (its codes given out in this document), as ``show_line`` leaves it."""
    found, texts = clusters_and_texts(prefix.line)
    writer = Writer(fonts, left=0.0, baseline=0.0, size=1000.0)  # positions are kept in em units
    pen = feed(writer, found, texts, pen=0.0, whole=False)
    font, _matrix = writer.out  # one font, one text matrix: _prefix saw to it
    first = prefix.line.glyphs[0]
    assert writer.y is not None
    return font, 0.0 + first.x_offset, tuple(writer.items), writer.face, writer.x, writer.y, pen


@functools.lru_cache(maxsize=64)
def _prefix(text: str, weight: int) -> Prefix | None:
    """The prefix shaped, if it can be spliced (see the module's conditions)."""
    if itemize.without_bidi_controls(text) != text or right_to_left(text):
        return None
    runs = itemize.runs(text)
    if len(runs) != 1 or runs[0].level != 0 or runs[0].script != "Latn":
        return None
    line = shape_line(text, weight=weight)
    faces = {glyph.face for glyph in line.glyphs}
    if line.missing or len(faces) != 1:
        return None
    [key] = faces
    if face_by_key(key).is_cff:
        return None
    found, _texts = clusters_and_texts(line)
    if any(len(cluster.glyphs) != 1 or len(cluster.drawn) != 1 for cluster in found):
        return None
    if any(glyph.y_offset != 0 or glyph.glyph == 0 for glyph in line.glyphs):
        return None
    buffer = harfbuzz.Buffer()
    buffer.add_str(text)
    buffer.guess_segment_properties()
    return Prefix(line, key, buffer.script)


@functools.lru_cache(maxsize=1024)
def _joins(text: str, weight: int, first: str) -> bool:
    """Whether the shaper shows nothing across the join before ``first``: the whole text shaped
    by ``shape_line`` is the prefix's glyphs and the character's, shaped apart."""
    prefix = _prefix(text, weight)
    assert prefix is not None
    apart = _code_glyphs(prefix, text + first)
    return apart is not None and shape_line(text + first, weight=weight).glyphs == prefix.line.glyphs + apart


def _code_glyphs(prefix: Prefix, text: str) -> tuple[Glyph, ...] | None:
    """The glyphs of ``text`` after the prefix, shaped as ``shaping._shape`` shapes a run (the line
    before them as context), if each character is one glyph with ink, on the baseline."""
    start, key = len(prefix.line.text), prefix.face
    buffer = harfbuzz.Buffer()
    buffer.add_codepoints([ord(character) for character in text], start, len(text) - start)
    buffer.script = prefix.script
    buffer.direction = "ltr"
    buffer.language = "und"
    buffer.flags = harfbuzz.BufferFlags.REMOVE_DEFAULT_IGNORABLES
    harfbuzz.shape(face_by_key(key).hb_font, buffer, {})
    scale = face_scale(key)
    glyphs = []
    expected = start
    for info, position in zip(buffer.glyph_infos, buffer.glyph_positions, strict=True):
        glyph, cluster = info.codepoint, info.cluster
        if cluster != expected or glyph == 0 or position.y_offset != 0 or not inked(key, glyph):
            return None
        expected += 1
        glyphs.append(
            Glyph(
                key, glyph, position.x_advance * scale, position.x_offset * scale, 0.0, cluster, cluster + 1
            )
        )
    return tuple(glyphs) if expected == len(text) else None
