"""GD-19: the registration records are also delivered on a schedule — a daily file of the
records new or changed since the last delivery, with its manifest; the batch's sequence
number is the cursor the national platform reads on from."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import datetime
from typing import Any

import time_machine
from sqlalchemy import text

from medaid_shared.testing import ServiceHarness

from .helpers import CITY, H1, call, deliver, load_parameters, local, ok, paid, parameter_version, verified_event

BATCHES = "/exports/registrations/batches"
EXPORT = {"city": CITY, "from": "2026-09-01", "to": "2026-09-30"}
INSTANT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")


def _instants(record: dict[str, Any]) -> dict[str, Any]:
    """The record with each RFC 3339 instant as the instant it names."""
    return {
        k: datetime.fromisoformat(v) if isinstance(v, str) and INSTANT.fullmatch(v) else v for k, v in record.items()
    }


async def test_gd_19_registrations_are_delivered_daily_as_files_with_a_manifest_and_a_cursor(
    svc: ServiceHarness,
) -> None:
    _, [case_id] = await paid(svc)  # the fund was created on 2026-09-18; paid on 2026-09-25
    with time_machine.travel(local(2026, 9, 26, 1, 59), tick=False):
        assert (await ok(svc, "GET", BATCHES, "agency", params={"city": CITY}))["items"] == []
    with time_machine.travel(local(2026, 9, 26, 2, 0, 1), tick=False):
        await svc.runtime.scheduler.fire_due()
        await svc.runtime.scheduler.fire_due()  # the next delivery is tomorrow's
        page = await ok(svc, "GET", BATCHES, "auditor", params={"city": CITY})
        [first] = page["items"]
        assert page["next_cursor"] == "1"
        assert (first["seq"], first["previous_seq"], first["record_count"], first["record_ids"]) == (
            1,
            None,
            1,
            [case_id],
        )
        assert first["format"] == "csv" and first["rule"] == "GD-19"
        assert first["parameters_version"] == "registration_export:any:any:default"
        r = await call(svc, "GET", first["file"].removeprefix("/v1"), "agency")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        assert hashlib.sha256(r.content).hexdigest() == first["sha256"] == r.headers["x-content-sha256"]
        assert csv.DictReader(io.StringIO(r.text)).fieldnames == first["fields"]
        [row] = list(csv.DictReader(io.StringIO(r.text)))
        assert row["disease_code"] == "I21"  # the agency enters the record in the national platform
        # SPEC 0.4: every other reader of the delivered file receives it without the disease
        # code (the minimisation table's DIAGNOSIS_RECORDS), with the digest of what it receives
        for role in ("health", "auditor"):
            other = await call(svc, "GET", first["file"].removeprefix("/v1"), role)
            assert other.status_code == 200 and "I21" not in other.text, role
            assert hashlib.sha256(other.content).hexdigest() == other.headers["x-content-sha256"], role
            assert [{**row, "disease_code": ""}] == list(csv.DictReader(io.StringIO(other.text))), role
        pulled = (await ok(svc, "GET", "/exports/registrations", "agency", params=EXPORT))["items"]
        # the file carries the same record as the pull: its instants in Shanghai time, the
        # pull's in UTC with Z
        assert [_instants(row)] == [_instants(r) for r in pulled]
        assert row["admitted_at"].endswith("+08:00") and pulled[0]["admitted_at"].endswith("Z")
        # scope: hospitals and other cities see no delivery
        assert (await call(svc, "GET", BATCHES, "hospital", params={"city": CITY})).status_code == 403
        assert (await call(svc, "GET", BATCHES, "other_agency", params={"city": CITY})).status_code == 403
        file_path = first["file"].removeprefix("/v1")
        assert (await call(svc, "GET", file_path, "other_agency")).status_code == 403
        assert (await call(svc, "GET", f"{BATCHES}/RB-none/file", "agency")).status_code == 404
    async with svc.runtime.db.read() as s:
        [stored] = (await s.execute(text("SELECT content_enc FROM emergency_fund.registration_batch"))).scalars()
    assert b"I21" not in bytes(stored) and case_id.encode() not in bytes(stored)  # SPEC 0.4: at rest encrypted
    with time_machine.travel(local(2026, 9, 27, 2, 0, 1), tick=False):
        await svc.runtime.scheduler.fire_due()  # nothing changed: no file
        assert (await ok(svc, "GET", BATCHES, "agency", params={"city": CITY, "after": 1}))["items"] == []
    with time_machine.travel(local(2026, 10, 20, 10), tick=False):
        await deliver(svc, verified_event("identified", late=True, patient_ref=f"P-{H1}-0"))
    with time_machine.travel(local(2026, 10, 21, 2, 0, 1), tick=False):
        await svc.runtime.scheduler.fire_due()
        page = await ok(svc, "GET", BATCHES, "agency", params={"city": CITY, "after": 1})
        [second] = page["items"]
        assert (second["seq"], second["previous_seq"], second["record_ids"]) == (2, 1, [case_id])
        assert page["next_cursor"] == "2"
        r = await call(svc, "GET", second["file"].removeprefix("/v1"), "agency")
        [row] = list(csv.DictReader(io.StringIO(r.text)))
        assert (row["identified_late"], row["refund_demanded"]) == ("true", "15090.00")
        done = await ok(svc, "GET", BATCHES, "agency", params={"city": CITY, "after": 2})
        assert done == {"city": CITY, "items": [], "next_cursor": "2", "rule": "GD-19"}
        bad = await call(svc, "GET", BATCHES, "agency", params={"city": CITY, "after": -1})
        assert bad.status_code == 422


async def test_gd_19_the_delivery_time_is_a_versioned_interpretation(svc: ServiceHarness) -> None:
    with time_machine.travel(local(2026, 9, 1, 10), tick=False):
        bad = parameter_version("registration_export", "2026-09-02", registration_export_time="25:00")
        assert (await load_parameters(svc, bad)).status_code == 422
        good = parameter_version("registration_export", "2026-09-02", registration_export_time="06:30")
        assert (await load_parameters(svc, good)).status_code < 300
    _, [case_id] = await paid(svc)  # fund created 2026-09-18 10:00: first delivery 2026-09-19 06:30
    with time_machine.travel(local(2026, 9, 19, 6, 29), tick=False):
        await svc.runtime.scheduler.fire_due()
        assert (await ok(svc, "GET", BATCHES, "agency", params={"city": CITY}))["items"] == []
    with time_machine.travel(local(2026, 9, 19, 6, 30, 1), tick=False):
        await svc.runtime.scheduler.fire_due()
        [batch] = (await ok(svc, "GET", BATCHES, "agency", params={"city": CITY}))["items"]
        assert batch["record_ids"] == [case_id]
        assert batch["parameters_version"] == "registration_export:any:any:2026-09-02"
