"""The local read model: what settlement needs to know of persons, facilities, admissions
(filing and referral compliance, discharge) and self-pay decisions, learnt from referral's
and consent's events. Each function is applied once per event (the kernel's inbox)."""

from __future__ import annotations

from functools import cache

from medaid_shared import clock
from medaid_shared.contracts.consent import (
    ConsentSigned,
    MajorTreatmentEvaluated,
    SelfPayDecided,
    SelfPayProposed,
    SelfPayReopened,
    TreatmentRecorded,
    TreatmentReopened,
)
from medaid_shared.contracts.referral import (
    AdmissionComplianceChanged,
    AdmissionFiled,
    DischargeRecorded,
    EmergencyDetermined,
    EmergencyExemptionWithdrawn,
    FacilityRegistered,
    FilingCompleted,
    PersonRegistered,
    UnfiledCareAdviserRecorded,
)
from medaid_shared.crypto import Unsealer
from medaid_shared.identifiers import ADMISSION_IDENTIFIERS
from medaid_shared.settings import DIAGNOSIS_GROUPS_PURPOSE
from settlement.service import settlements
from settlement.service.context import Ctx


class UnknownAdmission(LookupError):
    """An admission event arrived before the admission itself: the event is dead-lettered
    (and can be re-driven) rather than silently dropped."""


def diagnosis_aad(admission_id: str) -> str:
    return f"settlement.admission.diagnosis_group:{admission_id}"


async def person_changed(ctx: Ctx, event: PersonRegistered) -> None:
    await ctx.repo.upsert_person(
        {
            "person_id": event.person_id,
            "support_type": event.support_type.value,
            "institution_id": event.institution_id,
            "village_id": event.village_id,
            "town_id": event.town_id,
            "basic_insurance_enrolled": event.basic_insurance_enrolled,
            "updated_at": clock.now(),
            "guardian_id": event.guardian.guardian_id if event.guardian else None,  # LJ-13.2 applicant
        }
    )


async def facility_changed(ctx: Ctx, event: FacilityRegistered) -> None:
    await ctx.repo.upsert_facility(
        {
            "facility_id": event.facility_id,
            "name": event.name,
            "level": event.level.value,
            "designated": event.designated,
            "region": event.region.value,
            "updated_at": clock.now(),
        }
    )


async def admission_filed(ctx: Ctx, event: AdmissionFiled) -> None:
    rc = event.referral_compliance
    await ctx.repo.upsert_admission(
        {
            "admission_id": event.admission_id,
            "person_id": event.person_id,
            "facility_id": event.facility_id,
            "admitted_at": event.admitted_at,
            "emergency": event.emergency,
            "support_type": event.support_type.value,
            "institution_id": event.institution_id,
            "village_id": event.village_id,
            "town_id": event.town_id,
            "facility_level": event.facility_level.value,
            "facility_designated": event.facility_designated,
            "facility_region": event.facility_region.value,
            "primary_first_visit": rc.primary_first_visit,
            "referral_slip": rc.referral_slip,
            "out_of_region_approved": rc.out_of_region_approved,
            "referral_compliant": rc.compliant,
            "filing_state": event.filing_state.value,
            **{name: getattr(event, name) for name in ADMISSION_IDENTIFIERS},
            "updated_at": clock.now(),
        }
    )


async def _update(ctx: Ctx, admission_id: str, values: dict[str, object]) -> None:
    if not await ctx.repo.update_admission(admission_id, {**values, "updated_at": clock.now()}):
        raise UnknownAdmission(f"admission {admission_id} is not known here yet")


GATE_COLUMNS = (
    "primary_first_visit",
    "referral_slip",
    "out_of_region_approved",
    "filing_state",
    "emergency",
    "emergency_determined_at",
)


async def _follow(ctx: Ctx, admission_id: str, values: dict[str, object]) -> None:
    """SPEC 0.5: the gates follow the admission's latest facts; a statement standing on facts
    that changed is reversed and issued again (the reason names what changed)."""
    before = await ctx.repo.get_admission(admission_id, for_update=True)
    await _update(ctx, admission_id, values)
    if before is None:
        return
    changed = [f"{c} {before[c]} → {values[c]}" for c in GATE_COLUMNS if c in values and before[c] != values[c]]
    if changed:
        await settlements.follow_changed_fact(ctx, admission_id, "; ".join(changed))


