"""Cases, eligibility and identity paths over HTTP (GD-12 … GD-18, GD-22.3, GD-23, LJ-11.4)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import time_machine
from sqlalchemy import select

from medaid_shared.contracts.referral import EmergencyAssistanceReferred, PersonRegistered
from medaid_shared.contracts.settlement import SettlementCompleted, SettlementReversed
from medaid_shared.crypto import seal
from medaid_shared.settings import DEV_PERSON_MATCHING_PUBLIC_KEY, PERSON_MATCHING_PURPOSE
from medaid_shared.testing import ServiceHarness

from .helpers import (
    ADMITTED,
    CITY,
    H1,
    H2,
    NOW,
    VALID_ID,
    VALID_ID_2,
    add_costs,
    call,
    deliver,
    ok,
    open_case,
    overdue_event,
    prepare_city,
    verified_event,
)

CLAIM = {"medical_amount": "15000.00", "living_amount": "90.00", "declaration": "情况属实"}
ALL_CHANNELS = [
    "liable_party",
    "work_injury_insurance",
    "basic_medical_insurance",
    "public_health_funds",
    "medical_aid",
    "road_traffic_accident_fund",
    "red_cross",
]


async def test_gd_16_3_unidentified_claim_waits_for_the_police(svc: ServiceHarness) -> None:
    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        case = await open_case(svc)
        assert case["identity_status"] == "unidentified" and case["name_masked"] is None
        await add_costs(svc, case["case_id"], (1, "15000.00"), (80, "3000.00"))
        path = f"/cases/{case['case_id']}/claim"
        r = await call(svc, "POST", path, "hospital", CLAIM)
        assert r.status_code == 422 and r.json()["rule"] == "GD-16.3"
        assert (await ok(svc, "GET", f"/cases/{case['case_id']}", "hospital"))["state"] == "open"
        await deliver(svc, overdue_event())
        a = await ok(svc, "GET", f"/cases/{case['case_id']}/assessment", "agency")
        assert a["ready"] is True
        assert a["excluded"] == {"after_emergency_period": "3000.00"}  # GD-13.3
        assert (a["medical_max"], a["living_max"], a["living_daily"]) == ("15000.00", "90.00", "30.00")
        over = await call(svc, "POST", path, "hospital", {**CLAIM, "living_amount": "90.01"})
        assert over.status_code == 422 and over.json()["rule"] == "GD-13.5"
        over = await call(svc, "POST", path, "hospital", {**CLAIM, "medical_amount": "15000.01"})
        assert over.status_code == 422 and over.json()["rule"] == "GD-13.1"
        filed = await ok(svc, "POST", path, "hospital", CLAIM)
        assert filed["state"] == "claimed" and filed["claim_medical"] == "15000.00"
        again = await call(svc, "POST", path, "hospital", CLAIM)
        assert again.status_code == 409


async def test_gd_16_3_not_identified_reply_opens_the_path(svc: ServiceHarness) -> None:
    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        case = await open_case(svc)
        assert await deliver(svc, verified_event("not_identified")) == "applied"
        got = await ok(svc, "GET", f"/cases/{case['case_id']}", "hospital")
        assert got["identity_gate"] == "not_identified"
        # a signal that arrived before the case opened counts too
        await deliver(svc, overdue_event(patient_ref="P-2"))
        early = await open_case(svc, patient_ref="P-2")
        assert early["identity_gate"] == "identity_check_overdue"


async def test_gd_13_4_claim_capped_at_the_hospitals_average_cost(svc: ServiceHarness) -> None:
    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        case = await open_case(svc)
        await add_costs(svc, case["case_id"], (1, "25000.00"))
        await deliver(svc, overdue_event())
        a = await ok(svc, "GET", f"/cases/{case['case_id']}/assessment", "hospital")
        assert a["medical_max"] == "20000.00" and a["average_cost_cap"] == "20000.00"
        r = await call(
            svc, "POST", f"/cases/{case['case_id']}/claim", "hospital", {**CLAIM, "medical_amount": "20000.01"}
        )
        assert r.status_code == 422 and r.json()["rule"] == "GD-13.4"
        await ok(svc, "POST", f"/cases/{case['case_id']}/claim", "hospital", {**CLAIM, "medical_amount": "20000.00"})


async def test_gd_12_disease_must_be_eligible_and_referenced(svc: ServiceHarness) -> None:
    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        case = await open_case(svc, disease="J18")
        await add_costs(svc, case["case_id"], (1, "100.00"))
        await deliver(svc, overdue_event())
        r = await call(
            svc, "POST", f"/cases/{case['case_id']}/claim", "hospital", {**CLAIM, "medical_amount": "100.00"}
        )
        assert r.status_code == 422 and r.json()["rule"] == "GD-12"
        blockers = {b["rule"] for b in r.json()["blockers"]}
        assert blockers == {"GD-12", "GD-13.4"}
        await ok(
            svc,
            "POST",
            "/reference/diseases",
            "health",
            {
                "code": "J18",
                "name": "重症肺炎",
                "scope": CITY,
                "urgent_critical": True,
                "effective_from": "2026-01-01",
                "basis": "监督管理委员会 2026 第 1 号决议",
            },
        )
        await ok(
            svc,
            "POST",
            "/reference/cost-averages",
            "health",
            {
                "year": 2025,
                "source": "2024",
                "rows": [{"facility_id": H1, "disease_code": "J18", "average_cost": "80.00"}],
            },
        )
        a = await ok(svc, "GET", f"/cases/{case['case_id']}/assessment", "hospital")
        assert a["ready"] is True and a["medical_max"] == "80.00"  # GD-13.4: last year's reference


async def test_gd_14_exclusions_and_gd_23_waiver(svc: ServiceHarness) -> None:
    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        case = await open_case(svc, facility=H2, as_="hospital2")
        r = await call(
            svc,
            "POST",
            f"/cases/{case['case_id']}/cost-items",
            "hospital2",
            {
                "items": [
                    {
                        "occurred_at": (ADMITTED + timedelta(hours=2)).isoformat(),
                        "category": "drug",
                        "description": "营养药",
                        "in_catalogue": False,
                        "amount": "800.00",
                        "exclusion": "beyond_treatment_need",
                    }
                ]
            },
        )
        assert r.status_code == 422 and r.json()["rule"] == "GD-14"
        await ok(
            svc,
            "POST",
            f"/cases/{case['case_id']}/cost-items",
            "hospital2",
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
                ]
            },
        )
        r = await call(
            svc, "POST", f"/cases/{case['case_id']}/waiver", "hospital2", {"amount": "99999.00", "reason": "减免"}
        )
        assert r.status_code == 422 and r.json()["rule"] == "GD-23"
        await ok(
            svc,
            "POST",
            f"/cases/{case['case_id']}/waiver",
            "hospital2",
            {"amount": "2000.00", "reason": "民营医院主动减免"},
        )
        a = await ok(svc, "GET", f"/cases/{case['case_id']}/assessment", "hospital2")
        assert a["excluded"] == {"beyond_treatment_need": "800.00"}
        assert a["waiver"] == "2000.00" and a["medical_max"] == "8000.00"
        # GD-14: an unidentified patient cannot be "able to pay but refusing"
        r = await call(
            svc,
            "POST",
            f"/cases/{case['case_id']}/exclusion",
            "hospital2",
            {"exclusion": "able_to_pay_refuses", "reason": "x"},
        )
        assert r.status_code == 422 and r.json()["rule"] == "GD-14"


async def test_gd_17_gd_18_1_gd_22_3_identified_patient_unable_to_pay(svc: ServiceHarness) -> None:
    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        case = await open_case(svc, identity="identified", id_number=VALID_ID, name="张小三")
        assert (case["name_masked"], case["id_number_masked"]) == ("张*三", "1101**********002X")
        assert "id_digest" not in case and "name_enc" not in case
        cid = case["case_id"]
        await add_costs(svc, cid, (1, "15000.00"))
        r = await call(svc, "POST", f"/cases/{cid}/claim", "hospital", CLAIM)
        assert r.status_code == 422
        assert {b["rule"] for b in r.json()["blockers"]} == {"GD-17", "GD-18.1", "GD-22.3"}
        bad = await call(svc, "POST", f"/cases/{cid}/unable-to-pay", "hospital", {"criteria": ["rich_uncle"]})
        assert bad.status_code == 422 and bad.json()["rule"] == "GD-17"
        await ok(svc, "POST", f"/cases/{cid}/unable-to-pay", "hospital", {"criteria": ["minimum_living"]})
        for channel in ALL_CHANNELS:
            amount = {"basic_medical_insurance": "9000.00", "red_cross": "1000.00"}.get(channel, "0.00")
            await ok(svc, "POST", f"/cases/{cid}/channel-payments", "hospital", {"channel": channel, "amount": amount})
        assert (
            await call(
                svc, "POST", f"/cases/{cid}/channel-payments", "hospital", {"channel": "lottery", "amount": "1.00"}
            )
        ).status_code == 422
        assert (
            await call(
                svc, "POST", f"/cases/{cid}/channel-payments", "hospital", {"channel": "red_cross", "amount": "-1.00"}
            )
        ).status_code == 422
        check = {"statuses": ["marginal_family"], "note": "民政核对"}
        assert (await call(svc, "POST", f"/cases/{cid}/civil-affairs-check", "hospital", check)).status_code == 403
        await ok(svc, "POST", f"/cases/{cid}/civil-affairs-check", "civil", check)
        r = await call(svc, "POST", f"/cases/{cid}/claim", "hospital", CLAIM)
        assert r.status_code == 422 and r.json()["rule"] == "GD-22.3"
        await ok(svc, "POST", f"/cases/{cid}/civil-affairs-check", "civil", {"statuses": ["minimum_living"]})
        bad = await call(svc, "POST", f"/cases/{cid}/civil-affairs-check", "civil", {"statuses": ["none", "orphan"]})
        assert bad.status_code == 422
        a = await ok(svc, "GET", f"/cases/{cid}/assessment", "hospital")
        assert (a["channels_paid"], a["medical_gap"], a["medical_max"]) == ("10000.00", "5000.00", "5000.00")
        r = await call(svc, "POST", f"/cases/{cid}/claim", "hospital", {**CLAIM, "medical_amount": "5000.01"})
        assert r.status_code == 422 and r.json()["rule"] == "GD-18.1"
        await ok(svc, "POST", f"/cases/{cid}/claim", "hospital", {**CLAIM, "medical_amount": "5000.00"})
        # changing a claimed case withdraws the claim (it is filed again after the change)
        await ok(
            svc, "POST", f"/cases/{cid}/channel-payments", "hospital", {"channel": "liable_party", "amount": "500.00"}
        )
        assert (await ok(svc, "GET", f"/cases/{cid}", "hospital"))["state"] == "open"


async def test_gd_18_2_homeless_vagrant_registered_by_civil_affairs(svc: ServiceHarness) -> None:
    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        cid = (await open_case(svc, identity="identified"))["case_id"]
        await add_costs(svc, cid, (1, "1000.00"))
        await ok(svc, "POST", f"/cases/{cid}/unable-to-pay", "hospital", {"criteria": ["homeless_vagrant"]})
        for channel in ALL_CHANNELS:
            await ok(svc, "POST", f"/cases/{cid}/channel-payments", "hospital", {"channel": channel, "amount": "0.00"})
        await ok(svc, "POST", f"/cases/{cid}/civil-affairs-check", "civil", {"statuses": ["none"]})
        r = await call(svc, "POST", f"/cases/{cid}/claim", "hospital", {**CLAIM, "medical_amount": "1000.00"})
        assert r.status_code == 422 and r.json()["rule"] == "GD-18.2"
        reg = {"registration_no": "JZ-2026-001", "agency": "柳州市救助管理站"}
        assert (await call(svc, "POST", f"/cases/{cid}/vagrant-registration", "hospital", reg)).status_code == 403
        await ok(svc, "POST", f"/cases/{cid}/vagrant-registration", "civil", reg)
        assert (await call(svc, "POST", f"/cases/{cid}/vagrant-registration", "civil", reg)).status_code == 409
        await ok(svc, "POST", f"/cases/{cid}/claim", "hospital", {**CLAIM, "medical_amount": "1000.00"})


async def test_gd_14_able_to_pay_but_refuses(svc: ServiceHarness) -> None:
    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        cid = (await open_case(svc, identity="identified"))["case_id"]
        body = {"exclusion": "able_to_pay_refuses", "reason": "有存款拒付"}
        assert (await call(svc, "POST", f"/cases/{cid}/exclusion", "finance", body)).status_code == 403
        got = await ok(svc, "POST", f"/cases/{cid}/exclusion", "agency", body)
        assert got["state"] == "excluded" and got["excluded"] == "able_to_pay_refuses"
        # SPEC 0.4: the case's end closes the police letter it rests on (photo retention starts)
        [closed] = await svc.published("FundCaseClosed")
        assert closed["payload"]["case_id"] == cid and closed["payload"]["outcome"] == "excluded"
        assert closed["payload"]["patient_ref"] == got["patient_ref"]
        r = await call(svc, "POST", f"/cases/{cid}/claim", "hospital", CLAIM)
        assert r.status_code == 409
        assert (await call(svc, "POST", f"/cases/{cid}/cost-items", "hospital", {"items": []})).status_code == 422


async def test_gd_16_3_identified_in_time_moves_to_the_identified_path(svc: ServiceHarness) -> None:
    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        cid = (await open_case(svc))["case_id"]
        await deliver(svc, verified_event("identified", late=False))
        got = await ok(svc, "GET", f"/cases/{cid}", "hospital")
        assert got["identity_status"] == "identified" and got["name_masked"] == "李*四"
        assert got["id_number_masked"] == "1101**********0038"
        r = await call(svc, "POST", f"/cases/{cid}/claim", "hospital", CLAIM)
        assert r.status_code == 422 and r.json()["rule"] in {"GD-17", "GD-18.1", "GD-22.3"}


async def test_lj_11_4_referred_destitute_case_with_medical_aid_from_settlement(svc: ServiceHarness) -> None:
    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        person = PersonRegistered(
            person_id="PER-1",
            name_masked="李*四",
            id_number_masked="1101**********0038",
            id_number_sealed=seal(DEV_PERSON_MATCHING_PUBLIC_KEY, VALID_ID_2, PERSON_MATCHING_PURPOSE),
            support_type="centralized",
        )
        await deliver(svc, person)
        referred = EmergencyAssistanceReferred(
            admission_id="ADM-1",
            person_id="PER-1",
            facility_id=H1,
            admitted_at=ADMITTED,
            id_number_sealed=seal(DEV_PERSON_MATCHING_PUBLIC_KEY, VALID_ID_2, PERSON_MATCHING_PURPOSE),
            name_masked="李*四",
            city=CITY,
        )
        await deliver(svc, referred)
        await deliver(svc, referred)  # a second delivery (new event id) opens no second case
        cases = (await ok(svc, "GET", "/cases", "hospital"))["items"]
        assert len(cases) == 1
        case = cases[0]
        assert (case["source"], case["destitute"], case["admission_id"]) == ("referral", True, "ADM-1")
        assert case["unable_to_pay_basis"] == ["destitute"]
        view = await ok(svc, "GET", f"/cases/{case['case_id']}", "civil")
        assert view["civil_affairs_checks"][0]["statuses"] == ["destitute"]  # GD-22.3
        statement = SettlementCompleted(
            statement_id="ST-1",
            admission_id="ADM-1",
            person_id="PER-1",
            facility_id=H1,
            mode="one_stop",
            total=Decimal("16000.00"),
            basic_insurance=Decimal("8000.00"),
            critical_illness=Decimal("1000.00"),
            medical_aid=Decimal("4000.00"),
            support_fund=Decimal("0"),
            self_pay_support=Decimal("0"),
            hospital_borne=Decimal("0"),
            personal_cash=Decimal("3000.00"),
            aid_year=2026,
            completed_at=NOW,
        )
        await deliver(svc, statement)
        view = await ok(svc, "GET", f"/cases/{case['case_id']}", "hospital")
        channels = {c["channel"]: (c["amount"], c["source"], c["status"]) for c in view["channel_payments"]}
        assert channels == {  # GD-18.1: settlement's statements are confirmed facts, not the hospital's word
            "medical_aid": ("4000.00", "settlement", "confirmed"),
            "basic_medical_insurance": ("9000.00", "settlement", "confirmed"),
        }
        r = await call(
            svc,
            "POST",
            f"/cases/{case['case_id']}/channel-payments",
            "hospital",
            {"channel": "medical_aid", "amount": "0.00"},
        )
        assert r.status_code == 409 and r.json()["rule"] == "GD-22.3"
        await deliver(
            svc,
            SettlementReversed(
                statement_id="ST-2",
                reversed_statement_id="ST-1",
                admission_id="ADM-1",
                person_id="PER-1",
                medical_aid_released=Decimal("4000.00"),
                reason="correction",
                reversed_at=NOW,
            ),
        )
        view = await ok(svc, "GET", f"/cases/{case['case_id']}", "hospital")
        assert {c["channel"]: c["amount"] for c in view["channel_payments"]}["medical_aid"] == "0.00"


async def test_gd_22_3_hospital_case_of_a_person_known_to_referral_is_destitute(svc: ServiceHarness) -> None:
    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        cid = (await open_case(svc, identity="identified", id_number=VALID_ID))["case_id"]
        assert (await ok(svc, "GET", f"/cases/{cid}", "hospital"))["destitute"] is False
        await deliver(
            svc,
            PersonRegistered(
                person_id="PER-9",
                name_masked="张*三",
                id_number_masked="1101**********002X",
                id_number_sealed=seal(DEV_PERSON_MATCHING_PUBLIC_KEY, VALID_ID, PERSON_MATCHING_PURPOSE),
                support_type="decentralized",
            ),
        )
        got = await ok(svc, "GET", f"/cases/{cid}", "hospital")
        assert got["destitute"] is True and got["person_id"] == "PER-9"


async def test_case_scope_and_bad_input(svc: ServiceHarness) -> None:
    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        cid = (await open_case(svc))["case_id"]
        assert (await call(svc, "GET", f"/cases/{cid}", "hospital2")).status_code == 403
        assert (await call(svc, "GET", f"/cases/{cid}", "other_agency")).status_code == 403
        assert (await call(svc, "GET", f"/cases/{cid}/assessment", "hospital2")).status_code == 403
        assert (await call(svc, "GET", f"/cases/{cid}", "patient")).status_code == 403
        assert (await call(svc, "GET", "/cases/EC-nope", "agency")).status_code == 404
        assert (await ok(svc, "GET", "/cases", "hospital2"))["items"] == []
        assert [c["case_id"] for c in (await ok(svc, "GET", "/cases", "auditor"))["items"]] == [cid]
        assert (await ok(svc, "GET", "/cases", "other_agency"))["items"] == []
        for path, body in [
            (
                f"/cases/{cid}/cost-items",
                {
                    "items": [
                        {
                            "occurred_at": ADMITTED.isoformat(),
                            "category": "drug",
                            "description": "x",
                            "in_catalogue": True,
                            "amount": "1.00",
                        }
                    ]
                },
            ),
            (f"/cases/{cid}/waiver", {"amount": "1.00", "reason": "x"}),
            (f"/cases/{cid}/claim", CLAIM),
            (f"/cases/{cid}/emergency-extension", {"hours": 100, "category": "critically_ill_newborn", "reason": "x"}),
            (f"/cases/{cid}/unable-to-pay", {"criteria": ["orphan"]}),
            (f"/cases/{cid}/channel-payments", {"channel": "red_cross", "amount": "1.00"}),
        ]:
            assert (await call(svc, "POST", path, "hospital2", body)).status_code == 403, path
            assert (await call(svc, "POST", path, "agency", body)).status_code == 403, path
        assert (
            await call(svc, "PUT", f"/cases/{cid}/disease", "hospital2", {"disease_code": "I21"})
        ).status_code == 403
        base = {
            "facility_id": H1,
            "patient_ref": "P-9",
            "admitted_at": ADMITTED.isoformat(),
            "identity": "unidentified",
        }
        for bad, field in [
            ({"facility_id": H2}, None),
            ({"admitted_at": "2026-09-14T08:00:00"}, "admitted_at"),
            ({"admitted_at": (NOW + timedelta(hours=1)).isoformat()}, "admitted_at"),
            ({"identity": "identified", "name": "张三", "id_number": "110105194912310021"}, "id_number"),
            ({"identity": "identified"}, "id_number"),
            ({"name": "张三"}, "identity"),
            ({"facility_id": "H999"}, None),
        ]:
            r = await call(svc, "POST", "/cases", "hospital", {**base, **bad})
            assert r.status_code in (403, 422), r.text
            if field:
                assert r.json()["field"] == f"/{field}"
        assert (await call(svc, "POST", "/cases", "agency", base)).status_code == 403
        r = await call(
            svc,
            "POST",
            f"/cases/{cid}/cost-items",
            "hospital",
            {
                "items": [
                    {
                        "occurred_at": (ADMITTED - timedelta(hours=1)).isoformat(),
                        "category": "drug",
                        "description": "x",
                        "in_catalogue": True,
                        "amount": "1.00",
                    }
                ]
            },
        )
        assert r.status_code == 422 and r.json()["field"] == "/items/0/occurred_at"
        assert len((await ok(svc, "GET", f"/cases/{cid}", "hospital"))["cost_items"]) == 0
        await ok(svc, "PUT", f"/cases/{cid}/disease", "hospital", {"disease_code": "I21"})


async def test_full_identity_read_is_audit_logged(svc: ServiceHarness) -> None:
    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        cid = (await open_case(svc, identity="identified", id_number=VALID_ID, name="张小三"))["case_id"]
        body = {"reason": "与公安核对身份"}
        assert (await call(svc, "POST", f"/cases/{cid}/identity-reads", "hospital", body)).status_code == 403
        assert (await call(svc, "POST", f"/cases/{cid}/identity-reads", "other_agency", body)).status_code == 403
        got = await ok(svc, "POST", f"/cases/{cid}/identity-reads", "agency", body)
        assert got == {"case_id": cid, "name": "张小三", "id_number": VALID_ID}
        t = svc.runtime.db.tables.audit_log
        async with svc.runtime.db.read() as s:
            rows = (await s.execute(select(t.c.action, t.c.reason, t.c.actor).where(t.c.subject == cid))).all()
        assert ("case.identity_read", "与公安核对身份", "agency-1") in rows
        unidentified = (await open_case(svc, patient_ref="P-2"))["case_id"]
        assert (await call(svc, "POST", f"/cases/{unidentified}/identity-reads", "agency", body)).status_code == 409


async def test_gd_18_identity_known_after_treatment(svc: ServiceHarness) -> None:
    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        cid = (await open_case(svc))["case_id"]
        body = {"name": "王五", "id_number": VALID_ID, "how": "患者清醒后自述，核验身份证"}
        assert (await call(svc, "POST", f"/cases/{cid}/identity", "hospital2", body)).status_code == 403
        got = await ok(svc, "POST", f"/cases/{cid}/identity", "hospital", body)
        assert got["identity_status"] == "identified" and got["name_masked"] == "王*"
        assert (await call(svc, "POST", f"/cases/{cid}/identity", "hospital", body)).status_code == 409


async def test_spec_0_4_a_cases_disease_code_rests_encrypted(svc: ServiceHarness) -> None:
    """Issue scenario: ``emergency_fund.case.disease_code`` was stored in clear. It rests as
    ciphertext now, reads back to the entitled roles, and the audit trail does not repeat it."""
    from emergency_fund.adapters.tables import case as case_table

    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        cid = (await open_case(svc, disease="I21"))["case_id"]
        await ok(svc, "PUT", f"/cases/{cid}/disease", "hospital", {"disease_code": "I63"})
        assert (await ok(svc, "GET", f"/cases/{cid}", "hospital"))["disease_code"] == "I63"
    async with svc.runtime.db.read() as s:
        row = (await s.execute(select(case_table))).mappings().one()
        audit = str((await s.execute(select(svc.runtime.db.tables.audit_log.c.details))).scalars().all())
    assert "disease_code" not in row and b"I63" not in bytes(row["disease_code_enc"])
    assert "I63" not in audit and "I21" not in audit


async def test_spec_0_4_the_disease_code_is_answered_only_to_the_roles_whose_purpose_needs_it(
    svc: ServiceHarness,
) -> None:
    """Issue 16: every reader of cases (police and HR & social security included) read the
    disease code. The minimisation table names the hospital that filed the case, the agency
    and the health department reviewing it; every other reader gets it empty, in the case,
    in the list and in the answer of a command."""
    with time_machine.travel(NOW, tick=False):
        await prepare_city(svc)
        cid = (await open_case(svc, disease="I21"))["case_id"]
        assert (await ok(svc, "PUT", f"/cases/{cid}/disease", "hospital", {"disease_code": "I63"}))[
            "disease_code"
        ] == "I63"
        for role, seen in {
            "hospital": "I63",
            "agency": "I63",
            "health": "I63",
            "finance": None,
            "auditor": None,
            "civil": None,
            "police": None,
            "insurance": None,
            "hrss": None,
        }.items():
            case = await ok(svc, "GET", f"/cases/{cid}", role)
            [listed] = (await ok(svc, "GET", "/cases", role))["items"]
            assert (case["disease_code"], listed["disease_code"]) == (seen, seen), role
            assert seen is not None or "I63" not in str(case) + str(listed), role
