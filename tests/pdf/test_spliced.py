"""The lines that end in the certificate's code, spliced onto their prefix's glyphs
(service/pdf/spliced.py), are the very bytes the general path (the whole line shaped and written)
gives: for every first two symbols of a code, for random codes, for codes of other forms, and for
prefixes that kern or join with the code's first character (which are then drawn the general way)."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date

import pytest

from service.certificates.rules import CODE_ALPHABET
from service.pdf import render, spliced
from service.pdf.branding import Branding, Signatory, Wording
from service.pdf.faces import REGULAR
from service.pdf.render import CertificateText, render_certificates
from service.pdf.shaping import ShapedLine, shape_line

TEXT = CertificateText(
    partner_name="Riverside State University",
    recipient_name="Ana Silva",
    certificate_type="Certificate in Effective College Instruction",
    program="Effective Teaching Practices",
    cohort="Cohort A",
    awarded_on=date(2026, 8, 20),
    code="7KQ4-M9XD-2HT",
    verification_url="https://recognition.example.org/verify/7KQ4-M9XD-2HT",
)
# Before the code: the two real prefixes' last characters (a space, a slash), and characters that
# kern with some of the code's symbols in Noto Serif (. , ' & Ł É).
URL_PREFIXES = [
    "https://recognition.example.org/verify/",
    "http://127.0.0.1:8000/verify/",
    "https://portal.example.edu/v.",
    "https://portal.example.edu/verify?code,",
    "https://portal.example.edu/verify?code='",
    "https://portal.example.edu/verify?a&",
    "https://portal.example.edu/Ł",
    "https://portal.example.edu/É",
]


def _code(random_source: random.Random, start: str = "") -> str:
    symbols = start + "".join(random_source.choice(CODE_ALPHABET) for _ in range(11 - len(start)))
    return f"{symbols[:4]}-{symbols[4:8]}-{symbols[8:]}"


def _texts(codes: list[str], prefix: str) -> list[CertificateText]:
    return [replace(TEXT, code=code, verification_url=f"{prefix}{code}") for code in codes]


def _whole(texts: list[CertificateText], designs: list[Branding] | None = None) -> bytes:
    """The document with the lines that end in a code shaped and written whole (not spliced)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(render, "SPLICE_CODES", False)
        return render_certificates(texts, designs)


def _same_bytes(texts: list[CertificateText]) -> None:
    for start in range(0, len(texts), 50):
        part = texts[start : start + 50]
        assert render_certificates(part) == _whole(part)


def test_every_first_two_symbols_give_the_same_bytes_as_the_whole_line() -> None:
    random_source = random.Random(19)
    codes = [_code(random_source, first + second) for first in CODE_ALPHABET for second in CODE_ALPHABET]

    _same_bytes(_texts(codes, URL_PREFIXES[0]))

    assert all(spliced.splice(f"Verification code: {code}", weight=REGULAR) for code in codes)
    assert all(spliced.splice(f"{URL_PREFIXES[0]}{code.replace('-', '')}", weight=REGULAR) for code in codes)


def test_random_codes_and_codes_of_other_forms_give_the_same_bytes() -> None:
    random_source = random.Random(15)
    codes = [_code(random_source) for _ in range(200)]
    # Lower case, no hyphens, one symbol, a long one, symbols a code never has (0, O, 1, I), and
    # characters that are not spliced (a space, an accent, Greek, Arabic).
    others = [
        "abcd-efgh-ijk",
        "7KQ4M9XD2HT",
        "Z",
        "AVAVAVAVAVAVAVAVAVAVAVAV-0O1I-fifl",
        "7KQ4 M9XD",
        "É12",
        "ΑΒΓ",
        "عمر",
    ]

    for prefix in URL_PREFIXES[:2]:
        _same_bytes(_texts(codes + others, prefix))


