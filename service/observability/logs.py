"""Logs: one line per event, human-readable in development, JSON for machines (PORTAL_LOG_FORMAT).

Every record carries the id of the request it belongs to (an HTTP request, or the job a request
caused), so one person's trouble can be followed from the request through its jobs.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
# Anything else worth a line: a client's own id is echoed back and logged, so it must be plain.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
# Structured fields ride on a record under this attribute (`logger.info(..., extra=fields(...))`).
FIELDS = "fields"


def current_request_id() -> str | None:
    return _request_id.get()


def request_id_from(header: str | None) -> str:
    """The client's X-Request-ID when it is plain and short; otherwise a new one."""
    if header is not None and _SANE_REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


@contextlib.contextmanager
def request_id_set(request_id: str | None) -> Iterator[None]:
    """The request id of everything logged (and every job sent) inside the block."""
    token = _request_id.set(request_id)
    try:
        yield
    finally:
        _request_id.reset(token)


def set_request_id(request_id: str | None) -> contextvars.Token[str | None]:
    """For code that cannot wrap its work in a block (a job middleware's before and after hooks)."""
    return _request_id.set(request_id)


def reset_request_id(token: contextvars.Token[str | None]) -> None:
    _request_id.reset(token)


_notes: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("notes", default=None)


@contextlib.contextmanager
def noting(notes: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Collects what inner layers learn about the request (the GraphQL operation's name) for the
    request's log line."""
    token = _notes.set(notes)
    try:
        yield notes
    finally:
        _notes.reset(token)


def note(**values: Any) -> None:
    notes = _notes.get()
    if notes is not None:
        notes.update(values)


def fields(**values: Any) -> dict[str, Any]:
    return {FIELDS: values}


class RequestIdFilter(logging.Filter):
    """Puts the current request id on each record (a handler's filter, so it sees every logger's)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
            **getattr(record, FIELDS, {}),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


# Every character that could end a line or move the cursor (C0, DEL, C1, the Unicode line and
# paragraph separators), written as an escape instead: a client's value (an operation name, a
# path) must never start a line of its own that reads like ours.
_UNPRINTABLE = {
    code: f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    for code in (*range(0x20), *range(0x7F, 0xA0), 0x2028, 0x2029)
}
_UNPRINTABLE |= {ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"}
# Lines of a traceback after the first are marked, so none can pass for a record of its own.
TRACEBACK_MARK = "  | "


def escaped(value: object) -> str:
    """The value as one line of plain text."""
    return str(value).translate(_UNPRINTABLE)


class ConsoleFormatter(logging.Formatter):
    """One line a record, with what clients sent escaped; a traceback follows on marked lines."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s [%(request)s] %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:
        record.message = escaped(record.message)
        return super().formatMessage(record)

    def format(self, record: logging.LogRecord) -> str:
        record.request = escaped(getattr(record, "request_id", None) or "-")
        text = super().format(record)
        first, _, rest = text.partition("\n")
        extra = getattr(record, FIELDS, {})
        pairs = " ".join(f"{key}={escaped(value)}" for key, value in extra.items() if value is not None)
        line = f"{first}  {pairs}" if pairs else first
        if not rest:
            return line
        return line + "".join(f"\n{TRACEBACK_MARK}{part}" for part in rest.split("\n"))


FORMATTERS = {"json": JsonFormatter, "console": ConsoleFormatter}


def logging_config(log_format: str, level: str) -> dict[str, Any]:
    """A `logging.config.dictConfig` for our processes (uvicorn applies it in each worker process):
    one handler on the root logger; uvicorn's access log is replaced by our request lines."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"main": {"()": FORMATTERS[log_format]}},
        "handlers": {
            "main": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "main",
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["main"], "level": level.upper()},
        "loggers": {
            "uvicorn": {"handlers": [], "propagate": True},
            "uvicorn.error": {"handlers": [], "propagate": True},
            "uvicorn.access": {"handlers": [], "propagate": False, "level": "WARNING"},
        },
    }


def configure_logging(log_format: str, level: str) -> None:
    import logging.config

    logging.config.dictConfig(logging_config(log_format, level))
