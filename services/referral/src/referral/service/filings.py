"""Outside-care filings (外出就医备案表) and their deadlines.

- LJ-4.2b centralized: the institution files with civil affairs before the person leaves or
  within 24 hours of admission; the filing is complete when submitted.
- LJ-4.2c decentralized: the village committee files with the town government, which passes
  it on to civil affairs; complete when civil affairs has it. The seed sets no hours for this
  chain: how long each step may take, when an unstarted chain counts as unfiled and what a
  chain the town never passes on becomes are interpretations (versioned parameters).
- LJ-4.2d a phone pre-report within the first step's deadline, then the form within 3
  working days; a call never followed by the form becomes ``form_late`` or ``unfiled`` (an
  interpretation).
- LJ-11.3 emergency: 24 hours counted from being sent to hospital (the institution's filing,
  or the decentralized person's report to the town).
"""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import timedelta
from typing import Any

from medaid_shared import clock
from medaid_shared.authz import Principal, Role
from medaid_shared.contracts.common import SupportType
from medaid_shared.contracts.referral import FilingOverdue
from medaid_shared.errors import Conflict, NotFound, RuleViolation, ValidationFailed
from medaid_shared.pagination import PageRequest
from referral.domain.parameters import FILING_WINDOWS
from referral.domain.persons import id_facts
from referral.domain.records import Admission, Filing, Person
from referral.service import admissions, events, facilities, parameters, persons, timeline
from referral.service.admissions import FIRST_DEADLINE, PHONE_FORM_DEADLINE, UNSTARTED_DEADLINE
from referral.service.commands import FilingIn, ForwardIn, PhoneReportIn
from referral.service.context import Ctx, new_id
from referral.service.scope import list_filter, require, sees_person

FORWARD_DEADLINE = "filing.forward"  # LJ-4.2c (interpretation): town → civil affairs

# who files for whom: LJ-4.2b (centralized → institution), LJ-4.2c (decentralized → village committee)
FILER = {
    SupportType.CENTRALIZED: (Role.INSTITUTION, "institution_id", "institution", "LJ-4.2b"),
    SupportType.DECENTRALIZED: (Role.VILLAGE_COMMITTEE, "village_id", "village", "LJ-4.2c"),
}


def check_filer(principal: Principal, placement: Person | Admission) -> str:
    """The right actor for this person's filing, within its scope; returns the unit id."""
    support = SupportType(placement.support_type)
    role, field, kind, rule = FILER[support]
    if principal.role != role:
        raise RuleViolation(
            f"a {support.value} person's outside-care filing is made by the {role.value.replace('_', ' ')}",
            rule=rule,
            field="person_id",
        )
    unit = getattr(placement, field)
    principal.require_scope(kind, unit, "this person")
    return str(unit)


async def load(ctx: Ctx, filing_id: str, *, for_update: bool = False) -> Filing:
    row = await ctx.repo.get_filing(filing_id, for_update=for_update)
    if row is None:
        raise NotFound(f"no filing {filing_id}", field="filing_id")
    return row


def reason_text(ctx: Ctx, row: Filing) -> str:
    return ctx.cipher.decrypt_text(row.reason_enc, f"referral.filing:{row.filing_id}:reason")


