"""Discharge (LJ-12) and violations (LJ-17).

LJ-12: when the patient is fit for discharge the hospital discharges promptly and issues the
diagnosis certificate, discharge summary and itemised cost list within 24 hours. An overdue
document — or a discharge held back after fitness — is a violation record against the
hospital, reported to the health and medical-insurance departments (LJ-17).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from medaid_shared import clock
from medaid_shared.authz import Principal
from medaid_shared.calendar import clock_deadline
from medaid_shared.contracts.referral import DischargeDocumentsOverdue, DischargeRecorded
from medaid_shared.errors import Conflict, RuleViolation, ValidationFailed
from referral.domain.discharge import ViolationKind, discharge_is_late, missing_documents
from referral.domain.parameters import DISCHARGE_WINDOWS
from referral.service import admissions, parameters, timeline
from referral.service.commands import DischargeIn, DocumentIn, FitnessIn
from referral.service.context import Ctx, new_id
from referral.service.ports import Record
from referral.service.scope import list_filter

DOCUMENTS_DEADLINE = "discharge.documents"


async def _hospital_admission(ctx: Ctx, principal: Principal, admission_id: str) -> Record:
    adm = await admissions.load(ctx, admission_id, for_update=True)
    principal.require_scope("facility", adm["facility_id"], f"admission {admission_id}")
    return adm


async def fitness(ctx: Ctx, principal: Principal, admission_id: str, cmd: FitnessIn) -> dict[str, Any]:
    """LJ-12: the hospital finds the patient fit for discharge; discharge should follow promptly."""
    adm = await _hospital_admission(ctx, principal, admission_id)
    if adm["discharged_at"] is not None:
        raise Conflict("the patient is already discharged")
    if adm["fit_at"] is not None:
        raise Conflict("fitness for discharge is already recorded")
    now = clock.now()
    changes = {"fit_at": now, "fit_by": cmd.doctor}
    await ctx.store.update("admission", admission_id, changes)
    await timeline.record(
        ctx, adm["person_id"], now, "fit_for_discharge", admission_id, admission_id=admission_id, summary={}
    )
    await ctx.uow.audit(principal, "discharge.fitness", admission_id, reason="LJ-12", details={"doctor": cmd.doctor})
    return admissions.view({**adm, **changes})


async def discharge(ctx: Ctx, principal: Principal, admission_id: str, cmd: DischargeIn) -> dict[str, Any]:
    """LJ-12: record the discharge → DischargeRecorded; the three documents fall due within
    24 hours (clock). A discharge later than the interpretation's delay after fitness is a
    late-discharge violation (LJ-17)."""
    adm = await _hospital_admission(ctx, principal, admission_id)
    if adm["discharged_at"] is not None:
        raise Conflict("the patient is already discharged")
    now = clock.now()
    if cmd.discharged_at > now:
        raise ValidationFailed("the discharge is in the future", field="discharged_at")
    if cmd.discharged_at < adm["admitted_at"]:
        raise ValidationFailed("the discharge is before the admission", field="discharged_at")
    windows = await parameters.in_force(ctx, DISCHARGE_WINDOWS, cmd.discharged_at)
    due = clock_deadline(cmd.discharged_at, windows.values.documents_hours)
    changes = {
        "discharged_at": cmd.discharged_at,
        "documents_due_at": due.at,
        "diagnosis_group": cmd.diagnosis_group,
        "fit_at": adm["fit_at"] or cmd.discharged_at,
    }
    await ctx.store.update("admission", admission_id, changes)
    adm = {**adm, **changes}
    await ctx.uow.schedule(
        DOCUMENTS_DEADLINE,
        admission_id,
        due,
        basis="clock",
        payload={"admission_id": admission_id, "facility_id": adm["facility_id"]},
    )
    await ctx.uow.emit(
        DischargeRecorded(
            admission_id=admission_id,
            person_id=adm["person_id"],
            facility_id=adm["facility_id"],
            admitted_at=adm["admitted_at"],
            discharged_at=cmd.discharged_at,
            diagnosis_group=cmd.diagnosis_group,
            documents_due_at=due.at,
        )
    )
    if discharge_is_late(adm["fit_at"], cmd.discharged_at, windows.values.delay_hours):
        await _violation(
            ctx,
            adm,
            ViolationKind.LATE_DISCHARGE,
            None,
            {
                "fit_at": adm["fit_at"].isoformat(),
                "discharged_at": cmd.discharged_at.isoformat(),
                "delay_hours_allowed": windows.values.delay_hours,
                "policy_version": windows.version_id,
            },
        )
    await timeline.record(
        ctx,
        adm["person_id"],
        cmd.discharged_at,
        "discharge",
        admission_id,
        admission_id=admission_id,
        summary={"facility_id": adm["facility_id"], "documents_due_at": due.at.isoformat()},
    )
    await ctx.uow.audit(
        principal, "discharge.record", admission_id, reason="LJ-12", details={"documents_due_at": due.at.isoformat()}
    )
    return admissions.view(adm)


async def document(ctx: Ctx, principal: Principal, admission_id: str, cmd: DocumentIn) -> dict[str, Any]:
    """LJ-12: one of the three documents issued; when all three are in, the deadline is met."""
    adm = await _hospital_admission(ctx, principal, admission_id)
    if adm["discharged_at"] is None:
        raise RuleViolation("discharge documents follow the discharge", rule="LJ-12", field="admission_id")
    existing = await ctx.store.find("discharge_document", {"admission_id": admission_id})
    if any(d["kind"] == cmd.kind.value for d in existing):
        raise Conflict(f"the {cmd.kind.value} is already issued", field="kind")
    now = clock.now()
    late = now > adm["documents_due_at"]
    await ctx.store.insert(
        "discharge_document",
        {
            "admission_id": admission_id,
            "kind": cmd.kind.value,
            "document_ref": cmd.document_ref,
            "issued_at": now,
            "issued_by": principal.subject,
            "late": late,
        },
    )
    missing = missing_documents([d["kind"] for d in existing] + [cmd.kind.value])
    if not missing:
        await ctx.uow.close_deadline(DOCUMENTS_DEADLINE, admission_id)
    await timeline.record(
        ctx,
        adm["person_id"],
        now,
        "discharge_document",
        admission_id,
        admission_id=admission_id,
        summary={"kind": cmd.kind.value, "late": late},
    )
    await ctx.uow.audit(principal, "discharge.document", admission_id, reason="LJ-12", details={"kind": cmd.kind.value})
    return {"admission_id": admission_id, "kind": cmd.kind.value, "issued_at": now, "late": late, "missing": missing}


async def on_documents_due(ctx: Ctx, row: Any) -> None:
    """Scheduler, LJ-12 / LJ-17: documents still missing 24 hours after discharge → a
    violation record against the hospital and DischargeDocumentsOverdue."""
    adm = await ctx.store.get("admission", row["subject"])
    if adm is None:
        return
    issued = await ctx.store.find("discharge_document", {"admission_id": adm["admission_id"]})
    missing = missing_documents(d["kind"] for d in issued)
    if not missing:
        return
    violation_id = await _violation(ctx, adm, ViolationKind.DOCUMENTS_OVERDUE, row["due_at"], {"missing": missing})
    await ctx.uow.emit(
        DischargeDocumentsOverdue(
            admission_id=adm["admission_id"],
            facility_id=adm["facility_id"],
            missing_documents=missing,
            due_at=row["due_at"],
            violation_id=violation_id,
        )
    )


async def _violation(
    ctx: Ctx, adm: Record, kind: ViolationKind, due_at: datetime | None, details: dict[str, Any]
) -> str:
    """LJ-17: a violation record against the hospital (in the annual assessment feed)."""
    violation_id = new_id()
    now = clock.now()
    await ctx.store.insert(
        "violation",
        {
            "violation_id": violation_id,
            "facility_id": adm["facility_id"],
            "admission_id": adm["admission_id"],
            "kind": kind.value,
            "rule": "LJ-12",
            "details": details,
            "due_at": due_at,
            "recorded_at": now,
        },
    )
    await ctx.uow.audit(
        None,
        "violation.record",
        violation_id,
        reason=f"LJ-17 {kind.value}",
        details={"facility_id": adm["facility_id"], "admission_id": adm["admission_id"], **details},
    )
    await timeline.record(
        ctx,
        adm["person_id"],
        due_at or now,
        "violation",
        violation_id,
        admission_id=adm["admission_id"],
        summary={"kind": kind.value, "facility_id": adm["facility_id"]},
    )
    return violation_id


# ---- LJ-17 reads ------------------------------------------------------------------------


def _period(year: int | None) -> dict[str, Any]:
    if year is None:
        return {}
    start = datetime(year, 1, 1, tzinfo=clock.SHANGHAI)
    end = datetime(year, 12, 31, 23, 59, 59, 999999, tzinfo=clock.SHANGHAI)
    return {"recorded_at__gte": start, "recorded_at__lte": end}


async def violations(
    ctx: Ctx, principal: Principal, *, facility_id: str | None, kind: ViolationKind | None, year: int | None
) -> list[dict[str, Any]]:
    """LJ-17 violation records; a hospital sees its own."""
    where = {**list_filter(principal, facility_field="facility_id"), **_period(year)}
    if facility_id is not None:
        scoped = where.get("facility_id")
        if scoped is not None and facility_id not in scoped:
            return []
        where["facility_id"] = facility_id
    if kind is not None:
        where["kind"] = kind.value
    rows = await ctx.store.find("violation", where, order_by=["recorded_at"], limit=1000)
    return [
        {
            k: r[k]
            for k in ("violation_id", "facility_id", "admission_id", "kind", "rule", "details", "due_at", "recorded_at")
        }
        for r in rows
    ]


async def report(ctx: Ctx, year: int | None) -> list[dict[str, Any]]:
    """LJ-17: violations per hospital for the health and medical-insurance departments
    (and the hospital's annual assessment)."""
    rows = await ctx.store.find("violation", _period(year))
    per: dict[str, dict[str, Any]] = {}
    for r in rows:
        entry = per.setdefault(
            r["facility_id"],
            {"facility_id": r["facility_id"], **{k.value: 0 for k in ViolationKind}, "total": 0},
        )
        entry[r["kind"]] += 1
        entry["total"] += 1
    names = {f["facility_id"]: f for f in await ctx.store.find("facility", {"facility_id": list(per)})}
    out = []
    for fid in sorted(per):
        facility = names.get(fid)
        out.append(
            {
                **per[fid],
                "name": facility["name"] if facility else None,
                "level": facility["level"] if facility else None,
            }
        )
    return sorted(out, key=lambda e: (-e["total"], e["facility_id"]))
