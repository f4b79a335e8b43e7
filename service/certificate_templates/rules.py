"""A design as a template stores it, checked: wording, colours that read on white paper, up to
three signatories. Pure: no database (the images' ownership is checked by the services)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from service.errors import ErrorCode, Problem
from service.pdf.branding import GOLD, MAX_SIGNATORIES, NAVY, RGB, Wording
from service.text import clean_text

MAX_WORDS = 120
MAX_SIGNATORY_TEXT = 100
HEX_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")
# WCAG 2 contrast against the white page: text (the title, the program) needs 4.5:1; the accent
# draws rules and the frame's inner line, graphics, which need 3:1.
TEXT_CONTRAST, GRAPHICS_CONTRAST = 4.5, 3.0
WORDING_KEYS = tuple(item.name for item in fields(Wording))


@dataclass(frozen=True)
class SignatoryInput:
    name: str
    title: str
    signature_image_id: int | None = None


@dataclass(frozen=True)
class DesignInput:
    """A whole design; what is left out is the default's."""

    wording: dict[str, str] = field(default_factory=dict)
    second_language: dict[str, str] | None = None
    primary_color: str | None = None
    accent_color: str | None = None
    partner_logo_id: int | None = None
    organisation_logo_id: int | None = None
    signatories: tuple[SignatoryInput, ...] = ()


def hex_color(color: RGB) -> str:
    return "#" + "".join(f"{component:02X}" for component in color)


def rgb(color: str) -> RGB:
    return (int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16))


def contrast_with_white(color: RGB) -> float:
    def linear(component: int) -> float:
        value = component / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(component) for component in color)
    luminance = 0.2126 * red + 0.7152 * green + 0.0722 * blue
    return 1.05 / (luminance + 0.05)


def checked_design(design: DesignInput) -> tuple[dict[str, Any], list[Problem]]:
    """The design as stored, or every problem with it (by input field)."""
    problems: list[Problem] = []
    wording = _wording(design.wording, ("design", "wording"), problems, defaults=asdict(Wording()))
    second = None
    if design.second_language is not None:
        second = _wording(design.second_language, ("design", "secondLanguage"), problems, defaults=None)
    stored: dict[str, Any] = {
        "wording": wording,
        "secondLanguage": second,
        "primary": _color(design.primary_color, NAVY, TEXT_CONTRAST, "primaryColor", problems),
        "accent": _color(design.accent_color, GOLD, GRAPHICS_CONTRAST, "accentColor", problems),
        "partnerLogo": design.partner_logo_id,
        "organisationLogo": design.organisation_logo_id,
        "signatories": [],
    }
    if len(design.signatories) > MAX_SIGNATORIES:
        problems.append(
            Problem(
                ErrorCode.TOO_MANY_SIGNATORIES,
                f"At most {MAX_SIGNATORIES} signatories.",
                ("design", "signatories"),
            )
        )
    for index, signatory in enumerate(design.signatories[:MAX_SIGNATORIES]):
        where = ("design", "signatories", str(index))
        name, name_problems = clean_text(
            signatory.name, field=(*where, "name"), max_length=MAX_SIGNATORY_TEXT, required=True
        )
        title, title_problems = clean_text(
            signatory.title, field=(*where, "title"), max_length=MAX_SIGNATORY_TEXT, required=False
        )
        problems += name_problems + title_problems
        stored["signatories"].append(
            {"name": name or "", "title": title or "", "signature": signatory.signature_image_id}
        )
    return stored, problems


def _wording(
    given: dict[str, str], where: tuple[str, ...], problems: list[Problem], *, defaults: dict[str, str] | None
) -> dict[str, str]:
    """Each key's words: given, or the default's (a second language has none: blank is left out)."""
    wording: dict[str, str] = {}
    for key in WORDING_KEYS:
        if key not in given:
            wording[key] = defaults[key] if defaults is not None else ""
            continue
        text, found = clean_text(
            given[key], field=(*where, key), max_length=MAX_WORDS, required=defaults is not None
        )
        problems += found
        wording[key] = text or ""
    return wording


def _color(given: str | None, default: RGB, least: float, key: str, problems: list[Problem]) -> str:
    if given is None:
        return hex_color(default)
    where = ("design", key)
    if not HEX_COLOR.fullmatch(given):
        problems.append(Problem(ErrorCode.INVALID_COLOR, "A colour as #RRGGBB, e.g. #1F3A5F.", where))
        return given
    contrast = contrast_with_white(rgb(given))
    if contrast < least:
        problems.append(
            Problem(
                ErrorCode.LOW_CONTRAST,
                f"{given.upper()} has a contrast of {contrast:.1f}:1 on the white page; at least "
                f"{least:g}:1 is needed to read it. Choose a darker colour.",
                where,
            )
        )
    return given.upper()
