"""Admissions and their compliance (SPEC §2): the hospital files the admission; its
referral compliance (LJ-3.2a, LJ-4.2a, LJ-4.3a) and filing compliance (LJ-4.2b/c/d, LJ-11.3)
are kept current and published; an emergency patient unable to pay is referred to the
emergency fund (LJ-11.4)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from medaid_shared import clock
from medaid_shared.authz import Principal, Role
from medaid_shared.calendar import Due, clock_deadline
from medaid_shared.contracts.common import PRIMARY_LEVELS, FacilityLevel, FilingState, Region, SupportType
from medaid_shared.contracts.referral import EmergencyAssistanceReferred, ReferralCompliance
from medaid_shared.errors import Conflict, Forbidden, NotFound, RuleViolation, ValidationFailed
from medaid_shared.identifiers import ADMISSION_IDENTIFIERS
from medaid_shared.minimisation import DIAGNOSIS_ANSWERS
from medaid_shared.pagination import PageRequest
from referral.domain import emergency as emergency_domain
from referral.domain.compliance import (
    FilingFacts,
    ReferralFacts,
    filing_complete,
    filing_rule,
    filing_state,
    referral_compliance,
)
from referral.domain.parameters import EMERGENCY_WINDOWS, FILING_WINDOWS, REFERRAL_EXEMPTION, FilingWindows
from referral.domain.records import Admission, Facility, Filing, Person, Referral
from referral.service import events, facilities, parameters, persons, timeline
from referral.service.commands import AdmissionIn, DisputeIn, UnableToPayIn
from referral.service.context import Ctx, new_id
from referral.service.scope import CARER_SCOPE, list_filter, require, sees_admission

FIRST_DEADLINE = "filing.first"  # LJ-4.2b / LJ-11.3: 24 hours; LJ-4.2c: the village step
EMERGENCY_DEADLINE = "emergency.basis"  # LJ-11.3 (interpretation): the basis within the window
# emergency_status: the emergency as a recorded determination (SPEC 0.5)
EMERGENCY_CLAIMED, EMERGENCY_DETERMINED = emergency_domain.CLAIMED, emergency_domain.DETERMINED
EMERGENCY_LAPSED, EMERGENCY_CONTESTED = emergency_domain.LAPSED, emergency_domain.CONTESTED
EMERGENCY_CONFIRMED = emergency_domain.CONFIRMED
UNSTARTED_DEADLINE = "filing.unstarted"  # LJ-4.2c (interpretation): an unstarted chain → unfiled
PHONE_FORM_DEADLINE = "filing.phone_form"  # LJ-4.2d: form within 3 working days of the call


async def load(ctx: Ctx, admission_id: str, *, for_update: bool = False) -> Admission:
    row = await ctx.repo.get_admission(admission_id, for_update=for_update)
    if row is None:
        raise NotFound(f"no admission {admission_id}", field="admission_id")
    return row


async def visible(ctx: Ctx, principal: Principal, admission_id: str, *, for_update: bool = False) -> Admission:
    row = await load(ctx, admission_id, for_update=for_update)
    require(sees_admission(principal, row), f"admission {admission_id}")
    return row


# ---- compliance -----------------------------------------------------------------------


async def compute_referral(ctx: Ctx, adm: Admission, referral: Referral | None = None) -> ReferralCompliance:
    facility = await ctx.repo.get_facility(adm.facility_id)
    assert facility is not None
    if referral is None and adm.referral_id:
        referral = await ctx.repo.get_referral(adm.referral_id)
    from_level = None
    if referral is not None:
        origin = await ctx.repo.get_facility(referral.from_facility_id)
        from_level = FacilityLevel(origin.level) if origin else None
    facts = ReferralFacts(
        facility_level=FacilityLevel(facility.level),
        facility_region=Region(facility.region),
        emergency=emergency_holds(adm),
        referral_from_level=from_level,
        referral_slip=bool(referral and referral.slip_ref),
        approval_state=referral.approval_state if referral else None,
    )
    exemption = await parameters.in_force(ctx, REFERRAL_EXEMPTION, adm.admitted_at)
    return referral_compliance(
        facts,
        approval_regions=ctx.settings.approval_regions,
        emergency_exempt=exemption.values.emergency_exempt,
        parameters_version=exemption.version_id,
    )


def emergency_holds(adm: Admission) -> bool:
    """SPEC 0.5: an emergency exempts (LJ-3.2a, LJ-4.2a) while its basis is due or on record;
    one whose basis never came (``lapsed``) or whose contest was upheld (``contested``) does not."""
    return bool(adm.emergency) and emergency_domain.exemptions_hold(adm.emergency_status)


class Arrival(Protocol):
    """How a patient came in: an admission, or the hospital's command that files it."""

    @property
    def emergency(self) -> bool: ...

    @property
    def admitted_at(self) -> datetime: ...

    @property
    def sent_to_hospital_at(self) -> datetime | None: ...


