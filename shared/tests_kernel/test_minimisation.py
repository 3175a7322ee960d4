"""SPEC 0.4 / LJ-18: the event contracts, the feed's entitlements and the services' API
response models agree with the data-minimisation table (``medaid_shared.minimisation``)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from medaid_shared.authz import Role
from medaid_shared.events import Event
from medaid_shared.feed import DEPARTMENTS
from medaid_shared.minimisation import (
    DIAGNOSIS_ANSWERS,
    DIAGNOSIS_RECORDS,
    DOCUMENTS,
    EVENT_FIELDS,
    FREE_FORM_ANSWERS,
    FULL_READ_FIELDS,
    FULL_READ_OPERATIONS,
    FULL_READS,
    NEVER_IN_EVENTS,
    NOT_PERSONAL,
    Form,
    field_rule,
)
from medaid_shared.schemas import all_event_models, event_schema
from medaid_shared.services import SERVICES

ROOT = Path(__file__).resolve().parents[2]
# What a personal field's name looks like: a name, an ID number, a diagnosis, a photo ...
LOOKS_PERSONAL = re.compile(
    r"(^|_)(name|name_masked|id_number\w*|full_name|diagnos\w*|disease\w*|photo\w*|necessity|treatment|guardian|agents|trusteeship)$"
)


def _properties(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every model's properties in a JSON schema (the event and its nested models)."""
    models = {schema.get("title", "event"): schema.get("properties", {})}
    for name, sub in schema.get("$defs", {}).items():
        models[name] = sub.get("properties", {})
    return models


def _top_fields(model: type[Event]) -> set[str]:
    return set(event_schema(model).get("properties", {}))


@pytest.mark.parametrize("model", all_event_models(), ids=lambda m: m.event_type)
def test_spec_0_4_event_contracts_carry_only_what_the_table_allows(model: type[Event]) -> None:
    name = model.event_type.rsplit(".", 1)[-1]
    schema = event_schema(model)
    # the models inside a field the table lists are covered by that field's rule
    covered = {ref for f in schema.get("properties", {}) if field_rule(f) for ref in _refs(schema, f)}
    for owner, props in _properties(schema).items():
        for field in props:
            assert field not in NEVER_IN_EVENTS, f"{name}: {owner}.{field} must never be in an event"
            if LOOKS_PERSONAL.search(field) and f"{name}.{field}" not in NOT_PERSONAL and owner not in covered:
                rule = field_rule(field)
                assert rule is not None, f"{name}: {owner}.{field} is not in the minimisation table"
                if rule is not None and rule.form is Form.MASKED and not field.endswith("_masked"):
                    # a masked structure: the names inside it are masked too
                    assert all(not p.endswith("name") for p in _nested(event_schema(model), field))


def _refs(schema: dict[str, Any], field: str) -> set[str]:
    return set(re.findall(r'"\$ref": "#/\$defs/(\w+)"', json.dumps(schema["properties"][field])))


def _nested(schema: dict[str, Any], field: str) -> set[str]:
    return {p for ref in _refs(schema, field) for p in schema["$defs"][ref].get("properties", {})}


def test_spec_0_4_no_event_carries_a_digest_of_an_id_number() -> None:
    """Issue scenario: a masked ID with its digest under a key all services held could be
    reversed; events now carry no digest at all (the fund gets the number sealed for it)."""
    for model in all_event_models():
        for props in _properties(event_schema(model)).values():
            assert not [f for f in props if "digest" in f], model.event_type


@pytest.mark.parametrize("department", list(DEPARTMENTS))
def test_lj_18_each_feed_shows_only_the_personal_fields_the_table_keeps_for_it(department: str) -> None:
    ent = DEPARTMENTS[department]
    for model in all_event_models():
        if not ent.allows(model.event_type):
            continue
        for field in _top_fields(model) - ent.redact:
            rule = field_rule(field)
            if rule is not None:
                assert department in rule.feeds or "*" in rule.feeds, f"{department} sees {field}"
    for rule in EVENT_FIELDS:
        if rule.category == "diagnosis" and rule.field == "diagnosis_group_sealed":
            assert rule.field in ent.redact  # issue scenario: no feed shows diagnoses


def test_spec_0_4_diagnoses_travel_only_sealed_for_the_one_consumer_that_needs_them() -> None:
    """Issue 16: ``DischargeRecorded.diagnosis_group`` was in clear in referral's outbox, on
    the broker and in dead letters. No event carries a diagnosis in clear any more: a
    diagnosis field is sealed for exactly one consuming service, or is the LJ-5 trusteeship."""
    assert "diagnosis_group" in NEVER_IN_EVENTS
    for rule in EVENT_FIELDS:
        if rule.category == "diagnosis" and rule.field != "trusteeship":
            assert rule.form is Form.SEALED and len(rule.consumers) == 1 and not rule.feeds, rule.field
    for model in all_event_models():
        for owner, props in _properties(event_schema(model)).items():
            clear = [f for f in props if re.search(r"diagnos|disease", f) and not f.endswith("_sealed")]
            assert owner == "Trusteeship" or clear == [], model.event_type


