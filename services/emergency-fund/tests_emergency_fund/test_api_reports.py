"""Reports and the export for the national registration platform (GD-19)."""

from __future__ import annotations

import csv
import io

import time_machine

from medaid_shared.responses import on_the_wire
from medaid_shared.testing import ServiceHarness

from .helpers import CITY, H1, PAY, VALID_ID, call, ok, paid

EXPORT = {"city": CITY, "from": "2026-09-01", "to": "2026-09-30"}


async def test_fund_use_per_hospital_and_month(svc: ServiceHarness) -> None:
    await paid(svc, cases=2)
    with time_machine.travel(PAY, tick=False):
        report = await ok(svc, "GET", "/reports/fund-use", "auditor", params={"year": 2026})
        assert report["months"] == [
            {
                "city": CITY,
                "facility_id": H1,
                "month": 9,
                "applications": 1,
                "amount": "30180.00",
                "from_preallocation": "0.00",
                "from_fund_cash": "30180.00",
            }
        ]
        assert report["per_hospital"] == [{"city": CITY, "facility_id": H1, "amount": "30180.00"}]
        assert (await ok(svc, "GET", "/reports/fund-use", "finance", params={"year": 2025}))["total"] == "0.00"
        assert (await call(svc, "GET", "/reports/fund-use", "hospital", params={"year": 2026})).status_code == 403
        r = await call(svc, "GET", "/reports/fund-use", "other_agency", params={"year": 2026, "city": CITY})
        assert r.status_code == 403
        assert (await call(svc, "GET", "/reports/fund-use", "agency", params={"year": 20})).status_code == 422


async def test_gd_19_registration_export_json_and_csv(svc: ServiceHarness) -> None:
    app_id, [case_id] = await paid(svc)
    with time_machine.travel(PAY, tick=False):
        data = await ok(svc, "GET", "/exports/registrations", "health", params=EXPORT)
        [record] = data["items"]
        assert list(record) == data["fields"] and data["next_cursor"] is None
        assert record["record_id"] == case_id and record["application_id"] == app_id
        assert record["identity_status"] == "unidentified" and record["name_masked"] == ""
        assert (record["claimed_medical"], record["approved_amount"], record["paid_amount"]) == (
            "15000.00",
            "15090.00",
            "15090.00",
        )
        # Instants in UTC with Z in the JSON answer, in Shanghai time in the platform's file.
        assert (
            record["hospital_notice_end"].startswith("2026-09-22T15:59:59") and record["hospital_notice_end"][-1] == "Z"
        )
        assert record["disbursed_at"].startswith("2026-09-25T02:00")
        r = await call(svc, "GET", "/exports/registrations", "auditor", params={**EXPORT, "format": "csv"})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(r.text)))
        assert [on_the_wire(row) for row in rows] == data["items"]
        assert rows[0]["disbursed_at"].startswith("2026-09-25T10:00") and rows[0]["disbursed_at"].endswith("+08:00")
        assert VALID_ID not in r.text
        assert (
            await ok(
                svc,
                "GET",
                "/exports/registrations",
                "agency",
                params={**EXPORT, "from": "2026-10-01", "to": "2026-10-31"},
            )
        )["items"] == []
        for role in ("hospital", "finance", "civil"):
            assert (await call(svc, "GET", "/exports/registrations", role, params=EXPORT)).status_code == 403
        assert (await call(svc, "GET", "/exports/registrations", "other_agency", params=EXPORT)).status_code == 403
        backwards = {**EXPORT, "from": "2026-10-01"}
        assert (await call(svc, "GET", "/exports/registrations", "agency", params=backwards)).status_code == 422
        assert (
            await call(svc, "GET", "/exports/registrations", "agency", params={**EXPORT, "format": "xml"})
        ).status_code == 422


async def test_spec_0_4_the_registration_records_carry_the_disease_code_only_to_the_agency(svc: ServiceHarness) -> None:
    """Issue 16: the GD-19 records carried the disease code to every reader of exports. The
    minimisation table names the agency, which enters them in the national platform; the
    health department and the auditor read the records, JSON and CSV, with it empty."""
    await paid(svc)
    with time_machine.travel(PAY, tick=False):
        for role, seen in {"agency": "I21", "health": "", "auditor": ""}.items():
            [record] = (await ok(svc, "GET", "/exports/registrations", role, params=EXPORT))["items"]
            r = await call(svc, "GET", "/exports/registrations", role, params={**EXPORT, "format": "csv"})
            [row] = list(csv.DictReader(io.StringIO(r.text)))
            assert (record["disease_code"], row["disease_code"]) == (seen, seen), role
            assert seen or "I21" not in r.text + str(record), role
