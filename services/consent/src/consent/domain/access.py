"""Scope rules (SPEC 0.3): a caller sees and changes only what its role and scope allow.

The role × action matrix is data (``policy.py``); these functions add the record-level
scope: which facility, institution, village or town a record belongs to."""

from __future__ import annotations

from collections.abc import Iterable

from consent.domain.model import Person
from medaid_shared.authz import Principal, Role
from medaid_shared.errors import Forbidden

DISTRICT_ROLES = frozenset({Role.CIVIL_AFFAIRS, Role.HEALTH_BUREAU, Role.AUDITOR, Role.MEDICAL_INSURANCE, Role.ADMIN})


def can_view_person(principal: Principal, person: Person, facility_ids: Iterable[str] = ()) -> bool:
    """Who may see a person's consent matters: district departments; the hospital treating
    them (an admission at one of its facilities); their institution, village committee or
    town; the person, the guardian and their written agents."""
    role = principal.role
    if role in DISTRICT_ROLES:
        return True
    if role == Role.HOSPITAL:
        return bool(principal.scope_ids("facility") & set(facility_ids))
    if role == Role.INSTITUTION:
        return principal.in_scope("institution", person.institution_id)
    if role == Role.VILLAGE_COMMITTEE:
        return principal.in_scope("village", person.village_id)
    if role == Role.TOWN_GOVERNMENT:
        return principal.in_scope("town", person.town_id)
    if role == Role.PATIENT:
        return principal.subject == person.person_id
    if role == Role.GUARDIAN:
        return principal.subject == person.guardian_id
    if role == Role.AGENT:
        return any(a.agent_id == principal.subject for a in person.agents)
    return False


def require_view_person(principal: Principal, person: Person, facility_ids: Iterable[str] = ()) -> None:
    if not can_view_person(principal, person, facility_ids):
        raise Forbidden(f"{principal.role.value} {principal.subject} is not scoped to person {person.person_id}")


def require_facility(principal: Principal, facility_id: str) -> None:
    """A hospital acts only for admissions at its own facility."""
    principal.require_scope("facility", facility_id, "this admission's facility")
