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


VALID_ID = "11010519491231002X"


def test_spec_0_4_log_lines_carry_no_id_number_name_or_sensitive_field(capsys: Any) -> None:
    """Issue scenario: errors in consumers, the scheduler and uvicorn could print names and
    ID numbers (exception text, bound parameters). The log processor masks them in our
    lines and in libraries' alike, and drops the fields the minimisation table marks."""
    import logging

    configure_logging("kerneltest")
    log = structlog.get_logger("consumer")
    log.error("handler_failed", error=f"duplicate person {VALID_ID} 张小三", name="张小三", diagnosis_group="K35")
    try:
        raise ValueError(f"bad input_value='{VALID_ID}' for 覃月娥")
    except ValueError:
        log.exception("scheduler_row_failed")
        logging.getLogger("uvicorn.error").exception("Exception in ASGI application")
    logging.getLogger("sqlalchemy.engine").warning("params %s", {"id_number": VALID_ID, "name": "韦桂英"})
    out = capsys.readouterr().out
    lines = [json.loads(line) for line in out.strip().splitlines()]
    assert len(lines) == 4
    for personal in (VALID_ID, "张小三", "覃月娥", "韦桂英", "K35"):
        assert personal not in out
    assert "1101**********002X" in out and "张*三" in out  # masked, still useful to read
    assert lines[0]["name"] == "[redacted]" and lines[0]["diagnosis_group"] == "[redacted]"
    assert "ValueError" in lines[1]["exception"] and "ValueError" in lines[2]["exception"]


async def test_spec_0_4_engine_errors_hide_bound_parameters(runtime: Any, capsys: Any) -> None:
    """SQLAlchemy lists no bound parameters; what the driver quotes back is masked in the log."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    configure_logging("kerneltest")
    try:
        async with runtime.db.unit_of_work() as uow:
            await uow.session.execute(text("SELECT CAST(:v AS integer)"), {"v": f"{VALID_ID} 韦桂英"})
    except DBAPIError as exc:
        assert "SQL parameters hidden due to hide_parameters=True" in str(exc)
        structlog.get_logger("consumer").error("handler_failed", error=str(exc))
    else:
        raise AssertionError("the cast should fail")
    out = capsys.readouterr().out
    assert "韦桂英" not in out and VALID_ID not in out and "handler_failed" in out
