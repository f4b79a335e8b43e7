"""Links we mail: pages of the partner portal (a front end), named by the API's global ids.

The portal's address and its routes are settings, so a deployment's own front end gets links it
can open; by default they open the example portal this service serves at `/`.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from urllib.parse import quote, urlencode

DEFAULT_RECOGNITION_ROUTE = "/recognitions/{id}"
DEFAULT_CERTIFICATES_ROUTE = "/recognitions/{id}/certificates"


def global_id(type_name: str, key: int) -> str:
    """The API's id of a record: base64 of ``Type:key``, as the GraphQL layer (Relay) makes it."""
    return base64.b64encode(f"{type_name}:{key}".encode()).decode("ascii")


@dataclass(frozen=True, slots=True)
class PortalLinks:
    """The portal's address and route templates; ``{id}`` in a route stands for a global id."""

    app_url: str
    recognition_route: str = DEFAULT_RECOGNITION_ROUTE
    certificates_route: str = DEFAULT_CERTIFICATES_ROUTE

    def recognition(self, type_name: str, key: int) -> str:
        """A recognition's details page."""
        return self._page(self.recognition_route, type_name, key)

    def certificates(self, type_name: str, key: int) -> str:
        """A recognition's certificates step."""
        return self._page(self.certificates_route, type_name, key)

    def _page(self, route: str, type_name: str, key: int) -> str:
        # Percent-encoded, so a "/" or "+" of base64 cannot end the route early (decode to read it).
        return self.app_url.rstrip("/") + route.replace("{id}", quote(global_id(type_name, key), safe="="))


def with_query(url: str, **parameters: str) -> str:
    """The link with these parameters added to its query: after the route's own (`&`), before its
    fragment, the rest kept as it is (a route template may hold both: `/portal?step=certificates#top`)."""
    before_fragment, hash_sign, fragment = url.partition("#")
    joiner = "" if before_fragment.endswith(("?", "&")) else "&" if "?" in before_fragment else "?"
    return f"{before_fragment}{joiner}{urlencode(parameters)}{hash_sign}{fragment}"
