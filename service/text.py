"""Free text from users: trimmed, bounded, and free of control characters and bidi controls."""

from __future__ import annotations

import re
import unicodedata

from service.errors import ErrorCode, Problem

# C0 and C1 controls, DEL, and the line and paragraph separators: everything str.splitlines()
# breaks on, so no stored text can end a mail header line or a CSV row early.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROLS = re.compile(_CONTROL.pattern + "+")
LINE_BREAKS = frozenset("\n\r\t\v\f\x1c\x1d\x1e\x85\u2028\u2029")  # what typing, pasting a paragraph, brings
# The bidi embeddings, overrides and isolates (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI) and the
# marks (LRM, RLM, ALM): each can change the order text reads in, so a name could spoof its own
# reading on a certificate, the dashboard or the verification page.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def clean_text(
    value: str | None, *, field: tuple[str, ...], max_length: int, required: bool
) -> tuple[str | None, list[Problem]]:
    """Trimmed text, or the problems with it: blank when required, too long, control characters."""
    text = (value or "").strip()
    if not text:
        return None, [Problem(ErrorCode.REQUIRED, "This field is required.", field)] if required else []
    if found := set(_CONTROL.findall(text)):
        message = (
            "Write it on one line: line breaks and tabs cannot be kept here."
            if found <= LINE_BREAKS
            else "Remove the control characters."
        )
        return None, [Problem(ErrorCode.INVALID_TEXT, message, field)]
    if controls := bidi_controls_in(text):
        message = (
            f"Remove the bidi control characters ({named(controls)}): they change the order text reads in."
        )
        return None, [Problem(ErrorCode.BIDI_CONTROL, message, field)]
    if len(text) > max_length:
        return None, [Problem(ErrorCode.TOO_LONG, f"At most {max_length} characters.", field)]
    return text, []


def bidi_controls_in(text: str) -> list[str]:
    """The distinct bidi controls in ``text``, in code point order."""
    return sorted(set(text) & BIDI_CONTROLS)


def without_bidi_controls(text: str) -> str:
    return "".join(character for character in text if character not in BIDI_CONTROLS)


def named(characters: list[str]) -> str:
    """``U+202E RIGHT-TO-LEFT OVERRIDE, …``: characters a reader cannot see, named."""
    return ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, 'UNNAMED')}" for c in characters)


def one_line(text: str) -> str:
    """``text`` with each run of control or line-breaking characters made one space: safe in a mail
    header whatever was stored (the API refuses such text; imported data might hold it)."""
    return _CONTROLS.sub(" ", text)
