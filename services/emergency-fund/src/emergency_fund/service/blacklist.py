"""The credit blacklist (GD-24): dishonest or fraudulent individuals, with reason and
evidence; their new applications are flagged for the agency's review."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from emergency_fund.domain.records import Blacklist
from emergency_fund.service.applications import OPEN_STATES
from emergency_fund.service.base import Env, audit, found, new_id, out, person_index, require_city
from emergency_fund.service.cases import CaseState
from emergency_fund.service.commands import BlacklistCmd, LiftCmd
from medaid_shared.crypto import is_valid_id_number, mask_id_number
from medaid_shared.errors import Conflict, ValidationFailed
from medaid_shared.pagination import PageRequest

FLAGGABLE = {CaseState.OPEN, CaseState.CLAIMED, CaseState.IN_APPLICATION}


async def add(env: Env, cmd: BlacklistCmd) -> tuple[int, Any]:
    """GD-24: list a person (by ID number, or by a case's identified patient) with reason and evidence."""
    require_city(env.principal, cmd.city)
    if bool(cmd.id_number) == bool(cmd.case_id):
        raise ValidationFailed("name the person by id_number or by case_id (one of them)", field="id_number")
    name_masked = id_masked = None
    if cmd.id_number:
        if not is_valid_id_number(cmd.id_number):
            raise ValidationFailed("not a valid resident ID number (GB 11643)", field="id_number")
        digest = person_index(env, cmd.id_number)
        id_masked = mask_id_number(cmd.id_number.upper())
    else:
        case = found(await env.repo.cases.get(cmd.case_id or ""), "case", cmd.case_id or "")
        require_city(env.principal, case.city)
        if not case.id_digest:
            raise Conflict("the case's patient is not identified", field="case_id", rule="GD-24")
        digest, name_masked, id_masked = case.id_digest, case.name_masked, case.id_masked
    if await env.repo.listed(digest, cmd.city):
        raise Conflict("the person is already on the city's blacklist", rule="GD-24")
    entry_id = new_id("BL")
    entry = Blacklist(
        id=entry_id,
        city=cmd.city,
        id_digest=digest,
        name_masked=name_masked,
        id_masked=id_masked,
        reason=cmd.reason,
        evidence=list(cmd.evidence),
        case_id=cmd.case_id,
        listed_at=env.now,
        listed_by=env.principal.subject,
    )
    await env.repo.blacklist_entries.add(entry)
    flagged = await _flag_pending(env, digest)
    await audit(env, "blacklist.add", entry_id, reason=cmd.reason, rule="GD-24", evidence=cmd.evidence, flagged=flagged)
    # a new entry's answer names no lifting (it has none yet)
    return 201, {**entry_out(entry, drop=LIFTING), "flagged_cases": flagged}


async def _flag_pending(env: Env, digest: str) -> list[str]:
    """GD-24: the person's cases not yet decided are flagged, and so are their applications."""
    cases = await env.repo.undecided_cases_of_person(digest, FLAGGABLE)
    for case in cases:
        await env.repo.cases.update(case.id, blacklist_flag=True, updated_at=env.now)
        if case.application_id:
            app = await env.repo.applications.get(case.application_id)
            if app and app.state in OPEN_STATES:
                await env.repo.application_cases.update((app.id, case.id), blacklist_flag=True)
                await env.repo.applications.update(app.id, flagged=True)
    return [c.id for c in cases]


async def lift(env: Env, entry_id: str, cmd: LiftCmd) -> tuple[int, Any]:
    """GD-24: lift an entry, with the reason."""
    entry = found(await env.repo.blacklist_entries.get(entry_id, for_update=True), "blacklist entry", entry_id)
    require_city(env.principal, entry.city)
    if entry.lifted_at is not None:
        raise Conflict("the entry is already lifted")
    lifted = replace(entry, lifted_at=env.now, lifted_by=env.principal.subject, lift_reason=cmd.reason)
    await env.repo.blacklist_entries.update(
        entry_id, lifted_at=lifted.lifted_at, lifted_by=lifted.lifted_by, lift_reason=lifted.lift_reason
    )
    await audit(env, "blacklist.lift", entry_id, reason=cmd.reason, rule="GD-24")
    return 200, entry_out(lifted)


LIFTING = ("lifted_at", "lifted_by", "lift_reason")


def entry_out(entry: Blacklist, *, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    return out(entry, id_as="entry_id", drop=drop)


async def list_entries(env: Env, city: str, active_only: bool, page: PageRequest) -> list[dict[str, Any]]:
    """GD-24: a city's blacklist, masked, in the order listed."""
    require_city(env.principal, city)
    return [entry_out(r) for r in await env.repo.blacklist_page(city, active_only, page)]
