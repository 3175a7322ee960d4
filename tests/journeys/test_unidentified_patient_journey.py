"""Journey 3 (November–December 2026): an unidentified emergency patient (GD-15, GD-16) paid
by the emergency medical assistance fund (GD-12 … GD-21), then identified late (GD-16.4).

A man is found unconscious by the roadside in the small hours of Thursday 5 November 2026 and
brought to a city hospital with no papers. The hospital treats first (GD-15) and sends the
county-level public security bureau of its jurisdiction a letter with a face photo (GD-16.1).
The bureau does not reply within 3 working days — Friday, Monday, Tuesday: the weekend does
not count (GD-16.2, SPEC 0.1) — so the request becomes overdue (GD-16.3) and the hospital
applies to the fund as unidentified: an eligible disease (GD-12), medical costs capped at the
hospital's average cost per case (GD-13.4) plus living costs of the 72-hour emergency period
(GD-13.1, GD-13.3, GD-13.5), costs not payable set aside (GD-14). The city fund, funded first
(GD-3), reviews through the agency, health and finance (GD-20.1, GD-20.2); the hospital's
and the agency's public notices each run 3 working days and money waits for both (GD-21).
In December the bureau reports the identity after all (GD-16.4): the fund demands the paid
amount back and the hospital returns it.

Driven only over HTTP against the five running services, waiting on the events they publish;
time moves with the services' clock, never by sleeping through days."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from medaid_shared.crypto import id_number_check_char

from .conftest import Stack
from .steps import face_photo, file_identity_check, open_city_fund, register_city_hospital

SHANGHAI = ZoneInfo("Asia/Shanghai")

CITY = "shaoguan"  # GD-3: the prefecture-level city whose fund pays
HOSPITAL = "J3-SG-PEOPLES"
BUREAU = "J3-PSB-WUJIANG"  # the county-level bureau of the hospital's jurisdiction (GD-16.1)
PATIENT_REF = "J3-ZY20261105-0007"  # the hospital's admission number (GD-15)
DISEASE = "J3-S06.5"  # traumatic subdural haemorrhage, urgent and critical (GD-12)

HOSPITAL_SCOPE = (f"facility:{HOSPITAL}",)
POLICE_SCOPE = (f"jurisdiction:{BUREAU}",)
CITY_SCOPE = (f"city:{CITY}",)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """An instant given in Asia/Shanghai wall time (SPEC 0.1)."""
    return datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


def as_local(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(SHANGHAI)


def money(value: Any) -> Decimal:
    """An amount as the services send it: exact, two decimals (SPEC 0.2)."""
    assert isinstance(value, str), f"money travels as an exact string, got {value!r}"
    amount = Decimal(value)
    assert amount == amount.quantize(Decimal("0.01")), value
    return amount


def resident_id(area: str, birth: date, sequence: int) -> str:
    first17 = f"{area}{birth:%Y%m%d}{sequence:03d}"
    return first17 + id_number_check_char(first17)


async def send(
    stack: Stack, service: str, method: str, path: str, *, role: str, scopes: tuple[str, ...] = (), **kw: Any
) -> httpx.Response:
    async with stack.client(service) as c:
        return await c.request(method, path, headers=stack.auth(role, *scopes, subject=f"{role}-j3"), **kw)


async def refused(
    stack: Stack, service: str, method: str, path: str, *, rule: str, status: int = 422, **kw: Any
) -> dict[str, Any]:
    """A command the rule refuses: problem details naming the rule (nothing changes)."""
    problem = await stack.call(service, method, path, expect=status, **kw)
    assert problem.get("rule") == rule, problem
    return problem


async def settle(seconds: float = 1.5) -> None:
    """A few scheduler and relay turns (every 0.2 s / 0.1 s) in real time; no days pass."""
    await asyncio.sleep(seconds)


def seen(stack: Stack, event_type: str, **match: Any) -> list[dict[str, Any]]:
    return [
        e
        for e in stack.events
        if e["type"].endswith(f".{event_type}") and all(e["data"].get(k) == v for k, v in match.items())
    ]


async def fund_summary(stack: Stack) -> dict[str, Any]:
    summary = await stack.call("emergency-fund", "GET", f"/funds/{CITY}", role="finance", scopes=CITY_SCOPE)
    assert money(summary["trial_balance"]) == 0, summary  # GD-3: double entry, the ledger balances
    return summary


async def test_unidentified_patient_police_overdue_fund_paid_then_identified_late_and_refunded(stack: Stack) -> None:
    # ------------------------------------------------------------ set-up: Wednesday 4 November
    await stack.set_clock(local(2026, 11, 4, 9, 0))

    # GD-16.1: the hospital's police jurisdiction is on the facility registry (referral);
    # emergency-fund learns the hospital's city from FacilityRegistered (its read model).
    facility = await register_city_hospital(stack, HOSPITAL, "韶关市人民医院", CITY, BUREAU)
    assert facility["police_jurisdiction"] == BUREAU, facility
    await stack.wait_event("FacilityRegistered", facility_id=HOSPITAL)

    # GD-3: the city's fund, funded first — a provincial transfer is a balanced ledger inflow.
    inflow = await open_city_fund(
        stack,
        CITY,
        "韶关市疾病应急救助基金",
        "韶关市医疗保障事业管理中心",
        amount="500000.00",
        reference="J3-YCZ-2026-118",
        memo="省级疾病应急救助补助资金",
    )
    assert money(inflow["cash"]) == Decimal("500000.00"), inflow
    summary = await fund_summary(stack)
    assert money(summary["cash"]) == Decimal("500000.00")
    assert money(summary["income"]["provincial_transfer"]) == Decimal("500000.00"), summary

    # GD-12: the disease is on the list (a city addition must be urgent, critical: refused otherwise).
    await refused(
        stack,
        "emergency-fund",
        "POST",
        "/reference/diseases",
        rule="GD-12",
        role="health_bureau",
        scopes=CITY_SCOPE,
        json={
            "code": "J3-K35",
            "name": "急性阑尾炎（非危重）",
            "scope": CITY,
            "urgent_critical": False,
            "effective_from": "2026-01-01",
            "basis": "韶关市基金监督管理委员会决议",
        },
    )
    await stack.call(
        "emergency-fund",
        "POST",
        "/reference/diseases",
        role="health_bureau",
        scopes=CITY_SCOPE,
        json={
            "code": DISEASE,
            "name": "创伤性硬膜下出血（重型颅脑损伤）",
            "scope": CITY,
            "urgent_critical": True,
            "effective_from": "2026-01-01",
            "basis": "韶关市疾病应急救助基金监督管理委员会2026年第1号决议",
        },
        expect=201,
    )
    # GD-13.4: the hospital's average cost per case for the disease; GD-13.5: the city's
    # urban minimum-living standard (monthly).
    await stack.call(
        "emergency-fund",
        "POST",
        "/reference/cost-averages",
        role="health_bureau",
        scopes=CITY_SCOPE,
        json={
            "year": 2026,
            "source": "韶关市卫生健康局 2026年度病种次均费用",
            "rows": [{"facility_id": HOSPITAL, "disease_code": DISEASE, "average_cost": "12800.00"}],
        },
        expect=201,
    )
    await stack.call(
        "emergency-fund",
        "PUT",
        f"/reference/living-standards/{CITY}",
        role="civil_affairs",
        scopes=CITY_SCOPE,
        json={"monthly_amount": "1110.00", "effective_from": "2026-07-01", "source": "韶民发〔2026〕31号"},
        expect=201,
    )

    # ------------------------------------------------------------ GD-16.1: the letter, Thursday 5 November
    admitted = local(2026, 11, 5, 1, 50)
    await stack.set_clock(local(2026, 11, 5, 8, 30))
    photo = face_photo()
    letter_fields = {
        "patient_ref": PATIENT_REF,
        "patient_description": "男，约40-45岁，身高约172cm，左额部挫裂伤；11月5日凌晨于武江区西联镇路边发现，昏迷",
        "statement": "患者入院时昏迷，无法陈述",
        "found_documents": "随身无证件，仅有一串钥匙及现金86元",
    }

    # Treat first (GD-15): the letter names the patient by the admission number only; the
    # bureau is taken from identity-check's facility read model (FacilityRegistered).
    request = await file_identity_check(stack, HOSPITAL, letter_fields, photo, "face-front.jpg")
    request_id = request["request_id"]
    assert request["bureau_id"] == BUREAU and request["status"] == "awaiting_reply", request
    assert request["reference_number"] == f"IC-2026-{HOSPITAL}-00001", request
    # GD-16.2: due at the end of the 3rd working day after receipt — Fri 6, Mon 9, Tue 10
    # November (the weekend does not count), 23:59:59 Asia/Shanghai.
    assert as_local(request["reply_due_at"]) == local(2026, 11, 10, 23, 59, 59), request
    assert request["calendar_provisional"] is False and request["overdue"] is False
    [attachment] = request["attachments"]
    assert (attachment["kind"], attachment["media_type"]) == ("face_photo", "image/jpeg"), attachment
    assert (attachment["width"], attachment["height"]) == (480, 640), attachment

    requested = await stack.wait_event("IdentityCheckRequested", request_id=request_id)
    assert requested["data"]["bureau_id"] == BUREAU and requested["data"]["patient_ref"] == PATIENT_REF
    assert not {"photos", "statement", "patient_description"} & set(requested["data"]), requested  # SPEC 0.4

    # The bureau sees the letter in its queue and reads the photo (a reason is required; audited).
    queue = await stack.call("identity-check", "GET", "/identity-checks/queue", role="police", scopes=POLICE_SCOPE)
    assert [i["request_id"] for i in queue["items"]] == [request_id], queue
    async with stack.client("identity-check") as c:
        r = await c.get(
            f"/identity-checks/{request_id}/attachments/{attachment['attachment_id']}",
            params={"reason": "比对失踪人员及在逃人员库"},
            headers=stack.auth("police", *POLICE_SCOPE, subject="psb-officer-liang"),
        )
    assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg", r.text
    assert r.content == photo
    # The official letter, print-ready, names the addressed bureau and the reference number.
    letter = await stack.call(
        "identity-check", "GET", f"/identity-checks/{request_id}/letter", role="hospital", scopes=HOSPITAL_SCOPE
    )
    assert request["reference_number"] in letter and BUREAU in letter, letter
    # Another bureau is not addressed by this letter.
    await stack.call(
        "identity-check",
        "GET",
        f"/identity-checks/{request_id}",
        role="police",
        scopes=("jurisdiction:J3-PSB-ZHENJIANG",),
        expect=403,
    )

    # ------------------------------------------------------------ the case opens while the police check runs
    await stack.set_clock(local(2026, 11, 5, 9, 0))
    case = await stack.call(
        "emergency-fund",
        "POST",
        "/cases",
        role="hospital",
        scopes=HOSPITAL_SCOPE,
        subject="j3-er-desk",
        json={
            "facility_id": HOSPITAL,
            "patient_ref": PATIENT_REF,
            "identity_check_request_id": request_id,  # GD-16.3: the letter this case rests on
            "admitted_at": admitted.isoformat(),
            "identity": "unidentified",
            "disease_code": DISEASE,
        },
        expect=201,
    )
    case_id = case["case_id"]
    assert case["city"] == CITY and case["identity_status"] == "unidentified", case
    assert case["emergency_hours"] == 72 and case["identity_gate"] is None, case  # GD-13.3
    cases_path = f"/cases/{case_id}"
    await stack.call(
        "emergency-fund",
        "POST",
        f"{cases_path}/cost-items",
        role="hospital",
        scopes=HOSPITAL_SCOPE,
        json={
            "items": [
                {
                    "occurred_at": local(2026, 11, 5, 2, 10).isoformat(),
                    "category": "examination",
                    "description": "头颅CT平扫",
                    "in_catalogue": True,
                    "amount": "680.00",
                },
                {
                    "occurred_at": local(2026, 11, 5, 3, 30).isoformat(),
                    "category": "treatment",
                    "description": "开颅硬膜下血肿清除术",
                    "in_catalogue": True,
                    "amount": "8600.00",
                },
                {
                    "occurred_at": local(2026, 11, 5, 8, 0).isoformat(),
                    "category": "drug",
                    "description": "甘露醇注射液、头孢曲松",
                    "in_catalogue": True,
                    "amount": "1245.80",
                },
            ]
        },
        expect=201,
    )
    # GD-16.3: no claim for an unidentified patient while the police's 3 working days run.
    await refused(
        stack,
        "emergency-fund",
        "POST",
        f"{cases_path}/claim",
        rule="GD-16.3",
        role="hospital",
        scopes=HOSPITAL_SCOPE,
        json={"medical_amount": "1000.00", "living_amount": "0.00", "declaration": "以上信息真实"},
    )

    # ------------------------------------------------------------ GD-16.2 / GD-16.3: the reply window
    # Tuesday 10 November, late evening — five calendar days later but still inside the 3rd
    # working day: not overdue.
    await stack.set_clock(local(2026, 11, 10, 23, 30))
    await settle()
    pending = await stack.call(
        "identity-check", "GET", f"/identity-checks/{request_id}", role="hospital", scopes=HOSPITAL_SCOPE
    )
    assert pending["status"] == "awaiting_reply" and pending["overdue"] is False, pending
    assert seen(stack, "IdentityCheckOverdue", request_id=request_id) == []

    # The first instant after the 3rd working day: the deadline fires (GD-16.3).
    await stack.set_clock(local(2026, 11, 11, 0, 0, 30))
    overdue = await stack.wait_event("IdentityCheckOverdue", request_id=request_id)
    assert as_local(overdue["data"]["due_at"]) == local(2026, 11, 10, 23, 59, 59), overdue
    assert overdue["data"]["patient_ref"] == PATIENT_REF and overdue["data"]["calendar_provisional"] is False
    status = await stack.call(
        "identity-check", "GET", f"/identity-checks/{request_id}", role="police", scopes=POLICE_SCOPE
    )
    assert status["status"] == "overdue" and status["overdue"] is True, status

    # emergency-fund consumed the signal: the unidentified path is open (GD-16.3).
    async def gate_open() -> dict[str, Any] | None:
        c = await stack.call("emergency-fund", "GET", cases_path, role="hospital", scopes=HOSPITAL_SCOPE)
        return c if c["identity_gate"] == "identity_check_overdue" else None

    await stack.wait_until(gate_open)

    # ------------------------------------------------------------ the individual application, Wednesday 11 November
    await stack.set_clock(local(2026, 11, 11, 9, 0))
    await stack.call(
        "emergency-fund",
        "POST",
        f"{cases_path}/cost-items",
        role="hospital",
        scopes=HOSPITAL_SCOPE,
        json={
            "items": [
                {
                    "occurred_at": local(2026, 11, 6, 10, 0).isoformat(),
                    "category": "drug",
                    "description": "丙戊酸钠、奥美拉唑、补液",
                    "in_catalogue": True,
                    "amount": "2316.40",
                },
                {
                    "occurred_at": local(2026, 11, 7, 8, 0).isoformat(),
                    "category": "bed",
                    "description": "ICU床位及监护 3日",
                    "in_catalogue": True,
                    "amount": "1800.00",
                },
                {  # GD-14: beyond the treatment's needs, with its reason
                    "occurred_at": local(2026, 11, 7, 9, 0).isoformat(),
                    "category": "other",
                    "description": "单人病房升级",
                    "in_catalogue": False,
                    "amount": "300.00",
                    "exclusion": "beyond_treatment_need",
                    "exclusion_note": "非救治必需",
                },
                {  # GD-13.3: after the 72-hour emergency period (ends 8 Nov 01:50)
                    "occurred_at": local(2026, 11, 9, 10, 0).isoformat(),
                    "category": "bed",
                    "description": "普通病房床位",
                    "in_catalogue": True,
                    "amount": "560.00",
                },
            ]
        },
        expect=201,
    )
    a = await stack.call("emergency-fund", "GET", f"{cases_path}/assessment", role="hospital", scopes=HOSPITAL_SCOPE)
    assert a["ready"] is True and a["blockers"] == [], a
    assert money(a["billed"]) == Decimal("15502.20"), a
    assert {k: money(v) for k, v in a["excluded"].items()} == {
        "beyond_treatment_need": Decimal("300.00"),  # GD-14
        "after_emergency_period": Decimal("560.00"),  # GD-13.3
    }, a
    assert money(a["eligible_medical"]) == Decimal("14642.20"), a
    assert money(a["medical_max"]) == Decimal("12800.00"), a  # GD-13.4: the average cost caps it
    # GD-13.5: 1,110.00 a month ÷ 30 = 37.00 a day × 3 days of the 72-hour period (GD-13.1).
    assert (money(a["living_daily"]), a["living_days"], money(a["living_max"])) == (
        Decimal("37.00"),
        3,
        Decimal("111.00"),
    ), a
    assert {"GD-13.1", "GD-13.3", "GD-13.4", "GD-13.5", "GD-14"} <= set(a["rules"]), a

    claim_path = f"{cases_path}/claim"
    declaration = "本院承诺所报信息真实、完整（附件2）"
    await refused(
        stack,
        "emergency-fund",
        "POST",
        claim_path,
        rule="GD-13.4",
        role="hospital",
        scopes=HOSPITAL_SCOPE,
        json={"medical_amount": "14642.20", "living_amount": "111.00", "declaration": declaration},
    )
    await refused(
        stack,
        "emergency-fund",
        "POST",
        claim_path,
        rule="GD-13.5",
        role="hospital",
        scopes=HOSPITAL_SCOPE,
        json={"medical_amount": "12800.00", "living_amount": "148.00", "declaration": declaration},
    )
    claimed = await stack.call(
        "emergency-fund",
        "POST",
        claim_path,
        role="hospital",
        scopes=HOSPITAL_SCOPE,
        json={"medical_amount": "12800.00", "living_amount": "111.00", "declaration": declaration},
        expect=201,
    )
    assert claimed["state"] == "claimed", claimed

    # GD-20.1: the unit application (附件3) to the city agency.
    application = await stack.call(
        "emergency-fund",
        "POST",
        "/applications",
        role="hospital",
        scopes=HOSPITAL_SCOPE,
        json={"facility_id": HOSPITAL, "case_ids": [case_id], "note": "2026年11月 身份不明患者救助申请"},
        headers={"Idempotency-Key": "J3-APP-2026-11"},
        expect=201,
    )
    app_id = application["application_id"]
    app_path = f"/applications/{app_id}"
    assert application["state"] == "submitted" and money(application["requested_amount"]) == Decimal("12911.00")
    [line] = application["cases"]
    assert line["case_id"] == case_id and money(line["billed"]) == Decimal("15502.20"), line
    submitted = await stack.wait_event("FundApplicationSubmitted", application_id=app_id)
    # The HIS retries the submission (same Idempotency-Key): the same application, no second one.
    again = await stack.call(
        "emergency-fund",
        "POST",
        "/applications",
        role="hospital",
        scopes=HOSPITAL_SCOPE,
        json={"facility_id": HOSPITAL, "case_ids": [case_id], "note": "2026年11月 身份不明患者救助申请"},
        headers={"Idempotency-Key": "J3-APP-2026-11"},
        expect=201,
    )
    assert again["application_id"] == app_id, again
    # GD-20.2: the agency has 10 working days — 12 November … 25 November.
    assert as_local(submitted["data"]["review_due_at"]) == local(2026, 11, 25, 23, 59, 59), submitted
    assert submitted["data"]["case_ids"] == [case_id]

    # GD-21: the hospital's notice, 3 working days from Wednesday — Thu 12, Fri 13, Mon 16.
    await stack.set_clock(local(2026, 11, 11, 10, 0))
    hospital_notice = await stack.call(
        "emergency-fund", "POST", f"{app_path}/notices", role="hospital", scopes=HOSPITAL_SCOPE, expect=201
    )
    assert as_local(hospital_notice["ends_at"]) == local(2026, 11, 16, 23, 59, 59), hospital_notice
    [entry] = hospital_notice["entries"]
    assert entry["recipient"].startswith("身份不明患者") and entry["id_number_masked"] is None, entry
    assert money(entry["amount"]) == Decimal("12911.00")

    # ------------------------------------------------------------ GD-20.2: agency, health, finance
    await stack.set_clock(local(2026, 11, 12, 10, 0))
    # Police join the review (GD-20.2): the check is still without result.
    await stack.call(
        "emergency-fund",
        "POST",
        f"{app_path}/co-review-notes",
        role="police",
        scopes=CITY_SCOPE,
        json={"case_id": case_id, "note": "经比对人口信息库及失踪人员库，截至目前未能查明身份"},
        expect=201,
    )
    # GD-14: the hospital proposed the room upgrade as not payable; the agency decides it.
    case_now = await stack.call("emergency-fund", "GET", cases_path, role="fund_agency", scopes=CITY_SCOPE)
    [proposal] = [i for i in case_now["cost_items"] if i["exclusion_status"] == "proposed"]
    assert proposal["description"] == "单人病房升级", proposal
    await stack.call(
        "emergency-fund",
        "POST",
        f"{cases_path}/cost-items/{proposal['cost_item_id']}/exclusion-decision",
        role="fund_agency",
        scopes=CITY_SCOPE,
        json={"decision": "accepted", "reason": "单人病房升级非救治必需，不予支付"},
    )
    reviewed = await stack.call(
        "emergency-fund",
        "POST",
        f"{app_path}/agency-review",
        role="fund_agency",
        scopes=CITY_SCOPE,
        subject="agency-reviewer-he",
        json={"outcome": "approved", "reason": "材料齐全，费用在限额内"},
    )
    assert reviewed["state"] == "agency_approved" and money(reviewed["approved_amount"]) == Decimal("12911.00")
    agency_event = await stack.wait_event("FundApplicationReviewed", application_id=app_id, step="agency")
    assert agency_event["data"]["outcome"] == "approved" and agency_event["data"]["late"] is False
    # GD-21: the agency's notice, Fri 13, Mon 16, Tue 17 November.
    await stack.set_clock(local(2026, 11, 12, 11, 0))
    agency_notice = await stack.call(
        "emergency-fund", "POST", f"{app_path}/notices", role="fund_agency", scopes=CITY_SCOPE, expect=201
    )
    assert as_local(agency_notice["ends_at"]) == local(2026, 11, 17, 23, 59, 59), agency_notice
    # The public board, no login: both notices run, the patient shown only as unidentified.
    async with stack.client("emergency-fund") as c:
        board = (await c.get("/public/notices", params={"city": CITY})).json()
    running = [n for n in board["items"] if n["application_id"] == app_id]
    assert sorted(n["publisher"] for n in running) == ["agency", "hospital"], board
    assert all(n["status"] == "running" for n in running), running
    assert all(e["recipient"].startswith("身份不明患者") for n in running for e in n["entries"]), running

    await stack.set_clock(local(2026, 11, 13, 15, 0))
    forwarded = await stack.call(
        "emergency-fund",
        "POST",
        f"{app_path}/health-review",
        role="health_bureau",
        scopes=CITY_SCOPE,
        json={"outcome": "approved", "reason": "同意，申请财政拨付"},
    )
    assert forwarded["state"] == "forwarded_to_finance", forwarded
    await stack.wait_event("FundApplicationReviewed", application_id=app_id, step="health")

    # GD-21: no disbursement while either notice runs.
    await stack.set_clock(local(2026, 11, 13, 16, 0))
    await refused(
        stack, "emergency-fund", "POST", f"{app_path}/disbursement", rule="GD-21", role="finance", scopes=CITY_SCOPE
    )
    await stack.set_clock(local(2026, 11, 17, 10, 0))  # the hospital's has ended, the agency's not
    problem = await refused(
        stack, "emergency-fund", "POST", f"{app_path}/disbursement", rule="GD-21", role="finance", scopes=CITY_SCOPE
    )
    assert "agency" in problem["detail"], problem
    assert seen(stack, "FundDisbursed", application_id=app_id) == []
    assert money((await fund_summary(stack))["cash"]) == Decimal("500000.00")

    # ------------------------------------------------------------ disbursement, Wednesday 18 November
    await stack.set_clock(local(2026, 11, 18, 9, 30))
    disbursement = await stack.call(
        "emergency-fund",
        "POST",
        f"{app_path}/disbursement",
        role="finance",
        scopes=CITY_SCOPE,
        subject="finance-cashier-wu",
        headers={"Idempotency-Key": "J3-DISB-2026-11"},
        expect=201,
    )
    assert money(disbursement["amount"]) == Decimal("12911.00"), disbursement
    # GD-7: no pre-allocation for this hospital: all from the fund's cash.
    assert money(disbursement["from_preallocation"]) == 0 and money(disbursement["from_fund_cash"]) == Decimal(
        "12911.00"
    )
    # Finance's system retries after a timeout (same Idempotency-Key): the same disbursement.
    retried = await stack.call(
        "emergency-fund",
        "POST",
        f"{app_path}/disbursement",
        role="finance",
        scopes=CITY_SCOPE,
        subject="finance-cashier-wu",
        headers={"Idempotency-Key": "J3-DISB-2026-11"},
        expect=201,
    )
    assert retried["disbursement_id"] == disbursement["disbursement_id"], retried
    disbursed = await stack.wait_event("FundDisbursed", application_id=app_id)
    assert Decimal(str(disbursed["data"]["amount"])) == Decimal("12911.00"), disbursed
    assert disbursed["data"]["case_ids"] == [case_id] and disbursed["data"]["late"] is False, disbursed
    assert money((await fund_summary(stack))["cash"]) == Decimal("487089.00")  # GD-3: the outflow
    paid_case = await stack.call("emergency-fund", "GET", cases_path, role="fund_agency", scopes=CITY_SCOPE)
    assert paid_case["state"] == "paid" and money(paid_case["paid_amount"]) == Decimal("12911.00"), paid_case
    # SPEC 0.4: the paid fund case closes the police letter it rests on (photo retention starts).
    await stack.wait_event("FundCaseClosed", case_id=case_id, outcome="disbursed")

    async def letter_closed() -> Any:
        letter = await stack.call(
            "identity-check", "GET", f"/identity-checks/{request_id}", role="hospital", scopes=HOSPITAL_SCOPE
        )
        return letter if letter["closed_at"] else None

    closed_by_fund = await stack.wait_until(letter_closed)
    assert f"fund case {case_id} disbursed" in closed_by_fund["close_reason"], closed_by_fund
    # Exactly once (GD-21): a second disbursement is refused.
    await refused(
        stack,
        "emergency-fund",
        "POST",
        f"{app_path}/disbursement",
        rule="GD-21",
        status=409,
        role="finance",
        scopes=CITY_SCOPE,
    )

    # ------------------------------------------------------------ GD-16.4: identified late, Thursday 3 December
    await stack.set_clock(local(2026, 12, 3, 15, 0))
    person_id_number = resident_id("440203", date(1982, 3, 14), 517)
    late = await stack.call(
        "identity-check",
        "POST",
        f"/identity-checks/{request_id}/late-identification",
        role="police",
        scopes=POLICE_SCOPE,
        subject="psb-officer-liang",
        json={
            "id_number": person_id_number,
            "name": "黄志强",
            "household_registration": "广东省韶关市武江区西联镇",
            "remarks": "家属报失踪后经DNA比对确认",
        },
    )
    assert late["status"] == "identified" and late["late_identification"]["late"] is True, late
    assert late["late_identification"]["name_masked"] == "黄*强", late
    verified = await stack.wait_event("IdentityVerified", request_id=request_id)
    data = verified["data"]
    assert (data["outcome"], data["late"], data["late_identification"]) == ("identified", True, True), data
    assert person_id_number not in str(data) and "黄志强" not in str(data), data  # SPEC 0.4: masked only

    demanded = await stack.wait_event("FundRefundDemanded", case_id=case_id)
    assert Decimal(str(demanded["data"]["amount"])) == Decimal("12911.00"), demanded
    assert demanded["data"]["facility_id"] == HOSPITAL and "GD-16.4" in demanded["data"]["reason"], demanded
    refund_id = demanded["data"]["refund_id"]
    identified_case = await stack.call("emergency-fund", "GET", cases_path, role="fund_agency", scopes=CITY_SCOPE)
    assert identified_case["state"] == "refund_demanded", identified_case
    assert identified_case["identity_status"] == "identified" and identified_case["identified_late"] is True
    assert identified_case["name_masked"] == "黄*强", identified_case

    # ------------------------------------------------------------ the hospital returns the money, Friday 4 December
    await stack.set_clock(local(2026, 12, 4, 10, 0))
    refunds = await stack.call("emergency-fund", "GET", "/refunds", role="hospital", scopes=HOSPITAL_SCOPE)
    assert [r["refund_id"] for r in refunds["items"]] == [refund_id], refunds
    refund_path = f"/refunds/{refund_id}"
    # To pursue the patient (GD-16.4) the hospital reads the identity the bureau found — a
    # full ID number, so a reason is required and the read is audit-logged (SPEC 0.4).
    identity = await stack.call(
        "identity-check",
        "GET",
        f"/identity-checks/{request_id}/identity",
        role="hospital",
        scopes=HOSPITAL_SCOPE,
        params={"reason": "向患者追缴已由基金垫付的救治费用"},
    )
    assert (identity["id_number"], identity["name"], identity["late"]) == (person_id_number, "黄志强", True)
    await stack.call(
        "emergency-fund",
        "POST",
        f"{refund_path}/pursuit",
        role="hospital",
        scopes=HOSPITAL_SCOPE,
        json={"action": "letter", "note": "已向患者本人及家属发出费用追缴函"},
        expect=201,
    )
    # GD-16.4: never more than is owed.
    await refused(
        stack,
        "emergency-fund",
        "POST",
        f"{refund_path}/payments",
        rule="GD-16.4",
        role="hospital",
        scopes=HOSPITAL_SCOPE,
        json={"amount": "12911.01", "reference": "J3-TK-20261204-01"},
    )
    refund = await stack.call(
        "emergency-fund",
        "POST",
        f"{refund_path}/payments",
        role="hospital",
        scopes=HOSPITAL_SCOPE,
        json={"amount": "12911.00", "reference": "J3-TK-20261204-01"},
        expect=201,
    )
    assert refund["state"] == "refunded" and money(refund["outstanding"]) == 0, refund
    assert [p["action"] for p in refund["pursuit"]] == ["letter"], refund
    recorded = await stack.wait_event("FundRefundRecorded", refund_id=refund_id)
    assert Decimal(str(recorded["data"]["outstanding"])) == 0, recorded
    final_case = await stack.call("emergency-fund", "GET", cases_path, role="hospital", scopes=HOSPITAL_SCOPE)
    assert final_case["state"] == "refunded", final_case
    assert money((await fund_summary(stack))["cash"]) == Decimal("500000.00")  # GD-3: the refund's inflow

    # identity-check: the letter stayed closed since the fund paid; the late identification
    # did not reopen it (photo retention runs from the payment, SPEC 0.4).
    closed = await stack.call(
        "identity-check", "GET", f"/identity-checks/{request_id}", role="hospital", scopes=HOSPITAL_SCOPE
    )
    assert closed["closed_at"] == closed_by_fund["closed_at"], closed

    # GD-21: every review step records who, in which role, when, and whether it was late.
    final_app = await stack.call("emergency-fund", "GET", app_path, role="auditor", scopes=CITY_SCOPE)
    assert final_app["state"] == "disbursed", final_app
    steps = {s["step"]: s for s in final_app["steps"]}
    assert [
        (steps[k]["outcome"], steps[k]["reviewer_role"], steps[k]["late"]) for k in ("agency", "health", "finance")
    ] == [
        ("approved", "fund_agency", False),
        ("approved", "health_bureau", False),
        ("disbursed", "finance", False),
    ], steps
    assert steps["agency"]["reviewer_id"] == "agency-reviewer-he" and steps["finance"]["reviewer_id"] == (
        "finance-cashier-wu"
    ), steps
    assert [n["role"] for n in final_app["co_review_notes"]] == ["police"], final_app

    # GD-19: the record for the national registration platform tells the whole story, masked;
    # the agency that enters it in the platform reads the disease code (SPEC 0.4).
    export = await stack.call(
        "emergency-fund",
        "GET",
        "/exports/registrations",
        role="fund_agency",
        scopes=CITY_SCOPE,
        params={"city": CITY, "from": "2026-11-01", "to": "2026-11-30"},
    )
    [record] = [r for r in export["items"] if r["record_id"] == case_id]
    assert {k: record[k] for k in ("identity_status", "identified_late", "name_masked", "disease_code")} == {
        "identity_status": "identified",
        "identified_late": "true",
        "name_masked": "黄*强",
        "disease_code": DISEASE,
    }, record
    assert person_id_number not in str(export) and "黄志强" not in str(export)
    assert [
        record[k] for k in ("billed_total", "claimed_medical", "claimed_living", "approved_amount", "paid_amount")
    ] == ["15502.20", "12800.00", "111.00", "12911.00", "12911.00"], record
    assert (record["refund_demanded"], record["refunded"]) == ("12911.00", "12911.00"), record
    assert as_local(record["hospital_notice_end"]) == local(2026, 11, 16, 23, 59, 59), record
    assert as_local(record["agency_notice_end"]) == local(2026, 11, 17, 23, 59, 59), record
    # (the services' clocks keep ticking in real time after each move)
    assert abs((as_local(record["disbursed_at"]) - local(2026, 11, 18, 9, 30)).total_seconds()) < 60, record

    # Every step is traceable (GD-21): the events of this application and case, in order.
    trail = [
        e["type"].rsplit(".", 1)[-1]
        for e in stack.events
        if e["data"].get("application_id") == app_id or e["data"].get("case_id") == case_id
    ]
    assert trail.count("FundApplicationSubmitted") == 1 and trail.count("FundDisbursed") == 1, trail
    for step in (
        "FundApplicationSubmitted",
        "PublicNoticePublished",
        "FundApplicationReviewed",
        "FundDisbursed",
        "FundRefundDemanded",
        "FundRefundRecorded",
    ):
        assert step in trail, (step, trail)
    assert trail.index("FundDisbursed") < trail.index("FundRefundDemanded") < trail.index("FundRefundRecorded")
