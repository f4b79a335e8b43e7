"""How people's names sort: as people read them, the same on every database (pure, no I/O)."""

from __future__ import annotations

import unicodedata

# Letters that carry no combining mark to strip, folded to the letters readers file them under.
FOLDED = str.maketrans({"ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe", "ı": "i"})
LEVEL_LENGTH = 80
LEVEL_SEPARATOR = "\x01"  # sorts before every printable character: "Ana" before "Ana Bell"
SORT_NAME_LENGTH = 3 * (LEVEL_LENGTH * 4 + 1) * 2


def name_sort_key(name: str) -> str:
    """The key names sort by: first by their letters without accents or case ("Ángela" with
    "angela", before "Zoë"), then accents, then case, then the name as written. The key is the
    UTF-8 of those levels in hexadecimal: ASCII, whose order is the same under every database's
    collation (byte order on SQLite, any locale on PostgreSQL)."""
    decomposed = unicodedata.normalize("NFKD", " ".join(name.split()))
    letters = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().translate(FOLDED)
    levels = (letters[:LEVEL_LENGTH], decomposed.casefold()[:LEVEL_LENGTH], decomposed[:LEVEL_LENGTH])
    return LEVEL_SEPARATOR.join(levels).encode("utf-8").hex()