async def submit(ctx: Ctx, principal: Principal, cmd: FilingIn) -> dict[str, Any]:
    """The institution (LJ-4.2b) or the village committee (LJ-4.2c) files the form — before
    the person leaves (a pre-filing, matched to the admission later) or for an admission."""
    person = await persons.known_person(ctx, cmd.person_id)
    unit = check_filer(principal, person)
    await facilities.known(ctx, cmd.facility_id, "facility_id")
    adm = await _admission_for(ctx, cmd, person)
    if cmd.referral_id is not None:
        referral = await ctx.repo.get_referral(cmd.referral_id)
        if referral is None or referral.person_id != person.person_id:
            raise ValidationFailed(f"unknown referral {cmd.referral_id} for this person", field="referral_id")
    now = clock.now()
    support = SupportType(person.support_type)
    filing_id = new_id()
    forward_due = None
    if support == SupportType.DECENTRALIZED:
        windows = await parameters.in_force(ctx, FILING_WINDOWS, now)
        forward_due = ctx.calendar.add_working_days(now, windows.values.town_forward_working_days)
        await ctx.uow.schedule(
            FORWARD_DEADLINE, filing_id, forward_due, basis="working_days", payload={"filing_id": filing_id}
        )
    row = Filing(
        filing_id=filing_id,
        person_id=person.person_id,
        admission_id=adm.admission_id if adm else None,
        facility_id=cmd.facility_id,
        referral_id=cmd.referral_id or (adm.referral_id if adm else None),
        route=support.value,
        reason_enc=ctx.cipher.encrypt_text(cmd.reason, f"referral.filing:{filing_id}:reason"),
        planned_departure_at=cmd.planned_departure_at,
        escort=cmd.escort,
        notes=cmd.notes,
        submitted_by=principal.subject,
        # LJ annex 1: the form shows who filed by name (the token's name claim) and the
        # unit's name, not a login id and a code.
        submitted_by_name=principal.name,
        submitted_role=principal.role.value,
        submitted_unit=unit,
        submitted_unit_name=cmd.unit_name,
        institution_id=person.institution_id,
        village_id=person.village_id,
        town_id=person.town_id,
        submitted_at=now,
        forward_due_at=forward_due.at if forward_due else None,
    )
    await ctx.repo.add_filing(row)
    state = None
    if adm is not None:
        await ctx.repo.update_admission(adm.admission_id, filing_id=filing_id)
        adm = replace(adm, filing_id=filing_id)
        for kind in (FIRST_DEADLINE, UNSTARTED_DEADLINE, PHONE_FORM_DEADLINE):
            await ctx.uow.close_deadline(kind, adm.admission_id)
        adm = await admissions.refresh(ctx, adm, filing=row)
        state = adm.filing_state
    await timeline.record(
        ctx,
        person.person_id,
        now,
        "filing_submitted",
        filing_id,
        admission_id=row.admission_id,
        summary={"route": support.value, "by": principal.role.value, "facility_id": cmd.facility_id},
    )
    await ctx.uow.audit(
        principal,
        "filing.submit",
        filing_id,
        reason=FILER[support][3],
        details={"admission_id": row.admission_id, "filing_state": state},
    )
    return view(ctx, row, state)


async def _admission_for(ctx: Ctx, cmd: FilingIn, person: Person) -> Admission | None:
    if cmd.admission_id is not None:
        adm = await ctx.repo.get_admission(cmd.admission_id, for_update=True)
        if adm is None:
            raise ValidationFailed(f"unknown admission {cmd.admission_id}", field="admission_id")
        if adm.person_id != person.person_id or adm.facility_id != cmd.facility_id:
            raise ValidationFailed("the admission is for another person or facility", field="admission_id")
        if adm.disputed_at is not None:
            raise Conflict("this admission is disputed: the person is not admitted there", field="admission_id")
    else:
        open_ = await ctx.repo.open_admissions(person.person_id, facility_id=cmd.facility_id, for_update=True)
        adm = open_[0] if open_ else None
        match_days = (await parameters.in_force(ctx, FILING_WINDOWS, clock.now())).values.pre_filing_match_days
        since = clock.now() - timedelta(days=match_days)
        if adm is None and await ctx.repo.unmatched_filing(person.person_id, cmd.facility_id, since) is not None:
            raise Conflict("a filing for this outside care is already in", field="facility_id")
    if adm is not None and adm.filing_id is not None:
        raise Conflict("this admission is already filed", field="admission_id")
    return adm


