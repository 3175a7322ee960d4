"""What every use case shares: the context of one command or read, scope checks,
parameters in force, ledger posting and answers in the one vocabulary."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any, TypeVar

from emergency_fund.domain.eligibility import BirthFacts
from emergency_fund.domain.ledger import LedgerTransaction
from emergency_fund.domain.parameters import CATALOGUE
from emergency_fund.domain.params import Params, defaults_from
from emergency_fund.domain.records import Fund, LedgerEntry, LedgerTxn
from emergency_fund.service.ports import Repository
from emergency_fund.settings import EmergencyFundSettings
from medaid_shared import clock, ids
from medaid_shared.authz import Principal, Role
from medaid_shared.crypto import Unsealer
from medaid_shared.errors import Forbidden, NotFound
from medaid_shared.responses import wire_instant
from medaid_shared.settings import PERSON_MATCHING_PURPOSE
from medaid_shared.usecase import UseCaseContext

R = TypeVar("R")


def new_id(prefix: str) -> str:
    return ids.new_id(prefix)


Env = UseCaseContext[EmergencyFundSettings, Repository]
"""One command (with a unit of work) or one read (without): the kernel's use-case context."""


async def audit(env: Env, action: str, subject: str, *, reason: str | None = None, **details: Any) -> None:
    """A decision-log entry in the command's unit of work, by the context's principal."""
    await env.uow.audit(env.principal, action, subject, reason=reason, details=_jsonable(details))


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, Decimal | datetime):
        return str(value)
    return value


# ---------------------------------------------------------------- scope


@cache
def _unsealer(private_key_b64: str) -> Unsealer:
    return Unsealer(private_key_b64)


def person_index(env: Env, id_number: str) -> str:
    """SPEC 0.4: the fund's own blind index of an ID number, keyed with the fund's key alone.
    No other service can compute it, and it never leaves the fund."""
    return env.cipher.blind_index(f"person-matching:{id_number.upper()}")


def unseal_id_number(env: Env, sealed: str | None) -> str | None:
    """An ID number that referral or identity-check sealed for the fund (only the fund opens it)."""
    if sealed is None:
        return None
    key = env.settings.person_matching_private_key.get_secret_value()
    return _unsealer(key).open(sealed, PERSON_MATCHING_PURPOSE)


def sealed_person_index(env: Env, sealed: str | None) -> str | None:
    """The fund's index of an ID number that referral or identity-check sealed for it."""
    id_number = unseal_id_number(env, sealed)
    return None if id_number is None else person_index(env, id_number)


def sealed_birth_facts(env: Env, sealed: str | None) -> str | None:
    """GD-13.3: what a sealed ID number says of the birth date and sex (stored encrypted); the
    number itself is kept only as the fund's index."""
    id_number = unseal_id_number(env, sealed)
    return None if id_number is None else BirthFacts.from_id_number(id_number).stored()


def is_hospital(p: Principal) -> bool:
    return p.role is Role.HOSPITAL


def require_city(p: Principal, city: str) -> None:
    """City bodies act on their own city's fund only (scope ``city:<code>``)."""
    p.require_scope("city", city, "this city's fund")


def require_record_scope(p: Principal, facility_id: str, city: str) -> None:
    """Hospitals see only their own facility's records; everyone else their city's."""
    if is_hospital(p):
        p.require_scope("facility", facility_id, "this hospital's records")
    else:
        require_city(p, city)


def cities_of(p: Principal, city: str | None) -> list[str]:
    allowed = sorted(p.scope_ids("city"))
    if city is None:
        return allowed
    if city not in allowed:
        raise Forbidden(f"{p.role.value} {p.subject} is not scoped to city {city}")
    return [city]


def found(record: R | None, what: str, key: object, *, rule: str | None = None) -> R:
    """The record, or 404 naming what was not found."""
    if record is None:
        raise NotFound(f"no {what} {key}", rule=rule)
    return record


# ---------------------------------------------------------------- parameters


