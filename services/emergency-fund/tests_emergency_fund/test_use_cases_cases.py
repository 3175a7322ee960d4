"""The use-case tier of the fund's cases: rule combinations of opening a case (GD-12,
GD-16.3), the identity path (GD-16.3, GD-17, GD-22.3, GD-24), the cost list and waiver
(GD-14, GD-23), the emergency period and the stay (GD-13.3, GD-13.5), the existing channels
(GD-18.1, GD-18.2), exclusions (GD-14), the claim (GD-20.1) and the blacklist (GD-24),
decided on the in-memory repository with a unit of work that records events and decision-log
entries. The HTTP suites (test_api_cases.py, test_api_stay_and_extension.py,
test_api_channel_confirmations.py, test_api_blacklist.py, test_api_one_letter_one_case.py)
prove the wiring, the route authorization and the SQL on real infrastructure."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from emergency_fund.domain.eligibility import BirthFacts, CaseExclusion, Channel, CivilAffairsStatus
from emergency_fund.domain.records import (
    Blacklist,
    Case,
    CostAverage,
    Disease,
    Facility,
    Fund,
    IdentitySignal,
    LivingStandard,
    Person,
)
from emergency_fund.service import blacklist, cases, channels, exclusions, inbound, stay
from emergency_fund.service.base import person_index
from emergency_fund.service.commands import (
    BlacklistCmd,
    CaseCreate,
    ChannelConfirmationCmd,
    ChannelPaymentCmd,
    ChannelWaiverCmd,
    CivilAffairsCheckCmd,
    ClaimCmd,
    CostItemsCmd,
    ExclusionCmd,
    ExclusionDecisionCmd,
    ExtensionCmd,
    ExtensionDecisionCmd,
    IdentifyCmd,
    ItemExclusionDecisionCmd,
    LiftCmd,
    StayEndCmd,
    UnableToPayCmd,
    VagrantRegistrationCmd,
    WaiverCmd,
)
from medaid_shared import clock
from medaid_shared.authz import SYSTEM, Principal, Role
from medaid_shared.contracts.emergency_fund import FundCaseClosed, FundCaseOpened
from medaid_shared.contracts.identity_check import IdentityCheckOverdue
from medaid_shared.contracts.referral import DischargeRecorded
from medaid_shared.contracts.settlement import SettlementCompleted, SettlementReversed
from medaid_shared.errors import Conflict, Forbidden, NotFound, RuleViolation, ValidationFailed
from medaid_shared.pagination import PageRequest
from tests_emergency_fund.memory import MemoryRepository, context

HOSPITAL = Principal("his-1", Role.HOSPITAL, ("facility:H001",))
OTHER_HOSPITAL = Principal("his-2", Role.HOSPITAL, ("facility:H002",))
AGENCY = Principal("agency-1", Role.FUND_AGENCY, ("city:liuzhou",))
MEDICAL_INSURANCE = Principal("mi-1", Role.MEDICAL_INSURANCE, ("city:liuzhou",))
POLICE = Principal("police-1", Role.POLICE, ("city:liuzhou",))
CIVIL_AFFAIRS = Principal("ca-1", Role.CIVIL_AFFAIRS, ("city:liuzhou",))
ID_NUMBER = "45020319880315002X"
NOW = clock.now()
ADMITTED = NOW - timedelta(days=2)


@pytest.fixture(autouse=True)
def answers_are_documented() -> None:
    """No HTTP answers here: the use cases are called directly (no service harness)."""


def a_case(case_id: str = "EC1", **changes: Any) -> Case:
    values: dict[str, Any] = {
        "id": case_id,
        "city": "liuzhou",
        "facility_id": "H001",
        "source": "hospital",
        "patient_ref": f"ZY-{case_id}",
        "admitted_at": ADMITTED,
        "identity_status": "identified",
        "emergency_hours": 72,
        "state": "open",
        "created_at": ADMITTED,
        "created_by": "his-1",
        "updated_at": ADMITTED,
        "disease_code": "I21",
        "id_digest": "digest-1",
        "name_masked": "张*",
        "id_masked": "4502**********002X",
    }
    return Case(**(values | changes))


async def world(*case_records: Case) -> MemoryRepository:
    """The Liuzhou fund, hospital H001, an eligible disease with its reference cost and
    living standard, and the given cases."""
    repo = MemoryRepository()
    await repo.funds.add(Fund("liuzhou", "柳州市疾病应急救助基金", "柳州市医保中心", NOW, "admin"))
    await repo.facilities.add(Facility("H001", "liuzhou", "柳州市人民医院", "referral", NOW))
    await repo.diseases.add(Disease("D1", "I21", "急性心肌梗死", "national", True, date(2020, 1, 1), "32号", NOW, "x"))
    await repo.cost_averages.add(CostAverage("H001", "I21", ADMITTED.year, Decimal("20000.00"), "health", NOW, "x"))
    await repo.living_standards.add(LivingStandard("liuzhou", date(2020, 1, 1), Decimal("900.00"), "x", NOW, "x"))
    for c in case_records:
        await repo.cases.add(c)
    return repo


def items(amount: str = "1000.00", **item: Any) -> CostItemsCmd:
    at = (ADMITTED + timedelta(hours=1)).isoformat()
    entry = {"occurred_at": at, "category": "treatment", "description": "PCI", "in_catalogue": True, "amount": amount}
    return CostItemsCmd.model_validate({"items": [entry | item]})


async def state_of(repo: MemoryRepository, case_id: str = "EC1") -> Case:
    case = await repo.cases.get(case_id)
    assert case is not None
    return case


# ---------------------------------------------------------------- opening (GD-12, GD-16.3)


def create(**fields: Any) -> CaseCreate:
    base = {
        "facility_id": "H001",
        "patient_ref": "ZY-NEW",
        "admitted_at": ADMITTED.isoformat(),
        "identity": "identified",
        "name": "张三",
        "id_number": ID_NUMBER,
    }
    return CaseCreate.model_validate(base | fields)


async def test_gd_12_an_identified_patient_opens_a_case_with_the_normal_period() -> None:
    repo = await world()
    env, _, uow = context(repo, HOSPITAL)
    status, answer = await cases.open_case(env, create())
    assert status == 201 and answer["identity_status"] == "identified" and answer["emergency_hours"] == 72
    assert answer["id_number_masked"] == "4502**********002X"
    assert not uow.published(FundCaseOpened)  # no police letter to measure
    assert [a.action for a in uow.audits] == ["case.open"]


async def test_gd_16_3_one_case_per_admission_number() -> None:
    repo = await world(a_case(patient_ref="ZY-NEW"))
    env, _, _ = context(repo, HOSPITAL)
    with pytest.raises(Conflict) as refused:
        await cases.open_case(env, create())
    assert refused.value.extra == {"existing_case_id": "EC1"}


async def test_gd_16_3_an_unidentified_case_names_its_hospitals_letter() -> None:
    repo = await world()
    await repo.identity_signals.add(IdentitySignal("REQ-1", "H002", "ZY-NEW", "柳公函1"))
    env, _, _ = context(repo, HOSPITAL)
    unidentified = {"identity": "unidentified", "name": None, "id_number": None}
    with pytest.raises(RuleViolation) as no_letter:
        await cases.open_case(env, create(**unidentified))
    assert no_letter.value.rule == "GD-16.3"
    with pytest.raises(RuleViolation, match="another hospital's letter"):
        await cases.open_case(env, create(**unidentified, identity_check_request_id="REQ-1"))


async def test_gd_16_1_an_unidentified_case_announces_its_letter() -> None:
    repo = await world()
    env, _, uow = context(repo, HOSPITAL)
    cmd = create(identity="unidentified", name=None, id_number=None, identity_check_request_id="REQ-9")
    status, answer = await cases.open_case(env, cmd)
    assert status == 201 and answer["identity_status"] == "unidentified"
    [opened] = uow.published(FundCaseOpened)
    assert opened.identity_check_request_id == "REQ-9"


async def test_gd_3_a_hospital_without_a_city_fund_opens_nothing() -> None:
    repo = await world()
    env, _, _ = context(repo, Principal("his-9", Role.HOSPITAL, ("facility:H009",)))
    with pytest.raises(RuleViolation) as refused:
        await cases.open_case(env, create(facility_id="H009"))
    assert refused.value.rule == "GD-3"


# ---------------------------------------------------------------- scope


async def test_a_hospital_sees_only_its_own_cases() -> None:
    repo = await world(a_case("EC1"), a_case("EC2", facility_id="H002", patient_ref="ZY-2"))
    env, _, _ = context(repo, HOSPITAL)
    listed = await cases.list_cases(env, None, None, PageRequest())
    assert [c["case_id"] for c in listed] == ["EC1"]
    with pytest.raises(Forbidden):
        await cases.get_case(context(repo, OTHER_HOSPITAL)[0], "EC1")
    with pytest.raises(NotFound):
        await cases.get_case(env, "EC404")


async def test_spec_0_4_the_disease_code_only_for_the_roles_that_need_it() -> None:
    repo = await world(a_case())
    assert (await cases.get_case(context(repo, HOSPITAL)[0], "EC1"))["disease_code"] == "I21"
    assert (await cases.get_case(context(repo, POLICE)[0], "EC1"))["disease_code"] is None


# ---------------------------------------------------------------- the claim (GD-20.1)


async def ready(repo: MemoryRepository) -> None:
    """Case EC1 with every fact a claim needs (GD-17 basis confirmed by civil affairs,
    GD-18.1 every channel recorded)."""
    env, _, _ = context(repo, HOSPITAL)
    await cases.add_cost_items(env, "EC1", items("5000.00"))
    await cases.set_unable_to_pay(env, "EC1", UnableToPayCmd(criteria=["minimum_living"], note=""))
    for channel in Channel:
        await channels.record_claim(env, "EC1", ChannelPaymentCmd(channel=channel, amount=Decimal("0.00")))
    statuses = [CivilAffairsStatus.MINIMUM_LIVING]
    await cases.civil_affairs_check(context(repo, CIVIL_AFFAIRS)[0], "EC1", CivilAffairsCheckCmd(statuses=statuses))


async def test_gd_20_1_a_ready_case_is_claimed_within_the_caps() -> None:
    repo = await world(a_case())
    await ready(repo)
    env, _, uow = context(repo, HOSPITAL)
    assessment = await cases.assessment(env, "EC1")
    assert assessment["ready"], assessment["blockers"]
    claim = ClaimCmd(medical_amount=Decimal("5000.00"), living_amount=Decimal("0.00"), declaration="属实")
    status, answer = await cases.claim(env, "EC1", claim)
    assert status == 201 and answer["state"] == "claimed"
    assert uow.audits[-1].action == "case.claim"


async def test_gd_17_gd_18_1_gd_22_3_what_still_blocks_a_claim() -> None:
    repo = await world(a_case())
    env, _, _ = context(repo, HOSPITAL)
    blockers = (await cases.assessment(env, "EC1"))["blockers"]
    assert {b["rule"] for b in blockers} >= {"GD-17", "GD-18.1", "GD-22.3"}
    claim = ClaimCmd(medical_amount=Decimal("1.00"), living_amount=Decimal("0.00"), declaration="属实")
    with pytest.raises(RuleViolation) as refused:
        await cases.claim(env, "EC1", claim)
    assert refused.value.extra and refused.value.extra["blockers"]


async def test_a_change_after_the_claim_withdraws_it() -> None:
    repo = await world(a_case(state="claimed", claim_medical=Decimal("1.00"), claim_living=Decimal("0")))
    env, _, uow = context(repo, HOSPITAL)
    await cases.add_cost_items(env, "EC1", items())
    case = await state_of(repo)
    assert case.state == "open" and case.claim_medical is None
    assert "case.claim_withdrawn" in [a.action for a in uow.audits]


# ---------------------------------------------------------------- cost list and waiver (GD-14, GD-23)


async def test_gd_14_an_excluded_cost_needs_its_reason() -> None:
    repo = await world(a_case())
    env, _, _ = context(repo, HOSPITAL)
    with pytest.raises(RuleViolation) as refused:
        await cases.add_cost_items(env, "EC1", items(exclusion="beyond_treatment_need"))
    assert refused.value.rule == "GD-14"


async def test_gd_23_a_waiver_cannot_exceed_the_bill() -> None:
    repo = await world(a_case())
    env, _, _ = context(repo, HOSPITAL)
    await cases.add_cost_items(env, "EC1", items("100.00"))
    with pytest.raises(RuleViolation) as refused:
        await cases.waive(env, "EC1", WaiverCmd(amount=Decimal("100.01"), reason="减免"))
    assert refused.value.rule == "GD-23"
    await cases.waive(env, "EC1", WaiverCmd(amount=Decimal("100.00"), reason="减免"))
    assert (await state_of(repo)).waiver_amount == Decimal("100.00")


# ---------------------------------------------------------------- identity path (GD-16.3, GD-17, GD-18.2)


async def test_gd_17_unable_to_pay_concerns_identified_patients_and_local_criteria() -> None:
    repo = await world(a_case(), a_case("EC2", identity_status="unidentified", patient_ref="ZY-2"))
    env, _, _ = context(repo, HOSPITAL)
    with pytest.raises(Conflict):
        await cases.set_unable_to_pay(env, "EC2", UnableToPayCmd(criteria=["orphan"], note=""))
    with pytest.raises(RuleViolation) as refused:
        await cases.set_unable_to_pay(env, "EC1", UnableToPayCmd(criteria=["lottery_loser"], note=""))
    assert refused.value.rule == "GD-17"


async def test_gd_18_2_a_vagrant_is_registered_once() -> None:
    repo = await world(a_case())
    env, _, _ = context(repo, CIVIL_AFFAIRS)
    cmd = VagrantRegistrationCmd(registration_no="LZ-2026-1", agency="柳州市救助站")
    status, answer = await cases.register_vagrant(env, "EC1", cmd)
    assert status == 201 and answer["vagrant_registration"]["registration_no"] == "LZ-2026-1"
    with pytest.raises(Conflict):
        await cases.register_vagrant(env, "EC1", cmd)


async def test_gd_16_3_the_police_overdue_on_the_cases_own_letter_opens_the_path() -> None:
    unidentified = a_case(identity_status="unidentified", identity_check_request_id="REQ-1", id_digest=None)
    repo = await world(unidentified)
    env, _, _ = context(repo, SYSTEM)
    event = {"reference_number": "柳公函1", "bureau_id": "B1", "due_at": NOW, "request_id": "REQ-1"}
    await inbound.on_identity_overdue(env, IdentityCheckOverdue(facility_id="H002", patient_ref="ZY-EC1", **event))
    assert (await state_of(repo)).identity_gate is None  # another hospital's letter opens nothing
    await inbound.on_identity_overdue(env, IdentityCheckOverdue(facility_id="H001", patient_ref="ZY-EC1", **event))
    assert (await state_of(repo)).identity_gate is not None
    signal = await repo.identity_signals.get("REQ-1")
    assert signal is not None and signal.overdue_at == NOW


# ---------------------------------------------------------------- stay and period (GD-13.3, GD-13.5)


def newborn(hours: int = 240, born: date | None = None) -> ExtensionCmd:
    evidence = {"date_of_birth": (born or ADMITTED.date()).isoformat()}
    return ExtensionCmd.model_validate(
        {"hours": hours, "category": "critically_ill_newborn", "reason": "早产", "evidence": evidence}
    )


async def test_gd_13_3_an_extension_counts_once_approved() -> None:
    repo = await world(a_case(id_digest=None, identity_status="unidentified"))
    env, _, _ = context(repo, HOSPITAL)
    await stay.request_extension(env, "EC1", newborn())
    case = await state_of(repo)
    assert (case.extension_status, case.emergency_hours) == ("requested", 72)
    queue = await stay.pending_extensions(context(repo, AGENCY)[0], PageRequest())
    assert [(q["case_id"], q["hours"]) for q in queue] == [("EC1", 240)]
    decided = ExtensionDecisionCmd(decision="approved", reason="符合")
    await stay.decide_extension(context(repo, AGENCY)[0], "EC1", decided)
    case = await state_of(repo)
    assert (case.extension_status, case.emergency_hours) == ("approved", 240)
    with pytest.raises(Conflict):
        await stay.decide_extension(context(repo, AGENCY)[0], "EC1", decided)


async def test_gd_13_3_only_the_configured_categories_within_the_bounds() -> None:
    repo = await world(a_case())
    env, _, _ = context(repo, HOSPITAL)
    with pytest.raises(RuleViolation, match="exceed the normal"):
        await stay.request_extension(env, "EC1", newborn(hours=72))
    with pytest.raises(RuleViolation, match="may not exceed"):
        await stay.request_extension(env, "EC1", newborn(hours=10_000))
    other = ExtensionCmd.model_validate({"hours": 100, "category": "elderly", "reason": "高龄"})
    with pytest.raises(RuleViolation) as refused:
        await stay.request_extension(env, "EC1", other)
    assert refused.value.field == "category"


async def test_gd_13_5_the_hospital_records_the_stay_end_until_referral_says_otherwise() -> None:
    repo = await world(a_case(admission_id="ADM-1"))
    env, _, _ = context(repo, HOSPITAL)
    with pytest.raises(ValidationFailed):
        await stay.record_stay_end(env, "EC1", StayEndCmd(outcome="discharged", at=NOW + timedelta(hours=1)))
    await stay.record_stay_end(env, "EC1", StayEndCmd(outcome="died", at=ADMITTED + timedelta(hours=5)))
    assert (await state_of(repo)).stay_end_source == "hospital"
    discharged = ADMITTED + timedelta(hours=30)
    event = DischargeRecorded(
        admission_id="ADM-1",
        person_id="P1",
        facility_id="H001",
        admitted_at=ADMITTED,
        discharged_at=discharged,
        documents_due_at=NOW,
    )
    await stay.on_discharge(context(repo, SYSTEM)[0], event)
    case = await state_of(repo)
    assert (case.stay_end_source, case.stay_ended_at, case.stay_end_outcome) == ("referral", discharged, "discharged")
    with pytest.raises(Conflict) as refused:
        await stay.record_stay_end(env, "EC1", StayEndCmd(outcome="died", at=ADMITTED + timedelta(hours=6)))
    assert refused.value.rule == "GD-13.5"


async def test_gd_13_5_referrals_discharge_withdraws_a_claim_on_another_stay() -> None:
    claimed = a_case(admission_id="ADM-1", state="claimed", claim_medical=Decimal("1"), claim_living=Decimal("1"))
    repo = await world(claimed)
    event = DischargeRecorded(
        admission_id="ADM-1", person_id="P1", facility_id="H001", admitted_at=ADMITTED, discharged_at=NOW,
        documents_due_at=NOW,
    )  # fmt: skip
    env, _, uow = context(repo, SYSTEM)
    await stay.on_discharge(env, event)
    case = await state_of(repo)
    assert (case.state, case.claim_living) == ("open", None)
    assert [a.action for a in uow.audits] == ["case.claim_withdrawn", "case.stay_end"]


# ---------------------------------------------------------------- channels (GD-18.1, GD-22.3)


async def test_gd_18_1_the_department_confirms_and_its_amount_stands() -> None:
    repo = await world(a_case())
    env, _, _ = context(repo, HOSPITAL)
    claim = ChannelPaymentCmd(channel=Channel.BASIC_MEDICAL_INSURANCE, amount=Decimal("300.00"), reference="医保")
    await channels.record_claim(env, "EC1", claim)
    queue = await channels.awaiting(context(repo, MEDICAL_INSURANCE)[0], "me", PageRequest())
    assert [(q["case_id"], q["channel"], q["claimed_amount"]) for q in queue] == [
        ("EC1", "basic_medical_insurance", "300.00")
    ]
    confirmation = ChannelConfirmationCmd(amount=Decimal("450.00"))
    with pytest.raises(RuleViolation) as wrong_department:
        await channels.confirm(context(repo, POLICE)[0], "EC1", Channel.BASIC_MEDICAL_INSURANCE, confirmation)
    assert wrong_department.value.rule == "GD-18.1"
    await channels.confirm(context(repo, MEDICAL_INSURANCE)[0], "EC1", Channel.BASIC_MEDICAL_INSURANCE, confirmation)
    payment = await repo.channel_payments.get(("EC1", "basic_medical_insurance"))
    assert payment is not None
    assert (payment.status, payment.amount, payment.claimed_amount, payment.reference) == (
        "confirmed",
        Decimal("450.00"),
        Decimal("300.00"),
        "医保",
    )
    assert await channels.awaiting(context(repo, MEDICAL_INSURANCE)[0], "me", PageRequest()) == []
    with pytest.raises(Conflict):
        await channels.record_claim(env, "EC1", claim)


async def test_gd_18_1_the_agency_waives_a_claim_but_not_a_zero_that_needs_the_department() -> None:
    repo = await world(a_case())
    env, _, _ = context(repo, HOSPITAL)
    await channels.record_claim(env, "EC1", ChannelPaymentCmd(channel=Channel.LIABLE_PARTY, amount=Decimal("0.00")))
    await channels.record_claim(env, "EC1", ChannelPaymentCmd(channel=Channel.RED_CROSS, amount=Decimal("0.00")))
    agency, _, _ = context(repo, AGENCY)
    with pytest.raises(RuleViolation):
        await channels.waive(agency, "EC1", Channel.LIABLE_PARTY, ChannelWaiverCmd(reason="无责任人"))
    await channels.waive(agency, "EC1", Channel.RED_CROSS, ChannelWaiverCmd(reason="未申请"))
    payment = await repo.channel_payments.get(("EC1", "red_cross"))
    assert payment is not None and payment.status == "waived"
    with pytest.raises(ValidationFailed):
        await channels.waive(agency, "EC1", Channel.MEDICAL_AID, ChannelWaiverCmd(reason="无"))


async def test_gd_22_3_a_destitute_persons_settlement_channels_are_settlements() -> None:
    repo = await world(a_case(destitute=True, admission_id="ADM-1"))
    env, _, _ = context(repo, HOSPITAL)
    with pytest.raises(Conflict) as refused:
        await channels.record_claim(env, "EC1", ChannelPaymentCmd(channel=Channel.MEDICAL_AID, amount=Decimal("0")))
    assert refused.value.rule == "GD-22.3"


# ---------------------------------------------------------------- exclusions (GD-14)


async def test_gd_14_the_hospital_proposes_and_the_agency_decides() -> None:
    repo = await world(a_case(state="claimed", claim_medical=Decimal("1"), claim_living=Decimal("1")))
    env, _, _ = context(repo, HOSPITAL)
    proposal = ExclusionCmd(exclusion=CaseExclusion.ABLE_TO_PAY_REFUSES, reason="拒付")
    await exclusions.propose_or_exclude(env, "EC1", proposal)
    case = await state_of(repo)
    assert (case.exclusion_proposed, case.state) == ("able_to_pay_refuses", "open")  # the claim is withdrawn
    queue = await exclusions.proposals(context(repo, AGENCY)[0], PageRequest())
    assert [(q["case_id"], q["cost_item_id"]) for q in queue] == [("EC1", None)]
    agency, _, uow = context(repo, AGENCY)
    await exclusions.decide_case(agency, "EC1", ExclusionDecisionCmd(decision="accepted", reason="查实"))
    case = await state_of(repo)
    assert (case.state, case.excluded, case.exclusion_proposed) == ("excluded", "able_to_pay_refuses", None)
    [closed] = uow.published(FundCaseClosed)
    assert (closed.case_id, closed.outcome) == ("EC1", "excluded")


async def test_gd_14_a_rejected_proposal_leaves_the_case_open() -> None:
    repo = await world(a_case(exclusion_proposed="able_to_pay_refuses"))
    agency, _, uow = context(repo, AGENCY)
    await exclusions.decide_case(agency, "EC1", ExclusionDecisionCmd(decision="rejected", reason="未查实"))
    case = await state_of(repo)
    assert (case.state, case.exclusion_proposed) == ("open", None)
    assert not uow.published(FundCaseClosed)
    with pytest.raises(Conflict):
        await exclusions.decide_case(agency, "EC1", ExclusionDecisionCmd(decision="rejected", reason="再次"))


async def test_gd_14_only_an_identified_patient_refuses_and_the_agency_excludes_at_once() -> None:
    repo = await world(a_case(), a_case("EC2", identity_status="unidentified", patient_ref="ZY-2"))
    agency, _, _ = context(repo, AGENCY)
    refusal = ExclusionCmd(exclusion=CaseExclusion.ABLE_TO_PAY_REFUSES, reason="拒付")
    with pytest.raises(RuleViolation):
        await exclusions.propose_or_exclude(agency, "EC2", refusal)
    await exclusions.propose_or_exclude(agency, "EC1", refusal)
    assert (await state_of(repo)).state == "excluded"


async def test_gd_14_the_agency_decides_each_cost_item() -> None:
    repo = await world(a_case())
    env, _, _ = context(repo, HOSPITAL)
    await cases.add_cost_items(env, "EC1", items("10.00", exclusion="beyond_treatment_need", exclusion_note="重复"))
    await cases.add_cost_items(env, "EC1", items("20.00"))
    marked, unmarked = (await repo.cost_items_of("EC1"))[0], (await repo.cost_items_of("EC1"))[1]
    if marked.exclusion is None:
        marked, unmarked = unmarked, marked
    assert [u.cost_item_id for u in await exclusions.undecided(env, "EC1")] == [marked.id]
    queue = await exclusions.proposals(context(repo, AGENCY)[0], PageRequest())
    assert [(q["cost_item_id"], q["amount"]) for q in queue] == [(marked.id, "10.00")]
    agency, _, _ = context(repo, AGENCY)
    with pytest.raises(ValidationFailed):
        await exclusions.decide_item(
            agency, "EC1", unmarked.id, ItemExclusionDecisionCmd(decision="accepted", reason="x")
        )
    with pytest.raises(Conflict):
        await exclusions.decide_item(
            agency, "EC1", unmarked.id, ItemExclusionDecisionCmd(decision="rejected", reason="x")
        )
    with pytest.raises(NotFound):
        await exclusions.decide_item(agency, "EC1", "CI404", ItemExclusionDecisionCmd(decision="rejected", reason="x"))
    await exclusions.decide_item(agency, "EC1", marked.id, ItemExclusionDecisionCmd(decision="accepted", reason="同意"))
    assert await exclusions.undecided(env, "EC1") == []
    decided = await repo.cost_items.get(marked.id)
    assert decided is not None and (decided.exclusion_status, decided.exclusion_decided_by) == ("accepted", "agency-1")


# ---------------------------------------------------------------- blacklist (GD-24)


async def test_gd_24_a_listing_flags_the_persons_undecided_cases() -> None:
    repo = await world(a_case("EC1"), a_case("EC2", state="paid", patient_ref="ZY-2"))
    agency, _, uow = context(repo, AGENCY)
    cmd = BlacklistCmd(city="liuzhou", case_id="EC1", reason="冒用身份", evidence=["柳公字1号"])
    status, answer = await blacklist.add(agency, cmd)
    assert status == 201 and answer["flagged_cases"] == ["EC1"]
    assert "lifted_at" not in answer and answer["id_number_masked"] == "4502**********002X"
    assert (await state_of(repo, "EC1")).blacklist_flag and not (await state_of(repo, "EC2")).blacklist_flag
    with pytest.raises(Conflict) as again:
        await blacklist.add(agency, cmd)
    assert again.value.rule == "GD-24"
    assert [a.action for a in uow.audits] == ["blacklist.add"]


async def test_gd_24_an_unidentified_patient_cannot_be_listed_and_a_lifted_entry_stays_lifted() -> None:
    repo = await world(a_case(id_digest=None, identity_status="unidentified"))
    agency, _, _ = context(repo, AGENCY)
    with pytest.raises(Conflict):
        await blacklist.add(agency, BlacklistCmd(city="liuzhou", case_id="EC1", reason="x", evidence=["证据1"]))
    _, entry = await blacklist.add(
        agency, BlacklistCmd(city="liuzhou", id_number=ID_NUMBER, reason="骗保", evidence=["证据1"])
    )
    assert [e["entry_id"] for e in await blacklist.list_entries(agency, "liuzhou", True, PageRequest())] == [
        entry["entry_id"]
    ]
    _, lifted = await blacklist.lift(agency, entry["entry_id"], LiftCmd(reason="撤销"))
    assert lifted["lift_reason"] == "撤销" and lifted["lifted_by"] == "agency-1"
    with pytest.raises(Conflict):
        await blacklist.lift(agency, entry["entry_id"], LiftCmd(reason="再次"))
    assert await blacklist.list_entries(agency, "liuzhou", True, PageRequest()) == []
    assert len(await blacklist.list_entries(agency, "liuzhou", False, PageRequest())) == 1
    with pytest.raises(Forbidden):
        await blacklist.list_entries(agency, "nanning", False, PageRequest())


# ---------------------------------------------------------------- what the ID number says (GD-13.3, GD-22.3, GD-24)


async def test_gd_13_3_the_category_must_match_the_id_number_the_fund_holds() -> None:
    adult = BirthFacts.from_id_number(ID_NUMBER).stored()  # born 1988
    repo = await world(a_case(birth_facts=adult))
    env, _, _ = context(repo, HOSPITAL)
    with pytest.raises(RuleViolation) as refused:
        await stay.request_extension(env, "EC1", newborn())
    assert refused.value.rule == "GD-13.3"


async def test_gd_13_3_gd_22_3_gd_24_an_identification_rechecks_the_extension_and_finds_the_person() -> None:
    """The hospital identifies an unidentified newborn's case with an adult's ID number: the
    extension requested on the hospital's evidence is rejected on the facts, the person
    referral registered makes the case destitute (civil affairs' check from referral), and
    the city's blacklist flags it."""
    repo = await world(a_case(identity_status="unidentified", id_digest=None, name_masked=None, id_masked=None))
    env, _, uow = context(repo, HOSPITAL)
    await stay.request_extension(env, "EC1", newborn())
    digest = person_index(env, ID_NUMBER)
    await repo.persons.add(Person("P1", digest, "张*", "4502**********002X", "destitute", NOW))
    entry = Blacklist("BL1", "liuzhou", digest, "骗保", ["证据1"], NOW, "agency-1")
    await repo.blacklist_entries.add(entry)
    await cases.identify(
        env, "EC1", IdentifyCmd.model_validate({"name": "张三", "id_number": ID_NUMBER, "how": "苏醒"})
    )
    case = await state_of(repo)
    assert (case.identity_status, case.extension_status, case.emergency_hours) == ("identified", "rejected", 72)
    assert case.extension_decided_by == "the patient's ID number"
    assert (case.destitute, case.person_id, case.blacklist_flag) == (True, "P1", True)
    [check] = await repo.civil_affairs_checks_of("EC1")
    assert (check.source, check.statuses) == ("referral", ["destitute"])
    assert "case.extension_decided" in [a.action for a in uow.audits]


async def test_gd_22_3_a_destitute_persons_channels_follow_settlements_statements() -> None:
    repo = await world(a_case(destitute=True, admission_id="ADM-1", person_id="P1"))
    env, _, _ = context(repo, SYSTEM)
    money = {"critical_illness": "50.00", "support_fund": "0", "self_pay_support": "0", "hospital_borne": "0"}
    statement = SettlementCompleted.model_validate(
        {
            "statement_id": "ST1",
            "admission_id": "ADM-1",
            "person_id": "P1",
            "facility_id": "H001",
            "mode": "one_stop",
            "total": "1000.00",
            "basic_insurance": "400.00",
            "medical_aid": "300.00",
            "personal_cash": "200.00",
            "aid_year": ADMITTED.year,
            "completed_at": NOW.isoformat(),
        }
        | money
    )
    await inbound.on_settlement(env, statement)
    await inbound.on_settlement(env, statement)  # delivered twice, booked once
    paid = {p.channel: (p.amount, p.status, p.reference) for p in await repo.channel_payments_of("EC1")}
    assert paid == {
        "basic_medical_insurance": (Decimal("450.00"), "confirmed", "ST1"),
        "medical_aid": (Decimal("300.00"), "confirmed", "ST1"),
    }
    reversal = SettlementReversed(
        statement_id="ST2",
        reversed_statement_id="ST1",
        admission_id="ADM-1",
        person_id="P1",
        medical_aid_released=Decimal("300.00"),
        reason="更正",
        reversed_at=NOW,
    )
    await inbound.on_settlement_reversed(env, reversal)
    assert {p.channel: p.amount for p in await repo.channel_payments_of("EC1")} == {
        "basic_medical_insurance": Decimal("0"),
        "medical_aid": Decimal("0"),
    }
