"""Runs after the journeys (SPEC 0.4, issue scenario "logs can carry personal data"): no
service's log and no event on the broker carries a name or an ID number the journeys used."""

from __future__ import annotations

import json

from medaid_shared.services import SERVICES

from .conftest import Stack, journey_log


def test_spec_0_4_no_name_or_id_number_in_any_log_line_or_event_payload(stack: Stack) -> None:
    assert stack.personal, "the journeys sent no names or ID numbers"
    assert any(len(v) == 18 for v in stack.personal), stack.personal
    hits: list[str] = []
    for service in SERVICES:
        with journey_log(service).open("rb") as log:
            log.seek(stack.log_offsets.get(service, 0))
            text = log.read().decode("utf-8", errors="replace")
        assert text, f"no log from {service}"
        hits += [f"{service} log: {v}" for v in stack.personal if v in text or v.lower() in text]
    assert stack.events
    for event in stack.events:
        payload = json.dumps(event["data"], ensure_ascii=False)
        hits += [f"{event['type']}: {v}" for v in stack.personal if v in payload or v.lower() in payload]
    assert hits == []


def test_spec_0_4_discharges_on_the_broker_carry_the_diagnosis_group_only_sealed(stack: Stack) -> None:
    """Issue 16: the journeys discharged with diagnosis groups (J18, I21) and without one (an
    admission filed with no group); on the broker no DischargeRecorded carries one in clear,
    and those with a group carry it sealed for settlement."""
    discharges = [e["data"] for e in stack.events if e["type"].endswith(".DischargeRecorded")]
    assert discharges, "the journeys discharged no one"
    for data in discharges:
        assert "diagnosis_group" not in data, data
        assert not {"J18", "I21"} & {v for v in data.values() if isinstance(v, str)}
    sealed = [data for data in discharges if data.get("diagnosis_group_sealed")]
    assert len(sealed) >= 2, "the discharges with J18 and I21 carry no sealed group"