async def phone_report(ctx: Ctx, principal: Principal, admission_id: str, cmd: PhoneReportIn) -> dict[str, Any]:
    """LJ-4.2d: a phone pre-report within the first step's deadline (the 24 hours of LJ-4.2b /
    LJ-11.3, the village step of LJ-4.2c); the form is then due within 3 working days of the
    call (official calendar)."""
    adm = await admissions.load(ctx, admission_id, for_update=True)
    check_filer(principal, adm)
    if adm.filing_id is not None:
        raise Conflict("the form is already filed", field="admission_id")
    if adm.phone_reported_at is not None:
        raise Conflict("the phone pre-report is already recorded", field="admission_id")
    now = clock.now()
    if now > adm.filing_due_at:
        raise RuleViolation(
            "a phone pre-report must be made before the filing is due; file the form instead",
            rule="LJ-4.2d",
            field="admission_id",
        )
    windows = await parameters.in_force(ctx, FILING_WINDOWS, now)
    due = ctx.calendar.add_working_days(now, windows.values.phone_form_working_days)
    changes: dict[str, Any] = {
        "phone_reported_at": now,
        "phone_reported_by": principal.subject,
        "phone_form_due_at": due.at,
    }
    await ctx.repo.update_admission(admission_id, **changes)
    adm = replace(adm, **changes)
    await ctx.uow.close_deadline(FIRST_DEADLINE, admission_id)
    await ctx.uow.close_deadline(UNSTARTED_DEADLINE, admission_id)
    await ctx.uow.schedule(
        PHONE_FORM_DEADLINE, admission_id, due, basis="working_days", payload={"admission_id": admission_id}
    )
    adm = await admissions.refresh(ctx, adm)
    await timeline.record(
        ctx,
        adm.person_id,
        now,
        "filing_phone_report",
        admission_id,
        admission_id=admission_id,
        summary={"reported_to": cmd.reported_to, "form_due_at": due.at.isoformat()},
    )
    await ctx.uow.audit(
        principal,
        "filing.phone_report",
        admission_id,
        reason="LJ-4.2d",
        details={"reported_to": cmd.reported_to, "form_due_at": due.at.isoformat(), "notes": cmd.notes},
    )
    return {
        **admissions.view(adm),
        "calendar_provisional": due.calendar_provisional,
    }


async def forward(ctx: Ctx, principal: Principal, filing_id: str, cmd: ForwardIn) -> dict[str, Any]:
    """LJ-4.2c: the town government passes the village committee's filing to civil affairs;
    the filing is then complete."""
    await ctx.uow.lock_deadline(FORWARD_DEADLINE, filing_id)  # the scheduler's lock order
    row = await load(ctx, filing_id, for_update=True)
    if row.route != SupportType.DECENTRALIZED.value:
        raise RuleViolation("an institution's filing goes to civil affairs directly", rule="LJ-4.2b")
    principal.require_scope("town", row.town_id, "this filing")
    if row.forwarded_at is not None:
        raise Conflict("this filing is already with civil affairs")
    now = clock.now()
    changes: dict[str, Any] = {
        "forwarded_at": now,
        "forwarded_by": principal.subject,
        "forwarded_by_name": principal.name,
        "town_opinion": cmd.opinion,
    }
    await ctx.repo.update_filing(filing_id, **changes)
    row = replace(row, **changes)
    await ctx.uow.close_deadline(FORWARD_DEADLINE, filing_id)
    state = None
    if row.admission_id is not None:
        adm = await admissions.load(ctx, row.admission_id, for_update=True)
        adm = await admissions.refresh(ctx, adm, filing=row)
        state = adm.filing_state
    await timeline.record(
        ctx,
        row.person_id,
        now,
        "filing_forwarded",
        filing_id,
        admission_id=row.admission_id,
        summary={"town_id": row.town_id, "late": bool(row.forward_due_at and now > row.forward_due_at)},
    )
    await ctx.uow.audit(principal, "filing.forward", filing_id, reason="LJ-4.2c", details={"filing_state": state})
    return view(ctx, row, state)


# ---- deadlines (scheduler) --------------------------------------------------------------


def _overdue(adm: Admission, row: Any, stage: str) -> FilingOverdue:
    """The event of a filing stage past the deadline of the scheduler's row."""
    return events.filing_overdue(adm, stage, row["due_at"], row["calendar_provisional"])


async def on_first_due(ctx: Ctx, row: Any) -> None:
    """The first step is overdue with neither form nor phone report.

    LJ-4.2b / LJ-11.3 centralized: the 24 hours passed → ``unfiled``. LJ-4.2c / LJ-11.3
    decentralized: the village committee's report to the town is late — flagged; the chain
    counts as unfiled only at the later interpretation deadline (``filing.unstarted``)."""
    adm = await ctx.repo.get_admission(row["subject"], for_update=True)
    if adm is None or adm.filing_id is not None or adm.phone_reported_at is not None:
        return
    adm = await admissions.refresh(ctx, adm)
    centralized = adm.support_type == SupportType.CENTRALIZED.value
    stage = "filing" if centralized else "village_report"
    await ctx.uow.emit(_overdue(adm, row, stage))
    await _overdue_trail(ctx, adm, stage, adm.filing_rule, row["due_at"])


