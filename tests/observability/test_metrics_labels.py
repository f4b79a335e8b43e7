"""Operation names are the client's choice: the labels they become stay bounded."""

from __future__ import annotations

from service.observability.metrics import MAX_OPERATION_NAMES, Metrics


def test_operation_names_become_bounded_labels() -> None:
    # given
    metrics = Metrics()

    # when
    first = [metrics.operation_label(name) for name in (None, "", "Dashboard", "not a name", "x" * 101)]
    for number in range(MAX_OPERATION_NAMES):
        metrics.operation_label(f"Name{number}")
    later = [metrics.operation_label(name) for name in ("Dashboard", "Name0", "OneTooMany")]

    # then: names seen before the limit keep their label; the rest count as "other"
    assert first == ["anonymous", "anonymous", "Dashboard", "other", "other"]
    assert later == ["Dashboard", "Name0", "other"]
