"""Text shaped by HarfBuzz: glyph ids, advances and offsets from each font's GSUB and GPOS (Arabic
joining, Indic reordering, Thai and Latin marks, kerning), a run per bidi level and script, and a
font per cluster: a cluster its script's face lacks is shaped again with the next face that has it,
so ``Ana ★ Silva`` keeps its Latin in Noto Serif.

Default-ignorable characters (ZWJ, ZWNJ, the soft hyphen, variation selectors) reach the shaper,
which needs them to join or not, and are never drawn: HarfBuzz removes their glyphs. Results are
cached for the process: the fixed words and the names a document repeats are shaped once.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import NamedTuple

import icu
import uharfbuzz as harfbuzz

from service.pdf import itemize
from service.pdf.faces import face, face_by_key, families_for


class Glyph(NamedTuple):
    """One glyph of a shaped line, in 1/1000 em: where it goes, and which characters it stands for
    (its cluster: characters ``start``..``end`` of the line). A named tuple: every line a page shapes
    anew makes one per glyph, and a frozen dataclass took five times as long to make."""

    face: str
    glyph: int
    advance: float
    x_offset: float
    y_offset: float
    start: int
    end: int


Box = tuple[float, float, float, float]  # left, bottom, right, top


@dataclass(frozen=True)
class ShapedLine:
    """A line's glyphs left to right (visual order) and its width in 1/1000 em."""

    text: str
    glyphs: tuple[Glyph, ...]
    width: float
    missing: str  # characters no face has (their clusters hold .notdef glyphs), in text order
    # The line this one is ``joined`` onto (its first glyphs): the ink is taken on from its ink.
    head: ShapedLine | None = field(default=None, repr=False, compare=False)

    @functools.cached_property
    def ink(self) -> Box:
        """The box (left, bottom, right, top) of the line's ink, in 1/1000 em from its start on the
        baseline; all zero for a line without ink."""
        box, _pen = self._ink_and_pen
        return box or (0.0, 0.0, 0.0, 0.0)

    @functools.cached_property
    def _ink_and_pen(self) -> tuple[Box | None, float]:
        """The ink's box (None without ink) and where the pen is after the last glyph."""
        if self.head is None:
            return _ink_after(self.glyphs, None, 0.0)
        return _ink_after(self.glyphs[len(self.head.glyphs) :], *self.head._ink_and_pen)

    def joined(self, text: str, tail: tuple[Glyph, ...]) -> ShapedLine:
        """This line followed by ``tail``: glyphs shaped after it (without a missing glyph), whose
        clusters index ``text``, this line's text and theirs. The whole line as ``shape_line`` gives
        it when the shaper shows nothing across the join (``spliced`` checks that): the width is the
        same ``sum`` over all the glyphs, and the ink the same fold, taken on from this line's (so
        each of a document's lines that share a prefix goes over only its own glyphs)."""
        glyphs = self.glyphs + tail
        width = sum(glyph.advance for glyph in glyphs)
        return ShapedLine(text=text, glyphs=glyphs, width=width, missing=self.missing, head=self)

    @property
    def ink_bottom(self) -> float:
        return self.ink[1]

    @property
    def ink_top(self) -> float:
        return self.ink[3]

    @property
    def box_left(self) -> float:
        """Where the line's advances and ink begin (ink may start before the first advance)."""
        return min(0.0, self.ink[0])

    @property
    def span(self) -> float:
        """The width of the line's advances and ink together, in 1/1000 em."""
        return max(self.width, self.ink[2]) - self.box_left

    def left_for_centre(self, centre: float, size: float) -> float:
        """The line's start that puts its advances and ink centred on ``centre`` at ``size``."""
        return centre - self.span * size / 2000 - self.box_left * size / 1000


def _ink_after(glyphs: tuple[Glyph, ...], box: Box | None, pen: float) -> tuple[Box | None, float]:
    """``box`` (None: no ink yet) grown by the ink of ``glyphs`` drawn from ``pen`` on; and the pen
    after them. A fold, so one pass over a line's glyphs and one over its head then its tail give
    the same floats (each ``min`` and ``max`` keeps the first of equals either way)."""
    for glyph in glyphs:
        ink = face_by_key(glyph.face).ink(glyph.glyph)
        if ink is not None:
            x, y = pen + glyph.x_offset, glyph.y_offset
            left, bottom, right, top = x + ink[0], y + ink[1], x + ink[2], y + ink[3]
            if box is None:
                box = (left, bottom, right, top)
            else:
                box = (min(box[0], left), min(box[1], bottom), max(box[2], right), max(box[3], top))
        pen += glyph.advance
    return box, pen


# HarfBuzz's own form of the glyphs one shaping gives: (glyph, cluster, advance, x offset, y offset).
Raw = tuple[int, int, int, int, int]


