"""docs/api.md's table of error codes names every code a client can be answered: each `UserErrorCode`
of the schema, and the top-level ones raised outside it."""

from __future__ import annotations

import re
from pathlib import Path

from service.errors import ErrorCode
from service.graphql.core.websockets import TOO_MANY_SUBSCRIPTIONS

API_DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"
TABLE_HEADER = "| code | answered in | rule |"


def _documented_codes() -> set[str]:
    text = API_DOCS.read_text(encoding="utf-8")
    table = text[text.index(TABLE_HEADER) :].split("\n\n", 1)[0]
    first_cells = [row.split("|")[1] for row in table.splitlines()[2:]]
    return {code for cell in first_cells for code in re.findall(r"`([A-Z_]+)`", cell)}


def test_every_code_is_in_the_table() -> None:
    answered = {code.value for code in ErrorCode} | {TOO_MANY_SUBSCRIPTIONS}

    assert sorted(answered - _documented_codes()) == []
