"""The glyph-keeping TrueType cut: a valid font, glyph ids unchanged, only the needed outlines."""

from __future__ import annotations

import io

from fontTools.ttLib import TTFont

from service.pdf import fonts


def test_a_cut_keeps_the_needed_glyphs_and_their_components_under_their_ids() -> None:
    face = fonts._truetype("serif-bold")
    original = TTFont(io.BytesIO(fonts._serif_instance(700)))
    text = "Nguyễn ị"
    wanted = {face.glyph_of[ord(character)] for character in text}

    cut = TTFont(io.BytesIO(face.cut(wanted)))

    glyf, order = cut["glyf"], cut.getGlyphOrder()
    kept = {index for index, glyph in enumerate(order) if glyf[glyph].numberOfContours != 0}
    components = {
        original.getGlyphID(component.glyphName)
        for glyph in (original.getGlyphOrder()[index] for index in wanted)
        if original["glyf"][glyph].isComposite()
        for component in original["glyf"][glyph].components
    }
    assert len(order) == len(original.getGlyphOrder())  # ids unchanged: code == glyph id in the PDF
    assert components, "the test needs a composite glyph (a stacked Vietnamese accent)"
    assert kept == (wanted | components | {0}) - {face.glyph_of[ord(" ")]}  # the space has no outline
    names = original.getGlyphOrder()
    for index in wanted:
        outline = cut["glyf"][order[index]].getCoordinates(cut["glyf"])[0]
        assert outline == original["glyf"][names[index]].getCoordinates(original["glyf"])[0]
    assert [cut["hmtx"][order[index]][0] for index in sorted(wanted)] == [
        original["hmtx"][names[index]][0] for index in sorted(wanted)
    ]
