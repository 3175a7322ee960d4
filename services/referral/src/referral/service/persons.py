"""§1 person registry: destitute persons (LJ-2.1) with placement, capacity, guardian,
written agents, disability level, special trusteeship (LJ-5) and insurance enrolment.

ID numbers are checked (GB 11643), stored only encrypted with a blind index for look-up,
masked everywhere except one audited read."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from typing import Any

from medaid_shared import clock
from medaid_shared.authz import Principal, Role
from medaid_shared.contracts.common import DisabilityLevel, SupportType
from medaid_shared.crypto import mask_id_number, mask_name, seal
from medaid_shared.errors import Conflict, NotFound, ValidationFailed
from medaid_shared.pagination import PageRequest
from medaid_shared.settings import CONSENT_FORMS_PURPOSE, PERSON_MATCHING_PURPOSE
from referral.domain import persons as rules
from referral.domain.records import Person
from referral.service import events, followups
from referral.service.commands import AgentIn, CapacityIn, GuardianIn, PersonIn, PersonPatch, TrusteeshipIn
from referral.service.context import Ctx, new_id, rule_problem
from referral.service.scope import DISTRICT_WIDE, carer_in_scope, list_filter, require, sees_person

# roles that see a person's full name on the detail view (lists are always masked)
FULL_NAME_ROLES = frozenset({Role.CIVIL_AFFAIRS, Role.INSTITUTION, Role.VILLAGE_COMMITTEE, Role.TOWN_GOVERNMENT})


def _aad(person_id: str, column: str) -> str:
    return f"referral.person:{person_id}:{column}"


async def load_person(ctx: Ctx, person_id: str, *, for_update: bool = False) -> Person:
    row = await ctx.repo.get_person(person_id, for_update=for_update)
    if row is None:
        raise NotFound(f"no person {person_id}", field="person_id")
    return row


async def known_person(ctx: Ctx, person_id: str, field: str = "person_id") -> Person:
    """A person referenced in a request body: unknown → 422 naming the field."""
    row = await ctx.repo.get_person(person_id)
    if row is None:
        raise ValidationFailed(f"unknown person {person_id}", field=field)
    return row


async def hospital_knows(ctx: Ctx, principal: Principal, person_id: str) -> bool:
    """A hospital sees a person it admitted, referred or received on referral."""
    facilities = principal.scope_ids("facility")
    if not facilities:
        return False
    return await ctx.repo.known_to_facilities(person_id, facilities)


async def visible_person(ctx: Ctx, principal: Principal, person_id: str) -> Person:
    row = await load_person(ctx, person_id)
    if principal.role == Role.HOSPITAL:
        require(await hospital_knows(ctx, principal, person_id), f"person {person_id}")
    else:
        require(sees_person(principal, row), f"person {person_id}")
    return row


# ---- validation ------------------------------------------------------------------------


async def _check(ctx: Ctx, data: dict[str, Any]) -> None:
    """LJ-2.1 placement, LJ-10 guardian and agents, LJ-5 trusteeship, capacity date."""
    try:
        rules.check_placement(data["support_type"], data["institution_id"], data["village_id"], data["town_id"])
        guardian: GuardianIn | None = data["guardian"]
        if guardian is not None:
            rules.check_guardian(guardian.verified_none, guardian.name, guardian.evidence_ref)
        for i, agent in enumerate(data["agents"]):
            rules.check_agent(agent.delegated_by, agent.valid_from, agent.valid_until, i)
        trust: TrusteeshipIn | None = data["trusteeship"]
        if trust is not None:
            rules.check_period(trust.valid_from, trust.valid_until, "trusteeship.valid_until")
        if data["capacity"] is not None:
            rules.check_not_future(data["capacity"].assessed_at, clock.now(), "capacity.assessed_at")
    except rules.PersonRuleError as exc:
        raise rule_problem(exc) from exc
    if trust is not None and await ctx.repo.get_facility(trust.agreement_hospital_id) is None:
        raise ValidationFailed(
            f"unknown agreement hospital {trust.agreement_hospital_id}", field="trusteeship.agreement_hospital_id"
        )


def _stored_fields(ctx: Ctx, person_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """The person's columns from validated input (names masked, full names encrypted)."""
    guardian: GuardianIn | None = data["guardian"]
    agents: list[AgentIn] = data["agents"]
    agent_ids = [a.agent_id or new_id() for a in agents]
    contacts = {
        "guardian_name": guardian.name if guardian else None,
        "agents": {aid: a.name for aid, a in zip(agent_ids, agents, strict=True)},
    }
    return {
        "name_enc": ctx.cipher.encrypt_text(data["name"], _aad(person_id, "name")),
        "name_masked": mask_name(data["name"]),
        "support_type": data["support_type"].value,
        "institution_id": data["institution_id"],
        "village_id": data["village_id"],
        "town_id": data["town_id"],
        "capacity": data["capacity"].model_dump(mode="json") if data["capacity"] else None,
        "guardian": (
            {
                "guardian_id": guardian.guardian_id,
                "name_masked": mask_name(guardian.name) if guardian.name else None,
                "relation": guardian.relation,
                "verified_none": guardian.verified_none,
                "evidence_ref": guardian.evidence_ref,
            }
            if guardian
            else None
        ),
        "agents": [
            {
                "agent_id": aid,
                "name_masked": mask_name(a.name),
                "delegated_by": a.delegated_by,
                "document_ref": a.document_ref,
                "valid_from": a.valid_from.isoformat(),
                "valid_until": a.valid_until.isoformat(),
            }
            for aid, a in zip(agent_ids, agents, strict=True)
        ],
        "contacts_enc": ctx.cipher.encrypt_text(json.dumps(contacts, ensure_ascii=False), _aad(person_id, "contacts")),
        "disability_level": data["disability_level"].value if data["disability_level"] else None,
        "trusteeship": data["trusteeship"].model_dump(mode="json") if data["trusteeship"] else None,
        "basic_insurance_enrolled": data["basic_insurance_enrolled"],
    }


