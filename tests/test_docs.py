"""The docs stay true to the code: every setting documented, every link and named file there."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from service.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
# a repository path in backticks, such as `service/recognitions/wizard.py` or `tests/support/`
NAMED_PATH = re.compile(r"`((?:service|workers|tests|bench|assets|docs)/[\w./-]*)`")


def test_every_setting_is_documented() -> None:
    text = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")

    missing = [name for name in Settings.model_fields if f"`PORTAL_{name.upper()}`" not in text]

    assert missing == []


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_every_link_and_named_file_exists(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    linked = [page.parent / target for target in LINK.findall(text) if "://" not in target]
    named = [ROOT / path for path in NAMED_PATH.findall(text)]

    missing = [str(path.relative_to(ROOT)) for path in linked + named if not path.resolve().exists()]

    assert missing == []
