"""The PDF fonts of one document: each face cut down to the glyphs its pages draw.

Shaped text is drawn by glyph, not by character, so each font gives its codes out as the pages ask:
one code per glyph *and the text it stands for*. A TrueType face maps codes to glyphs through a
``/CIDToGIDMap`` stream, so one glyph may have several codes (Arabic's dotless tooth is part of a
beh, a teh and a yeh) and each code's ``ToUnicode`` entry is exactly its text; a CFF (CJK) face is
CID-keyed, its codes are its CIDs, and a glyph asked for with another text than its code's gets
``/ActualText`` from the caller instead. Faces are cut with the glyph ids kept (TrueType: see
``truetype``) or by fontTools' subsetter (CFF), once per process for the same glyphs.
"""

from __future__ import annotations

import functools
import hashlib
import struct
import zlib
from dataclasses import dataclass, field
from typing import Any

from borb.pdf import CompositeFont
from borb.pdf.primitives import name, stream
from fontTools import subset

from service.pdf.faces import Face, face_by_key


@dataclass
class FaceCodes:
    """The codes one face has given out in a document."""

    face: Face
    code_of: dict[tuple[int, str], int] = field(default_factory=dict)
    glyph_of_code: dict[int, int] = field(default_factory=dict)
    text_of_code: dict[int, str] = field(default_factory=dict)
    widths: dict[int, int] = field(default_factory=dict)  # asked for every glyph drawn: kept

    def code(self, glyph: int, text: str) -> tuple[int, bool]:
        """The code that shows ``glyph``, and whether its ToUnicode entry is ``text``."""
        if self.face.is_cff:
            cid = _cids(self.face.key)[glyph]
            known = self.text_of_code.setdefault(cid, text)
            self.glyph_of_code[cid] = glyph
            return cid, known == text
        if (glyph, text) not in self.code_of:
            code = self.code_of[(glyph, text)] = len(self.code_of) + 1  # 0 stays .notdef's
            self.glyph_of_code[code] = glyph
            self.text_of_code[code] = text
        return self.code_of[(glyph, text)], True

    def width(self, code: int) -> int:
        """The code's glyph's advance, as /W gives it (1/1000 em, rounded)."""
        width = self.widths.get(code)
        if width is None:
            width = self.widths[code] = round(self.face.advance(self.glyph_of_code[code]))
        return width


class DocumentFonts:
    """Every face's codes in one document, and the resource name of each face's font."""

    def __init__(self) -> None:
        self.faces: dict[str, FaceCodes] = {}
        self.resource_of: dict[str, str] = {}
        # A spliced line's prefix as written in this document (its codes are the document's own).
        self.spliced: dict[tuple[str, str], Any] = {}

    def codes(self, key: str) -> FaceCodes:
        if key not in self.faces:
            self.faces[key] = FaceCodes(face_by_key(key))
            self.resource_of[key] = f"F{len(self.resource_of) + 1}"
        return self.faces[key]

    def copy(self) -> DocumentFonts:
        """Another document's fonts that have given out the same codes (nothing shared)."""
        copied = DocumentFonts()
        for key, codes in self.faces.items():
            copied.faces[key] = FaceCodes(
                codes.face,
                dict(codes.code_of),
                dict(codes.glyph_of_code),
                dict(codes.text_of_code),
                dict(codes.widths),
            )
        copied.resource_of = dict(self.resource_of)
        copied.spliced = dict(self.spliced)
        return copied

    def pdf_fonts(self) -> dict[str, SubsetFont]:
        """Resource name -> font, each face cut to the glyphs its codes show."""
        return {
            self.resource_of[key]: SubsetFont(_program(codes), codes) for key, codes in self.faces.items()
        }


@functools.cache
def _cids(key: str) -> dict[int, int]:
    """A CID-keyed CFF face's glyph id -> CID (its glyph names are ``cidNNNNN``)."""
    order = face_by_key(key).open_cff().getGlyphOrder()
    return {
        glyph: 0 if glyph_name == ".notdef" else int(glyph_name[3:]) for glyph, glyph_name in enumerate(order)
    }


@dataclass(frozen=True)
class FontProgram:
    """A face cut down to some glyphs, and what a PDF font descriptor says of it."""

    base_font: str
    is_cff: bool
    program: bytes
    ascent: int
    descent: int
    cap_height: int
    bbox: list[int]

    # Compressed once per cut: cuts are cached, so the documents of a process reuse them.
    @functools.cached_property
    def deflated_program(self) -> bytes:
        return zlib.compress(self.program, 9)


