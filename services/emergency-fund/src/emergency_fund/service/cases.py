"""Cases and eligibility (GD-12 … GD-14, GD-16.3, GD-17, GD-18, GD-22.3, GD-23, LJ-11.4).

A case is one emergency patient at one hospital. It opens from the hospital's request or
from referral's signal (LJ-11.4), gathers the cost list, the identity path's evidence
(police signals, channel payments, civil affairs' check) and ends in an individual
application (附件2) whose amounts stay within the caps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, replace
from datetime import date
from typing import Any

from emergency_fund.domain import eligibility as el
from emergency_fund.domain.channels import ChannelStatus, ExclusionStatus, item_excluded
from emergency_fund.domain.money import ZERO, cents
from emergency_fund.domain.params import Params
from emergency_fund.domain.records import (
    Case,
    ChannelPayment,
    CivilAffairsCheck,
    CostItem,
    IdentitySignal,
    VagrantRegistration,
)
from emergency_fund.service.base import (
    Env,
    audit,
    found,
    is_hospital,
    load_params,
    new_id,
    out,
    person_index,
    require_fund,
    require_record_scope,
    sealed_birth_facts,
    sealed_person_index,
)
from emergency_fund.service.commands import (
    CaseCreate,
    CivilAffairsCheckCmd,
    ClaimCmd,
    CostItemsCmd,
    DiseaseUpdate,
    IdentifyCmd,
    UnableToPayCmd,
    VagrantRegistrationCmd,
    WaiverCmd,
)
from emergency_fund.service.ports.cases import CaseScope
from emergency_fund.service.reference import average_cost, living_standard_on
from medaid_shared.authz import Principal, Role
from medaid_shared.clock import to_local
from medaid_shared.contracts.emergency_fund import FundCaseClosed, FundCaseOpened
from medaid_shared.contracts.referral import EmergencyAssistanceReferred
from medaid_shared.crypto import is_valid_id_number, mask_id_number, mask_name
from medaid_shared.errors import Conflict, RuleViolation, ValidationFailed
from medaid_shared.minimisation import DIAGNOSIS_ANSWERS
from medaid_shared.pagination import PageRequest


class CaseState:
    OPEN = "open"
    CLAIMED = "claimed"  # the individual application (附件2) is filed
    IN_APPLICATION = "in_application"
    PAID = "paid"
    EXCLUDED = "excluded"
    REFUND_DEMANDED = "refund_demanded"
    REFUNDED = "refunded"


EDITABLE = {CaseState.OPEN, CaseState.CLAIMED}
SETTLEMENT_CHANNELS = {el.Channel.MEDICAL_AID.value, el.Channel.BASIC_MEDICAL_INSURANCE.value}


# ---------------------------------------------------------------- loading and scope


WITHDRAWN_CLAIM: dict[str, Any] = {
    "state": CaseState.OPEN,
    "claim_medical": None,
    "claim_living": None,
    "claimed_at": None,
}
"""The changes that withdraw a filed claim (the case is open again for a new one)."""


def case_scope(p: Principal) -> CaseScope:
    """The cases a caller sees: its facilities' (hospital) or its cities'."""
    if is_hospital(p):
        return CaseScope(facilities=tuple(sorted(p.scope_ids("facility"))))
    return CaseScope(cities=tuple(sorted(p.scope_ids("city"))))


async def the_case(env: Env, case_id: str, *, lock: bool = False) -> Case:
    """The case in the caller's scope (404 if there is none)."""
    case = found(await env.repo.cases.get(case_id, for_update=lock), "case", case_id)
    require_record_scope(env.principal, case.facility_id, case.city)
    return case


async def editable_case(env: Env, case_id: str) -> Case:
    """A case the hospital may still change; changing a filed claim withdraws the claim."""
    case = await the_case(env, case_id, lock=True)
    if case.state not in EDITABLE:
        raise Conflict(f"case {case_id} is {case.state} and can no longer be changed")
    if case.state == CaseState.CLAIMED:
        await env.repo.cases.update(case_id, **WITHDRAWN_CLAIM)
        await audit(env, "case.claim_withdrawn", case_id, reason="the case changed after its claim was filed")
        case = replace(case, state=CaseState.OPEN)
    return case


async def touch(env: Env, case_id: str, **values: Any) -> None:
    """Change the case's named fields (and its time of change)."""
    await env.repo.cases.update(case_id, **values, updated_at=env.now)


