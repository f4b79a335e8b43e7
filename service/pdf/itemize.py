"""A line of text cut into runs HarfBuzz can shape: one bidi level and one script each.

Levels come from the Unicode Bidirectional Algorithm (ICU's, through PyICU), so a Hebrew or Arabic
name with Latin in it reads right; explicit bidi controls are taken out first, so a name cannot
turn its own reading order around. Characters of no script of their own (spaces, punctuation,
digits: Common) and combining marks (Inherited) join the script around them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import icu
from fontTools import unicodedata as font_unicodedata

# LRE RLE PDF LRO RLO, LRI RLI FSI PDI, and the marks LRM RLM ALM.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
NEUTRAL_SCRIPTS = {"Zyyy", "Zinh", "Zzzz"}


@dataclass(frozen=True)
class Run:
    """Characters ``start``..``end`` of a line, at one bidi level, in one script."""

    start: int
    end: int
    level: int
    script: str

    @property
    def rtl(self) -> bool:
        return self.level % 2 == 1


def without_bidi_controls(text: str) -> str:
    return "".join(character for character in text if character not in BIDI_CONTROLS)


def bidi_levels(text: str) -> list[int]:
    """Each character's embedding level; the paragraph's direction is its first strong letter's."""
    if not text:
        return []
    bidi = icu.Bidi()
    bidi.setPara(icu.UnicodeString(text), icu.Bidi.DEFAULT_LTR)
    utf16_levels = bidi.getLevels()
    levels, position = [], 0
    for character in text:  # ICU counts UTF-16 units; an astral character is two
        levels.append(utf16_levels[position])
        position += 2 if ord(character) > 0xFFFF else 1
    return levels


@functools.lru_cache(maxsize=4096)
def script_of(character: str) -> str:
    # Kept: fontTools searches its table for every character, and each page shapes a few hundred.
    return str(font_unicodedata.script(character))


def scripts(text: str) -> list[str]:
    """Each character's script, Common and Inherited ones resolved to the script around them."""
    found = [script_of(character) for character in text]
    resolved: list[str] = []
    for script in found:
        if script in NEUTRAL_SCRIPTS and resolved:
            script = resolved[-1]
        resolved.append(script)
    # A line that starts with neutrals takes the script of its first letter.
    first = next((script for script in resolved if script not in NEUTRAL_SCRIPTS), "Zyyy")
    return [first if script in NEUTRAL_SCRIPTS else script for script in resolved]


def runs(text: str) -> list[Run]:
    """The line's runs in logical order."""
    levels, found = bidi_levels(text), scripts(text)
    result: list[Run] = []
    start = 0
    for index in range(1, len(text) + 1):
        if index == len(text) or (levels[index], found[index]) != (levels[start], found[start]):
            result.append(Run(start, index, levels[start], found[start]))
            start = index
    return result


def visual_order(line_runs: list[Run]) -> list[Run]:
    """Runs left to right (rule L2: reverse every sequence at or above each odd level and up)."""
    ordered = list(line_runs)
    if not ordered:
        return ordered
    highest = max(run.level for run in ordered)
    lowest_odd = min((run.level for run in ordered if run.level % 2), default=highest + 1)
    for level in range(highest, lowest_odd - 1, -1):
        index = 0
        while index < len(ordered):
            if ordered[index].level >= level:
                end = index
                while end < len(ordered) and ordered[end].level >= level:
                    end += 1
                ordered[index:end] = reversed(ordered[index:end])
                index = end
            else:
                index += 1
    return ordered