def _program(codes: FaceCodes) -> FontProgram:
    return cut(codes.face.key, frozenset(codes.glyph_of_code.values()))


@functools.lru_cache(maxsize=512)
def cut(key: str, glyphs: frozenset[int]) -> FontProgram:
    """The face ``key`` cut down to ``glyphs`` (and .notdef), cached for the process."""
    source = face_by_key(key)
    program = _cff_cut(source, glyphs) if source.is_cff else source.truetype.cut(glyphs)
    ascent, descent, cap_height, box = source.descriptor_metrics
    tag = "".join(
        chr(65 + byte % 26) for byte in hashlib.sha256(f"{key}{sorted(glyphs)}".encode()).digest()[:6]
    )
    return FontProgram(
        base_font=f"{tag}+{source.postscript_name}",
        is_cff=source.is_cff,
        program=program,
        ascent=ascent,
        descent=descent,
        cap_height=cap_height,
        bbox=list(box),
    )


def _cff_cut(source: Face, glyphs: frozenset[int]) -> bytes:
    """A CID-keyed CFF program with these glyphs (CIDs kept: codes stay valid)."""
    font = source.open_cff()
    options = subset.Options()
    options.layout_features = []
    options.notdef_outline = True
    options.hinting = False
    options.desubroutinize = True
    options.glyph_names = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(gids=sorted(glyphs | {0}))
    subsetter.subset(font)
    return bytes(font["CFF "].compile(font))


def _stream(data: bytes, deflated: bytes | None = None, **entries: Any) -> stream:
    """A stream already compressed (borb's writer leaves a stream with /Bytes as it is)."""
    deflated = _deflated(data) if deflated is None else deflated
    result = stream()
    result[name("DecodedBytes")] = data
    result[name("Bytes")] = deflated
    result[name("Filter")] = name("FlateDecode")
    result[name("Length")] = len(deflated)
    for key, value in entries.items():
        result[name(key)] = value
    return result


@functools.lru_cache(maxsize=1024)
def _deflated(data: bytes) -> bytes:
    """A ToUnicode map or a CIDToGIDMap compressed, once per process: the documents of a file
    mostly repeat them (as they repeat their cuts)."""
    return zlib.compress(data, 9)


@functools.lru_cache(maxsize=1024)
def _to_unicode(pairs: tuple[tuple[int, str], ...]) -> bytes:
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
        lines += [f"<{code:04X}> <{text.encode('utf-16-be').hex().upper()}>" for code, text in block]
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end", ""]
    return "\n".join(lines).encode("ascii")


def _width_array(widths: dict[int, int]) -> list[Any]:
    """/W as runs of consecutive codes (`first [w1 w2 …]`): fewer objects for borb's writer to visit
    than one `code code width` triple per glyph. Runs are cut at four widths, since borb writes a
    short array of numbers inline but gives a longer one an object of its own (and every object
    slows its writer for all the others)."""
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
    """A borb font (a PDF dictionary): /Type0, /Identity-H, one CID font (TrueType in FontFile2
    with a CIDToGIDMap, or CFF in FontFile3), a ToUnicode map of each code's text. Content streams
    are written by ``render`` with the codes themselves; borb only writes the dictionary."""

    def __init__(self, cut: FontProgram, codes: FaceCodes) -> None:
        super().__init__()
        widths = {code: codes.width(code) for code in codes.glyph_of_code}
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
            name("W"): _width_array(widths),
        }
        if cut.is_cff:
            descendant[name("Subtype")] = name("CIDFontType0")
            descriptor[name("FontFile3")] = _stream(
                cut.program, cut.deflated_program, Subtype=name("CIDFontType0C")
            )
        else:
            descendant[name("Subtype")] = name("CIDFontType2")
            glyph_map = [codes.glyph_of_code.get(code, 0) for code in range(max(codes.glyph_of_code) + 1)]
            descendant[name("CIDToGIDMap")] = _stream(struct.pack(f">{len(glyph_map)}H", *glyph_map))
            descriptor[name("FontFile2")] = _stream(
                cut.program, cut.deflated_program, Length1=len(cut.program)
            )
        self[name("Subtype")] = name("Type0")
        self[name("BaseFont")] = name(cut.base_font)
        self[name("Encoding")] = name("Identity-H")
        self[name("DescendantFonts")] = [descendant]
        self[name("ToUnicode")] = _stream(_to_unicode(tuple(sorted(codes.text_of_code.items()))))
