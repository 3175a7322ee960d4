"""LJ-13.1 / SPEC 0.5: the national one-stop result as the fact. Where the hospital settled on
the national medical-security platform, settlement takes basic insurance, critical illness
and medical aid from the posted result (aid checked against LJ-6.2 and the yearly ceiling of
its own ledger), computes the support fund and the self-pay treatment itself, and flags
every difference from its own computation; without it, it computes as before."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from medaid_shared.contracts.common import FilingState
from medaid_shared.testing import ServiceHarness
from tests_settlement.factories import AID_PARAMETERS, BASIC_PARAMETERS, CRITICAL_PARAMETERS
from tests_settlement.world import (
    admin,
    admit,
    bill,
    discharge,
    hospital,
    insurance,
    line,
    load_parameters,
    settled,
)

D = Decimal


def result(**overrides: str) -> dict[str, Any]:
    """The platform's result for a 20,000.00 in-catalogue bill, equal to the own computation
    with the test parameters: basic (20,000 − 500) × 80 % = 15,600, critical illness 0 (below
    its threshold), medical aid 100 % of the 4,400 left (LJ-6.2)."""
    body = {
        "setl_id": "SETL-0001",
        "mdtrt_id": "MDTRT-0001",
        "setl_time": "2026-03-10T10:30:00+08:00",
        "medfee_sumamt": "20000.00",
        "inscp_scp_amt": "20000.00",
        "fulamt_ownpay_amt": "0.00",
        "act_pay_dedc": "500.00",
        "hifp_pay": "15600.00",
        "hifmi_pay": "0.00",
        "maf_pay": "4400.00",
        "psn_cash_pay": "0.00",
    }
    body.update(overrides)
    return body


async def _ready(svc: ServiceHarness, lines: list[dict[str, Any]] | None = None, **admit_kw: Any) -> dict[str, str]:
    await admit(svc, **admit_kw)
    await discharge(svc)
    h = hospital(svc)
    r = await svc.client.post("/bills", json=bill("B1", lines or [line("20000.00")]), headers=h)
    assert r.status_code == 201, r.text
    return h


async def _post(svc: ServiceHarness, body: dict[str, Any], headers: dict[str, str]) -> Any:
    return await svc.client.post("/admissions/A1/platform-settlement", json=body, headers=headers)


async def test_lj_13_1_a_platform_result_equal_to_the_own_computation_stands_without_flags(
    svc: ServiceHarness,
) -> None:
    await load_parameters(svc)
    h = await _ready(svc)
    posted = await _post(svc, result(), h)
    assert posted.status_code == 201, posted.text
    assert posted.json()["setl_id"] == "SETL-0001" and posted.json()["maf_pay"] == "4400.00"
    again = await _post(svc, result(), h)
    assert again.status_code == 200  # the same result again: the stored one
    st = (await svc.client.post("/admissions/A1/settlement", headers=h)).json()
    assert st["platform_setl_id"] == "SETL-0001"
    assert st["platform_differences"] == []
    assert (st["amounts"]["basic_insurance"], st["amounts"]["medical_aid"]) == ("15600.00", "4400.00")
    assert await svc.published("CostAnomalyFlagged") == []


async def test_spec_0_5_lj_13_1_insurance_and_aid_come_from_the_platform_and_differences_are_flagged(
    svc: ServiceHarness,
) -> None:
    """The platform applied the real policy (deductible 300, 85 %, some critical illness):
    the statement takes its figures, the support fund pays what is left of the compliant
    cost, and each difference from the own (example-parameter) computation is named."""
    await load_parameters(svc)
    h = await _ready(svc)
    body = result(act_pay_dedc="300.00", hifp_pay="16745.00", hifmi_pay="300.00", maf_pay="2955.00")
    assert (await _post(svc, body, h)).status_code == 201
    r = await svc.client.post("/admissions/A1/settlement", headers=h)
    assert r.status_code == 201, r.text
    st = r.json()
    assert st["amounts"]["basic_insurance"] == "16745.00"
    assert st["amounts"]["critical_illness"] == "300.00"
    assert st["amounts"]["medical_aid"] == "2955.00"  # 100 % of the 2,955 left (LJ-6.2)
    assert st["amounts"]["support_fund"] == "0.00"
    assert st["deductible_applied"] == "300.00"
    diffs = {d["field"]: (d["platform"], d["computed"], d["rule"]) for d in st["platform_differences"]}
    assert diffs == {
        "act_pay_dedc": ("300.00", "500.00", "LJ-6.1"),
        "hifp_pay": ("16745.00", "15600.00", "LJ-6.1"),
        "hifmi_pay": ("300.00", "0.00", "LJ-6.1"),
    }
    nf = st["national_fields"]
    assert (nf["hifp_pay"], nf["hifmi_pay"], nf["maf_pay"]) == ("16745.00", "300.00", "2955.00")
    basic_line = next(ln for ln in st["lines"] if ln["payer"] == "basic_insurance")
    assert "SETL-0001" in basic_line["basis"] and "15600.00" in basic_line["basis"]
    (flag,) = await svc.published("CostAnomalyFlagged")
    assert flag["payload"]["kind"] == "platform_difference" and flag["payload"]["admission_id"] == "A1"
    assert flag["payload"]["period"] == "2026Q1" and "hifp_pay 16745.00 vs 15600.00" in flag["payload"]["detail"]
    (event,) = await svc.published("SettlementCompleted")
    assert event["payload"]["platform_setl_id"] == "SETL-0001"
    assert len(event["payload"]["platform_differences"]) == 3
    flags = await svc.client.get("/reports/2026Q1/flags?kind=platform_difference", headers=insurance(svc))
    assert [f["admission_id"] for f in flags.json()["items"]] == ["A1"]
    ledger = (await svc.client.get("/ledger/P1/2026", headers=insurance(svc))).json()
    assert ledger["aid_used"] == "2955.00" and ledger["basic_paid"] == "16745.00"


async def test_lj_6_2_platform_aid_above_the_yearly_ceiling_is_not_accepted(svc: ServiceHarness) -> None:
    """The ledger's ceiling (here 3,000 left) bounds the aid the statement accepts; the excess
    is a flagged difference naming LJ-6.2 and the support fund pays the compliant rest."""
    versions = [BASIC_PARAMETERS, CRITICAL_PARAMETERS, {**AID_PARAMETERS, "values": {"annual_ceiling": "3000.00"}}]
    assert (
        await svc.client.post("/admin/parameters", json={"versions": versions}, headers=admin(svc))
    ).status_code == 201
    h = await _ready(svc)
    assert (await _post(svc, result(), h)).status_code == 201
    st = (await svc.client.post("/admissions/A1/settlement", headers=h)).json()
    assert st["amounts"]["medical_aid"] == "3000.00"
    assert st["amounts"]["support_fund"] == "1400.00"
    (diff,) = st["platform_differences"]
    assert (diff["field"], diff["platform"], diff["computed"], diff["rule"]) == (
        "maf_pay",
        "4400.00",
        "3000.00",
        "LJ-6.2",
    )
    assert "1400.00 not accepted" in diff["note"]
    assert (await svc.client.get("/ledger/P1/2026", headers=insurance(svc))).json()["aid_used"] == "3000.00"


async def test_lj_4_3c_platform_aid_on_unfiled_care_is_refused_and_flagged(svc: ServiceHarness) -> None:
    await load_parameters(svc)
    h = await _ready(svc, filing=FilingState.UNFILED)
    assert (await _post(svc, result(), h)).status_code == 201
    st = (await svc.client.post("/admissions/A1/settlement", headers=h)).json()
    assert st["amounts"]["medical_aid"] == "0.00"
    assert st["amounts"]["personal_cash"] == "4400.00"
    (diff,) = st["platform_differences"]
    assert (diff["field"], diff["rule"]) == ("maf_pay", "LJ-4.3c")


async def test_spec_0_5_a_result_posted_after_the_statement_re_settles_on_it(svc: ServiceHarness) -> None:
    await load_parameters(svc)
    first = await settled(svc, [line("20000.00")])
    assert first["platform_setl_id"] is None  # computed as before, from the versioned parameters
    body = result(hifp_pay="16000.00", maf_pay="4000.00")
    assert (await _post(svc, body, hospital(svc))).status_code == 201
    statements = (await svc.client.get("/statements?admission_id=A1", headers=insurance(svc))).json()["items"]
    assert sorted(s["kind"] for s in statements) == ["reversal", "settlement", "settlement"]
    new = next(s for s in statements if s["kind"] == "settlement" and s["statement_id"] != first["statement_id"])
    assert new["platform_setl_id"] == "SETL-0001" and "SETL-0001 posted" in new["reason"]
    assert (new["amounts"]["basic_insurance"], new["amounts"]["medical_aid"]) == ("16000.00", "4000.00")
    assert (await svc.client.get("/ledger/P1/2026", headers=insurance(svc))).json()["aid_used"] == "4000.00"


async def test_lj_13_1_bad_platform_results_are_problems_naming_the_field(svc: ServiceHarness) -> None:
    await load_parameters(svc)
    h = await _ready(svc, identifiers={"setl_id": "SETL-0001"})
    bad = await _post(svc, result(psn_cash_pay="10.00"), h)  # does not add up to medfee_sumamt
    assert bad.status_code == 422 and "psn_cash_pay" in bad.text
    wrong_id = await _post(svc, result(setl_id="SETL-9999"), h)
    assert wrong_id.status_code == 422
    assert (wrong_id.json()["field"], wrong_id.json()["rule"]) == ("/setl_id", "LJ-13.1")
    other = await _post(svc, result(), hospital(svc, "H002"))
    assert other.status_code == 403
    unknown = await svc.client.post("/admissions/NOPE/platform-settlement", json=result(), headers=h)
    assert unknown.status_code in (404, 409)
    # insurances above the compliant cost of the bills cannot be settled (LJ-6.1)
    too_much = result(hifp_pay="19000.00", hifmi_pay="1000.00", maf_pay="0.00", medfee_sumamt="20000.00")
    assert (await _post(svc, too_much, h)).status_code == 201
    assert (await _post(svc, result(maf_pay="4400.00", hifp_pay="15599.00", psn_cash_pay="1.00"), h)).status_code == 409
    r = await svc.client.post("/admissions/A1/settlement", headers=h)
    assert r.status_code == 201, r.text  # 20,000 in the catalogue: 19,000 + 1,000 fit exactly
    assert r.json()["amounts"]["medical_aid"] == "0.00"


async def test_lj_6_1_insurances_above_the_compliant_cost_refuse_the_settlement(svc: ServiceHarness) -> None:
    await load_parameters(svc)
    h = await _ready(svc, lines=[line("15000.00"), line("5000.00", in_catalogue=False)])
    assert (await _post(svc, result(), h)).status_code == 201
    r = await svc.client.post("/admissions/A1/settlement", headers=h)
    assert r.status_code == 422, r.text
    assert (r.json()["field"], r.json()["rule"]) == ("/hifp_pay", "LJ-6.1")
    assert (await svc.client.get("/statements?admission_id=A1", headers=h)).json()["items"] == []


async def _correct(svc: ServiceHarness, body: dict[str, Any], headers: dict[str, str]) -> Any:
    return await svc.client.post("/admissions/A1/platform-settlement/corrections", json=body, headers=headers)


async def _reverse(svc: ServiceHarness, body: dict[str, Any], headers: dict[str, str]) -> Any:
    return await svc.client.post("/admissions/A1/platform-settlement/reversal", json=body, headers=headers)


async def test_spec_0_5_lj_13_1_a_corrected_result_reissues_the_statement_in_the_same_ledger(
    svc: ServiceHarness,
) -> None:
    """The hospital corrects the posted result of the same setl_id: the statement is reversed
    and issued again on the correction, the aid-ceiling ledger holding the corrected aid only
    (LJ-6.2), with the reason on both events. The same correction again is answered as done;
    a correction naming a revision no longer in force is stale and changes nothing."""
    await load_parameters(svc)
    h = await _ready(svc)
    assert (await _post(svc, result(), h)).status_code == 201
    first = (await svc.client.post("/admissions/A1/settlement", headers=h)).json()
    assert first["amounts"]["medical_aid"] == "4400.00"
    fixed = {**result(hifp_pay="16000.00", maf_pay="4000.00"), "corrects_revision": 1, "reason": "platform re-run"}
    r = await _correct(svc, fixed, h)
    assert r.status_code == 201, r.text
    assert (r.json()["revision"], r.json()["reason"], r.json()["maf_pay"]) == (2, "platform re-run", "4000.00")
    (reversed_,) = await svc.published("SettlementReversed")
    assert reversed_["payload"]["reversed_statement_id"] == first["statement_id"]
    assert "SETL-0001 corrected (revision 2): platform re-run" in reversed_["payload"]["reason"]
    completed = await svc.published("SettlementCompleted")
    assert len(completed) == 2 and completed[1]["payload"]["replaces_statement_id"] == first["statement_id"]
    assert (completed[1]["payload"]["medical_aid"], completed[1]["payload"]["basic_insurance"]) == (
        "4000.00",
        "16000.00",
    )
    assert "corrected" in completed[1]["payload"]["reason"]
    ledger = (await svc.client.get("/ledger/P1/2026", headers=insurance(svc))).json()
    assert (ledger["aid_used"], ledger["basic_paid"]) == ("4000.00", "16000.00")
    again = await _correct(svc, fixed, h)
    assert again.status_code == 200 and again.json()["revision"] == 2  # a repeated correction
    stale = await _correct(svc, {**fixed, "maf_pay": "3900.00", "psn_cash_pay": "100.00"}, h)
    assert stale.status_code == 409, stale.text
    assert (stale.json()["field"], stale.json()["rule"], stale.json()["revision"]) == (
        "/corrects_revision",
        "LJ-13.1",
        2,
    )
    other_id = await _correct(svc, {**fixed, "setl_id": "SETL-0002", "corrects_revision": 2}, h)
    assert other_id.status_code == 422 and other_id.json()["field"] == "/setl_id"
    assert len(await svc.published("SettlementReversed")) == 1
    assert (await svc.client.get("/ledger/P1/2026", headers=insurance(svc))).json()["aid_used"] == "4000.00"
    assert (await _post(svc, result(), h)).status_code == 409  # a new post is no correction


async def test_spec_0_5_lj_13_1_a_platform_reversal_reissues_on_the_own_computation(svc: ServiceHarness) -> None:
    """The national settlement is reversed on the platform (2208): the statement that took its
    figures is reversed and issued again on the own computation, its platform-difference flag
    withdrawn; a repeated reversal changes nothing; a new settlement on the platform has a new
    setl_id and is taken as before; the reversed id cannot be posted again."""
    await load_parameters(svc)
    h = await _ready(svc)
    assert (await _post(svc, result(hifp_pay="16000.00", maf_pay="4000.00"), h)).status_code == 201
    first = (await svc.client.post("/admissions/A1/settlement", headers=h)).json()
    assert first["platform_setl_id"] == "SETL-0001" and first["platform_differences"]
    stale = await _reverse(svc, {"setl_id": "SETL-0001", "revision": 2, "reason": "cancelled at the counter"}, h)
    assert stale.status_code == 409 and stale.json()["field"] == "/revision"
    body = {"setl_id": "SETL-0001", "revision": 1, "reason": "cancelled at the counter"}
    r = await _reverse(svc, body, h)
    assert r.status_code == 200, r.text
    assert r.json()["reversed_at"] is not None and r.json()["reversal_reason"] == "cancelled at the counter"
    (reversed_,) = await svc.published("SettlementReversed")
    assert "SETL-0001 reversed on the platform: cancelled at the counter" in reversed_["payload"]["reason"]
    completed = await svc.published("SettlementCompleted")
    assert completed[1]["payload"]["platform_setl_id"] is None
    assert completed[1]["payload"]["medical_aid"] == "4400.00"  # the own computation
    assert (await svc.client.get("/ledger/P1/2026", headers=insurance(svc))).json()["aid_used"] == "4400.00"
    (withdrawn,) = await svc.published("CostAnomalyWithdrawn")
    assert withdrawn["payload"]["kind"] == "platform_difference"
    flags = await svc.client.get("/reports/2026Q1/flags?kind=platform_difference", headers=insurance(svc))
    assert flags.json()["items"] == []
    assert (await _reverse(svc, body, h)).status_code == 200
    assert len(await svc.published("SettlementReversed")) == 1
    assert (await _post(svc, result(), h)).status_code == 409  # the reversed id is not posted again
    new = await _post(svc, result(setl_id="SETL-0002"), h)
    assert new.status_code == 201 and new.json()["revision"] == 2
    latest = (await svc.published("SettlementCompleted"))[-1]["payload"]
    assert latest["platform_setl_id"] == "SETL-0002" and latest["medical_aid"] == "4400.00"
    assert (await svc.client.get("/ledger/P1/2026", headers=insurance(svc))).json()["aid_used"] == "4400.00"
    nothing = await svc.client.post(
        "/admissions/A2/platform-settlement/reversal", json={**body, "setl_id": "SETL-0002"}, headers=h
    )
    assert nothing.status_code in (404, 409)


async def test_lj_13_1_after_a_platform_reversal_the_new_settlement_id_is_taken_though_referral_gave_one(
    svc: ServiceHarness,
) -> None:
    """LJ-13.1 / SPEC 0.5: referral gave the admission its setl_id, which binds the first result
    (another id is refused before any reversal). Once that result is reversed on the platform
    (2208), the new settlement's new id is taken; the revisions read back as posted, paged,
    first posted first, each with when it stopped being in force (the hospital its own only)."""
    await load_parameters(svc)
    h = await _ready(svc, identifiers={"setl_id": "SETL-0001"})
    early = await _post(svc, result(setl_id="SETL-0002"), h)
    assert early.status_code == 422 and (early.json()["field"], early.json()["rule"]) == ("/setl_id", "LJ-13.1")
    assert (await _post(svc, result(hifp_pay="16000.00", maf_pay="4000.00"), h)).status_code == 201
    reversal = {"setl_id": "SETL-0001", "revision": 1, "reason": "结算有误，医保中心撤销后重新结算"}
    assert (await _reverse(svc, reversal, h)).status_code == 200
    new = await _post(svc, result(setl_id="SETL-0002"), h)
    assert new.status_code == 201, new.text
    assert (new.json()["setl_id"], new.json()["revision"]) == ("SETL-0002", 2)
    assert (await _post(svc, result(), h)).status_code == 409  # the reversed id is not posted again

    path = "/admissions/A1/platform-settlement/revisions"
    first_page = await svc.client.get(f"{path}?limit=1", headers=h)
    assert first_page.status_code == 200, first_page.text
    [first] = first_page.json()["items"]
    assert (first["setl_id"], first["revision"], first["maf_pay"]) == ("SETL-0001", 1, "4000.00")
    assert first["reversal_reason"] == reversal["reason"] and first["superseded_at"] is not None
    cursor = first_page.json()["next_cursor"]
    assert cursor
    second_page = (await svc.client.get(f"{path}?limit=1&cursor={cursor}", headers=h)).json()
    [second] = second_page["items"]
    assert (second["setl_id"], second["revision"], second["superseded_at"]) == ("SETL-0002", 2, None)
    assert second_page["next_cursor"] is None
    assert (await svc.client.get(path, headers=insurance(svc))).json()["items"][1]["setl_id"] == "SETL-0002"
    assert (await svc.client.get(path, headers=hospital(svc, "H002"))).status_code == 403
    assert (await svc.client.get("/admissions/NOPE/platform-settlement/revisions", headers=h)).status_code == 404
