"""Shared test helpers: callers, a prepared fund, and time."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import time_machine

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
    "hrss": ("hrss", f"city:{CITY}"),
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


# ---------------------------------------------------------------- events from other services


async def deliver(svc: ServiceHarness, event: Any, event_id: str | None = None) -> str:
    """Hand an event to the service's consumer exactly as the inbox would (Kafka delivery
    itself is proven by the kernel's tests)."""
    import uuid

    from medaid_shared.events import EventMeta

    meta = EventMeta(
        id=event_id or str(uuid.uuid4()),
        source="test",
        type=event.event_type,
        subject=None,
        time=None,
        traceparent=None,
        topic="test",
        partition=0,
        offset=0,
    )
    return await svc.runtime.consumers[0]._apply(event, meta)


# ---------------------------------------------------------------- a prepared city

ADMITTED = local(2026, 9, 14, 8)  # a Monday
NOW = local(2026, 9, 18, 10)  # the Friday after
VALID_ID = "11010519491231002X"
VALID_ID_2 = "110105194912310038"


def valid_id(seq: int) -> str:
    from medaid_shared.crypto import id_number_check_char

    first17 = f"45020119900101{seq:03d}"
    return first17 + id_number_check_char(first17)


async def prepare_city(svc: ServiceHarness, cash: str = "1000000.00") -> None:
    await make_fund(svc)
    await register_facility(svc, H1)
    await register_facility(svc, H2, ownership="non_public")
    await ok(
        svc,
        "POST",
        "/reference/diseases",
        "health",
        {
            "code": "I21",
            "name": "急性心肌梗死",
            "scope": "national",
            "urgent_critical": True,
            "effective_from": "2013-01-01",
            "basis": "国卫办医发〔2013〕32号",
        },
    )
    await ok(
        svc,
        "POST",
        "/reference/cost-averages",
        "health",
        {
            "year": 2026,
            "source": "2025 statistics",
            "rows": [
                {"facility_id": H1, "disease_code": "I21", "average_cost": "20000.00"},
                {"facility_id": H2, "disease_code": "I21", "average_cost": "20000.00"},
            ],
        },
    )
    await ok(
        svc,
        "PUT",
        f"/reference/living-standards/{CITY}",
        "civil",
        {"monthly_amount": "900.00", "effective_from": "2026-01-01", "source": "柳州市 2026 城市低保"},
    )
    await inflow(svc, "central_transfer", cash, 2026, "C-PREP")


async def open_case(
    svc: ServiceHarness,
    *,
    patient_ref: str = "P-1",
    facility: str = H1,
    as_: str = "hospital",
    identity: str = "unidentified",
    id_number: str | None = None,
    name: str | None = None,
    admitted_at: datetime = ADMITTED,
    disease: str | None = "I21",
    letter: str | None = None,
    admission_id: str | None = None,
) -> dict[str, Any]:
    """An unidentified patient's case names the police letter it rests on (GD-16.3): by
    default the letter ``R-<patient_ref>`` of the events below."""
    body: dict[str, Any] = {
        "facility_id": facility,
        "patient_ref": patient_ref,
        "admitted_at": admitted_at.isoformat(),
        "identity": identity,
        "disease_code": disease,
    }
    if identity == "identified":
        body |= {"name": name or "张小三", "id_number": id_number or VALID_ID}
    else:
        body["identity_check_request_id"] = letter or f"R-{patient_ref}"
    if admission_id is not None:
        body["admission_id"] = admission_id
    return dict(await ok(svc, "POST", "/cases", as_, body))


async def add_costs(
    svc: ServiceHarness, case_id: str, *items: tuple[float, str], as_: str = "hospital", start: datetime = ADMITTED
) -> None:
    from datetime import timedelta

    await ok(
        svc,
        "POST",
        f"/cases/{case_id}/cost-items",
        as_,
        {
            "items": [
                {
                    "occurred_at": (start + timedelta(hours=h)).isoformat(),
                    "category": "treatment",
                    "description": "急诊抢救",
                    "in_catalogue": True,
                    "amount": amount,
                }
                for h, amount in items
            ]
        },
    )


