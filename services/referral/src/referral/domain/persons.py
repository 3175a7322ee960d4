"""Rules of the person record (SPEC §1, LJ-2.1, LJ-5, LJ-10 inputs). Pure functions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from medaid_shared.contracts.common import SupportType
from medaid_shared.crypto import is_valid_id_number

AGENT_DELEGATORS = frozenset({"person", "guardian", "town_government"})


class PersonRuleError(ValueError):
    """A person record that breaks a rule; ``field`` names the culprit, ``rule`` the SPEC id."""

    def __init__(self, detail: str, *, field: str, rule: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.rule = rule


def normalise_id_number(value: str) -> str:
    return value.strip().upper()


def check_id_number(value: str) -> str:
    """Resident ID number: 18 characters, a real birth date, GB 11643 check character."""
    number = normalise_id_number(value)
    if not is_valid_id_number(number):
        raise PersonRuleError("not a valid resident ID number (GB 11643 check digit)", field="id_number")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise PersonRuleError("the ID number's birth date is not a date", field="id_number") from exc
    if born.year < 1900:
        raise PersonRuleError("the ID number's birth date is implausible", field="id_number")
    return number


@dataclass(frozen=True)
class IdFacts:
    birth_date: date
    sex: str  # male | female (GB 11643: odd 17th digit = male)


def id_facts(number: str) -> IdFacts:
    born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    return IdFacts(born, "male" if int(number[16]) % 2 else "female")


def check_placement(
    support_type: SupportType, institution_id: str | None, village_id: str | None, town_id: str | None
) -> None:
    """LJ-2.1: a centralized person lives in an institution; a decentralized person at home
    in a village (residents') committee of a town."""
    if support_type == SupportType.CENTRALIZED:
        if not institution_id:
            raise PersonRuleError("a centralized person needs an institution", field="institution_id", rule="LJ-2.1")
    else:
        if not village_id:
            raise PersonRuleError("a decentralized person needs a village committee", field="village_id", rule="LJ-2.1")
        if not town_id:
            raise PersonRuleError("a decentralized person needs a town", field="town_id", rule="LJ-2.1")
        if institution_id:
            raise PersonRuleError(
                "a decentralized person lives at home, not in an institution", field="institution_id", rule="LJ-2.1"
            )


def check_guardian(verified_none: bool, name: str | None, evidence_ref: str | None) -> None:
    """LJ-10 rank 2: a legal guardian / obligor, or a verified absence with its evidence."""
    if verified_none and name:
        raise PersonRuleError("a guardian cannot be both named and verified absent", field="guardian", rule="LJ-10")
    if verified_none and not evidence_ref:
        raise PersonRuleError(
            "a verified 'no guardian' needs its evidence", field="guardian.evidence_ref", rule="LJ-10"
        )
    if not verified_none and not name:
        raise PersonRuleError("name the guardian or record a verified absence", field="guardian.name", rule="LJ-10")


def check_agent(delegated_by: str, valid_from: date, valid_until: date, index: int) -> None:
    """LJ-10 rank 3: a written agent delegated by the person, the guardian or the town."""
    if delegated_by not in AGENT_DELEGATORS:
        raise PersonRuleError(
            f"an agent is delegated by one of {sorted(AGENT_DELEGATORS)}",
            field=f"agents.{index}.delegated_by",
            rule="LJ-10",
        )
    if valid_until < valid_from:
        raise PersonRuleError("validity ends before it starts", field=f"agents.{index}.valid_until")


def check_period(valid_from: date, valid_until: date, field: str) -> None:
    if valid_until < valid_from:
        raise PersonRuleError("validity ends before it starts", field=field)


def check_not_future(instant: datetime, now: datetime, field: str) -> None:
    if instant > now:
        raise PersonRuleError("this instant is in the future", field=field)
