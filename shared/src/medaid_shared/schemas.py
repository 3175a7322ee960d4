"""Published contracts, generated from code and committed: a JSON Schema per event type and
version, an AsyncAPI 3 document of every topic and event, and each service's OpenAPI.

A committed event schema is the promise made to consumers. The current model may add
optional fields (compatible); removing a field, making one required or changing its type
breaks consumers and needs a new ``schema_version`` (a new schema file, a new topic
version), which :func:`breaking_changes` detects.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from medaid_shared.events import REGISTRY, Event

SCHEMA_DIR = Path("shared/schemas")
EVENTS_DIR = SCHEMA_DIR / "events"
ASYNCAPI = SCHEMA_DIR / "asyncapi.yaml"


def event_schema(model: type[Event]) -> dict[str, Any]:
    schema = model.model_json_schema(mode="serialization")
    schema["$id"] = model.dataschema()
    schema["x-event-type"] = model.event_type
    schema["x-topic"] = model.topic
    schema["x-key"] = model.key_field
    return schema


def schema_path(model: type[Event]) -> Path:
    return EVENTS_DIR / f"{model.event_type}.v{model.schema_version}.json"


def all_event_models() -> list[type[Event]]:
    import medaid_shared.contracts  # noqa: F401  (registers every event model)

    return sorted(
        (m for m in REGISTRY.values() if m.__module__.startswith("medaid_shared.contracts")), key=lambda m: m.event_type
    )


def dump(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if ref and ref.startswith("#/$defs/"):
        return _resolve(schema, schema["$defs"][ref.split("/")[-1]])
    return node


def _types(schema: dict[str, Any], node: dict[str, Any]) -> set[str]:
    node = _resolve(schema, node)
    if "anyOf" in node:
        return set().union(*(_types(schema, n) for n in node["anyOf"]))
    if "type" in node:
        t = node["type"]
        return set(t) if isinstance(t, list) else {t}
    if "enum" in node:
        return {"enum"}
    if "properties" in node or "allOf" in node:
        return {"object"}
    return {"any"}


def breaking_changes(old: dict[str, Any], new: dict[str, Any], path: str = "") -> list[str]:
    """What a consumer written against ``old`` would no longer find in ``new``."""
    problems: list[str] = []
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    for name, old_node in old_props.items():
        where = f"{path}{name}"
        if name not in new_props:
            problems.append(f"{where}: removed")
            continue
        old_t, new_t = _types(old, old_node), _types(new, new_props[name])
        if not new_t <= old_t | {"null"} and "any" not in old_t:
            problems.append(f"{where}: type {sorted(old_t)} became {sorted(new_t)}")
        if "null" in new_t and "null" not in old_t:
            problems.append(f"{where}: may now be null")
        old_r, new_r = _resolve(old, old_node), _resolve(new, new_props[name])
        if "properties" in old_r:
            nested_old = {**old_r, "$defs": old.get("$defs", {})}
            nested_new = {**new_r, "$defs": new.get("$defs", {})}
            problems += breaking_changes(nested_old, nested_new, f"{where}.")
    for name in set(new.get("required", [])) - set(old.get("required", [])):
        if name not in old_props:
            problems.append(f"{path}{name}: new required field")
    return problems


def asyncapi_document(topic_prefix: str = "medaid") -> dict[str, Any]:
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    for model in all_event_models():
        name = model.event_type.rsplit(".", 1)[-1]
        messages[name] = {
            "name": name,
            "title": model.event_type,
            "summary": (model.__doc__ or "").strip().splitlines()[0] if model.__doc__ else name,
            "contentType": "application/json",
            "headers": {
                "type": "object",
                "properties": {
                    "ce_id": {"type": "string"},
                    "ce_source": {"type": "string"},
                    "ce_type": {"const": model.event_type},
                    "ce_specversion": {"const": "1.0"},
                    "ce_time": {"type": "string"},
                    "ce_subject": {"type": "string"},
                    "ce_dataschema": {"const": model.dataschema()},
                    "traceparent": {"type": "string"},
                },
            },
            "payload": {"$ref": f"./events/{schema_path(model).name}"},
            "bindings": {"kafka": {"key": {"type": "string", "description": f"the {model.key_field}"}}},
        }
        channel_id = model.topic.replace(".", "-")
        channel = channels.setdefault(channel_id, {"address": f"{topic_prefix}.{model.topic}.v1", "messages": {}})
        channel["messages"][name] = {"$ref": f"#/components/messages/{name}"}
        operations[f"publish{name}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{channel_id}"},
            "messages": [{"$ref": f"#/channels/{channel_id}/messages/{name}"}],
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "medaid events",
            "version": "1.0.0",
            "description": "CloudEvents 1.0 in Kafka binary mode; key = aggregate id.",
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages},
    }


def render_asyncapi() -> str:
    return yaml.safe_dump(asyncapi_document(), sort_keys=False, allow_unicode=True)


def openapi_document(service: str) -> dict[str, Any]:
    from medaid_shared.services import SERVICES

    bootstrap = SERVICES[service].bootstrap()
    app = bootstrap.create_app(bootstrap.Settings(run_background=False))
    return app.openapi()


def openapi_path(service: str) -> Path:
    return Path("services") / service / "openapi.json"


def write_all(root: Path = Path(".")) -> list[str]:
    """Regenerate every committed contract (event schemas, AsyncAPI, consumer pacts, OpenAPI); refuses to overwrite an event schema with a
    breaking change (bump the model's ``schema_version`` instead)."""
    from medaid_shared.services import SERVICES

    written: list[str] = []
    (root / EVENTS_DIR).mkdir(parents=True, exist_ok=True)
    for model in all_event_models():
        target = root / schema_path(model)
        new = event_schema(model)
        if target.exists():
            broken = breaking_changes(json.loads(target.read_text()), new)
            if broken:
                raise ValueError(f"{model.event_type} v{model.schema_version}: breaking change {broken}")
        if not target.exists() or target.read_text() != dump(new):
            target.write_text(dump(new))
            written.append(str(target))
    (root / ASYNCAPI).write_text(render_asyncapi())
    from medaid_shared.pacts import PACTS, derive

    (root / PACTS).write_text(dump(derive()))
    for name in SERVICES:
        (root / openapi_path(name)).write_text(dump(openapi_document(name)))
    return written
