"""Who sees which records: a hospital only its own facility's; medical insurance, civil
affairs and auditors all of them (SPEC 0.3)."""

from __future__ import annotations

from medaid_shared.authz import Principal, Role
from medaid_shared.errors import Forbidden
from settlement.domain.policy import READ_ALL_ROLES


def facility_filter(principal: Principal) -> set[str] | None:
    """``None`` = every facility; otherwise the facilities the caller is scoped to."""
    if principal.role.value in READ_ALL_ROLES:
        return None
    if principal.role is Role.HOSPITAL:
        return principal.scope_ids("facility")
    return set()


def require_facility(principal: Principal, facility_id: str, what: str = "this record") -> None:
    allowed = facility_filter(principal)
    if allowed is not None and facility_id not in allowed:
        raise Forbidden(f"{principal.role.value} {principal.subject} is not scoped to {what} (facility:{facility_id})")
