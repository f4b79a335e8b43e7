"""People's names: how a message names a course-taker, and how names sort and are searched, the same
on every database (pure, no I/O)."""

from __future__ import annotations

import unicodedata

# Letters that carry no combining mark to strip, folded to the letters readers file them under.
FOLDED = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i"})
LEVEL_LENGTH = 80
LEVEL_SEPARATOR = "\x01"  # sorts before every printable character: "Ana" before "Ana Bell"
SORT_NAME_LENGTH = 3 * (LEVEL_LENGTH * 4 + 1) * 2
SEARCH_NAME_LENGTH = 1000  # a name is at most 300 characters; folding may lengthen it (þ → th)
# What searches ignore: apostrophes however typed ("O’Brien", "O'Brien" and "OBrien" alike), and the
# soft hyphen, which is never seen. The acute and grave accents stand in for an apostrophe when
# typed alone. Dashes (Unicode's Pd, and the minus sign) count as spaces: "Jean-Luc" is "jean luc".
APOSTROPHES = "'\u2019\u2018\u201b\u02bc\u02bb`\u00b4\u2032\uff07"
SEARCH_FOLDED = str.maketrans({**dict.fromkeys(APOSTROPHES + "\u00ad"), "\u2212": " "})


def name_or_email(name: str, email: str) -> str:
    """How a message names a course-taker: by their name, or by their email while Canvas gives them
    none (stored blank: never replaced by the email, which would then be printed as their name)."""
    return name if name.strip() else email


def name_sort_key(name: str) -> str:
    """The key names sort by: first by their letters without accents or case ("Ángela" with
    "angela", before "Zoë"), then accents, then case, then the name as written. The key is the
    UTF-8 of those levels in hexadecimal: ASCII, whose order is the same under every database's
    collation (byte order on SQLite, any locale on PostgreSQL)."""
    decomposed = unicodedata.normalize("NFKD", " ".join(name.split()))
    letters = _letters(decomposed)
    levels = (letters[:LEVEL_LENGTH], decomposed.casefold()[:LEVEL_LENGTH], decomposed[:LEVEL_LENGTH])
    return LEVEL_SEPARATOR.join(levels).encode("utf-8").hex()


def name_search_key(text: str) -> str:
    """A name, or what someone types to find it, as searches compare them: its letters without
    accents or case, apostrophes left out, dashes as spaces, spaces collapsed ("ángela  müller"
    finds "Ángela Müller", "ZOE" finds "Zoë", "o’brien" and "jean luc" find "Jean-Luc O'Brien").
    Made the same way for the stored key and the query, so every database compares them alike."""
    # Folded before decomposing (an acute accent alone decomposes to a space and its mark) and after
    # (a full-width apostrophe decomposes to an apostrophe).
    decomposed = unicodedata.normalize("NFKD", _without_punctuation(text))
    return " ".join(_without_punctuation(_letters(decomposed)).split())[:SEARCH_NAME_LENGTH]


def _without_punctuation(text: str) -> str:
    folded = text.translate(SEARCH_FOLDED)
    return "".join(" " if unicodedata.category(c) == "Pd" else c for c in folded)


def _letters(decomposed: str) -> str:
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().translate(FOLDED)
