"""What plain execution may call and how often: only resolvers marked plain, each at most twice for an
object value that gave up (and once for the values after it), give-ups counted in the metrics, none
on the dashboard and the certificates step, and an awaitable it will not await never runs."""

from __future__ import annotations

import asyncio
import inspect
import json
from collections import Counter
from typing import Any

import pytest
import strawberry
from graphql import GraphQLError, GraphQLLeafType, is_leaf_type
from prometheus_client import CollectorRegistry
from starlette.applications import Starlette
from strawberry.schema.schema_converter import CustomGraphQLEnumType

from service.graphql.core.direct_resolvers import _reads_only_context, use_direct_resolvers
from service.graphql.core.plain_execution import PlainExecutionContext, _coercion, _discard
from service.graphql.schema import schema
from tests.support.bench_operations import CANDIDATES, DASHBOARD
from tests.support.certificates_world import CertificatesWorld, make_certificates_world
from tests.support.graphql_client import GraphQLClient
from tests.support.plain_execution_check import planned_types

ROWS = "{ rows { number middle { number leaf { number value } } } }"
RECOGNITION_COHORTS = """query($id: ID!) { recognition(id: $id) {
  id name availableActions cohorts { name program { name } } } }"""
NODE_COHORTS = """query($id: ID!) { node(id: $id) { id ... on Ceremony {
  name availableActions cohorts { name program { name } } } } }"""

calls: Counter[tuple[str, int]] = Counter()
"""(resolver, row number) -> how many times it ran."""


async def _later(number: int) -> int:
    return number


@strawberry.type
class Leaf:
    number: int

    @strawberry.field
    def value(self) -> int:
        calls["value", self.number] += 1
        # Row 1's value is not at hand, as Recognition.cohorts without the dashboard's prefetch.
        return _later(self.number) if self.number == 1 else self.number  # type: ignore[return-value]


@strawberry.type
class Middle:
    number: int

    @strawberry.field
    def leaf(self) -> Leaf:
        calls["leaf", self.number] += 1
        return Leaf(number=self.number)


@strawberry.type
class Row:
    number: int

    @strawberry.field
    def middle(self) -> Middle:
        calls["middle", self.number] += 1
        return Middle(number=self.number)


@strawberry.type
class Query:
    @strawberry.field
    def rows(self) -> list[Row]:
        return [Row(number=number) for number in range(3)]


def _schema(*, plain: bool, direct: bool) -> strawberry.Schema:
    built = strawberry.Schema(query=Query, execution_context_class=PlainExecutionContext if plain else None)
    if direct:
        use_direct_resolvers(built)
    return built


def _every_call_once() -> Counter[tuple[str, int]]:
    return Counter({(name, number): 1 for name in ("middle", "leaf", "value") for number in range(3)})


async def _rows(schema: strawberry.Schema) -> tuple[str, Counter[tuple[str, int]]]:
    calls.clear()
    result = await schema.execute(ROWS)
    assert result.errors is None
    return json.dumps(result.data), Counter(calls)


async def test_a_row_that_gives_up_runs_each_resolver_at_most_twice_and_the_next_rows_once() -> None:
    # given
    reference, reference_calls = await _rows(_schema(plain=False, direct=False))

    # when
    answer, planned_calls = await _rows(_schema(plain=True, direct=True))

    # then: row 1's resolvers ran in its plan and again in graphql-core's completion (once per level
    # before the fix: middle 2, leaf 3, value 4 times); rows 0 and 2 once each
    assert answer == reference
    assert reference_calls == _every_call_once()
    assert planned_calls == _every_call_once() + Counter({("middle", 1): 1, ("leaf", 1): 1, ("value", 1): 1})


async def test_resolvers_not_marked_plain_are_never_planned() -> None:
    # given: Strawberry's own resolvers, which direct_resolvers did not mark
    reference, _ = await _rows(_schema(plain=False, direct=False))

    # when
    answer, unmarked_calls = await _rows(_schema(plain=True, direct=False))

    # then: no plan ran, so no resolver ran twice
    assert answer == reference
    assert unmarked_calls == _every_call_once()


