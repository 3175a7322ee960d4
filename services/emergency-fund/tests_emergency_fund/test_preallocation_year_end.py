"""GD-7: the year-end check of the pre-allocation minimum (a deadline, an event and a flag),
and last cycle's use net of the money hospitals returned (GD-16.4)."""

from __future__ import annotations

import time_machine

from medaid_shared.testing import ServiceHarness

from .helpers import (
    CITY,
    H1,
    H2,
    call,
    deliver,
    inflow,
    load_parameters,
    local,
    make_fund,
    ok,
    paid,
    parameter_version,
    register_facility,
    verified_event,
)

PATH = f"/funds/{CITY}/preallocations"


async def test_gd_7_the_year_end_check_flags_and_announces_a_city_below_the_minimum(svc: ServiceHarness) -> None:
    with time_machine.travel(local(2026, 6, 1, 10), tick=False):
        await make_fund(svc)
        await register_facility(svc, H1)
        await inflow(svc, "central_transfer", "1000000.00", 2026, "C-1")
        await inflow(svc, "city_budget", "500000.00", 2026, "B-1")
        await ok(svc, "POST", PATH, "agency", {"facility_id": H1, "year": 2026, "amount": "700000.00"})
    with time_machine.travel(local(2026, 12, 31, 23, 59, 59), tick=False):
        await svc.runtime.scheduler.fire_due()
        assert await svc.published("FundPreallocationBelowMinimum") == []  # the year has not ended
        check = await ok(svc, "GET", f"{PATH}/check", "auditor", params={"year": 2026})
        assert check["year_end_check"] is None and check["compliant"] is False
    with time_machine.travel(local(2027, 1, 1, 0, 0, 1), tick=False):
        await svc.runtime.scheduler.fire_due()
        [event] = await svc.published("FundPreallocationBelowMinimum")
        assert event["payload"] | {"checked_at": None} == {
            "city": CITY,
            "year": 2026,
            "upper_level_transfers": "1000000.00",
            "min_share": "0.80",
            "required_minimum": "800000.00",
            "preallocated": "700000.00",
            "shortfall": "100000.00",
            "checked_at": None,
            "parameters_version": "preallocation:any:any:default",
        }
        flag = (await ok(svc, "GET", f"{PATH}/check", "finance", params={"year": 2026}))["year_end_check"]
        assert flag["compliant"] is False and flag["shortfall"] == "100000.00" and flag["flagged_at"] is not None
        await svc.runtime.scheduler.fire_due()
        assert len(await svc.published("FundPreallocationBelowMinimum")) == 1  # once
    with time_machine.travel(local(2027, 1, 10, 10), tick=False):
        # SPEC 0.5: an audited correction into 2026 makes the check be taken again; the flag clears
        fixed = {"facility_id": H1, "year": 2026, "amount": "100000.00", "correction_reason": "2026年12月凭证漏记"}
        await ok(svc, "POST", PATH, "agency", fixed)
        flag = (await ok(svc, "GET", f"{PATH}/check", "auditor", params={"year": 2026}))["year_end_check"]
        assert flag["compliant"] is True and flag["flagged_at"] is None and flag["shortfall"] == "0.00"
        assert len(await svc.published("FundPreallocationBelowMinimum")) == 1
    with time_machine.travel(local(2028, 1, 1, 0, 0, 1), tick=False):
        await svc.runtime.scheduler.fire_due()  # 2027 was scheduled when 2026's check ran
        flag = (await ok(svc, "GET", f"{PATH}/check", "auditor", params={"year": 2027}))["year_end_check"]
        assert flag is not None and flag["compliant"] is True  # no transfers in 2027, nothing required
        assert len(await svc.published("FundPreallocationBelowMinimum")) == 1


async def test_gd_7_the_check_day_is_a_versioned_interpretation(svc: ServiceHarness) -> None:
    with time_machine.travel(local(2026, 6, 1, 10), tick=False):
        r = await load_parameters(
            svc, parameter_version("preallocation_check", "2026-06-02", preallocation_check_day="12-15")
        )
        assert r.status_code < 300, r.text
        bad = parameter_version("preallocation_check", "2026-06-03", preallocation_check_day="02-30")
        assert (await load_parameters(svc, bad)).status_code == 422
    with time_machine.travel(local(2026, 6, 3, 10), tick=False):
        await make_fund(svc)
        await inflow(svc, "provincial_transfer", "100.00", 2026, "P-1")
        check = await ok(svc, "GET", f"{PATH}/check", "agency", params={"year": 2026})
        assert check["year_end_check_at"].startswith("2026-12-15T16:00:00")
    with time_machine.travel(local(2026, 12, 16, 0, 0, 1), tick=False):
        await svc.runtime.scheduler.fire_due()
        [event] = await svc.published("FundPreallocationBelowMinimum")
        assert event["payload"]["shortfall"] == "80.00" and event["payload"]["city"] == CITY


async def test_gd_7_refunds_reduce_last_cycles_use(svc: ServiceHarness) -> None:
    """Money returned after a late identification (GD-16.4) was not used: the plan for 2027
    rests on what H1 kept of its 2026 disbursements."""
    _, _ = await paid(svc)  # H1 paid 15090.00 on 2026-09-25
    with time_machine.travel(local(2026, 10, 20, 10), tick=False):
        await register_facility(svc, H2)
        await deliver(svc, verified_event("identified", late=True, patient_ref=f"P-{H1}-0"))
        [refund] = (await ok(svc, "GET", "/refunds", "hospital"))["items"]
        await ok(
            svc,
            "POST",
            f"/refunds/{refund['refund_id']}/payments",
            "hospital",
            {"amount": "5000.00", "reference": "BK"},
        )
        plan = await ok(svc, "GET", f"{PATH}/plan", "agency", params={"year": 2027})
        [h1] = plan["hospitals"]
        assert (h1["facility_id"], h1["last_cycle_use"], h1["refunded"], h1["suggested"]) == (
            H1,
            "10090.00",
            "5000.00",
            "8072.00",  # 10090.00 × 0.80
        )
        assert plan["refunds_parameters_version"] == "preallocation_check:any:any:default"
        assert (await call(svc, "GET", f"{PATH}/plan", "hospital", params={"year": 2027})).status_code == 403


async def test_gd_7_a_refund_counted_in_the_cycle_it_came_back_when_so_versioned(svc: ServiceHarness) -> None:
    _, _ = await paid(svc)
    with time_machine.travel(local(2026, 10, 20, 10), tick=False):
        version = parameter_version("preallocation_check", "2026-10-21", preallocation_refunds_reduce="refund_cycle")
        assert (await load_parameters(svc, version)).status_code < 300
        await deliver(svc, verified_event("identified", late=True, patient_ref=f"P-{H1}-0"))
    with time_machine.travel(local(2027, 1, 5, 10), tick=False):
        [refund] = (await ok(svc, "GET", "/refunds", "hospital"))["items"]
        await ok(
            svc,
            "POST",
            f"/refunds/{refund['refund_id']}/payments",
            "hospital",
            {"amount": "5000.00", "reference": "BK"},
        )
        plan = await ok(svc, "GET", f"{PATH}/plan", "agency", params={"year": 2027})
        assert [(h["last_cycle_use"], h["refunded"]) for h in plan["hospitals"]] == [("15090.00", "0.00")]
        assert plan["refunds_parameters_version"] != "preallocation_check:any:any:default"
        plan_2028 = await ok(svc, "GET", f"{PATH}/plan", "agency", params={"year": 2028})
        assert plan_2028["hospitals"] == []  # no 2027 disbursement; the refund cannot go below zero