async def current_case(env: Env, case_id: str, *, lock: bool = False) -> Case:
    """A case known to exist (read again after a change)."""
    case = await env.repo.cases.get(case_id, for_update=lock)
    assert case is not None
    return case


async def announce_closed(env: Env, case_id: str, outcome: str) -> None:
    """SPEC 0.4: the case ended (disbursed, excluded, refunded): identity-check closes the
    police letter it rests on, so the face photos' retention starts."""
    case = await current_case(env, case_id)
    await env.uow.emit(
        FundCaseClosed(
            case_id=case_id,
            facility_id=case.facility_id,
            patient_ref=case.patient_ref,
            city=case.city,
            outcome=outcome,
            closed_at=env.now,
        )
    )


async def blacklisted(env: Env, id_digest: str | None) -> bool:
    """GD-24: whether the person is on a blacklist not lifted."""
    if not id_digest:
        return False
    return await env.repo.listed(id_digest)


# ---------------------------------------------------------------- opening a case


async def open_case(env: Env, cmd: CaseCreate) -> tuple[int, Any]:
    """GD-12: the hospital opens a case for an emergency patient whose identity is unknown
    (GD-13.1) or who cannot pay (GD-13.2)."""
    env.principal.require_scope("facility", cmd.facility_id, "this hospital")
    facility = await env.repo.facilities.get(cmd.facility_id)
    if facility is None:
        raise RuleViolation(
            f"hospital {cmd.facility_id} is not registered with a city's fund", rule="GD-3", field="facility_id"
        )
    city = facility.city
    await require_fund(env, city)
    if cmd.admitted_at > env.now:
        raise ValidationFailed("admission cannot be in the future", field="admitted_at")
    case_id = new_id("EC")
    identity: dict[str, Any] = {"identity_status": el.IdentityStatus.UNIDENTIFIED.value}
    if cmd.identity == "identified":
        identity = identity_fields(env, case_id, cmd.name, cmd.id_number)
        if cmd.identity_check_request_id:
            raise ValidationFailed(
                "an identified patient's case rests on no police letter", field="identity_check_request_id"
            )
    elif cmd.name or cmd.id_number:
        raise ValidationFailed("an unidentified patient has no name or ID number", field="identity")
    else:
        await _check_letter(env, cmd)
    await _refuse_duplicates(env, cmd)
    params = await load_params(env, cmd.admitted_at)
    case = Case(
        id=case_id,
        city=city,
        facility_id=cmd.facility_id,
        source="hospital",
        admission_id=cmd.admission_id,
        person_id=None,
        patient_ref=cmd.patient_ref,
        identity_check_request_id=cmd.identity_check_request_id,
        admitted_at=cmd.admitted_at,
        disease_code=cmd.disease_code,
        emergency_hours=params.emergency_period_hours,  # GD-13.3
        unable_to_pay_basis=[],
        waiver_amount=ZERO,
        state=CaseState.OPEN,
        created_at=env.now,
        created_by=env.principal.subject,
        updated_at=env.now,
        **identity,
    )
    if not await env.repo.cases.add_new(case):  # a concurrent duplicate won the unique index
        await _refuse_duplicates(env, cmd)
        raise Conflict("a case for this admission or police letter was opened at the same time")
    await audit(
        env,
        "case.open",
        case_id,
        facility=cmd.facility_id,
        identity=case.identity_status,
        identity_check_request=cmd.identity_check_request_id,
    )
    if cmd.identity_check_request_id:
        # GD-16.1: identity-check measures the letter against this admission ("immediately").
        await env.uow.emit(
            FundCaseOpened(
                case_id=case_id,
                facility_id=cmd.facility_id,
                patient_ref=cmd.patient_ref,
                identity_check_request_id=cmd.identity_check_request_id,
                city=city,
                admitted_at=cmd.admitted_at,
                opened_at=env.now,
            )
        )
    await after_identity_known(env, case_id)
    await apply_identity_signals(env, case_id)
    return 201, await case_view(env, case_id)


