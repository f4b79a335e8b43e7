"""Fonts for certificates, from pip packages only: Noto Serif for Latin, Vietnamese, Greek and
Cyrillic, Noto Sans CJK for Chinese, Japanese and Korean.

borb's own TrueType loader gives some Vietnamese glyphs zero width, embeds whole fonts and fails
on CJK collections, so fonts are built here with fontTools: subset to the characters used,
widths from ``hmtx``, and a ToUnicode map so the text can be searched and copied.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.resources
import io
import logging
import zlib
from dataclasses import dataclass
from typing import Any

from borb.pdf import CompositeFont
from borb.pdf.primitives import name, stream
from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.varLib import instancer

from service.pdf.truetype import TrueTypeFace

# The subsetter logs every table it touches at INFO: thousands of lines per file in a worker's log.
logging.getLogger("fontTools").setLevel(logging.WARNING)

SERIF_VARIABLE = importlib.resources.files("fontpkg_noto_serif") / "files" / "NotoSerif[wdth,wght].ttf"
CJK_COLLECTION = importlib.resources.files("noto_cjk_sans_otc") / "NotoSansCJK-Regular.ttc"
CJK_FACE_INDEX = {"ja": 0, "ko": 1, "zh-hans": 2}
POSTSCRIPT_NAMES = {
    "serif-regular": "NotoSerif-Regular",
    "serif-bold": "NotoSerif-Bold",
    "cjk-ja": "NotoSansCJKjp-Regular",
    "cjk-ko": "NotoSansCJKkr-Regular",
    "cjk-zh-hans": "NotoSansCJKsc-Regular",
}
# Tables a PDF never uses; parsing GSUB/GPOS alone costs the subsetter ~0.4 s a call.
UNUSED_TABLES = (
    "GSUB",
    "GPOS",
    "GDEF",
    "BASE",
    "JSTF",
    "MATH",
    "STAT",
    "DSIG",
    "VORG",
    "vhea",
    "vmtx",
    "meta",
)


class MissingGlyphs(ValueError):
    """No bundled font covers these characters."""


@functools.cache
def _serif_instance(weight: int) -> bytes:
    """A static weight of the variable Noto Serif (about a second, once per process and weight)."""
    with importlib.resources.as_file(SERIF_VARIABLE) as path:
        variable = TTFont(path, recalcTimestamp=False)
        _drop_unused(variable)
        out = io.BytesIO()
        instancer.instantiateVariableFont(variable, {"wght": weight, "wdth": 100}).save(out)
        return out.getvalue()


def _drop_unused(font: TTFont) -> None:
    for tag in UNUSED_TABLES:
        if tag in font:
            del font[tag]


def _open(face: str) -> TTFont:
    # recalcTimestamp=False keeps head.modified as shipped: the same input gives the same bytes.
    if face.startswith("serif-"):
        data = _serif_instance(700 if face == "serif-bold" else 400)
        return TTFont(io.BytesIO(data), lazy=True, recalcTimestamp=False)
    with importlib.resources.as_file(CJK_COLLECTION) as path:
        font = TTFont(
            path, fontNumber=CJK_FACE_INDEX[face.removeprefix("cjk-")], lazy=True, recalcTimestamp=False
        )
    _drop_unused(font)
    return font


@functools.cache
def _coverage(face: str) -> frozenset[int]:
    return frozenset(_open(face).getBestCmap())


def choose_face(text: str, *, bold: bool) -> str:
    """Noto Serif when it has every character; else the Noto Sans CJK face the script suggests
    (kana: Japanese, Hangul: Korean, Han alone: Simplified Chinese)."""
    serif = "serif-bold" if bold else "serif-regular"
    if all(ord(character) in _coverage(serif) for character in text):
        return serif
    language = "zh-hans"
    for code_point in map(ord, text):
        if 0xAC00 <= code_point <= 0xD7AF or 0x1100 <= code_point <= 0x11FF or 0x3130 <= code_point <= 0x318F:
            language = "ko"
            break
        if 0x3040 <= code_point <= 0x30FF or 0x31F0 <= code_point <= 0x31FF:
            language = "ja"
            break
    face = f"cjk-{language}"
    missing = sorted({character for character in text if ord(character) not in _coverage(face)})
    if missing:
        raise MissingGlyphs(f"no bundled font has {''.join(missing)!r}")
    return face


@dataclass(frozen=True)
class FontSubset:
    """A face cut down to some characters: the font program and what a PDF font needs of it."""

    base_font: str
    is_cff: bool
    program: bytes
    code_of: dict[str, int]
    widths: dict[int, int]  # per code, in 1/1000 em
    ascent: int
    descent: int
    cap_height: int
    bbox: list[int]

    # Compressed once per subset: the words' subsets are cached, so a document reuses them.
    @functools.cached_property
    def deflated_program(self) -> bytes:
        return zlib.compress(self.program, 9)  # what borb's writer would make of it

    @functools.cached_property
    def to_unicode(self) -> bytes:
        return _to_unicode(self.code_of)

    @functools.cached_property
    def deflated_to_unicode(self) -> bytes:
        return zlib.compress(self.to_unicode, 9)


@functools.cache
def _truetype(face: str) -> TrueTypeFace:
    return TrueTypeFace.read(_serif_instance(700 if face == "serif-bold" else 400))


@functools.lru_cache(maxsize=512)
def font_subset(face: str, characters: str) -> FontSubset:
    """``face`` cut down to ``characters`` (sorted, unique), cached for the process."""
    if face.startswith("serif-"):
        return _glyph_keeping_subset(face, characters)
    font = _open(face)
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6]
    options.notdef_outline = True
    options.hinting = False
    options.desubroutinize = True
    options.prune_unicode_ranges = options.prune_codepage_ranges = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(character) for character in characters])
    subsetter.subset(font)
    is_cff = "CFF " in font
    if is_cff:
        # CID-keyed CFF: glyph "cidNNNNN" is shown with code NNNNN.
        def code_for(glyph: str) -> int:
            return 0 if glyph == ".notdef" else int(glyph.removeprefix("cid"))

        program = font["CFF "].compile(font)
    else:
        code_for = font.getGlyphID  # with CIDToGIDMap /Identity, code == glyph id
        out = io.BytesIO()
        font.save(out)
        program = out.getvalue()
    scale = 1000.0 / font["head"].unitsPerEm
    code_of: dict[str, int] = {}
    widths: dict[int, int] = {}
    for code_point, glyph in font.getBestCmap().items():
        code = code_for(glyph)
        code_of[chr(code_point)] = code
        widths[code] = round(font["hmtx"][glyph][0] * scale)
    if missing := [character for character in characters if character not in code_of]:
        raise MissingGlyphs(f"{face} has no glyph for {''.join(missing)!r}")
    head = font["head"]
    tag = "".join(chr(65 + byte % 26) for byte in hashlib.sha256((face + characters).encode()).digest()[:6])
    return FontSubset(
        base_font=f"{tag}+{POSTSCRIPT_NAMES[face]}",
        is_cff=is_cff,
        program=program,
        code_of=code_of,
        widths=widths,
        ascent=round(font["hhea"].ascent * scale),
        descent=round(font["hhea"].descent * scale),
        cap_height=round(getattr(font["OS/2"], "sCapHeight", 0) * scale) or 700,
        bbox=[round(value * scale) for value in (head.xMin, head.yMin, head.xMax, head.yMax)],
    )


def _glyph_keeping_subset(face: str, characters: str) -> FontSubset:
    """The TrueType faces: glyph ids kept (code == glyph id), cut in a fraction of a millisecond."""
    font = _truetype(face)
    if missing := [character for character in characters if ord(character) not in font.glyph_of]:
        raise MissingGlyphs(f"{face} has no glyph for {''.join(missing)!r}")
    code_of = {character: font.glyph_of[ord(character)] for character in characters}
    scale = 1000.0 / font.units_per_em
    tag = "".join(chr(65 + byte % 26) for byte in hashlib.sha256((face + characters).encode()).digest()[:6])
    return FontSubset(
        base_font=f"{tag}+{POSTSCRIPT_NAMES[face]}",
        is_cff=False,
        program=font.cut(code_of.values()),
        code_of=code_of,
        widths={code: round(font.advances[code] * scale) for code in code_of.values()},
        ascent=round(font.ascent * scale),
        descent=round(font.descent * scale),
        cap_height=round(font.cap_height * scale) or 700,
        bbox=[round(value * scale) for value in font.bbox],
    )


def _stream(data: bytes, deflated: bytes, **entries: Any) -> stream:
    """A stream already compressed (borb's writer leaves a stream with /Bytes as it is)."""
    result = stream()
    result[name("DecodedBytes")] = data
    result[name("Bytes")] = deflated
    result[name("Filter")] = name("FlateDecode")
    result[name("Length")] = len(deflated)
    for key, value in entries.items():
        result[name(key)] = value
    return result


def _to_unicode(code_of: dict[str, int]) -> bytes:
    pairs = sorted({code: character for character, code in code_of.items()}.items())
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<0000> <FFFF>",
        "endcodespacerange",
    ]
    for start in range(0, len(pairs), 100):
        block = pairs[start : start + 100]
        lines.append(f"{len(block)} beginbfchar")
        lines += [
            f"<{code:04X}> <{character.encode('utf-16-be').hex().upper()}>" for code, character in block
        ]
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end", ""]
    return "\n".join(lines).encode("ascii")


