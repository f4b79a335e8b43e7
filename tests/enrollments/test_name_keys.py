"""What searches compare a name by: the same key for the stored name and for what is typed."""

from __future__ import annotations

import pytest

from service.enrollments.rules import name_search_key


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("Jean-Luc O'Brien", "jean luc obrien"),
        ("jean luc o\u2019brien", "jean luc obrien"),  # right single quotation mark
        ("O\u2018Brien", "obrien"),  # left single quotation mark
        ("O\u02bcBrien", "obrien"),  # modifier letter apostrophe
        ("O\u00b4Brien", "obrien"),  # an acute accent typed for an apostrophe
        ("O\uff07Brien", "obrien"),  # full-width apostrophe
        ("Jean\u2011Luc", "jean luc"),  # non-breaking hyphen
        ("Jean \u2013 Luc", "jean luc"),  # en dash between spaces: one space
        ("Jean\u2212Luc", "jean luc"),  # minus sign
        ("Jean\u00adLuc", "jeanluc"),  # soft hyphen: never seen
        ("  Ángela\u00a0 Müller ", "angela muller"),
        ("Þóra Ødegaard", "thora odegaard"),
        ("' - \u2019", ""),
    ],
)
def test_apostrophes_are_left_out_and_dashes_are_spaces(text: str, key: str) -> None:
    assert name_search_key(text) == key
