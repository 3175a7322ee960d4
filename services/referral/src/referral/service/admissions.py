"""Admissions and their compliance (SPEC §2): the hospital files the admission; its
referral compliance (LJ-3.2a, LJ-4.2a, LJ-4.3a) and filing compliance (LJ-4.2b/c/d, LJ-11.3)
are kept current and published; an emergency patient unable to pay is referred to the
emergency fund (LJ-11.4)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from medaid_shared import clock
from medaid_shared.authz import Principal
from medaid_shared.calendar import clock_deadline
from medaid_shared.contracts.common import FacilityLevel, FilingState, Region, SupportType
from medaid_shared.contracts.referral import (
    AdmissionComplianceChanged,
    AdmissionFiled,
    EmergencyAssistanceReferred,
    FilingCompleted,
    ReferralCompliance,
)
from medaid_shared.errors import Conflict, NotFound, ValidationFailed
from referral.domain.compliance import (
    FilingFacts,
    ReferralFacts,
    filing_complete,
    filing_rule,
    filing_state,
    referral_compliance,
)
from referral.domain.parameters import FILING_WINDOWS
from referral.service import facilities, parameters, persons, timeline
from referral.service.commands import AdmissionIn
from referral.service.context import Ctx, new_id
from referral.service.ports import Record
from referral.service.scope import list_filter, require, sees_admission

FIRST_DEADLINE = "filing.first"  # LJ-4.2b / LJ-4.2c / LJ-11.3: 24 hours
PHONE_FORM_DEADLINE = "filing.phone_form"  # LJ-4.2d: form within 3 working days of the call


async def load(ctx: Ctx, admission_id: str, *, for_update: bool = False) -> Record:
    row = await ctx.store.get("admission", admission_id, for_update=for_update)
    if row is None:
        raise NotFound(f"no admission {admission_id}", field="admission_id")
    return row


async def visible(ctx: Ctx, principal: Principal, admission_id: str, *, for_update: bool = False) -> Record:
    row = await load(ctx, admission_id, for_update=for_update)
    require(sees_admission(principal, row), f"admission {admission_id}")
    return row


# ---- compliance -----------------------------------------------------------------------


async def compute_referral(ctx: Ctx, adm: Record, referral: Record | None = None) -> ReferralCompliance:
    facility = await ctx.store.get("facility", adm["facility_id"])
    assert facility is not None
    if referral is None and adm["referral_id"]:
        referral = await ctx.store.get("referral", adm["referral_id"])
    from_level = None
    if referral is not None:
        origin = await ctx.store.get("facility", referral["from_facility_id"])
        from_level = FacilityLevel(origin["level"]) if origin else None
    facts = ReferralFacts(
        facility_level=FacilityLevel(facility["level"]),
        facility_region=Region(facility["region"]),
        emergency=adm["emergency"],
        referral_from_level=from_level,
        referral_slip=bool(referral and referral["slip_ref"]),
        approval_state=referral["approval_state"] if referral else None,
    )
    return referral_compliance(
        facts,
        approval_regions=ctx.settings.approval_regions,
        emergency_exempt=ctx.settings.emergency_exempt_from_referral,
    )


def filing_start(adm: Record) -> Any:
    """LJ-11.3: an emergency counts from when the person was sent to hospital."""
    if adm["emergency"] and adm["sent_to_hospital_at"] is not None:
        return adm["sent_to_hospital_at"]
    return adm["admitted_at"]


def filing_facts(adm: Record, filing: Record | None) -> FilingFacts:
    return FilingFacts(
        support_type=SupportType(adm["support_type"]),
        start=filing_start(adm),
        filing_due=adm["filing_due_at"],
        phone_reported_at=adm["phone_reported_at"],
        phone_form_due=adm["phone_form_due_at"],
        form_at=filing["submitted_at"] if filing else None,
        forward_due=filing["forward_due_at"] if filing else None,
        forwarded_at=filing["forwarded_at"] if filing else None,
    )


async def refresh(ctx: Ctx, adm: Record, *, referral: Record | None = None, filing: Record | None = None) -> Record:
    """Recompute both compliance states; store and publish AdmissionComplianceChanged when
    either changed, and FilingCompleted when the filing just became complete."""
    if filing is None and adm["filing_id"]:
        filing = await ctx.store.get("filing", adm["filing_id"])
    compliance = await compute_referral(ctx, adm, referral)
    state = filing_state(filing_facts(adm, filing), clock.now())
    before_state = FilingState(adm["filing_state"])
    before_compliance = ReferralCompliance.model_validate(adm["referral_compliance"])
    if state == before_state and compliance == before_compliance:
        return adm
    changes = {"filing_state": state.value, "referral_compliance": compliance.model_dump(mode="json")}
    await ctx.store.update("admission", adm["admission_id"], changes)
    new = {**adm, **changes}
    await ctx.uow.emit(
        AdmissionComplianceChanged(
            admission_id=adm["admission_id"],
            person_id=adm["person_id"],
            referral_compliance=compliance,
            filing_state=state,
        )
    )
    if filing is not None and filing_complete(filing_facts(adm, filing)) and not _was_complete(before_state):
        await ctx.uow.emit(filing_completed(adm, filing, state))
    return new


def filing_completed(adm: Record, filing: Record, state: FilingState) -> FilingCompleted:
    """The event of an admission whose filing is complete (built here only)."""
    return FilingCompleted(
        admission_id=adm["admission_id"],
        person_id=adm["person_id"],
        filing_state=state,
        completed_at=filing["forwarded_at"] or filing["submitted_at"],
    )


def _was_complete(state: FilingState) -> bool:
    return state not in (FilingState.PENDING, FilingState.PHONE_REPORTED, FilingState.UNFILED)


# ---- use cases ------------------------------------------------------------------------


async def file(ctx: Ctx, principal: Principal, cmd: AdmissionIn) -> dict[str, Any]:
    """The hospital files an admission → AdmissionFiled (with referral and filing
    compliance); LJ-11.4 → EmergencyAssistanceReferred when an emergency patient cannot pay."""
    principal.require_scope("facility", cmd.facility_id, "this facility")
    facility = await facilities.known(ctx, cmd.facility_id, "facility_id")
    person = await persons.known_person(ctx, cmd.person_id)
    now = clock.now()
    if cmd.admitted_at > now:
        raise ValidationFailed("the admission is in the future", field="admitted_at")
    if cmd.sent_to_hospital_at is not None:
        if not cmd.emergency:
            raise ValidationFailed("only an emergency records when the person was sent", field="sent_to_hospital_at")
        if cmd.sent_to_hospital_at > cmd.admitted_at:
            raise ValidationFailed("sent to hospital after the admission", field="sent_to_hospital_at")
    if await ctx.store.exists("admission", {"person_id": person["person_id"], "discharged_at": None}):
        raise Conflict("this person has an open admission; discharge it first", field="person_id")
    referral = await _referral_for(ctx, cmd, person)
    support = SupportType(person["support_type"])
    adm: Record = {
        "admission_id": new_id(),
        "person_id": person["person_id"],
        "facility_id": cmd.facility_id,
        "referral_id": referral["referral_id"] if referral else None,
        "admitted_at": cmd.admitted_at,
        "sent_to_hospital_at": cmd.sent_to_hospital_at,
        "emergency": cmd.emergency,
        "able_to_pay": cmd.able_to_pay,
        "support_type": support.value,
        "institution_id": person["institution_id"],
        "village_id": person["village_id"],
        "town_id": person["town_id"],
        "filing_rule": filing_rule(support, cmd.emergency),
        "filing_id": None,
        "phone_reported_at": None,
        "phone_reported_by": None,
        "phone_form_due_at": None,
        "fit_at": None,
        "fit_by": None,
        "discharged_at": None,
        "documents_due_at": None,
        "diagnosis_group": None,
        "created_by": principal.subject,
        "created_at": now,
    }
    start = filing_start(adm)
    windows = await parameters.in_force(ctx, FILING_WINDOWS, start)
    due = clock_deadline(start, windows.values.filing_hours)
    adm["filing_due_at"] = due.at
    prefiling = await _matching_prefiling(ctx, adm)
    if prefiling is not None:
        adm["filing_id"] = prefiling["filing_id"]
    compliance = await compute_referral(ctx, adm, referral)
    state = filing_state(filing_facts(adm, prefiling), now)
    adm["referral_compliance"] = compliance.model_dump(mode="json")
    adm["filing_state"] = state.value
    await ctx.store.insert("admission", adm)
    if prefiling is not None:
        await ctx.store.update("filing", prefiling["filing_id"], {"admission_id": adm["admission_id"]})
    else:
        await ctx.uow.schedule(
            FIRST_DEADLINE,
            adm["admission_id"],
            due,
            basis="clock",
            payload={"admission_id": adm["admission_id"], "rule": adm["filing_rule"]},
        )
    await ctx.uow.emit(
        AdmissionFiled(
            admission_id=adm["admission_id"],
            person_id=adm["person_id"],
            facility_id=cmd.facility_id,
            admitted_at=cmd.admitted_at,
            emergency=cmd.emergency,
            able_to_pay=cmd.able_to_pay,
            support_type=support,
            institution_id=adm["institution_id"],
            village_id=adm["village_id"],
            town_id=adm["town_id"],
            facility_level=FacilityLevel(facility["level"]),
            facility_designated=facility["designated"],
            facility_region=Region(facility["region"]),
            referral_compliance=compliance,
            filing_state=state,
        )
    )
    if prefiling is not None and filing_complete(filing_facts(adm, prefiling)):
        await ctx.uow.emit(filing_completed(adm, prefiling, state))
    if cmd.emergency and not cmd.able_to_pay:
        # LJ-11.4: an eligible emergency patient unable to pay goes to emergency assistance (§6).
        await ctx.uow.emit(
            EmergencyAssistanceReferred(
                admission_id=adm["admission_id"],
                person_id=adm["person_id"],
                facility_id=cmd.facility_id,
                admitted_at=cmd.admitted_at,
                id_number_sealed=persons.sealed_id_number(ctx, person),
                name_masked=person["name_masked"],
                city=facility["city"],
            )
        )
    await timeline.record(
        ctx,
        adm["person_id"],
        cmd.admitted_at,
        "admission",
        adm["admission_id"],
        admission_id=adm["admission_id"],
        summary={
            "facility_id": cmd.facility_id,
            "emergency": cmd.emergency,
            "able_to_pay": cmd.able_to_pay,
            "referral_compliant": compliance.compliant,
            "filing_state": state.value,
        },
    )
    await ctx.uow.audit(
        principal,
        "admission.file",
        adm["admission_id"],
        reason=adm["filing_rule"],
        details={
            "person_id": adm["person_id"],
            "emergency": cmd.emergency,
            "able_to_pay": cmd.able_to_pay,
            "filing_due_at": due.at.isoformat(),
            "policy_version": windows.version_id,
        },
    )
    return view(adm)


async def _referral_for(ctx: Ctx, cmd: AdmissionIn, person: Record) -> Record | None:
    """The referral that brought the patient: the one named, or the latest to this facility."""
    if cmd.referral_id is not None:
        referral = await ctx.store.get("referral", cmd.referral_id)
        if referral is None:
            raise ValidationFailed(f"unknown referral {cmd.referral_id}", field="referral_id")
        if referral["person_id"] != person["person_id"] or referral["to_facility_id"] != cmd.facility_id:
            raise ValidationFailed("the referral is for another person or facility", field="referral_id")
        return referral
    windows = await parameters.in_force(ctx, FILING_WINDOWS, cmd.admitted_at)
    window = cmd.admitted_at - timedelta(days=windows.values.pre_filing_match_days)
    found = await ctx.store.find(
        "referral",
        {"person_id": person["person_id"], "to_facility_id": cmd.facility_id, "first_visit_at__gte": window},
        order_by=["-created_at"],
        limit=1,
    )
    return found[0] if found else None


async def _matching_prefiling(ctx: Ctx, adm: Record) -> Record | None:
    """LJ-4.2b: a filing made before the person left, for this facility, not yet used."""
    windows = await parameters.in_force(ctx, FILING_WINDOWS, adm["admitted_at"])
    window = adm["admitted_at"] - timedelta(days=windows.values.pre_filing_match_days)
    found = await ctx.store.find(
        "filing",
        {
            "person_id": adm["person_id"],
            "facility_id": adm["facility_id"],
            "admission_id": None,
            "submitted_at__gte": window,
        },
        order_by=["-submitted_at"],
        limit=1,
        for_update=True,
    )
    return found[0] if found else None


# ---- views ----------------------------------------------------------------------------

VIEW_FIELDS = (
    "admission_id",
    "person_id",
    "facility_id",
    "referral_id",
    "admitted_at",
    "sent_to_hospital_at",
    "emergency",
    "able_to_pay",
    "support_type",
    "institution_id",
    "village_id",
    "town_id",
    "referral_compliance",
    "filing_rule",
    "filing_state",
    "filing_due_at",
    "filing_id",
    "phone_reported_at",
    "phone_form_due_at",
    "fit_at",
    "discharged_at",
    "documents_due_at",
    "diagnosis_group",
)


def view(row: Record) -> dict[str, Any]:
    return {k: row[k] for k in VIEW_FIELDS}


async def get(ctx: Ctx, principal: Principal, admission_id: str) -> dict[str, Any]:
    row = await visible(ctx, principal, admission_id)
    out = view(row)
    docs = await ctx.store.find("discharge_document", {"admission_id": admission_id}, order_by=["issued_at"])
    out["documents"] = [
        {"kind": d["kind"], "document_ref": d["document_ref"], "issued_at": d["issued_at"], "late": d["late"]}
        for d in docs
    ]
    return out


async def listing(
    ctx: Ctx,
    principal: Principal,
    *,
    person_id: str | None,
    filing_state: FilingState | None,
    open_only: bool | None,
) -> list[dict[str, Any]]:
    """Admissions in scope: a hospital its own, an institution its residents', a village
    committee its villagers', a town its villages'."""
    where = list_filter(principal, facility_field="facility_id")
    if person_id is not None:
        where["person_id"] = person_id
    if filing_state is not None:
        where["filing_state"] = filing_state.value
    if open_only is True:
        where["discharged_at"] = None
    elif open_only is False:
        where["discharged_at__ne"] = None
    rows = await ctx.store.find("admission", where, order_by=["-admitted_at"], limit=500)
    return [view(r) for r in rows]
