"""The use-case tier: LJ-7 self-pay rule combinations decided on an in-memory repository
with a unit of work that records events, deadlines and decision-log entries — thresholds,
cumulative scopes and versions in milliseconds. The read model is fed by referral's events
through the same ``read_model`` use cases the consumer runs; the HTTP suites prove the wiring
on real infrastructure (test_api_selfpay.py keeps the 199.99 / 200.00 / 1000.01 boundaries,
the review steps and the denials)."""

from __future__ import annotations

import inspect
from datetime import timedelta
from decimal import Decimal
from typing import Any

import time_machine

from consent.adapters.repository import SqlRepository
from consent.domain.parameters import CATALOGUE
from consent.service import read_model, selfpay
from consent.service.ports import Ctx, Repository
from consent.service.selfpay import ItemCategory, ReviewOutcome
from medaid_shared import clock
from medaid_shared.authz import Principal, Role
from medaid_shared.contracts.consent import SelfPayDecided, SelfPayProposed

from .fakes import InMemoryRepository, context
from .helpers import admission_event, capacity, catalogue_event, facility_event, meta_for, person_event

HOSPITAL = Principal("his-1", Role.HOSPITAL, ("facility:H001",))
PATIENT = Principal("P1", Role.PATIENT)
HEAD = Principal("head-I01", Role.INSTITUTION, ("institution:I01",))


async def world(*codes: str, admissions: tuple[str, ...] = ("A1",)) -> InMemoryRepository:
    """P1 (centralized, capable), admitted at H001, and out-of-catalogue items ``codes``."""
    repo = InMemoryRepository()
    await read_model.apply_facility(repo, facility_event(), meta_for(facility_event()))
    person = person_event("P1", capacity=capacity(True))
    await read_model.apply_person(repo, person, meta_for(person))
    for admission_id in admissions:
        adm = admission_event(admission_id, "P1")
        await read_model.apply_admission(repo, adm, meta_for(adm))
    for code in codes or ("X-01",):
        entry = catalogue_event(code, False)
        await read_model.apply_catalogue_item(repo, entry, meta_for(entry))
    return repo


def version(effective_from: str, **values: Any) -> Any:
    return CATALOGUE.version_model.model_validate(
        {"kind": "self_pay_review", "effective_from": effective_from, "values": values}
    )


async def propose(ctx: Ctx, price: str, code: str = "X-01", admission: str = "A1") -> dict[str, Any]:
    return await selfpay.propose(
        ctx,
        HOSPITAL,
        admission,
        item_code=code,
        item_name=f"item {code}",
        category=ItemCategory.DRUG,
        unit_price=Decimal(price),
        quantity=1,
        necessity="低蛋白血症",
        attending_doctor="doc-1",
        emergency=False,
    )


async def test_lj_7_3_a_single_cost_of_1000_00_is_reviewed_but_not_filed_with_civil_affairs() -> None:
    repo = await world()
    ctx, uow = context(repo)
    it = await propose(ctx, "1000.00")
    assert it["needs_review"] and not it["needs_civil_affairs"] and it["status"] == "awaiting_consent_form"
    (proposed,) = uow.published(SelfPayProposed)
    assert proposed.needs_review and not proposed.needs_civil_affairs_filing
    assert not uow.published(SelfPayDecided)  # nothing is paid before the review
    (audit,) = [a for a in uow.audits if a.action == "self_pay.propose"]
    assert audit.details["parameters_version"] == "self_pay_review:any:any:default"


async def test_lj_7_3_the_admissions_cumulative_crossing_2000_is_filed_and_each_admission_counts_its_own() -> None:
    repo = await world("X-01", "X-02", "X", "Y", "Y-7", admissions=("A1", "A2"))
    ctx, _ = context(repo)
    first = await propose(ctx, "900.00", "X-01")
    second = await propose(ctx, "900.00", "X-02")
    small = await propose(ctx, "150.00", "X")  # below the review threshold, still self-pay: it counts
    assert not first["needs_civil_affairs"] and not second["needs_civil_affairs"]
    assert small["cumulative_after"] == "1950.00"
    exactly = await propose(ctx, "50.00", "Y")  # 2000.00 is not over 2000
    assert exactly["cumulative_after"] == "2000.00" and exactly["status"] == "recorded_below_threshold"
    crossing = await propose(ctx, "200.00", "Y-7")
    assert crossing["cumulative_after"] == "2200.00" and crossing["needs_civil_affairs"]
    assert any("cumulative" in reason for reason in crossing["reasons"])
    other = await propose(ctx, "200.00", admission="A2")  # the default scope is the admission
    assert other["cumulative_after"] == "200.00" and not other["needs_civil_affairs"]


