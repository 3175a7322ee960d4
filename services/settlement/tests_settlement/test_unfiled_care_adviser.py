"""LJ-4.3c: outside care with no filing at all — medical aid, the support fund and support
money pay nothing, and the cost falls on whoever advised the care or the person (建议方或当事人).
When civil affairs records the adviser (referral's UnfiledCareAdviserRecorded), the statement
names it as bearing the cost: a standing statement is reversed and issued again on it."""

from __future__ import annotations

from datetime import timedelta

from medaid_shared.contracts.common import FilingState
from medaid_shared.contracts.referral import UnfiledCareAdviserRecorded
from medaid_shared.testing import ServiceHarness
from settlement.service.settlements import bearer_view
from tests_settlement.world import (
    ADMITTED,
    admit,
    bill,
    compliance,
    decide,
    deliver,
    discharge,
    hospital,
    insurance,
    line,
    load_parameters,
)

ADVISER = UnfiledCareAdviserRecorded(
    admission_id="A1",
    person_id="P1",
    adviser_kind="facility",
    adviser_id="H009",
    adviser_name="柳江区某镇卫生院",
    evidence_ref="CA-EVID-7",
    recorded_at=ADMITTED + timedelta(days=12),
)


async def _unfiled_statement(svc: ServiceHarness) -> dict[str, object]:
    await load_parameters(svc)
    await admit(svc)
    await compliance(svc, "A1", FilingState.UNFILED)
    await discharge(svc)
    lines = [line("20000.00"), line("600.00", in_catalogue=False, item="SP1")]
    await decide(svc, "SP1", "600.00", "approved")
    assert (await svc.client.post("/bills", json=bill("B1", lines), headers=hospital(svc))).status_code == 201
    r = await svc.client.post("/admissions/A1/settlement", headers=hospital(svc))
    assert r.status_code == 201, r.text
    body: dict[str, object] = r.json()
    return body


async def test_lj_4_3c_without_a_known_adviser_the_statement_names_the_person(svc: ServiceHarness) -> None:
    st = await _unfiled_statement(svc)
    assert st["unfiled_care_bearer"] == {"rule": "LJ-4.3c", "bearer": "person", "amount": "5000.00", "adviser": None}
    assert st["amounts"]["personal_cash"] == "5000.00"  # type: ignore[index]  # 4,400 compliant + 600 self-pay
    completed = (await svc.published("SettlementCompleted"))[-1]["payload"]
    assert completed["unfiled_care_bearer"]["bearer"] == "person"


async def test_lj_4_3c_an_adviser_recorded_after_settlement_is_named_on_a_re_issued_statement(
    svc: ServiceHarness,
) -> None:
    first = await _unfiled_statement(svc)
    await deliver(svc, ADVISER)

    statements = (await svc.client.get("/statements?admission_id=A1", headers=insurance(svc))).json()["items"]
    assert sorted(s["kind"] for s in statements) == ["reversal", "settlement", "settlement"]
    new = next(s for s in statements if s["kind"] == "settlement" and s["statement_id"] != first["statement_id"])
    assert "adviser of the unfiled outside care recorded: 柳江区某镇卫生院" in new["reason"]
    bearer = new["unfiled_care_bearer"]
    assert (bearer["rule"], bearer["bearer"], bearer["amount"]) == ("LJ-4.3c", "adviser", "5000.00")
    assert bearer["adviser"]["name"] == "柳江区某镇卫生院" and bearer["adviser"]["evidence_ref"] == "CA-EVID-7"
    assert (bearer["adviser"]["kind"], bearer["adviser"]["unit_id"]) == ("facility", "H009")
    # still no aid, no support fund, no support money (LJ-4.3c); the amounts are unchanged
    assert new["amounts"] == first["amounts"]
    detail = (await svc.client.get(f"/statements/{new['statement_id']}", headers=insurance(svc))).json()
    bases = [ln["basis"] for ln in detail["lines"] if ln["rule"] == "LJ-4.3c" and ln["amount"] != "0.00"]
    assert len(bases) == 2 and all("borne by the adviser 柳江区某镇卫生院 (建议方)" in b for b in bases)
    completed = (await svc.published("SettlementCompleted"))[-1]["payload"]
    assert completed["replaces_statement_id"] == first["statement_id"]
    assert completed["unfiled_care_bearer"] == {
        "bearer": "adviser",
        "amount": "5000.00",
        "adviser_kind": "facility",
        "adviser_id": "H009",
        "adviser_name": "柳江区某镇卫生院",
    }
    # the same fact delivered again (a new event id) changes nothing
    await deliver(svc, ADVISER)
    assert len((await svc.client.get("/statements?admission_id=A1", headers=insurance(svc))).json()["items"]) == 3


async def test_lj_4_3c_an_adviser_known_before_settlement_is_named_on_the_first_statement(
    svc: ServiceHarness,
) -> None:
    await load_parameters(svc)
    await admit(svc)
    await compliance(svc, "A1", FilingState.UNFILED)
    await deliver(svc, ADVISER)
    await discharge(svc)
    assert (
        await svc.client.post("/bills", json=bill("B1", [line("1000.00")]), headers=hospital(svc))
    ).status_code == 201
    st = (await svc.client.post("/admissions/A1/settlement", headers=hospital(svc))).json()
    assert st["unfiled_care_bearer"]["bearer"] == "adviser"
    assert st["unfiled_care_bearer"]["adviser"]["name"] == "柳江区某镇卫生院"
    assert await svc.published("SettlementReversed") == []


async def test_lj_4_3c_a_filed_admission_names_no_bearer(svc: ServiceHarness) -> None:
    await load_parameters(svc)
    await admit(svc)
    await discharge(svc)
    assert (
        await svc.client.post("/bills", json=bill("B1", [line("1000.00")]), headers=hospital(svc))
    ).status_code == 201
    st = (await svc.client.post("/admissions/A1/settlement", headers=hospital(svc))).json()
    assert st["unfiled_care_bearer"] is None


def test_lj_4_3c_a_statement_issued_before_answers_its_advisers_facility_as_unit_id() -> None:
    """A statement is immutable (SPEC §5): one issued while the adviser's facility was stored as
    ``id`` keeps it so, and answers it as ``unit_id`` (docs/VOCABULARY.md); a person bearing
    the cost, or no bearer at all, answers as stored."""
    stored = {"rule": "LJ-4.3c", "bearer": "adviser", "amount": "674.00"}
    adviser = {"kind": "facility", "name": "柳州市工人医院", "evidence_ref": "MZ-LJ-2026-0117"}
    answered = bearer_view({**stored, "adviser": {**adviser, "id": "LZ-GRMYY"}})
    assert answered == {**stored, "adviser": {**adviser, "unit_id": "LZ-GRMYY"}}
    person = {"rule": "LJ-4.3c", "bearer": "person", "amount": "674.00", "adviser": None}
    assert bearer_view(person) == person and bearer_view(None) is None
