"""Discharge (LJ-12) and violations (LJ-17).

LJ-12: when the patient is fit for discharge the hospital discharges promptly and issues the
diagnosis certificate, discharge summary and itemised cost list within 24 hours. An overdue
document — or a discharge held back after fitness — is a violation record against the
hospital, reported to the health and medical-insurance departments (LJ-17).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from medaid_shared import clock
from medaid_shared.authz import Principal, Role
from medaid_shared.calendar import Due, clock_deadline
from medaid_shared.crypto import seal
from medaid_shared.errors import Conflict, Forbidden, RuleViolation, ValidationFailed
from medaid_shared.pagination import PageRequest
from medaid_shared.settings import DIAGNOSIS_GROUPS_PURPOSE
from referral.domain.discharge import ViolationKind, discharge_is_late, missing_documents
from referral.domain.parameters import DISCHARGE_WINDOWS
from referral.domain.records import Admission, IssuedDocument, Scope, Violation
from referral.service import admissions, events, health_plans, parameters, timeline
from referral.service.commands import DischargeIn, DocumentIn, FitnessIn, PatientSideReport, PatientSideReportIn
from referral.service.context import Ctx, new_id
from referral.service.scope import carer_in_scope, list_filter, require

DOCUMENTS_DEADLINE = "discharge.documents"
HELD_DEADLINE = "discharge.held"  # LJ-12: declared fit (patient's side) and still not discharged
# LJ-12 / SPEC 0.5: who may say, from the patient's side, that the patient was declared fit or
# that documents are withheld — the carers in scope and the person's registered guardian
PATIENT_SIDE = frozenset({Role.INSTITUTION, Role.VILLAGE_COMMITTEE, Role.GUARDIAN})


def _sealed_for_settlement(ctx: Ctx, diagnosis_group: str | None) -> str | None:
    """SPEC 0.4 / LJ-9: the diagnosis group travels sealed for settlement alone, so referral's
    outbox, the broker and any dead letter hold no diagnosis in clear."""
    if diagnosis_group is None:
        return None
    return seal(ctx.settings.diagnosis_groups_public_key, diagnosis_group, DIAGNOSIS_GROUPS_PURPOSE)


async def _hospital_admission(ctx: Ctx, principal: Principal, admission_id: str) -> Admission:
    adm = await admissions.load(ctx, admission_id, for_update=True)
    principal.require_scope("facility", adm.facility_id, f"admission {admission_id}")
    return adm


async def fitness(ctx: Ctx, principal: Principal, admission_id: str, cmd: FitnessIn) -> dict[str, Any]:
    """LJ-12: the hospital finds the patient fit for discharge; discharge should follow promptly."""
    adm = await _hospital_admission(ctx, principal, admission_id)
    if adm.discharged_at is not None:
        raise Conflict("the patient is already discharged")
    if adm.fit_at is not None:
        raise Conflict("fitness for discharge is already recorded")
    now = clock.now()
    changes: dict[str, Any] = {"fit_at": now, "fit_by": cmd.doctor}
    await ctx.repo.update_admission(admission_id, **changes)
    await timeline.record(
        ctx, adm.person_id, now, "fit_for_discharge", admission_id, admission_id=admission_id, summary={}
    )
    await ctx.uow.audit(principal, "discharge.fitness", admission_id, reason="LJ-12", details={"doctor": cmd.doctor})
    return admissions.view(replace(adm, **changes))


async def discharge(ctx: Ctx, principal: Principal, admission_id: str, cmd: DischargeIn) -> dict[str, Any]:
    """LJ-12: record the discharge → DischargeRecorded; the three documents fall due within
    24 hours (clock). A discharge later than the interpretation's delay after fitness is a
    late-discharge violation (LJ-17)."""
    adm = await _hospital_admission(ctx, principal, admission_id)
    if adm.discharged_at is not None:
        raise Conflict("the patient is already discharged")
    now = clock.now()
    if cmd.discharged_at > now:
        raise ValidationFailed("the discharge is in the future", field="discharged_at")
    if cmd.discharged_at < adm.admitted_at:
        raise ValidationFailed("the discharge is before the admission", field="discharged_at")
    windows = await parameters.in_force(ctx, DISCHARGE_WINDOWS, cmd.discharged_at)
    due = clock_deadline(cmd.discharged_at, windows.values.documents_hours)
    if adm.documents_due_at is not None and adm.documents_due_at < due.at:
        due = Due(adm.documents_due_at)  # the patient side reported the documents withheld before
    changes: dict[str, Any] = {
        "discharged_at": cmd.discharged_at,
        "documents_due_at": due.at,
        "diagnosis_group": cmd.diagnosis_group,
        "fit_at": adm.fit_at or cmd.discharged_at,
        **await health_plans.start(ctx, admission_id, cmd.discharged_at),
    }
    await ctx.repo.update_admission(admission_id, **changes)
    adm = replace(adm, **changes)
    await ctx.uow.schedule(
        DOCUMENTS_DEADLINE,
        admission_id,
        due,
        basis="clock",
        payload={"admission_id": admission_id, "facility_id": adm.facility_id},
    )
    await ctx.uow.emit(events.discharge_recorded(adm, _sealed_for_settlement(ctx, adm.diagnosis_group)))
    fit = _earliest_fit(adm)
    late = discharge_is_late(fit, cmd.discharged_at, windows.values.delay_hours)
    if late and not await _late_recorded(ctx, admission_id):
        assert fit is not None
        await _violation(
            ctx,
            adm,
            ViolationKind.LATE_DISCHARGE,
            None,
            {
                "fit_at": fit.isoformat(),
                "fit_reported_by": "hospital" if fit == adm.fit_at else "patient_side",
                "discharged_at": cmd.discharged_at.isoformat(),
                "delay_hours_allowed": windows.values.delay_hours,
                "policy_version": windows.version_id,
            },
        )
    await timeline.record(
        ctx,
        adm.person_id,
        cmd.discharged_at,
        "discharge",
        admission_id,
        admission_id=admission_id,
        summary={"facility_id": adm.facility_id, "documents_due_at": due.at.isoformat()},
    )
    await ctx.uow.audit(
        principal, "discharge.record", admission_id, reason="LJ-12", details={"documents_due_at": due.at.isoformat()}
    )
    return admissions.view_for(principal, adm)


def _earliest_fit(adm: Admission) -> datetime | None:
    """LJ-12: the patient is fit from the earlier of the hospital's record and the patient
    side's report (SPEC 0.5: the hospital's silence never stands in for fitness)."""
    known = [t for t in (adm.fit_at, adm.patient_fit_at) if t is not None]
    return min(known) if known else None


async def _late_recorded(ctx: Ctx, admission_id: str) -> bool:
    return await ctx.repo.violation_recorded(admission_id, ViolationKind.LATE_DISCHARGE.value)


async def patient_side(ctx: Ctx, principal: Principal, admission_id: str, cmd: PatientSideReportIn) -> dict[str, Any]:
    """LJ-12, LJ-17 seen from the patient's side: the institution, the village committee or
    the guardian records that the patient was declared fit, or that the documents are
    withheld. That starts the LJ-12 clocks — the discharge delay and the documents' 24 hours —
    and their violations follow without the hospital's self-report. The report is the
    reporter's claim (who, in which role, when, from whom they heard it; SPEC 0.5)."""
    adm = await admissions.load(ctx, admission_id, for_update=True)
    await _check_patient_side(ctx, principal, adm)
    now = clock.now()
    if cmd.at > now:
        raise ValidationFailed("the report is about the future", field="at")
    if cmd.at < adm.admitted_at:
        raise ValidationFailed("before the admission", field="at")
    report = {
        "at": cmd.at.isoformat(),
        "source": cmd.source,
        "notes": cmd.notes,
        "by": principal.subject,
        "role": principal.role.value,
        "recorded_at": now.isoformat(),
    }
    windows = await parameters.in_force(ctx, DISCHARGE_WINDOWS, cmd.at)
    if cmd.kind == PatientSideReport.DECLARED_FIT:
        changes = await _declared_fit(ctx, adm, cmd, report, windows)
    else:
        changes = await _documents_withheld(ctx, adm, cmd, report, windows)
    adm = replace(adm, **changes)
    await timeline.record(
        ctx,
        adm.person_id,
        now,
        f"patient_side_{cmd.kind.value}",
        admission_id,
        admission_id=admission_id,
        summary={"at": cmd.at.isoformat(), "by": principal.role.value},
    )
    await ctx.uow.audit(
        principal,
        f"discharge.patient_side.{cmd.kind.value}",
        admission_id,
        reason="LJ-12",
        details={"at": cmd.at.isoformat(), "source": cmd.source, "policy_version": windows.version_id},
    )
    return admissions.view(adm)