def filing_start(adm: Arrival) -> datetime:
    """LJ-11.3: an emergency counts from when the person was sent to hospital."""
    if adm.emergency and adm.sent_to_hospital_at is not None:
        return adm.sent_to_hospital_at
    return adm.admitted_at


def filing_deadlines(ctx: Ctx, adm: Arrival, support_type: str, windows: FilingWindows) -> tuple[Due, Due]:
    """When the first filing step is due and when nothing filed counts as unfiled.

    - LJ-4.2b: the institution files within 24 hours of admission; unfiled after them.
    - LJ-11.3: in an emergency the 24 hours run from being sent to hospital; a decentralized
      person's guardian or village committee reports to the town within them.
    - LJ-4.2c: otherwise the seed sets no hours for a decentralized person: the village
      committee's step and the point where an unstarted chain counts as unfiled are
      working-day interpretations on the official calendar.
    """
    start = filing_start(adm)
    first = clock_deadline(start, windows.filing_hours)
    if support_type == SupportType.CENTRALIZED.value:
        return first, first
    if not adm.emergency:
        first = ctx.calendar.add_working_days(start, windows.village_report_working_days)
    unfiled = ctx.calendar.add_working_days(start, windows.unstarted_unfiled_working_days)
    return first, unfiled if unfiled.at >= first.at else first


async def filing_facts(ctx: Ctx, adm: Admission, filing: Filing | None) -> FilingFacts:
    """The filing timeline, with the LJ-4.2c / LJ-4.2d interpretations in force when it started."""
    windows = (await parameters.in_force(ctx, FILING_WINDOWS, filing_start(adm))).values
    return FilingFacts(
        support_type=SupportType(adm.support_type),
        start=filing_start(adm),
        filing_due=adm.filing_due_at,
        unfiled_due=adm.unfiled_due_at,
        phone_lapse=FilingState(windows.phone_lapse_state),
        stalled=FilingState(windows.stalled_chain_state),
        phone_reported_at=adm.phone_reported_at,
        phone_form_due=adm.phone_form_due_at,
        form_at=filing.submitted_at if filing else None,
        forward_due=filing.forward_due_at if filing else None,
        forwarded_at=filing.forwarded_at if filing else None,
    )


