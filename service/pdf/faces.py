"""The faces certificates are set in, all from pip packages (no font files in the tree, no system
fonts), and what each script falls back to.

Every family is drawn at two weights: 700 for the name, the title and the program, 400 for the rest.
Variable fonts are shaped by HarfBuzz at that weight (``set_variations``) and cut from a static
instance made once per process and weight; the static CJK faces are Pan-CJK fonts whose regional
glyphs (Japanese, Korean, Simplified, Traditional, Hong Kong) HarfBuzz picks from the buffer's
language through the ``locl`` feature.

| family | package | face |
|---|---|---|
| Latin, Greek, Cyrillic, Vietnamese | fontpkg-noto-serif | Noto Serif |
| Arabic, Persian, Urdu | pylopdf-fonts-ar | Noto Naskh Arabic |
| Hebrew | pylopdf-fonts-he | Noto Serif Hebrew |
| Devanagari | pylopdf-fonts-hi | Noto Serif Devanagari |
| Thai | pylopdf-fonts-th | Noto Serif Thai |
| Ethiopic, Georgian, Armenian and other scripts with no serif on PyPI | manimgx-fonts | Noto Sans … |
| Chinese, Japanese, Korean | noto-cjk-sans-jp-bold (700), noto-cjk-sans-otc (400) | Noto Sans CJK |
| emoji, as monochrome outlines in the text's colour | manimgx-fonts | Noto Emoji |
"""

from __future__ import annotations

import functools
import importlib.resources
import io
import logging
from dataclasses import dataclass

import uharfbuzz as harfbuzz
from fontTools.ttLib import TTFont
from fontTools.varLib import instancer

from service.pdf.truetype import TrueTypeFace

# The subsetter and instancer log every table they touch at INFO: thousands of lines in a worker's log.
logging.getLogger("fontTools").setLevel(logging.WARNING)

BOLD, REGULAR = 700, 400
# Tables a PDF never uses; the layout tables are HarfBuzz's, read from the variable font itself.
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


@dataclass(frozen=True)
class Source:
    """Where a family's font file is, per weight: (package, resource, collection index)."""

    postscript_name: str
    files: dict[int, tuple[str, str, int]]
    variable: bool = True

    @staticmethod
    def one_variable(postscript_name: str, package: str, resource: str) -> Source:
        return Source(postscript_name, {weight: (package, resource, 0) for weight in (BOLD, REGULAR)})


def _noto_sans(script_name: str) -> Source:
    return Source.one_variable(f"NotoSans{script_name}", "manimgx_fonts", f"NotoSans{script_name}[wght].ttf")


SOURCES: dict[str, Source] = {
    "serif": Source.one_variable("NotoSerif", "fontpkg_noto_serif", "files/NotoSerif[wdth,wght].ttf"),
    "naskh": Source.one_variable("NotoNaskhArabic", "pylopdf_fonts_ar", "NotoNaskhArabic-Variable.ttf"),
    "hebrew": Source.one_variable("NotoSerifHebrew", "pylopdf_fonts_he", "NotoSerifHebrew-Variable.ttf"),
    "devanagari": Source.one_variable(
        "NotoSerifDevanagari", "pylopdf_fonts_hi", "NotoSerifDevanagari-Variable.ttf"
    ),
    "thai": Source.one_variable("NotoSerifThai", "pylopdf_fonts_th", "NotoSerifThai-Variable.ttf"),
    "ethiopic": _noto_sans("Ethiopic"),
    "georgian": _noto_sans("Georgian"),
    "armenian": _noto_sans("Armenian"),
    "bengali": _noto_sans("Bengali"),
    "gujarati": _noto_sans("Gujarati"),
    "gurmukhi": _noto_sans("Gurmukhi"),
    "kannada": _noto_sans("Kannada"),
    "khmer": _noto_sans("Khmer"),
    "lao": _noto_sans("Lao"),
    "malayalam": _noto_sans("Malayalam"),
    "myanmar": _noto_sans("Myanmar"),
    "oriya": _noto_sans("Oriya"),
    "sinhala": _noto_sans("Sinhala"),
    "tamil": _noto_sans("Tamil"),
    "telugu": _noto_sans("Telugu"),
    "cjk": Source(
        "NotoSansCJK",
        {
            BOLD: ("noto_cjk_sans_jp_bold", "NotoSansCJKjp-Bold.otf", 0),
            REGULAR: ("noto_cjk_sans_otc", "NotoSansCJK-Regular.ttc", 0),
        },
        variable=False,
    ),
    "symbols": _noto_sans("Symbols"),
    "emoji": Source.one_variable("NotoEmoji", "manimgx_fonts", "NotoEmoji[wght].ttf"),
}

# The family for each script (ISO 15924); a script not named here starts with Noto Serif.
FAMILY_OF_SCRIPT = {
    "Arab": "naskh",
    "Hebr": "hebrew",
    "Deva": "devanagari",
    "Thai": "thai",
    "Ethi": "ethiopic",
    "Geor": "georgian",
    "Armn": "armenian",
    "Beng": "bengali",
    "Gujr": "gujarati",
    "Guru": "gurmukhi",
    "Knda": "kannada",
    "Khmr": "khmer",
    "Laoo": "lao",
    "Mlym": "malayalam",
    "Mymr": "myanmar",
    "Orya": "oriya",
    "Sinh": "sinhala",
    "Taml": "tamil",
    "Telu": "telugu",
    "Hani": "cjk",
    "Hira": "cjk",
    "Kana": "cjk",
    "Hang": "cjk",
    "Bopo": "cjk",
}
# What a cluster falls back to when its script's family lacks it, in this order.
FALLBACK = ("serif", "cjk", "symbols", "emoji")