async def test_lj_7_3_a_rejected_item_leaves_the_cumulative() -> None:
    repo = await world()
    ctx, uow = context(repo)
    big = await propose(ctx, "1900.00")
    await selfpay.sign_form(ctx, PATIENT, big["item_id"], major_public_interest_reason=None, signature_ref=None)
    await selfpay.initial_review(ctx, HEAD, big["item_id"], outcome=ReviewOutcome.REJECTED, reason="not needed")
    (decided,) = uow.published(SelfPayDecided)
    assert decided.outcome == "rejected" and decided.rules == ["LJ-7.2", "LJ-7.4"]
    nxt = await propose(ctx, "200.00")
    assert nxt["cumulative_before"] == "0.00" and not nxt["needs_civil_affairs"]


async def test_lj_7_3_the_calendar_year_scope_counts_every_admission_from_its_effective_date() -> None:
    repo = await world(admissions=("A1", "A2"))
    ctx, _ = context(repo)
    repo.versions.append(version("2026-07-01", cumulative_scope="calendar_year"))
    first = await propose(ctx, "1500.00")
    assert first["parameters_version"] == "self_pay_review:any:any:default" and first["cumulative_scope"] == "admission"
    before_july = await propose(ctx, "600.00", admission="A2")
    assert not before_july["needs_civil_affairs"]
    with time_machine.travel(clock.now() + timedelta(days=20), tick=False):
        per_year = await propose(ctx, "600.00", admission="A2")
    assert per_year["parameters_version"] == "self_pay_review:any:any:2026-07-01"
    assert per_year["cumulative_scope"] == "calendar_year"
    assert per_year["cumulative_after"] == "2700.00" and per_year["needs_civil_affairs"]


async def test_lj_7_0_lj_7_3_one_item_split_below_200_is_one_single_cost_within_the_window() -> None:
    """100 proposals of 199.99 of one item: the second makes the single cost 399.98 (LJ-7.0:
    reviewed), the sixth 1,199.94 (LJ-7.3: filed); a day later the item starts afresh."""
    repo = await world(admissions=("A1", "A2"))
    ctx, _ = context(repo)
    items = [await propose(ctx, "199.99") for _ in range(100)]
    assert items[0]["status"] == "recorded_below_threshold"
    assert all(i["needs_review"] and i["status"] == "awaiting_consent_form" for i in items[1:])
    assert items[1]["single_cost"] == "399.98" and "LJ-7.1" in items[1]["rules"]
    assert not items[4]["needs_civil_affairs"] and items[5]["single_cost"] == "1199.94"
    assert all(i["needs_civil_affairs"] and "LJ-7.3" in i["rules"] for i in items[5:])
    assert items[-1]["cumulative_after"] == "19999.00"
    with time_machine.travel(clock.now() + timedelta(hours=25), tick=False):
        fresh = await propose(ctx, "199.99", admission="A2")
    assert fresh["status"] == "recorded_below_threshold" and fresh["single_cost"] == "199.99"


async def test_lj_7_3_different_items_below_200_count_unless_the_version_says_otherwise() -> None:
    """Eleven different items of 199.99 take the cumulative to 2,199.89 > 2,000: the
    eleventh is reviewed and filed although below 200; with ``below_threshold_counts`` off
    (a new version) items below 200 neither count nor are reviewed."""
    codes = [f"SPLIT-{n}" for n in range(12)]
    repo = await world(*codes)
    ctx, _ = context(repo)
    items = [await propose(ctx, "199.99", code) for code in codes[:11]]
    assert all(i["status"] == "recorded_below_threshold" for i in items[:10])
    crossing = items[10]
    assert crossing["cumulative_after"] == "2199.89" and crossing["needs_review"] and crossing["needs_civil_affairs"]
    assert crossing["status"] == "awaiting_consent_form" and crossing["rules"][-1] == "LJ-7.3"
    repo.versions.append(version("2026-06-16", below_threshold_counts=False))
    with time_machine.travel(clock.now() + timedelta(days=1), tick=False):
        off = await propose(ctx, "199.99", codes[11])
    assert off["status"] == "recorded_below_threshold" and off["cumulative_before"] == "199.99"


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
