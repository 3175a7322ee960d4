"""The fast tier of the fund's own area: the fund and its ledger (GD-3), pre-allocation and
its year-end check (GD-7), the committee and the yearly training (GD-8), the reference data
and its versions (GD-12, GD-13.4, GD-13.5), reports and the registration delivery (GD-19) —
rule combinations decided by the use cases on the in-memory repository, with a unit of work
that records events, deadlines and decision-log entries. The HTTP tests prove the wiring."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from emergency_fund.domain import ledger
from emergency_fund.domain.ledger import FUND_CASH, InflowSource, TxnKind
from emergency_fund.domain.records import Case, Disbursement, Facility, RefundDemand, RefundPayment
from emergency_fund.service import funds, reference, reports
from emergency_fund.service.base import Env, post
from emergency_fund.service.commands import (
    CommitteeMemberCmd,
    CostAverageImport,
    CostAverageRow,
    DiseaseCmd,
    FacilityCmd,
    FundCreate,
    InflowCmd,
    LivingStandardCmd,
    PreallocationCmd,
    PreallocationReturnCmd,
    TrainingCmd,
)
from medaid_shared.authz import Principal, Role
from medaid_shared.contracts.emergency_fund import FundPreallocationBelowMinimum, FundTrainingDue
from medaid_shared.errors import Conflict, Forbidden, NotFound, RuleViolation, ValidationFailed
from medaid_shared.fakes import FakeUnitOfWork
from medaid_shared.pagination import PageRequest
from medaid_shared.parameters import ParameterVersion
from tests_emergency_fund.helpers import parameter_version
from tests_emergency_fund.memory import MemoryRepository, context

CITY = "liuzhou"
H1, H2 = "LZ-H1", "LZ-H2"
AGENCY = Principal("agency-lz", Role.FUND_AGENCY, (f"city:{CITY}",))
FINANCE = Principal("finance-lz", Role.FINANCE, (f"city:{CITY}",))
HEALTH = Principal("health-lz", Role.HEALTH_BUREAU, (f"city:{CITY}",))
AUDITOR = Principal("auditor-lz", Role.AUDITOR, (f"city:{CITY}",))
HOSPITAL = Principal("doctor-h1", Role.HOSPITAL, (f"facility:{H1}",))
NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)  # 10:00 in Liuzhou
PAGE = PageRequest(limit=50)


@pytest.fixture(autouse=True)
def answers_are_documented() -> None:
    """No HTTP here: the fast tier needs no service harness."""


def as_(env: Env, principal: Principal) -> Env:
    """The same repository and unit of work, another caller."""
    return replace(env, principal=principal)


async def fund_with_hospitals() -> tuple[Env, MemoryRepository, FakeUnitOfWork]:
    env, repo, uow = context(principal=AGENCY)
    env.now = NOW
    await funds.create_fund(env, FundCreate(city=CITY, name="柳州市疾病应急救助基金", agency_name="柳州医保中心"))
    for fid in (H1, H2):
        await repo.facilities.add(Facility(facility_id=fid, city=CITY, name=fid, source="agency", updated_at=NOW))
    await repo.facilities.add(Facility(facility_id="NN-H9", city="nanning", name="x", source="agency", updated_at=NOW))
    return env, repo, uow


async def inflow(env: Env, amount: str, source: InflowSource = InflowSource.CENTRAL_TRANSFER, ref: str = "R1") -> None:
    cmd = InflowCmd(source=source, amount=Decimal(amount), fiscal_year=2026, reference=ref)
    await funds.record_inflow(as_(env, FINANCE), CITY, cmd)


# ---------------------------------------------------------------- GD-3: the fund and its ledger


async def test_gd_3_one_fund_per_city_and_its_yearly_deadlines() -> None:
    env, _, uow = await fund_with_hospitals()
    with pytest.raises(Conflict) as refused:
        await funds.create_fund(env, FundCreate(city=CITY, name="again", agency_name="again"))
    assert (refused.value.rule, refused.value.field) == ("GD-3", "city")
    kinds = {kind for kind, _ in uow.open_deadlines()}
    assert kinds == {funds.TRAINING_KIND, funds.PREALLOCATION_CHECK, reports.REGISTRATION_EXPORT}
    assert [a.action for a in uow.audits] == ["fund.create"]


async def test_gd_3_a_city_body_creates_only_its_own_citys_fund() -> None:
    env, _, _ = context(principal=AGENCY)
    with pytest.raises(Forbidden):
        await funds.create_fund(env, FundCreate(city="nanning", name="n", agency_name="n"))


async def test_gd_3_an_inflow_posts_one_balanced_transaction_under_the_citys_lock() -> None:
    env, repo, _ = await fund_with_hospitals()
    await inflow(env, "1000.00")
    await inflow(env, "250.00", InflowSource.DONATION, "D1")
    (txn, _) = list(repo.ledger_txns)
    entries = [e for e in repo.ledger_entries if e.txn_id == txn.id]
    assert sum(e.amount for e in entries) == 0 and len(entries) == 2
    assert (txn.kind, txn.created_by, txn.source_ref) == ("inflow", "finance-lz", "R1")
    assert repo.locks.count(f"fund.{CITY}") == 2
    summary = await funds.fund_summary(as_(env, AUDITOR), CITY)
    assert summary["cash"] == "1250.00"
    assert summary["income"] == {"central_transfer": "1000.00", "donation": "250.00"}
    assert summary["trial_balance"] == "0.00"


async def test_gd_3_an_inflow_is_booked_once_per_source_and_reference() -> None:
    env, _, _ = await fund_with_hospitals()
    await inflow(env, "1000.00")
    with pytest.raises(Conflict) as refused:
        await inflow(env, "1000.00")
    assert (refused.value.rule, refused.value.field) == ("GD-3", "reference")
    await inflow(env, "1000.00", InflowSource.PROVINCIAL_TRANSFER)  # another source, same number


async def test_gd_3_no_fund_no_balances() -> None:
    env, _, _ = context(principal=AUDITOR)
    with pytest.raises(NotFound) as missing:
        await funds.fund_summary(env, CITY)
    assert missing.value.rule == "GD-3"


async def test_gd_3_the_ledger_lists_the_latest_first_and_by_account() -> None:
    env, _, _ = await fund_with_hospitals()
    await inflow(env, "1000.00")
    await funds.preallocate(env, CITY, PreallocationCmd(facility_id=H1, year=2026, amount=Decimal("300.00")))
    every = await funds.ledger_view(env, CITY, None, PAGE)
    assert sorted(t["kind"] for t in every) == ["inflow", "preallocation"]
    assert [t["txn_id"] for t in every] == sorted((t["txn_id"] for t in every), reverse=True)
    touching = await funds.ledger_view(env, CITY, f"preallocated:{H1}", PAGE)
    assert [t["kind"] for t in touching] == ["preallocation"]
    assert sorted(e["amount"] for e in touching[0]["entries"]) == ["-300.00", "300.00"]


# ---------------------------------------------------------------- GD-7: pre-allocation


async def test_gd_3_gd_7_a_preallocation_never_overdraws_the_fund() -> None:
    env, repo, _ = await fund_with_hospitals()
    await inflow(env, "100.00")
    with pytest.raises(Conflict) as refused:
        await funds.preallocate(env, CITY, PreallocationCmd(facility_id=H1, year=2026, amount=Decimal("100.01")))
    assert refused.value.rule == "GD-3"
    assert not list(repo.preallocations)


async def test_gd_7_a_preallocation_goes_to_a_hospital_of_the_city() -> None:
    env, _, _ = await fund_with_hospitals()
    await inflow(env, "1000.00")
    for fid in ("NN-H9", "UNKNOWN"):
        with pytest.raises(RuleViolation) as refused:
            await funds.preallocate(env, CITY, PreallocationCmd(facility_id=fid, year=2026, amount=Decimal("1.00")))
        assert (refused.value.rule, refused.value.field) == ("GD-7", "facility_id")


async def test_gd_7_another_booking_year_is_a_correction_with_its_reason() -> None:
    env, _, uow = await fund_with_hospitals()
    await inflow(env, "1000.00")
    with pytest.raises(RuleViolation) as refused:
        await funds.preallocate(env, CITY, PreallocationCmd(facility_id=H1, year=2025, amount=Decimal("10.00")))
    assert (refused.value.rule, refused.value.field) == ("GD-7", "year")
    cmd = PreallocationCmd(facility_id=H1, year=2025, amount=Decimal("10.00"), correction_reason="late booking")
    status, answer = await funds.preallocate(env, CITY, cmd)
    assert (status, answer["year"], answer["kind"]) == (201, 2025, "allocation")
    corrected = [a for a in uow.audits if a.action == "fund.preallocation_year_corrected"]
    assert [(a.reason, a.details["booked"]) for a in corrected] == [("late booking", 2026)]


async def test_gd_7_a_return_gives_back_no_more_than_the_advance() -> None:
    env, _, _ = await fund_with_hospitals()
    await inflow(env, "1000.00")
    await funds.preallocate(env, CITY, PreallocationCmd(facility_id=H1, year=2026, amount=Decimal("400.00")))
    with pytest.raises(Conflict) as refused:
        await funds.return_preallocation(
            env, CITY, PreallocationReturnCmd(facility_id=H1, year=2026, amount=Decimal("400.01"))
        )
    assert refused.value.rule == "GD-7"
    await funds.return_preallocation(
        env, CITY, PreallocationReturnCmd(facility_id=H1, year=2026, amount=Decimal("150"))
    )
    summary = await funds.fund_summary(env, CITY)
    assert (summary["cash"], summary["preallocated"]) == ("750.00", {H1: "250.00"})


async def test_gd_7_the_year_end_check_flags_a_shortfall_and_a_correction_clears_it() -> None:
    env, repo, uow = await fund_with_hospitals()
    await inflow(env, "1000.00")
    await funds.preallocate(env, CITY, PreallocationCmd(facility_id=H1, year=2026, amount=Decimal("500.00")))
    await funds.on_preallocation_check(env, {"payload": {"city": CITY, "year": 2026}})
    check = await repo.preallocation_checks.get((CITY, 2026))
    assert check is not None and not check.compliant and check.flagged_at == NOW
    assert (check.required_minimum, check.shortfall) == (Decimal("800.00"), Decimal("300.00"))
    (announced,) = uow.published(FundPreallocationBelowMinimum)
    assert (announced.city, announced.year, announced.shortfall) == (CITY, 2026, Decimal("300.00"))
    assert (funds.PREALLOCATION_CHECK, f"{CITY}:2027") in uow.open_deadlines()
    # SPEC 0.5: a correction into the checked year takes the check again; the flag goes.
    env.now = datetime(2027, 1, 5, 2, 0, tzinfo=UTC)
    cmd = PreallocationCmd(facility_id=H2, year=2026, amount=Decimal("300.00"), correction_reason="booked late")
    await funds.preallocate(env, CITY, cmd)
    check = await repo.preallocation_checks.get((CITY, 2026))
    assert check is not None and check.compliant and check.flagged_at is None
    assert len(uow.published(FundPreallocationBelowMinimum)) == 1
    answer = await funds.minimum_check(env, CITY, 2026)
    assert answer["compliant"] and answer["year_end_check"]["compliant"]


async def test_gd_7_the_plan_suggests_from_last_cycles_use_net_of_refunds() -> None:
    env, repo, _ = await fund_with_hospitals()
    await inflow(env, "5000.00")
    # 2025: 1000 paid to H1 for application A1, of which 100 came back after a late identification
    paid_2025 = datetime(2025, 7, 1, tzinfo=UTC)
    split = ledger.disburse(H1, Decimal("1000.00"), 2025, Decimal("0"), Decimal("5000.00"), "A1")
    txn_id = await post(env, CITY, split.transaction)
    await repo.disbursements.add(
        Disbursement(
            "FD1", "A1", CITY, H1, Decimal("1000.00"), Decimal("0"), Decimal("1000.00"), txn_id, paid_2025, "f"
        )
    )
    await repo.refund_demands.add(
        RefundDemand("RD1", "C1", "A1", CITY, H1, Decimal("100.00"), Decimal("100.00"), "late", "paid", NOW, "a")
    )
    await repo.refund_payments.add(RefundPayment("RP1", "RD1", Decimal("100.00"), "r", "TX-R", NOW, "h"))
    plan = await funds.preallocation_plan(env, CITY, 2026)
    assert plan["hospitals"] == [
        {"facility_id": H1, "last_cycle_use": "900.00", "refunded": "100.00", "suggested": "720.00"}
    ]
    assert plan["suggested_total"] == "720.00"
    assert plan["minimum_check_if_applied"]["compliant"] is False  # 720 of 5000 × 0.8
    assert plan["refunds_parameters_version"].endswith(":default")
    # the versioned interpretation: a refund counts in the cycle it came back (2026), not 2025's
    version = parameter_version("preallocation_check", "2026-01-01", preallocation_refunds_reduce="refund_cycle")
    repo.versions.append(ParameterVersion(**version))
    plan = await funds.preallocation_plan(env, CITY, 2026)
    assert [(h["last_cycle_use"], h["refunded"]) for h in plan["hospitals"]] == [("1000.00", "0.00")]
    assert not plan["refunds_parameters_version"].endswith(":default")


async def test_gd_7_reconciliation_sets_claims_against_the_advance() -> None:
    env, _, _ = await fund_with_hospitals()
    await inflow(env, "5000.00")
    await funds.preallocate(env, CITY, PreallocationCmd(facility_id=H1, year=2026, amount=Decimal("600.00")))
    split = ledger.disburse(H1, Decimal("800.00"), 2026, Decimal("600.00"), Decimal("4400.00"), "A2")
    await post(env, CITY, split.transaction)
    (h1,) = (await funds.reconciliation(env, CITY, 2026))["hospitals"]
    assert h1 == {
        "facility_id": H1,
        "preallocated": "600.00",
        "returned": "0.00",
        "approved_claims": "800.00",
        "set_against_advance": "600.00",
        "paid_from_fund": "200.00",
        "advance_outstanding": "0.00",
    }


# ---------------------------------------------------------------- GD-8: organisation


async def test_gd_8_the_committee_and_agency_are_read_by_the_citys_hospitals_too() -> None:
    env, _, _ = await fund_with_hospitals()
    for name, on in (("B", date(2026, 3, 1)), ("A", date(2026, 1, 1))):
        cmd = CommitteeMemberCmd(name=name, affiliation="department", appointed_on=on)
        await funds.add_committee_member(as_(env, HEALTH), CITY, cmd)
    seen = await funds.organisation(as_(env, HOSPITAL), CITY)
    assert seen["handling_agency"] == "柳州医保中心"
    assert [m["name"] for m in seen["supervisory_committee"]] == ["A", "B"]
    assert all("created_by" not in m for m in seen["supervisory_committee"])


async def test_gd_8_a_training_held_closes_the_years_reminder() -> None:
    env, _, uow = await fund_with_hospitals()
    with pytest.raises(RuleViolation) as refused:
        await funds.record_training(env, CITY, TrainingCmd(held_on=date(2026, 6, 2), topic="t", facility_ids=[H1]))
    assert (refused.value.rule, refused.value.field) == ("GD-8", "held_on")
    await funds.record_training(env, CITY, TrainingCmd(held_on=date(2026, 5, 20), topic="t", facility_ids=[H1, H2]))
    assert (funds.TRAINING_KIND, f"{CITY}:2026", "met") in uow.closed
    status = await funds.training_status(env, CITY, 2026)
    assert status["held"] and not status["reminder_due"] and len(status["trainings"]) == 1


async def test_gd_8_the_reminder_fires_only_for_a_year_without_training() -> None:
    env, _, uow = await fund_with_hospitals()
    due = datetime(2026, 11, 1, 1, 0, tzinfo=UTC)
    await funds.on_training_due(env, {"payload": {"city": CITY, "year": 2026}, "due_at": due})
    assert [(e.city, e.year) for e in uow.published(FundTrainingDue)] == [(CITY, 2026)]
    assert (funds.TRAINING_KIND, f"{CITY}:2027") in uow.open_deadlines()
    await funds.record_training(env, CITY, TrainingCmd(held_on=date(2026, 5, 20), topic="t", facility_ids=[H1]))
    await funds.on_training_due(env, {"payload": {"city": CITY, "year": 2026}, "due_at": due})
    assert len(uow.published(FundTrainingDue)) == 1


# ---------------------------------------------------------------- reference data and its versions


async def test_a_hospital_registered_then_changed_and_moved_only_by_both_cities() -> None:
    env, repo, _ = context(principal=AGENCY)
    status, _ = await reference.put_facility(env, "H7", FacilityCmd(city=CITY, name="first"))
    again, answer = await reference.put_facility(env, "H7", FacilityCmd(city=CITY, name="second", ownership="public"))
    assert (status, again, answer["name"], answer["ownership"]) == (201, 200, "second", "public")
    await repo.facilities.put(Facility("H8", "nanning", "other", "referral", NOW))
    with pytest.raises(Forbidden):
        await reference.put_facility(env, "H8", FacilityCmd(city=CITY, name="taken"))


async def test_gd_12_only_urgent_critical_diseases_and_a_city_adds_only_its_own() -> None:
    env, _, _ = context(principal=HEALTH)
    with pytest.raises(RuleViolation) as refused:
        await reference.add_disease(env, _disease(CITY, urgent_critical=False))
    assert (refused.value.rule, refused.value.field) == ("GD-12", "urgent_critical")
    with pytest.raises(Forbidden):
        await reference.add_disease(env, _disease("nanning"))
    with pytest.raises(ValidationFailed):
        await reference.add_disease(env, _disease(CITY, effective_to=date(2025, 1, 1)))
    await reference.add_disease(env, _disease("national", code="I21"))
    await reference.add_disease(env, _disease(CITY, code="T71"))
    assert [d["code"] for d in await reference.list_diseases(env, None, PAGE)] == ["I21"]
    assert [d["scope"] for d in await reference.list_diseases(env, CITY, PAGE)] == [CITY, "national"]


def _disease(
    scope: str, *, code: str = "X1", urgent_critical: bool = True, effective_to: date | None = None
) -> DiseaseCmd:
    return DiseaseCmd(
        code=code,
        name="n",
        scope=scope,
        urgent_critical=urgent_critical,
        effective_from=date(2026, 1, 1),
        effective_to=effective_to,
        basis="committee resolution",
    )


async def test_gd_13_4_the_average_cost_of_the_year_else_the_latest_within_the_fallback() -> None:
    env, repo, _ = context(principal=AGENCY)
    await repo.facilities.add(Facility(H1, CITY, "h1", "agency", NOW))
    for year, cost in ((2023, "8000"), (2024, "9000")):
        rows = [CostAverageRow(facility_id=H1, disease_code="I21", average_cost=Decimal(cost))]
        await reference.import_cost_averages(env, CostAverageImport(year=year, source="stats", rows=rows))
    found = await reference.average_cost(env, H1, "I21", 2026, 2)
    assert found is not None and (found.year, found.average_cost) == (2024, Decimal("9000"))
    assert await reference.average_cost(env, H1, "I21", 2027, 2) is None
    # a row re-imported replaces the old one
    rows = [CostAverageRow(facility_id=H1, disease_code="I21", average_cost=Decimal("9500"))]
    await reference.import_cost_averages(env, CostAverageImport(year=2024, source="stats v2", rows=rows))
    found = await reference.average_cost(env, H1, "I21", 2024, 0)
    assert found is not None and (found.average_cost, found.source) == (Decimal("9500"), "stats v2")
    assert len(list(repo.cost_averages)) == 2


async def test_gd_13_4_an_import_names_its_unknown_hospital_and_refuses_doubles() -> None:
    env, repo, _ = context(principal=AGENCY)
    await repo.facilities.add(Facility(H1, CITY, "h1", "agency", NOW))
    known = CostAverageRow(facility_id=H1, disease_code="I21", average_cost=Decimal("1"))
    unknown = CostAverageRow(facility_id="NOPE", disease_code="I21", average_cost=Decimal("1"))
    with pytest.raises(ValidationFailed) as refused:
        await reference.import_cost_averages(env, CostAverageImport(year=2026, source="s", rows=[known, unknown]))
    assert refused.value.field == "rows.1.facility_id"
    with pytest.raises(ValidationFailed) as doubled:
        await reference.import_cost_averages(env, CostAverageImport(year=2026, source="s", rows=[known, known]))
    assert doubled.value.field == "rows"
    assert not list(repo.cost_averages)


async def test_gd_13_5_the_living_standard_in_force_is_the_latest_effective_by_the_day() -> None:
    env, _, _ = context(principal=AGENCY)
    for on, amount in ((date(2025, 1, 1), "800"), (date(2026, 7, 1), "900")):
        cmd = LivingStandardCmd(monthly_amount=Decimal(amount), effective_from=on, source="gazette")
        await reference.set_living_standard(env, CITY, cmd)
    june = await reference.living_standard_on(env, CITY, date(2026, 6, 30))
    july = await reference.living_standard_on(env, CITY, date(2026, 7, 1))
    assert june is not None and july is not None
    assert (june.monthly_amount, july.monthly_amount) == (Decimal("800"), Decimal("900"))
    assert await reference.living_standard_on(env, CITY, date(2024, 12, 31)) is None
    restated = LivingStandardCmd(monthly_amount=Decimal("910"), effective_from=date(2026, 7, 1), source="corrected")
    await reference.set_living_standard(env, CITY, restated)
    listed = await reference.list_living_standards(env, CITY, PAGE)
    assert [s["monthly_amount"] for s in listed] == ["800.00", "910.00"]


# ---------------------------------------------------------------- reports and the registration delivery (GD-19)


async def test_fund_use_per_hospital_and_month_in_the_callers_cities() -> None:
    env, repo, _ = context(principal=AUDITOR)
    for i, (fid, at, amount) in enumerate(
        ((H1, datetime(2026, 1, 31, 17, tzinfo=UTC), "100"), (H1, datetime(2026, 2, 3, tzinfo=UTC), "50"))
    ):
        d = Disbursement(f"FD{i}", f"A{i}", CITY, fid, Decimal(amount), Decimal(0), Decimal(amount), "T", at, "f")
        await repo.disbursements.add(d)
    use = await reports.fund_use(env, None, 2026)
    assert [(m["month"], m["amount"]) for m in use["months"]] == [(2, "150")]  # 01-31 17:00 UTC is February 1 locally
    assert use["total"] == "150.00"
    with pytest.raises(Forbidden):
        await reports.fund_use(env, "nanning", 2026)


def _case(case_id: str, disease_code: str = "I21") -> Case:
    return Case(
        id=case_id,
        city=CITY,
        facility_id=H1,
        source="hospital",
        patient_ref="P1",
        admitted_at=datetime(2026, 5, 1, tzinfo=UTC),
        identity_status="identified",
        emergency_hours=72,
        state="open",
        created_at=NOW,
        created_by="doctor-h1",
        updated_at=NOW,
        disease_code=disease_code,
    )


async def test_gd_19_a_delivery_carries_only_what_changed_and_chains_its_sequence() -> None:
    env, repo, uow = context(principal=AGENCY)
    env.now = NOW
    await repo.facilities.add(Facility(H1, CITY, "h1", "agency", NOW))
    await repo.cases.add(_case("C1"))
    first = await reports.deliver_registrations(env, CITY)
    assert first is not None and (first.seq, first.previous_seq, first.record_ids) == (1, None, ["C1"])
    assert await reports.deliver_registrations(env, CITY) is None  # nothing changed, no file
    await repo.cases.add(_case("C2"))
    await repo.cases.update("C1", waiver_amount=Decimal("10.00"))
    second = await reports.deliver_registrations(env, CITY)
    assert second is not None and (second.seq, second.previous_seq, second.record_ids) == (2, 1, ["C1", "C2"])
    assert repo.locks.count(f"registration-export:{CITY}") == 3
    listed = await reports.registration_batches(env, CITY, 1, 10)
    assert [b["seq"] for b in listed["items"]] == [2] and listed["next_cursor"] == "2"
    assert [a.action for a in uow.audits] == ["export.registrations_delivered"] * 2


async def test_gd_19_sp_0_4_a_delivered_file_shows_the_diagnosis_to_the_agency_only() -> None:
    env, repo, _ = context(principal=AGENCY)
    await repo.cases.add(_case("C1", "I21"))
    batch = await reports.deliver_registrations(env, CITY)
    assert batch is not None
    assert "I21" in (await reports.registration_batch_file(env, batch.id)).content
    audited = await reports.registration_batch_file(as_(env, AUDITOR), batch.id)
    assert "I21" not in audited.content and audited.sha256 != batch.sha256
    with pytest.raises(NotFound):
        await reports.registration_batch_file(env, "RB-missing")


async def test_gd_3_balances_come_from_the_ledger_only() -> None:
    env, repo, _ = await fund_with_hospitals()
    await inflow(env, "70.00")
    await post(env, CITY, ledger.inflow(InflowSource.CITY_BUDGET, Decimal("30.00"), 2026))
    assert await repo.account_balances(CITY, [FUND_CASH]) == {FUND_CASH: Decimal("100.00")}
    assert (await repo.totals_of_kind(CITY, TxnKind.INFLOW.value, 2026))[FUND_CASH] == Decimal("100.00")