async def on_unstarted_due(ctx: Ctx, row: Any) -> None:
    """LJ-4.2c (interpretation): a decentralized chain nobody started in its working days
    counts as ``unfiled``."""
    adm = await ctx.repo.get_admission(row["subject"], for_update=True)
    if adm is None or adm.filing_id is not None or adm.phone_reported_at is not None:
        return
    adm = await admissions.refresh(ctx, adm)
    await ctx.uow.emit(_overdue(adm, row, "filing"))
    await _overdue_trail(ctx, adm, "filing", "LJ-4.2c", row["due_at"])


async def on_phone_form_due(ctx: Ctx, row: Any) -> None:
    """LJ-4.2d: the form did not follow the phone report within 3 working days; the admission
    takes the interpretation's state (``form_late`` or ``unfiled``)."""
    adm = await ctx.repo.get_admission(row["subject"], for_update=True)
    if adm is None or adm.filing_id is not None:
        return
    adm = await admissions.refresh(ctx, adm)
    await ctx.uow.emit(_overdue(adm, row, "phone_form"))
    await _overdue_trail(ctx, adm, "phone_form", "LJ-4.2d", row["due_at"])


async def on_forward_due(ctx: Ctx, row: Any) -> None:
    """LJ-4.2c: the town has not passed the village committee's filing to civil affairs; the
    admission takes the interpretation's state for a stalled chain."""
    filing = await ctx.repo.get_filing(row["subject"], for_update=True)
    if filing is None or filing.forwarded_at is not None:
        return
    if filing.admission_id is None:
        # a pre-filing not yet matched to an admission: flagged in the audit log only
        await ctx.uow.audit(
            None, "filing.overdue", filing.filing_id, reason="LJ-4.2c", details={"stage": "town_forward"}
        )
        return
    adm = await ctx.repo.get_admission(filing.admission_id, for_update=True)
    assert adm is not None
    adm = await admissions.refresh(ctx, adm, filing=filing)
    await ctx.uow.emit(_overdue(adm, row, "town_forward"))
    await _overdue_trail(ctx, adm, "town_forward", "LJ-4.2c", row["due_at"])


# the record and column that keep each working-day filing deadline (SPEC 0.1: shown as moved)
DUE_COLUMN = {
    FIRST_DEADLINE: ("admission", "filing_due_at"),
    UNSTARTED_DEADLINE: ("admission", "unfiled_due_at"),
    PHONE_FORM_DEADLINE: ("admission", "phone_form_due_at"),
    FORWARD_DEADLINE: ("filing", "forward_due_at"),
}


async def on_deadline_moved(ctx: Ctx, row: Any, moved: Any) -> None:
    """SPEC 0.1: a year's calendar notice moved a working-day filing deadline (LJ-4.2c,
    LJ-4.2d). The record shows the real due date and the admission's filing state is decided
    again on it — one that turned unfiled or late before its corrected deadline is open again."""
    adm = await _moved(ctx, moved)
    if adm is None:
        return
    admission_id = adm.admission_id
    await admissions.refresh(ctx, adm)
    await ctx.uow.audit(
        None,
        "filing.deadline_moved",
        admission_id,
        reason="LJ-4.2d" if moved.kind == PHONE_FORM_DEADLINE else "LJ-4.2c",
        details={
            "stage": moved.kind,
            "previous_due_at": moved.previous_due_at.isoformat(),
            "due_at": moved.due_at.isoformat(),
            "reopened": moved.reopened,
        },
    )


async def _moved(ctx: Ctx, moved: Any) -> Admission | None:
    """Write the moved due time on its record; the admission it decides (None: none yet)."""
    table, column = DUE_COLUMN[moved.kind]
    change: dict[str, Any] = {column: moved.due_at}
    if table == "filing":
        filing = await ctx.repo.get_filing(moved.subject, for_update=True)
        if filing is None:
            return None
        await ctx.repo.update_filing(moved.subject, **change)
        if filing.admission_id is None:
            return None
        adm = await ctx.repo.get_admission(filing.admission_id, for_update=True)
        assert adm is not None
        return adm
    adm = await ctx.repo.get_admission(moved.subject, for_update=True)
    if adm is None:
        return None
    await ctx.repo.update_admission(moved.subject, **change)
    return replace(adm, **change)


