"""Scope rules (SPEC 0.3): a caller sees and changes only what its role and scope allow.

The role × action matrix is data (``policy.py``); these functions add the record-level
scope: which facility, institution, village or town a record belongs to."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

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


class Reach(StrEnum):
    """What a list's scope condition compares (see :class:`ListScope`)."""

    EVERYONE = "everyone"  # district departments
    FACILITY = "facility"  # the record's facility (a hospital)
    INSTITUTION = "institution"  # the person's institution
    VILLAGE = "village"  # the person's village committee
    TOWN = "town"  # the person's town
    PERSON = "person"  # the person themself
    GUARDIAN = "guardian"  # the person's guardian on file
    AGENT = "agent"  # one of the person's written agents
    NOBODY = "nobody"


@dataclass(frozen=True)
class ListScope:
    """SPEC 0.3 as a condition a store writes into a list's query, so that a page is paged
    over the records the caller may see (never filled, then thinned): the caller sees a
    person-bound record when the ``reach`` of the record or its person is one of ``ids``.
    The same rule as :func:`can_view_person`, except that a hospital's lists show the
    records of its own facilities (the record's facility, not every admission of the
    person)."""

    reach: Reach
    ids: frozenset[str] = frozenset()


_REACH_BY_ROLE = {
    Role.INSTITUTION: (Reach.INSTITUTION, "institution"),
    Role.VILLAGE_COMMITTEE: (Reach.VILLAGE, "village"),
    Role.TOWN_GOVERNMENT: (Reach.TOWN, "town"),
    Role.HOSPITAL: (Reach.FACILITY, "facility"),
}


def list_scope(principal: Principal) -> ListScope:
    """What the caller's lists of person-bound records may show (SPEC 0.3)."""
    role = principal.role
    if role in DISTRICT_ROLES:
        return ListScope(Reach.EVERYONE)
    if role in _REACH_BY_ROLE:
        reach, kind = _REACH_BY_ROLE[role]
        return ListScope(reach, frozenset(principal.scope_ids(kind)))
    if role == Role.PATIENT:
        return ListScope(Reach.PERSON, frozenset({principal.subject}))
    if role == Role.GUARDIAN:
        return ListScope(Reach.GUARDIAN, frozenset({principal.subject}))
    if role == Role.AGENT:
        return ListScope(Reach.AGENT, frozenset({principal.subject}))
    return ListScope(Reach.NOBODY)


def require_view_person(principal: Principal, person: Person, facility_ids: Iterable[str] = ()) -> None:
    if not can_view_person(principal, person, facility_ids):
        raise Forbidden(f"{principal.role.value} {principal.subject} is not scoped to person {person.person_id}")


def require_facility(principal: Principal, facility_id: str) -> None:
    """A hospital acts only for admissions at its own facility."""
    principal.require_scope("facility", facility_id, "this admission's facility")
