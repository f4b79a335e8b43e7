"""Which terms of a JSON-LD document its contexts leave undefined (a check without a JSON-LD
processor or the network: the contexts are local copies).

Follows JSON-LD 1.1's scoping closely enough for credentials: a type's scoped context applies to
that node's own properties only (it does not propagate), a property's scoped context to the value
it holds and below. ``@vocab`` is ignored on purpose: a term that only the VC context's catch-all
vocabulary would give a meaning to ("issuer-dependent") counts as undefined.
"""

from __future__ import annotations

from typing import Any

Context = dict[str, Any]


def _merged(active: Context, scoped: object) -> Context:
    return {**active, **scoped} if isinstance(scoped, dict) else active


def undefined_terms(document: dict[str, Any], contexts: dict[str, Context]) -> list[str]:
    """The path of every property and type name no context defines."""
    active: Context = {}
    for entry in document["@context"]:  # a URL of a local copy, or a context written inline
        active = _merged(active, contexts[entry]["@context"] if isinstance(entry, str) else entry)
    missing: list[str] = []
    _walk(document, active, "$", missing)
    return missing


def _walk(node: dict[str, Any], active: Context, path: str, missing: list[str]) -> None:
    types = node.get("type", [])
    types = [types] if isinstance(types, str) else types
    own = active
    for name in types:
        definition = active.get(name)
        if definition is None:
            missing.append(f"{path}.type:{name}")
        elif isinstance(definition, dict):
            own = _merged(own, definition.get("@context"))
    for key, value in node.items():
        if key.startswith("@") or key == "type":
            continue
        definition = own.get(key)
        if definition is None:
            missing.append(f"{path}.{key}")
            continue
        below = _merged(active, definition.get("@context")) if isinstance(definition, dict) else active
        for index, item in enumerate(value if isinstance(value, list) else [value]):
            if isinstance(item, dict):
                _walk(item, below, f"{path}.{key}[{index}]", missing)