async def _check_patient_side(ctx: Ctx, principal: Principal, adm: Admission) -> None:
    if principal.role not in PATIENT_SIDE:
        raise Forbidden("the patient's institution, village committee or guardian reports this")
    if principal.role == Role.GUARDIAN:
        person = await ctx.repo.get_person(adm.person_id)
        guardian = (person.guardian if person else None) or {}
        require(bool(guardian.get("guardian_id")) and guardian["guardian_id"] == principal.subject, "this patient")
    else:
        require(carer_in_scope(principal, adm), f"admission {adm.admission_id}")


async def _declared_fit(
    ctx: Ctx, adm: Admission, cmd: PatientSideReportIn, report: dict[str, Any], windows: Any
) -> dict[str, Any]:
    if adm.patient_fit_at is not None:
        raise Conflict("the patient side already reported fitness", field="kind")
    if adm.discharged_at is not None and adm.discharged_at <= cmd.at:
        raise Conflict("the patient was discharged before that", field="at")
    changes: dict[str, Any] = {"patient_fit_at": cmd.at, "patient_fit_report": report}
    await ctx.repo.update_admission(adm.admission_id, **changes)
    delay = windows.values.delay_hours
    if adm.discharged_at is None:
        # LJ-12: the discharge is due "promptly" (interpretation: delay_hours) after fitness
        await ctx.uow.schedule(
            HELD_DEADLINE,
            adm.admission_id,
            clock_deadline(cmd.at, delay),
            basis="clock",
            payload={"admission_id": adm.admission_id, "facility_id": adm.facility_id},
        )
    elif discharge_is_late(cmd.at, adm.discharged_at, delay) and not await _late_recorded(ctx, adm.admission_id):
        await _late_violation(ctx, replace(adm, **changes), cmd.at, adm.discharged_at, windows)
    return changes