async def _check_letter(env: Env, cmd: CaseCreate) -> None:
    """GD-16.3: an unidentified patient's case names the police letter it rests on; the
    letter is this hospital's, for this admission number (as far as identity-check told us)."""
    if not cmd.identity_check_request_id:
        raise RuleViolation(
            "an unidentified patient's case names the identity-check request (police letter) it rests on",
            rule="GD-16.3",
            field="identity_check_request_id",
        )
    letter = await env.repo.identity_signals.get(cmd.identity_check_request_id)
    if letter is not None and letter.facility_id != cmd.facility_id:
        raise RuleViolation(
            f"identity-check request {cmd.identity_check_request_id} is another hospital's letter",
            rule="GD-16.3",
            field="identity_check_request_id",
        )
    if letter is not None and letter.patient_ref != cmd.patient_ref:
        raise RuleViolation(
            f"identity-check request {cmd.identity_check_request_id} concerns admission {letter.patient_ref}, "
            f"not {cmd.patient_ref}",
            rule="GD-16.3",
            field="identity_check_request_id",
        )


async def _refuse_duplicates(env: Env, cmd: CaseCreate) -> None:
    """GD-16.3 / GD-13.4: one case per admission number of a hospital, per referral
    admission and per police letter — a duplicate is a 409 naming the existing case."""
    checks: list[tuple[Case | None, str, str]] = [
        (
            await env.repo.case_of_patient(cmd.facility_id, cmd.patient_ref),
            "patient_ref",
            f"admission number {cmd.patient_ref} of {cmd.facility_id}",
        )
    ]
    if cmd.admission_id:
        checks.append(
            (await env.repo.case_of_admission(cmd.admission_id), "admission_id", f"admission {cmd.admission_id}")
        )
    if cmd.identity_check_request_id:
        checks.append(
            (
                await env.repo.case_of_letter(cmd.identity_check_request_id),
                "identity_check_request_id",
                f"identity-check request {cmd.identity_check_request_id}",
            )
        )
    for existing, field, what in checks:
        if existing is not None:
            raise Conflict(
                f"{what} already has case {existing.id}",
                rule="GD-16.3",
                field=field,
                extra={"existing_case_id": existing.id},
            )


def identity_fields(env: Env, case_id: str, name: str | None, id_number: str | None) -> dict[str, Any]:
    if not name or not id_number:
        raise ValidationFailed("an identified patient needs a name and an ID number", field="id_number")
    if not is_valid_id_number(id_number):
        raise ValidationFailed("not a valid resident ID number (GB 11643)", field="id_number")
    cipher = env.cipher
    return {
        "identity_status": el.IdentityStatus.IDENTIFIED.value,
        "name_enc": cipher.encrypt_text(name, f"case:{case_id}:name"),
        "id_number_enc": cipher.encrypt_text(id_number.upper(), f"case:{case_id}:id_number"),
        "id_digest": person_index(env, id_number),
        "name_masked": mask_name(name),
        "id_masked": mask_id_number(id_number.upper()),
        "birth_facts": el.BirthFacts.from_id_number(id_number).stored(),
    }


async def after_identity_known(env: Env, case_id: str) -> None:
    """Once a digest is known: a destitute person known to referral (GD-22.3) and the
    blacklist (GD-24)."""
    case = await current_case(env, case_id)
    await recheck_extension(env, case)
    digest = case.id_digest
    if not digest:
        return
    if await blacklisted(env, digest):
        await touch(env, case_id, blacklist_flag=True)
    person = await env.repo.person_of_digest(digest)
    if person is not None and not case.destitute:
        await mark_destitute(env, case_id, person.person_id)


def held_birth_facts(env: Env, case: Case) -> el.BirthFacts | None:
    """GD-13.3: what the ID number the fund holds for the patient says (None while unknown);
    a case identified before these facts were kept reads them from its encrypted number."""
    if case.birth_facts:
        return el.BirthFacts.parse(case.birth_facts)
    if case.id_number_enc is not None:
        number = env.cipher.decrypt_text(case.id_number_enc, f"case:{case.id}:id_number")
        return el.BirthFacts.from_id_number(number)
    return None


def extension_evidence(stored: dict[str, Any] | None) -> el.ExtensionEvidence:
    data = stored or {}
    born = data.get("date_of_birth")
    return el.ExtensionEvidence(
        date_of_birth=date.fromisoformat(born) if born else None, pregnancy_record=data.get("pregnancy_record")
    )