async def refresh(
    ctx: Ctx, adm: Admission, *, referral: Referral | None = None, filing: Filing | None = None
) -> Admission:
    """Recompute both compliance states; store and publish AdmissionComplianceChanged when
    either changed, and FilingCompleted when the filing just became complete."""
    if filing is None and adm.filing_id:
        filing = await ctx.repo.get_filing(adm.filing_id)
    compliance = await compute_referral(ctx, adm, referral)
    facts = await filing_facts(ctx, adm, filing)
    state = filing_state(facts, clock.now())
    before_state = FilingState(adm.filing_state)
    before_compliance = ReferralCompliance.model_validate(adm.referral_compliance)
    if state == before_state and compliance == before_compliance:
        return adm
    changes: dict[str, Any] = {"filing_state": state.value, "referral_compliance": compliance.model_dump(mode="json")}
    await ctx.repo.update_admission(adm.admission_id, **changes)
    new = replace(adm, **changes)
    await ctx.uow.emit(events.admission_compliance_changed(adm, compliance, state))
    if filing is not None and filing_complete(facts) and not _was_complete(before_state):
        await ctx.uow.emit(events.filing_completed(adm, filing, state))
    return new


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
    if await ctx.repo.open_admissions(person.person_id, facility_id=cmd.facility_id):
        raise Conflict("this person has an open admission at this facility; discharge it first", field="person_id")
    referral = await _referral_for(ctx, cmd, person)
    check_admitting_facility(facility, referral, cmd.emergency)
    # SPEC 0.3: an open admission elsewhere never blocks this one (it may be another
    # hospital's bogus one); it is recorded, and the person's carers can dispute it.
    elsewhere = await ctx.repo.open_admissions(person.person_id)
    support = SupportType(person.support_type)
    windows = await parameters.in_force(ctx, FILING_WINDOWS, filing_start(cmd))
    due, unfiled_due = filing_deadlines(ctx, cmd, support.value, windows.values)
    basis_due = None
    if cmd.emergency:
        emergency_windows = await parameters.in_force(ctx, EMERGENCY_WINDOWS, cmd.admitted_at)
        basis_due = clock_deadline(cmd.admitted_at, emergency_windows.values.determination_hours)
    prefiling = await _matching_prefiling(ctx, person.person_id, cmd.facility_id, cmd.admitted_at)
    draft = Admission(
        admission_id=new_id(),
        person_id=person.person_id,
        facility_id=cmd.facility_id,
        referral_id=referral.referral_id if referral else None,
        admitted_at=cmd.admitted_at,
        sent_to_hospital_at=cmd.sent_to_hospital_at,
        emergency=cmd.emergency,
        able_to_pay=cmd.able_to_pay,
        support_type=support.value,
        institution_id=person.institution_id,
        village_id=person.village_id,
        town_id=person.town_id,
        # both compliance states are decided just below, on the admission itself
        referral_compliance={},
        filing_rule=filing_rule(support, cmd.emergency),
        filing_state=FilingState.PENDING.value,
        filing_due_at=due.at,
        unfiled_due_at=unfiled_due.at,
        filing_id=prefiling.filing_id if prefiling else None,
        **{name: getattr(cmd, name) for name in ADMISSION_IDENTIFIERS},
        emergency_status=EMERGENCY_CLAIMED if cmd.emergency else None,
        emergency_due_at=basis_due.at if basis_due else None,
        created_by=principal.subject,
        created_at=now,
    )
    compliance = await compute_referral(ctx, draft, referral)
    facts = await filing_facts(ctx, draft, prefiling)
    state = filing_state(facts, now)
    adm = replace(draft, referral_compliance=compliance.model_dump(mode="json"), filing_state=state.value)
    await ctx.repo.add_admission(adm)
    if prefiling is not None:
        await ctx.repo.update_filing(prefiling.filing_id, admission_id=adm.admission_id)
    else:
        await schedule_filing(ctx, adm, due, unfiled_due)
    if basis_due is not None:
        await ctx.uow.schedule(
            EMERGENCY_DEADLINE, adm.admission_id, basis_due, basis="clock", payload={"rule": "LJ-11.3"}
        )
    await ctx.uow.emit(events.admission_filed(adm, facility, compliance, state))
    if prefiling is not None and filing_complete(facts):
        await ctx.uow.emit(events.filing_completed(adm, prefiling, state))
    if cmd.emergency and not cmd.able_to_pay:
        # LJ-11.4: an eligible emergency patient unable to pay goes to emergency assistance (§6).
        await ctx.uow.emit(await _emergency_assistance(ctx, adm, person, facility))
    await timeline.record(
        ctx,
        adm.person_id,
        cmd.admitted_at,
        "admission",
        adm.admission_id,
        admission_id=adm.admission_id,
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
        adm.admission_id,
        reason=adm.filing_rule,
        details={
            "person_id": adm.person_id,
            "emergency": cmd.emergency,
            "able_to_pay": cmd.able_to_pay,
            "filing_due_at": due.at.isoformat(),
            "unfiled_due_at": unfiled_due.at.isoformat(),
            "open_elsewhere": [a.admission_id for a in elsewhere],
            "policy_version": windows.version_id,
        },
    )
    return view(adm)


async def _emergency_assistance(
    ctx: Ctx, adm: Admission, person: Person, facility: Facility
) -> EmergencyAssistanceReferred:
    """The event of LJ-11.4's referral to emergency medical assistance, the ID number sealed
    for the fund's person matching."""
    return events.emergency_assistance_referred(adm, person, facility, persons.sealed_id_number(ctx, person))