async def compliance_changed(ctx: Ctx, event: AdmissionComplianceChanged) -> None:
    """Gates of §2 (LJ-4.3b, LJ-4.3c, LJ-3.2b) follow the admission's latest compliance."""
    rc = event.referral_compliance
    await _follow(
        ctx,
        event.admission_id,
        {
            "primary_first_visit": rc.primary_first_visit,
            "referral_slip": rc.referral_slip,
            "out_of_region_approved": rc.out_of_region_approved,
            "referral_compliant": rc.compliant,
            "filing_state": event.filing_state.value,
        },
    )


async def emergency_determined(ctx: Ctx, event: EmergencyDetermined) -> None:
    """SPEC 0.5 / LJ-11.3: referral recorded the emergency's basis within the window — only
    now does the emergency exempt from referral (LJ-3.2b) and pay the lines claimed as
    emergency rescue within its period (LJ-7.4). Settlement waited for it."""
    await _follow(ctx, event.admission_id, {"emergency_determined_at": event.determined_at})


async def emergency_withdrawn(ctx: Ctx, event: EmergencyExemptionWithdrawn) -> None:
    """SPEC 0.5: an emergency whose basis never came or whose contest was upheld is no
    emergency here either — no referral exemption, no one-stop on its account (LJ-3.2b), no
    "emergency" out-of-catalogue lines paid as approved (LJ-7.4); a standing statement is
    re-issued on it."""
    await _follow(ctx, event.admission_id, {"emergency": False})


async def filing_completed(ctx: Ctx, event: FilingCompleted) -> None:
    await _follow(ctx, event.admission_id, {"filing_state": event.filing_state.value})


async def unfiled_care_adviser_recorded(ctx: Ctx, event: UnfiledCareAdviserRecorded) -> None:
    """LJ-4.3c: civil affairs recorded, with its evidence, the unit that advised outside care
    never filed. What the unfiled gate refuses (aid, the support fund, support money) falls on
    that adviser rather than the person (建议方或当事人): a standing statement is re-issued
    naming it as bearing the cost."""
    adviser = {
        "kind": event.adviser_kind,
        "unit_id": event.adviser_id,
        "name": event.adviser_name,
        "evidence_ref": event.evidence_ref,
        "recorded_at": event.recorded_at.isoformat(),
    }
    before = await ctx.repo.get_admission(event.admission_id, for_update=True)
    await _update(ctx, event.admission_id, {"unfiled_care_adviser": adviser})
    if before is not None and before["unfiled_care_adviser"] != adviser:
        await settlements.follow_changed_fact(
            ctx, event.admission_id, f"adviser of the unfiled outside care recorded: {event.adviser_name}"
        )


@cache
def _diagnosis_groups(private_key_b64: str) -> Unsealer:
    return Unsealer(private_key_b64)


async def discharge_recorded(ctx: Ctx, event: DischargeRecorded) -> None:
    """LJ-13.1: settlement happens at discharge. The diagnosis group is encrypted at rest
    (SPEC 0.4); its blind index lets the analytics group by it in SQL (LJ-9)."""
    values: dict[str, object] = {"discharged_at": event.discharged_at}
    if event.diagnosis_group_sealed:
        # SPEC 0.4: referral sealed it for settlement alone; it is open only in this function.
        group = _diagnosis_groups(ctx.settings.diagnosis_groups_private_key.get_secret_value()).open(
            event.diagnosis_group_sealed, DIAGNOSIS_GROUPS_PURPOSE
        )
        values["diagnosis_group_enc"] = ctx.cipher.encrypt_text(group, diagnosis_aad(event.admission_id))
        values["diagnosis_group_idx"] = ctx.cipher.blind_index(group)
    await _update(ctx, event.admission_id, values)


async def self_pay_proposed(ctx: Ctx, event: SelfPayProposed) -> None:
    """SPEC 0.5: the item exists and is not decided yet — settlement waits for its outcome
    instead of charging it to the hospital as unapproved (LJ-7.4)."""
    await ctx.repo.insert_self_pay_proposal(
        {
            "item_id": event.item_id,
            "admission_id": event.admission_id,
            "person_id": event.person_id,
            "item_code": event.item_code,
            "amount": event.amount,
            "outcome": None,
            "decided_at": None,
        }
    )


async def self_pay_decided(ctx: Ctx, event: SelfPayDecided) -> None:
    """LJ-7.4 / LJ-14.1: the final outcome of a self-pay item, applied at settlement; a
    statement that stands without it is issued again."""
    before = {r["item_id"]: r for r in await ctx.repo.decisions_for(event.admission_id)}.get(event.item_id)
    await ctx.repo.upsert_self_pay_decision(
        {
            "item_id": event.item_id,
            "admission_id": event.admission_id,
            "person_id": event.person_id,
            "item_code": event.item_code,
            "amount": event.amount,
            "outcome": event.outcome,
            "decided_at": event.decided_at,
        }
    )
    if before is None or before["outcome"] != event.outcome or before["amount"] != event.amount:
        await settlements.follow_changed_fact(
            ctx, event.admission_id, f"self-pay item {event.item_id} decided {event.outcome}"
        )


