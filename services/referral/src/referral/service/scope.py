"""Who sees which record (SPEC 0.3): a hospital its own admissions, an institution its
residents, a village committee its villagers, a town its villages; the district
departments and the auditor see the whole district."""

from __future__ import annotations

from typing import Any

from medaid_shared.authz import Principal, Role
from medaid_shared.errors import Forbidden

DISTRICT_WIDE = frozenset({Role.CIVIL_AFFAIRS, Role.MEDICAL_INSURANCE, Role.HEALTH_BUREAU, Role.AUDITOR})

# the record field that carries each carer role's scope, and the token scope kind
CARER_SCOPE = {
    Role.INSTITUTION: ("institution_id", "institution"),
    Role.VILLAGE_COMMITTEE: ("village_id", "village"),
    Role.TOWN_GOVERNMENT: ("town_id", "town"),
}


def carer_in_scope(principal: Principal, record: dict[str, Any]) -> bool:
    """Is the record (a person, or an admission's placement snapshot) in the carer's scope?"""
    if principal.role not in CARER_SCOPE:
        return False
    field, kind = CARER_SCOPE[principal.role]
    return principal.in_scope(kind, record.get(field))


def sees_person(principal: Principal, person: dict[str, Any]) -> bool:
    return principal.role in DISTRICT_WIDE or carer_in_scope(principal, person)


def sees_admission(principal: Principal, admission: dict[str, Any]) -> bool:
    if principal.role in DISTRICT_WIDE:
        return True
    if principal.role == Role.HOSPITAL:
        return principal.in_scope("facility", admission["facility_id"])
    return carer_in_scope(principal, admission)


def list_filter(principal: Principal, *, facility_field: str | None = None) -> dict[str, Any]:
    """A store filter that limits a list to the caller's scope ({} = everything)."""
    if principal.role in DISTRICT_WIDE:
        return {}
    if principal.role in CARER_SCOPE:
        field, kind = CARER_SCOPE[principal.role]
        return {field: principal.scope_ids(kind)}
    if principal.role == Role.HOSPITAL and facility_field:
        return {facility_field: principal.scope_ids("facility")}
    raise Forbidden(f"role {principal.role.value} has no list scope here")


def require(visible: bool, what: str = "this record") -> None:
    if not visible:
        raise Forbidden(f"{what} is outside your scope")
