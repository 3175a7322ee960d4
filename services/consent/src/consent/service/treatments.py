"""LJ-11 use cases: record a treatment, sign its consent, read treatments and consents."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from consent.domain import signing
from consent.domain.access import require_view_person
from consent.domain.model import Admission
from consent.domain.parameters import MAJOR_TREATMENT
from consent.domain.records import Treatment
from consent.domain.treatment import (
    Classified,
    Intake,
    Kind,
    MajorCategory,
    TreatmentStatus,
    classify,
    consent_decision,
    intake,
    reopen_rescue,
)
from consent.service import events, rank4
from consent.service.common import decrypt, encrypt, load_admission, load_person, new_id, parameters_for, today
from consent.service.consents import consent_view, store_consent
from consent.service.ports import Ctx
from medaid_shared import clock
from medaid_shared.authz import Principal, Role
from medaid_shared.contracts.referral import EmergencyExemptionWithdrawn
from medaid_shared.errors import NotFound, RuleViolation, ValidationFailed


async def require_view(ctx: Ctx, principal: Principal, person_id: str, facility_id: str) -> None:
    """A hospital sees the records of its own facility; others per their person scope."""
    if principal.role == Role.HOSPITAL:
        principal.require_scope("facility", facility_id, "this record's facility")
        return
    person = await load_person(ctx, person_id)
    require_view_person(principal, person, await ctx.repo.person_facilities(person_id))


def _check_fields(
    kind: Kind, category: MajorCategory | None, procedure_code: str | None, emergency_reason: str | None
) -> None:
    if kind == Kind.MAJOR and category is None:
        raise ValidationFailed("a major treatment names its category (LJ-11.2)", field="category", rule="LJ-11.2")
    if kind != Kind.MAJOR and category is not None:
        raise ValidationFailed("only a major treatment has a category", field="category", rule="LJ-11.2")
    if kind != Kind.EMERGENCY and procedure_code is None:
        # LJ-11.2: what a treatment is follows from its procedure, not from its label.
        raise ValidationFailed("a treatment names its procedure code (LJ-11.2)", field="procedure_code", rule="LJ-11.2")
    if kind == Kind.EMERGENCY and not (emergency_reason and emergency_reason.strip()):
        raise ValidationFailed(
            "an emergency rescue states why it could not wait (LJ-11.3)", field="emergency_reason", rule="LJ-11.3"
        )
    if kind != Kind.EMERGENCY and emergency_reason:
        raise ValidationFailed(
            "only an emergency rescue has an emergency reason", field="emergency_reason", rule="LJ-11.3"
        )


async def record_treatment(
    ctx: Ctx,
    principal: Principal,
    admission_id: str,
    *,
    kind: Kind,
    category: MajorCategory | None,
    procedure_code: str | None,
    description: str,
    attending_doctor: str,
    emergency_reason: str | None,
) -> dict[str, Any]:
    """The hospital records a treatment; what it is follows from its procedure code
    (LJ-11.2), what it needs first from LJ-11 / LJ-5."""
    adm = await load_admission(ctx, admission_id)
    principal.require_scope("facility", adm.facility_id, "this admission's facility")
    _check_fields(kind, category, procedure_code, emergency_reason)
    applied = await parameters_for(ctx, MAJOR_TREATMENT, adm.facility_id)
    by_data = classify(kind, category, procedure_code, applied.values)
    row, start = await insert_treatment(
        ctx,
        principal,
        adm,
        by_data,
        labelled=kind,
        procedure_code=procedure_code,
        description=description,
        attending_doctor=attending_doctor,
        emergency_reason=emergency_reason,
        parameters_version=applied.version_id,
    )
    view = treatment_view(ctx, row, rules=start.rules)
    if by_data.reason:
        view["reclassified"] = by_data.reason
    return view


async def _refused_before(ctx: Ctx, admission_id: str, procedure_code: str | None) -> Treatment | None:
    """LJ-11.2: a treatment of the same procedure in this admission whose evaluation
    concluded not to proceed."""
    if procedure_code is None:
        return None
    return await ctx.repo.refused_treatment(admission_id, procedure_code)


async def insert_treatment(
    ctx: Ctx,
    principal: Principal | None,
    adm: Admission,
    by_data: Classified,
    *,
    labelled: Kind | None,
    procedure_code: str | None,
    description: str,
    attending_doctor: str,
    emergency_reason: str | None,
    parameters_version: str,
    item_id: str | None = None,
    recorded_by: str | None = None,
) -> tuple[Treatment, Intake]:
    """Store a treatment as classified by data, with TreatmentRecorded and the audit entry
    (``principal`` None: recorded by the service itself on an event, for ``recorded_by``)."""
    person = await load_person(ctx, adm.person_id)
    refused = await _refused_before(ctx, adm.admission_id, procedure_code)
    start = intake(by_data.kind, person, adm.facility_id, today(), refused_before=refused is not None)
    treatment_id = new_id("trt")
    now = clock.now()
    row = Treatment(
        treatment_id=treatment_id,
        admission_id=adm.admission_id,
        person_id=person.person_id,
        facility_id=adm.facility_id,
        kind=by_data.kind.value,
        category=by_data.category.value if by_data.category else None,
        description=encrypt(ctx, description, f"treatment:{treatment_id}"),
        attending_doctor=attending_doctor,
        status=start.status.value,
        consent_required=start.consent_required,
        trusteeship_covered=start.trusteeship_covered,
        emergency_reason=emergency_reason,
        procedure_code=procedure_code,
        labelled_kind=labelled.value if labelled else None,
        item_id=item_id,
        parameters_version=parameters_version,
        recorded_by=recorded_by or (principal.subject if principal else "consent"),
        recorded_at=now,
        updated_at=now,
    )
    await ctx.repo.add_treatment(row)
    await ctx.uow.emit(events.treatment_recorded(row))
    why = [*start.rules, *([by_data.reason] if by_data.reason else [])]
    if refused is not None:
        why.append(f"evaluation of treatment {refused.treatment_id} concluded not to proceed")
    await ctx.uow.audit(
        principal,
        "treatment.record",
        treatment_id,
        reason=emergency_reason or ", ".join(why),
        details={
            "admission_id": adm.admission_id,
            "kind": by_data.kind.value,
            "labelled_kind": labelled.value if labelled else None,
            "status": start.status.value,
            "parameters_version": parameters_version,
        },
    )
    return row, start


async def emergency_withdrawn(ctx: Ctx, event: EmergencyExemptionWithdrawn) -> None:
    """LJ-11.3 / SPEC 0.5: referral withdrew the emergency's exemptions — every rescue of the
    admission treated without prior signature and not yet signed is reopened: it needs its
    consent again (TreatmentReopened). A rescue already signed keeps its consent; a repeated
    event finds nothing left to reopen."""
    adm = await ctx.repo.admission(event.admission_id)
    if adm is None:
        return  # AdmissionFiled comes first on the same key; nothing of ours to reopen
    rescues = await ctx.repo.treatments(
        event.admission_id, kind=Kind.EMERGENCY.value, status=TreatmentStatus.EMERGENCY_TREATED.value
    )
    if not rescues:
        return
    person = await load_person(ctx, adm.person_id)
    applied = await parameters_for(ctx, MAJOR_TREATMENT, adm.facility_id)
    for row in rescues:
        refused = await _refused_before(ctx, adm.admission_id, row.procedure_code)
        by_data, start = reopen_rescue(
            row.procedure_code, person, adm.facility_id, today(), applied.values, refused_before=refused is not None
        )
        now = clock.now()
        changes: dict[str, Any] = {
            "kind": by_data.kind.value,
            "category": by_data.category.value if by_data.category else None,
            "status": start.status.value,
            "consent_required": start.consent_required,
            "trusteeship_covered": start.trusteeship_covered,
            "parameters_version": applied.version_id,
            "updated_at": now,
        }
        await ctx.repo.update_treatment(row.treatment_id, **changes)
        reopened = replace(row, **changes)
        await ctx.uow.emit(
            events.treatment_reopened(
                reopened, previous_kind=Kind.EMERGENCY.value, reason=event.reason, rules=start.rules
            )
        )
        why = f"referral withdrew the emergency exemptions ({event.reason}): the rescue needs its consent (LJ-11.3)"
        await ctx.uow.audit(
            None,
            "treatment.reopen",
            row.treatment_id,
            reason=why,
            details={
                "status": start.status.value,
                "kind": by_data.kind.value,
                "parameters_version": applied.version_id,
            },
        )


async def load_treatment(ctx: Ctx, treatment_id: str, *, lock: bool = False) -> Treatment:
    row = await ctx.repo.get_treatment(treatment_id, lock=lock)
    if row is None:
        raise NotFound(f"unknown treatment {treatment_id}")
    return row


async def sign_treatment(
    ctx: Ctx,
    principal: Principal,
    treatment_id: str,
    *,
    major_public_interest_reason: str | None,
    signature_ref: str | None,
) -> dict[str, Any]:
    """LJ-11.1 / LJ-11.2 / LJ-11.3: the eligible signer (LJ-10) signs the treatment."""
    row = await load_treatment(ctx, treatment_id, lock=True)
    person = await load_person(ctx, row.person_id)
    signer = signing.check_signer(
        person,
        principal,
        today(),
        major_public_interest_reason=major_public_interest_reason,
        public_interest_confirmation_id=await rank4.public_interest_confirmation(
            ctx, treatment_id, major_public_interest_reason
        ),
    )
    decision = consent_decision(Kind(row.kind), TreatmentStatus(row.status))
    if row.kind != Kind.EMERGENCY:
        refused = await _refused_before(ctx, row.admission_id, row.procedure_code)
        if refused is not None:
            raise RuleViolation(
                f"the evaluation of treatment {refused.treatment_id} concluded not to proceed with procedure "
                f"{row.procedure_code} in this admission",
                rule="LJ-11.2",
                field="treatment_id",
            )
    await rank4.require_no_standing_signature(ctx, treatment_id=treatment_id)
    consent = await store_consent(
        ctx,
        principal,
        person_id=person.person_id,
        admission_id=row.admission_id,
        decision=decision,
        signer=signer,
        treatment_id=treatment_id,
        signature_ref=signature_ref,
    )
    if not signer.public_interest_pending:  # LJ-10: a pending one waits for civil affairs
        await ctx.repo.update_treatment(treatment_id, status=TreatmentStatus.CONSENTED.value, updated_at=clock.now())
    return consent


async def get_treatment(ctx: Ctx, principal: Principal, treatment_id: str) -> dict[str, Any]:
    row = await load_treatment(ctx, treatment_id)
    await require_view(ctx, principal, row.person_id, row.facility_id)
    view = treatment_view(ctx, row)
    # LJ-10: the consent that counts, not the first on record (which may be a rank-4 signature
    # civil affairs rejected or has yet to confirm); the pending one is shown as pending
    counting, pending = await rank4.standing_signatures(ctx, treatment_id=treatment_id)
    view["consent"] = consent_view(counting) if counting else None
    view["pending_consent"] = None
    if pending is not None:
        view["pending_consent"] = {**consent_view(pending[0]), "civil_affairs_filing": rank4.filing_view(pending[1])}
    return view


async def admission_records(ctx: Ctx, principal: Principal, admission_id: str) -> dict[str, Any]:
    adm = await load_admission(ctx, admission_id)
    await require_view(ctx, principal, adm.person_id, adm.facility_id)
    treatments = await ctx.repo.treatments(admission_id)
    consents = await ctx.repo.consents(admission_id)
    items = await ctx.repo.items(admission_id)
    return {
        "admission_id": admission_id,
        "person_id": adm.person_id,
        "facility_id": adm.facility_id,
        "treatments": [treatment_view(ctx, t) for t in treatments],
        "consents": [consent_view(c) for c in consents],
        "self_pay_items": [
            {
                "item_id": i.item_id,
                "item_code": i.item_code,
                "amount": f"{i.amount:.2f}",
                "status": i.status,
                "outcome": i.outcome,
                "proposed_at": i.proposed_at,
            }
            for i in items
        ],
    }


async def get_consent(ctx: Ctx, principal: Principal, consent_id: str) -> dict[str, Any]:
    row = await ctx.repo.get_consent(consent_id)
    if row is None:
        raise NotFound(f"unknown consent {consent_id}")
    adm = await load_admission(ctx, row.admission_id)
    await require_view(ctx, principal, row.person_id, adm.facility_id)
    return consent_view(row)


def treatment_view(ctx: Ctx, row: Treatment, rules: tuple[str, ...] = ()) -> dict[str, Any]:
    view = {
        k: getattr(row, k)
        for k in (
            "treatment_id",
            "admission_id",
            "person_id",
            "facility_id",
            "kind",
            "category",
            "attending_doctor",
            "status",
            "consent_required",
            "trusteeship_covered",
            "emergency_reason",
            "recorded_by",
            "recorded_at",
        )
    }
    for k in ("procedure_code", "labelled_kind", "item_id", "parameters_version"):
        view[k] = getattr(row, k)
    view["description"] = decrypt(ctx, row.description, f"treatment:{row.treatment_id}")
    if rules:
        view["rules"] = list(rules)
    return view