def overdue_event(patient_ref: str = "P-1", facility: str = H1, request_id: str | None = None) -> Any:
    from medaid_shared.contracts.identity_check import IdentityCheckOverdue

    request_id = request_id or f"R-{patient_ref}"
    return IdentityCheckOverdue(
        request_id=request_id,
        reference_number=f"LETTER-{request_id}",
        facility_id=facility,
        bureau_id="PSB01",
        patient_ref=patient_ref,
        due_at=local(2026, 9, 17, 23, 59),
    )


def verified_event(
    outcome: str,
    *,
    late: bool = False,
    patient_ref: str = "P-1",
    facility: str = H1,
    request_id: str | None = None,
    id_number: str = VALID_ID_2,
) -> Any:
    from medaid_shared.contracts.identity_check import IdentityVerified
    from medaid_shared.crypto import mask_id_number, seal
    from medaid_shared.settings import DEV_PERSON_MATCHING_PUBLIC_KEY, PERSON_MATCHING_PURPOSE

    identified = outcome == "identified"
    request_id = request_id or f"R-{patient_ref}"
    return IdentityVerified(
        request_id=request_id,
        reference_number=f"LETTER-{request_id}",
        facility_id=facility,
        bureau_id="PSB01",
        patient_ref=patient_ref,
        outcome=outcome,
        late=late,
        name_masked="李*四" if identified else None,
        id_number_masked=mask_id_number(id_number) if identified else None,
        id_number_sealed=seal(DEV_PERSON_MATCHING_PUBLIC_KEY, id_number, PERSON_MATCHING_PURPOSE)
        if identified
        else None,
        replied_at=local(2026, 9, 16, 9),
    )


async def ready_unidentified_case(
    svc: ServiceHarness, patient_ref: str = "P-1", facility: str = H1, as_: str = "hospital", claim: str = "15000.00"
) -> str:
    """An unidentified case whose police check is overdue, with costs and a filed claim."""
    case = await open_case(svc, patient_ref=patient_ref, facility=facility, as_=as_)
    await add_costs(svc, case["case_id"], (1, "15000.00"), as_=as_)
    await deliver(svc, overdue_event(patient_ref, facility, request_id=f"R-{patient_ref}"))
    await ok(
        svc,
        "POST",
        f"/cases/{case['case_id']}/claim",
        as_,
        {"medical_amount": claim, "living_amount": "90.00", "declaration": "情况属实"},
    )
    return str(case["case_id"])


# ---------------------------------------------------------------- an application on its way

SUBMIT = local(2026, 9, 18, 10)  # Friday; Sunday 2026-09-20 is a make-up working day
AGENCY = local(2026, 9, 21, 10)
HEALTH = local(2026, 9, 22, 10)
EARLY = local(2026, 9, 24, 12)  # the agency's notice runs until the end of 2026-09-24
PAY = local(2026, 9, 25, 10)  # Mid-Autumn: a holiday, and money may still move


async def submitted(
    svc: ServiceHarness, cases: int = 1, facility: str = H1, as_: str = "hospital"
) -> tuple[str, list[str]]:
    ids = [
        await ready_unidentified_case(svc, patient_ref=f"P-{facility}-{i}", facility=facility, as_=as_)
        for i in range(cases)
    ]
    app = await ok(
        svc, "POST", "/applications", as_, {"facility_id": facility, "case_ids": ids, "note": "2026 年 9 月"}
    )
    return app["application_id"], ids


