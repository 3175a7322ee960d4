"""Existing channels first on the word of the department responsible (GD-18.1), exclusions
proposed by the hospital and decided by the agency (GD-14) — SPEC 0.5.

Issue scenario: the hospital recorded 0.00 for the liable party, work-injury insurance and
the road-traffic fund, and the fund paid the whole gap. Now each amount is the hospital's
claim until the department confirms it, and the agency's approval waits for that.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import time_machine
from sqlalchemy import select

from medaid_shared.testing import ServiceHarness

from .helpers import (
    ADMITTED,
    CHANNELS,
    H1,
    NOW,
    VALID_ID,
    call,
    confirm_channels,
    deliver,
    load_parameters,
    ok,
    open_case,
    overdue_event,
    parameter_version,
    prepare_city,
)

CLAIM = {"medical_amount": "1000.00", "living_amount": "90.00", "declaration": "属实"}
DOC = "柳财社〔2026〕88号"


async def identified_in_application(svc: ServiceHarness, patient_ref: str = "P-CH") -> tuple[str, str]:
    """An identified patient's case whose channels the hospital entered as 0.00, claimed and
    gathered into a unit application."""
    cid = (await open_case(svc, identity="identified", id_number=VALID_ID, patient_ref=patient_ref))["case_id"]
    await ok(
        svc,
        "POST",
        f"/cases/{cid}/cost-items",
        "hospital",
        {
            "items": [
                {
                    "occurred_at": (ADMITTED + timedelta(hours=1)).isoformat(),
                    "category": "treatment",
                    "description": "车祸伤急诊手术",
                    "in_catalogue": True,
                    "amount": "1000.00",
                }
            ]
        },
    )
    await ok(svc, "POST", f"/cases/{cid}/unable-to-pay", "hospital", {"criteria": ["minimum_living"]})
    for channel in CHANNELS:
        await ok(svc, "POST", f"/cases/{cid}/channel-payments", "hospital", {"channel": channel, "amount": "0.00"})
    await ok(svc, "POST", f"/cases/{cid}/civil-affairs-check", "civil", {"statuses": ["minimum_living"]})
    await ok(svc, "POST", f"/cases/{cid}/claim", "hospital", CLAIM)
    app = await ok(svc, "POST", "/applications", "hospital", {"facility_id": H1, "case_ids": [cid]})
    return cid, app["application_id"]


def queue_channels(answer: dict[str, Any], case_id: str) -> list[str]:
    return sorted(i["channel"] for i in answer["items"] if i["case_id"] == case_id)


async def test_gd_18_1_the_agency_approves_only_confirmed_channels(svc: ServiceHarness) -> None:
    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        cid, app_id = await identified_in_application(svc)
        review = f"/applications/{app_id}/agency-review"
        r = await call(svc, "POST", review, "agency", {"outcome": "approved"})
        assert r.status_code == 422 and (r.json()["rule"], r.json()["field"]) == ("GD-18.1", "/cases")
        assert {(u["channel"], u["awaiting"]) for u in r.json()["unresolved"]} == {
            ("liable_party", "police"),
            ("road_traffic_accident_fund", "police"),
            ("work_injury_insurance", "hrss"),
            ("basic_medical_insurance", "medical_insurance"),
            ("medical_aid", "medical_insurance"),
            ("public_health_funds", "fund_agency"),
            ("red_cross", "fund_agency"),
        }
        # nothing changed on the refusal
        assert (await ok(svc, "GET", f"/applications/{app_id}", "agency"))["state"] == "submitted"
        assert await svc.published("FundApplicationReviewed") == []

        # each department sees what awaits it (the console's queues)
        police = await ok(svc, "GET", "/channel-confirmations", "police", params={"awaiting": "me"})
        assert {i["awaiting"] for i in police["items"]} == {"police"} and police["next_cursor"] is None
        assert queue_channels(police, cid) == ["liable_party", "road_traffic_accident_fund"]
        assert police["items"][0]["claimed_amount"] == "0.00" and police["items"][0]["rule"] == "GD-18.1"
        assert queue_channels(await ok(svc, "GET", "/channel-confirmations", "hrss"), cid) == ["work_injury_insurance"]
        assert queue_channels(await ok(svc, "GET", "/channel-confirmations", "insurance"), cid) == [
            "basic_medical_insurance",
            "medical_aid",
        ]
        assert queue_channels(await ok(svc, "GET", "/channel-confirmations", "agency"), cid) == [
            "public_health_funds",
            "red_cross",
        ]
        oversight = await ok(svc, "GET", "/channel-confirmations", "auditor", params={"awaiting": "police"})
        assert queue_channels(oversight, cid) == ["liable_party", "road_traffic_accident_fund"]
        assert (await call(svc, "GET", "/channel-confirmations", "hospital")).status_code == 403
        other = await ok(svc, "GET", "/channel-confirmations", "other_agency")
        assert other["items"] == []  # another city's agency sees none of this city's cases
        for who_, awaiting in (("police", "hrss"), ("auditor", "me")):
            bad = await call(svc, "GET", "/channel-confirmations", who_, params={"awaiting": awaiting})
            assert bad.status_code == 422 and bad.json()["field"] == "awaiting"

        # GD-18.1: only the department responsible confirms; the agency cites its document
        path = f"/cases/{cid}/channel-payments"
        wrong = await call(svc, "POST", f"{path}/liable_party/confirmation", "hrss", {"amount": "0.00"})
        assert wrong.status_code == 422 and (wrong.json()["rule"], wrong.json()["field"]) == ("GD-18.1", "channel")
        assert (
            await call(svc, "POST", f"{path}/liable_party/confirmation", "hospital", {"amount": "0.00"})
        ).status_code == 403
        no_doc = await call(svc, "POST", f"{path}/red_cross/confirmation", "agency", {"amount": "0.00"})
        assert no_doc.status_code == 422 and (no_doc.json()["rule"], no_doc.json()["field"]) == (
            "GD-18.1",
            "/document_ref",
        )
        unknown = await call(svc, "POST", f"{path}/lottery/confirmation", "police", {"amount": "0.00"})
        assert unknown.status_code == 422
        view = await ok(svc, "GET", f"/cases/{cid}", "agency")
        assert {c["status"] for c in view["channel_payments"]} == {"claimed"}  # the refusals changed nothing

        # The police find a liable driver who paid 600.00 (the hospital said 0.00).
        await ok(
            svc,
            "POST",
            f"{path}/liable_party/confirmation",
            "police",
            {"amount": "600.00", "document_ref": "柳公交认字〔2026〕第0915号", "note": "肇事方已垫付"},
        )
        await ok(svc, "POST", f"{path}/road_traffic_accident_fund/confirmation", "police", {"amount": "0.00"})
        await ok(svc, "POST", f"{path}/basic_medical_insurance/confirmation", "insurance", {"amount": "0.00"})
        await ok(
            svc, "POST", f"{path}/public_health_funds/confirmation", "agency", {"amount": "0.00", "document_ref": DOC}
        )
        red = await ok(svc, "POST", f"{path}/red_cross/confirmation", "agency", {"amount": "0.00", "document_ref": DOC})
        by_channel = {c["channel"]: c for c in red["channel_payments"]}
        assert by_channel["red_cross"]["document_ref"] == DOC and by_channel["red_cross"]["status"] == "confirmed"
        liable = by_channel["liable_party"]
        assert (liable["amount"], liable["claimed_amount"], liable["confirmed_role"]) == ("600.00", "0.00", "police")
        assert queue_channels(await ok(svc, "GET", "/channel-confirmations", "police"), cid) == []

        # the hospital's 0.00 for work-injury insurance is not waived: only hrss settles it
        # (parameter channels_zero_needs_department)
        no_waiver = await call(svc, "POST", f"{path}/work_injury_insurance/waiver", "agency", {"reason": "患者无业"})
        assert no_waiver.status_code == 422
        assert (no_waiver.json()["rule"], no_waiver.json()["field"], no_waiver.json()["confirmed_by"]) == (
            "GD-18.1",
            "channel",
            "hrss",
        )
        await ok(svc, "POST", f"{path}/work_injury_insurance/confirmation", "hrss", {"amount": "0.00"})
        # medical aid: the agency waives the confirmation, with its reason (audited)
        waiver = f"{path}/medical_aid/waiver"
        assert (await call(svc, "POST", waiver, "agency", {"reason": ""})).status_code == 422
        assert (await call(svc, "POST", waiver, "insurance", {"reason": "x"})).status_code == 403
        await ok(svc, "POST", waiver, "agency", {"reason": "医保系统维护，以医院结算单为准"})
        again = await call(svc, "POST", waiver, "agency", {"reason": "again"})
        assert again.status_code == 409
        t = svc.runtime.db.tables.audit_log
        async with svc.runtime.db.read() as s:
            rows = (await s.execute(select(t.c.action, t.c.reason).where(t.c.subject == cid))).all()
        assert ("case.channel_waived", "医保系统维护，以医院结算单为准") in rows
        assert ("case.channel_confirmed", "肇事方已垫付") in rows

        # the claim (1,000.00 + 90.00) rests on the hospital's 0.00: on the confirmed 600.00 only
        # 400.00 + 90.00 may be approved
        r = await call(svc, "POST", review, "agency", {"outcome": "approved"})
        assert r.status_code == 422 and r.json()["rule"] == "GD-18.1" and r.json()["payable"] == "490.00"
        approved = await ok(
            svc,
            "POST",
            review,
            "agency",
            {
                "outcome": "approved",
                "reason": "责任方已垫付600元",
                "cases": [{"case_id": cid, "approved_amount": "490.00"}],
            },
        )
        assert approved["state"] == "agency_approved" and approved["approved_amount"] == "490.00"
        # SPEC 0.5: after the agency's decision a department's confirmation is still recorded;
        # one that makes the gap no smaller leaves the decision standing
        late = await ok(svc, "POST", f"{path}/liable_party/confirmation", "police", {"amount": "0.00"})
        assert late["state"] == "in_application"
        assert (await ok(svc, "GET", f"/applications/{app_id}", "agency"))["approved_amount"] == "490.00"
        # one that makes it smaller takes the decision again: the case leaves the application
        # (withdrawn, being its only case) and is open for the hospital's new claim
        hrss = await ok(svc, "POST", f"{path}/work_injury_insurance/confirmation", "hrss", {"amount": "300.00"})
        assert (hrss["state"], hrss["claim_medical"]) == ("open", None)
        by_channel = {c["channel"]: c for c in hrss["channel_payments"]}
        assert (by_channel["work_injury_insurance"]["status"], by_channel["work_injury_insurance"]["amount"]) == (
            "confirmed",
            "300.00",
        )
        app = await ok(svc, "GET", f"/applications/{app_id}", "agency")
        assert app["state"] == "withdrawn"
        assert app["cases"][0]["withdrawn_reason"].startswith("GD-18.1: work_injury_insurance confirmed 300.00")
        async with svc.runtime.db.read() as s:
            rows = (await s.execute(select(t.c.action, t.c.reason).where(t.c.subject == cid))).all()
        assert ("case.channel_confirmed_after_decision", "decision_stands") in rows
        assert ("case.channel_confirmed_after_decision", "withdrawn_from_application") in rows


async def test_gd_18_1_a_confirmed_channel_is_not_overwritten_by_the_hospital(svc: ServiceHarness) -> None:
    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        cid = (await open_case(svc, identity="identified", id_number=VALID_ID))["case_id"]
        # a department may confirm before the hospital entered anything
        await ok(
            svc,
            "POST",
            f"/cases/{cid}/channel-payments/work_injury_insurance/confirmation",
            "hrss",
            {"amount": "300.00"},
        )
        r = await call(
            svc,
            "POST",
            f"/cases/{cid}/channel-payments",
            "hospital",
            {"channel": "work_injury_insurance", "amount": "0.00"},
        )
        assert r.status_code == 409 and r.json()["rule"] == "GD-18.1"
        [row] = (await ok(svc, "GET", f"/cases/{cid}", "hospital"))["channel_payments"]
        assert (row["amount"], row["claimed_amount"], row["status"]) == ("300.00", None, "confirmed")
        waive = await call(
            svc, "POST", f"/cases/{cid}/channel-payments/medical_aid/waiver", "agency", {"reason": "无记录"}
        )
        assert waive.status_code == 422 and waive.json()["field"] == "channel"  # nothing claimed to waive


async def test_gd_14_exclusions_proposed_by_the_hospital_decided_by_the_agency(svc: ServiceHarness) -> None:
    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        cid = (await open_case(svc))["case_id"]
        view = await ok(
            svc,
            "POST",
            f"/cases/{cid}/cost-items",
            "hospital",
            {
                "items": [
                    {
                        "occurred_at": (ADMITTED + timedelta(hours=1)).isoformat(),
                        "category": "treatment",
                        "description": "抢救",
                        "in_catalogue": True,
                        "amount": "10000.00",
                    },
                    {
                        "occurred_at": (ADMITTED + timedelta(hours=2)).isoformat(),
                        "category": "drug",
                        "description": "营养药",
                        "in_catalogue": False,
                        "amount": "800.00",
                        "exclusion": "beyond_treatment_need",
                        "exclusion_note": "与救治无关",
                    },
                    {
                        "occurred_at": (ADMITTED + timedelta(hours=3)).isoformat(),
                        "category": "other",
                        "description": "陪护床",
                        "in_catalogue": False,
                        "amount": "200.00",
                    },
                ]
            },
        )
        items = {i["description"]: i for i in view["cost_items"]}
        assert items["营养药"]["exclusion_status"] == "proposed" and items["抢救"]["exclusion_status"] is None
        # a proposal counts as excluded until decided (the fund pays less, never more)
        a = await ok(svc, "GET", f"/cases/{cid}/assessment", "hospital")
        assert a["excluded"] == {"beyond_treatment_need": "800.00"} and a["eligible_medical"] == "10200.00"
        await deliver(svc, overdue_event("P-1"))
        await ok(svc, "POST", f"/cases/{cid}/claim", "hospital", {**CLAIM, "medical_amount": "10200.00"})
        app = await ok(svc, "POST", "/applications", "hospital", {"facility_id": H1, "case_ids": [cid]})
        review = f"/applications/{app['application_id']}/agency-review"

        r = await call(svc, "POST", review, "agency", {"outcome": "approved"})
        assert r.status_code == 422 and r.json()["rule"] == "GD-14"
        [pending] = r.json()["unresolved"]
        assert pending["cost_item_id"] == items["营养药"]["cost_item_id"]
        queue = await ok(svc, "GET", "/exclusion-proposals", "agency")
        assert [(p["case_id"], p["cost_item_id"], p["amount"]) for p in queue["items"]] == [
            (cid, items["营养药"]["cost_item_id"], "800.00")
        ]
        assert (await call(svc, "GET", "/exclusion-proposals", "hospital")).status_code == 403

        decide = f"/cases/{cid}/cost-items/{items['营养药']['cost_item_id']}/exclusion-decision"
        assert (await call(svc, "POST", decide, "hospital", {"decision": "accepted", "reason": "x"})).status_code == 403
        await ok(svc, "POST", decide, "agency", {"decision": "rejected", "reason": "属抢救用药"})
        # the agency excludes an item the hospital did not mark
        own = f"/cases/{cid}/cost-items/{items['陪护床']['cost_item_id']}/exclusion-decision"
        bad = await call(svc, "POST", own, "agency", {"decision": "accepted", "reason": "x"})
        assert bad.status_code == 422 and bad.json()["field"] == "/exclusion"
        assert (await call(svc, "POST", own, "agency", {"decision": "rejected", "reason": "x"})).status_code == 409
        await ok(
            svc,
            "POST",
            own,
            "agency",
            {"decision": "accepted", "exclusion": "beyond_treatment_need", "reason": "非救治必需"},
        )
        a = await ok(svc, "GET", f"/cases/{cid}/assessment", "agency")
        assert a["excluded"] == {"beyond_treatment_need": "200.00"} and a["eligible_medical"] == "10800.00"
        assert (await ok(svc, "GET", "/exclusion-proposals", "agency"))["items"] == []

        # the claim's 10,200.00 medical still fits the decided facts (10,800.00 eligible)
        approved = await ok(svc, "POST", review, "agency", {"outcome": "approved"})
        assert approved["approved_amount"] == "10290.00"


async def test_gd_14_case_exclusion_proposed_by_the_hospital(svc: ServiceHarness) -> None:
    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        cid = (await open_case(svc, identity="identified", id_number=VALID_ID))["case_id"]
        body = {"exclusion": "able_to_pay_refuses", "reason": "患者有存款拒绝付费"}
        proposed = await ok(svc, "POST", f"/cases/{cid}/exclusion", "hospital", body)
        assert proposed["state"] == "open" and proposed["exclusion_proposed"] == "able_to_pay_refuses"
        r = await call(svc, "POST", f"/cases/{cid}/claim", "hospital", CLAIM)
        assert r.status_code == 422 and "GD-14" in {b["rule"] for b in r.json()["blockers"]}
        queue = await ok(svc, "GET", "/exclusion-proposals", "agency")
        assert [(p["case_id"], p["cost_item_id"], p["exclusion"]) for p in queue["items"]] == [
            (cid, None, "able_to_pay_refuses")
        ]
        decision = f"/cases/{cid}/exclusion-decision"
        assert (
            await call(svc, "POST", decision, "hospital", {"decision": "accepted", "reason": "x"})
        ).status_code == 403
        rejected = await ok(svc, "POST", decision, "agency", {"decision": "rejected", "reason": "经核实无支付能力"})
        assert rejected["state"] == "open" and rejected["exclusion_proposed"] is None
        assert (await call(svc, "POST", decision, "agency", {"decision": "accepted", "reason": "x"})).status_code == 409
        await ok(svc, "POST", f"/cases/{cid}/exclusion", "hospital", body)
        accepted = await ok(svc, "POST", decision, "agency", {"decision": "accepted", "reason": "经核实有支付能力"})
        assert accepted["state"] == "excluded" and accepted["excluded"] == "able_to_pay_refuses"
        [closed] = await svc.published("FundCaseClosed")
        assert closed["payload"]["case_id"] == cid


async def test_gd_18_1_a_zero_for_the_liable_party_does_not_unlock_the_gap(svc: ServiceHarness) -> None:
    """Issue scenario: the hospital records 0.00 for the liable party, work-injury insurance
    and the road-traffic fund to have the fund pay the whole gap. Every other channel is
    confirmed; the agency cannot waive those three zeros, so nothing is approved until the
    police and hrss answer — and the police's answer (the driver paid 700.00) is what counts."""
    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        cid, app_id = await identified_in_application(svc, "P-ZERO")
        path = f"/cases/{cid}/channel-payments"
        await ok(svc, "POST", f"{path}/basic_medical_insurance/confirmation", "insurance", {"amount": "0.00"})
        await ok(svc, "POST", f"{path}/medical_aid/confirmation", "insurance", {"amount": "0.00"})
        for channel in ("public_health_funds", "red_cross"):
            await ok(svc, "POST", f"{path}/{channel}/confirmation", "agency", {"amount": "0.00", "document_ref": DOC})
        for channel, department in (
            ("liable_party", "police"),
            ("work_injury_insurance", "hrss"),
            ("road_traffic_accident_fund", "police"),
        ):
            r = await call(svc, "POST", f"{path}/{channel}/waiver", "agency", {"reason": "医院称无责任方"})
            assert r.status_code == 422, r.text
            assert (r.json()["rule"], r.json()["field"], r.json()["confirmed_by"]) == ("GD-18.1", "channel", department)
        review = f"/applications/{app_id}/agency-review"
        r = await call(svc, "POST", review, "agency", {"outcome": "approved"})
        assert r.status_code == 422 and r.json()["rule"] == "GD-18.1"
        assert {u["channel"] for u in r.json()["unresolved"]} == {
            "liable_party",
            "work_injury_insurance",
            "road_traffic_accident_fund",
        }
        view = await ok(svc, "GET", f"/cases/{cid}", "agency")
        assert {c["channel"]: c["status"] for c in view["channel_payments"]}["liable_party"] == "claimed"
        assert await svc.published("FundApplicationReviewed") == []  # the refusals changed nothing

        await ok(svc, "POST", f"{path}/liable_party/confirmation", "police", {"amount": "700.00"})
        await ok(svc, "POST", f"{path}/road_traffic_accident_fund/confirmation", "police", {"amount": "0.00"})
        await ok(svc, "POST", f"{path}/work_injury_insurance/confirmation", "hrss", {"amount": "0.00"})
        r = await call(svc, "POST", review, "agency", {"outcome": "approved"})
        assert r.status_code == 422 and r.json()["payable"] == "390.00"  # 1,000.00 - 700.00 + 90.00