def _give_ups(app: Starlette) -> float | None:
    registry: CollectorRegistry = app.state.metrics.registry
    return registry.get_sample_value("portal_graphql_plain_give_ups_total")


@pytest.fixture
async def world(gql: GraphQLClient) -> CertificatesWorld:  # gql: the app's database is open
    return await make_certificates_world()


def _fast_rows(data: dict[str, Any]) -> dict[str, int]:
    """The object values of an answer that a plan must complete, by type, counted in the answer."""
    if "recognitions" in data:
        edges = data["recognitions"]["edges"]
        return {"Ceremony+CertificateRequest": len(edges)}
    recognition = data["recognition"]
    if "cohorts" in recognition:
        return {"Ceremony": 1, "Cohort": len(recognition["cohorts"])}
    return {"CertificateCandidate": len(recognition["certificateCandidates"]["edges"])}


@pytest.mark.parametrize(
    "document",
    [DASHBOARD, CANDIDATES, RECOGNITION_COHORTS],
    ids=["dashboard", "candidates", "recognition-cohorts"],
)
async def test_the_dashboard_and_the_certificates_step_take_the_fast_path_and_never_give_up(
    app: Starlette, gql: GraphQLClient, world: CertificatesWorld, document: str
) -> None:
    # given
    variables = {"id": world.recognition_id} if "$id" in document else None
    before = Counter(planned_types)

    # when
    data = await gql.data(document, variables, as_user=world.admin)

    # then: every row completed by its plan, none given up
    planned = Counter(planned_types)
    planned.subtract(before)
    planned["Ceremony+CertificateRequest"] = planned["Ceremony"] + planned["CertificateRequest"]
    expected = _fast_rows(data)
    assert all(expected.values())
    assert {name: planned[name] for name in expected} == expected
    assert _give_ups(app) == 0


async def test_a_ceremony_reached_without_the_cohorts_prefetch_gives_up_once(
    app: Starlette, gql: GraphQLClient, world: CertificatesWorld
) -> None:
    # given: node(id) loads no cohorts before returning, so the ceremony's `cohorts` is not at hand
    ceremony = world.recognition_id
    expected = await gql.data(RECOGNITION_COHORTS, {"id": ceremony}, as_user=world.admin)

    # when
    data = await gql.data(NODE_COHORTS, {"id": ceremony}, as_user=world.admin)

    # then: the same answer, and one give-up, the ceremony's (not one more per level under it)
    assert data["node"] == expected["recognition"]
    assert _give_ups(app) == 1


async def test_an_awaitable_a_plan_will_not_await_never_runs() -> None:
    # given
    loop = asyncio.get_running_loop()
    shared = loop.create_future()  # a loader's batch, which other fields wait on too
    waiter = asyncio.shield(shared)
    coroutine = _later(1)

    # when
    _discard(waiter)
    _discard(coroutine)
    shared.set_exception(RuntimeError("the batch failed"))

    # then: the waiter is cancelled (no "Future exception was never retrieved" for it), the batch
    # itself is left to its other waiters, and the coroutine is closed before it ran
    assert waiter.cancelled()
    assert not shared.cancelled()
    assert isinstance(shared.exception(), RuntimeError)
    assert inspect.getcoroutinestate(coroutine) == inspect.CORO_CLOSED


def _context_and_clock(info: Any) -> Any:
    return info.context.clock, info.context


def _passes_info_on(info: Any) -> Any:
    return _context_and_clock(info)


def _reads_the_field_name(info: Any) -> Any:
    return info.context, info.field_name


def _captures_info(info: Any) -> Any:
    return lambda: info.context


def _stores_info(info: Any) -> Any:
    info = info.context
    return info