async def recheck_extension(env: Env, case: Case) -> None:
    """GD-13.3 with SPEC 0.5: an extension requested or approved while the patient was
    unidentified rested on the hospital's evidence; once the ID number is known the category
    must match it. One that does not is rejected on the facts — the normal period applies
    again and a filed claim (resting on the longer period) is withdrawn; a case the agency has
    decided on keeps the decision and the contradiction is audited for its review."""
    if case.extension_status not in ("requested", "approved"):
        return
    params = await load_params(env, case.admitted_at)
    try:
        check_requested_extension(env, case, params)
    except RuleViolation as refused:
        await _reject_on_the_facts(env, case, params, f"GD-13.3: {refused.detail}")


def check_requested_extension(env: Env, case: Case, params: Params) -> None:
    """GD-13.3: the case's extension request against the parameters and the facts held."""
    el.check_extension(
        case.extension_category,  # type: ignore[arg-type]  # set with every request
        case.extension_reason or "",
        case.extension_hours,  # type: ignore[arg-type]
        params,
        evidence=extension_evidence(case.extension_evidence),
        admitted_on=to_local(case.admitted_at).date(),
        held=held_birth_facts(env, case),
    )


async def _reject_on_the_facts(env: Env, case: Case, params: Params, reason: str) -> None:
    if case.state not in EDITABLE:
        await audit(env, "case.extension_contradicted_after_decision", case.id, reason=reason, rule="GD-13.3")
        return
    values: dict[str, Any] = {
        "emergency_hours": params.emergency_period_hours,
        "extension_status": "rejected",
        "extension_decided_by": "the patient's ID number",
        "extension_decided_role": None,
        "extension_decided_at": env.now,
        "extension_decision_reason": reason,
    }
    if case.state == CaseState.CLAIMED:
        values |= WITHDRAWN_CLAIM
        await audit(env, "case.claim_withdrawn", case.id, reason=reason)
    await touch(env, case.id, **values)
    await audit(env, "case.extension_decided", case.id, reason=reason, rule="GD-13.3", decision="rejected")


async def mark_destitute(env: Env, case_id: str, person_id: str) -> None:
    """GD-22.3: referral's persons are destitute persons (特困, the LJ population); civil
    affairs' check is on record, and their medical-aid channel comes from settlement."""
    await touch(env, case_id, destitute=True, person_id=person_id)
    await env.repo.civil_affairs_checks.add(
        CivilAffairsCheck(
            id=new_id("CA"),
            case_id=case_id,
            statuses=[el.CivilAffairsStatus.DESTITUTE.value],
            note=f"destitute person {person_id} registered by civil affairs (referral)",
            source="referral",
            checked_at=env.now,
            checked_by="referral",
        )
    )
    await refresh_settlement_channels(env, case_id)


async def open_referred_case(env: Env, *, event: EmergencyAssistanceReferred) -> None:
    """LJ-11.4: referral's signal — an eligible emergency patient unable to pay — opens a case.
    The patient is a destitute person (GD-22.3) with a known identity (GD-13.2)."""
    existing = await env.repo.case_of_admission(event.admission_id)
    if existing is None:
        existing = await env.repo.case_of_patient(event.facility_id, event.admission_id)
    if existing is not None:
        return
    digest = sealed_person_index(env, event.id_number_sealed)
    params = await load_params(env, event.admitted_at)
    person = await env.repo.persons.get(event.person_id)
    case_id = new_id("EC")
    basis = ["destitute"] if "destitute" in params.unable_to_pay_criteria else []
    await env.repo.cases.add(
        Case(
            id=case_id,
            city=event.city,
            facility_id=event.facility_id,
            source="referral",
            admission_id=event.admission_id,
            person_id=event.person_id,
            patient_ref=event.admission_id,
            admitted_at=event.admitted_at,
            identity_status=el.IdentityStatus.IDENTIFIED.value,
            id_digest=digest,
            birth_facts=sealed_birth_facts(env, event.id_number_sealed),
            name_masked=event.name_masked,
            id_masked=person.id_masked if person else None,
            emergency_hours=params.emergency_period_hours,
            unable_to_pay_basis=basis,
            waiver_amount=ZERO,
            state=CaseState.OPEN,
            created_at=env.now,
            created_by="referral",
            updated_at=env.now,
        )
    )
    await audit(env, "case.open_from_referral", case_id, rule="LJ-11.4", admission=event.admission_id)
    await mark_destitute(env, case_id, event.person_id)
    if digest and await blacklisted(env, digest):
        await touch(env, case_id, blacklist_flag=True)


# ---------------------------------------------------------------- identity path (GD-16.3)


