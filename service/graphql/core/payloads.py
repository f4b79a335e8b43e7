"""What every mutation answers besides its object: the user errors, one per problem found."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

import strawberry

from service.errors import DomainError, ErrorCode, Problem

ResultT = TypeVar("ResultT")

UserErrorCode = strawberry.enum(ErrorCode, name="UserErrorCode", description="Why an input was refused.")


@strawberry.type(description="A refusal a user can act on, pointing at the input field it concerns.")
class UserError:
    field: list[str] | None = strawberry.field(
        description="Path of the input field, e.g. ['postalAddress', 'city']."
    )
    code: UserErrorCode  # type: ignore[valid-type]
    message: str

    @classmethod
    def from_problem(cls, problem: Problem) -> UserError:
        return cls(
            field=list(problem.field) if problem.field else None, code=problem.code, message=problem.message
        )


async def attempt(work: Awaitable[ResultT]) -> tuple[ResultT | None, list[UserError]]:
    """The result of a service call, or the user errors of its refusal."""
    try:
        return await work, []
    except DomainError as error:
        return None, [UserError.from_problem(problem) for problem in error.problems]


def both_selection_and_filter(
    enrollment_ids: object | None, candidate_filter: object | None
) -> list[UserError]:
    """The refusal of an input that gives both a selection and a filter (one would be ignored):
    the domain is handed one or the other, so only the input can tell."""
    if enrollment_ids is None or candidate_filter is None:
        return []
    problem = Problem(
        ErrorCode.INVALID_VALUE,
        "Give either enrollmentIds (the selected course-takers) or filter (every course-taker it "
        "matches), not both.",
        ("filter",),
    )
    return [UserError.from_problem(problem)]
