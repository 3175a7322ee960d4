"""The use-case tier: the payer chain stepped through the use cases — a bill submitted, the
admission settled into a statement, the LJ gates, corrections by reversal and re-issue — on
an in-memory repository with a unit of work that records events, deadlines and decision-log
entries, in milliseconds. The read model is fed through the consumer's own ``readmodel`` use
cases and the catalogue through its loading use case; the HTTP suites prove the wiring on
real infrastructure (routes, scopes, Idempotency-Key, the scheduler, the ledger's row lock)."""

from __future__ import annotations

import inspect
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from medaid_shared.authz import Principal, Role
from medaid_shared.contracts.common import FacilityLevel, FilingState, Region, SupportType
from medaid_shared.contracts.consent import SelfPayDecided
from medaid_shared.contracts.referral import (
    AdmissionComplianceChanged,
    AdmissionFiled,
    DischargeRecorded,
    FilingCompleted,
    PersonRegistered,
    ReferralCompliance,
)
from medaid_shared.contracts.settlement import (
    CostAnomalyFlagged,
    ManualReimbursementRequested,
    SettlementCompleted,
    SettlementReversed,
)
from medaid_shared.errors import Conflict, ValidationFailed
from medaid_shared.fakes import FakeUnitOfWork
from medaid_shared.pagination import PageRequest
from settlement.adapters.repository import SqlRepository
from settlement.domain.catalogue import CatalogueEntry
from settlement.domain.parameters import CATALOGUE
from settlement.service import bills, catalogue, readmodel, settlements
from settlement.service import platform as platform_results
from settlement.service.bills import BillIn
from settlement.service.context import Ctx
from settlement.service.platform import PlatformCorrectionIn, PlatformReversalIn, PlatformSettlementIn
from settlement.service.ports import Repository
from settlement.settings import SettlementSettings
from tests_settlement.factories import AID_PARAMETERS, BASIC_PARAMETERS, CRITICAL_PARAMETERS
from tests_settlement.world import ADMITTED, DISCHARGED, IN_CATALOGUE, OUT_OF_CATALOGUE, bill, catalogue_entry, line

from .fakes import InMemoryRepository, context

D = Decimal
HOSPITAL = Principal("his-H001", Role.HOSPITAL, ("facility:H001",))
ADMIN = Principal("admin-1", Role.ADMIN)
INSURANCE = Principal("mi-1", Role.MEDICAL_INSURANCE)


class World:
    """The parameters and the test catalogue loaded, one admission (A1 of P1 at H001) filed;
    one unit of work recording across the steps."""

    def __init__(self, **settings: Any) -> None:
        self.repo = InMemoryRepository()
        self.uow = FakeUnitOfWork("settlement")
        self.settings = SettlementSettings(**settings)
        for version in (BASIC_PARAMETERS, CRITICAL_PARAMETERS, AID_PARAMETERS):
            self.repo.versions.append(CATALOGUE.version_model.model_validate(version))

    @property
    def ctx(self) -> Ctx:
        return context(self.repo, self.uow, self.settings)[0]

    async def load_catalogue(self) -> None:
        entries = [catalogue_entry(c, True) for c in IN_CATALOGUE] + [
            catalogue_entry(c, False) for c in OUT_OF_CATALOGUE
        ]
        await catalogue.load_catalogue(self.ctx, ADMIN, [CatalogueEntry.model_validate(e) for e in entries])

    async def admit(
        self,
        *,
        filing: FilingState = FilingState.FILED_IN_TIME,
        designated: bool = True,
        region: Region = Region.LIUJIANG,
        out_of_region_approved: bool | None = None,
        enrolled: bool = True,
    ) -> None:
        await self.load_catalogue()
        await readmodel.person_changed(
            self.ctx,
            PersonRegistered(
                person_id="P1",
                name_masked="张*三",
                id_number_masked="4502**********1234",
                support_type=SupportType.CENTRALIZED,
                institution_id="I01",
                basic_insurance_enrolled=enrolled,
            ),
        )
        await readmodel.admission_filed(
            self.ctx,
            AdmissionFiled(
                admission_id="A1",
                person_id="P1",
                facility_id="H001",
                admitted_at=ADMITTED,
                emergency=False,
                able_to_pay=False,
                support_type=SupportType.CENTRALIZED,
                institution_id="I01",
                village_id=None,
                town_id="T01",
                facility_level=FacilityLevel.DISTRICT,
                facility_designated=designated,
                facility_region=region,
                referral_compliance=compliance(out_of_region_approved),
                filing_state=filing,
            ),
        )

    async def discharge(self) -> None:
        await readmodel.discharge_recorded(
            self.ctx,
            DischargeRecorded(
                admission_id="A1",
                person_id="P1",
                facility_id="H001",
                admitted_at=ADMITTED,
                discharged_at=DISCHARGED,
                diagnosis_group_sealed=None,
                documents_due_at=DISCHARGED + timedelta(hours=24),
            ),
        )

    async def submit(self, number: str, lines: list[dict[str, Any]], **extra: Any) -> tuple[int, dict[str, Any]]:
        return await bills.submit_bill(self.ctx, HOSPITAL, BillIn.model_validate(bill(number, lines, **extra)))

    async def settle(self) -> tuple[int, dict[str, Any]]:
        return await settlements.settle_admission(self.ctx, HOSPITAL, "A1")

    async def settled(self, lines: list[dict[str, Any]], **admit: Any) -> dict[str, Any]:
        await self.admit(**admit)
        await self.discharge()
        assert (await self.submit("B-A1", lines))[0] == 201
        status, statement = await self.settle()
        assert status == 201
        return statement

    async def aid_used(self) -> Decimal:
        ledger = await self.repo.get_ledger("P1", 2026)
        assert ledger is not None
        return Decimal(ledger["aid_used"])


