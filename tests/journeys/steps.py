"""Steps the journeys share. Everything goes over HTTP to the running services; a service
that has not yet learnt something from another service's events answers 409 not-yet-known
with Retry-After (some older paths 404), and the step repeats the request until it has
(nothing changes on such an answer)."""

from __future__ import annotations

import asyncio
import io
import json
import random
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from PIL import Image, ImageDraw, ImageFilter

from medaid_shared.crypto import id_number_check_char

from .conftest import Stack

SHANGHAI = ZoneInfo("Asia/Shanghai")
ROOT = Path(__file__).resolve().parents[2]
# The settlement service's shipped parameter file: basic and critical-illness insurance values
# marked as examples (LJ-6.1), medical aid per the seed (LJ-6.2: 0 deductible, 100 %, 60,000).
SETTLEMENT_EXAMPLES = ROOT / "services/settlement/src/settlement/data/example_parameters.json"


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An instant given in Asia/Shanghai wall time (SPEC 0.1: shown in Asia/Shanghai)."""
    return datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def id_number(birth: date, sequence: int, area: str = "450221") -> str:
    """A resident ID number with a valid GB 11643 check character (450221: Liujiang)."""
    first17 = f"{area}{birth:%Y%m%d}{sequence:03d}"
    return first17 + id_number_check_char(first17)


async def send(
    stack: Stack,
    service: str,
    method: str,
    path: str,
    *,
    role: str,
    scopes: tuple[str, ...] = (),
    subject: str | None = None,
    **kwargs: Any,
) -> httpx.Response:
    async with stack.client(service) as c:
        return await c.request(method, path, headers=stack.auth(role, *scopes, subject=subject), **kwargs)


async def when_known(
    stack: Stack,
    service: str,
    method: str,
    path: str,
    *,
    role: str,
    scopes: tuple[str, ...] = (),
    subject: str | None = None,
    expect: tuple[int, ...] = (200, 201),
    waiting: tuple[int, ...] = (404,),
    timeout: float = 60,
    **kwargs: Any,
) -> Any:
    """Repeat a request while ``service`` answers one of ``waiting`` because it has not yet
    consumed the events it needs; then the answer must be one of ``expect``."""
    last: httpx.Response | None = None
    try:
        async with asyncio.timeout(timeout):
            while True:
                last = await send(stack, service, method, path, role=role, scopes=scopes, subject=subject, **kwargs)
                not_yet_known = last.headers.get("content-type", "").startswith("application/problem+json") and (
                    last.json().get("type") == "/problems/not-yet-known"
                )
                if last.status_code not in waiting and not not_yet_known:
                    break
                await asyncio.sleep(0.2)
    except TimeoutError:
        detail = f"{last.status_code}: {last.text}" if last is not None else "no answer"
        raise AssertionError(f"{method} {service}{path} still waiting after {timeout}s → {detail}") from None
    assert last.status_code in expect, f"{method} {service}{path} → {last.status_code}: {last.text}"
    return last.json()


async def register_facility(
    stack: Stack, facility_id: str, name: str, level: str, *, region: str = "liujiang", designated: bool = True
) -> dict[str, Any]:
    """§1: the medical insurance bureau registers a facility with its medical-aid designation."""
    return await stack.call(
        "referral",
        "POST",
        "/facilities",
        role="medical_insurance",
        subject="mi-registry",
        json={"facility_id": facility_id, "name": name, "level": level, "designated": designated, "region": region},
        expect=201,
    )


async def refer(stack: Stack, person_id: str, clinic: str, to: str, first_visit_at: datetime) -> dict[str, Any]:
    """LJ-3.2a / LJ-4.2a: the first-visit clinic refers the person on with its slip; without a
    referral (or an emergency) no hospital above primary level files the admission (SPEC 0.3)."""
    return await stack.call(
        "referral",
        "POST",
        "/referrals",
        role="hospital",
        scopes=(f"facility:{clinic}",),
        subject=f"{clinic}-doctor",
        json={
            "person_id": person_id,
            "from_facility_id": clinic,
            "to_facility_id": to,
            "first_visit_at": first_visit_at.isoformat(),
            "slip_ref": f"ZZD-{clinic}",
            "slip_doctor": f"{clinic}-doctor",
        },
        expect=201,
    )


URGENT_CONDITIONS = ROOT / "services/referral/src/referral/data/urgent_conditions.example.json"


async def record_emergency_basis(
    stack: Stack, admission_id: str, scopes: tuple[str, ...], condition_code: str, channel: str, onset: datetime
) -> dict[str, Any]:
    """LJ-11.3 / SPEC 0.5: the emergency is a recorded determination — the administrator loads
    the (example) national list of urgent and critical illnesses, and the hospital records the
    condition, the arrival channel and the onset within the emergency window."""
    await stack.call(
        "referral",
        "POST",
        "/admin/urgent-conditions",
        role="admin",
        json=json.loads(URGENT_CONDITIONS.read_text(encoding="utf-8")),
        expect=201,
    )
    return await stack.call(
        "referral",
        "POST",
        f"/admissions/{admission_id}/emergency",
        role="hospital",
        scopes=scopes,
        subject="er-desk",
        json={"condition_code": condition_code, "arrival_channel": channel, "onset_at": onset.isoformat()},
        expect=200,
    )


async def register_person(stack: Stack, body: dict[str, Any]) -> dict[str, Any]:
    """LJ-2.1: civil affairs registers a destitute person."""
    return await stack.call(
        "referral", "POST", "/persons", role="civil_affairs", subject="ca-registrar", json=body, expect=201
    )


async def load_settlement_parameters(stack: Stack) -> list[str]:
    """LJ-6.1 / LJ-6.2: the administrator loads the shipped parameter versions through the
    settlement admin API (once per stack: a second load of the same versions overlaps and
    is refused, then the stored versions must be these)."""
    versions = json.loads(SETTLEMENT_EXAMPLES.read_text())["versions"]
    r = await send(stack, "settlement", "POST", "/admin/parameters", role="admin", json={"versions": versions})
    assert r.status_code in (201, 409), r.text
    stored = await stack.call("settlement", "GET", "/parameters", role="admin")
    by_id = {v["version_id"]: v for v in stored["items"]}
    expected = [f"{v['kind']}:{v['region']}:{v['facility_level']}:{v['effective_from']}" for v in versions]
    assert set(expected) <= set(by_id), f"parameters in the settlement service differ: {sorted(by_id)}"
    return expected


async def load_catalogue(stack: Stack, items: list[tuple[str, str, str, bool]]) -> None:
    """SPEC 0.5: the administrator loads the insurance catalogue entries a journey bills
    (code, name, kind, in catalogue) into settlement, which publishes them to consent (once
    per stack: loading the same entries again overlaps and is refused)."""
    body = {
        "items": [
            {
                "code": code,
                "name": name,
                "kind": kind,
                "in_catalogue": in_catalogue,
                "region": "any",
                "effective_from": "2026-01-01",
                "example": True,
                "source": "journey catalogue (example)",
            }
            for code, name, kind, in_catalogue in items
        ]
    }
    r = await send(stack, "settlement", "POST", "/admin/catalogue", role="admin", json=body)
    assert r.status_code in (201, 409), r.text


def money(value: str) -> Decimal:
    """An amount as the services send it: an exact string with two decimals (SPEC 0.2)."""
    assert isinstance(value, str), f"money travels as an exact string, got {value!r}"
    amount = Decimal(value)
    assert amount == amount.quantize(Decimal("0.01")) and value == f"{amount:.2f}", value
    return amount


def assert_statement_adds_up(statement: dict[str, Any]) -> None:
    """SPEC 0.2 / §5: the payers' amounts sum exactly to the total, the explanation lines
    sum exactly to each payer's amount, and each line names its rule."""
    total = money(statement["total"])
    amounts = {payer: money(a) for payer, a in statement["amounts"].items()}
    assert sum(amounts.values()) == total, (amounts, total)
    per_payer: dict[str, Decimal] = {}
    for line in statement["lines"]:
        per_payer[line["payer"]] = per_payer.get(line["payer"], Decimal(0)) + money(line["amount"])
        assert line["rule"], line
    for payer, amount in amounts.items():
        assert per_payer.get(payer, Decimal(0)) == amount, (payer, per_payer, amounts)