def test_a_resolver_reads_only_the_context_when_its_bytecode_says_so() -> None:
    assert _reads_only_context(_context_and_clock, "info")
    assert not _reads_only_context(_passes_info_on, "info")
    assert not _reads_only_context(_reads_the_field_name, "info")
    assert not _reads_only_context(_captures_info, "info")
    assert not _reads_only_context(_stores_info, "info")


@pytest.mark.parametrize("document", [DASHBOARD, CANDIDATES], ids=["dashboard", "candidates"])
async def test_the_rows_build_no_info_objects(
    gql: GraphQLClient, world: CertificatesWorld, document: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given: every info object graphql-core or a plan builds, by field
    variables = {"id": world.recognition_id} if "$id" in document else None
    built: Counter[str] = Counter()
    original = PlainExecutionContext.build_resolve_info

    def counted(self: Any, field_def: Any, field_nodes: Any, parent_type: Any, path: Any) -> Any:
        built[f"{parent_type.name}.{field_nodes[0].name.value}"] += 1
        return original(self, field_def, field_nodes, parent_type, path)

    monkeypatch.setattr(PlainExecutionContext, "build_resolve_info", counted)
    # as served: without the tests' check, which completes every value through graphql-core too
    monkeypatch.setattr(schema, "execution_context_class", PlainExecutionContext)

    # when
    data = await gql.data(document, variables, as_user=world.admin)

    # then: only the fields with arguments (graphql-core's) and, on the dashboard, each row's interface
    # type resolution (Strawberry's reads the field's name); the rows' resolvers read only the context
    if document == DASHBOARD:
        rows = len(data["recognitions"]["edges"])
        assert built == {"Query.recognitions": 1, "RecognitionEdge.node": rows}
    else:
        assert built == {"Query.recognition": 1, "Ceremony.certificateCandidates": 1}


shown: Counter[int] = Counter()


@strawberry.type
class Shared:
    number: int

    @strawberry.field
    def shown(self) -> int:
        shown[self.number] += 1
        return self.number


@strawberry.type
class SharingQuery:
    @strawberry.field
    def items(self) -> list[Shared]:
        first, second = Shared(number=1), Shared(number=2)
        return [first, second, first, first, Shared(number=1)]


async def test_the_same_object_under_the_same_selection_is_completed_once() -> None:
    # given: the first object three times, and an equal but distinct one
    built = strawberry.Schema(query=SharingQuery, execution_context_class=PlainExecutionContext)
    use_direct_resolvers(built)
    shown.clear()

    # when
    result = await built.execute("{ items { number shown } }")

    # then: the same answer as graphql-core's, each object's resolver run once
    assert result.errors is None
    assert result.data == {"items": [{"number": n, "shown": n} for n in (1, 2, 1, 1, 1)]}
    assert shown == Counter({1: 2, 2: 1})


def test_every_leaf_is_coerced_as_its_type_does() -> None:
    # given every leaf type of the schema
    leaves = [kind for kind in schema._schema.type_map.values() if is_leaf_type(kind)]
    enums = [kind for kind in leaves if isinstance(kind, CustomGraphQLEnumType)]
    assert len(enums) >= 10
    for leaf in leaves:
        assert isinstance(leaf, GraphQLLeafType)
        coerce = _coercion(leaf)
        if not isinstance(leaf, CustomGraphQLEnumType):
            # then a scalar is coerced by its own function
            assert coerce == leaf.coerce_output_value
            continue
        # and an enum's members, their values and strangers get the type's own answer or error
        members: list[Any] = list(leaf.wrapped_cls)
        for sample in [*members, *(member.value for member in members), "NOT_A_VALUE", 7, None]:
            try:
                expected: Any = leaf.coerce_output_value(sample)
            except (GraphQLError, ValueError, TypeError) as error:
                expected = (type(error), str(error))
            try:
                found: Any = coerce(sample)
            except (GraphQLError, ValueError, TypeError) as error:
                found = (type(error), str(error))
            assert found == expected, (leaf.name, sample)