async def test_gd_18_1_which_zeros_need_the_department_is_a_versioned_interpretation(svc: ServiceHarness) -> None:
    """From the version's first day a zero for work-injury insurance may be waived again; the
    waiver cites the version it applied."""
    with time_machine.travel(NOW - timedelta(days=10), tick=False):
        version = parameter_version(
            "channel_confirmation", "2026-09-10", channels_zero_needs_department=["liable_party"]
        )
        assert (await load_parameters(svc, version)).status_code < 300
        unknown = parameter_version("channel_confirmation", "2026-09-11", channels_zero_needs_department=["lottery"])
        assert (await load_parameters(svc, unknown)).status_code == 422
    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        cid, _ = await identified_in_application(svc, "P-PARAM")
        path = f"/cases/{cid}/channel-payments"
        await ok(svc, "POST", f"{path}/work_injury_insurance/waiver", "agency", {"reason": "患者无业，无参保记录"})
        r = await call(svc, "POST", f"{path}/liable_party/waiver", "agency", {"reason": "x"})
        assert r.status_code == 422 and r.json()["rule"] == "GD-18.1"
        t = svc.runtime.db.tables.audit_log
        async with svc.runtime.db.read() as s:
            [details] = (
                await s.execute(select(t.c.details).where(t.c.subject == cid, t.c.action == "case.channel_waived"))
            ).scalars()
        assert details["parameters"] == "channel_confirmation:any:any:2026-09-10"