async def apply_identity_signals(env: Env, case_id: str) -> None:
    """GD-16.3: what the police said in the one letter this case names opens (or not) the
    unidentified path — never another letter, another hospital's or another patient's; an
    identification in time puts the case on the identified path (GD-17, GD-18)."""
    case = await current_case(env, case_id)
    if case.identity_status != el.IdentityStatus.UNIDENTIFIED.value:
        return
    letter = None
    if case.identity_check_request_id:
        letter = await env.repo.identity_signals.get(case.identity_check_request_id)
    if letter is not None and (letter.facility_id, letter.patient_ref) != (case.facility_id, case.patient_ref):
        letter = None  # another hospital's or another patient's letter opens nothing here
    rows = [letter] if letter is not None else []
    identified = next((r for r in rows if r.outcome == "identified"), None)
    if identified is not None and case.state in EDITABLE:
        await identify_from_police(env, case, identified)
        return
    signals = [el.IdentitySignal(r.overdue_at is not None, r.outcome, r.late) for r in rows]
    gate = el.unidentified_gate(signals)
    if gate != case.identity_gate:
        await touch(env, case_id, identity_gate=gate)
        await audit(env, "case.identity_gate", case_id, reason=gate, rule="GD-16.3")


async def identify_from_police(env: Env, case: Case, signal: IdentitySignal) -> None:
    """The bureau identified the patient before any money was paid: the identified path applies."""
    case_id = case.id
    await touch(
        env,
        case_id,
        identity_status=el.IdentityStatus.IDENTIFIED.value,
        id_digest=signal.id_digest,
        name_masked=signal.name_masked,
        id_masked=signal.id_masked,
        birth_facts=signal.birth_facts,
        identified_late=bool(signal.late),
        identity_gate=None,
        **WITHDRAWN_CLAIM,
    )
    await audit(env, "case.identified", case_id, reason="police identified the patient", request=signal.request_id)
    await after_identity_known(env, case_id)


async def identify(env: Env, case_id: str, cmd: IdentifyCmd) -> tuple[int, Any]:
    """GD-18: the identity became known after the emergency treatment (e.g. the patient could
    speak again): the case moves to the identified path."""
    case = await editable_case(env, case_id)
    if case.identity_status == el.IdentityStatus.IDENTIFIED.value:
        raise Conflict("the patient is already identified")
    fields = identity_fields(env, case_id, cmd.name, cmd.id_number)
    await touch(env, case_id, **fields, identity_gate=None)
    await audit(env, "case.identified", case_id, reason=cmd.how)
    await after_identity_known(env, case_id)
    return 200, await case_view(env, case_id)


# ---------------------------------------------------------------- cost list and period


async def add_cost_items(env: Env, case_id: str, cmd: CostItemsCmd) -> tuple[int, Any]:
    """GD-20.1: the cost list; GD-14: items not payable are marked with their reason."""
    case = await editable_case(env, case_id)
    for i, item in enumerate(cmd.items):
        if item.occurred_at < case.admitted_at or item.occurred_at > env.now:
            raise ValidationFailed("a cost occurs between admission and now", field=f"items.{i}.occurred_at")
        if item.exclusion and not (item.exclusion_note or "").strip():
            raise RuleViolation("an excluded cost needs its reason", rule="GD-14", field=f"items.{i}.exclusion_note")
    for item in cmd.items:
        await env.repo.cost_items.add(
            CostItem(
                id=new_id("CI"),
                case_id=case_id,
                occurred_at=item.occurred_at,
                category=item.category,
                description=item.description,
                in_catalogue=item.in_catalogue,
                amount=item.amount,
                exclusion=item.exclusion.value if item.exclusion else None,
                exclusion_note=item.exclusion_note,
                # GD-14: the hospital proposes, the agency decides
                exclusion_status=ExclusionStatus.PROPOSED.value if item.exclusion else None,
                recorded_at=env.now,
                recorded_by=env.principal.subject,
            )
        )
    await touch(env, case_id)
    await audit(env, "case.cost_items", case_id, items=len(cmd.items), total=sum(i.amount for i in cmd.items))
    return 201, await case_view(env, case_id)


async def set_disease(env: Env, case_id: str, cmd: DiseaseUpdate) -> tuple[int, Any]:
    await editable_case(env, case_id)
    await touch(env, case_id, disease_code=cmd.disease_code)
    # SPEC 0.4: the code itself rests encrypted on the case, not in the audit trail.
    await audit(env, "case.disease", case_id)
    return 200, await case_view(env, case_id)


