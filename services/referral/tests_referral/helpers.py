"""Test data builders for the referral service (real HTTP calls on the in-process app)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from medaid_shared.crypto import id_number_check_char
from medaid_shared.testing import ServiceHarness

LIUJIANG = "450206"


def id_number(seq: int, born: str = "19500101", *, female: bool = False) -> str:
    """A valid resident ID number (GB 11643 check character)."""
    order = seq * 2 % 1000 + (0 if female else 1)
    first17 = f"{LIUJIANG}{born}{order:03d}"
    return first17 + id_number_check_char(first17)


def ca(svc: ServiceHarness) -> dict[str, str]:
    return svc.token("civil_affairs", "city:liuzhou", subject="ca-1")


def hospital(svc: ServiceHarness, facility_id: str = "H001") -> dict[str, str]:
    return svc.token("hospital", f"facility:{facility_id}", subject=f"his-{facility_id}")


def institution(svc: ServiceHarness, inst: str = "I01") -> dict[str, str]:
    return svc.token("institution", f"institution:{inst}", subject=f"inst-{inst}")


def village(svc: ServiceHarness, v: str = "V01") -> dict[str, str]:
    return svc.token("village_committee", f"village:{v}", subject=f"vc-{v}")


def town(svc: ServiceHarness, t: str = "T01") -> dict[str, str]:
    return svc.token("town_government", f"town:{t}", subject=f"town-{t}")


def mi(svc: ServiceHarness) -> dict[str, str]:
    return svc.token("medical_insurance", "city:liuzhou", subject="mi-1")


def health(svc: ServiceHarness) -> dict[str, str]:
    return svc.token("health_bureau", "city:liuzhou", subject="hb-1")


async def add_facility(
    svc: ServiceHarness,
    facility_id: str = "H001",
    *,
    level: str = "district",
    designated: bool = True,
    region: str = "liujiang",
    name: str | None = None,
) -> dict[str, Any]:
    body = {
        "facility_id": facility_id,
        "name": name or f"Hospital {facility_id}",
        "level": level,
        "designated": designated,
        "region": region,
        "police_jurisdiction": "PSB01",
    }
    r = await svc.client.post("/facilities", json=body, headers=ca(svc))
    assert r.status_code == 201, r.text
    return r.json()


def centralized(seq: int = 1, inst: str = "I01", **extra: Any) -> dict[str, Any]:
    return {
        "id_number": id_number(seq),
        "name": "张大三",
        "support_type": "centralized",
        "institution_id": inst,
        "guardian": {"verified_none": True, "evidence_ref": "village-cert-1"},
        **extra,
    }


def decentralized(seq: int = 2, village_id: str = "V01", town_id: str = "T01", **extra: Any) -> dict[str, Any]:
    return {
        "id_number": id_number(seq),
        "name": "李小四",
        "support_type": "decentralized",
        "village_id": village_id,
        "town_id": town_id,
        "guardian": {"name": "李大哥", "relation": "brother"},
        "disability_level": "semi",
        **extra,
    }


async def add_person(svc: ServiceHarness, body: dict[str, Any]) -> dict[str, Any]:
    r = await svc.client.post("/persons", json=body, headers=ca(svc))
    assert r.status_code == 201, r.text
    return r.json()


async def count(svc: ServiceHarness, table: str) -> int:
    from referral.adapters.tables import TABLES

    async with svc.runtime.db.read() as s:
        return int((await s.execute(select(func.count()).select_from(TABLES[table]))).scalar_one())


async def audit_actions(svc: ServiceHarness) -> list[tuple[str, str, str | None]]:
    t = svc.runtime.db.tables.audit_log
    async with svc.runtime.db.read() as s:
        return [(r.action, r.subject, r.reason) for r in (await s.execute(select(t).order_by(t.c.seq))).all()]


def assert_problem(r: Any, status: int, *, field: str | None = None, rule: str | None = None) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = r.json()
    if field is not None:
        assert body.get("field") == field, body
    if rule is not None:
        assert body.get("rule") == rule, body
    return body


async def world(svc: ServiceHarness) -> dict[str, str]:
    """Facilities (primary, district, city, outside Guangxi) and two persons: one
    centralized in I01, one decentralized in V01 / T01."""
    await add_facility(svc, "TH01", level="township_health_centre")
    await add_facility(svc, "H001")
    await add_facility(svc, "C001", level="city", region="liuzhou")
    await add_facility(svc, "G001", level="provincial", region="outside_guangxi")
    a = await add_person(svc, centralized(1, inst="I01"))
    b = await add_person(svc, decentralized(2, village_id="V01", town_id="T01"))
    return {"central": a["person_id"], "decentral": b["person_id"]}


async def refer(svc: ServiceHarness, person_id: str, to: str, first_visit_at: str, frm: str = "TH01") -> dict[str, Any]:
    """The first-visit facility's referral with its slip (LJ-3.2a, LJ-4.2a)."""
    body = {
        "person_id": person_id,
        "from_facility_id": frm,
        "to_facility_id": to,
        "first_visit_at": first_visit_at,
        "slip_ref": "ZZ-1",
        "slip_doctor": "Dr Lu",
    }
    r = await svc.client.post("/referrals", json=body, headers=hospital(svc, frm))
    assert r.status_code == 201, r.text
    return r.json()


async def admit(
    svc: ServiceHarness, person_id: str, admitted_at: str, facility_id: str = "H001", **extra: Any
) -> dict[str, Any]:
    """The hospital files the admission; where no referral brought the person there, the
    township health centre TH01 refers them first (SPEC 0.3, LJ-4.2a)."""
    body = {"person_id": person_id, "facility_id": facility_id, "admitted_at": admitted_at, **extra}
    r = await svc.client.post("/admissions", json=body, headers=hospital(svc, facility_id))
    if r.status_code == 422 and r.json().get("rule") == "LJ-4.2a":
        await refer(svc, person_id, facility_id, admitted_at)
        r = await svc.client.post("/admissions", json=body, headers=hospital(svc, facility_id))
    assert r.status_code == 201, r.text
    return r.json()


async def fire(svc: ServiceHarness) -> int:
    assert svc.runtime.scheduler is not None
    return await svc.runtime.scheduler.fire_due()


def payloads(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r["payload"] for r in rows]


async def file_centralized(svc: ServiceHarness, person_id: str, admission: dict[str, Any]) -> dict[str, Any]:
    """The institution files the outside-care form for an admission (LJ-4.2b)."""
    body = {
        "person_id": person_id,
        "facility_id": admission["facility_id"],
        "admission_id": admission["admission_id"],
        "reason": "pneumonia",
    }
    r = await svc.client.post("/filings", json=body, headers=institution(svc, "I01"))
    assert r.status_code == 201, r.text
    return r.json()