async def _documents_withheld(
    ctx: Ctx, adm: Admission, cmd: PatientSideReportIn, report: dict[str, Any], windows: Any
) -> dict[str, Any]:
    if adm.documents_withheld_report is not None:
        raise Conflict("the patient side already reported withheld documents", field="kind")
    changes: dict[str, Any] = {"documents_withheld_report": report}
    if adm.discharged_at is None:
        # LJ-12: the hospital has recorded no discharge; the documents' 24 hours run from
        # the refusal the patient side reports (a discharge recorded later keeps this clock)
        due = clock_deadline(cmd.at, windows.values.documents_hours)
        changes["documents_due_at"] = due.at
        await ctx.uow.schedule(
            DOCUMENTS_DEADLINE,
            adm.admission_id,
            due,
            basis="clock",
            payload={"admission_id": adm.admission_id, "facility_id": adm.facility_id},
        )
    await ctx.repo.update_admission(adm.admission_id, **changes)
    return changes


async def on_held_due(ctx: Ctx, row: Any) -> None:
    """Scheduler, LJ-12 / LJ-17: declared fit (the patient side's report) and still not
    discharged when "promptly" ran out → a late-discharge violation against the hospital,
    though it never reported the fitness itself."""
    adm = await ctx.repo.get_admission(row["subject"], for_update=True)
    if adm is None or adm.discharged_at is not None or adm.patient_fit_at is None:
        return
    if await _late_recorded(ctx, adm.admission_id):
        return
    windows = await parameters.in_force(ctx, DISCHARGE_WINDOWS, adm.patient_fit_at)
    await _late_violation(ctx, adm, adm.patient_fit_at, None, windows)


async def _late_violation(
    ctx: Ctx, adm: Admission, fit_at: datetime, discharged_at: datetime | None, windows: Any
) -> None:
    report = adm.patient_fit_report or {}
    await _violation(
        ctx,
        adm,
        ViolationKind.LATE_DISCHARGE,
        fit_at + timedelta(hours=windows.values.delay_hours),
        {
            "fit_at": fit_at.isoformat(),
            "fit_reported_by": "patient_side",
            "reported_by_role": report.get("role"),
            "discharged_at": discharged_at.isoformat() if discharged_at else None,
            "still_in_hospital": discharged_at is None,
            "delay_hours_allowed": windows.values.delay_hours,
            "policy_version": windows.version_id,
        },
    )