async def _overdue_trail(ctx: Ctx, adm: Admission, stage: str, rule: str, due_at: Any) -> None:
    await ctx.uow.audit(
        None, "filing.overdue", adm.admission_id, reason=rule, details={"stage": stage, "due_at": due_at.isoformat()}
    )
    await timeline.record(
        ctx,
        adm.person_id,
        due_at,
        "filing_overdue",
        adm.admission_id,
        admission_id=adm.admission_id,
        summary={"stage": stage, "rule": rule},
    )


# ---- reads ------------------------------------------------------------------------------


def view(ctx: Ctx, row: Filing, state: str | None = None, *, with_reason: bool = True) -> dict[str, Any]:
    out = {
        k: getattr(row, k)
        for k in (
            "filing_id",
            "person_id",
            "admission_id",
            "facility_id",
            "referral_id",
            "route",
            "planned_departure_at",
            "escort",
            "notes",
            "submitted_by",
            "submitted_by_name",
            "submitted_role",
            "submitted_unit",
            "submitted_unit_name",
            "submitted_at",
            "forward_due_at",
            "forwarded_by",
            "forwarded_by_name",
            "forwarded_at",
            "town_opinion",
        )
    }
    out["complete"] = row.route == SupportType.CENTRALIZED.value or row.forwarded_at is not None
    if state is not None:
        out["filing_state"] = state
    if with_reason:
        out["reason"] = reason_text(ctx, row)
    return out


async def visible(ctx: Ctx, principal: Principal, filing_id: str) -> Filing:
    row = await load(ctx, filing_id)
    require(sees_person(principal, row), f"filing {filing_id}")
    return row


async def get(ctx: Ctx, principal: Principal, filing_id: str) -> dict[str, Any]:
    row = await visible(ctx, principal, filing_id)
    state = None
    if row.admission_id:
        adm = await ctx.repo.get_admission(row.admission_id)
        state = adm.filing_state if adm else None
    return view(ctx, row, state)


async def listing(
    ctx: Ctx, principal: Principal, page: PageRequest, *, awaiting_forward: bool | None
) -> list[dict[str, Any]]:
    """One page of the filings in scope (civil affairs: all), newest first, paged in SQL;
    ``awaiting_forward`` lists a town's inbox."""
    rows = await ctx.repo.filing_page(list_filter(principal), page, awaiting_forward=awaiting_forward is True)
    return [view(ctx, r, with_reason=False) for r in rows]


# ---- printable form (annex 1) -------------------------------------------------------------


async def form_data(ctx: Ctx, principal: Principal, filing_id: str) -> dict[str, Any]:
    """Everything the printable outside-care filing form (外出就医备案表, LJ annex 1) shows,
    filled from the record. The form carries the full ID number, so rendering it is an
    audit-logged read (SPEC 0.4)."""
    row = await visible(ctx, principal, filing_id)
    person = await persons.load_person(ctx, row.person_id)
    number = persons.person_id_number(ctx, person)
    facts = id_facts(number)
    contacts = persons.person_contacts(ctx, person)
    facility = await ctx.repo.get_facility(row.facility_id)
    referral = await ctx.repo.get_referral(row.referral_id) if row.referral_id else None
    origin = await ctx.repo.get_facility(referral.from_facility_id) if referral else None
    adm = await ctx.repo.get_admission(row.admission_id) if row.admission_id else None
    await ctx.uow.audit(principal, "person.read_id_number", person.person_id, reason=f"filing form {filing_id}")
    return {
        "filing": {**view(ctx, row), "filing_state": adm.filing_state if adm else None},
        "person": {
            "name": persons.person_name(ctx, person),
            "sex": facts.sex,
            "birth_date": facts.birth_date,
            "id_number": number,
            "support_type": person.support_type,
            "institution_id": person.institution_id,
            "village_id": person.village_id,
            "town_id": person.town_id,
            "disability_level": person.disability_level,
            "basic_insurance_enrolled": person.basic_insurance_enrolled,
            "guardian": person.guardian,
            "guardian_name": contacts.get("guardian_name"),
        },
        "facility": _record(facility),
        "referral": _record(referral),
        "origin": _record(origin),
        "admission": _record(adm),
        "printed_at": clock.now(),
    }


def _record(record: Any) -> dict[str, Any] | None:
    """A record as the form's template reads it, field by field."""
    return asdict(record) if record is not None else None