async def test_gd_18_1_confirmed_channels_in_a_journey_of_the_helpers(svc: ServiceHarness) -> None:
    """The helpers' identified case confirms every channel, so its application can be approved."""
    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        cid, app_id = await identified_in_application(svc, "P-H")
        await confirm_channels(svc, cid)
        approved = await ok(svc, "POST", f"/applications/{app_id}/agency-review", "agency", {"outcome": "approved"})
        assert approved["approved_amount"] == "1090.00"


async def test_gd_18_1_a_channel_confirmed_after_payment_demands_the_difference_back(svc: ServiceHarness) -> None:
    """SPEC 0.5: the police confirm, after the fund paid, that the liable party paid 2,000.00
    of an unidentified patient's costs: the fund's gap was that much smaller, so the
    difference is demanded back from the hospital, due like any refund (GD-16.4)."""
    from .helpers import PAY, paid

    _, [case_id] = await paid(svc)
    with time_machine.travel(PAY + timedelta(days=5), tick=False):
        path = f"/cases/{case_id}/channel-payments/liable_party/confirmation"
        wrong = await call(svc, "POST", path, "hrss", {"amount": "2000.00"})
        assert wrong.status_code == 422 and wrong.json()["rule"] == "GD-18.1"  # not hrss's channel
        assert (await ok(svc, "GET", f"/cases/{case_id}", "hospital"))["state"] == "paid"
        case = await ok(svc, "POST", path, "police", {"amount": "2000.00", "note": "肇事方赔付"})
        assert case["state"] == "refund_demanded"
        [demand] = await svc.published("FundRefundDemanded")
        assert demand["payload"]["amount"] == "2000.00" and demand["payload"]["reason"].startswith("GD-18.1")
        assert demand["payload"]["due_at"] is not None
        again = await call(svc, "POST", path, "police", {"amount": "2500.00"})
        assert again.status_code == 409 and again.json()["rule"] == "GD-18.1"  # settled by the demand
        assert len(await svc.published("FundRefundDemanded")) == 1