@functools.lru_cache(maxsize=8192)
def shape_line(text: str, *, weight: int, language: str = "") -> ShapedLine:
    """``text`` (one line, NFC) shaped for drawing at ``weight``; ``language`` (BCP 47) picks
    language forms, e.g. the regional forms of Han characters."""
    text = itemize.without_bidi_controls(text)
    languages = (language or "und", han_language(text, language))
    codepoints = [ord(character) for character in text]
    pieces: list[tuple[str, list[Raw]]] = []
    missing: set[int] = set()
    for run in itemize.visual_order(itemize.runs(text)):
        families = families_for(run.script)
        shaped = _with_fallback(codepoints, run, families, weight, languages, missing)
        pieces.extend(shaped)
    glyphs = _glyphs(pieces, len(text))
    return ShapedLine(
        text=text,
        glyphs=tuple(glyphs),
        width=sum(glyph.advance for glyph in glyphs),
        missing="".join(text[index] for index in sorted(missing)),
    )


def _with_fallback(
    codepoints: list[int],
    run: itemize.Run,
    families: tuple[str, ...],
    weight: int,
    languages: tuple[str, str],
    missing: set[int],
) -> list[tuple[str, list[Raw]]]:
    """The run shaped with its first family; each stretch of clusters that family has no glyph
    for is shaped again with the next family, and so on. Pieces come out in visual order."""
    family, *others = families
    language = languages[1] if family == "cjk" else languages[0]
    raw = _shape(codepoints, run.start, run.end, family, weight, language, run.rtl)
    key = face(family, weight).key
    lacking = {cluster for glyph, cluster, *_ in raw if glyph == 0}
    pieces: list[tuple[str, list[Raw]]] = []
    index = 0
    while index < len(raw):
        bad = raw[index][1] in lacking
        end = index
        while end < len(raw) and (raw[end][1] in lacking) == bad:
            end += 1
        if not bad:
            pieces.append((key, raw[index:end]))
        else:
            clusters = sorted({glyph[1] for glyph in raw[index:end]})
            start, stop = clusters[0], _cluster_end(raw, clusters[-1], run.end)
            if others:
                sub_run = itemize.Run(start, stop, run.level, run.script)
                pieces.extend(_with_fallback(codepoints, sub_run, tuple(others), weight, languages, missing))
            else:
                missing.update(
                    position for position in range(start, stop) if not ignorable(chr(codepoints[position]))
                )
                pieces.append((key, raw[index:end]))
        index = end
    return pieces


def han_language(text: str, language: str) -> str:
    """The language whose regional forms Han characters take: the given one when it is Chinese,
    Japanese or Korean; else Japanese with kana, Korean with Hangul; else Simplified Chinese."""
    primary = language.split("-")[0].lower()
    if primary in {"ja", "ko", "zh"}:
        return language
    scripts = {itemize.script_of(character) for character in text}
    if scripts & {"Hira", "Kana"}:
        return "ja"
    if "Hang" in scripts:
        return "ko"
    return "zh-Hans"


def _cluster_end(raw: list[Raw], cluster: int, run_end: int) -> int:
    """Where the cluster starting at ``cluster`` ends: the next cluster's start, or the run's end."""
    following = [glyph[1] for glyph in raw if glyph[1] > cluster]
    return min(following, default=run_end)


def ignorable(character: str) -> bool:
    """A default-ignorable code point (ZWJ, ZWNJ, soft hyphen, variation selectors …): never drawn."""
    return bool(icu.Char.hasBinaryProperty(ord(character), icu.UProperty.DEFAULT_IGNORABLE_CODE_POINT))


def _shape(
    codepoints: list[int], start: int, end: int, family: str, weight: int, language: str, rtl: bool
) -> list[Raw]:
    """HarfBuzz's glyphs for characters ``start``..``end``, the rest of the line as context."""
    font = face(family, weight).hb_font
    buffer = harfbuzz.Buffer()
    buffer.add_codepoints(codepoints, start, end - start)
    buffer.guess_segment_properties()
    buffer.direction = "rtl" if rtl else "ltr"
    buffer.language = language
    buffer.flags = harfbuzz.BufferFlags.REMOVE_DEFAULT_IGNORABLES
    harfbuzz.shape(font, buffer, {})
    return [
        (info.codepoint, info.cluster, position.x_advance, position.x_offset, position.y_offset)
        for info, position in zip(buffer.glyph_infos, buffer.glyph_positions, strict=True)
    ]


def _glyphs(pieces: list[tuple[str, list[Raw]]], length: int) -> list[Glyph]:
    """Glyphs in 1/1000 em with their clusters' extents: a cluster runs to the next cluster's start
    (characters whose glyphs HarfBuzz removed belong to the cluster before them)."""
    clusters = sorted({glyph[1] for _key, raw in pieces for glyph in raw})
    starts = [0, *clusters[1:]] if clusters else []
    end_of = dict(zip(starts, [*starts[1:], length], strict=True))
    # A cluster's start is the cluster itself, but for the first, which starts the line at 0.
    first = clusters[0] if clusters else 0
    result = []
    for key, raw in pieces:
        scale = face_scale(key)
        for glyph, cluster, advance, x_offset, y_offset in raw:
            start = 0 if cluster == first else cluster
            result.append(
                Glyph(key, glyph, advance * scale, x_offset * scale, y_offset * scale, start, end_of[start])
            )
    return result


@functools.cache
def face_scale(key: str) -> float:
    family, weight = key.rsplit("-", 1)
    scale: float = face(family, int(weight)).scale
    return scale