async def unable_to_pay(ctx: Ctx, principal: Principal, admission_id: str, cmd: UnableToPayIn) -> dict[str, Any]:
    """LJ-11.4: an emergency patient found unable to pay after admission is referred to
    emergency medical assistance then (``able_to_pay`` is no longer fixed at admission)."""
    adm = await visible(ctx, principal, admission_id, for_update=True)
    principal.require_scope("facility", adm.facility_id, f"admission {admission_id}")
    if not emergency_holds(adm):
        raise RuleViolation(
            "emergency assistance is for an emergency patient (LJ-11.4); this admission is not, or no longer, one",
            rule="LJ-11.4",
            field="admission_id",
        )
    if not adm.able_to_pay:
        raise Conflict("the patient is already recorded as unable to pay", field="admission_id")
    if adm.discharged_at is not None:
        raise Conflict("the patient is discharged; the emergency period is over", field="admission_id")
    await ctx.repo.update_admission(admission_id, able_to_pay=False)
    adm = replace(adm, able_to_pay=False)
    person = await persons.load_person(ctx, adm.person_id)
    facility = await ctx.repo.get_facility(adm.facility_id)
    assert facility is not None
    await ctx.uow.emit(await _emergency_assistance(ctx, adm, person, facility))
    now = clock.now()
    await timeline.record(ctx, adm.person_id, now, "unable_to_pay", admission_id, admission_id=admission_id, summary={})
    await ctx.uow.audit(
        principal, "admission.unable_to_pay", admission_id, reason=cmd.reason, details={"rule": "LJ-11.4"}
    )
    return view(adm)


def check_admitting_facility(facility: Facility, referral: Referral | None, emergency: bool) -> None:
    """SPEC 0.3 / LJ-4.2a: an admission is filed by the facility the person was referred to,
    by a primary facility (the first visit itself, LJ-3.2a), or as an emergency (LJ-11.3,
    treat first) — never by any hospital that knows an ID number."""
    if referral is not None or emergency or FacilityLevel(facility.level) in PRIMARY_LEVELS:
        return
    raise RuleViolation(
        "no referral to this facility: an admission above primary level is filed by the facility the "
        "first-visit doctor referred the person to, or as an emergency",
        rule="LJ-4.2a",
        field="referral_id",
    )


async def schedule_filing(ctx: Ctx, adm: Admission, due: Due, unfiled_due: Due) -> None:
    """The first step's deadline (clock hours, or working days for the village step) and, for
    a decentralized chain, the later point where an unstarted one counts as unfiled."""
    payload = {"admission_id": adm.admission_id, "rule": adm.filing_rule}
    basis = "working_days" if due.working_days is not None else "clock"
    await ctx.uow.schedule(FIRST_DEADLINE, adm.admission_id, due, basis=basis, payload=payload)
    if unfiled_due.at > due.at:
        await ctx.uow.schedule(UNSTARTED_DEADLINE, adm.admission_id, unfiled_due, basis="working_days", payload=payload)


async def _referral_for(ctx: Ctx, cmd: AdmissionIn, person: Person) -> Referral | None:
    """The referral that brought the patient: the one named, or the latest to this facility."""
    if cmd.referral_id is not None:
        referral = await ctx.repo.get_referral(cmd.referral_id)
        if referral is None:
            raise ValidationFailed(f"unknown referral {cmd.referral_id}", field="referral_id")
        if referral.person_id != person.person_id or referral.to_facility_id != cmd.facility_id:
            raise ValidationFailed("the referral is for another person or facility", field="referral_id")
        return referral
    windows = await parameters.in_force(ctx, FILING_WINDOWS, cmd.admitted_at)
    window = cmd.admitted_at - timedelta(days=windows.values.pre_filing_match_days)
    return await ctx.repo.latest_referral(person.person_id, cmd.facility_id, window)


async def _matching_prefiling(ctx: Ctx, person_id: str, facility_id: str, admitted_at: datetime) -> Filing | None:
    """LJ-4.2b: a filing made before the person left, for this facility, not yet used."""
    windows = await parameters.in_force(ctx, FILING_WINDOWS, admitted_at)
    window = admitted_at - timedelta(days=windows.values.pre_filing_match_days)
    return await ctx.repo.unmatched_filing(person_id, facility_id, window, for_update=True)


