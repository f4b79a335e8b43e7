"""The two log formats: JSON objects for machines, lines for people; both with the request id."""

from __future__ import annotations

import json
import logging
import sys

import httpx
import pytest

from service.observability.logs import (
    ConsoleFormatter,
    JsonFormatter,
    RequestIdFilter,
    fields,
    request_id_from,
    request_id_set,
)


def _record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    record = logging.getLogger("service.requests").makeRecord(
        "service.requests", logging.INFO, __file__, 1, message, args, None, extra=extra
    )
    RequestIdFilter().filter(record)
    return record


def test_a_json_line_holds_the_fields_and_the_request_id() -> None:
    # given
    with request_id_set("abc-123"):
        record = _record("%s %s", "GET", "/healthz", **fields(route="/healthz", status=200))

    # when
    line = json.loads(JsonFormatter().format(record))

    # then
    assert {key: value for key, value in line.items() if key != "time"} == {
        "level": "info",
        "logger": "service.requests",
        "message": "GET /healthz",
        "request_id": "abc-123",
        "route": "/healthz",
        "status": 200,
    }


def test_a_console_line_reads_as_text() -> None:
    # given: one record with a request id and fields, one outside any request
    with request_id_set("abc-123"):
        inside = _record("GET /healthz 200", **fields(route="/healthz", operation=None, status=200))
    outside = _record("started")

    # when
    lines = [ConsoleFormatter().format(record) for record in (inside, outside)]

    # then: fields as key=value (unset ones left out); "-" for no request
    assert lines[0].endswith("INFO    service.requests [abc-123] GET /healthz 200  route=/healthz status=200")
    assert lines[1].endswith("INFO    service.requests [-] started")


def test_a_request_id_is_the_clients_only_when_plain() -> None:
    kept = [request_id_from(value) for value in ("abc-123", "A.b_c:d-e", "x" * 64)]
    replaced = [request_id_from(value) for value in (None, "", "has space", "x" * 65, "-leading", "é")]

    assert kept == ["abc-123", "A.b_c:d-e", "x" * 64]
    assert [(len(value), value.isalnum()) for value in replaced] == [(32, True)] * 6


FORGED = "A\n2026-01-01 00:00:00,000 CRITICAL fake admin signed in"


def test_no_client_value_starts_a_line_of_its_own() -> None:
    # given: a client's values in the message and in the fields, and a traceback quoting one
    record = _record("unknown operation %s", FORGED, **fields(operation=FORGED + "\r\u2028\x1b[2J"))
    try:
        raise ValueError(FORGED)
    except ValueError:
        failed = logging.getLogger("service").makeRecord(
            "service", logging.ERROR, __file__, 1, "failed", (), sys.exc_info()
        )

    # when
    line = ConsoleFormatter().format(record)
    lines = ConsoleFormatter().format(failed).splitlines()

    # then
    assert line.endswith(
        "[-] unknown operation A\\n2026-01-01 00:00:00,000 CRITICAL fake admin signed in"
        "  operation=A\\n2026-01-01 00:00:00,000 CRITICAL fake admin signed in\\r\\u2028\\x1b[2J"
    )
    assert "\n" not in line
    assert lines[0].endswith("ERROR   service [-] failed")
    assert all(later.startswith("  | ") for later in lines[1:])
    assert lines[-1] == "  | 2026-01-01 00:00:00,000 CRITICAL fake admin signed in"
    assert json.loads(JsonFormatter().format(record))["operation"] == FORGED + "\r\u2028\x1b[2J"
    assert "\n" not in JsonFormatter().format(record)


async def test_a_forged_operation_name_stays_on_its_request_line(
    http: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
) -> None:
    # when
    with caplog.at_level(logging.INFO, logger="service.requests"):
        await http.post("/graphql", json={"query": "query A { __typename }", "operationName": FORGED})

    # then: one line, the name escaped in it
    [request] = [record for record in caplog.records if record.name == "service.requests"]
    line = ConsoleFormatter().format(request)
    assert line.count("\n") == 0
    assert line.endswith("operation=A\\n2026-01-01 00:00:00,000 CRITICAL fake admin signed in")