def _input_from_row(ctx: Ctx, row: Person) -> dict[str, Any]:
    """The current record in input form, so a patch can be validated as a whole."""
    contacts = person_contacts(ctx, row)
    guardian = row.guardian
    return {
        "name": person_name(ctx, row),
        "support_type": SupportType(row.support_type),
        "institution_id": row.institution_id,
        "village_id": row.village_id,
        "town_id": row.town_id,
        "capacity": _capacity_in(row.capacity),
        "guardian": (
            GuardianIn(
                guardian_id=guardian["guardian_id"],
                name=contacts.get("guardian_name"),
                relation=guardian["relation"],
                verified_none=guardian["verified_none"],
                evidence_ref=guardian["evidence_ref"],
            )
            if guardian
            else None
        ),
        "agents": [
            AgentIn(
                agent_id=a["agent_id"],
                name=contacts.get("agents", {}).get(a["agent_id"], a["name_masked"]),
                delegated_by=a["delegated_by"],
                document_ref=a["document_ref"],
                valid_from=date.fromisoformat(a["valid_from"]),
                valid_until=date.fromisoformat(a["valid_until"]),
            )
            for a in row.agents
        ],
        "disability_level": DisabilityLevel(row.disability_level) if row.disability_level else None,
        "trusteeship": TrusteeshipIn.model_validate(row.trusteeship) if row.trusteeship else None,
        "basic_insurance_enrolled": row.basic_insurance_enrolled,
    }


def _capacity_in(value: dict[str, Any] | None) -> CapacityIn | None:
    return CapacityIn.model_validate(value) if value else None


# ---- decryption helpers -----------------------------------------------------------------


def person_name(ctx: Ctx, row: Person) -> str:
    return ctx.cipher.decrypt_text(row.name_enc, _aad(row.person_id, "name"))


def person_id_number(ctx: Ctx, row: Person) -> str:
    return ctx.cipher.decrypt_text(row.id_enc, _aad(row.person_id, "id_number"))


def person_contacts(ctx: Ctx, row: Person) -> dict[str, Any]:
    if row.contacts_enc is None:
        return {}
    result: dict[str, Any] = json.loads(ctx.cipher.decrypt_text(row.contacts_enc, _aad(row.person_id, "contacts")))
    return result


# ---- events and views -------------------------------------------------------------------


