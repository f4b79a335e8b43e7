"""Every object value a plan completes while the test suite runs, held to graphql-core's completion
of the same value at the same moment (same request, same loaders, same data): the served schema
runs with ``CheckedPlainExecutionContext`` in the tests, which answers graphql-core's result and
records any difference as exact JSON (key order included). ``tests/conftest.py`` fails a test that
left one."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from graphql.pyutils import Path

from service.graphql.core.plain_execution import PlainExecutionContext

differences: list[str] = []
"""What a plan answered that graphql-core did not, since the last test took them."""
checked = [0]
"""How many object values a plan completed and graphql-core was asked to complete too."""
planned_types: Counter[str] = Counter()
"""The same, by object type (for the tests that show which values take the fast path)."""


def _exact(value: Any) -> str:
    return json.dumps(value, default=repr)


class CheckedPlainExecutionContext(PlainExecutionContext):
    def complete_object_value(
        self,
        return_type: Any,
        field_details_list: Any,
        info: Any,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        planned = self._planned_value(return_type, field_details_list, info, path, result, position_context)
        stock = super(PlainExecutionContext, self).complete_object_value(
            return_type, field_details_list, info, path, result, position_context
        )
        if planned is None:
            return stock
        checked[0] += 1
        planned_types[return_type.name] += 1
        where = f"{return_type.name} at {path.as_list()}"
        if self.is_awaitable(stock):

            async def compared() -> Any:
                value = await stock
                _compare(where, planned, value)
                return value

            return compared()
        _compare(where, planned, stock)
        return stock


def _compare(where: str, planned: dict[str, Any], stock: Any) -> None:
    if _exact(planned) != _exact(stock):
        differences.append(f"{where}: plan {_exact(planned)[:400]} != graphql-core {_exact(stock)[:400]}")
