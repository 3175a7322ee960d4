"""The filing windows are versioned parameters (LJ-4.2b): the seed's 24 hours apply until an
administrator loads a stricter version, which then decides the deadline and is cited in the
decision log; a version weaker than the seed is refused naming the field and the rule."""

from __future__ import annotations

from datetime import datetime

import time_machine
from sqlalchemy import text

from medaid_shared.clock import SHANGHAI
from medaid_shared.testing import ServiceHarness

from .helpers import add_person, admit, assert_problem, ca, centralized, world


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


def filing_version(**values: int) -> dict[str, object]:
    return {"kind": "filing_windows", "effective_from": "2026-10-01", "values": values, "source": "区民政局通知"}


async def test_lj_4_2b_a_stricter_filing_window_applies_from_its_date_and_is_cited(svc: ServiceHarness) -> None:
    admin = svc.token("admin")
    with time_machine.travel(sh(2026, 9, 29, 10), tick=False):
        w = await world(svc)
        kinds = (await svc.client.get("/parameters/kinds", headers=ca(svc))).json()["kinds"]
        filing = next(k for k in kinds if k["kind"] == "filing_windows")
        assert filing["default"]["values"]["filing_hours"] == 24
        assert {"field": "filing_hours", "rule": "LJ-4.2b", "floor": None, "ceiling": 24} in filing["bounds"]
        r = await svc.client.post(
            "/admin/parameters", json={"versions": [filing_version(filing_hours=12)]}, headers=admin
        )
        assert r.status_code == 201, r.text
        assert r.json() == {"loaded": ["filing_windows:any:any:2026-10-01"]}
        before = await admit(svc, w["central"], "2026-09-29T09:00:00+08:00")
    assert datetime.fromisoformat(before["filing_due_at"]) == sh(2026, 9, 30, 9)  # the default 24 hours
    with time_machine.travel(sh(2026, 10, 2, 10), tick=False):
        second = await add_person(svc, centralized(3))
        after = await admit(svc, second["person_id"], "2026-10-02T08:00:00+08:00")
    assert datetime.fromisoformat(after["filing_due_at"]) == sh(2026, 10, 2, 20)  # the loaded 12 hours
    async with svc.runtime.db.read() as session:
        rows = (
            await session.execute(
                text(
                    "SELECT details->>'policy_version' FROM referral.audit_log WHERE action = 'admission.file' ORDER BY seq"
                )
            )
        ).scalars()
        assert list(rows) == ["filing_windows:any:any:default", "filing_windows:any:any:2026-10-01"]
    listing = (await svc.client.get("/parameters?kind=filing_windows", headers=ca(svc))).json()["items"]
    assert [v["version_id"] for v in listing] == ["filing_windows:any:any:2026-10-01"]


async def test_lj_4_2b_a_weaker_window_is_refused_and_only_an_administrator_loads(svc: ServiceHarness) -> None:
    admin = svc.token("admin")
    weaker = {"versions": [filing_version(filing_hours=48)]}
    r = await svc.client.post("/admin/parameters", json=weaker, headers=admin)
    assert_problem(r, 422, field="/versions/0/values/filing_hours", rule="LJ-4.2b")
    late_form = {"versions": [filing_version(phone_form_working_days=5)]}
    assert_problem(
        await svc.client.post("/admin/parameters", json=late_form, headers=admin),
        422,
        field="/versions/0/values/phone_form_working_days",
        rule="LJ-4.2d",
    )
    ok = {"versions": [filing_version(filing_hours=20)]}
    assert_problem(await svc.client.post("/admin/parameters", json=ok, headers=ca(svc)), 403)
    assert (await svc.client.get("/parameters", headers=ca(svc))).json()["items"] == []
    # the same Idempotency-Key answers the first load again; a second plain load overlaps
    key = {**admin, "Idempotency-Key": "load-1"}
    first = await svc.client.post("/admin/parameters", json=ok, headers=key)
    again = await svc.client.post("/admin/parameters", json=ok, headers=key)
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert_problem(await svc.client.post("/admin/parameters", json=ok, headers=admin), 409, field="/versions")


async def test_lj_11_3_the_emergency_exemption_from_referral_follows_the_version_in_force(svc: ServiceHarness) -> None:
    """LJ-11.3 / LJ-3.2a / LJ-4.2a: an emergency admission above primary level with no referral
    is compliant while the ``referral_exemption`` in force exempts it; a version that switches the
    exemption off decides the admissions from its date, and each compliance cites its version."""
    admin = svc.token("admin")
    with time_machine.travel(sh(2026, 9, 29, 10), tick=False):
        w = await world(svc)
        version = {
            "kind": "referral_exemption",
            "effective_from": "2026-10-01",
            "values": {"emergency_exempt": False},
            "source": "区医保局通知",
        }
        r = await svc.client.post("/admin/parameters", json={"versions": [version]}, headers=admin)
        assert r.status_code == 201, r.text
        assert r.json() == {"loaded": ["referral_exemption:any:any:2026-10-01"]}
        before = await admit(svc, w["central"], "2026-09-29T09:00:00+08:00", emergency=True)
    assert before["referral_compliance"] == {
        "primary_first_visit": True,
        "referral_slip": True,
        "out_of_region_approved": None,
        "compliant": True,
        "parameters_version": "referral_exemption:any:any:default",
    }
    with time_machine.travel(sh(2026, 10, 2, 10), tick=False):
        after = await admit(svc, w["decentral"], "2026-10-02T08:00:00+08:00", emergency=True)
    assert after["referral_compliance"] == {
        "primary_first_visit": False,
        "referral_slip": False,
        "out_of_region_approved": None,
        "compliant": False,
        "parameters_version": "referral_exemption:any:any:2026-10-01",
    }
