"""The quick verdict on a name (service/pdf/printable.py: plain Latin characters whose widths fit
one line at the floor size, not shaped) is the verdict of shaping and laying the name out, for
every name of the test roster and the test worlds and for generated names: long ones at the quick
verdict's edge and past it, with combining marks, default-ignorables, bidi controls, other scripts,
symbols and characters no font has."""

from __future__ import annotations

import io
import random

from fontTools.ttLib import TTFont
from fontTools.varLib import instancer

from service.pdf import printable
from service.pdf.faces import BOLD, face
from service.pdf.itemize import BIDI_CONTROLS
from service.pdf.render import clean
from tests.pdf.roster import ROSTER
from tests.support.drills import NAMES as DRILL_NAMES

PLAIN = "AaBbEeLlOoTtVvWwYy ÆæŒœØøÅåÉéÑñßÇçŁłŞşĞğİıǄǅǆǱ‱⸻ẞẞẠạỆệỲỳ-'’.,()0123456789"
COMBINING = "\u0301\u0323\u0308\u0330\u035c"
IGNORABLE = "\u200d\u200c\u00ad\ufe0f\u2060\u034f\u200b"
BIDI = "\u202e\u2066\u2069\u200e\u200f\u061c"
OTHER = "ΑλέξηςЖаннаדודمحمد王小明한국ไทย★👩\U00012000\ue000\U000e0001\x07"
LANGUAGES = ["", "tr", "nl", "vi", "ro", "pl", "sr", "ja"]


def _same_verdict(name: str, language: str) -> bool:
    """Whether the verdict given is the one shaping gives (a quick verdict is always "printable")."""
    verdict = printable.printable_name_problem(name, language=language)
    if not name.strip() or set(name) & BIDI_CONTROLS or not printable._surely_printable(clean(name)):
        return True  # refused before shaping, or shaped: the very path the verdict came from
    return verdict is None and printable._shaped_problem(clean(name), language) is None


def _at_the_edge(random_source: random.Random, alphabet: str) -> list[str]:
    """Names of ``alphabet`` one character short of the quick verdict's limit, and one past it."""
    name = ""
    while printable._surely_printable(name + "x"):
        name += random_source.choice(alphabet)
    return [name[:-1], name, name + random_source.choice(alphabet), name * 2]


def test_the_roster_and_the_test_worlds_names_get_the_same_verdict() -> None:
    names = [(name, language) for _family, name, language in ROSTER] + [(name, "") for name in DRILL_NAMES]

    assert all(_same_verdict(name, language) for name, language in names)
    quick = [name for name, _language in names if printable._surely_printable(clean(name))]
    latin = [name for family, name, _language in ROSTER if family == "latin"]
    assert set(latin) <= set(quick) and set(DRILL_NAMES) <= set(quick)


def test_generated_names_get_the_same_verdict() -> None:
    random_source = random.Random(15)
    alphabets = [PLAIN, PLAIN + COMBINING, PLAIN + IGNORABLE, PLAIN + BIDI, PLAIN + OTHER, "W", "Ǆ‱⸻", "il.'"]
    names = [
        "".join(random_source.choice(alphabet) for _ in range(random_source.randint(1, 120)))
        for alphabet in alphabets
        for _ in range(60)
    ]
    names += [name for alphabet in alphabets for name in _at_the_edge(random_source, alphabet)]
    names += ["W" * count for count in range(40, 90)] + ["AV" * count for count in range(20, 45)]

    assert all(_same_verdict(name, language) for name in names for language in LANGUAGES[:3])
    assert all(_same_verdict(name, language) for name in names[::7] for language in LANGUAGES[3:])
    # The quick verdict was given to many of them, at its edge too, and refused to anything unplain.
    quick = [name for name in names if printable._surely_printable(clean(name))]
    assert len(quick) > 100 and max(len(name) for name in quick) > 50
    assert not [name for name in quick if set(clean(name)) & set(COMBINING + IGNORABLE + BIDI + OTHER)]


def test_no_pair_of_the_latin_face_kerns_apart_more_than_the_quick_verdict_keeps_in_hand() -> None:
    latin = face("serif", BOLD)
    font = instancer.instantiateVariableFont(
        TTFont(io.BytesIO(latin.data)), {"wght": float(BOLD), "wdth": 100.0}
    )
    widest_apart = 0
    for lookup in font["GPOS"].table.LookupList.Lookup:
        for table in lookup.SubTable:
            pairs = table.ExtSubTable if lookup.LookupType == 9 else table
            if pairs.LookupType != 2:
                continue
            records = (
                [record for pair_set in pairs.PairSet for record in pair_set.PairValueRecord]
                if pairs.Format == 1
                else [record for first in pairs.Class1Record for record in first.Class2Record]
            )
            for record in records:
                apart = sum(
                    max(getattr(value, field, 0) or 0, 0)
                    for value in (record.Value1, record.Value2)
                    for field in ("XAdvance", "XPlacement")
                    if value is not None
                )
                widest_apart = max(widest_apart, apart)

    assert font["head"].unitsPerEm == 1000
    assert 0 < widest_apart <= printable.KERNING_IN_HAND


def test_the_height_guard_takes_a_lines_ink_from_its_deepest_bottom_to_its_highest_top() -> None:
    # A deep glyph and a tall one: each is 400 tall, a line holding both 900.
    assert printable.ink_height([(0.0, -300.0, 500.0, 100.0), (0.0, 200.0, 500.0, 600.0)]) == 900.0
    # The Latin face's whole range still fits the name's box at the floor size: the quick verdict is on.
    assert printable._plain_widths()[1] > 0