def compliance(out_of_region_approved: bool | None = None, referred: bool = True) -> ReferralCompliance:
    return ReferralCompliance(
        primary_first_visit=referred,
        referral_slip=referred,
        out_of_region_approved=out_of_region_approved,
        compliant=referred,
    )


def amounts(statement: dict[str, Any]) -> dict[str, Decimal]:
    return {payer: D(amount) for payer, amount in statement["amounts"].items()}


# ---------------------------------------------------------------- the payer chain


async def test_lj_13_1_lj_6_1_lj_6_2_lj_14_1_lj_7_4_one_stop_statement_through_the_payer_chain() -> None:
    w = World()
    await readmodel.self_pay_decided(w.ctx, decided("SP1", "300.00", "approved"))
    st = await w.settled(
        [line("20000.00"), line("300.00", in_catalogue=False, item="SP1"), line("99.99", in_catalogue=False)]
    )
    assert st["mode"] == "one_stop" and st["gates_applied"] == []
    assert amounts(st) == {
        "basic_insurance": D("15600.00"),  # (20000 − 500) × 80 %
        "critical_illness": D("0.00"),
        "medical_aid": D("4400.00"),
        "support_fund": D("0.00"),
        "self_pay_support": D("300.00"),  # approved by consent (LJ-7.4, LJ-14.1)
        "hospital_borne": D("99.99"),  # never proposed
        "personal_cash": D("0.00"),
    }
    rules = {(ln["payer"], ln["rule"]) for ln in st["lines"]}
    assert {("basic_insurance", "LJ-6.1"), ("medical_aid", "LJ-6.2"), ("self_pay_support", "LJ-14.1")} <= rules
    assert ("hospital_borne", "LJ-7.4") in rules
    (event,) = w.uow.published(SettlementCompleted)
    assert (event.statement_id, event.medical_aid) == (st["statement_id"], D("4400.00"))
    assert await w.aid_used() == D("4400.00")
    again = await w.settle()  # re-settling changes nothing
    assert again[0] == 200 and again[1]["statement_id"] == st["statement_id"]
    assert len(w.uow.published(SettlementCompleted)) == 1


def decided(item_id: str, amount: str, outcome: str) -> SelfPayDecided:
    return SelfPayDecided(
        item_id=item_id,
        admission_id="A1",
        person_id="P1",
        item_code=f"X-{item_id}",
        amount=Decimal(amount),
        outcome=outcome,
        decided_at=ADMITTED + timedelta(days=1),
    )


async def test_lj_13_1_a_statement_waits_for_the_discharge_and_a_final_bill() -> None:
    w = World()
    await w.admit()
    assert (await w.submit("B1", [line("100.00")], kind="interim"))[0] == 201
    with pytest.raises(Conflict) as early:
        await w.settle()
    assert early.value.rule == "LJ-13.1"
    await w.discharge()
    with pytest.raises(Conflict) as interim_only:
        await w.settle()
    assert "final bill" in interim_only.value.detail
    assert not w.uow.published(SettlementCompleted) and await w.repo.get_ledger("P1", 2026) is None