async def load_params(env: Env, at: datetime | None = None) -> Params:
    """The parameters in force on the (Asia/Shanghai) day of ``at`` (default: now): for each
    kind the most specific loaded version in force, else the configured default — with the
    version ids."""
    catalogue = CATALOGUE.with_defaults(defaults_from(env.settings.param_values()))
    versions = await env.repo.parameter_versions()
    at = at or env.now
    on = clock.to_local(at).date()
    return Params.from_applied({k.name: catalogue.require(versions, k.name, on=on) for k in catalogue.kinds})


# ---------------------------------------------------------------- ledger


async def require_fund(env: Env, city: str, *, lock: bool = False) -> Fund:
    """GD-3: the city's fund (404 naming it when there is none); ``lock`` serialises the
    city's ledger postings until the command ends."""
    fund = found(await env.repo.funds.get(city), "emergency fund for city", city, rule="GD-3")
    if lock:
        await env.repo.lock_fund(city)
    return fund


async def post(env: Env, city: str, txn: LedgerTransaction, source_ref: str | None = None) -> str:
    """GD-3: write one balanced transaction (the domain checked balance; the database checks
    it again at commit). Callers hold the city's fund lock when they read balances first."""
    txn_id = new_id("TX")
    await env.repo.ledger_txns.add(
        LedgerTxn(
            id=txn_id,
            city=city,
            kind=txn.kind.value,
            fiscal_year=txn.fiscal_year,
            ref=txn.ref,
            source_ref=source_ref,
            memo=txn.memo,
            created_at=env.now,
            created_by=env.principal.subject,
            created_role=env.principal.role.value,
        )
    )
    for p in txn.postings:
        await env.repo.ledger_entries.add(LedgerEntry(txn_id=txn_id, city=city, account=p.account, amount=p.amount))
    return txn_id


async def balance(env: Env, city: str, account: str) -> Decimal:
    """GD-3: an account's balance, from the ledger only."""
    return (await env.repo.account_balances(city, [account])).get(account, Decimal("0.00"))


STORAGE_NAME = re.compile(r"_(enc|digest|idx)$")
"""Column names that never leave the service: ciphertexts, digests and blind indexes."""
NEVER_ANSWERED = frozenset({"birth_facts"})
"""Fields opened from ciphertext for a rule only (SPEC 0.4: the birth date and sex an ID
number says decide GD-13.3's category; no answer carries them)."""


def out(
    row: Any,
    *,
    drop: Iterable[str] = (),
    id_as: str | None = None,
    rename: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """A record (or a row) as an answer in the one vocabulary (docs/VOCABULARY.md): money as strings (never
    floats), instants in RFC 3339 UTC with ``Z``, no storage names (ciphertexts, digests,
    blind indexes), the row's ``id`` named after its resource (``id_as``: ``case_id``) and
    storage names the vocabulary spells otherwise renamed (``id_masked`` → ``id_number_masked``)."""
    if is_dataclass(row):
        row = {f.name: getattr(row, f.name) for f in fields(row)}
    skip = set(drop) | NEVER_ANSWERED
    names = {**MASKED_NAMES, **(rename or {})}
    if id_as:
        names["id"] = id_as
    return {
        names.get(k, k): _plain(v)
        for k, v in row.items()
        if k not in skip and not isinstance(v, bytes) and not STORAGE_NAME.search(k)
    }


MASKED_NAMES = {"id_masked": "id_number_masked"}


def notice_out(row: Any, *, drop: Iterable[str] = ()) -> dict[str, Any]:
    """A public notice (GD-21) as answered: its entries carry the masked ID number as
    ``id_number_masked`` (notices published before the vocabulary stored it as ``id_number``)."""
    answer = out(row, id_as="notice_id", drop=drop)
    if "entries" in answer:
        answer["entries"] = [
            {("id_number_masked" if k == "id_number" else k): v for k, v in e.items()} for e in answer["entries"]
        ]
    return answer


"""The vocabulary's name of a masked value a table stores under a shorter name."""


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return wire_instant(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