# ---------------------------------------------------------------- identified but unable to pay (GD-17, GD-18)


async def refresh_settlement_channels(env: Env, case_id: str) -> None:
    """GD-22.3 / GD-18.1: a destitute person's medical aid (and basic insurance) are what
    settlement's statements for the admission say, net of reversals — confirmed facts, not
    the hospital's claim."""
    case = await env.repo.cases.get(case_id)
    if case is None or not case.destitute or not case.admission_id:
        return
    rows = await env.repo.live_settlements_of_admission(case.admission_id)
    amounts = {
        el.Channel.MEDICAL_AID.value: cents(sum((r.medical_aid for r in rows), ZERO)),
        el.Channel.BASIC_MEDICAL_INSURANCE.value: cents(sum((r.basic_insurance for r in rows), ZERO)),
    }
    if not rows:
        for channel in amounts:
            await env.repo.channel_payments.update((case_id, channel), amount=ZERO)
        return
    for channel, amount in amounts.items():
        confirmed: dict[str, Any] = {
            "amount": amount,
            "reference": ",".join(sorted(r.statement_id for r in rows)),
            "source": "settlement",
            "status": ChannelStatus.CONFIRMED.value,  # SPEC 0.5: the platform's settlement result
            "confirmed_by": "settlement",
            "confirmed_role": "medical_insurance",
            "confirmed_at": env.now,
            "recorded_at": env.now,
            "recorded_by": "settlement",
        }
        existing = await env.repo.channel_payments.get((case_id, channel), for_update=True)
        payment = (
            replace(existing, **confirmed)
            if existing is not None
            else ChannelPayment(case_id=case_id, channel=channel, **confirmed)
        )
        await env.repo.channel_payments.put(payment)


async def set_unable_to_pay(env: Env, case_id: str, cmd: UnableToPayCmd) -> tuple[int, Any]:
    """GD-17: the local criteria under which an identified patient counts as unable to pay."""
    case = await editable_case(env, case_id)
    if case.identity_status != el.IdentityStatus.IDENTIFIED.value:
        raise Conflict("'unable to pay' concerns identified patients", rule="GD-17")
    params = await load_params(env, env.now)
    unknown = [c for c in cmd.criteria if c not in params.unable_to_pay_criteria]
    if unknown:
        raise RuleViolation(
            f"not a local 'unable to pay' criterion: {', '.join(unknown)}",
            rule="GD-17",
            field="criteria",
            extra={"criteria": params.unable_to_pay_criteria},
        )
    await touch(env, case_id, unable_to_pay_basis=list(dict.fromkeys(cmd.criteria)))
    await audit(env, "case.unable_to_pay", case_id, reason=cmd.note or None, rule="GD-17", criteria=cmd.criteria)
    return 200, await case_view(env, case_id)


async def civil_affairs_check(env: Env, case_id: str, cmd: CivilAffairsCheckCmd) -> tuple[int, Any]:
    """GD-22.3: civil affairs checks whether the patient is destitute, an orphan, a de-facto
    unsupported child, on minimum living, marginal or a hardship family member."""
    case = await the_case(env, case_id, lock=True)
    if case.identity_status != el.IdentityStatus.IDENTIFIED.value:
        raise Conflict("civil affairs checks an identified patient's status", rule="GD-22.3")
    statuses = list(dict.fromkeys(s.value for s in cmd.statuses))
    if el.CivilAffairsStatus.NONE.value in statuses and len(statuses) > 1:
        raise ValidationFailed("'none' excludes every other status", field="statuses")
    await env.repo.civil_affairs_checks.add(
        CivilAffairsCheck(
            id=new_id("CA"),
            case_id=case_id,
            statuses=statuses,
            note=cmd.note,
            source="civil_affairs",
            checked_at=env.now,
            checked_by=env.principal.subject,
        )
    )
    await touch(env, case_id)
    await audit(env, "case.civil_affairs_check", case_id, reason=cmd.note or None, rule="GD-22.3", statuses=statuses)
    return 201, await case_view(env, case_id)


