"""LJ-11.1 / LJ-11.2: bill lines of treatments never consented raise a flag on settlement.
Settlement keeps consent's treatments and consents (TreatmentRecorded, ConsentSigned,
MajorTreatmentEvaluated) as a read model; a bill line names the treatment it bills."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from medaid_shared.contracts.consent import ConsentSigned, MajorTreatmentEvaluated, TreatmentRecorded, TreatmentReopened
from medaid_shared.testing import ServiceHarness
from tests_settlement.world import (
    ADMITTED,
    admit,
    bill,
    deliver,
    discharge,
    hospital,
    insurance,
    line,
    load_parameters,
    settled,
)


async def treatment(
    svc: ServiceHarness, treatment_id: str, kind: str = "routine", *, required: bool = True, admission_id: str = "A1"
) -> None:
    await deliver(
        svc,
        TreatmentRecorded(
            treatment_id=treatment_id,
            admission_id=admission_id,
            person_id="P1",
            kind=kind,
            status="awaiting_consent" if required else "emergency_treated",
            consent_required=required,
            recorded_at=ADMITTED + timedelta(hours=3),
        ),
    )


async def consent(svc: ServiceHarness, treatment_id: str) -> None:
    await deliver(
        svc,
        ConsentSigned(
            consent_id=f"C-{treatment_id}",
            admission_id="A1",
            person_id="P1",
            decision="routine",
            signer_id="P1",
            signer_rank=1,
            signer_role="patient",
            signed_at=ADMITTED + timedelta(hours=4),
            treatment_id=treatment_id,
        ),
    )


def treated(amount: str, treatment_id: str | None, category: str = "treatment") -> dict[str, Any]:
    return {**line(amount, code="DRG001", category=category), "treatment_id": treatment_id}


async def test_lj_11_1_a_line_of_a_treatment_never_consented_is_flagged(svc: ServiceHarness) -> None:
    """T1 was consented, T2 never was; an emergency rescue (LJ-11.3) needs no prior consent."""
    await load_parameters(svc)
    await admit(svc)
    for tid, kind, required in (("T1", "routine", True), ("T2", "routine", True), ("T3", "emergency", False)):
        await treatment(svc, tid, kind, required=required)
    await consent(svc, "T1")
    st = await settled(svc, [treated("800.00", "T1"), treated("600.00", "T2"), treated("500.00", "T3")])
    (found,) = st["unconsented_lines"]
    assert (found["bill_ref"], found["treatment_id"], found["rule"], found["amount"]) == (
        "B-A1#2",
        "T2",
        "LJ-11.1",
        "600.00",
    )
    assert "never consented" in found["reason"]
    (flag,) = await svc.published("CostAnomalyFlagged")
    assert flag["payload"]["kind"] == "unconsented_treatment" and flag["payload"]["rule"] == "LJ-11.1"
    assert flag["payload"]["admission_id"] == "A1" and "B-A1#2" in flag["payload"]["detail"]
    flags = await svc.client.get("/reports/2026Q1/flags?kind=unconsented_treatment", headers=insurance(svc))
    assert [f["admission_id"] for f in flags.json()["items"]] == ["A1"]
    # the payment is unchanged: the flag is for inspection
    assert st["amounts"]["hospital_borne"] == "0.00"


async def test_lj_11_1_all_consented_raises_no_flag(svc: ServiceHarness) -> None:
    await load_parameters(svc)
    await admit(svc)
    await treatment(svc, "T1")
    await consent(svc, "T1")
    st = await settled(svc, [treated("800.00", "T1"), line("200.00")])
    assert st["unconsented_lines"] == []
    assert await svc.published("CostAnomalyFlagged") == []


async def test_lj_11_2_a_line_of_a_treatment_evaluated_not_to_proceed_is_flagged(svc: ServiceHarness) -> None:
    await load_parameters(svc)
    await admit(svc)
    await treatment(svc, "T9", "major")
    await deliver(
        svc,
        MajorTreatmentEvaluated(
            evaluation_id="E1",
            admission_id="A1",
            person_id="P1",
            treatment="laparotomy",
            attending_doctor="Dr Li",
            expert_id="X1",
            expert_hospital_id="H009",
            conclusion="do_not_proceed",
            evaluated_at=ADMITTED + timedelta(hours=5),
            treatment_id="T9",
        ),
    )
    st = await settled(svc, [treated("9000.00", "T9", "surgery")])
    (found,) = st["unconsented_lines"]
    assert (found["rule"], found["treatment_id"]) == ("LJ-11.2", "T9")


async def test_lj_11_1_a_surgery_line_naming_no_treatment_is_flagged(svc: ServiceHarness) -> None:
    """The hospital cannot escape the check by naming no treatment: a line of a treatment
    category (versioned ``consent_check``, surgery by default) with none is flagged too; a
    drug line is not."""
    await load_parameters(svc)
    st = await settled(svc, [treated("9000.00", None, "surgery"), line("300.00")])
    (found,) = st["unconsented_lines"]
    assert (found["bill_ref"], found["category"], found["rule"]) == ("B-A1#1", "surgery", "LJ-11.1")


async def test_lj_11_1_a_treatment_not_known_yet_is_not_decidable(svc: ServiceHarness) -> None:
    """A treatment the bill names whose TreatmentRecorded has not arrived: not yet decidable,
    with Retry-After (consent's events may still be on their way); nothing is stored."""
    await load_parameters(svc)
    await admit(svc)
    await discharge(svc)
    h = hospital(svc)
    assert (
        await svc.client.post("/bills", json=bill("B1", [treated("800.00", "T-LATE")]), headers=h)
    ).status_code == 201
    r = await svc.client.post("/admissions/A1/settlement", headers=h)
    assert r.status_code == 409, r.text
    assert (r.json()["missing"], r.json()["rule"]) == ("treatment", "LJ-11.1")
    assert r.headers.get("Retry-After")
    await treatment(svc, "T-LATE")
    r = await svc.client.post("/admissions/A1/settlement", headers=h)
    assert r.status_code == 201, r.text
    assert [u["treatment_id"] for u in r.json()["unconsented_lines"]] == ["T-LATE"]


async def test_lj_11_1_a_treatment_of_another_admission_is_flagged(svc: ServiceHarness) -> None:
    await load_parameters(svc)
    await admit(svc)
    await treatment(svc, "T-OTHER", admission_id="A-OTHER")
    st = await settled(svc, [treated("800.00", "T-OTHER")])
    (found,) = st["unconsented_lines"]
    assert "another admission" in found["reason"]


async def test_lj_11_1_a_late_consent_reissues_the_statement_without_its_flag(svc: ServiceHarness) -> None:
    """LJ-11.1 / SPEC 0.5: the statement flagged T2's line as never consented; the consent
    arrives after settlement — a changed fact: the statement is reversed and issued again,
    naming why, with no unconsented line. A repeated ConsentSigned changes nothing."""
    await load_parameters(svc)
    await admit(svc)
    await treatment(svc, "T1")
    await treatment(svc, "T2")
    await consent(svc, "T1")
    first = await settled(svc, [treated("800.00", "T1"), treated("600.00", "T2")])
    assert [u["treatment_id"] for u in first["unconsented_lines"]] == ["T2"]
    await consent(svc, "T2")
    (reversed_,) = await svc.published("SettlementReversed")
    assert reversed_["payload"]["reversed_statement_id"] == first["statement_id"]
    assert "T2 consented late" in reversed_["payload"]["reason"] and "LJ-11.1" in reversed_["payload"]["reason"]
    completed = await svc.published("SettlementCompleted")
    assert len(completed) == 2 and completed[1]["payload"]["replaces_statement_id"] == first["statement_id"]
    h = hospital(svc)
    again = (await svc.client.get(f"/statements/{completed[1]['payload']['statement_id']}", headers=h)).json()
    assert again["unconsented_lines"] == [] and "consented late" in again["reason"]
    assert again["amounts"] == first["amounts"]  # the flag is for inspection: the money is the same
    await consent(svc, "T2")
    assert len(await svc.published("SettlementReversed")) == 1


async def test_lj_11_1_a_consent_of_a_treatment_not_flagged_reissues_nothing(svc: ServiceHarness) -> None:
    """A consent after settlement for a treatment the statement never flagged (not billed)
    is no fact the statement stood on: it stands."""
    await load_parameters(svc)
    await admit(svc)
    await treatment(svc, "T1")
    await treatment(svc, "T7")
    await consent(svc, "T1")
    await settled(svc, [treated("800.00", "T1")])
    await consent(svc, "T7")
    assert await svc.published("SettlementReversed") == []


async def test_lj_11_3_a_reopened_rescue_reissues_the_statement_with_its_flag(svc: ServiceHarness) -> None:
    """SPEC 0.5 / LJ-11.3: a rescue billed with no consent needed; consent reopens it when the
    emergency's exemptions are withdrawn (TreatmentReopened): the statement is issued again
    flagging its line (LJ-11.1); its late consent then clears the flag."""
    await load_parameters(svc)
    await admit(svc)
    await treatment(svc, "T3", "emergency", required=False)
    first = await settled(svc, [treated("500.00", "T3")])
    assert first["unconsented_lines"] == []
    await deliver(
        svc,
        TreatmentReopened(
            treatment_id="T3",
            admission_id="A1",
            person_id="P1",
            previous_kind="emergency",
            kind="routine",
            status="awaiting_consent",
            consent_required=True,
            reason="contest_upheld",
            reopened_at=ADMITTED + timedelta(days=3),
            rules=["LJ-11.3", "LJ-11.1", "LJ-10"],
        ),
    )
    (reversed_,) = await svc.published("SettlementReversed")
    assert "T3 reopened" in reversed_["payload"]["reason"]
    completed = await svc.published("SettlementCompleted")
    assert len(completed) == 2 and completed[1]["payload"]["replaces_statement_id"] == first["statement_id"]
    flagged = (
        await svc.client.get(f"/statements/{completed[1]['payload']['statement_id']}", headers=hospital(svc))
    ).json()
    assert [(u["treatment_id"], u["rule"]) for u in flagged["unconsented_lines"]] == [("T3", "LJ-11.1")]
    await consent(svc, "T3")
    assert len(await svc.published("SettlementReversed")) == 2


async def test_lj_11_1_a_late_consent_withdraws_the_flag_from_the_quarters_list(svc: ServiceHarness) -> None:
    """LJ-11.1 / LJ-15.4 / SPEC 0.5: the flag stands on the statement that raised it. T2's
    line was flagged; T2's consent arrives after settlement; the statement is reversed and
    issued again — the flag is withdrawn with the reversal's reason (CostAnomalyWithdrawn) and
    is gone from the quarter's list; asked for, it is listed as withdrawn, by which reversal
    and why. The re-issued statement raises no new flag."""
    await load_parameters(svc)
    await admit(svc)
    await treatment(svc, "T2")
    first = await settled(svc, [treated("600.00", "T2")])
    ins = insurance(svc)
    listed = (await svc.client.get("/reports/2026Q1/flags?kind=unconsented_treatment", headers=ins)).json()["items"]
    assert [(f["admission_id"], f["statement_id"], f["withdrawn_at"]) for f in listed] == [
        ("A1", first["statement_id"], None)
    ]
    await consent(svc, "T2")
    (reversal,) = await svc.published("SettlementReversed")
    (withdrawn,) = await svc.published("CostAnomalyWithdrawn")
    assert withdrawn["payload"]["flag_id"] == listed[0]["flag_id"]
    assert withdrawn["payload"]["statement_id"] == first["statement_id"]
    assert withdrawn["payload"]["reversal_statement_id"] == reversal["payload"]["statement_id"]
    assert "T2 consented late" in withdrawn["payload"]["reason"]
    assert (await svc.client.get("/reports/2026Q1/flags", headers=ins)).json()["items"] == []
    history = (await svc.client.get("/reports/2026Q1/flags?include_withdrawn=true", headers=ins)).json()["items"]
    (gone,) = history
    assert gone["withdrawn_by_statement_id"] == reversal["payload"]["statement_id"]
    assert "T2 consented late" in gone["withdrawn_reason"] and gone["withdrawn_at"] is not None
    assert len(await svc.published("CostAnomalyFlagged")) == 1


async def test_lj_11_1_a_reissued_statement_that_still_flags_replaces_the_flag(svc: ServiceHarness) -> None:
    """LJ-11.1 / LJ-11.3: a re-issue on another fact (T3 reopened) while T2 is still not
    consented: the first statement's flag is withdrawn and the re-issued statement's flag
    replaces it — one standing flag, naming the statement that stands."""
    await load_parameters(svc)
    await admit(svc)
    await treatment(svc, "T2")
    await treatment(svc, "T3", "emergency", required=False)
    first = await settled(svc, [treated("600.00", "T2"), treated("500.00", "T3")])
    await deliver(
        svc,
        TreatmentReopened(
            treatment_id="T3",
            admission_id="A1",
            person_id="P1",
            previous_kind="emergency",
            kind="routine",
            status="awaiting_consent",
            consent_required=True,
            reason="contest_upheld",
            reopened_at=ADMITTED + timedelta(days=3),
            rules=["LJ-11.3", "LJ-11.1", "LJ-10"],
        ),
    )
    completed = await svc.published("SettlementCompleted")
    assert len(completed) == 2
    ins = insurance(svc)
    (standing,) = (await svc.client.get("/reports/2026Q1/flags", headers=ins)).json()["items"]
    assert standing["statement_id"] == completed[1]["payload"]["statement_id"] != first["statement_id"]
    assert "B-A1#2" in standing["detail"]  # T3's line now flagged beside T2's
    history = (await svc.client.get("/reports/2026Q1/flags?include_withdrawn=true", headers=ins)).json()["items"]
    assert sorted(f["statement_id"] for f in history) == sorted([first["statement_id"], standing["statement_id"]])
