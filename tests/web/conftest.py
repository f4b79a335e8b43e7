"""The browser tests' shared server, browser and watched tab (tests/support/browser.py)."""

from tests.support.browser import browser, portal, tab

__all__ = ["browser", "portal", "tab"]