async def test_gd_18_1_a_channel_confirmed_after_payment_at_no_more_than_assumed_changes_nothing(
    svc: ServiceHarness,
) -> None:
    from .helpers import PAY, paid

    _, [case_id] = await paid(svc)
    with time_machine.travel(PAY + timedelta(days=5), tick=False):
        path = f"/cases/{case_id}/channel-payments/road_traffic_accident_fund/confirmation"
        case = await ok(svc, "POST", path, "police", {"amount": "0.00"})
        assert case["state"] == "paid"
        assert await svc.published("FundRefundDemanded") == []


REFUSES = {"exclusion": "able_to_pay_refuses", "reason": "经核实患者有存款，拒绝支付"}


async def test_gd_14_the_agency_excludes_after_its_decision_and_the_decision_is_taken_again(
    svc: ServiceHarness,
) -> None:
    """SPEC 0.5: the agency's finding that the patient can pay and refuses arrives after the
    case went into an approved application: the case leaves it and is excluded; the hospital
    can no longer propose one itself."""
    from .helpers import AGENCY, SUBMIT, claimed_identified

    with time_machine.travel(SUBMIT, tick=False):
        await prepare_city(svc)
        cid = await claimed_identified(svc, VALID_ID, "P-EX")
        app = await ok(svc, "POST", "/applications", "hospital", {"facility_id": H1, "case_ids": [cid]})
    with time_machine.travel(AGENCY, tick=False):
        await ok(svc, "POST", f"/applications/{app['application_id']}/agency-review", "agency", {"outcome": "approved"})
        own = await call(svc, "POST", f"/cases/{cid}/exclusion", "hospital", REFUSES)
        assert own.status_code == 409 and (own.json()["rule"], own.json()["field"]) == ("GD-14", "/exclusion")
        case = await ok(svc, "POST", f"/cases/{cid}/exclusion", "agency", REFUSES)
        assert (case["state"], case["excluded"]) == ("excluded", "able_to_pay_refuses")
        after = await ok(svc, "GET", f"/applications/{app['application_id']}", "agency")
        assert after["state"] == "withdrawn" and after["cases"][0]["withdrawn_reason"].startswith("GD-14")


async def test_gd_14_an_exclusion_found_after_payment_demands_the_money_back(svc: ServiceHarness) -> None:
    from .helpers import PAY, SUBMIT, claimed_identified, through_review

    with time_machine.travel(SUBMIT, tick=False):
        await prepare_city(svc)
        cid = await claimed_identified(svc, VALID_ID, "P-EX2")
        app = await ok(svc, "POST", "/applications", "hospital", {"facility_id": H1, "case_ids": [cid]})
    await through_review(svc, app["application_id"])
    with time_machine.travel(PAY, tick=False):
        await ok(svc, "POST", f"/applications/{app['application_id']}/disbursement", "finance")
    with time_machine.travel(PAY + timedelta(days=10), tick=False):
        case = await ok(svc, "POST", f"/cases/{cid}/exclusion", "agency", REFUSES)
        assert (case["state"], case["excluded"]) == ("refund_demanded", "able_to_pay_refuses")
        [demand] = await svc.published("FundRefundDemanded")
        assert demand["payload"]["amount"] == "1090.00" and demand["payload"]["reason"].startswith("GD-14")
        again = await call(svc, "POST", f"/cases/{cid}/exclusion", "agency", REFUSES)
        assert again.status_code == 409 and again.json()["rule"] == "GD-14"
