"""The dashboard's prefetch of the rows' cohorts leaves a database failure to the rows (each meets it
at its own ``cohorts``, as without the prefetch) and lets any other exception fail the list."""

from __future__ import annotations

import pytest
from tortoise.exceptions import DBConnectionError, IntegrityError, OperationalError

from service.graphql.recognitions.queries import left_to_the_rows


@pytest.mark.parametrize(
    ("error", "left"),
    [
        (OperationalError("canceling statement due to statement timeout"), True),
        (IntegrityError("a constraint"), True),
        (DBConnectionError("connection refused"), True),
        (ConnectionResetError("reset by peer"), True),
        (TimeoutError(), True),
        (TypeError("a fault of the code"), False),
        (KeyError(7), False),
        (AssertionError("every row has cohorts"), False),
    ],
)
def test_only_the_databases_failures_are_left_to_the_rows(error: Exception, left: bool) -> None:
    assert left_to_the_rows(error) is left