def families_for(script: str) -> tuple[str, ...]:
    """The families to try for a cluster of ``script``, best first."""
    first = FAMILY_OF_SCRIPT.get(script, "serif")
    return (first, *(family for family in FALLBACK if family != first))


def face_key(family: str, weight: int) -> str:
    return f"{family}-{weight}"


class Face:
    """One family at one weight: HarfBuzz's font for shaping and measuring, and (once a document
    needs it) the static program glyphs are cut from."""

    def __init__(self, family: str, weight: int) -> None:
        source = SOURCES[family]
        package, resource, index = source.files[weight]
        self.key = face_key(family, weight)
        self.family = family
        self.weight = weight
        self.variable = source.variable
        self.postscript_name = f"{source.postscript_name}-{'Bold' if weight == BOLD else 'Regular'}"
        self._resource = importlib.resources.files(package) / resource
        self._index = index
        self.data = self._resource.read_bytes()
        hb_face = harfbuzz.Face(self.data, index)
        self.upem = hb_face.upem
        self.hb_font = harfbuzz.Font(hb_face)
        if self.variable:
            self.hb_font.set_variations(self._location())
        self.scale: float = 1000.0 / self.upem
        self._ink: dict[int, tuple[float, float, float, float] | None] = {}
        # The CJK faces are CFF (CID-keyed); every other face is TrueType.
        self.is_cff = not self.variable

    def _location(self) -> dict[str, float]:
        axes = {axis.tag: axis.default_value for axis in harfbuzz.Face(self.data, self._index).axis_infos}
        return {**axes, "wght": float(self.weight)}

    @functools.cached_property
    def characters(self) -> frozenset[int]:
        """The code points the face maps to a glyph."""
        return frozenset(harfbuzz.Face(self.data, self._index).unicodes)

    def has(self, character: str) -> bool:
        return ord(character) in self.characters

    def ink(self, glyph: int) -> tuple[float, float, float, float] | None:
        """The glyph's ink box (x0, y0, x1, y1) in 1/1000 em, or None for a glyph with no outline."""
        if glyph not in self._ink:
            self._ink[glyph] = self._measure_ink(glyph)
        return self._ink[glyph]

    def _measure_ink(self, glyph: int) -> tuple[float, float, float, float] | None:
        extents = self.hb_font.get_glyph_extents(glyph)
        if extents is None or extents.width == 0 or extents.height == 0:
            return None
        x0, y1 = extents.x_bearing, extents.y_bearing
        x1, y0 = x0 + extents.width, y1 + extents.height  # HarfBuzz's height is negative (y grows up)
        return (x0 * self.scale, y0 * self.scale, x1 * self.scale, y1 * self.scale)

    def advance(self, glyph: int) -> float:
        """The glyph's own advance in 1/1000 em (a PDF font's width for it)."""
        advance: int = self.hb_font.get_glyph_h_advance(glyph)
        return advance * self.scale

    @functools.cached_property
    def descriptor_metrics(self) -> tuple[int, int, int, tuple[int, int, int, int]]:
        """Ascent, descent, cap height and font box in 1/1000 em, for the PDF font descriptor."""
        font = TTFont(io.BytesIO(self.data), fontNumber=self._index, lazy=True)
        head, hhea, os2 = font["head"], font["hhea"], font["OS/2"]
        box = tuple(round(value * self.scale) for value in (head.xMin, head.yMin, head.xMax, head.yMax))
        cap_height = round(getattr(os2, "sCapHeight", 0) * self.scale) or 700
        return round(hhea.ascent * self.scale), round(hhea.descent * self.scale), cap_height, box

    @functools.cached_property
    def static_program(self) -> bytes:
        """The static TrueType program glyphs are cut from: a variable face instanced at the
        weight (about a second for Noto Serif, once per process and weight), without the tables a
        PDF never uses."""
        font = TTFont(io.BytesIO(self.data), recalcTimestamp=False)
        for tag in UNUSED_TABLES:
            if tag in font:
                del font[tag]
        if self.variable:
            font = instancer.instantiateVariableFont(font, self._location())
        out = io.BytesIO()
        font.save(out)
        return out.getvalue()

    @functools.cached_property
    def truetype(self) -> TrueTypeFace:
        return TrueTypeFace.read(self.static_program)

    def open_cff(self) -> TTFont:
        """The CFF face, read lazily (a Pan-CJK font has 65,535 glyphs)."""
        font = TTFont(io.BytesIO(self.data), fontNumber=self._index, lazy=True, recalcTimestamp=False)
        for tag in UNUSED_TABLES:
            if tag in font:
                del font[tag]
        return font


@functools.cache
def face(family: str, weight: int) -> Face:
    """The face, loaded once per process (HarfBuzz reads it in milliseconds)."""
    return Face(family, weight)


@functools.cache
def face_by_key(key: str) -> Face:
    """The face of a glyph's key (``serif-700``); asked for every glyph drawn, so kept per key."""
    family, weight = key.rsplit("-", 1)
    return face(family, int(weight))
