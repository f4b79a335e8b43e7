"""Which recognition a certificate handed out through another one belongs to: the pure rule over
every combination (the API's journeys are in test_provisional_ceremony_date.py)."""

from __future__ import annotations

import itertools

import pytest

from service.certificates.rules import taken_over

# (provisional, from_cancelled, from_request, by_ceremony): taken over?
TAKEN_OVER = {
    # a cancelled ceremony's certificates are no one's: whoever hands them out takes them, valid or not
    (True, True, False, True): True,
    (False, True, False, True): True,
    (True, True, False, False): True,
    (False, True, False, False): True,
    # a certificate request's provisional one (no day of its own) goes to the ceremony handing it out
    (True, False, True, True): True,
    # ... but not to another request, and a valid one keeps its completion date where it is
    (True, False, True, False): False,
    (False, False, True, True): False,
    (False, False, True, False): False,
    # a live ceremony's stay its own, whoever hands them out
    (True, False, False, True): False,
    (False, False, False, True): False,
    (True, False, False, False): False,
    (False, False, False, False): False,
}


@pytest.mark.parametrize(("case", "expected"), TAKEN_OVER.items())
def test_take_over_table(case: tuple[bool, bool, bool, bool], expected: bool) -> None:
    provisional, from_cancelled, from_request, by_ceremony = case
    assert (
        taken_over(
            provisional=provisional,
            from_cancelled=from_cancelled,
            from_request=from_request,
            by_ceremony=by_ceremony,
        )
        is expected
    )


def test_the_table_covers_every_case_that_can_happen() -> None:
    # (only a ceremony is cancelled: a cancelled certificate request cannot be)
    possible = {case for case in itertools.product([True, False], repeat=4) if not (case[1] and case[2])}
    assert set(TAKEN_OVER) == possible
