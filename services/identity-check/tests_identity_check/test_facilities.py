"""The facility read model: referral's FacilityRegistered / FacilityUpdated tell each
hospital's county-level public security bureau (GD-16.1)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from identity_check.adapters.tables import facility
from medaid_shared.testing import ServiceHarness

from .helpers import file_letter, filed, register_facility


async def _jurisdiction(svc: ServiceHarness, facility_id: str) -> str | None:
    async with svc.runtime.db.read() as s:
        return (
            await s.execute(select(facility.c.police_jurisdiction).where(facility.c.facility_id == facility_id))
        ).scalar()


async def test_gd_16_1_facility_registered_records_the_bureau(svc: ServiceHarness) -> None:
    assert await register_facility(svc, "H001", "PSB-LIUJIANG") == "applied"
    assert await _jurisdiction(svc, "H001") == "PSB-LIUJIANG"


async def test_gd_16_1_facility_updated_moves_new_letters_to_the_new_bureau(svc: ServiceHarness) -> None:
    t0 = datetime.now(UTC)
    await register_facility(svc, "H001", "PSB01", time=t0)
    first = await filed(svc, patient_ref="A-1")
    await register_facility(svc, "H001", "PSB02", updated=True, time=t0 + timedelta(minutes=1))
    second = await filed(svc, patient_ref="A-2")
    assert first["bureau_id"] == "PSB01"  # a letter already sent keeps its addressee
    assert second["bureau_id"] == "PSB02"


async def test_an_older_facility_event_never_overwrites_a_newer_one(svc: ServiceHarness) -> None:
    t0 = datetime.now(UTC)
    await register_facility(svc, "H001", "PSB02", updated=True, time=t0)
    await register_facility(svc, "H001", "PSB01", time=t0 - timedelta(hours=1))  # late delivery
    assert await _jurisdiction(svc, "H001") == "PSB02"


async def test_a_redelivered_facility_event_is_applied_once(svc: ServiceHarness) -> None:
    from medaid_shared.contracts.common import FacilityLevel, Region
    from medaid_shared.contracts.referral import FacilityRegistered

    from .helpers import meta

    event = FacilityRegistered(
        facility_id="H009",
        name="x",
        level=FacilityLevel.CITY,
        designated=True,
        region=Region.LIUZHOU,
        police_jurisdiction="PSB09",
    )
    m = meta(FacilityRegistered.event_type)
    consumer = svc.runtime.consumers[0]
    assert await consumer._apply(event, m) == "applied"
    assert await consumer._apply(event, m) == "duplicate"


async def test_gd_16_1_unknown_facility_or_no_jurisdiction_has_no_addressee(svc: ServiceHarness) -> None:
    r = await file_letter(svc, facility_id="H404")
    assert r.status_code == 422 and r.json()["rule"] == "GD-16.1", r.text
    await register_facility(svc, "H002", None)
    r = await file_letter(svc, facility_id="H002")
    assert r.status_code == 422 and r.json()["rule"] == "GD-16.1"
    assert "police jurisdiction" in r.json()["detail"]
    assert await svc.published() == []
