"""The use-case tier: admissions and filings decided on an in-memory repository with a unit of
work that records events, deadlines and decision-log entries — rule combinations in
milliseconds (the HTTP tests prove the wiring on real infrastructure)."""

from __future__ import annotations

import inspect
from datetime import datetime, timedelta
from typing import Any

import time_machine

from medaid_shared.authz import Principal, Role
from medaid_shared.clock import SHANGHAI
from medaid_shared.contracts.referral import AdmissionFiled, EmergencyAssistanceReferred
from referral.adapters.repository import SqlRepository
from referral.domain.parameters import CATALOGUE
from referral.service import admissions, facilities, persons, referrals
from referral.service.commands import AdmissionIn, FacilityIn, PersonIn, ReferralIn
from referral.service.ports import Repository

from .fakes import InMemoryRepository, context
from .helpers import centralized, decentralized

CA = Principal("ca-1", Role.CIVIL_AFFAIRS)
HOSPITAL = Principal("his-1", Role.HOSPITAL, ("facility:H001",))
CLINIC = Principal("clinic-1", Role.HOSPITAL, ("facility:TH01",))


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


async def world(repo: InMemoryRepository) -> dict[str, str]:
    ctx, _ = context(repo)
    facilities_ = (
        ("TH01", "township_health_centre", "liujiang"),
        ("H001", "district", "liujiang"),
        ("C001", "city", "liuzhou"),
    )
    for fid, level, region in facilities_:
        body = {"facility_id": fid, "name": fid, "level": level, "designated": True, "region": region}
        await facilities.register(ctx, CA, FacilityIn.model_validate({**body, "police_jurisdiction": "PSB01"}))
    a = await persons.register(ctx, CA, PersonIn.model_validate(centralized(1)))
    b = await persons.register(ctx, CA, PersonIn.model_validate(decentralized(2)))
    return {"central": a["person_id"], "decentral": b["person_id"]}


def admission(person_id: str, admitted_at: datetime, **extra: Any) -> AdmissionIn:
    return AdmissionIn.model_validate(
        {"person_id": person_id, "facility_id": "H001", "admitted_at": admitted_at.isoformat(), **extra}
    )


async def test_lj_11_3_lj_11_4_an_emergency_counts_from_sending_and_goes_to_the_fund() -> None:
    repo = InMemoryRepository()
    with time_machine.travel(sh(2026, 9, 29, 10), tick=False):
        w = await world(repo)
        ctx, uow = context(repo)
        sent = sh(2026, 9, 29, 6)
        adm = await admissions.file(
            ctx,
            HOSPITAL,
            admission(
                w["decentral"],
                sh(2026, 9, 29, 9),
                emergency=True,
                able_to_pay=False,
                sent_to_hospital_at=sent.isoformat(),
            ),
        )
    assert adm["filing_rule"] == "LJ-11.3" and adm["filing_due_at"] == sent + timedelta(hours=24)
    (filed,) = uow.published(AdmissionFiled)
    assert filed.referral_compliance.compliant  # treat first: no referral asked
    assert len(uow.published(EmergencyAssistanceReferred)) == 1
    assert (admissions.FIRST_DEADLINE, adm["admission_id"]) in uow.open_deadlines()
    (audit,) = [a for a in uow.audits if a.action == "admission.file"]
    assert audit.details["policy_version"] == "filing_windows:any:any:default"


async def test_lj_4_2b_a_loaded_window_combines_with_the_emergency_start_and_is_cited() -> None:
    repo = InMemoryRepository()
    repo.versions.append(
        CATALOGUE.version_model.model_validate(
            {"kind": "filing_windows", "effective_from": "2026-09-01", "values": {"filing_hours": 12}}
        )
    )
    with time_machine.travel(sh(2026, 9, 29, 10), tick=False):
        w = await world(repo)
        ctx, uow = context(repo)
        sent = sh(2026, 9, 29, 6)
        emergency = await admissions.file(
            ctx,
            HOSPITAL,
            admission(
                w["decentral"],
                sh(2026, 9, 29, 9),
                emergency=True,
                able_to_pay=True,
                sent_to_hospital_at=sent.isoformat(),
            ),
        )
        slip = {"person_id": w["central"], "from_facility_id": "TH01", "to_facility_id": "H001"}
        await referrals.create(
            ctx, CLINIC, ReferralIn.model_validate({**slip, "first_visit_at": sh(2026, 9, 29, 8).isoformat()})
        )
        routine = await admissions.file(ctx, HOSPITAL, admission(w["central"], sh(2026, 9, 29, 9)))
    assert emergency["filing_due_at"] == sent + timedelta(hours=12)
    assert routine["filing_due_at"] == sh(2026, 9, 29, 21)
    assert not uow.published(EmergencyAssistanceReferred)  # able to pay: no referral to the fund
    cited = {a.details["policy_version"] for a in uow.audits if a.action == "admission.file"}
    assert cited == {"filing_windows:any:any:2026-09-01"}


def _queries(kind: type) -> dict[str, list[str]]:
    """A repository's public methods and the keyword parameters each one takes."""
    return {
        name: [p.name for p in inspect.signature(member).parameters.values() if p.kind is p.KEYWORD_ONLY]
        for name, member in vars(kind).items()
        if not name.startswith("_") and callable(member)
    }


def test_the_fast_tier_runs_on_the_port_the_adapter_implements() -> None:
    """The in-memory repository and the PostgreSQL one answer the same typed queries, so a
    use case decided here is the one the HTTP tests run on real infrastructure."""
    port = _queries(Repository)
    assert _queries(InMemoryRepository) == port
    assert _queries(SqlRepository) == port
