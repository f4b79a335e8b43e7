"""What a field's selection asks for below it, read from the document (through fragments), so a
list's resolver can load what its rows will need in one batch before it returns them."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode, SelectionSetNode


def selects(info: Any, *path: str) -> bool:
    """Whether the field being resolved selects ``path`` (field names, not aliases) under it."""
    raw = info._raw_info
    level: list[SelectionSetNode] = [node.selection_set for node in raw.field_nodes if node.selection_set]
    for name in path:
        level = [
            field.selection_set if field.selection_set else SelectionSetNode(selections=())
            for field in _fields(level, raw.fragments)
            if field.name.value == name
        ]
        if not level:
            return False
    return True


def _fields(selection_sets: Iterable[SelectionSetNode], fragments: dict[str, Any]) -> list[FieldNode]:
    found: list[FieldNode] = []
    pending, seen = list(selection_sets), set()
    while pending:
        for selection in pending.pop().selections:
            if isinstance(selection, FieldNode):
                found.append(selection)
            elif isinstance(selection, InlineFragmentNode):
                pending.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in seen:
                seen.add(selection.name.value)
                if selection.name.value in fragments:
                    pending.append(fragments[selection.name.value].selection_set)
    return found