async def test_lj_6_2_a_person_not_enrolled_in_basic_insurance_is_paid_by_aid() -> None:
    w = World()
    st = await w.settled([line("1000.00")], enrolled=False)
    assert (amounts(st)["basic_insurance"], amounts(st)["medical_aid"]) == (D("0.00"), D("1000.00"))


# ---------------------------------------------------------------- the gates


OUTSIDE = {"region": Region.OUTSIDE_GUANGXI, "out_of_region_approved": False}


@pytest.mark.parametrize(
    ("admission", "settings", "gate", "support_fund", "personal_cash"),
    [
        ({"filing": FilingState.UNFILED}, {}, "LJ-4.3c", "0.00", "4400.00"),
        # LJ-4.3b refuses medical aid only: the support fund covers the rest, unless configured not to
        (OUTSIDE, {}, "LJ-4.3b", "4400.00", "0.00"),
        (OUTSIDE, {"support_fund_when_aid_refused_out_of_guangxi": False}, "LJ-4.3b", "0.00", "4400.00"),
    ],
)
async def test_lj_4_3b_lj_4_3c_a_gate_refuses_the_aid_and_names_who_pays_instead(
    admission: dict[str, Any], settings: dict[str, Any], gate: str, support_fund: str, personal_cash: str
) -> None:
    w = World(**settings)
    st = await w.settled([line("20000.00")], **admission)
    assert st["gates_applied"] == [gate]
    assert amounts(st)["basic_insurance"] == D("15600.00") and amounts(st)["medical_aid"] == D("0.00")
    assert (amounts(st)["support_fund"], amounts(st)["personal_cash"]) == (D(support_fund), D(personal_cash))
    assert await w.aid_used() == D("0.00")


async def test_lj_3_2b_lj_13_2_non_designated_is_manual_with_its_application_window() -> None:
    w = World()
    st = await w.settled([line("20000.00")], designated=False)
    assert st["mode"] == "manual" and D(st["patient_advance"]) == D("4400.00")
    (requested,) = w.uow.published(ManualReimbursementRequested)
    assert requested.reimbursable == D("4400.00") and "LJ-3.2b" in requested.reason
    (due,) = [d for (kind, subject), d in w.uow.deadlines.items() if subject == st["statement_id"]]
    assert due.due.at.date() == date(2026, 3, 31)  # 15 working days after 2026-03-10


# ---------------------------------------------------------------- bills


async def test_lj_6_1_lj_7_0_a_bill_line_is_classified_by_the_catalogue_never_by_the_hospital() -> None:
    w = World()
    await w.admit()
    with pytest.raises(ValidationFailed) as unknown_code:
        await w.submit("B1", [line("10.00"), line("10.00", code="NOT-LISTED")])
    assert (unknown_code.value.rule, unknown_code.value.field) == ("LJ-6.1", "lines.1.item_code")
    with pytest.raises(ValidationFailed) as listed_as_self_pay:
        await w.submit("B1", [line("10.00", item="SP1")])
    assert (listed_as_self_pay.value.rule, listed_as_self_pay.value.field) == ("LJ-7.0", "lines.0.self_pay_item_id")
    assert not w.repo.bill.rows


async def test_a_bill_number_repeats_its_bill_and_a_final_bill_is_corrected_only_by_replacement() -> None:
    w = World()
    await w.admit()
    first = await w.submit("B1", [line("100.00")])
    assert first[0] == 201
    assert (await w.submit("B1", [line("100.00")]))[0] == 200  # the same content: the same bill
    with pytest.raises(Conflict) as other_content:
        await w.submit("B1", [line("200.00")])
    assert other_content.value.field == "bill_number"
    with pytest.raises(Conflict) as second_final:
        await w.submit("B2", [line("50.00")])
    assert second_final.value.field == "kind"
    replaced = await w.submit("B1-c", [line("80.00")], replaces="B1", reason="重复计费")
    assert replaced[0] == 201
    active = await w.repo.active_bills("A1")
    assert [b["bill_number"] for b in active] == ["B1-c"]


# ---------------------------------------------------------------- corrections and re-issue


