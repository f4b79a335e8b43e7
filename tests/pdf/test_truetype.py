"""The glyph-keeping TrueType cut: a valid font, glyph ids unchanged, only the needed outlines,
each kept glyph's advance and left side bearing."""

from __future__ import annotations

import io

from fontTools.ttLib import TTFont

from service.pdf.faces import BOLD, face


def test_a_cut_keeps_the_needed_glyphs_and_their_components_under_their_ids() -> None:
    serif = face("serif", BOLD)
    cut_face = serif.truetype
    original = TTFont(io.BytesIO(serif.static_program))
    text = "Nguyễn ị"
    wanted = {cut_face.glyph_of[ord(character)] for character in text}

    cut = TTFont(io.BytesIO(cut_face.cut(wanted)))

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
    assert kept == (wanted | components | {0}) - {cut_face.glyph_of[ord(" ")]}  # the space has no outline
    names = original.getGlyphOrder()
    for index in wanted:
        outline = cut["glyf"][order[index]].getCoordinates(cut["glyf"])[0]
        assert outline == original["glyf"][names[index]].getCoordinates(original["glyf"])[0]
    # Advances and left side bearings as in the face: a viewer draws a glyph at its bearing.
    assert [cut["hmtx"][order[index]] for index in sorted(wanted)] == [
        original["hmtx"][names[index]] for index in sorted(wanted)
    ]
    assert [cut["hmtx"][order[index]][1] for index in sorted(wanted)] == [
        original["glyf"][names[index]].xMin if original["glyf"][names[index]].numberOfContours else 0
        for index in sorted(wanted)
    ]
