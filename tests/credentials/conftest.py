"""The credentials tests' world (tests/support/credentials.py)."""

from tests.support.credentials import world

__all__ = ["world"]
