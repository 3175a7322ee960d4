"""LJ-10 use cases: who may sign now, and the verified absence of a guardian."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from consent.domain import signing
from consent.domain.access import require_view_person
from consent.domain.model import GuardianAbsence, Person
from consent.service import events
from consent.service.common import encrypt, load_person, new_id, today
from consent.service.ports import Ctx
from medaid_shared import clock
from medaid_shared.authz import Principal, Role
from medaid_shared.errors import Conflict, Forbidden, RuleViolation


async def signing_authority(
    ctx: Ctx, principal: Principal, person_id: str, *, major_public_interest: bool = False
) -> dict[str, Any]:
    """LJ-10: who may sign for the person now, and why each higher rank is skipped."""
    person = await load_person(ctx, person_id)
    require_view_person(principal, person, await ctx.repo.person_facilities(person_id))
    authority = signing.assess(person, today(), major_public_interest=major_public_interest)
    return authority.as_dict()


class Finding(StrEnum):
    """LJ-10 rank 2: what was verified about the guardian."""

    NO_GUARDIAN = "no_guardian"  # no legal guardian / obligor exists
    CANNOT_ACT = "cannot_act"  # the guardian on file (or named) cannot act


def _require_absence_verifier(principal: Principal, person: Person, finding: Finding) -> None:
    """Who may record that a person has no guardian: district civil affairs, the person's
    town government, or the institution / village committee responsible for them — but a
    guardian referral names (by name only, no signer id) is verified absent or unable to
    act by civil affairs alone, never by the unit that would then sign at rank 4 (LJ-10),
    and that any guardian cannot act is verified by civil affairs alone (LJ-10)."""
    role = principal.role
    if role == Role.CIVIL_AFFAIRS:
        return
    if finding == Finding.CANNOT_ACT:
        raise Forbidden(
            "that a guardian cannot act is verified by civil affairs only (LJ-10)", field="finding", rule="LJ-10"
        )
    named = person.guardian is not None and bool(person.guardian.name_masked or person.guardian.relation)
    if named:
        raise Forbidden(
            "a named guardian is verified absent or unable to act by civil affairs only (LJ-10)",
            field="evidence_ref",
            rule="LJ-10",
        )
    if role == Role.TOWN_GOVERNMENT:
        principal.require_scope("town", person.town_id, "this person's town")
        return
    if role == Role.INSTITUTION:
        if not person.centralized:
            raise Forbidden("an institution verifies only for its (centralized) residents")
        principal.require_scope("institution", person.institution_id, "this person's institution")
        return
    if role == Role.VILLAGE_COMMITTEE:
        if person.centralized:
            raise Forbidden("a village committee verifies only for its (decentralized) villagers")
        principal.require_scope("village", person.village_id, "this person's village")
        return
    raise Forbidden(f"role {role.value} may not record a verified absence of a guardian")


async def record_guardian_absence(
    ctx: Ctx,
    principal: Principal,
    person_id: str,
    *,
    evidence_ref: str,
    evidence_note: str | None,
    finding: Finding = Finding.NO_GUARDIAN,
) -> dict[str, Any]:
    """LJ-10 rank 2: record, with its evidence, that no legal guardian / obligor exists, or
    (civil affairs only) that the guardian on file or named cannot act."""
    person = await load_person(ctx, person_id, lock=True)
    _require_absence_verifier(principal, person, finding)
    if finding == Finding.NO_GUARDIAN and person.guardian_id:
        raise Conflict(
            f"person {person_id} has a legal guardian on file ({person.guardian_id}); "
            "an absence cannot be verified while referral records one (civil affairs may verify "
            "that the guardian cannot act)",
            rule="LJ-10",
            field="finding",
        )
    named = person.guardian is not None and (
        bool(person.guardian_id) or bool(person.guardian.name_masked or person.guardian.relation)
    )
    if finding == Finding.CANNOT_ACT and not named:
        raise RuleViolation(
            f"person {person_id} has no guardian on file or named: verify that none exists instead",
            rule="LJ-10",
            field="finding",
        )
    guardian_id = person.guardian_id if finding == Finding.CANNOT_ACT else None
    absence_id = new_id("abs")
    now = clock.now()
    absence = GuardianAbsence(
        absence_id=absence_id,
        person_id=person_id,
        evidence_ref=evidence_ref,
        verified_by=principal.subject,
        verified_role=principal.role.value,
        verified_at=now,
        finding=finding.value,
        guardian_id=guardian_id,
    )
    await ctx.repo.add_guardian_absence(
        absence, encrypt(ctx, evidence_note, f"guardian_absence:{absence_id}") if evidence_note else None
    )
    await ctx.uow.emit(events.guardian_absence_verified(absence))
    await ctx.uow.audit(
        principal,
        "guardian_absence.verify",
        person_id,
        reason="LJ-10: verified that no legal guardian / obligor exists"
        if finding == Finding.NO_GUARDIAN
        else "LJ-10: verified that the guardian cannot act",
        details={"absence_id": absence_id, "evidence_ref": evidence_ref, "finding": finding.value},
    )
    return {
        "absence_id": absence_id,
        "person_id": person_id,
        "evidence_ref": evidence_ref,
        "verified_by": principal.subject,
        "verified_role": principal.role.value,
        "verified_at": now,
        "finding": finding.value,
        "guardian_id": guardian_id,
        "rule": "LJ-10",
    }