JSON = re.compile(r"json")


def _answers(doc: dict[str, Any]) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    """(operation, status, media type, schema) of every answer of every operation the
    document describes — success and refusal alike; operations named as the table names
    them (``GET /persons/{person_id}``, under /v1)."""
    for path, operations in doc["paths"].items():
        for method, op in operations.items():
            for code, response in op.get("responses", {}).items():
                for media, content in (response.get("content") or {}).items():
                    yield f"{method.upper()} {path.removeprefix('/v1')}", code, media, content.get("schema", {})


def _response_schemas(doc: dict[str, Any]) -> set[str]:
    """Every component schema reachable from any JSON answer of the document."""
    comps = doc.get("components", {}).get("schemas", {})
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.split("/")[-1] not in found:
                found.add(ref.split("/")[-1])
                walk(comps.get(ref.split("/")[-1], {}))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for _operation, _code, media, schema in _answers(doc):
        if JSON.search(media):
            walk(schema)
    return found


def _fields(comps: dict[str, Any], schema: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(owner, field, schema) of a component's fields and of the fields of any object it
    declares inline (owned by ``<Schema>.<field>``)."""
    stack: list[tuple[str, dict[str, Any]]] = [(schema, comps[schema])]
    while stack:
        owner, node = stack.pop()
        for field, sub in node.get("properties", {}).items():
            yield owner, field, sub
            for inner in _alternatives(sub):
                if "properties" in inner:
                    stack.append((f"{owner}.{field}", inner))


def _alternatives(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The schemas a value may take: the alternatives of anyOf/oneOf/allOf, an array's items."""
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in node.get(key, []):
            yield from _alternatives(sub)
    if node.get("type") == "array" and isinstance(node.get("items"), dict):
        yield from _alternatives(node["items"])
    elif not any(key in node for key in ("anyOf", "oneOf", "allOf")):
        yield node


def _free_form(node: dict[str, Any]) -> bool:
    """Whether a value's keys go unnamed by the document: an object without declared
    properties (a dict of anything, a map of text) rather than a model."""
    for alt in _alternatives(node):
        if "$ref" in alt or "properties" in alt or alt.get("additionalProperties") is False:
            continue
        extra = alt.get("additionalProperties")
        if isinstance(extra, dict) and "$ref" in extra:
            continue  # a map of models: the models' fields are checked
        if alt.get("type") == "object" or extra is not None or alt == {}:
            return True
    return False


def _declared(table: Mapping[str, str], service: str, name: str) -> str | None:
    return table.get(f"{service} {name}") or table.get(f"* {name}")


# Answers that still carry a personal field the table does not allow there, now that their
# models are published; when the service stops answering the field, its entry must go.
# (Issue 16: the fund's case answers carried the disease code to every reader of cases; the
# table now names its roles in DIAGNOSIS_ANSWERS.)
KNOWN_ANSWER_DEVIATIONS: dict[str, str] = {}


def _check_answer_field(service: str, owner: str, field: str) -> bool:
    """Assert the table allows ``owner.field`` in an answer; True when it is a known deviation."""
    if f"{owner}.{field}" in NOT_PERSONAL or f"{service} {owner}.{field}" in DIAGNOSIS_ANSWERS:
        return False  # a diagnosis answer is filled only for the roles the table names (the service's tests)
    if f"{service} {owner}.{field}" in KNOWN_ANSWER_DEVIATIONS:
        return True
    if field in FULL_READ_FIELDS:
        assert owner in FULL_READS.get(service, frozenset()), f"{service} {owner}.{field} is a full read"
    else:
        assert not LOOKS_PERSONAL.search(field) or field.endswith("_masked") or field_rule(field), (
            f"{service} {owner}.{field} is not in the minimisation table"
        )
    return False


@pytest.mark.parametrize("service", list(SERVICES))
def test_spec_0_4_api_response_models_show_full_names_and_numbers_only_where_the_table_says(service: str) -> None:
    """Every field of every answer schema the committed OpenAPI document describes — success
    and problem answers, nested and inline models — agrees with the table."""
    doc = json.loads((ROOT / f"services/{service}/openapi.json").read_text())
    comps = doc.get("components", {}).get("schemas", {})
    seen = {
        f"{service} {owner}.{field}"
        for schema in _response_schemas(doc)
        for owner, field, _ in _fields(comps, schema)
        if _check_answer_field(service, owner, field)
    }
    known = {k for k in KNOWN_ANSWER_DEVIATIONS if k.startswith(f"{service} ")}
    assert seen == known, f"fixed, remove from KNOWN_ANSWER_DEVIATIONS: {known - seen}"


@pytest.mark.parametrize("service", list(SERVICES))
def test_spec_0_4_each_diagnosis_answer_of_the_table_is_an_answer_field_for_known_roles(service: str) -> None:
    """Every answer field DIAGNOSIS_ANSWERS restricts exists in the service's answers, and the
    roles it names are roles (SPEC 0.3): an entry for a field gone or a misspelt role would
    restrict nothing."""
    doc = json.loads((ROOT / f"services/{service}/openapi.json").read_text())
    comps = doc.get("components", {}).get("schemas", {})
    fields = {
        f"{service} {owner}.{field}" for schema in _response_schemas(doc) for owner, field, _ in _fields(comps, schema)
    }
    mine = {k: roles for k, roles in DIAGNOSIS_ANSWERS.items() if k.startswith(f"{service} ")}
    assert set(mine) <= fields, f"not an answer field: {set(mine) - fields}"
    assert all(roles and roles <= {r.value for r in Role} for roles in mine.values())


def test_spec_0_4_the_registration_records_name_who_receives_the_disease_code() -> None:
    """Issue 16: the GD-19 records carried the disease code to every reader of exports; the
    table names the one role that enters them in the national platform."""
    assert {"emergency-fund registration.disease_code": frozenset({"fund_agency"})} == DIAGNOSIS_RECORDS
    assert all("DIAGNOSIS_RECORDS" in DOCUMENTS[f"emergency-fund {op}"] for op in _FUND_EXPORTS)
    assert "DIAGNOSIS_RECORDS" in FREE_FORM_ANSWERS["emergency-fund RegistrationExportOut.items"]


_FUND_EXPORTS = ("GET /exports/registrations", "GET /exports/registrations/batches/{batch_id}/file")


@pytest.mark.parametrize("service", list(SERVICES))
def test_spec_0_4_every_json_answer_is_a_published_model(service: str) -> None:
    """An answer the minimisation test cannot read is one it cannot check: every JSON answer
    of every operation is a named model (or a list of them), never a bare object."""
    doc = json.loads((ROOT / f"services/{service}/openapi.json").read_text())
    untyped = [
        f"{operation} {code} {media}"
        for operation, code, media, schema in _answers(doc)
        if JSON.search(media) and not all("$ref" in alt for alt in _alternatives(schema))
    ]
    assert untyped == []


@pytest.mark.parametrize("service", list(SERVICES))
def test_spec_0_4_every_part_of_an_answer_whose_keys_go_unnamed_is_in_the_table(service: str) -> None:
    """Issue 16 point 1: a free-form part of an answer (a dict of anything, a map of text)
    hides its fields from the check above, so the table says what each one holds; a new one
    fails here until it is typed or declared, and a declared one that is gone must go."""
    doc = json.loads((ROOT / f"services/{service}/openapi.json").read_text())
    comps = doc.get("components", {}).get("schemas", {})
    free = {
        f"{owner}.{field}"
        for schema in _response_schemas(doc)
        for owner, field, sub in _fields(comps, schema)
        if _free_form(sub)
    }
    assert [part for part in sorted(free) if not _declared(FREE_FORM_ANSWERS, service, part)] == []
    mine = {k.split(" ", 1)[1] for k in FREE_FORM_ANSWERS if k.startswith(f"{service} ")}
    assert mine <= free, f"gone from the answers, remove from FREE_FORM_ANSWERS: {mine - free}"


@pytest.mark.parametrize("service", list(SERVICES))
def test_spec_0_4_every_document_answer_is_in_the_table(service: str) -> None:
    """HTML, CSV, images and streams have no schema to check: each is a full read of the table
    (names shown to the roles it names) or a document the table says keeps them masked."""
    doc = json.loads((ROOT / f"services/{service}/openapi.json").read_text())
    full_reads = {r.operation for r in FULL_READ_OPERATIONS if r.service == service}
    documents = {operation for operation, _code, media, _ in _answers(doc) if not JSON.search(media)}
    undeclared = sorted(op for op in documents if op not in full_reads and not _declared(DOCUMENTS, service, op))
    assert undeclared == []
    mine = {k.split(" ", 1)[1] for k in DOCUMENTS if k.startswith(f"{service} ")}
    assert mine <= documents, f"gone from the API, remove from DOCUMENTS: {mine - documents}"


def test_spec_0_4_the_tables_of_documents_and_free_form_parts_name_only_what_exists() -> None:
    """An entry for every service ("*") is in every service's document."""
    docs = [json.loads((ROOT / f"services/{s}/openapi.json").read_text()) for s in SERVICES]
    for key in (k for k in DOCUMENTS if k.startswith("* ")):
        assert all(key[2:] in {op for op, *_ in _answers(d)} for d in docs), key
    for key in (k for k in FREE_FORM_ANSWERS if k.startswith("* ")):
        owner, field = key[2:].split(".", 1)
        assert all(field in d["components"]["schemas"].get(owner, {}).get("properties", {}) for d in docs), key
