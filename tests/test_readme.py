"""The README's configuration table lists every setting."""

from pathlib import Path

from service.settings import Settings

README = Path(__file__).resolve().parent.parent / "README.md"


def test_every_setting_is_documented() -> None:
    text = README.read_text(encoding="utf-8")

    missing = [name for name in Settings.model_fields if f"`PORTAL_{name.upper()}`" not in text]

    assert missing == []
