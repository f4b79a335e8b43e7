"""A fast TrueType cut for PDF embedding: the glyphs a text needs, every glyph keeping its id.

fontTools' subsetter renumbers glyphs and rebuilds every table (about 15 ms a call); a single
certificate needs a fresh cut for the recipient's name, so that was half the time of drawing one.
A PDF font with `/CIDToGIDMap /Identity` needs no renumbering and no `cmap`: this keeps the
glyph table's order, copies the outlines of the needed glyphs (and the glyphs composites are
made of), leaves the others empty, and writes the few tables a PDF viewer reads (head, hhea,
maxp, loca, glyf, hmtx with each kept glyph's advance and left side bearing, post, OS/2 and the
hinting tables when the face has them). The empty glyphs
cost bytes in `loca` and `hmtx`, which compress to little. About 0.1 ms a call once the face is
read.
"""

from __future__ import annotations

import itertools
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from io import BytesIO

from fontTools.ttLib import TTFont

# Composite glyph flags (OpenType `glyf`).
_WORDS, _SCALE, _MORE, _XY_SCALE, _TWO_BY_TWO = 0x0001, 0x0008, 0x0020, 0x0040, 0x0080
_KEPT = ("cvt ", "fpgm", "prep", "OS/2")  # copied as they are when present


@dataclass(frozen=True)
class TrueTypeFace:
    """A TrueType face read once: raw tables, glyph offsets, the character map and metrics."""

    tables: dict[str, bytes]
    offsets: list[int]  # loca, one more than there are glyphs
    glyph_of: dict[int, int]  # code point -> glyph id
    advances: list[int]  # font units, per glyph id
    units_per_em: int
    ascent: int
    descent: int
    cap_height: int
    bbox: tuple[int, int, int, int]

    @classmethod
    def read(cls, data: bytes) -> TrueTypeFace:
        font = TTFont(BytesIO(data), recalcTimestamp=False)
        order = {glyph: index for index, glyph in enumerate(font.getGlyphOrder())}
        raw = {tag: font.reader[tag] for tag in font.reader.tables}
        metrics = font["hmtx"].metrics
        head = font["head"]
        return cls(
            tables=raw,
            offsets=_loca_offsets(raw["loca"], long=head.indexToLocFormat == 1, glyphs=len(order)),
            glyph_of={code: order[glyph] for code, glyph in font.getBestCmap().items()},
            advances=[metrics[glyph][0] for glyph in font.getGlyphOrder()],
            units_per_em=head.unitsPerEm,
            ascent=font["hhea"].ascent,
            descent=font["hhea"].descent,
            cap_height=getattr(font["OS/2"], "sCapHeight", 0),
            bbox=(head.xMin, head.yMin, head.xMax, head.yMax),
        )

    def cut(self, glyphs: Iterable[int]) -> bytes:
        """A font program with the outlines of ``glyphs`` (and their components) only."""
        kept = sorted(self._closure(glyphs))
        glyf = self.tables["glyf"]
        count = len(self.offsets) - 1
        # Lists over every glyph filled in at the kept ones: a Python loop over the few kept glyphs,
        # not over the thousands of others (that loop was most of a cut's time).
        lengths, metrics, pieces = [0] * count, [0] * (2 * count), []
        for glyph in kept:
            piece = glyf[self.offsets[glyph] : self.offsets[glyph + 1]]
            piece += b"\0" * (-len(piece) % 4)
            pieces.append(piece)
            lengths[glyph] = len(piece)
            metrics[2 * glyph] = self.advances[glyph]
            # The left side bearing is the outline's xMin, as FreeType-based viewers (pdfium,
            # poppler, Ghostscript) expect: with 0 there, they shift the glyph by its bearing.
            metrics[2 * glyph + 1] = struct.unpack_from(">h", piece, 2)[0] if len(piece) >= 10 else 0
        offsets = [0, *itertools.accumulate(lengths)]
        head = bytearray(self.tables["head"])
        head[8:12] = b"\0\0\0\0"  # checkSumAdjustment, set below
        head[50:52] = struct.pack(">h", 1)  # long loca offsets
        hhea = bytearray(self.tables["hhea"])
        hhea[34:36] = struct.pack(">H", count)  # every glyph has its own advance in hmtx below
        tables = {
            "head": bytes(head),
            "hhea": bytes(hhea),
            "maxp": self.tables["maxp"],
            "loca": struct.pack(f">{len(offsets)}I", *offsets),
            "glyf": b"".join(pieces),
            # Widths reach the PDF through /W; here only the kept glyphs keep theirs (zeros compress).
            "hmtx": struct.pack(">" + "Hh" * count, *metrics),
            "post": struct.pack(">IIhhIIIII", 0x00030000, 0, 0, 0, 0, 0, 0, 0, 0),
            **{tag: self.tables[tag] for tag in _KEPT if tag in self.tables},
        }
        return _sfnt(tables)

    def _closure(self, glyphs: Iterable[int]) -> set[int]:
        """The glyphs and, for composites, the glyphs they are built from (recursively)."""
        glyf, kept, pending = self.tables["glyf"], {0}, list(glyphs)
        while pending:
            glyph = pending.pop()
            if glyph in kept:
                continue
            kept.add(glyph)
            start, end = self.offsets[glyph], self.offsets[glyph + 1]
            if end - start < 10 or struct.unpack_from(">h", glyf, start)[0] >= 0:
                continue  # empty or simple
            position = start + 10
            while True:
                flags, component = struct.unpack_from(">HH", glyf, position)
                pending.append(component)
                position += 4 + (4 if flags & _WORDS else 2)
                position += (
                    2 if flags & _SCALE else 4 if flags & _XY_SCALE else 8 if flags & _TWO_BY_TWO else 0
                )
                if not flags & _MORE:
                    break
        return kept


def _loca_offsets(data: bytes, *, long: bool, glyphs: int) -> list[int]:
    if long:
        return list(struct.unpack(f">{glyphs + 1}I", data[: 4 * (glyphs + 1)]))
    return [2 * value for value in struct.unpack(f">{glyphs + 1}H", data[: 2 * (glyphs + 1)])]


def _checksum(data: bytes) -> int:
    padded = data + b"\0" * (-len(data) % 4)
    words: tuple[int, ...] = struct.unpack(f">{len(padded) // 4}I", padded)
    return sum(words) & 0xFFFFFFFF


def _sfnt(tables: dict[str, bytes]) -> bytes:
    """An OpenType file of these tables: offset table, directory (by tag), 4-byte aligned tables."""
    tags = sorted(tables)
    power = 1 << (len(tags).bit_length() - 1)
    header = struct.pack(
        ">IHHHH", 0x00010000, len(tags), power * 16, power.bit_length() - 1, len(tags) * 16 - power * 16
    )
    offset = 12 + 16 * len(tags)
    directory, body = [], []
    for tag in tags:
        data = tables[tag]
        directory.append(struct.pack(">4sIII", tag.encode("latin-1"), _checksum(data), offset, len(data)))
        padded = data + b"\0" * (-len(data) % 4)
        body.append(padded)
        offset += len(padded)
    font = bytearray(header + b"".join(directory) + b"".join(body))
    head_offset = struct.unpack_from(">I", font, 12 + 16 * tags.index("head") + 8)[0]
    font[head_offset + 8 : head_offset + 12] = struct.pack(
        ">I", (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF
    )
    return bytes(font)
