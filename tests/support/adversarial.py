"""Documents made to cost a GraphQL server as much as possible while fitting under its request body
limit: each family grows one costly trait (fragment spreads that double, fields repeated, long
text, many definitions …) at a size given by the caller. The tests and bench/document_limits.py
throw them at the service."""

from __future__ import annotations

from collections.abc import Callable, Iterator

BODY_LIMIT = 1_000_000


def fragment_fan_out(levels: int) -> str:
    """Each fragment spreads the next twice: 2^levels fields once expanded, a few bytes a level."""
    fragments = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(levels))
    return f"{{ ...F0 }} {fragments} fragment F{levels} on Query {{ __typename }}"


def repeated_fields(copies: int) -> str:
    """One field asked for again and again: validation compares every pair."""
    return "{" + " viewer { id }" * copies + " }"


def repeated_nested_fields(copies: int) -> str:
    return "{" + " viewer { partner { slug name } }" * copies + " }"


def repeated_through_fragments(copies: int) -> str:
    spreads = " ".join(f"...F{i}" for i in range(copies))
    fragments = " ".join(f"fragment F{i} on User {{ id email }}" for i in range(copies))
    return f"{{ viewer {{ {spreads} }} }} {fragments}"


def wide_fragments(copies: int) -> str:
    """A wide fragment spread in many places: the expanded document is the product."""
    fields = " ".join(f"f{i}: __typename" for i in range(copies))
    spreads = " ".join(f"s{i}: viewer {{ ...W }}" for i in range(copies))
    return f"{{ {spreads} }} fragment W on User {{ {fields} }}"


def distinct_aliases(copies: int) -> str:
    return "{" + "".join(f" a{i}: __typename" for i in range(copies)) + " }"


def many_operations(copies: int) -> str:
    return " ".join(f"query Q{i} {{ ...F }}" for i in range(copies)) + " fragment F on Query { __typename }"


def many_variables(copies: int) -> str:
    variables = ", ".join(f"$v{i}: String" for i in range(copies))
    return f"query Q({variables}) {{ __typename }}"


def many_directives(copies: int) -> str:
    return "{ __typename" + " @skip(if: false)" * copies + " }"


def many_arguments(copies: int) -> str:
    arguments = ", ".join(f"a{i}: 1" for i in range(copies))
    return f"{{ viewer({arguments}) {{ id }} }}"


def unknown_fields(copies: int) -> str:
    """Each unknown field asks for suggestions, measured against every field of the type."""
    return "{" + "".join(f" viewr{i}" for i in range(copies)) + " }"


def long_name(characters: int) -> str:
    return "{ " + "v" * characters + " }"


def long_comment(characters: int) -> str:
    return "#" + "x" * characters + "\n{ __typename }"


def many_comments(lines: int) -> str:
    return "#\n" * lines + "{ __typename }"


def long_string(characters: int) -> str:
    return '{ verifyCertificate(code: "' + "x" * characters + '") { status } }'


def deep_nesting(levels: int) -> str:
    return "{" + " viewer {" * levels + " id" + " }" * levels + " }"


def deep_list(levels: int) -> str:
    return "{ viewer(a: " + "[" * levels + "]" * levels + ") { id } }"


FAMILIES: dict[str, Callable[[int], str]] = {
    "fragment_fan_out": fragment_fan_out,
    "repeated_fields": repeated_fields,
    "repeated_nested_fields": repeated_nested_fields,
    "repeated_through_fragments": repeated_through_fragments,
    "wide_fragments": wide_fragments,
    "distinct_aliases": distinct_aliases,
    "many_operations": many_operations,
    "many_variables": many_variables,
    "many_directives": many_directives,
    "many_arguments": many_arguments,
    "unknown_fields": unknown_fields,
    "long_name": long_name,
    "long_comment": long_comment,
    "many_comments": many_comments,
    "long_string": long_string,
    "deep_nesting": deep_nesting,
    "deep_list": deep_list,
}


def sizes() -> Iterator[int]:
    """Sizes from small to as large as fits: 1, 2, 5, 10, 20, 50 … 500,000."""
    for power in range(6):
        for step in (1, 2, 5):
            yield step * 10**power


def documents() -> Iterator[tuple[str, int, str]]:
    """(family, size, document) for every family at every size that fits under the body limit."""
    for family, make in FAMILIES.items():
        for size in sizes():
            document = make(size)
            if len(document.encode()) + 20 > BODY_LIMIT:  # the JSON around it
                break
            yield family, size, document
