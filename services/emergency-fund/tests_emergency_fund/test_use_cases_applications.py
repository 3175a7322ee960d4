"""The use-case tier of applications, notices and refunds: rule combinations (GD-20.2's
review steps and their deadlines, GD-21's notice term and disbursement guards, GD-16.4's
withdrawal and refund demands) decided on the in-memory repository with a unit of work that
records events, deadlines and decision-log entries, in milliseconds. The HTTP suites
(test_api_workflow.py, test_api_refunds.py, test_notice_term.py) prove the wiring: routes,
role × action, SQL and the ledger on PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from emergency_fund.domain.ledger import FUND_CASH, preallocated_account
from emergency_fund.domain.records import (
    Application,
    ApplicationCase,
    ApplicationStep,
    Case,
    Facility,
    Fund,
    LedgerEntry,
    Notice,
    RefundDemand,
)
from emergency_fund.domain.workflow import AppState, Step, deadline_kind, mask_unidentified
from emergency_fund.service import applications, public, refunds
from emergency_fund.service.base import Env, found
from emergency_fund.service.cases import CaseState
from emergency_fund.service.commands import (
    AgencyReviewCmd,
    ApplicationCreate,
    CoReviewCmd,
    FinanceRejectCmd,
    RefundPaymentCmd,
    ReviewCmd,
    WriteOffCmd,
)
from medaid_shared.authz import Principal, Role
from medaid_shared.calendar import Due
from medaid_shared.contracts.emergency_fund import (
    FundApplicationReviewed,
    FundApplicationSubmitted,
    FundDisbursed,
    FundRefundDemanded,
    FundRefundOverdue,
    FundRefundRecorded,
    FundStepOverdue,
    PublicNoticePublished,
)
from medaid_shared.errors import Conflict, Forbidden, RuleViolation, ValidationFailed
from medaid_shared.fakes import FakeUnitOfWork, Scheduled
from medaid_shared.pagination import PageRequest
from medaid_shared.responses import wire_instant
from tests_emergency_fund.memory import MemoryRepository, context

CITY = "C01"
HOSPITAL = Principal("his-1", Role.HOSPITAL, ("facility:H001",))
OTHER_HOSPITAL = Principal("his-2", Role.HOSPITAL, ("facility:H002",))
AGENCY = Principal("agency-1", Role.FUND_AGENCY, (f"city:{CITY}",))
HEALTH = Principal("health-1", Role.HEALTH_BUREAU, (f"city:{CITY}",))
FINANCE = Principal("finance-1", Role.FINANCE, (f"city:{CITY}",))
T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # a Monday, 10:00 in Shanghai


@pytest.fixture(autouse=True)
def answers_are_documented() -> None:
    """No HTTP answers here (the conftest's check runs on the API suites)."""


def case(case_id: str, *, state: str = CaseState.IN_APPLICATION, app_id: str | None = "FA-1", **more: Any) -> Case:
    return Case(
        id=case_id,
        city=CITY,
        facility_id="H001",
        source="hospital",
        patient_ref=f"P-{case_id}",
        admitted_at=T0 - timedelta(days=10),
        identity_status="unidentified",
        emergency_hours=72,
        state=state,
        created_at=T0 - timedelta(days=10),
        created_by="his-1",
        updated_at=T0 - timedelta(days=10),
        application_id=app_id,
        claim_medical=Decimal("800.00"),
        claim_living=Decimal("200.00"),
        **more,
    )


async def world(
    state: AppState = AppState.SUBMITTED,
    *,
    cases: tuple[str, ...] = ("EC-1", "EC-2"),
    approved: Decimal | None = None,
    steps: tuple[Step, ...] = (Step.AGENCY,),
    due_in: timedelta = timedelta(days=14),
) -> MemoryRepository:
    """An application FA-1 of H001 in ``state`` gathering ``cases`` (1000.00 claimed each,
    ``approved`` each when given), with the review ``steps`` started at T0 (the last one open)."""
    repo = MemoryRepository()
    await repo.facilities.add(Facility("H001", CITY, "市第一医院", "agency", T0))
    total = Decimal("1000.00") * len(cases)
    await repo.applications.add(
        Application(
            id="FA-1",
            city=CITY,
            facility_id="H001",
            state=state.value,
            requested_amount=total,
            submitted_at=T0,
            submitted_by="his-1",
            updated_at=T0,
            approved_amount=None if approved is None else approved * len(cases),
        )
    )
    for case_id in cases:
        await repo.cases.add(case(case_id))
        await repo.application_cases.add(
            ApplicationCase("FA-1", case_id, Decimal("800.00"), Decimal("200.00"), Decimal("1000.00"), approved)
        )
    for i, step in enumerate(steps):
        decided = i < len(steps) - 1
        await repo.application_steps.add(
            ApplicationStep(
                "FA-1",
                step.value,
                T0,
                T0 + due_in,
                decided_at=T0 if decided else None,
                outcome="approved" if decided else None,
            )
        )
    return repo


def at(principal: Principal, repo: MemoryRepository, now: datetime = T0) -> tuple[Env, FakeUnitOfWork]:
    """A command of ``principal`` at ``now``; the open review steps' deadlines are running."""
    env, _, uow = context(repo, principal)
    for s in repo.application_steps.where(lambda s: s.decided_at is None):
        kind = deadline_kind(Step(s.step))
        uow.deadlines[(kind, s.application_id)] = Scheduled(kind, s.application_id, Due(s.due_at), "working_days", {})
    return replace(env, now=now), uow


# ---------------------------------------------------------------- GD-20.2 review steps


async def test_gd_20_2_a_rejection_states_its_reason_and_returns_the_cases_to_the_hospital() -> None:
    repo = await world()
    env, uow = at(AGENCY, repo)
    with pytest.raises(ValidationFailed):
        await applications._reject(env, await applications.load_application(env, "FA-1"), Step.AGENCY, "  ")
    code, answer = await applications.agency_review(env, "FA-1", AgencyReviewCmd(outcome="rejected", reason="材料不全"))
    assert code == 200 and answer["state"] == AppState.REJECTED.value
    for case_id in ("EC-1", "EC-2"):
        c = await repo.cases.get(case_id)
        assert c is not None and (c.state, c.application_id, c.claim_medical, c.claimed_at) == (
            "open",
            None,
            None,
            None,
        )
    step = await repo.application_steps.get(("FA-1", "agency"))
    assert step is not None and (step.outcome, step.reviewer_role, step.late) == ("rejected", "fund_agency", False)
    assert (deadline_kind(Step.AGENCY), "FA-1", "met") in uow.closed
    (reviewed,) = uow.published(FundApplicationReviewed)
    assert (reviewed.step, reviewed.outcome, reviewed.city) == ("agency", "rejected", CITY)


async def test_gd_20_2_a_step_decides_only_while_the_application_waits_for_it() -> None:
    repo = await world(AppState.SUBMITTED)
    env, _ = at(HEALTH, repo)
    with pytest.raises(Conflict) as refused:
        await applications.health_review(env, "FA-1", ReviewCmd(outcome="approved"))
    assert refused.value.rule == "GD-20.2"
    env, _ = at(FINANCE, repo)
    with pytest.raises(Conflict):
        await applications.finance_reject(env, "FA-1", FinanceRejectCmd(reason="预算不足"))


async def test_gd_20_2_health_forwards_to_finance_and_starts_its_20_working_days() -> None:
    repo = await world(AppState.AGENCY_APPROVED, approved=Decimal("900.00"), steps=(Step.AGENCY, Step.HEALTH))
    env, uow = at(HEALTH, repo)
    code, answer = await applications.health_review(env, "FA-1", ReviewCmd(outcome="approved"))
    assert code == 200 and answer["state"] == AppState.FORWARDED_TO_FINANCE.value
    finance = await repo.application_steps.get(("FA-1", "finance"))
    assert finance is not None and finance.decided_at is None
    assert finance.due_at == env.calendar.add_working_days(T0, 20).at
    started = uow.deadlines[(deadline_kind(Step.FINANCE), "FA-1")]
    assert started.payload == {"application_id": "FA-1", "step": "finance"}
    (reviewed,) = uow.published(FundApplicationReviewed)
    assert reviewed.approved_amount == Decimal("1800.00")
    assert {s["step"] for s in answer["steps"]} == {"agency", "health", "finance"}


async def test_gd_20_2_a_step_decided_after_its_due_instant_is_late() -> None:
    repo = await world(AppState.AGENCY_APPROVED, approved=Decimal("900.00"), steps=(Step.AGENCY, Step.HEALTH))
    env, uow = at(HEALTH, repo, now=T0 + timedelta(days=15))
    await applications.health_review(env, "FA-1", ReviewCmd(outcome="rejected", reason="超期材料"))
    step = await repo.application_steps.get(("FA-1", "health"))
    assert step is not None and step.late
    assert uow.published(FundApplicationReviewed)[0].late


async def test_gd_20_2_an_overdue_step_is_flagged_and_a_moved_calendar_withdraws_the_flag() -> None:
    repo = await world()
    env, uow = at(AGENCY, repo)
    fired = {"payload": {"application_id": "FA-1", "step": "agency"}, "due_at": T0, "calendar_provisional": True}
    await applications.on_step_overdue(env, fired)
    step = await repo.application_steps.get(("FA-1", "agency"))
    assert step is not None and step.overdue
    (overdue,) = uow.published(FundStepOverdue)
    assert (overdue.city, overdue.step, overdue.calendar_provisional) == (CITY, "agency", True)
    moved = SimpleNamespace(due_at=T0 + timedelta(days=20), calendar_provisional=False, reopened=True)
    await applications.on_step_moved(env, fired, moved)
    step = await repo.application_steps.get(("FA-1", "agency"))
    assert step is not None and (step.overdue, step.due_at, step.calendar_provisional) == (False, moved.due_at, False)


async def test_gd_20_2_co_reviewers_note_an_open_application_and_its_own_cases_only() -> None:
    repo = await world()
    police = Principal("police-1", Role.POLICE, (f"city:{CITY}",))
    env, _ = at(police, repo)
    with pytest.raises(ValidationFailed):
        await applications.co_review(env, "FA-1", CoReviewCmd(note="身份核查中", case_id="EC-9"))
    code, note = await applications.co_review(env, "FA-1", CoReviewCmd(note="身份核查中", case_id="EC-1"))
    assert code == 201 and (note["role"], note["case_id"]) == ("police", "EC-1")
    await repo.applications.update("FA-1", state=AppState.REJECTED.value)
    with pytest.raises(Conflict):
        await applications.co_review(env, "FA-1", CoReviewCmd(note="补充"))


async def test_gd_20_2_lists_show_the_step_each_application_waits_for_in_the_callers_scope() -> None:
    repo = await world()
    env, _ = at(HOSPITAL, repo)
    (listed,) = await applications.list_applications(env, None, PageRequest())
    assert listed["application_id"] == "FA-1" and listed["open_step"]["step"] == "agency"
    env, _ = at(OTHER_HOSPITAL, repo)
    assert await applications.list_applications(env, None, PageRequest()) == []
    with pytest.raises(Forbidden):
        await applications.get_application(env, "FA-1")


# ---------------------------------------------------------------- GD-21 notices and disbursement


async def test_gd_21_each_publisher_publishes_once_masked_for_the_notice_term() -> None:
    repo = await world(AppState.SUBMITTED)
    env, uow = at(AGENCY, repo)
    with pytest.raises(Conflict) as early:
        await applications.publish_notice(env, "FA-1")  # the agency publishes after approving
    assert early.value.rule == "GD-21"
    env, uow = at(HOSPITAL, repo)
    code, notice = await applications.publish_notice(env, "FA-1")
    assert code == 201 and notice["publisher"] == "hospital" and notice["total"] == "2000.00"
    assert notice["entries"][0]["recipient"] == mask_unidentified("EC-1")
    assert notice["ends_at"] == wire_instant(env.calendar.add_working_days(T0, 3).at)
    (published,) = uow.published(PublicNoticePublished)
    assert uow.deadlines[(applications.NOTICE_END, published.notice_id)].basis == "working_days"
    with pytest.raises(Conflict):
        await applications.publish_notice(env, "FA-1")


async def test_gd_21_the_public_board_shows_running_notices_with_the_facility_name() -> None:
    repo = await world(AppState.SUBMITTED)
    env, _ = at(HOSPITAL, repo)
    await applications.publish_notice(env, "FA-1")
    env, _ = at(HOSPITAL, repo, now=T0 + timedelta(hours=1))
    (shown,) = await public.notices(env, None, False, PageRequest())
    assert (shown["facility_name"], shown["status"], shown["rule"]) == ("市第一医院", "running", "GD-21")
    env, _ = at(HOSPITAL, repo, now=T0 + timedelta(days=60))
    assert await public.notices(env, CITY, False, None) == []
    assert await public.notices(env, "C02", True, None) == []


async def notice(repo: MemoryRepository, publisher: str, ends_at: datetime) -> None:
    await repo.notices.add(
        Notice(f"PN-{publisher}", "FA-1", CITY, "H001", publisher, T0, ends_at, 3, [], Decimal("0"), "x")
    )


async def test_gd_21_no_money_before_both_notices_ran_their_full_term() -> None:
    repo = await world(
        AppState.FORWARDED_TO_FINANCE, approved=Decimal("900.00"), steps=(Step.AGENCY, Step.HEALTH, Step.FINANCE)
    )
    env, _ = at(FINANCE, repo, now=T0 + timedelta(days=10))
    await notice(repo, "hospital", T0 + timedelta(days=3))
    with pytest.raises(RuleViolation, match="not yet published by the agency"):
        await applications.disburse(env, "FA-1")
    await notice(repo, "agency", T0 + timedelta(days=10))
    with pytest.raises(RuleViolation, match="agency's public notice ends"):  # its last second still runs
        await applications.disburse(env, "FA-1")


async def test_gd_21_a_disbursed_application_is_not_disbursed_again() -> None:
    repo = await world(AppState.DISBURSED, approved=Decimal("900.00"))
    env, _ = at(FINANCE, repo)
    with pytest.raises(Conflict, match="already disbursed"):
        await applications.disburse(env, "FA-1")


async def test_gd_21_money_paid_before_a_notices_real_end_is_flagged_to_finance() -> None:
    repo = await world(AppState.DISBURSED, approved=Decimal("900.00"))
    await notice(repo, "agency", T0 + timedelta(days=3))
    env, uow = at(FINANCE, repo)
    moved = SimpleNamespace(
        due_at=T0 + timedelta(days=4), previous_due_at=T0 + timedelta(days=3), calendar_provisional=False
    )
    await applications.on_notice_end_moved(env, {"subject": "PN-agency"}, moved)
    app = await repo.applications.get("FA-1")
    n = await repo.notices.get("PN-agency")
    assert app is not None and app.notice_flag == "disbursed_before_real_notice_end"
    assert n is not None and n.ends_at == moved.due_at
    assert [a.action for a in uow.audits] == ["notice.term_moved", "application.flag"]


# ---------------------------------------------------------------- GD-16.4 withdrawal and refunds


async def test_gd_16_4_an_identified_case_leaves_its_application_and_the_totals_follow() -> None:
    repo = await world(AppState.AGENCY_APPROVED, approved=Decimal("900.00"), steps=(Step.AGENCY, Step.HEALTH))
    env, uow = at(AGENCY, repo)
    await applications.withdraw_case(env, found(await repo.cases.get("EC-1"), "case", "EC-1"), "GD-16.4: identified")
    app = await repo.applications.get("FA-1")
    assert app is not None and (app.state, app.requested_amount, app.approved_amount) == (
        "agency_approved",
        Decimal("1000.00"),
        Decimal("900.00"),
    )
    left = await repo.application_cases.get(("FA-1", "EC-1"))
    assert left is not None and (left.withdrawn_reason, left.approved_amount) == ("GD-16.4: identified", 0)
    second = await repo.cases.get("EC-2")
    assert second is not None
    await applications.withdraw_case(env, second, "GD-16.4: identified")
    app = await repo.applications.get("FA-1")
    assert app is not None and app.state == AppState.WITHDRAWN.value
    assert {c[2] for c in uow.closed} == {"cancelled"}


async def test_gd_16_4_a_case_of_a_closed_application_stays_where_it_is() -> None:
    repo = await world(AppState.DISBURSED, approved=Decimal("900.00"))
    env, uow = at(AGENCY, repo)
    await applications.withdraw_case(env, found(await repo.cases.get("EC-1"), "case", "EC-1"), "late")
    left = await repo.application_cases.get(("FA-1", "EC-1"))
    assert left is not None and left.withdrawn_reason is None and not uow.audits


async def paid_world() -> MemoryRepository:
    repo = await world(AppState.DISBURSED, approved=Decimal("900.00"))
    await repo.cases.update("EC-1", state=CaseState.PAID, paid_amount=Decimal("900.00"))
    return repo


async def test_gd_16_4_money_paid_is_demanded_back_once_by_the_versioned_due_date() -> None:
    repo = await paid_world()
    env, uow = at(AGENCY, repo)
    paid = await repo.cases.get("EC-1")
    assert paid is not None
    refund = await refunds.demand(env, paid, "GD-16.4: identified after payment", "IC-1")
    assert (refund.amount, refund.refunded, refund.state) == (Decimal("900.00"), 0, "open")
    assert refund.due_at == env.calendar.add_working_days(T0, 20).at
    assert refund.due_parameters_version is not None
    c = await repo.cases.get("EC-1")
    assert c is not None and c.state == CaseState.REFUND_DEMANDED
    (demanded,) = uow.published(FundRefundDemanded)
    assert (demanded.amount, demanded.facility_id) == (Decimal("900.00"), "H001")
    assert (refunds.REFUND_DUE, refund.id) in uow.open_deadlines()
    with pytest.raises(Conflict):
        await refunds.demand(env, replace(paid, id="EC-1"), "again", None)
    part = await refunds.demand(env, replace(paid, id="EC-2"), "GD-18.1: channel paid", None, amount=Decimal("1"))
    assert part.amount == Decimal("1")


async def demanded(repo: MemoryRepository, **more: Any) -> RefundDemand:
    fields: dict[str, Any] = {"refunded": Decimal("0.00"), "due_at": T0 + timedelta(days=28), **more}
    refund = RefundDemand(
        id="RF-1",
        case_id="EC-1",
        application_id="FA-1",
        city=CITY,
        facility_id="H001",
        amount=Decimal("900.00"),
        reason="GD-16.4",
        state="open",
        demanded_at=T0,
        demanded_by="agency-1",
        **fields,
    )
    await repo.refund_demands.add(refund)
    return refund


async def test_gd_16_4_never_more_is_returned_than_is_still_owed() -> None:
    repo = await paid_world()
    await demanded(repo, refunded=Decimal("600.00"))
    env, _ = at(HOSPITAL, repo)
    with pytest.raises(RuleViolation) as refused:
        await refunds.record_payment(env, "RF-1", RefundPaymentCmd(amount=Decimal("300.01"), reference="退〔2026〕1号"))
    assert (refused.value.rule, refused.value.field) == ("GD-16.4", "amount")
    await repo.refund_demands.update("RF-1", state="refunded")
    with pytest.raises(Conflict):
        await refunds.record_payment(env, "RF-1", RefundPaymentCmd(amount=Decimal("1"), reference="退〔2026〕2号"))


async def test_gd_16_4_an_unpaid_demand_past_due_is_flagged_once_and_a_moved_calendar_withdraws_it() -> None:
    repo = await paid_world()
    await demanded(repo)
    env, uow = at(AGENCY, repo, now=T0 + timedelta(days=29))
    fired = {"payload": {"refund_id": "RF-1"}}
    await refunds.on_refund_due(env, fired)
    await refunds.on_refund_due(env, fired)
    (overdue,) = uow.published(FundRefundOverdue)
    assert overdue.outstanding == Decimal("900.00")
    moved = SimpleNamespace(due_at=T0 + timedelta(days=30), calendar_provisional=False, reopened=True)
    await refunds.on_refund_due_moved(env, fired, moved)
    refund = await repo.refund_demands.get("RF-1")
    assert refund is not None and refund.overdue_at is None and refund.due_at == moved.due_at - timedelta(seconds=1)


async def test_gd_16_4_refunds_are_seen_in_the_callers_scope_only() -> None:
    repo = await paid_world()
    await demanded(repo)
    env, _ = at(HOSPITAL, repo)
    (listed,) = await refunds.list_refunds(env, "open", PageRequest())
    assert (listed["refund_id"], listed["state"]) == ("RF-1", "open")
    assert await refunds.list_refunds(env, "refunded", PageRequest()) == []
    view = await refunds.get_refund(env, "RF-1")
    assert (view["outstanding"], view["payments"], view["pursuit"]) == ("900.00", [], [])
    env, _ = at(OTHER_HOSPITAL, repo)
    assert await refunds.list_refunds(env, None, PageRequest()) == []
    with pytest.raises(Forbidden):
        await refunds.get_refund(env, "RF-1")


# ---------------------------------------------------------------- money: GD-20.1 submission, GD-7 split, GD-16.4 return


async def funded(repo: MemoryRepository, cash: str, advance: str = "0.00") -> None:
    """The city's fund holding ``cash``, and ``advance`` pre-allocated to H001 (GD-3, GD-7)."""
    await repo.funds.add(Fund(CITY, "市疾病应急救助基金", "市医保中心", T0, "finance-1"))
    await repo.ledger_entries.add(LedgerEntry("TX-0", CITY, FUND_CASH, Decimal(cash)))
    await repo.ledger_entries.add(LedgerEntry("TX-0", CITY, preallocated_account("H001"), Decimal(advance)))


async def test_gd_20_1_the_hospital_gathers_its_own_claimed_cases_and_the_agency_step_starts() -> None:
    repo = MemoryRepository()
    await funded(repo, "0.00")
    for case_id in ("EC-1", "EC-2"):
        await repo.cases.add(case(case_id, state=CaseState.CLAIMED, app_id=None))
    await repo.cases.add(case("EC-3", state=CaseState.OPEN, app_id=None))
    await repo.cases.add(replace(case("EC-4", state=CaseState.CLAIMED, app_id=None), facility_id="H002"))
    env, uow = at(HOSPITAL, repo)
    with pytest.raises(ValidationFailed):
        await applications.submit(env, ApplicationCreate(facility_id="H001", case_ids=["EC-1", "EC-1"]))
    with pytest.raises(ValidationFailed) as foreign:
        await applications.submit(env, ApplicationCreate(facility_id="H001", case_ids=["EC-1", "EC-4"]))
    assert foreign.value.field == "case_ids.1"
    with pytest.raises(Conflict) as unfiled:
        await applications.submit(env, ApplicationCreate(facility_id="H001", case_ids=["EC-3"]))
    assert unfiled.value.rule == "GD-20.1"
    code, answer = await applications.submit(env, ApplicationCreate(facility_id="H001", case_ids=["EC-2", "EC-1"]))
    assert code == 201 and (answer["state"], answer["requested_amount"]) == ("submitted", "2000.00")
    assert [c["case_id"] for c in answer["cases"]] == ["EC-1", "EC-2"]
    gathered = await repo.cases.get("EC-1")
    assert gathered is not None and (gathered.state, gathered.application_id) == (
        CaseState.IN_APPLICATION,
        answer["application_id"],
    )
    (submitted,) = uow.published(FundApplicationSubmitted)
    assert submitted.review_due_at == env.calendar.add_working_days(T0, 10).at
    assert (deadline_kind(Step.AGENCY), answer["application_id"]) in uow.open_deadlines()


async def ready_to_pay(cash: str, advance: str = "0.00") -> MemoryRepository:
    repo = await world(
        AppState.FORWARDED_TO_FINANCE, approved=Decimal("900.00"), steps=(Step.AGENCY, Step.HEALTH, Step.FINANCE)
    )
    await notice(repo, "hospital", T0 + timedelta(days=3))
    await notice(repo, "agency", T0 + timedelta(days=3))
    await funded(repo, cash, advance)
    return repo


async def test_gd_7_the_hospitals_advance_is_set_against_the_disbursement_first_then_fund_cash() -> None:
    repo = await ready_to_pay("5000.00", advance="500.00")
    env, uow = at(FINANCE, repo, now=T0 + timedelta(days=10))
    code, paid = await applications.disburse(env, "FA-1")
    assert code == 201
    assert (paid["amount"], paid["from_preallocation"], paid["from_fund_cash"]) == ("1800.00", "500.00", "1300.00")
    balances = await repo.account_balances(CITY)
    assert (balances[FUND_CASH], balances[preallocated_account("H001")]) == (Decimal("3700.00"), Decimal("0.00"))
    for case_id in ("EC-1", "EC-2"):
        c = await repo.cases.get(case_id)
        assert c is not None and (c.state, c.paid_amount) == (CaseState.PAID, Decimal("900.00"))
    (disbursed,) = uow.published(FundDisbursed)
    assert disbursed.case_ids == ["EC-1", "EC-2"] and not disbursed.late
    assert f"fund.{CITY}" in repo.locks
    code, app = await applications.write_off(env, "FA-1", WriteOffCmd(vouchers=["V-1"]))
    assert code == 200 and app["state"] == AppState.WRITTEN_OFF.value
    assert app["disbursement"]["write_off_vouchers"] == ["V-1"]


async def test_gd_3_no_disbursement_beyond_what_the_fund_holds() -> None:
    repo = await ready_to_pay("1000.00", advance="500.00")
    env, _ = at(FINANCE, repo, now=T0 + timedelta(days=10))
    with pytest.raises(Conflict) as short:
        await applications.disburse(env, "FA-1")
    assert short.value.rule == "GD-3"


async def test_gd_16_4_the_hospital_returns_the_money_in_parts_and_the_last_part_closes_the_case() -> None:
    repo = await paid_world()
    await funded(repo, "0.00")
    await demanded(repo)
    env, uow = at(HOSPITAL, repo)
    _, part = await refunds.record_payment(
        env, "RF-1", RefundPaymentCmd(amount=Decimal("400.00"), reference="退〔2026〕1号")
    )
    assert (part["state"], part["outstanding"]) == ("open", "500.00")
    uow.deadlines[(refunds.REFUND_DUE, "RF-1")] = Scheduled(refunds.REFUND_DUE, "RF-1", Due(T0), "working_days", {})
    _, done = await refunds.record_payment(
        env, "RF-1", RefundPaymentCmd(amount=Decimal("500.00"), reference="退〔2026〕2号")
    )
    assert (done["state"], done["outstanding"], len(done["payments"])) == ("refunded", "0.00", 2)
    c = await repo.cases.get("EC-1")
    assert c is not None and c.state == CaseState.REFUNDED
    assert (refunds.REFUND_DUE, "RF-1") not in uow.open_deadlines()
    assert [e.outstanding for e in uow.published(FundRefundRecorded)] == [Decimal("500.00"), Decimal("0.00")]
