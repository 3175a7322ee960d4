"""Test world for the service tests: deliver referral's and consent's events through the
service's own consumer (inbox included), load parameters, build bills."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from medaid_shared.contracts.common import FacilityLevel, FilingState, Region, SupportType
from medaid_shared.contracts.consent import SelfPayDecided
from medaid_shared.contracts.referral import (
    AdmissionComplianceChanged,
    AdmissionFiled,
    DischargeRecorded,
    EmergencyDetermined,
    FacilityRegistered,
    PersonRegistered,
    ReferralCompliance,
)
from medaid_shared.crypto import seal
from medaid_shared.events import Event, EventMeta
from medaid_shared.settings import DEV_DIAGNOSIS_GROUPS_PUBLIC_KEY, DIAGNOSIS_GROUPS_PURPOSE
from medaid_shared.testing import ServiceHarness
from tests_settlement.factories import AID_PARAMETERS, BASIC_PARAMETERS, CRITICAL_PARAMETERS

ADMITTED = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
DISCHARGED = datetime(2026, 3, 10, 2, 0, tzinfo=UTC)


def meta_for(event: Event, event_id: str | None = None) -> EventMeta:
    return EventMeta(
        id=event_id or str(uuid.uuid4()),
        source="test",
        type=event.event_type,
        subject=None,
        time=None,
        traceparent=None,
        topic=event.topic,
        partition=0,
        offset=0,
    )


async def deliver(svc: ServiceHarness, event: Event, event_id: str | None = None) -> str:
    """Apply an event as the read-model consumer would (inbox, handler, commit)."""
    return await svc.runtime.consumers[0]._apply(event, meta_for(event, event_id))


def admin(svc: ServiceHarness) -> dict[str, str]:
    return svc.token("admin", subject="admin-1")


def hospital(svc: ServiceHarness, facility: str = "H001") -> dict[str, str]:
    return svc.token("hospital", f"facility:{facility}", subject=f"his-{facility}")


def insurance(svc: ServiceHarness) -> dict[str, str]:
    return svc.token("medical_insurance", subject="mi-1")


async def load_parameters(svc: ServiceHarness, *extra: dict[str, Any]) -> None:
    body = {"versions": [BASIC_PARAMETERS, CRITICAL_PARAMETERS, AID_PARAMETERS, *extra]}
    r = await svc.client.post("/admin/parameters", json=body, headers=admin(svc))
    assert r.status_code == 201, r.text


# The test catalogue (SPEC 0.5): codes in and out of the insurance catalogue.
IN_CATALOGUE = ("DRG001", "BED", "CT-HEAD01", "CT-CHEST", "LAB-RESP")
OUT_OF_CATALOGUE = ("SELF001", "SELF002", "X-SELF")


def catalogue_entry(code: str, in_catalogue: bool, **extra: Any) -> dict[str, Any]:
    return {
        "code": code,
        "name": f"item {code}",
        "kind": "drug",
        "in_catalogue": in_catalogue,
        "region": "any",
        "effective_from": "2026-01-01",
        "example": True,
        "source": "test catalogue",
        **extra,
    }


async def load_catalogue(svc: ServiceHarness) -> None:
    """Load the test catalogue once per test (a second load overlaps and is refused)."""
    items = [catalogue_entry(c, True) for c in IN_CATALOGUE] + [catalogue_entry(c, False) for c in OUT_OF_CATALOGUE]
    r = await svc.client.post("/admin/catalogue", json={"items": items}, headers=admin(svc))
    assert r.status_code in (201, 409), r.text


async def admit(
    svc: ServiceHarness,
    admission_id: str = "A1",
    person_id: str = "P1",
    facility_id: str = "H001",
    *,
    admitted_at: datetime = ADMITTED,
    designated: bool = True,
    level: FacilityLevel = FacilityLevel.DISTRICT,
    region: Region = Region.LIUJIANG,
    filing: FilingState = FilingState.FILED_IN_TIME,
    referred: bool = True,
    emergency: bool = False,
    determined: bool = True,
    support: SupportType = SupportType.CENTRALIZED,
    out_of_region_approved: bool | None = None,
    identifiers: dict[str, str] | None = None,
) -> None:
    await load_catalogue(svc)
    await deliver(
        svc,
        AdmissionFiled(
            admission_id=admission_id,
            person_id=person_id,
            facility_id=facility_id,
            admitted_at=admitted_at,
            emergency=emergency,
            able_to_pay=False,
            support_type=support,
            institution_id="I01" if support is SupportType.CENTRALIZED else None,
            village_id=None if support is SupportType.CENTRALIZED else "V01",
            town_id="T01",
            facility_level=level,
            facility_designated=designated,
            facility_region=region,
            referral_compliance=ReferralCompliance(
                primary_first_visit=referred,
                referral_slip=referred,
                out_of_region_approved=out_of_region_approved,
                compliant=referred,
            ),
            filing_state=filing,
            **(identifiers or {}),
        ),
    )
    if emergency and determined:
        await determine_emergency(svc, admission_id, person_id, facility_id, admitted_at)


async def determine_emergency(
    svc: ServiceHarness, admission_id: str, person_id: str, facility_id: str, admitted_at: datetime = ADMITTED
) -> None:
    """SPEC 0.5 / LJ-11.3: referral recorded the emergency's basis within the window."""
    await deliver(
        svc,
        EmergencyDetermined(
            admission_id=admission_id,
            person_id=person_id,
            facility_id=facility_id,
            arrival_channel="ambulance",
            onset_at=admitted_at - timedelta(hours=1),
            determined_at=admitted_at + timedelta(hours=2),
        ),
    )


