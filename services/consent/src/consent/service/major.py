"""LJ-11.2 use cases: the health bureau's expert pool, fair-rotation assignment, and the
major-treatment evaluation record (重大治疗评估备案表) completed by the attending doctor
and the assigned expert before any consent for the treatment is accepted."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from consent.domain.major import Recommendation, conclusion, pick_expert
from consent.domain.model import Expert
from consent.domain.parameters import MAJOR_TREATMENT, MajorTreatment
from consent.domain.records import Evaluation, ExpertAssignment, ExpertRecord, Treatment
from consent.domain.treatment import Kind, TreatmentStatus
from consent.service import events, selfpay
from consent.service.common import decrypt, encrypt, new_id, parameters_for
from consent.service.ports import Ctx
from consent.service.treatments import load_treatment, require_view
from medaid_shared import clock
from medaid_shared.authz import Principal, Role
from medaid_shared.errors import Conflict, Forbidden, NotFound, RuleViolation
from medaid_shared.pagination import PageRequest


def _aad(treatment_id: str, part: str) -> str:
    return f"evaluation:{treatment_id}:{part}"


async def add_expert(
    ctx: Ctx, principal: Principal, *, expert_id: str, name: str, hospital_id: str, specialty: str
) -> dict[str, Any]:
    if await ctx.repo.get_expert(expert_id) is not None:
        raise Conflict(f"expert {expert_id} is already in the pool", field="expert_id")
    now = clock.now()
    row = ExpertRecord(
        expert_id=expert_id,
        name=name,
        hospital_id=hospital_id,
        specialty=specialty,
        active=True,
        created_by=principal.subject,
        created_at=now,
        updated_at=now,
    )
    await ctx.repo.add_expert(row)
    await ctx.uow.audit(
        principal, "expert.add", expert_id, details={"hospital_id": hospital_id, "specialty": specialty}
    )
    return _expert_view(row)


async def update_expert(ctx: Ctx, principal: Principal, expert_id: str, changes: dict[str, Any]) -> dict[str, Any]:
    row = await ctx.repo.get_expert(expert_id, lock=True)
    if row is None:
        raise NotFound(f"unknown expert {expert_id}")
    values = {k: v for k, v in changes.items() if v is not None}
    if values:
        await ctx.repo.update_expert(expert_id, **values, updated_at=clock.now())
        await ctx.uow.audit(principal, "expert.update", expert_id, details=values)
    return _expert_view(replace(row, **values))


async def list_experts(ctx: Ctx, page: PageRequest) -> list[dict[str, Any]]:
    """One page of the expert pool by expert id, with each expert's assignment load
    (LJ-11.2), paged in SQL."""
    return [
        {
            "expert_id": e.expert_id,
            "name": e.name,
            "hospital_id": e.hospital_id,
            "specialty": e.specialty,
            "active": e.active,
            "assignments": e.assignments,
            "last_assigned_at": e.last_assigned_at,
        }
        for e in await ctx.repo.expert_page(page)
    ]


def _expert_view(expert: ExpertRecord | Expert) -> dict[str, Any]:
    return {k: getattr(expert, k) for k in ("expert_id", "name", "hospital_id", "specialty", "active")}


async def _major_awaiting_evaluation(ctx: Ctx, treatment_id: str) -> Treatment:
    row = await load_treatment(ctx, treatment_id, lock=True)
    if row.kind != Kind.MAJOR:
        raise RuleViolation("only a major treatment has an evaluation record", rule="LJ-11.2")
    if row.status != TreatmentStatus.AWAITING_EVALUATION:
        raise Conflict(f"the evaluation of this treatment is already complete ({row.status})")
    return row


async def _evaluation(ctx: Ctx, treatment_id: str) -> Evaluation:
    """The treatment's evaluation record, created on first use."""
    row = await ctx.repo.get_evaluation(treatment_id, lock=True)
    if row is None:
        await ctx.repo.add_evaluation(Evaluation(evaluation_id=new_id("eva"), treatment_id=treatment_id))
        row = await ctx.repo.get_evaluation(treatment_id, lock=True)
        assert row is not None
    return row


