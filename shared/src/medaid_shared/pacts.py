"""Consumer-driven contracts, read from the consumers' own code.

A consumer's handler functions take the event as a parameter annotated with its model
(``event: AdmissionFiled``). Every field path the function reads from that parameter
(``event.referral_compliance.compliant``) is what this consumer relies on. The pacts —
consumer → event type → field paths — are committed (``shared/schemas/pacts.json``) and
checked against the producer's schema and against the payloads its real code publishes.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from medaid_shared.events import REGISTRY, Event
from medaid_shared.services import SERVICES

PACTS = Path("shared/schemas/pacts.json")
# Kernel modules whose handlers every service runs (the one official calendar).
KERNEL_CONSUMERS = ("runtime.py", "deadlines.py")


def _short(event_type: str) -> str:
    return event_type.rsplit(".", 1)[-1]


def _annotation_names(node: ast.expr | None) -> set[str]:
    if node is None:
        return set()
    return (
        {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        | {n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute)}
        | ({node.value} if isinstance(node, ast.Constant) and isinstance(node.value, str) else set())
    )


def _field_path(model: type[BaseModel], chain: list[str]) -> str | None:
    """The longest prefix of ``chain`` that names fields of ``model`` (nested models too)."""
    path: list[str] = []
    current: Any = model
    for attr in chain:
        fields = getattr(current, "model_fields", None)
        if not fields or attr not in fields:
            break
        path.append(attr)
        annotation = fields[attr].annotation
        current = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
        for arg in getattr(annotation, "__args__", ()):  # Optional[Model]
            if isinstance(arg, type) and issubclass(arg, BaseModel):
                current = arg
    return ".".join(path) or None


def _reads_in(source: str, models: dict[str, type[Event]]) -> dict[str, set[str]]:
    reads: dict[str, set[str]] = {}
    for fn in ast.walk(ast.parse(source)):
        if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for arg in fn.args.args + fn.args.kwonlyargs:
            typed = [models[n] for n in _annotation_names(arg.annotation) if n in models]
            for node in ast.walk(fn):
                if not isinstance(node, ast.Attribute) or isinstance(getattr(node, "_parent", None), ast.Attribute):
                    continue
                chain: list[str] = []
                cur: ast.expr = node
                while isinstance(cur, ast.Attribute):
                    chain.insert(0, cur.attr)
                    cur = cur.value
                if not (isinstance(cur, ast.Name) and cur.id == arg.arg):
                    continue
                for model in typed:
                    path = _field_path(model, chain)
                    if path:
                        reads.setdefault(model.event_type, set()).add(path)
    return reads


def _consumed(service: str) -> set[str]:
    bootstrap = SERVICES[service].bootstrap()
    runtime = bootstrap.build_runtime(bootstrap.Settings(run_background=False))
    return {t for c in runtime.consumers for t in c.handlers}


def derive() -> dict[str, dict[str, list[str]]]:
    """consumer service → consumed event type → field paths its code reads."""
    import medaid_shared.contracts  # noqa: F401

    models = {m.__name__: m for m in REGISTRY.values() if m.__module__.startswith("medaid_shared.contracts")}
    pacts: dict[str, dict[str, list[str]]] = {}
    for service, info in SERVICES.items():
        consumed = _consumed(service)
        package = Path(importlib.import_module(info.package).__file__ or "").parent
        reads: dict[str, set[str]] = {}
        kernel = [Path(__file__).parent / name for name in KERNEL_CONSUMERS]
        for py in [*sorted(package.rglob("*.py")), *kernel]:
            if "migrations" in py.parts:
                continue
            for event_type, paths in _reads_in(py.read_text(), models).items():
                reads.setdefault(event_type, set()).update(paths)
        # A handler typed with a base model (PersonRegistered) also reads its subclasses.
        for event_type in consumed:
            model = REGISTRY[event_type]
            inherited = {
                p
                for base in model.__mro__[1:]
                if isinstance(base, type) and issubclass(base, Event) and base.event_type
                for p in reads.get(base.event_type, set())
            }
            pacts.setdefault(service, {})[event_type] = sorted(reads.get(event_type, set()) | inherited)
    return pacts


def missing_in_payload(payload: dict[str, Any], path: str) -> bool:
    """True if ``path`` is absent from a published payload (``None`` counts as present)."""
    node: Any = payload
    for part in path.split("."):
        if node is None:
            return False
        if not isinstance(node, dict) or part not in node:
            return True
        node = node[part]
    return False


def short(event_type: str) -> str:
    return _short(event_type)
