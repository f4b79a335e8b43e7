"""Verification codes: easy to read aloud, unguessable, and a check symbol that catches typing slips."""

from __future__ import annotations

import re

import pytest

from service.certificates.rules import CODE_ALPHABET, new_code, normalize_code
from service.errors import DomainError, ErrorCode

SHAPE = re.compile(r"^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{3}$")


def _code_of(error: pytest.ExceptionInfo[DomainError]) -> ErrorCode:
    return error.value.problems[0].code


def test_new_codes_have_the_shape_and_no_confusable_symbols() -> None:
    codes = {new_code() for _ in range(2000)}

    assert len(codes) == 2000
    assert all(SHAPE.match(code) for code in codes)
    assert not set("".join(codes)) & set("01OI")
    assert all(normalize_code(code) == code for code in codes)


def test_spaces_dashes_and_case_do_not_matter() -> None:
    code = new_code()

    assert normalize_code(f"  {code.lower().replace('-', ' ')} ") == code
    assert normalize_code(code.replace("-", "")) == code


def test_full_width_symbols_other_dashes_and_invisible_marks_do_not_matter() -> None:
    code = new_code()
    full_width = "".join(chr(ord(c) + 0xFEE0) if c != "-" else "\uff0d" for c in code)

    assert normalize_code(full_width) == code
    assert normalize_code("\u202e" + code.replace("-", "\u2013") + "\u200b") == code


def test_every_single_symbol_slip_is_caught() -> None:
    code = normalize_code(new_code()).replace("-", "")
    for position in range(len(code)):
        for symbol in CODE_ALPHABET:
            if symbol == code[position]:
                continue
            slipped = code[:position] + symbol + code[position + 1 :]
            with pytest.raises(DomainError) as error:
                normalize_code(slipped)
            assert _code_of(error) is ErrorCode.MISTYPED_CODE


def test_every_swap_of_neighbours_is_caught() -> None:
    for _ in range(500):
        code = new_code().replace("-", "")
        for position in range(len(code) - 1):
            if code[position] == code[position + 1]:
                continue
            swapped = code[:position] + code[position + 1] + code[position] + code[position + 2 :]
            with pytest.raises(DomainError) as error:
                normalize_code(swapped)
            assert _code_of(error) is ErrorCode.MISTYPED_CODE


@pytest.mark.parametrize(
    ("typed", "code", "message"),
    [
        ("ABCD-EFGH", ErrorCode.INVALID_CODE, "A code has 11 symbols."),
        (
            "ABCD-EFGH-JK0",
            ErrorCode.INVALID_CODE,
            "A code never contains 0 (no 0, O, 1 or I): check the symbols.",
        ),
        (
            "AICD-EFGH-JKO",
            ErrorCode.INVALID_CODE,
            "A code never contains I, O (no 0, O, 1 or I): check the symbols.",
        ),
    ],
)
def test_malformed_codes_say_what_is_wrong(typed: str, code: ErrorCode, message: str) -> None:
    with pytest.raises(DomainError) as error:
        normalize_code(typed)

    assert (error.value.problems[0].code, error.value.problems[0].message) == (code, message)


def test_codes_never_hold_the_one_swap_the_check_cannot_see() -> None:
    codes = [new_code().replace("-", "") for _ in range(5000)]

    assert not [code for code in codes if "2Z" in code or "Z2" in code]