async def dispute(ctx: Ctx, principal: Principal, admission_id: str, cmd: DisputeIn) -> dict[str, Any]:
    """SPEC 0.3 / 0.5: the person's carer (institution, village committee, town) or civil
    affairs records that the person is not admitted there — the party responsible for where
    the person is says so, with who and when. A disputed admission no longer counts as open
    (it blocks nothing) and raises no filing deadline at the carers (LJ-4.2)."""
    await ctx.uow.lock_deadline(FIRST_DEADLINE, admission_id)  # the scheduler's lock order
    adm = await load(ctx, admission_id, for_update=True)
    if principal.role not in (Role.CIVIL_AFFAIRS, *CARER_SCOPE):
        raise Forbidden("only the person's carers or civil affairs dispute an admission")
    require(sees_admission(principal, adm), f"admission {admission_id}")
    if adm.disputed_at is not None:
        raise Conflict("this admission is already disputed", field="admission_id")
    if adm.discharged_at is not None:
        raise Conflict("a discharged admission is settled on its bill, not disputed here", field="admission_id")
    if adm.filing_id is not None:
        raise RuleViolation("the carers filed this admission themselves (LJ-4.2)", rule="LJ-4.2b", field="admission_id")
    now = clock.now()
    changes: dict[str, Any] = {"disputed_at": now, "disputed_by": principal.subject, "dispute_reason": cmd.reason}
    await ctx.repo.update_admission(admission_id, **changes)
    for kind in (FIRST_DEADLINE, UNSTARTED_DEADLINE, PHONE_FORM_DEADLINE, EMERGENCY_DEADLINE):
        await ctx.uow.close_deadline(kind, admission_id, state="cancelled")
    adm = replace(adm, **changes)
    await timeline.record(
        ctx,
        adm.person_id,
        now,
        "admission_disputed",
        admission_id,
        admission_id=admission_id,
        summary={"facility_id": adm.facility_id, "by": principal.role.value},
    )
    await ctx.uow.audit(principal, "admission.dispute", admission_id, reason=cmd.reason, details={"rule": "SPEC 0.3"})
    return view(adm)


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
    "unfiled_due_at",
    "filing_id",
    "phone_reported_at",
    "phone_form_due_at",
    "fit_at",
    "discharged_at",
    "documents_due_at",
    "disputed_at",
    "disputed_by",
    "dispute_reason",
    *ADMISSION_IDENTIFIERS,
    "patient_fit_at",
    "patient_fit_report",
    "documents_withheld_report",
    "emergency_status",
    "emergency_due_at",
    "emergency_arrival_channel",
    "emergency_onset_at",
    "emergency_determined_at",
    "emergency_determined_by",
    "emergency_review",
    "unfiled_care_adviser",
)
# who sees the emergency's condition (a diagnosis, SPEC 0.4): the hospital that recorded it
# and the departments that may contest it
CONDITION_ROLES = frozenset({Role.HOSPITAL, Role.CIVIL_AFFAIRS, Role.MEDICAL_INSURANCE})
# SPEC 0.4: the discharge's diagnosis group, for the roles the minimisation table names (the
# hospital that recorded it, civil affairs, medical insurance); the carers and other
# departments read the admission with it empty.
DIAGNOSIS_ROLES = frozenset(Role(r) for r in DIAGNOSIS_ANSWERS["referral AdmissionOut.diagnosis_group"])


def view(row: Admission) -> dict[str, Any]:
    return {**{k: getattr(row, k) for k in VIEW_FIELDS}, "diagnosis_group": None}


def view_for(principal: Principal, row: Admission) -> dict[str, Any]:
    """The admission as ``principal`` may see it: the diagnosis group only for the roles
    whose purpose includes it (SPEC 0.4), empty for every other."""
    out = view(row)
    if principal.role in DIAGNOSIS_ROLES:
        out["diagnosis_group"] = row.diagnosis_group
    return out


async def get(ctx: Ctx, principal: Principal, admission_id: str) -> dict[str, Any]:
    row = await visible(ctx, principal, admission_id)
    out = view_for(principal, row)
    if principal.role in CONDITION_ROLES:
        out["emergency_condition"] = row.emergency_condition
    docs = await ctx.repo.documents(admission_id)
    out["documents"] = [
        {"kind": d.kind, "document_ref": d.document_ref, "issued_at": d.issued_at, "late": d.late} for d in docs
    ]
    return out


async def listing(
    ctx: Ctx,
    principal: Principal,
    *,
    person_id: str | None,
    filing_state: FilingState | None,
    open_only: bool | None,
    page: PageRequest,
) -> list[dict[str, Any]]:
    """One page of the admissions in scope, latest admitted first, paged in SQL: a hospital
    its own, an institution its residents', a village committee its villagers', a town its
    villages'."""
    rows = await ctx.repo.admission_page(
        list_filter(principal, by_facility=True),
        page,
        person_id=person_id,
        filing_state=filing_state.value if filing_state is not None else None,
        open_only=open_only,
    )
    return [view_for(principal, r) for r in rows]
