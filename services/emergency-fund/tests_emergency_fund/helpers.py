"""Shared test helpers: callers, a prepared fund, and time."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from medaid_shared.clock import SHANGHAI
from medaid_shared.testing import ServiceHarness

CITY = "liuzhou"
OTHER_CITY = "guilin"
H1 = "H001"
H2 = "H002"

ROLES: dict[str, tuple[str, ...]] = {
    "agency": ("fund_agency", f"city:{CITY}"),
    "health": ("health_bureau", f"city:{CITY}"),
    "finance": ("finance", f"city:{CITY}"),
    "auditor": ("auditor", f"city:{CITY}"),
    "civil": ("civil_affairs", f"city:{CITY}"),
    "police": ("police", f"city:{CITY}"),
    "insurance": ("medical_insurance", f"city:{CITY}"),
    "hospital": ("hospital", f"facility:{H1}"),
    "hospital2": ("hospital", f"facility:{H2}"),
    "other_agency": ("fund_agency", f"city:{OTHER_CITY}"),
    "other_finance": ("finance", f"city:{OTHER_CITY}"),
    "admin": ("admin",),
    "patient": ("patient",),
}


def local(*args: int) -> datetime:
    """An instant given in Asia/Shanghai wall-clock time."""
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


def who(svc: ServiceHarness, name: str, subject: str | None = None) -> dict[str, str]:
    role, *scopes = ROLES[name]
    return svc.token(role, *scopes, subject=subject or f"{name}-1")


async def call(svc: ServiceHarness, method: str, path: str, as_: str | None, json: Any = None, **kw: Any) -> Any:
    headers = dict(kw.pop("headers", {}))
    if as_ is not None:
        headers.update(who(svc, as_))
    return await svc.client.request(method, path, json=json, headers=headers, **kw)


async def ok(svc: ServiceHarness, method: str, path: str, as_: str, json: Any = None, **kw: Any) -> Any:
    r = await call(svc, method, path, as_, json, **kw)
    assert r.status_code < 300, (r.status_code, r.text)
    return r.json()


async def make_fund(svc: ServiceHarness, city: str = CITY, agency: str = "agency") -> None:
    await ok(svc, "POST", "/funds", agency, {"city": city, "name": f"{city} fund", "agency_name": f"{city} agency"})


async def register_facility(
    svc: ServiceHarness, facility_id: str, city: str = CITY, ownership: str = "public", agency: str = "agency"
) -> None:
    await ok(
        svc,
        "PUT",
        f"/reference/facilities/{facility_id}",
        agency,
        {"city": city, "name": f"Hospital {facility_id}", "ownership": ownership, "police_jurisdiction": "PSB01"},
    )


async def inflow(
    svc: ServiceHarness, source: str, amount: str, year: int, ref: str, city: str = CITY, as_: str = "finance"
) -> Any:
    return await ok(
        svc,
        "POST",
        f"/funds/{city}/inflows",
        as_,
        {"source": source, "amount": amount, "fiscal_year": year, "reference": ref},
    )


def D(value: Any) -> Decimal:
    return Decimal(str(value))