async def register_vagrant(env: Env, case_id: str, cmd: VagrantRegistrationCmd) -> tuple[int, Any]:
    """GD-18.2: civil affairs' assistance agency registers a homeless vagrant (生活无着的流浪乞讨人员)."""
    await the_case(env, case_id, lock=True)
    registration = VagrantRegistration(
        case_id=case_id,
        registration_no=cmd.registration_no,
        agency=cmd.agency,
        registered_at=env.now,
        registered_by=env.principal.subject,
    )
    if not await env.repo.vagrant_registrations.add_new(registration):
        raise Conflict("the patient is already registered", rule="GD-18.2")
    await touch(env, case_id)
    await audit(env, "case.vagrant_registration", case_id, rule="GD-18.2", registration=cmd.registration_no)
    return 201, await case_view(env, case_id)


async def waive(env: Env, case_id: str, cmd: WaiverCmd) -> tuple[int, Any]:
    """GD-23: the hospital (non-public hospitals are encouraged to) waives part of the cost;
    the waiver reduces the claim."""
    await editable_case(env, case_id)
    items = await env.repo.cost_items_of(case_id)
    billed = sum((i.amount for i in items), ZERO)
    if cmd.amount > billed:
        raise RuleViolation(f"a waiver cannot exceed the billed {billed}", rule="GD-23", field="amount")
    await touch(env, case_id, waiver_amount=cmd.amount, waiver_reason=cmd.reason)
    await audit(env, "case.waiver", case_id, reason=cmd.reason, rule="GD-23", amount=cmd.amount)
    return 200, await case_view(env, case_id)


# ---------------------------------------------------------------- assessment and claim


async def evaluate(env: Env, case: Case) -> tuple[el.Assessment, list[el.Blocker], Params]:
    """All facts of a case → the most the fund may pay, and what still blocks a claim."""
    params = await load_params(env, case.admitted_at)
    admitted_local = to_local(case.admitted_at)
    items = await env.repo.cost_items_of(case.id)
    channels = await env.repo.channel_payments_of(case.id)
    code = case.disease_code
    diseases = await env.repo.diseases_coded(code) if code else []
    entries = [el.DiseaseEntry(d.code, d.scope, d.urgent_critical, d.effective_from, d.effective_to) for d in diseases]
    reference = (
        await average_cost(env, case.facility_id, code, admitted_local.year, params.cost_reference_fallback_years)
        if code
        else None
    )
    standard = await living_standard_on(env, case.city, admitted_local.date())
    checks = await env.repo.civil_affairs_checks_of(case.id)
    vagrant = await env.repo.vagrant_registrations.get(case.id)
    daily = el.daily_living_amount(standard.monthly_amount, params.living_cost_days_per_month) if standard else None
    assessment = el.assess(
        identity_status=el.IdentityStatus(case.identity_status),
        lines=[el.CostLine(i.occurred_at, i.amount, item_excluded(i.exclusion, i.exclusion_status)) for i in items],
        admitted_at=case.admitted_at,
        emergency_hours=case.emergency_hours,
        waiver=case.waiver_amount,
        channels_paid=sum((c.amount for c in channels), ZERO),
        average_cost=reference.average_cost if reference else None,
        living_daily=daily,
        day_counting=params.living_cost_day_counting,
        living_until=case.stay_ended_at or env.now,  # GD-13.5: the days actually spent
    )
    facts = el.CaseFacts(
        identity_status=el.IdentityStatus(case.identity_status),
        identity_gate=case.identity_gate,
        disease_code=code,
        disease_eligible=bool(code) and el.disease_eligible(code or "", case.city, admitted_local.date(), entries),
        excluded=case.excluded,
        exclusion_proposed=case.exclusion_proposed,
        extension_requested=case.extension_category if case.extension_status == "requested" else None,
        unable_to_pay_basis=list(case.unable_to_pay_basis or []),
        channels_recorded={c.channel for c in channels},
        civil_affairs_statuses=set(checks[-1].statuses) if checks else None,
        vagrant_registered=vagrant is not None,
        has_cost_reference=reference is not None,
        has_living_standard=standard is not None,
        blacklisted=bool(case.blacklist_flag),
    )
    return assessment, el.claim_blockers(facts, params), params


def assessment_out(a: el.Assessment, blockers: list[el.Blocker]) -> dict[str, Any]:
    data = asdict(a)
    return {
        **out(data),
        "blockers": [asdict(b) for b in blockers],
        "ready": not blockers,
    }


async def assessment(env: Env, case_id: str) -> dict[str, Any]:
    case = await the_case(env, case_id)
    a, blockers, _ = await evaluate(env, case)
    return assessment_out(a, blockers)