async def self_pay_reopened(ctx: Ctx, event: SelfPayReopened) -> None:
    """LJ-11.3 / LJ-7.4 / SPEC 0.5: an item decided "emergency" is undecided again (the
    emergency lost its exemptions). A new settlement waits for its new outcome; a standing
    statement is issued again when that outcome arrives (SelfPayDecided)."""
    await ctx.repo.upsert_self_pay_decision(
        {
            "item_id": event.item_id,
            "admission_id": event.admission_id,
            "person_id": event.person_id,
            "item_code": event.item_code,
            "amount": event.amount,
            "outcome": None,
            "decided_at": None,
        }
    )


async def treatment_recorded(ctx: Ctx, event: TreatmentRecorded) -> None:
    """LJ-11.1 / LJ-11.3 / LJ-5: a treatment and whether it needs a consent before it is carried
    out (an emergency rescue or a treatment under the trusteeship agreement does not)."""
    await ctx.repo.upsert_treatment(
        {
            "treatment_id": event.treatment_id,
            "admission_id": event.admission_id,
            "kind": event.kind,
            "consent_required": event.consent_required,
            "recorded_at": event.recorded_at,
            "updated_at": clock.now(),
        }
    )


async def consent_signed(ctx: Ctx, event: ConsentSigned) -> None:
    """LJ-11.1: the treatment is consented by the eligible signer (LJ-10). A self-pay form's
    signature (no treatment) is consent's concern alone. A consent given late — after a
    statement flagged the treatment's lines as never consented — is a changed fact (SPEC 0.5):
    the statement is reversed and issued again without that flag."""
    if event.treatment_id is None:
        return
    before = await ctx.repo.treatments([event.treatment_id])
    values = {"consent_id": event.consent_id, "consented_at": event.signed_at, "updated_at": clock.now()}
    if not await ctx.repo.update_treatment(event.treatment_id, values):
        raise UnknownAdmission(f"treatment {event.treatment_id} is not known here yet")
    if before and before[0]["consented_at"] is None:
        admission_id = before[0]["admission_id"]
        standing = await ctx.repo.active_statement(admission_id)
        if standing is not None and settlements.flags_treatment(standing, event.treatment_id):
            await settlements.follow_changed_fact(
                ctx,
                admission_id,
                f"treatment {event.treatment_id} consented late ({event.signed_at.isoformat()}, LJ-11.1)",
            )


async def treatment_reopened(ctx: Ctx, event: TreatmentReopened) -> None:
    """LJ-11.3 / SPEC 0.5: an emergency rescue lost its exemption (the emergency's exemptions
    were withdrawn): it needs its consent now (LJ-11.1). A statement billing it is issued
    again, flagging its lines until the consent arrives."""
    before = await ctx.repo.treatments([event.treatment_id])
    values = {"kind": event.kind, "consent_required": event.consent_required, "updated_at": clock.now()}
    if not await ctx.repo.update_treatment(event.treatment_id, values):
        raise UnknownAdmission(f"treatment {event.treatment_id} is not known here yet")
    if before and before[0]["consent_required"] != event.consent_required and before[0]["consented_at"] is None:
        standing = await ctx.repo.active_statement(event.admission_id)
        if standing is None:
            return
        bills = await ctx.repo.active_bills(event.admission_id)
        lines = await ctx.repo.bill_lines([b["bill_id"] for b in bills])
        if any(ln["treatment_id"] == event.treatment_id for ln in lines):
            await settlements.follow_changed_fact(
                ctx,
                event.admission_id,
                f"emergency rescue {event.treatment_id} reopened ({event.reason}): it needs its consent (LJ-11.3)",
            )


async def treatment_evaluated(ctx: Ctx, event: MajorTreatmentEvaluated) -> None:
    """LJ-11.2: the major-treatment evaluation's conclusion (do_not_proceed blocks it)."""
    if event.treatment_id is None:
        return
    values = {"evaluation_conclusion": event.conclusion, "updated_at": clock.now()}
    if not await ctx.repo.update_treatment(event.treatment_id, values):
        raise UnknownAdmission(f"treatment {event.treatment_id} is not known here yet")