async def through_review(svc: ServiceHarness, app_id: str) -> None:
    """From submission: hospital notice, agency approval and notice, health forward."""
    with time_machine.travel(SUBMIT, tick=False):
        await ok(svc, "POST", f"/applications/{app_id}/notices", "hospital")
    with time_machine.travel(AGENCY, tick=False):
        await ok(svc, "POST", f"/applications/{app_id}/agency-review", "agency", {"outcome": "approved"})
        await ok(svc, "POST", f"/applications/{app_id}/notices", "agency")
    with time_machine.travel(HEALTH, tick=False):
        await ok(svc, "POST", f"/applications/{app_id}/health-review", "health", {"outcome": "approved"})


async def paid(svc: ServiceHarness, cases: int = 1) -> tuple[str, list[str]]:
    """A prepared city and an application of H1 disbursed at PAY (each case 15090.00)."""
    with time_machine.travel(SUBMIT, tick=False):
        await prepare_city(svc)
        app_id, case_ids = await submitted(svc, cases=cases)
    await through_review(svc, app_id)
    with time_machine.travel(PAY, tick=False):
        await ok(svc, "POST", f"/applications/{app_id}/disbursement", "finance")
    return app_id, case_ids


CHANNELS = [
    "liable_party",
    "work_injury_insurance",
    "basic_medical_insurance",
    "public_health_funds",
    "medical_aid",
    "road_traffic_accident_fund",
    "red_cross",
]


# GD-18.1: who confirms each channel (the caller name of ROLES) and the agency's documents.
CONFIRMERS = {
    "liable_party": "police",
    "work_injury_insurance": "hrss",
    "basic_medical_insurance": "insurance",
    "public_health_funds": "agency",
    "medical_aid": "insurance",
    "road_traffic_accident_fund": "police",
    "red_cross": "agency",
}


async def confirm_channels(svc: ServiceHarness, case_id: str, amounts: dict[str, str] | None = None) -> None:
    """GD-18.1: every department responsible confirms its channel (0.00 unless ``amounts``)."""
    for channel, confirmer in CONFIRMERS.items():
        body: dict[str, Any] = {"amount": (amounts or {}).get(channel, "0.00")}
        if confirmer == "agency":
            body["document_ref"] = "柳财社〔2026〕88号"
        await ok(svc, "POST", f"/cases/{case_id}/channel-payments/{channel}/confirmation", confirmer, body)


async def claimed_identified(svc: ServiceHarness, id_number: str, patient_ref: str) -> str:
    cid = (await open_case(svc, identity="identified", id_number=id_number, patient_ref=patient_ref))["case_id"]
    await add_costs(svc, cid, (1, "1000.00"))
    await ok(svc, "POST", f"/cases/{cid}/unable-to-pay", "hospital", {"criteria": ["minimum_living"]})
    for channel in CHANNELS:
        await ok(svc, "POST", f"/cases/{cid}/channel-payments", "hospital", {"channel": channel, "amount": "0.00"})
    await confirm_channels(svc, cid)
    await ok(svc, "POST", f"/cases/{cid}/civil-affairs-check", "civil", {"statuses": ["minimum_living"]})
    body = {"medical_amount": "1000.00", "living_amount": "90.00", "declaration": "属实"}
    await ok(svc, "POST", f"/cases/{cid}/claim", "hospital", body)
    return cid


# ---------------------------------------------------------------- policy parameters (kernel kinds)


def parameter_version(kind: str, effective_from: str, **values: Any) -> dict[str, Any]:
    """A version of one of the fund's kinds: the configured defaults with ``values`` changed."""
    from emergency_fund.domain.params import FIELDS
    from emergency_fund.settings import EmergencyFundSettings

    defaults = {k: v for k, v in EmergencyFundSettings().param_values().items() if FIELDS[k] == kind}
    merged = {k: str(v) if isinstance(v, Decimal) else v for k, v in {**defaults, **values}.items()}
    return {"kind": kind, "effective_from": effective_from, "values": merged, "source": "市卫健委通知"}


async def load_parameters(svc: ServiceHarness, *versions: dict[str, Any], as_: str = "admin") -> Any:
    return await call(svc, "POST", "/admin/parameters", as_, {"versions": list(versions)})
