"""Event payloads and their CloudEvents 1.0 envelope in Kafka binary mode.

Every event payload is a pydantic model subclassing :class:`Event`; the subclass names its
CloudEvents ``type``, schema version and logical topic, and registers itself so a consumer
can turn ``ce_type`` back into the model. The Kafka key is the aggregate id, so one
aggregate's events stay in order on one partition.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from cloudevents.core.bindings import kafka as ce_kafka
from cloudevents.core.v1.event import CloudEvent
from pydantic import BaseModel, ConfigDict

REGISTRY: dict[str, type[Event]] = {}


class Event(BaseModel):
    """Base of all event payloads. Consumers ignore unknown fields, so adding a field is
    a compatible change; removing or retyping one is not (the contract tests check)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    event_type: ClassVar[str] = ""
    schema_version: ClassVar[int] = 1
    topic: ClassVar[str] = ""
    key_field: ClassVar[str] = ""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("event_type"):
            if cls.event_type in REGISTRY and REGISTRY[cls.event_type] is not cls:
                raise TypeError(f"event type {cls.event_type} registered twice")
            REGISTRY[cls.event_type] = cls

    @classmethod
    def dataschema(cls) -> str:
        return f"urn:medaid:event:{cls.event_type}:{cls.schema_version}"

    def partition_key(self) -> str:
        return str(getattr(self, self.key_field))


@dataclass(frozen=True)
class EventMeta:
    """The envelope attributes a consumer sees beside the payload."""

    id: str
    source: str
    type: str
    subject: str | None
    time: datetime | None
    traceparent: str | None
    topic: str
    partition: int
    offset: int


def to_kafka(
    *,
    event_id: uuid.UUID,
    source: str,
    event_type: str,
    dataschema: str,
    subject: str | None,
    occurred_at: datetime,
    payload: dict[str, Any],
    key: str,
) -> tuple[bytes, bytes, list[tuple[str, bytes]]]:
    """Build a binary-mode Kafka record: (key, value, headers)."""
    attributes: dict[str, Any] = {
        "id": str(event_id),
        "source": source,
        "type": event_type,
        "specversion": "1.0",
        "time": occurred_at,
        "datacontenttype": "application/json",
        "dataschema": dataschema,
        "partitionkey": key,
    }
    if subject:
        attributes["subject"] = subject
    message = ce_kafka.to_binary_event(CloudEvent(attributes=attributes, data=payload))
    # The W3C traceparent header is added by the instrumented producer, under the context
    # the command stored with the event (the relay attaches it).
    headers = [(k, v) for k, v in message.headers.items()]
    return key.encode(), message.value, headers


class UndecodableEvent(ValueError):
    """The record is not a CloudEvent this system can read: a poison message."""


def from_kafka(
    *,
    key: bytes | None,
    value: bytes | None,
    headers: list[tuple[str, bytes]] | tuple[tuple[str, bytes], ...],
    topic: str,
    partition: int,
    offset: int,
) -> tuple[EventMeta, dict[str, Any]]:
    header_map = {k: v for k, v in headers}
    try:
        event = ce_kafka.from_binary_event(ce_kafka.KafkaMessage(headers=header_map, key=key, value=value or b""))
        data = event.get_data()
        if isinstance(data, (bytes, str)):
            data = json.loads(data)
    except Exception as exc:  # the cloudevents library raises several unrelated types
        raise UndecodableEvent(f"not a CloudEvent: {exc}") from exc
    if not isinstance(data, dict):
        raise UndecodableEvent("event data is not a JSON object")
    trace = header_map.get("traceparent")
    meta = EventMeta(
        id=event.get_id(),
        source=event.get_source(),
        type=event.get_type(),
        subject=event.get_subject(),
        time=event.get_time(),
        traceparent=trace.decode() if trace else None,
        topic=topic,
        partition=partition,
        offset=offset,
    )
    return meta, data


def parse_payload(meta: EventMeta, data: dict[str, Any]) -> Event | None:
    """The registered model for ``meta.type`` (``None`` for a type this code does not know)."""
    model = REGISTRY.get(meta.type)
    if model is None:
        return None
    try:
        return model.model_validate(data)
    except Exception as exc:
        raise UndecodableEvent(f"{meta.type} payload does not match its schema: {exc}") from exc
