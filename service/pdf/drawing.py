"""A shaped line as PDF text operators: every glyph at the position HarfBuzz gave it, so every
viewer draws the same thing, and text extraction still gives back the line's text.

Glyphs are written left to right (visual order) in a 1 pt font scaled by the text matrix; each
glyph's origin is reached with a ``TJ`` adjustment (kerning, mark offsets), and a glyph off the
baseline gets a text matrix of its own. Glyphs without ink are not drawn (a ZWNJ's), except a
space's, so that readers find spaces where they are; the characters of a cluster drawn with nothing
are carried by the cluster before them (in reading order). A cluster of one glyph says its text
through its code's ToUnicode entry (a ligature's entry is all its letters); a cluster of several
glyphs (an Indic syllable, a letter with a mark that has no precomposed form, a letter drawn as a
dotless shape and its dots) gives its text to its first glyph's code (others have empty entries),
and its line is wrapped in ``/Span <</ActualText …>> BDC … EMC`` with the line's text, as is a
line with right-to-left text.
"""

from __future__ import annotations

import bisect
import functools
import unicodedata
from collections.abc import Sequence
from typing import NamedTuple

from service.pdf.faces import face_by_key
from service.pdf.fonts import DocumentFonts
from service.pdf.shaping import Glyph, ShapedLine


class Cluster(NamedTuple):
    """Consecutive glyphs (visual order) standing for one stretch of characters. (A named tuple: a
    line makes one per glyph or so, and a frozen dataclass costs three times as much to make.)"""

    start: int
    glyphs: tuple[Glyph, ...]
    drawn: tuple[Glyph, ...]


def clusters(line: ShapedLine) -> list[Cluster]:
    """The line's clusters, left to right."""
    result: list[Cluster] = []
    glyphs, text, count = line.glyphs, line.text, len(line.glyphs)
    first = 0
    while first < count:
        start, face = glyphs[first].start, glyphs[first].face
        end = first + 1
        while end < count and glyphs[end].start == start and glyphs[end].face == face:
            end += 1
        result.append(_cluster(glyphs[first:end], text))
        first = end
    return result


@functools.lru_cache(maxsize=4096)
def clusters_and_texts(line: ShapedLine) -> tuple[list[Cluster], dict[int, str]]:
    """A line's clusters and their texts, once per line: lines repeat from document to document
    (``shape_line`` keeps them), and only their codes are the document's own. Callers copy."""
    found = clusters(line)
    return found, cluster_texts(line, found)


def _cluster(glyphs: tuple[Glyph, ...], text: str) -> Cluster:
    """A cluster's glyphs with ink are drawn, and so is a space's glyph (so that every reader finds
    the space where it is); a cluster of nothing else (a ZWNJ's glyph) is not."""
    drawn: tuple[Glyph, ...]
    if len(glyphs) == 1:  # most clusters: no generator for them
        glyph = glyphs[0]
        drawn = glyphs if glyph.glyph == 0 or inked(glyph.face, glyph.glyph) else ()
    else:
        drawn = tuple(glyph for glyph in glyphs if glyph.glyph == 0 or inked(glyph.face, glyph.glyph))
    if not drawn and text[glyphs[0].start : glyphs[0].end].isspace():
        drawn = glyphs[:1]
    return Cluster(glyphs[0].start, glyphs, drawn)


@functools.cache
def inked(face: str, glyph: int) -> bool:
    """Whether the glyph has an outline (asked for every glyph of every line a page shapes anew)."""
    return face_by_key(face).ink(glyph) is not None


def cluster_texts(line: ShapedLine, found: list[Cluster]) -> dict[int, str]:
    """The text each drawn cluster carries (keyed by its start): its own characters, and those of
    the undrawn clusters after it in reading order (a space, a ZWNJ); the leading ones go to the
    first drawn cluster."""
    ends = {cluster.start: cluster.glyphs[0].end for cluster in found}
    drawn_starts = sorted(cluster.start for cluster in found if cluster.drawn)
    texts: dict[int, str] = {start: "" for start in drawn_starts}
    if not drawn_starts:
        return texts
    for start in sorted(ends):
        before = bisect.bisect_right(drawn_starts, start)
        carrier = drawn_starts[before - 1] if before else drawn_starts[0]
        piece = line.text[start : ends[start]]
        texts[carrier] = piece + texts[carrier] if start < carrier else texts[carrier] + piece
    return texts


def mixed_directions(text: str) -> bool:
    """Whether ``text`` has both left-to-right and right-to-left letters."""
    classes = {unicodedata.bidirectional(character) for character in text}
    return "L" in classes and bool(classes & {"R", "AL"})


def right_to_left(text: str) -> bool:
    return any(unicodedata.bidirectional(character) in {"R", "AL"} for character in text)


def show_line(
    line: ShapedLine,
    *,
    left: float,
    baseline: float,
    size: float,
    color: str,
    fonts: DocumentFonts,
    trailing: str = "",
    repeated: bool = True,
) -> str:
    """The operators that draw ``line`` at ``size`` with its left end at ``left``. ``trailing`` is
    text the line stands for without drawing it (the space where a name breaks onto two lines).
    A line not ``repeated`` from document to document (a name) keeps no clusters: kept, they
    would only add to what the garbage collector's full passes walk (a cluster is a named tuple,
    which the collector never stops tracking)."""
    found, carried = (clusters_and_texts if repeated else clusters_and_texts.__wrapped__)(line)
    texts = dict(carried)
    if trailing and texts:
        last = max(texts)
        texts[last] += trailing
    writer = Writer(fonts, left=left, baseline=baseline, size=size)
    # One ActualText for the whole line when it has right-to-left text or a cluster of several
    # glyphs: readers rebuild the reading order of glyphs drawn left to right by heuristics of their
    # own (which do not agree with the bidi algorithm on mixed lines), and pdfium sorts a line's
    # pieces by position, so an ActualText per cluster (its pieces split by a mark's own text
    # matrix) was read twice or with a space inside.
    whole = right_to_left(line.text) or any(len(cluster.drawn) > 1 for cluster in found)
    if whole:
        writer.begin_span(line.text + trailing)
    feed(writer, found, texts, pen=0.0, whole=whole)
    if whole:
        writer.end_span()
    return writer.text(color)