async def issue_discharge_documents(stack: Stack, admission_id: str, facility_id: str, prefix: str) -> None:
    """LJ-12: the diagnosis certificate, discharge summary and itemised cost list."""
    for kind in ("diagnosis_certificate", "discharge_summary", "itemised_cost_list"):
        doc = await stack.call(
            "referral",
            "POST",
            f"/admissions/{admission_id}/documents",
            role="hospital",
            scopes=(f"facility:{facility_id}",),
            json={"kind": kind, "document_ref": f"{prefix}-{kind}"},
            expect=201,
        )
        assert doc["late"] is False, doc
    assert doc["missing"] == [], doc


async def no_violations_after(stack: Stack, facility_id: str, settle_s: float = 1.5) -> None:
    """LJ-12 / LJ-17: after the clock passed the documents' deadline, the scheduler (every
    0.2 s) has had several turns and recorded no violation against the hospital."""
    await asyncio.sleep(settle_s)  # a few scheduler turns in real time; no days pass this way
    violations = await stack.call(
        "referral", "GET", "/violations", role="health_bureau", params={"facility_id": facility_id}
    )
    assert violations["items"] == [], violations


def event_types(stack: Stack, **match: Any) -> list[str]:
    """Short names of the events seen so far whose data has the given field values."""
    return [e["type"].rsplit(".", 1)[-1] for e in stack.events if all(e["data"].get(k) == v for k, v in match.items())]


