"""Free text from users: trimmed, bounded, and free of control characters."""

from __future__ import annotations

import re

from service.errors import ErrorCode, Problem

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_text(
    value: str | None, *, field: tuple[str, ...], max_length: int, required: bool
) -> tuple[str | None, list[Problem]]:
    """Trimmed text, or the problems with it: blank when required, too long, control characters."""
    text = (value or "").strip()
    if not text:
        return None, [Problem(ErrorCode.REQUIRED, "This field is required.", field)] if required else []
    if _CONTROL.search(text):
        return None, [Problem(ErrorCode.INVALID_TEXT, "Remove the control characters.", field)]
    if len(text) > max_length:
        return None, [Problem(ErrorCode.TOO_LONG, f"At most {max_length} characters.", field)]
    return text, []
