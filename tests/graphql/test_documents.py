"""Documents that would cost the server much are refused before anything costly looks at them, and
the rest are parsed and validated off the event loop: the work is counted, never the clock."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import graphql.validation.rules.overlapping_fields_can_be_merged as overlapping
import httpx
import pytest
from graphql import DocumentNode, GraphQLError, GraphQLSchema, specified_rules

from service.graphql.core.extensions import documents
from service.graphql.core.extensions.documents import admit, limits_of
from service.graphql.schema import schema
from service.settings import Settings
from tests.support.adversarial import documents as adversarial_documents
from tests.support.adversarial import fragment_fan_out, repeated_fields

# The documents: 839 bytes that expand to 2^20 fields, and 490 copies of one field.
FAN_OUT = fragment_fan_out(20)
DUPLICATES = repeated_fields(490)
ANONYMOUS = "{" + " viewer { id }" * 20 + " }"
VERIFY = '{ verifyCertificate(code: "NOPE-NOPE") { outcome } }'


class Validations:
    """Records each validation the service runs: on which thread, and the work graphql-core's
    field-merging check spent (its own complexity budget, the part that grows quadratically)."""

    def __init__(self) -> None:
        self.threads: list[int] = []
        self.work = 0

    def spend(self, original: Any) -> Any:
        def counted(context: Any, cost: int) -> None:
            self.work += cost
            original(context, cost)

        return counted


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> Iterator[Validations]:
    recorded = Validations()
    validate = documents.validate_document

    def recording(schema: GraphQLSchema, document: DocumentNode, rules: Any) -> list[GraphQLError]:
        recorded.threads.append(threading.get_ident())
        return validate(schema, document, rules)

    monkeypatch.setattr(documents, "validate_document", recording)
    monkeypatch.setattr(
        overlapping, "spend_complexity_budget", recorded.spend(overlapping.spend_complexity_budget)
    )
    yield recorded


async def _anonymous(http: httpx.AsyncClient, query: str) -> tuple[int, dict[str, Any]]:
    response = await http.post("/graphql", json={"query": query})
    return response.status_code, response.json()


def _codes(body: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(error["extensions"]["code"], error["extensions"].get("found")) for error in body["errors"]]


async def test_fragment_fan_out_is_refused_before_validation(
    http: httpx.AsyncClient, validations: Validations
) -> None:
    # when
    status, body = await _anonymous(http, FAN_OUT)

    # then: the operation (2^20) and the fragments (2^21 - 1) expanded, refused without validating
    assert (len(FAN_OUT), status) == (818, 200)
    assert body["data"] is None
    assert _codes(body) == [("QUERY_TOO_LARGE", 2**20 + 2**21 - 1), ("TOO_MANY_REPEATED_FIELDS", 2**20)]
    assert body["errors"][0]["message"] == (
        "The document selects 3,145,727 fields once its fragments are expanded; at most 2,000 are allowed."
    )
    assert validations.threads == []


def test_each_fragment_is_measured_once(settings: Settings) -> None:
    # given: fan-outs of 20 and 40 levels (2^40 fields once expanded)
    found = [
        admit(
            fragment_fan_out(levels),
            max_characters=settings.max_query_characters,
            max_tokens=settings.max_query_tokens,
            limits=limits_of(settings),
        )
        for levels in (20, 40)
    ]

    # then: the work grows with the document's length (4 visits a level), not with its expansion
    assert [admitted.visits for admitted in found] == [83, 163]
    assert [[error.extensions["found"] for error in admitted.errors] for admitted in found] == [  # type: ignore[index]
        [2**20 + 2**21 - 1, 2**20],
        [2**40 + 2**41 - 1, 2**40],
    ]


async def test_repeated_fields_are_refused_before_validation(
    http: httpx.AsyncClient, validations: Validations
) -> None:
    # when
    status, body = await _anonymous(http, DUPLICATES)

    # then
    assert status == 200
    assert _codes(body) == [("TOO_MANY_REPEATED_FIELDS", 490)]
    assert body["errors"][0]["message"] == (
        "The document selects one field 490 times in one place; at most 30 are allowed."
    )
    assert validations.threads == []


async def test_anonymous_operations_are_refused_before_validation(
    http: httpx.AsyncClient, validations: Validations
) -> None:
    # when
    status, body = await _anonymous(http, ANONYMOUS)
    through_a_fragment = await _anonymous(http, "{ ...F } fragment F on Query { __typename viewer { id } }")

    # then
    assert (status, body["data"]) == (200, None)
    assert [error["extensions"]["code"] for error in body["errors"]] == ["UNAUTHENTICATED"]
    assert [error["extensions"]["code"] for error in through_a_fragment[1]["errors"]] == ["UNAUTHENTICATED"]
    assert validations.threads == []


async def test_the_public_operation_is_validated_off_the_event_loop(
    http: httpx.AsyncClient, validations: Validations
) -> None:
    # when
    status, body = await _anonymous(http, VERIFY)

    # then
    assert (status, body) == (200, {"data": {"verifyCertificate": {"outcome": "MALFORMED"}}})
    assert len(validations.threads) == 1
    assert validations.threads[0] != threading.get_ident()


async def test_a_document_is_validated_once(http: httpx.AsyncClient, validations: Validations) -> None:
    query = '{ verifyCertificate(code: "ONCE-ONLY") { outcome } }'
    for _ in range(3):
        await _anonymous(http, query)

    assert len(validations.threads) == 1


async def test_a_document_longer_than_the_limit_is_not_parsed(
    http: httpx.AsyncClient, settings: Settings
) -> None:
    query = "#" + "x" * settings.max_query_characters + "\n{ __typename }"

    status, body = await _anonymous(http, query)

    assert status == 200
    assert _codes(body) == [("QUERY_TOO_LONG", settings.max_query_characters + 16)]


def test_no_document_under_the_body_limit_makes_much_work(
    settings: Settings, validations: Validations
) -> None:
    """Every adversarial family at every size that fits in a request body: measuring costs a few
    visits per token, and what is admitted validates within a small budget of comparisons (the
    benchmark bench/document_limits.py prints the times these stand for)."""
    limits = limits_of(settings)
    worst_visits = worst_work = admitted_count = 0
    for _family, _size, query in adversarial_documents():
        admitted = admit(
            query,
            max_characters=settings.max_query_characters,
            max_tokens=settings.max_query_tokens,
            limits=limits,
        )
        worst_visits = max(worst_visits, admitted.visits)
        if admitted.errors:
            continue
        assert admitted.document is not None
        admitted_count += 1
        validations.work = 0
        documents.validate_document(schema._schema, admitted.document, tuple(specified_rules))
        worst_work = max(worst_work, validations.work)

    assert admitted_count > 50
    assert worst_work <= 5_000, worst_work
    # A visit per selection, and per name a spread brings into its selection set: a wide fragment
    # spread in many places is the worst (spreads × names, both bounded by the token limit).
    assert worst_visits <= 20_000, worst_visits