async def claim(env: Env, case_id: str, cmd: ClaimCmd) -> tuple[int, Any]:
    """GD-20.1: the individual application (附件2). Refused while the identity path does not
    allow it (GD-16.3, GD-17, GD-18.1, GD-22.3), for an ineligible disease (GD-12), an
    excluded case (GD-14), or amounts above the caps (GD-13.4, GD-13.5)."""
    case = await the_case(env, case_id, lock=True)
    if case.state != CaseState.OPEN:
        raise Conflict(f"case {case_id} is {case.state}; a claim is filed for an open case")
    a, blockers, params = await evaluate(env, case)
    if blockers:
        first = blockers[0]
        raise RuleViolation(
            first.detail,
            rule=first.rule,
            field=first.field,
            extra={"blockers": [asdict(b) for b in blockers]},
        )
    el.check_claim(cmd.medical_amount, cmd.living_amount, a)
    await touch(
        env,
        case_id,
        claim_medical=cmd.medical_amount,
        claim_living=cmd.living_amount,
        claimed_at=env.now,
        state=CaseState.CLAIMED,
    )
    await audit(
        env,
        "case.claim",
        case_id,
        reason=cmd.declaration,
        rules=a.rules,
        parameters=dict(params.versions),  # the versions the caps rest on
        medical=cmd.medical_amount,
        living=cmd.living_amount,
        blacklisted=bool(case.blacklist_flag),
    )
    return 201, await case_view(env, case_id)


# ---------------------------------------------------------------- reads


# SPEC 0.4 (the minimisation table's DIAGNOSIS_ANSWERS): the case's disease code and an
# extension's evidence (a newborn's date of birth, a pregnancy record) only for the roles
# whose purpose needs them — the hospital that filed the case, the agency and the health
# department; every other reader of cases gets them empty.
MEDICAL_FIELDS: dict[str, frozenset[Role]] = {
    field: frozenset(Role(r) for r in DIAGNOSIS_ANSWERS[f"emergency-fund CaseOut.{field}"])
    for field in ("disease_code", "extension_evidence")
}


def minimised(principal: Principal, answer: dict[str, Any], fields: Mapping[str, frozenset[Role]]) -> dict[str, Any]:
    """The answer with each medical field emptied unless the caller's role may read it (SPEC 0.4)."""
    return {k: None if k in fields and principal.role not in fields[k] else v for k, v in answer.items()}


def case_out(principal: Principal, case: Case) -> dict[str, Any]:
    return minimised(principal, out(case, id_as="case_id"), MEDICAL_FIELDS)


def cost_item_out(item: CostItem, *, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    return out(item, id_as="cost_item_id", drop=drop)


async def case_view(env: Env, case_id: str) -> dict[str, Any]:
    case = await current_case(env, case_id)
    items = await env.repo.cost_items_of(case_id)
    channels = await env.repo.channel_payments_of(case_id)
    checks = await env.repo.civil_affairs_checks_of(case_id)
    vagrant = await env.repo.vagrant_registrations.get(case_id)
    return {
        **case_out(env.principal, case),
        "cost_items": [cost_item_out(i) for i in items],
        "channel_payments": [out(c) for c in channels],
        "civil_affairs_checks": [out(c, id_as="check_id") for c in checks],
        "vagrant_registration": out(vagrant) if vagrant else None,
    }


async def get_case(env: Env, case_id: str) -> dict[str, Any]:
    await the_case(env, case_id)
    return await case_view(env, case_id)


async def list_cases(env: Env, state: str | None, facility_id: str | None, page: PageRequest) -> list[dict[str, Any]]:
    rows = await env.repo.cases_page(case_scope(env.principal), state, facility_id, page)
    return [case_out(env.principal, r) for r in rows]


async def read_identity(env: Env, case_id: str, reason: str) -> dict[str, Any]:
    """SPEC 0.4: the full name and ID number, for the agency, audit-logged with the reason."""
    case = await the_case(env, case_id)
    if case.id_number_enc is None or case.name_enc is None:
        raise Conflict("no full identity is stored for this case (unidentified, or known only masked)")
    cipher = env.cipher
    await audit(env, "case.identity_read", case_id, reason=reason)
    return {
        "case_id": case_id,
        "name": cipher.decrypt_text(case.name_enc, f"case:{case_id}:name"),
        "id_number": cipher.decrypt_text(case.id_number_enc, f"case:{case_id}:id_number"),
    }