def _width_array(widths: dict[int, int]) -> list[Any]:
    """/W as runs of consecutive codes (`first [w1 w2 …]`): fewer objects for borb's writer to visit
    than one `code code width` triple per glyph, which made up half of a certificate's objects. Runs
    are cut at four widths, since borb writes a short array of numbers inline but gives a longer
    one an object of its own (and every object slows its writer for all the others)."""
    entries: list[Any] = []
    for code in sorted(widths):
        if entries and entries[-2] + len(entries[-1]) == code and len(entries[-1]) < 4:
            entries[-1].append(widths[code])
        else:
            entries += [code, [widths[code]]]
    return entries


# One dictionary for every font: borb's writer writes a shared object once.
IDENTITY_SYSTEM = {name("Registry"): "Adobe", name("Ordering"): "Identity", name("Supplement"): 0}


class SubsetFont(CompositeFont):  # type: ignore[misc]  # borb is not typed
    """A borb font (a PDF dictionary) over a fontTools subset: /Type0, /Identity-H, one CID font
    (TrueType in FontFile2, or CFF in FontFile3). borb's Chunk needs only the three methods below."""

    def __init__(self, cut: FontSubset) -> None:
        super().__init__()
        self._code_of = cut.code_of
        self._widths = cut.widths
        self._character_of = {code: character for character, code in cut.code_of.items()}
        descriptor = {
            name("Type"): name("FontDescriptor"),
            name("FontName"): name(cut.base_font),
            name("Flags"): 4,
            name("FontBBox"): cut.bbox,
            name("ItalicAngle"): 0,
            name("Ascent"): cut.ascent,
            name("Descent"): cut.descent,
            name("CapHeight"): cut.cap_height,
            name("StemV"): 80,
        }
        descendant = {
            name("Type"): name("Font"),
            name("BaseFont"): name(cut.base_font),
            name("CIDSystemInfo"): IDENTITY_SYSTEM,
            name("FontDescriptor"): descriptor,
            name("DW"): 1000,
            name("W"): _width_array(cut.widths),
        }
        if cut.is_cff:
            descendant[name("Subtype")] = name("CIDFontType0")
            descriptor[name("FontFile3")] = _stream(
                cut.program, cut.deflated_program, Subtype=name("CIDFontType0C")
            )
        else:
            descendant[name("Subtype")] = name("CIDFontType2")
            descendant[name("CIDToGIDMap")] = name("Identity")
            descriptor[name("FontFile2")] = _stream(
                cut.program, cut.deflated_program, Length1=len(cut.program)
            )
        self[name("Subtype")] = name("Type0")
        self[name("BaseFont")] = name(cut.base_font)
        self[name("Encoding")] = name("Identity-H")
        self[name("DescendantFonts")] = [descendant]
        self[name("ToUnicode")] = _stream(cut.to_unicode, cut.deflated_to_unicode)

    def get_character_code(self, character: str) -> int:
        return self._code_of.get(character, -1)

    def get_character(self, character_code: int) -> str:
        return self._character_of.get(character_code, "\ufffd")

    def hex_codes(self, text: str) -> str:
        """``text`` as the font's two-byte codes, for a hex string in a content stream."""
        return "".join(f"{self._code_of[character]:04X}" for character in text)

    def get_width(
        self, text: str, character_spacing: float = 0, font_size: float = 12, word_spacing: float = 0
    ) -> float:
        """Width in points."""
        units = sum(self._widths.get(self._code_of.get(character, 0), 1000) for character in text)
        return (
            units / 1000 * font_size
            + character_spacing * max(len(text) - 1, 0)
            + word_spacing * text.count(" ")
        )
