"""The load: cross-service chains driven over HTTP the way a hospital information system
would drive them — every command carries an ``Idempotency-Key`` and is repeated with the
same key after a timeout, a refused connection or a 5xx answer until it is acknowledged.

One chain (a centralized person's hospital stay, as in the first journey) is: register the
hospital → register the person → referral → admission (AdmissionFiled) → outside-care filing →
self-pay item proposed (consent must have consumed the admission) → consent form signed →
initial review → civil-affairs approval (SelfPayDecided) → fitness → discharge
(DischargeRecorded) → final bill (settlement must have consumed the admission) → one-stop
settlement (SettlementCompleted). The effects it must leave in other services' consumers are
counted by the checker."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from medaid_shared.auth import issue_token
from medaid_shared.clock import to_local
from medaid_shared.crypto import id_number_check_char
from medaid_shared.settings import ServiceSettings

from .stack import ROOT, ChaosStack

SETTLEMENT_EXAMPLES = ROOT / "services/settlement/src/settlement/data/example_parameters.json"
INSTITUTION = "CH-INST"
CLINIC = "CH-CLINIC"


@dataclass
class ClientStats:
    """What the clients saw: every answer by status, and commands never acknowledged."""

    answers: Counter[int] = field(default_factory=Counter)
    transport_errors: int = 0
    unacknowledged: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


@dataclass
class ChainRecord:
    """The identifiers the services acknowledged for one chain (checked to exist later)."""

    index: int
    facility_id: str
    acknowledged: dict[str, str] = field(default_factory=dict)
    completed: bool = False
    error: str = ""


class Unacknowledged(Exception):
    pass


class Client:
    def __init__(self, stack: ChaosStack, stats: ClientStats, *, command_timeout: float) -> None:
        self.stack = stack
        self.stats = stats
        self.command_timeout = command_timeout
        self.settings = ServiceSettings()
        self.prefix = ""
        self._http = httpx.AsyncClient(timeout=httpx.Timeout(10, connect=2))
        self._rng = random.Random(7)

    async def discover_prefix(self) -> None:
        """Business routes may live under a version prefix (``/v1``): read it from the API."""
        url = self.stack.urls("referral")[0]
        doc = (await self._http.get(f"{url}/openapi.json")).json()
        self.prefix = "/v1" if any(p.startswith("/v1/") for p in doc.get("paths", {})) else ""

    async def close(self) -> None:
        await self._http.aclose()

    def headers(self, role: str, scopes: tuple[str, ...], subject: str) -> dict[str, str]:
        token = issue_token(self.settings, subject=subject, role=role, scopes=scopes, ttl=timedelta(hours=6))
        return {"Authorization": f"Bearer {token}"}

    async def call(
        self,
        service: str,
        method: str,
        path: str,
        *,
        role: str,
        subject: str,
        scopes: tuple[str, ...] = (),
        json: Any = None,
        params: Any = None,
        expect: tuple[int, ...] = (200, 201),
        waiting: tuple[int, ...] = (),
        waiting_for: str | None = None,
        idempotent: bool = True,
    ) -> Any:
        """Repeat until the service acknowledges (one of ``expect``); a 5xx, a transport error
        or one of ``waiting`` (the service has not yet consumed what it needs) is retried
        with the same key; any other answer is a refusal."""
        headers = self.headers(role, scopes, subject)
        if idempotent and method != "GET":
            headers["Idempotency-Key"] = uuid.uuid4().hex
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.command_timeout
        delay = 0.1
        last = "no answer"
        while loop.time() < deadline:
            url = self._rng.choice(self.stack.urls(service))
            try:
                r = await self._http.request(
                    method, f"{url}{self.prefix}{path}", headers=headers, json=json, params=params
                )
            except httpx.TransportError as exc:
                self.stats.transport_errors += 1
                last = f"{type(exc).__name__}"
            else:
                self.stats.answers[r.status_code] += 1
                if r.status_code in expect:
                    return r.json()
                last = f"{r.status_code}: {r.text[:300]}"
                learning = waiting_for is not None and waiting_for in r.text
                if r.status_code < 500 and r.status_code not in waiting and not learning:
                    self.stats.refused.append(f"{method} {service}{path} → {last}")
                    raise Unacknowledged(last)
            await asyncio.sleep(delay)
            delay = min(1.0, delay * 1.5)
        self.stats.unacknowledged.append(f"{method} {service}{path} → {last}")
        raise Unacknowledged(last)


def id_number(birth: date, sequence: int, area: str = "450221") -> str:
    first17 = f"{area}{birth:%Y%m%d}{sequence:03d}"
    return first17 + id_number_check_char(first17)


async def set_up(client: Client) -> None:
    """Once per scenario: the settlement parameters, the institution clinic."""
    import json

    versions = json.loads(SETTLEMENT_EXAMPLES.read_text())["versions"]
    await client.call(
        "settlement",
        "POST",
        "/admin/parameters",
        role="admin",
        subject="admin-1",
        json={"versions": versions},
        expect=(201, 409),
    )
    # SPEC 0.5: the catalogue entries the chains bill (settlement publishes them to consent).
    catalogue = [
        ("BED-GEN", "普通床位费", "service", True),
        ("DRUG-CEFT", "注射用头孢曲松钠", "drug", True),
        ("ZF-MEROPENEM", "美罗培南（目录外规格）", "drug", False),
    ]
    await client.call(
        "settlement",
        "POST",
        "/admin/catalogue",
        role="admin",
        subject="admin-1",
        json={
            "items": [
                {
                    "code": code,
                    "name": name,
                    "kind": kind,
                    "in_catalogue": in_catalogue,
                    "region": "any",
                    "effective_from": "2026-01-01",
                    "example": True,
                    "source": "chaos suite catalogue (example)",
                }
                for code, name, kind, in_catalogue in catalogue
            ]
        },
        expect=(201, 409),
    )
    await client.call(
        "referral",
        "POST",
        "/facilities",
        role="medical_insurance",
        subject="mi-registry",
        json={
            "facility_id": CLINIC,
            "name": "福利院医务室",
            "level": "institution_clinic",
            "designated": True,
            "region": "liujiang",
        },
        expect=(201, 409),
    )


def _at(instant: datetime) -> str:
    return instant.isoformat()


async def run_chain(client: Client, record: ChainRecord) -> None:
    n = record.index
    hospital = record.facility_id
    scope = (f"facility:{hospital}",)
    inst = (f"institution:{INSTITUTION}",)
    ack = record.acknowledged
    now = datetime.now(UTC)
    try:
        await client.call(
            "referral",
            "POST",
            "/facilities",
            role="medical_insurance",
            subject="mi-registry",
            json={
                "facility_id": hospital,
                "name": f"区人民医院{n}",
                "level": "district",
                "designated": True,
                "region": "liujiang",
            },
            expect=(201,),
        )
        ack["facility"] = hospital
        person = await client.call(
            "referral",
            "POST",
            "/persons",
            role="civil_affairs",
            subject="ca-registrar",
            json={
                "id_number": id_number(date(1940, 1, 1) + timedelta(days=n), n % 1000),
                "name": "韦桂英",
                "support_type": "centralized",
                "institution_id": INSTITUTION,
                "capacity": {
                    "full_capacity_and_lucid": True,
                    "assessed_at": _at(now - timedelta(days=10)),
                    "assessed_by": "institution doctor",
                },
                "guardian": {"verified_none": True, "evidence_ref": f"CH-NO-GUARDIAN-{n}"},
                "disability_level": "semi",
            },
            expect=(201,),
        )
        pid = ack["person"] = person["person_id"]
        referral = await client.call(
            "referral",
            "POST",
            "/referrals",
            role="hospital",
            scopes=(f"facility:{CLINIC}",),
            subject="clinic-doctor",
            json={
                "person_id": pid,
                "from_facility_id": CLINIC,
                "to_facility_id": hospital,
                "first_visit_at": _at(now - timedelta(hours=3)),
                "slip_ref": f"ZZD-CH-{n}",
                "slip_doctor": "clinic-doctor",
            },
            expect=(201,),
        )
        ack["referral"] = referral["referral_id"]
        admitted_at = now - timedelta(hours=2)
        admission = await client.call(
            "referral",
            "POST",
            "/admissions",
            role="hospital",
            scopes=scope,
            subject="dh-admissions",
            json={
                "person_id": pid,
                "facility_id": hospital,
                "admitted_at": _at(admitted_at),
                "referral_id": referral["referral_id"],
            },
            expect=(201,),
        )
        aid = ack["admission"] = admission["admission_id"]
        filing = await client.call(
            "referral",
            "POST",
            "/filings",
            role="institution",
            scopes=inst,
            subject="inst-head",
            json={
                "person_id": pid,
                "facility_id": hospital,
                "admission_id": aid,
                "referral_id": referral["referral_id"],
                "reason": "肺部感染，需住院治疗",
                "escort": "护理员",
            },
            expect=(201,),
        )
        ack["filing"] = filing["filing_id"]
        item = await client.call(
            "consent",
            "POST",
            f"/admissions/{aid}/self-pay-items",
            role="hospital",
            scopes=scope,
            subject="dr-huang",
            json={
                "item_code": "ZF-MEROPENEM",
                "item_name": "美罗培南（目录外规格）",
                "category": "drug",
                "unit_price": "750.00",
                "quantity": 2,
                "necessity": "多重耐药菌感染",
                "attending_doctor": "dr-huang",
            },
            expect=(201,),
            waiting=(404, 409),
            # consent learns the catalogue from settlement's events
            waiting_for="not in the insurance catalogue data",
        )
        item_id = ack["self_pay_item"] = item["item_id"]
        await client.call(
            "consent",
            "POST",
            f"/self-pay-items/{item_id}/consent-form",
            role="patient",
            subject=pid,
            json={"signature_ref": f"SIG-CH-{n}"},
            expect=(201,),
        )
        ack["consent_form"] = item_id
        await client.call(
            "consent",
            "POST",
            f"/self-pay-items/{item_id}/initial-review",
            role="institution",
            scopes=inst,
            subject="inst-head",
            json={"outcome": "approved"},
        )
        await client.call(
            "consent",
            "POST",
            f"/self-pay-items/{item_id}/civil-affairs-review",
            role="civil_affairs",
            subject="ca-social-assistance",
            json={"outcome": "approved"},
        )
        ack["approved"] = item_id
        await client.call(
            "referral",
            "POST",
            f"/admissions/{aid}/fitness",
            role="hospital",
            scopes=scope,
            subject="dr-huang",
            json={"doctor": "dr-huang"},
        )
        await client.call(
            "referral",
            "POST",
            f"/admissions/{aid}/discharge",
            role="hospital",
            scopes=scope,
            subject="dr-huang",
            json={"discharged_at": _at(datetime.now(UTC)), "diagnosis_group": "J18"},
        )
        served = to_local(admitted_at).date().isoformat()
        lines = [
            ("BED-GEN", "bed", True, "1", "60.00", "60.00"),
            ("DRUG-CEFT", "drug", True, "2", "400.00", "800.00"),
            ("ZF-MEROPENEM", "drug", False, "2", "750.00", "1500.00"),
        ]
        bill = await client.call(
            "settlement",
            "POST",
            "/bills",
            role="hospital",
            scopes=scope,
            subject="dh-billing",
            json={
                "bill_number": f"CH-FINAL-{n}",
                "admission_id": aid,
                "kind": "final",
                "lines": [
                    {
                        "item_code": code,
                        "category": category,
                        "quantity": qty,
                        "unit_price": price,
                        "amount": amount,
                        "service_date": served,
                        **({} if in_cat else {"self_pay_item_id": item_id}),
                    }
                    for code, category, in_cat, qty, price, amount in lines
                ],
            },
            expect=(201,),
            waiting=(404, 409),
        )
        ack["bill"] = bill["bill_id"]
        statement = await client.call(
            "settlement",
            "POST",
            f"/admissions/{aid}/settlement",
            role="hospital",
            scopes=scope,
            subject="dh-billing",
            expect=(201,),
            waiting=(404, 409),
        )
        ack["statement"] = statement["statement_id"]
        record.completed = True
    except Unacknowledged as exc:
        record.error = str(exc)


async def run_load(client: Client, tag: str, chains: int, concurrency: int) -> list[ChainRecord]:
    records = [ChainRecord(i, f"{tag}-H{i}") for i in range(chains)]
    gate = asyncio.Semaphore(concurrency)

    async def one(record: ChainRecord) -> None:
        async with gate:
            await run_chain(client, record)

    await asyncio.gather(*(one(r) for r in records))
    return records