def sealed_id_number(ctx: Ctx, row: Person) -> str:
    """SPEC 0.4: the ID number sealed for the emergency fund's person matching: only the fund
    opens it; no digest that a service's key could recompute leaves referral."""
    number = ctx.cipher.decrypt_text(row.id_enc, _aad(row.person_id, "id_number"))
    return seal(ctx.settings.person_matching_public_key, number, PERSON_MATCHING_PURPOSE)


def person_seals(ctx: Ctx, row: Person) -> events.PersonSeals:
    """What a person's events carry sealed (PersonRegistered / PersonUpdated): the number for
    the fund, never the full number; the full name for the form the patient side signs and
    each LJ-10 signer's full name, for consent alone (LJ-7.1)."""
    contacts = person_contacts(ctx, row)

    def sealed(name: str | None) -> str | None:
        return seal(ctx.settings.consent_forms_public_key, name, CONSENT_FORMS_PURPOSE) if name else None

    agent_names = contacts.get("agents") or {}
    return events.PersonSeals(
        id_number=sealed_id_number(ctx, row),
        name=seal(ctx.settings.consent_forms_public_key, person_name(ctx, row), CONSENT_FORMS_PURPOSE),
        guardian_name=sealed(contacts.get("guardian_name")) if row.guardian else None,
        agent_names={a["agent_id"]: sealed(agent_names.get(a["agent_id"])) for a in row.agents},
    )


def summary_view(row: Person) -> dict[str, Any]:
    """The masked list view (SPEC 0.4)."""
    return {
        "person_id": row.person_id,
        "name_masked": row.name_masked,
        "id_number_masked": row.id_masked,
        "support_type": row.support_type,
        "institution_id": row.institution_id,
        "village_id": row.village_id,
        "town_id": row.town_id,
        "disability_level": row.disability_level,
    }


def detail_view(ctx: Ctx, principal: Principal, row: Person) -> dict[str, Any]:
    if principal.role == Role.HOSPITAL:
        return hospital_detail_view(row)
    view = {
        **summary_view(row),
        "capacity": row.capacity,
        "guardian": row.guardian,
        "agents": row.agents,
        "trusteeship": row.trusteeship,
        "basic_insurance_enrolled": row.basic_insurance_enrolled,
        "version": row.version,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }
    if principal.role in FULL_NAME_ROLES:
        view["name"] = person_name(ctx, row)
    return view


def hospital_detail_view(row: Person) -> dict[str, Any]:
    """SPEC 0.3: a hospital sees its patient's placement and insurance, never the capacity
    assessment, the guardian, the written agents or the trusteeship's disease category (the
    consent service decides who signs, LJ-10; the hospital needs only the agreement hospital
    and period of a trusteeship, LJ-5)."""
    trusteeship = row.trusteeship
    if trusteeship is not None:
        trusteeship = {k: v for k, v in trusteeship.items() if k != "disease_category"}
    return {
        **summary_view(row),
        "trusteeship": trusteeship,
        "basic_insurance_enrolled": row.basic_insurance_enrolled,
        "version": row.version,
    }


# ---- use cases --------------------------------------------------------------------------


async def register(ctx: Ctx, principal: Principal, cmd: PersonIn) -> dict[str, Any]:
    """Civil affairs registers a destitute person (LJ-2.1) → PersonRegistered."""
    try:
        number = rules.check_id_number(cmd.id_number)
    except rules.PersonRuleError as exc:
        raise rule_problem(exc) from exc
    data = cmd.model_dump(exclude={"id_number"})
    data.update(capacity=cmd.capacity, guardian=cmd.guardian, agents=cmd.agents, trusteeship=cmd.trusteeship)
    await _check(ctx, data)
    index = ctx.cipher.blind_index(number)
    if await ctx.repo.person_by_id_index(index) is not None:
        raise Conflict("a person with this ID number is already registered", field="id_number")
    person_id = new_id()
    now = clock.now()
    row = Person(
        person_id=person_id,
        id_index=index,
        id_enc=ctx.cipher.encrypt_text(number, _aad(person_id, "id_number")),
        id_masked=mask_id_number(number),
        **_stored_fields(ctx, person_id, data),
        version=1,
        created_at=now,
        updated_at=now,
    )
    await ctx.repo.add_person(row)
    await ctx.uow.emit(events.person_registered(row, person_seals(ctx, row)))
    await ctx.uow.audit(
        principal,
        "person.register",
        person_id,
        reason="LJ-2.1 registration",
        details={"support_type": row.support_type},
    )
    await followups.sync(ctx, row, previous=None)
    return detail_view(ctx, principal, row)