async def document(ctx: Ctx, principal: Principal, admission_id: str, cmd: DocumentIn) -> dict[str, Any]:
    """LJ-12: one of the three documents issued; when all three are in, the deadline is met."""
    adm = await _hospital_admission(ctx, principal, admission_id)
    if adm.discharged_at is None:
        raise RuleViolation("discharge documents follow the discharge", rule="LJ-12", field="admission_id")
    existing = await ctx.repo.documents(admission_id)
    if any(d.kind == cmd.kind.value for d in existing):
        raise Conflict(f"the {cmd.kind.value} is already issued", field="kind")
    now = clock.now()
    assert adm.documents_due_at is not None  # set with the discharge
    late = now > adm.documents_due_at
    await ctx.repo.add_document(
        IssuedDocument(
            admission_id=admission_id,
            kind=cmd.kind.value,
            document_ref=cmd.document_ref,
            issued_at=now,
            issued_by=principal.subject,
            late=late,
        )
    )
    missing = missing_documents([d.kind for d in existing] + [cmd.kind.value])
    if not missing:
        await ctx.uow.close_deadline(DOCUMENTS_DEADLINE, admission_id)
    await timeline.record(
        ctx,
        adm.person_id,
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
    adm = await ctx.repo.get_admission(row["subject"])
    if adm is None:
        return
    issued = await ctx.repo.documents(adm.admission_id)
    missing = missing_documents(d.kind for d in issued)
    if not missing:
        return
    violation_id = await _violation(ctx, adm, ViolationKind.DOCUMENTS_OVERDUE, row["due_at"], {"missing": missing})
    await ctx.uow.emit(events.discharge_documents_overdue(adm, missing, row["due_at"], violation_id))


async def _violation(
    ctx: Ctx, adm: Admission, kind: ViolationKind, due_at: datetime | None, details: dict[str, Any]
) -> str:
    """LJ-17: a violation record against the hospital (in the annual assessment feed)."""
    violation_id = new_id()
    now = clock.now()
    await ctx.repo.add_violation(
        Violation(
            violation_id=violation_id,
            facility_id=adm.facility_id,
            admission_id=adm.admission_id,
            kind=kind.value,
            rule="LJ-12",
            details=details,
            due_at=due_at,
            recorded_at=now,
        )
    )
    await ctx.uow.audit(
        None,
        "violation.record",
        violation_id,
        reason=f"LJ-17 {kind.value}",
        details={"facility_id": adm.facility_id, "admission_id": adm.admission_id, **details},
    )
    await timeline.record(
        ctx,
        adm.person_id,
        due_at or now,
        "violation",
        violation_id,
        admission_id=adm.admission_id,
        summary={"kind": kind.value, "facility_id": adm.facility_id},
    )
    return violation_id


# ---- LJ-17 reads ------------------------------------------------------------------------


def _period(year: int | None) -> tuple[datetime, datetime] | None:
    """A calendar year in Shanghai time, first and last instant."""
    if year is None:
        return None
    start = datetime(year, 1, 1, tzinfo=clock.SHANGHAI)
    end = datetime(year, 12, 31, 23, 59, 59, 999999, tzinfo=clock.SHANGHAI)
    return start, end


async def violations(
    ctx: Ctx,
    principal: Principal,
    page: PageRequest,
    *,
    facility_id: str | None,
    kind: ViolationKind | None,
    year: int | None,
) -> list[dict[str, Any]]:
    """One page of the LJ-17 violation records, in the order recorded, paged in SQL; a
    hospital sees its own."""
    scope: Scope = list_filter(principal, by_facility=True)
    if facility_id is not None and scope.excludes("facility_id", facility_id):
        return []
    rows = await ctx.repo.violation_page(
        scope, page, facility_id=facility_id, kind=kind.value if kind else None, recorded=_period(year)
    )
    return [
        {
            k: getattr(r, k)
            for k in ("violation_id", "facility_id", "admission_id", "kind", "rule", "details", "due_at", "recorded_at")
        }
        for r in rows
    ]


async def report(ctx: Ctx, year: int | None) -> list[dict[str, Any]]:
    """LJ-17: violations per hospital for the health and medical-insurance departments
    (and the hospital's annual assessment)."""
    per: dict[str, dict[str, Any]] = {}
    for r in await ctx.repo.violations(_period(year)):
        entry = per.setdefault(
            r.facility_id,
            {"facility_id": r.facility_id, **{k.value: 0 for k in ViolationKind}, "total": 0},
        )
        entry[r.kind] += 1
        entry["total"] += 1
    names = {f.facility_id: f for f in await ctx.repo.facilities(list(per))}
    out = []
    for fid in sorted(per):
        facility = names.get(fid)
        out.append(
            {
                **per[fid],
                "name": facility.name if facility else None,
                "level": facility.level if facility else None,
            }
        )
    return sorted(out, key=lambda e: (-e["total"], e["facility_id"]))