async def test_spec_5_a_correction_is_a_reversal_then_a_new_statement_in_the_same_ledger() -> None:
    w = World()
    st = await w.settled([line("20000.00")])
    with pytest.raises(Conflict):  # settled: no bill until the statement is reversed
        await w.submit("B-A1-c", [line("10000.00")], replaces="B-A1", reason="double-billed surgery")
    reversal = await settlements.reverse_statement(w.ctx, HOSPITAL, st["statement_id"], "double-billed surgery")
    assert (reversal["kind"], reversal["reverses_statement_id"]) == ("reversal", st["statement_id"])
    assert D(reversal["total"]) == D("-20000.00") and amounts(reversal)["medical_aid"] == D("-4400.00")
    assert await w.aid_used() == D("0.00")
    (reversed_event,) = w.uow.published(SettlementReversed)
    assert reversed_event.medical_aid_released == D("4400.00")
    with pytest.raises(Conflict):
        await settlements.reverse_statement(w.ctx, HOSPITAL, st["statement_id"], "twice")
    with pytest.raises(Conflict):
        await settlements.reverse_statement(w.ctx, INSURANCE, reversal["statement_id"], "undo")
    assert (await w.submit("B-A1-c", [line("10000.00")], replaces="B-A1", reason="double-billed surgery"))[0] == 201
    status, new = await w.settle()
    assert status == 201 and new["statement_id"] != st["statement_id"]
    assert amounts(new)["medical_aid"] == D("2400.00")  # 10000 − (10000 − 500) × 80 %
    assert await w.aid_used() == D("2400.00")


async def test_lj_4_3c_spec_0_5_a_filing_turning_unfiled_after_settlement_re_issues_the_statement() -> None:
    w = World()
    first = await w.settled([line("20000.00")])
    changed = AdmissionComplianceChanged(
        admission_id="A1", person_id="P1", referral_compliance=compliance(), filing_state=FilingState.UNFILED
    )
    await readmodel.compliance_changed(w.ctx, changed)
    statements = await w.repo.list_statements(
        PageRequest(limit=50), admission_id="A1", person_id=None, facility_ids=None
    )
    kinds = sorted((s["kind"], s["medical_aid"]) for s in statements)
    assert kinds == [("reversal", D("-4400.00")), ("settlement", D("0.00")), ("settlement", D("4400.00"))]
    new = next(s for s in statements if s["kind"] == "settlement" and s["statement_id"] != first["statement_id"])
    assert "filing_state filed_in_time → unfiled" in new["reason"] and "LJ-4.3c" in new["gates_applied"]
    assert await w.aid_used() == D("0.00")  # released by the reversal, nothing used again
    completed = w.uow.published(SettlementCompleted)[-1]
    assert completed.replaces_statement_id == first["statement_id"] and completed.medical_aid == D("0.00")
    # the same fact again changes nothing
    await readmodel.filing_completed(
        w.ctx,
        FilingCompleted(
            admission_id="A1", person_id="P1", filing_state=FilingState.UNFILED, completed_at=ADMITTED + timedelta(2)
        ),
    )
    assert len(w.repo.statement.rows) == 3


# ---------------------------------------------------------------- the national one-stop result


def platform(**overrides: str) -> dict[str, Any]:
    """The platform's result for a 20,000.00 in-catalogue bill, equal to the own computation
    with the test parameters (basic 15,600, critical illness 0, medical aid the 4,400 left)."""
    body = {
        "setl_id": "SETL-0001",
        "setl_time": "2026-03-10T10:30:00+08:00",
        "medfee_sumamt": "20000.00",
        "inscp_scp_amt": "20000.00",
        "fulamt_ownpay_amt": "0.00",
        "act_pay_dedc": "500.00",
        "hifp_pay": "15600.00",
        "hifmi_pay": "0.00",
        "maf_pay": "4400.00",
        "psn_cash_pay": "0.00",
    }
    return {**body, **overrides}


async def ready(w: World) -> None:
    await w.admit()
    await w.discharge()
    assert (await w.submit("B1", [line("20000.00")]))[0] == 201


async def post(w: World, **overrides: str) -> tuple[int, dict[str, Any]]:
    body = PlatformSettlementIn.model_validate(platform(**overrides))
    return await platform_results.post_platform_settlement(w.ctx, HOSPITAL, "A1", body)