async def discharge(
    svc: ServiceHarness,
    admission_id: str = "A1",
    *,
    at: datetime = DISCHARGED,
    admitted_at: datetime = ADMITTED,
    diagnosis_group: str | None = "ES1",
    person_id: str = "P1",
    facility_id: str = "H001",
) -> None:
    await deliver(
        svc,
        DischargeRecorded(
            admission_id=admission_id,
            person_id=person_id,
            facility_id=facility_id,
            admitted_at=admitted_at,
            discharged_at=at,
            # SPEC 0.4: referral seals the group for settlement alone (DischargeRecorded v2)
            diagnosis_group_sealed=None
            if diagnosis_group is None
            else seal(DEV_DIAGNOSIS_GROUPS_PUBLIC_KEY, diagnosis_group, DIAGNOSIS_GROUPS_PURPOSE),
            documents_due_at=at + timedelta(hours=24),
        ),
    )


async def decide(svc: ServiceHarness, item_id: str, amount: str, outcome: str, admission_id: str = "A1") -> None:
    await deliver(
        svc,
        SelfPayDecided(
            item_id=item_id,
            admission_id=admission_id,
            person_id="P1",
            item_code=f"X-{item_id}",
            amount=Decimal(amount),
            outcome=outcome,
            decided_at=ADMITTED + timedelta(days=1),
        ),
    )


async def compliance(svc: ServiceHarness, admission_id: str, filing: FilingState, referred: bool = True) -> None:
    await deliver(
        svc,
        AdmissionComplianceChanged(
            admission_id=admission_id,
            person_id="P1",
            referral_compliance=ReferralCompliance(
                primary_first_visit=referred, referral_slip=referred, out_of_region_approved=None, compliant=referred
            ),
            filing_state=filing,
        ),
    )


async def register_facility(svc: ServiceHarness, facility_id: str, name: str | None = None) -> None:
    await deliver(
        svc,
        FacilityRegistered(
            facility_id=facility_id,
            name=name or f"Hospital {facility_id}",
            level=FacilityLevel.DISTRICT,
            designated=True,
            region=Region.LIUJIANG,
        ),
    )


async def register_person(svc: ServiceHarness, person_id: str = "P1", enrolled: bool = True) -> None:
    await deliver(
        svc,
        PersonRegistered(
            person_id=person_id,
            name_masked="张*三",
            id_number_masked="4502**********1234",
            support_type=SupportType.CENTRALIZED,
            institution_id="I01",
            basic_insurance_enrolled=enrolled,
        ),
    )


def line(
    amount: str,
    *,
    in_catalogue: bool = True,
    item: str | None = None,
    code: str | None = None,
    category: str = "drug",
    day: date = date(2026, 3, 3),
    quantity: str = "1",
    emergency: bool = False,
) -> dict[str, Any]:
    unit = (Decimal(amount) / Decimal(quantity)).quantize(Decimal("0.01"))
    """A bill line; ``in_catalogue`` picks a code of the test catalogue in or out of it
    (the line itself never says)."""
    return {
        "item_code": code or ("DRG001" if in_catalogue else "SELF001"),
        "category": category,
        "quantity": quantity,
        "unit_price": str(unit),
        "amount": amount,
        "service_date": day.isoformat(),
        "self_pay_item_id": item,
        "emergency": emergency,
    }


def bill(
    number: str, lines: list[dict[str, Any]], *, admission_id: str = "A1", kind: str = "final", **extra: Any
) -> dict[str, Any]:
    return {"bill_number": number, "admission_id": admission_id, "kind": kind, "lines": lines, **extra}


async def settled(
    svc: ServiceHarness,
    lines: list[dict[str, Any]],
    admission_id: str = "A1",
    headers: dict[str, str] | None = None,
    **admit_kw: Any,
) -> dict[str, Any]:
    """Admit, discharge, bill and settle; returns the statement."""
    await admit(svc, admission_id, **admit_kw)
    await discharge(svc, admission_id, person_id=admit_kw.get("person_id", "P1"))
    facility = admit_kw.get("facility_id", "H001")
    h = headers or hospital(svc, facility)
    r = await svc.client.post("/bills", json=bill(f"B-{admission_id}", lines, admission_id=admission_id), headers=h)
    assert r.status_code == 201, r.text
    r = await svc.client.post(f"/admissions/{admission_id}/settlement", headers=h)
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body