async def assign_expert(ctx: Ctx, principal: Principal, treatment_id: str, *, specialty: str | None) -> dict[str, Any]:
    """LJ-11.2: the health bureau assigns the next expert by fair rotation, not from the
    treating hospital (interpretation, a policy parameter); the rotation is recorded."""
    treatment = await _major_awaiting_evaluation(ctx, treatment_id)
    if await ctx.repo.get_assignment(treatment_id) is not None:
        raise Conflict("an expert is already assigned to this treatment")
    await ctx.repo.lock_rotation()
    applied = await parameters_for(ctx, MAJOR_TREATMENT, treatment.facility_id)
    params: MajorTreatment = applied.values
    rotation = pick_expert(
        await ctx.repo.expert_pool(),
        treatment.facility_id,
        specialty=specialty,
        exclude_treating_hospital=params.expert_from_other_hospital,
    )
    now = clock.now()
    record = {**rotation.record(), "parameters_version": applied.version_id}
    await ctx.repo.add_assignment(
        ExpertAssignment(
            treatment_id=treatment_id,
            expert_id=rotation.chosen.expert_id,
            specialty=specialty,
            rotation=record,
            assigned_by=principal.subject,
            assigned_at=now,
        )
    )
    evaluation = await _evaluation(ctx, treatment_id)
    await ctx.repo.update_evaluation(treatment_id, expert_id=rotation.chosen.expert_id)
    await ctx.uow.audit(
        principal,
        "expert.assign",
        treatment_id,
        reason="LJ-11.2: fair rotation, not from the treating hospital",
        details=record,
    )
    return {
        "treatment_id": treatment_id,
        "evaluation_id": evaluation.evaluation_id,
        "expert": _expert_view(rotation.chosen),
        "rotation": record,
        "assigned_by": principal.subject,
        "assigned_at": now,
        "rule": "LJ-11.2",
    }


async def attending_part(
    ctx: Ctx,
    principal: Principal,
    treatment_id: str,
    *,
    attending_doctor: str,
    opinion: str,
    recommendation: Recommendation,
) -> dict[str, Any]:
    """LJ-11.2: the attending doctor's part of the evaluation record."""
    treatment = await load_treatment(ctx, treatment_id)
    principal.require_scope("facility", treatment.facility_id, "this treatment's facility")
    treatment = await _major_awaiting_evaluation(ctx, treatment_id)
    evaluation = await _evaluation(ctx, treatment_id)
    if evaluation.attending_at is not None:
        raise Conflict("the attending doctor's part of this evaluation is already recorded")
    values: dict[str, Any] = {
        "attending_doctor": attending_doctor,
        "attending_opinion": encrypt(ctx, opinion, _aad(treatment_id, "attending")),
        "attending_recommendation": recommendation.value,
        "attending_at": clock.now(),
    }
    await ctx.repo.update_evaluation(treatment_id, **values)
    await ctx.uow.audit(
        principal,
        "evaluation.attending",
        treatment_id,
        reason=f"attending doctor {attending_doctor}: {recommendation.value}",
    )
    return await _maybe_complete(ctx, principal, treatment, replace(evaluation, **values))


async def expert_part(
    ctx: Ctx, principal: Principal, treatment_id: str, *, opinion: str, recommendation: Recommendation
) -> dict[str, Any]:
    """LJ-11.2: the assigned third-party expert's part (the token subject is the expert)."""
    treatment = await _major_awaiting_evaluation(ctx, treatment_id)
    assignment = await ctx.repo.get_assignment(treatment_id)
    if assignment is None:
        raise Conflict("no expert is assigned to this treatment yet")
    if principal.role != Role.HEALTH_BUREAU or principal.subject != assignment.expert_id:
        raise Forbidden(f"only the assigned expert {assignment.expert_id} records the expert's part")
    evaluation = await _evaluation(ctx, treatment_id)
    if evaluation.expert_at is not None:
        raise Conflict("the expert's part of this evaluation is already recorded")
    values: dict[str, Any] = {
        "expert_id": assignment.expert_id,
        "expert_opinion": encrypt(ctx, opinion, _aad(treatment_id, "expert")),
        "expert_recommendation": recommendation.value,
        "expert_at": clock.now(),
    }
    await ctx.repo.update_evaluation(treatment_id, **values)
    await ctx.uow.audit(
        principal, "evaluation.expert", treatment_id, reason=f"expert {principal.subject}: {recommendation.value}"
    )
    return await _maybe_complete(ctx, principal, treatment, replace(evaluation, **values))