@pytest.mark.parametrize(
    ("aid_ceiling", "aid", "support_fund", "differences"),
    [
        ("60000.00", "2955.00", "0.00", {"act_pay_dedc": "LJ-6.1", "hifp_pay": "LJ-6.1", "hifmi_pay": "LJ-6.1"}),
        # LJ-6.2: the ledger's ceiling bounds the aid taken from the platform; the fund pays the rest
        (
            "2000.00",
            "2000.00",
            "955.00",
            {"act_pay_dedc": "LJ-6.1", "hifp_pay": "LJ-6.1", "hifmi_pay": "LJ-6.1", "maf_pay": "LJ-6.2"},
        ),
    ],
)
async def test_spec_0_5_lj_13_1_lj_6_2_the_statement_takes_the_platform_result_within_the_aid_ceiling(
    aid_ceiling: str, aid: str, support_fund: str, differences: dict[str, str]
) -> None:
    w = World()
    w.repo.versions[2] = CATALOGUE.version_model.model_validate(
        {**AID_PARAMETERS, "values": {"annual_ceiling": aid_ceiling}}
    )
    await ready(w)
    assert (await post(w, act_pay_dedc="300.00", hifp_pay="16745.00", hifmi_pay="300.00", maf_pay="2955.00"))[0] == 201
    status, st = await w.settle()
    assert status == 201 and st["platform_setl_id"] == "SETL-0001"
    assert (amounts(st)["basic_insurance"], amounts(st)["critical_illness"]) == (D("16745.00"), D("300.00"))
    assert (amounts(st)["medical_aid"], amounts(st)["support_fund"]) == (D(aid), D(support_fund))
    assert {d["field"]: d["rule"] for d in st["platform_differences"]} == differences
    (flag,) = w.uow.published(CostAnomalyFlagged)
    assert (flag.kind, flag.period) == ("platform_difference", "2026Q1")
    assert await w.aid_used() == D(aid)


async def test_spec_0_5_lj_13_1_a_corrected_then_reversed_result_re_issues_the_statement_each_time() -> None:
    w = World()
    await ready(w)
    assert (await post(w))[0] == 201
    first = (await w.settle())[1]
    assert amounts(first)["medical_aid"] == D("4400.00") and first["platform_differences"] == []
    fixed = PlatformCorrectionIn.model_validate(
        {**platform(hifp_pay="16000.00", maf_pay="4000.00"), "corrects_revision": 1, "reason": "platform re-run"}
    )
    status, corrected = await platform_results.correct_platform_settlement(w.ctx, HOSPITAL, "A1", fixed)
    assert (status, corrected["revision"]) == (201, 2)
    assert (await platform_results.correct_platform_settlement(w.ctx, HOSPITAL, "A1", fixed))[0] == 200
    stale = fixed.model_copy(update={"maf_pay": D("3900.00"), "psn_cash_pay": D("100.00")})
    with pytest.raises(Conflict) as not_in_force:
        await platform_results.correct_platform_settlement(w.ctx, HOSPITAL, "A1", stale)
    assert (not_in_force.value.rule, not_in_force.value.field) == ("LJ-13.1", "corrects_revision")
    second = w.uow.published(SettlementCompleted)[-1]
    assert (second.replaces_statement_id, second.medical_aid) == (first["statement_id"], D("4000.00"))
    assert await w.aid_used() == D("4000.00")

    reversal = PlatformReversalIn.model_validate({"setl_id": "SETL-0001", "revision": 2, "reason": "柜台撤销"})
    assert (await platform_results.reverse_platform_settlement(w.ctx, HOSPITAL, "A1", reversal))[0] == 200
    own = w.uow.published(SettlementCompleted)[-1]
    assert (own.platform_setl_id, own.medical_aid) == (None, D("4400.00"))  # the own computation
    assert len(w.uow.published(SettlementReversed)) == 2
    assert await w.aid_used() == D("4400.00")
    with pytest.raises(Conflict) as reversed_id:
        await post(w)
    assert reversed_id.value.rule == "LJ-13.1"
    assert (await post(w, setl_id="SETL-0002"))[1]["revision"] == 3
    assert w.uow.published(SettlementCompleted)[-1].platform_setl_id == "SETL-0002"


# ---------------------------------------------------------------- the port


def _queries(kind: type) -> dict[str, list[str]]:
    """A repository's public methods and the keyword parameters each one takes."""
    return {
        name: [p.name for p in inspect.signature(member).parameters.values() if p.kind is p.KEYWORD_ONLY]
        for name, member in vars(kind).items()
        if not name.startswith("_") and callable(member)
    }


def test_the_fast_tier_runs_on_the_port_the_adapter_implements() -> None:
    """The in-memory repository and the PostgreSQL one answer the same queries, so a use case
    decided here is the one the HTTP tests run on real infrastructure."""
    port = _queries(Repository)
    assert _queries(InMemoryRepository) == port
    assert _queries(SqlRepository) == port