def feed(
    writer: Writer, found: Sequence[Cluster], texts: dict[int, str], *, pen: float, whole: bool
) -> float:
    """Write ``found`` (clusters left to right, the first at ``pen``) with ``writer``; where the pen
    is after them. (``spliced`` writes a line in two such pieces.)"""
    fonts = writer.fonts
    for cluster in found:
        if not cluster.drawn:
            pen += sum(glyph.advance for glyph in cluster.glyphs)
            continue
        if len(cluster.glyphs) == 1:  # most clusters: their one glyph drawn, as below
            glyph = cluster.glyphs[0]
            codes = fonts.codes(glyph.face)
            text = texts[cluster.start]
            code, exact = codes.code(glyph.glyph, text)
            if not exact and not whole:
                writer.begin_span(text)
            writer.glyph(glyph.face, code, codes.width(code), pen + glyph.x_offset, glyph.y_offset)
            if not exact and not whole:
                writer.end_span()
            pen += glyph.advance
            continue
        text = texts[cluster.start]
        codes = fonts.codes(cluster.glyphs[0].face)
        placed = []
        for glyph in cluster.glyphs:
            if glyph in cluster.drawn:
                placed.append((pen + glyph.x_offset, glyph))
            pen += glyph.advance
        first_code, exact = codes.code(placed[0][1].glyph, text)
        spanned = (len(placed) > 1 or not exact) and not whole
        if spanned:
            writer.begin_span(text)
        for number, (x, glyph) in enumerate(placed):
            code = first_code if number == 0 else codes.code(glyph.glyph, "")[0]
            writer.glyph(glyph.face, code, codes.width(code), x, glyph.y_offset)
        if spanned:
            writer.end_span()
    return pen


def feed_glyphs(writer: Writer, glyphs: Sequence[Glyph], text: str, *, pen: float) -> None:
    """What ``feed`` does with clusters of one glyph each, drawn (with ink), in a TrueType face
    (whose codes always carry their own text): each glyph written with the character it stands
    for (``text[glyph.start]``). For ``spliced``'s codes, without making a cluster of each."""
    for glyph in glyphs:
        codes = writer.fonts.codes(glyph.face)
        code, _exact = codes.code(glyph.glyph, text[glyph.start])
        writer.glyph(glyph.face, code, codes.width(code), pen + glyph.x_offset, glyph.y_offset)
        pen += glyph.advance


class Writer:
    """Text operators for glyphs given at absolute positions (1/1000 em from the line's start).
    A glyph off the baseline (a mark moved up or down) starts a text matrix of its own: every
    viewer places a ``Tm`` alike, where pdfium's text rise differed from poppler's."""

    def __init__(self, fonts: DocumentFonts, *, left: float, baseline: float, size: float) -> None:
        self.fonts = fonts
        self.left, self.baseline, self.size = left, baseline, size
        self.out: list[str] = []
        self.items: list[str] = []
        self.face = ""
        self.y: float | None = None  # the current text matrix's offset from the baseline
        self.x = 0.0  # where the next glyph would go without an adjustment

    def glyph(self, face: str, code: int, width: int, x: float, y: float) -> None:
        if face != self.face:
            self._flush()
            self.out.append(f"/{self.fonts.resource_of[face]} 1 Tf")
            self.face = face
        if self.y is None or round(y, 2) != round(self.y, 2):
            self._flush()
            self.out.append(self.matrix(x, y))
            self.x, self.y = x, y
        items = self.items
        adjustment = round(self.x - x, 2)
        if adjustment:
            items.append(_n(adjustment))
            self.x -= adjustment
            items.append(f"<{code:04X}>")
        elif items and items[-1][0] == "<":
            items[-1] = f"{items[-1][:-1]}{code:04X}>"  # one string for a run of glyphs
        else:
            items.append(f"<{code:04X}>")
        self.x += width

    def matrix(self, x: float, y: float) -> str:
        """The text matrix that puts the next glyph's origin at (x, y) (1/1000 em from the line's start)."""
        scale, size = self.size / 1000, _n(self.size)
        return f"{size} 0 0 {size} {_n(self.left + x * scale)} {_n(self.baseline + y * scale)} Tm"

    def begin_span(self, text: str) -> None:
        self._flush()
        self.out.append(f"/Span <</ActualText <FEFF{text.encode('utf-16-be').hex().upper()}>>> BDC")

    def end_span(self) -> None:
        self._flush()
        self.out.append("EMC")

    def _flush(self) -> None:
        if self.items:
            self.out.append(f"[{' '.join(self.items)}] TJ")
            self.items = []

    def text(self, color: str) -> str:
        """The line's text object, in ``color`` (``r g b``)."""
        self._flush()
        body = "\n".join(self.out)
        return f"BT {color} rg\n{body}\nET"


def _n(number: float) -> str:
    """A number as PDF writes it: no exponent, no trailing zeros."""
    return f"{round(number, 3):f}".rstrip("0").rstrip(".") or "0"
