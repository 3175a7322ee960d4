"""Helpers shared by the use cases."""

from __future__ import annotations

from datetime import date
from functools import cache

from consent.domain.model import Admission, Person, local_date
from consent.domain.parameters import CATALOGUE
from consent.service.ports import Ctx
from medaid_shared import clock, ids
from medaid_shared.crypto import Unsealer
from medaid_shared.ids import unknown
from medaid_shared.parameters import ANY, Applied, ParameterKind
from medaid_shared.settings import CONSENT_FORMS_PURPOSE


def encrypt(ctx: Ctx, text: str, aad: str) -> bytes:
    """SPEC 0.4: a field sealed at rest with the service's cipher, bound to ``aad``."""
    return ctx.cipher.encrypt_text(text, aad)


def decrypt(ctx: Ctx, token: bytes | None, aad: str) -> str | None:
    """The field :func:`encrypt` sealed (None stays None)."""
    return None if token is None else ctx.cipher.decrypt_text(token, aad)


def open_sealed_name(ctx: Ctx, token: str) -> str:
    """SPEC 0.4: a full name referral sealed for consent's forms; only consent holds the key."""
    return _unsealer(ctx.settings.consent_forms_private_key.get_secret_value()).open(token, CONSENT_FORMS_PURPOSE)


@cache
def _unsealer(private_key: str) -> Unsealer:
    return Unsealer(private_key)


def new_id(prefix: str) -> str:
    return ids.new_id(prefix)


def today() -> date:
    """Today in Asia/Shanghai (validity dates are local days)."""
    return local_date(clock.now())


async def load_person(ctx: Ctx, person_id: str, *, lock: bool = False) -> Person:
    person = await ctx.repo.person(person_id, lock=lock)
    if person is None:
        raise unknown("person", person_id, now=clock.now())  # registered by referral
    return person


async def load_admission(ctx: Ctx, admission_id: str) -> Admission:
    adm = await ctx.repo.admission(admission_id)
    if adm is None:
        raise unknown("admission", admission_id, now=clock.now())  # filed by referral
    return adm


async def parameters_for(ctx: Ctx, kind: ParameterKind, facility_id: str) -> Applied:
    """The version of ``kind`` in force today for the facility's region and level (the most
    specific wins; the kind's default when none is loaded). Its id is cited by the decision."""
    facility = await ctx.repo.facility(facility_id)
    return CATALOGUE.require(
        await ctx.repo.parameter_versions(),
        kind.name,
        on=today(),
        region=facility.region if facility else ANY,
        level=facility.level if facility else ANY,
    )
