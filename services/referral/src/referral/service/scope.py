"""Who sees which record (SPEC 0.3): a hospital its own admissions, an institution its
residents, a village committee its villagers, a town its villages; the district
departments and the auditor see the whole district."""

from __future__ import annotations

from typing import Protocol

from medaid_shared.authz import Principal, Role
from medaid_shared.errors import Forbidden
from referral.domain.records import Admission, Scope, ScopeField

DISTRICT_WIDE = frozenset({Role.CIVIL_AFFAIRS, Role.MEDICAL_INSURANCE, Role.HEALTH_BUREAU, Role.AUDITOR})

# the record field that carries each carer role's scope, and the token scope kind
CARER_SCOPE: dict[Role, tuple[ScopeField, str]] = {
    Role.INSTITUTION: ("institution_id", "institution"),
    Role.VILLAGE_COMMITTEE: ("village_id", "village"),
    Role.TOWN_GOVERNMENT: ("town_id", "town"),
}


class Placed(Protocol):
    """A record that carries a person's placement (a person, or an admission's or a
    filing's snapshot of it)."""

    @property
    def institution_id(self) -> str | None: ...

    @property
    def village_id(self) -> str | None: ...

    @property
    def town_id(self) -> str | None: ...


def carer_in_scope(principal: Principal, record: Placed) -> bool:
    """Is the record (a person, or an admission's placement snapshot) in the carer's scope?"""
    if principal.role not in CARER_SCOPE:
        return False
    field, kind = CARER_SCOPE[principal.role]
    return principal.in_scope(kind, getattr(record, field))


def sees_person(principal: Principal, person: Placed) -> bool:
    return principal.role in DISTRICT_WIDE or carer_in_scope(principal, person)


def sees_admission(principal: Principal, admission: Admission) -> bool:
    if principal.role in DISTRICT_WIDE:
        return True
    if principal.role == Role.HOSPITAL:
        return principal.in_scope("facility", admission.facility_id)
    return carer_in_scope(principal, admission)


def list_filter(principal: Principal, *, by_facility: bool = False) -> Scope:
    """The caller's part of a list (the whole district: no field); a hospital's is its own
    facilities' records where the list is ``by_facility``."""
    if principal.role in DISTRICT_WIDE:
        return Scope()
    if principal.role in CARER_SCOPE:
        field, kind = CARER_SCOPE[principal.role]
        return Scope(field, frozenset(principal.scope_ids(kind)))
    if principal.role == Role.HOSPITAL and by_facility:
        return Scope("facility_id", frozenset(principal.scope_ids("facility")))
    raise Forbidden(f"role {principal.role.value} has no list scope here")


def require(visible: bool, what: str = "this record") -> None:
    if not visible:
        raise Forbidden(f"{what} is outside your scope")