async def update(ctx: Ctx, principal: Principal, person_id: str, patch: PersonPatch) -> dict[str, Any]:
    """Civil affairs changes a person's record → PersonUpdated with the full current state."""
    row = await load_person(ctx, person_id, for_update=True)
    changes = patch.model_dump(exclude_unset=True, exclude={"reason"})
    if not changes:
        raise ValidationFailed("nothing to change", field="body")
    for key in ("capacity", "guardian", "agents", "trusteeship"):
        if key in changes:
            changes[key] = getattr(patch, key)
    for key in ("name", "support_type", "basic_insurance_enrolled"):
        if key in changes and changes[key] is None:
            raise ValidationFailed(f"{key} cannot be cleared", field=key)
    if "agents" in changes and changes["agents"] is None:
        changes["agents"] = []
    data = {**_input_from_row(ctx, row), **changes}
    if "support_type" in changes:
        data["support_type"] = SupportType(changes["support_type"])
    if changes.get("disability_level") is not None:
        data["disability_level"] = DisabilityLevel(changes["disability_level"])
    await _check(ctx, data)
    stored = {**_stored_fields(ctx, person_id, data), "version": row.version + 1, "updated_at": clock.now()}
    new = replace(row, **stored)
    await ctx.repo.update_person(person_id, **stored)
    await ctx.uow.emit(events.person_updated(new, person_seals(ctx, new)))
    await ctx.uow.audit(principal, "person.update", person_id, reason=patch.reason, details={"fields": sorted(changes)})
    await followups.sync(ctx, new, previous=row)
    return detail_view(ctx, principal, new)


async def get(ctx: Ctx, principal: Principal, person_id: str) -> dict[str, Any]:
    row = await visible_person(ctx, principal, person_id)
    return detail_view(ctx, principal, row)


async def listing(
    ctx: Ctx, principal: Principal, page: PageRequest, *, support_type: SupportType | None = None
) -> list[dict[str, Any]]:
    """One page of the masked list within the caller's scope (a hospital looks persons up
    by ID number), in the order registered, paged in SQL."""
    rows = await ctx.repo.person_page(
        list_filter(principal), page, support_type=support_type.value if support_type is not None else None
    )
    return [summary_view(r) for r in rows]


async def lookup(ctx: Ctx, principal: Principal, id_number: str) -> dict[str, Any]:
    """Find a person by ID number through the blind index (the caller already holds the
    number; the answer stays masked). Hospitals may look up anyone (the patient is in
    front of them); others only within their scope."""
    try:
        number = rules.check_id_number(id_number)
    except rules.PersonRuleError as exc:
        raise rule_problem(exc) from exc
    found = await ctx.repo.person_by_id_index(ctx.cipher.blind_index(number))
    if found is None or (principal.role != Role.HOSPITAL and not sees_person(principal, found)):
        raise NotFound("no registered destitute person with this ID number in your scope", field="id_number")
    await ctx.uow.audit(principal, "person.lookup", found.person_id, reason="look-up by ID number")
    if principal.role == Role.HOSPITAL:
        return hospital_lookup_view(found)
    return summary_view(found)


def hospital_lookup_view(row: Person) -> dict[str, Any]:
    """SPEC 0.3: what a hospital needs to know of the patient in front of it — a destitute
    person, of which kind, cared for by which institution (centralized) or town
    (decentralized) — and nothing more."""
    centralized = row.support_type == SupportType.CENTRALIZED.value
    return {
        "person_id": row.person_id,
        "destitute": True,
        "support_type": row.support_type,
        "institution_id": row.institution_id if centralized else None,
        "town_id": None if centralized else row.town_id,
    }


async def read_id_number(ctx: Ctx, principal: Principal, person_id: str, purpose: str) -> dict[str, Any]:
    """SPEC 0.4: the one read of a full ID number, audit-logged with its purpose."""
    row = await load_person(ctx, person_id)
    require(principal.role in DISTRICT_WIDE or carer_in_scope(principal, row), f"person {person_id}")
    await ctx.uow.audit(principal, "person.read_id_number", person_id, reason=purpose)
    return {"person_id": person_id, "id_number": person_id_number(ctx, row)}
