"""Structured JSON logs carry the trace id; metrics expose outbox backlog and consumer lag."""

from __future__ import annotations

import json
from typing import Any

import structlog
from opentelemetry import trace

from medaid_shared.observability import configure_logging, configure_tracing

from .conftest import emit_items


def test_json_log_lines_carry_the_current_trace_id(capsys: Any) -> None:
    configure_tracing("kerneltest", None)
    configure_logging("kerneltest")
    tracer = trace.get_tracer("test")
    with tracer.start_as_current_span("request") as span:
        structlog.get_logger("t").info("selfpay_reviewed", item="i-1")
        trace_id = format(span.get_span_context().trace_id, "032x")
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["message"] == "selfpay_reviewed"
    assert line["trace_id"] == trace_id and line["service"] == "kerneltest" and "timestamp" in line


async def test_metrics_report_outbox_backlog(runtime: Any) -> None:
    from prometheus_client import generate_latest

    await emit_items(runtime, ("m", 1), ("m", 2))
    assert await runtime.db.outbox_backlog() == 2
    from medaid_shared.observability import CONSUMER_LAG, OUTBOX_BACKLOG

    OUTBOX_BACKLOG.labels("kerneltest").set(await runtime.db.outbox_backlog())
    CONSUMER_LAG.labels("kerneltest", "items", "t", "0").set(3)
    text = generate_latest().decode()
    assert 'medaid_outbox_backlog{service="kerneltest"} 2.0' in text
    assert "medaid_consumer_lag" in text