async def _maybe_complete(
    ctx: Ctx, principal: Principal, treatment: Treatment, evaluation: Evaluation
) -> dict[str, Any]:
    """When both parts are in, the record is complete: MajorTreatmentEvaluated; the treatment
    then awaits its consent (proceed) or stops (do not proceed)."""
    if evaluation.attending_at is None or evaluation.expert_at is None:
        return await _evaluation_view(ctx, treatment, evaluation)
    by_attending, by_expert = evaluation.attending_recommendation, evaluation.expert_recommendation
    assert by_attending is not None and by_expert is not None  # recorded with their parts
    result = conclusion(Recommendation(by_attending), Recommendation(by_expert))
    now = clock.now()
    tid = treatment.treatment_id
    await ctx.repo.update_evaluation(tid, conclusion=result.value, completed_at=now)
    evaluation = replace(evaluation, conclusion=result.value, completed_at=now)
    status = TreatmentStatus.AWAITING_CONSENT if result == Recommendation.PROCEED else TreatmentStatus.NOT_TO_PROCEED
    await ctx.repo.update_treatment(tid, status=status.value, updated_at=now)
    if treatment.item_id and result == Recommendation.DO_NOT_PROCEED:
        await selfpay.reject_after_evaluation(ctx, principal, treatment.item_id, tid)
    assignment = await ctx.repo.get_assignment(tid)
    expert = await ctx.repo.get_expert(evaluation.expert_id) if evaluation.expert_id else None
    assert assignment is not None and expert is not None
    await ctx.uow.emit(events.major_treatment_evaluated(treatment, evaluation, expert, assignment))
    await ctx.uow.audit(
        principal, "evaluation.complete", tid, reason=f"LJ-11.2 evaluation record complete: {result.value}"
    )
    return await _evaluation_view(ctx, replace(treatment, status=status.value), evaluation)


async def get_evaluation(ctx: Ctx, principal: Principal, treatment_id: str) -> dict[str, Any]:
    treatment = await load_treatment(ctx, treatment_id)
    await require_view(ctx, principal, treatment.person_id, treatment.facility_id)
    evaluation = await ctx.repo.get_evaluation(treatment_id)
    if evaluation is None:
        raise NotFound("no evaluation record for this treatment yet")
    return await _evaluation_view(ctx, treatment, evaluation)


async def _evaluation_view(ctx: Ctx, treatment: Treatment, evaluation: Evaluation) -> dict[str, Any]:
    tid = treatment.treatment_id
    assignment = await ctx.repo.get_assignment(tid)
    expert = await ctx.repo.get_expert(assignment.expert_id) if assignment else None
    return {
        "evaluation_id": evaluation.evaluation_id,
        "treatment_id": tid,
        "admission_id": treatment.admission_id,
        "person_id": treatment.person_id,
        "facility_id": treatment.facility_id,
        "category": treatment.category,
        "treatment_status": treatment.status,
        "attending": {
            "doctor": evaluation.attending_doctor,
            "opinion": decrypt(ctx, evaluation.attending_opinion, _aad(tid, "attending")),
            "recommendation": evaluation.attending_recommendation,
            "at": evaluation.attending_at,
        },
        "expert": {
            **(_expert_view(expert) if expert else {}),
            "opinion": decrypt(ctx, evaluation.expert_opinion, _aad(tid, "expert")),
            "recommendation": evaluation.expert_recommendation,
            "at": evaluation.expert_at,
        },
        "assignment": {
            "assigned_by": assignment.assigned_by,
            "assigned_at": assignment.assigned_at,
            "rotation": assignment.rotation,
        }
        if assignment
        else None,
        "conclusion": evaluation.conclusion,
        "completed_at": evaluation.completed_at,
        "rule": "LJ-11.2",
    }