def test_a_prefix_that_kerns_with_the_code_is_drawn_whole_and_the_bytes_are_the_same() -> None:
    random_source = random.Random(7)
    codes = [_code(random_source, first) for first in CODE_ALPHABET] + ["fi2A-BCDE-FGH", "iA2B-CDEF-GHJ"]

    for prefix in URL_PREFIXES:
        _same_bytes(_texts(codes, prefix))

    # The shaper shows something across these joins: kerning (.·T, ,·V, '·A, &·W, Ł·Y, É·V), and a
    # ligature (f·i: a letter before the code is part of it, but the check sees ligatures too).
    refused = {
        (prefix[-1], first)
        for prefix in [*URL_PREFIXES, "Code f"]
        for first in "ATVWYi"
        if not spliced._joins(prefix, REGULAR, first)
    }
    assert {(".", "T"), (",", "V"), ("'", "A"), ("&", "W"), ("Ł", "Y"), ("É", "V"), ("f", "i")} <= refused
    # … and nothing across the real prefixes' joins, so every code is spliced there.
    assert all(
        spliced._joins(prefix, REGULAR, first) for prefix in URL_PREFIXES[:2] for first in CODE_ALPHABET
    )


def test_in_a_design_that_moves_and_recolours_the_small_print_the_bytes_are_the_same() -> None:
    random_source = random.Random(11)
    codes = [_code(random_source) for _ in range(30)]
    design = Branding(
        primary=(0x12, 0x50, 0x30),
        accent=(0x90, 0x20, 0x20),
        second_language=Wording(verify="Escanee el código o visite"),
        signatories=(Signatory("Dr. Helen Okafor", "Provost"),),
    )
    texts = _texts(codes, URL_PREFIXES[0])

    assert render_certificates(texts, [design] * len(texts)) == _whole(texts, [design] * len(texts))


def test_a_spliced_line_is_the_whole_line_as_shaped() -> None:
    random_source = random.Random(3)
    for prefix in ["Verification code: ", *URL_PREFIXES]:
        for code in [_code(random_source) for _ in range(40)]:
            joined = spliced.splice(prefix + code, weight=REGULAR)
            if joined is None:
                continue
            whole = shape_line.__wrapped__(prefix + code, weight=REGULAR)
            assert (joined.line.glyphs, joined.line.width, joined.line.ink) == (
                whole.glyphs,
                whole.width,
                whole.ink,
            )


def test_a_prefix_in_another_script_or_direction_or_no_prefix_is_not_spliced() -> None:
    assert spliced.splice("Κωδικός: 7KQ4-M9XD-2HT", weight=REGULAR) is None
    assert spliced.splice("رمز: 7KQ4-M9XD-2HT", weight=REGULAR) is None
    assert spliced.splice("7KQ4-M9XD-2HT", weight=REGULAR) is None
    assert spliced.splice("Code 7KQ4-M9XD-2HT.", weight=REGULAR) is None


def test_a_line_joined_onto_another_has_the_width_and_ink_of_the_whole() -> None:
    # A head without ink (spaces), and one with ink, each joined onto by the whole line's other glyphs.
    for head_text, text in [("  ", "  7KQ4"), ("Verification code: ", "Verification code: 7KQ4-M9XD-2HT")]:
        whole = shape_line.__wrapped__(text, weight=REGULAR)
        head = shape_line.__wrapped__(head_text, weight=REGULAR)
        assert whole.glyphs[: len(head.glyphs)] == head.glyphs
        joined = head.joined(text, whole.glyphs[len(head.glyphs) :])
        assert (joined.glyphs, joined.width, joined.ink, joined.missing) == (
            whole.glyphs,
            whole.width,
            whole.ink,
            "",
        )
    # Advances whose sum differs from adding them one by one where ``sum`` is exact (Python 3.12+):
    # the joined line's width is still the whole line's ``sum``, and its ink the same.
    glyphs = shape_line.__wrapped__("Code ABCD", weight=REGULAR).glyphs
    glyphs = tuple(
        glyph._replace(advance=advance)
        for glyph, advance in zip(glyphs, [1e16, 1.0, -1e16, 0.1] * 3, strict=False)
    )
    head = ShapedLine(text="Code ", glyphs=glyphs[:5], width=sum(g.advance for g in glyphs[:5]), missing="")
    whole = ShapedLine(text="Code ABCD", glyphs=glyphs, width=sum(g.advance for g in glyphs), missing="")
    joined = head.joined("Code ABCD", glyphs[5:])
    assert (joined.width, joined.ink) == (whole.width, whole.ink)
