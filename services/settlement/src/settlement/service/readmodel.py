"""The local read model: what settlement needs to know of persons, facilities, admissions
(filing and referral compliance, discharge) and self-pay decisions, learnt from referral's
and consent's events. Each function is applied once per event (the kernel's inbox)."""

from __future__ import annotations

from medaid_shared import clock
from medaid_shared.contracts.consent import SelfPayDecided, SelfPayProposed
from medaid_shared.contracts.referral import (
    AdmissionComplianceChanged,
    AdmissionFiled,
    DischargeRecorded,
    FacilityRegistered,
    FilingCompleted,
    PersonRegistered,
)
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
            "updated_at": clock.now(),
        }
    )


async def _update(ctx: Ctx, admission_id: str, values: dict[str, object]) -> None:
    if not await ctx.repo.update_admission(admission_id, {**values, "updated_at": clock.now()}):
        raise UnknownAdmission(f"admission {admission_id} is not known here yet")


GATE_COLUMNS = ("primary_first_visit", "referral_slip", "out_of_region_approved", "filing_state")


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


async def filing_completed(ctx: Ctx, event: FilingCompleted) -> None:
    await _follow(ctx, event.admission_id, {"filing_state": event.filing_state.value})


async def discharge_recorded(ctx: Ctx, event: DischargeRecorded) -> None:
    """LJ-13.1: settlement happens at discharge. The diagnosis group is encrypted at rest
    (SPEC 0.4); its blind index lets the analytics group by it in SQL (LJ-9)."""
    values: dict[str, object] = {"discharged_at": event.discharged_at}
    if event.diagnosis_group:
        values["diagnosis_group_enc"] = ctx.cipher.encrypt_text(
            event.diagnosis_group, diagnosis_aad(event.admission_id)
        )
        values["diagnosis_group_idx"] = ctx.cipher.blind_index(event.diagnosis_group)
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
