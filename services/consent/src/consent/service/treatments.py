"""LJ-11 use cases: record a treatment, sign its consent, read treatments and consents."""

from __future__ import annotations

from typing import Any

from consent.domain import signing
from consent.domain.access import require_view_person
from consent.domain.treatment import Kind, MajorCategory, TreatmentStatus, consent_decision, intake
from consent.service.common import load_admission, load_person, new_id, today
from consent.service.consents import consent_view, store_consent
from consent.service.ports import Ctx, Row
from medaid_shared import clock
from medaid_shared.authz import Principal, Role
from medaid_shared.contracts.consent import TreatmentRecorded
from medaid_shared.errors import NotFound, ValidationFailed


async def require_view(ctx: Ctx, principal: Principal, person_id: str, facility_id: str) -> None:
    """A hospital sees the records of its own facility; others per their person scope."""
    if principal.role == Role.HOSPITAL:
        principal.require_scope("facility", facility_id, "this record's facility")
        return
    person = await load_person(ctx, person_id)
    require_view_person(principal, person, await ctx.store.person_facilities(person_id))


async def record_treatment(
    ctx: Ctx,
    principal: Principal,
    admission_id: str,
    *,
    kind: Kind,
    category: MajorCategory | None,
    description: str,
    attending_doctor: str,
    emergency_reason: str | None,
) -> dict[str, Any]:
    """The hospital records a treatment; what it needs first follows from LJ-11 / LJ-5."""
    adm = await load_admission(ctx, admission_id)
    principal.require_scope("facility", adm.facility_id, "this admission's facility")
    person = await load_person(ctx, adm.person_id)
    if kind == Kind.MAJOR and category is None:
        raise ValidationFailed("a major treatment names its category (LJ-11.2)", field="category")
    if kind != Kind.MAJOR and category is not None:
        raise ValidationFailed("only a major treatment has a category", field="category")
    if kind == Kind.EMERGENCY and not (emergency_reason and emergency_reason.strip()):
        raise ValidationFailed("an emergency rescue states why it could not wait (LJ-11.3)", field="emergency_reason")
    if kind != Kind.EMERGENCY and emergency_reason:
        raise ValidationFailed("only an emergency rescue has an emergency reason", field="emergency_reason")
    start = intake(kind, person, adm.facility_id, today())
    treatment_id = new_id("trt")
    now = clock.now()
    row = {
        "treatment_id": treatment_id,
        "admission_id": admission_id,
        "person_id": person.person_id,
        "facility_id": adm.facility_id,
        "kind": kind.value,
        "category": category.value if category else None,
        "description": ctx.encrypt(description, f"treatment:{treatment_id}"),
        "attending_doctor": attending_doctor,
        "status": start.status.value,
        "consent_required": start.consent_required,
        "trusteeship_covered": start.trusteeship_covered,
        "emergency_reason": emergency_reason,
        "recorded_by": principal.subject,
        "recorded_at": now,
        "updated_at": now,
    }
    await ctx.store.insert("treatment", row)
    await ctx.uow.emit(
        TreatmentRecorded(
            treatment_id=treatment_id,
            admission_id=admission_id,
            person_id=person.person_id,
            kind=kind.value,
            category=row["category"],
            status=start.status.value,
            consent_required=start.consent_required,
            trusteeship_covered=start.trusteeship_covered,
            recorded_at=now,
        )
    )
    await ctx.uow.audit(
        principal,
        "treatment.record",
        treatment_id,
        reason=emergency_reason or ", ".join(start.rules),
        details={"admission_id": admission_id, "kind": kind.value, "status": start.status.value},
    )
    return treatment_view(ctx, row, rules=start.rules)


async def load_treatment(ctx: Ctx, treatment_id: str, *, lock: bool = False) -> Row:
    row = await ctx.store.get("treatment", treatment_id, lock=lock)
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
    person = await load_person(ctx, row["person_id"])
    signer = signing.check_signer(person, principal, today(), major_public_interest_reason=major_public_interest_reason)
    decision = consent_decision(Kind(row["kind"]), TreatmentStatus(row["status"]))
    consent = await store_consent(
        ctx,
        principal,
        person_id=person.person_id,
        admission_id=row["admission_id"],
        decision=decision,
        signer=signer,
        treatment_id=treatment_id,
        signature_ref=signature_ref,
    )
    await ctx.store.update(
        "treatment", treatment_id, {"status": TreatmentStatus.CONSENTED.value, "updated_at": clock.now()}
    )
    return consent


async def get_treatment(ctx: Ctx, principal: Principal, treatment_id: str) -> dict[str, Any]:
    row = await load_treatment(ctx, treatment_id)
    await require_view(ctx, principal, row["person_id"], row["facility_id"])
    view = treatment_view(ctx, row)
    consents = await ctx.store.find("consent", treatment_id=treatment_id)
    view["consent"] = consent_view(consents[0]) if consents else None
    return view


async def admission_records(ctx: Ctx, principal: Principal, admission_id: str) -> dict[str, Any]:
    adm = await load_admission(ctx, admission_id)
    await require_view(ctx, principal, adm.person_id, adm.facility_id)
    treatments = await ctx.store.find("treatment", order_by="recorded_at", admission_id=admission_id)
    consents = await ctx.store.find("consent", order_by="signed_at", admission_id=admission_id)
    items = await ctx.store.find("self_pay_item", order_by="proposed_at", admission_id=admission_id)
    return {
        "admission_id": admission_id,
        "person_id": adm.person_id,
        "facility_id": adm.facility_id,
        "treatments": [treatment_view(ctx, t) for t in treatments],
        "consents": [consent_view(c) for c in consents],
        "self_pay_items": [
            {
                "item_id": i["item_id"],
                "item_code": i["item_code"],
                "amount": f"{i['amount']:.2f}",
                "status": i["status"],
                "outcome": i["outcome"],
                "proposed_at": i["proposed_at"],
            }
            for i in items
        ],
    }


async def get_consent(ctx: Ctx, principal: Principal, consent_id: str) -> dict[str, Any]:
    row = await ctx.store.get("consent", consent_id)
    if row is None:
        raise NotFound(f"unknown consent {consent_id}")
    adm = await load_admission(ctx, row["admission_id"])
    await require_view(ctx, principal, row["person_id"], adm.facility_id)
    return consent_view(row)


def treatment_view(ctx: Ctx, row: Row, rules: tuple[str, ...] = ()) -> dict[str, Any]:
    view = {
        k: row[k]
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
    view["description"] = ctx.decrypt(row["description"], f"treatment:{row['treatment_id']}")
    if rules:
        view["rules"] = list(rules)
    return view