def face_photo(width: int = 480, height: int = 640) -> bytes:
    """A real JPEG of a frontal face-like figure, above the bureau's minimum resolution
    (GD-16.1: a clear frontal face photo), with the texture of a camera image."""
    rng = random.Random(20261105)
    img = Image.new("RGB", (width, height))
    px = img.load()
    assert px is not None
    for y in range(height):
        for x in range(width):
            shade = 150 + (x * 60) // width - (y * 40) // height + rng.randint(-12, 12)
            px[x, y] = (shade, shade + 8, shade + 20)
    draw = ImageDraw.Draw(img)
    cx, cy = width // 2, height // 2
    draw.rectangle((cx - 190, cy + 150, cx + 190, height), fill=(46, 52, 70))  # shoulders
    draw.ellipse((cx - 130, cy - 200, cx + 130, cy + 160), fill=(224, 182, 150))  # face
    draw.chord((cx - 140, cy - 215, cx + 140, cy - 40), 180, 360, fill=(35, 28, 24))  # hair
    for ex in (cx - 55, cx + 55):
        draw.ellipse((ex - 24, cy - 40, ex + 24, cy - 14), fill=(250, 250, 248))
        draw.ellipse((ex - 10, cy - 37, ex + 10, cy - 17), fill=(40, 30, 25))
    draw.polygon([(cx, cy - 10), (cx - 18, cy + 50), (cx + 18, cy + 50)], fill=(205, 160, 130))  # nose
    draw.arc((cx - 50, cy + 60, cx + 50, cy + 110), 20, 160, fill=(150, 60, 60), width=6)  # mouth
    draw.line((cx + 60, cy - 90, cx + 100, cy - 60), fill=(170, 40, 40), width=5)  # a wound
    buf = io.BytesIO()
    img.filter(ImageFilter.GaussianBlur(1.2)).save(buf, "JPEG", quality=88)
    return buf.getvalue()


async def register_city_hospital(stack: Stack, facility_id: str, name: str, city: str, bureau: str) -> dict[str, Any]:
    """GD-16.1 / GD-3: the health bureau registers a city hospital with the police bureau of
    its jurisdiction; returns once the fund (its read model of FacilityRegistered) knows it."""
    facility: dict[str, Any] = await stack.call(
        "referral",
        "POST",
        "/facilities",
        role="health_bureau",
        subject="hb-registry",
        json={
            "facility_id": facility_id,
            "name": name,
            "level": "city",
            "designated": True,
            "region": "outside_guangxi",
            "city": city,
            "police_jurisdiction": bureau,
        },
        expect=201,
    )

    async def fund_knows_hospital() -> bool:
        rows = await stack.call(
            "emergency-fund",
            "GET",
            "/reference/facilities",
            role="fund_agency",
            scopes=(f"city:{city}",),
            params={"city": city},
        )
        return any(r["facility_id"] == facility_id and r["police_jurisdiction"] == bureau for r in rows["items"])

    await stack.wait_until(fund_knows_hospital)
    return facility


async def open_city_fund(
    stack: Stack, city: str, name: str, agency_name: str, *, amount: str, reference: str, memo: str = ""
) -> dict[str, Any]:
    """GD-3: the agency opens the city's fund and finance funds it first (a provincial
    transfer, a balanced ledger inflow); returns the inflow's answer."""
    scopes = (f"city:{city}",)
    await stack.call(
        "emergency-fund",
        "POST",
        "/funds",
        role="fund_agency",
        scopes=scopes,
        json={"city": city, "name": name, "agency_name": agency_name},
        expect=201,
    )
    inflow: dict[str, Any] = await stack.call(
        "emergency-fund",
        "POST",
        f"/funds/{city}/inflows",
        role="finance",
        scopes=scopes,
        json={
            "source": "provincial_transfer",
            "amount": amount,
            "fiscal_year": 2026,
            "reference": reference,
            **({"memo": memo} if memo else {}),
        },
        expect=201,
    )
    return inflow


async def file_identity_check(
    stack: Stack, facility_id: str, fields: dict[str, str], photo: bytes, filename: str = "face.jpg"
) -> dict[str, Any]:
    """GD-16.1: the hospital's letter with a face photo to the bureau of its jurisdiction,
    once identity-check knows the facility (from FacilityRegistered; until then nothing is
    filed)."""

    async def file_letter() -> dict[str, Any] | None:
        r = await send(
            stack,
            "identity-check",
            "POST",
            "/identity-checks",
            role="hospital",
            scopes=(f"facility:{facility_id}",),
            data=fields,
            files=[("photos", (filename, photo, "image/jpeg"))],
        )
        if r.status_code == 422 and "not known here yet" in r.json().get("detail", ""):
            return None
        assert r.status_code == 201, r.text
        body: dict[str, Any] = r.json()
        return body

    request: dict[str, Any] = await stack.wait_until(file_letter)
    return request
