"""GD-18.1 in the console: the channel claims awaiting a department as its queue (the
auditor sees every department's), the claim's page, the confirmation sent to the fund and
the fund's refusal shown next to the field it names."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import httpx
from fastapi import FastAPI

from .conftest import FakeServices, client, problem, sign_in

CASE = {
    "case_id": "EC-1",
    "facility_id": "H1",
    "patient_ref": "ZY-7",
    "name_masked": "张*三",
    "admitted_at": "2026-12-07T01:00:00+00:00",
    "channel_payments": [
        {
            "channel": "liable_party",
            "amount": "800.00",
            "claimed_amount": "800.00",
            "status": "claimed",
            "reference": "赔付协议",
        }
    ],
}


def _item(case_id: str, channel: str, awaiting: str, recorded_at: str) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "facility_id": "H1",
        "patient_ref": "ZY-7",
        "name_masked": "张*三",
        "channel": channel,
        "claimed_amount": "800.00",
        "reference": "赔付协议",
        "recorded_at": recorded_at,
        "awaiting": awaiting,
        "rule": "GD-18.1",
    }


def _queue(fake: FakeServices) -> None:
    by_role = {
        "police": [
            _item("EC-2", "road_traffic_accident_fund", "police", "2026-12-08T02:00:00+00:00"),
            _item("EC-1", "liable_party", "police", "2026-12-07T02:00:00+00:00"),
        ],
        "hrss": [_item("EC-3", "work_injury_insurance", "hrss", "2026-12-06T02:00:00+00:00")],
    }

    def answer(request: httpx.Request) -> httpx.Response:
        awaiting = request.url.params.get("awaiting")
        role = "police" if awaiting == "me" else awaiting
        items = by_role.get(str(role), [])
        return httpx.Response(200, json={"awaiting": role, "count": len(items), "items": items})

    fake.answers[("GET", "/v1/channel-confirmations")] = answer


async def test_the_police_queue_lists_the_claims_awaiting_them_oldest_first(app: FastAPI, fake: FakeServices) -> None:
    _queue(fake)
    async with client(app) as c:
        await sign_in(c, "police", "jurisdiction:PSB01 city:qingyuan")
        page = (await c.get("/queues/channel-confirmations")).text
        exported = await c.get("/queues/channel-confirmations.csv")
    assert page.index("EC-1") < page.index("EC-2"), "the oldest claim first"
    assert "责任人" in page and "道路交通事故社会救助基金" in page and "/fund/cases/EC-1/channels/liable_party" in page
    asked = [r.url.params.get("awaiting") for r in fake.seen if r.url.path == "/v1/channel-confirmations"]
    assert set(asked) == {"me"}
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["个案", "医疗机构", "患者", "渠道"] and rows[1][0] == "EC-1"


async def test_the_auditor_sees_every_departments_confirmations(app: FastAPI, fake: FakeServices) -> None:
    _queue(fake)
    async with client(app) as c:
        await sign_in(c, "auditor", "city:qingyuan")
        page = (await c.get("/queues/channel-confirmations")).text
    asked = {r.url.params.get("awaiting") for r in fake.seen if r.url.path == "/v1/channel-confirmations"}
    assert asked == {"medical_insurance", "police", "hrss", "fund_agency"}
    assert page.index("EC-3") < page.index("EC-1") < page.index("EC-2")
    assert "人力资源和社会保障局" in page and 'action="/fund/cases' not in page


async def test_a_department_confirms_the_amount_and_a_refusal_stands_by_its_field(
    app: FastAPI, fake: FakeServices
) -> None:
    fake.on("GET", "/v1/cases/EC-1", body=CASE)
    sent: list[dict[str, Any]] = []

    def confirm(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        sent.append(body)
        if not body["amount"]:
            return httpx.Response(422, json=problem(422, "amount is required", field="/amount"))
        return httpx.Response(201, json=CASE)

    fake.answers[("POST", "/v1/cases/EC-1/channel-payments/liable_party/confirmation")] = confirm
    async with client(app) as c:
        token = await sign_in(c, "police", "jurisdiction:PSB01 city:qingyuan")
        page = await c.get("/fund/cases/EC-1/channels/liable_party")
        assert "医疗机构申报，待确认" in page.text and "800.00" in page.text
        assert 'action="/fund/cases/EC-1/channels/liable_party/confirmation"' in page.text
        assert "/waiver" not in page.text, "only the agency waives"
        refused = await c.post(
            "/fund/cases/EC-1/channels/liable_party/confirmation", data={"amount": "", "csrf_token": token}
        )
        done = await c.post(
            "/fund/cases/EC-1/channels/liable_party/confirmation",
            data={"amount": "650.00", "note": "经交警部门核实", "csrf_token": token},
        )
    assert refused.status_code == 422 and 'data-testid="field-error-amount"' in refused.text
    assert done.status_code == 303 and done.headers["location"].endswith("/channels/liable_party?done=confirmation")
    assert sent[-1] == {"amount": "650.00", "document_ref": None, "note": "经交警部门核实"}


async def test_the_agency_decides_a_cost_items_exclusion_from_its_queue(app: FastAPI, fake: FakeServices) -> None:
    """GD-14: the hospital's proposal to exclude a cost item waits in the agency's queue;
    the agency's decision goes to the fund for that item, with its reason."""
    fake.on(
        "GET",
        "/v1/exclusion-proposals",
        body={
            "awaiting": "fund_agency",
            "count": 1,
            "items": [
                {
                    "case_id": "EC-1",
                    "facility_id": "H1",
                    "patient_ref": "ZY-7",
                    "cost_item_id": "CI-9",
                    "amount": "1200.00",
                    "exclusion": "beyond_treatment_need",
                    "reason": "重复检查",
                    "proposed_at": "2026-12-08T02:00:00+00:00",
                }
            ],
        },
    )
    case = {
        **CASE,
        "cost_items": [
            {
                "cost_item_id": "CI-9",
                "description": "重复CT",
                "amount": "1200.00",
                "exclusion": "beyond_treatment_need",
                "exclusion_status": "proposed",
            },
            {"cost_item_id": "CI-1", "description": "手术", "amount": "6000.00", "exclusion_status": None},
        ],
    }
    fake.on("GET", "/v1/cases/EC-1", body=case)
    fake.on("POST", "/v1/cases/EC-1/cost-items/CI-9/exclusion-decision", 200, case)
    async with client(app) as c:
        token = await sign_in(c, "fund_agency", "city:qingyuan")
        queue = (await c.get("/queues/exclusion-proposals")).text
        page = (await c.get("/fund/cases/EC-1/exclusions")).text
        r = await c.post(
            "/fund/cases/EC-1/cost-items/CI-9/exclusion-decision",
            data={"decision": "accepted", "reason": "与前日检查重复", "csrf_token": token},
        )
    assert "超出疾病救治需要的不合理费用" in queue and "/fund/cases/EC-1/exclusions" in queue
    assert 'data-item="CI-9"' in page and 'data-item="CI-1"' not in page
    assert r.status_code == 303 and r.headers["location"] == "/fund/cases/EC-1/exclusions?done=exclusion-decision"
    [sent] = [x for x in fake.seen if x.method == "POST"]
    assert json.loads(sent.content) == {"decision": "accepted", "reason": "与前日检查重复"}


async def test_the_health_department_decides_an_extension_from_its_queue(app: FastAPI, fake: FakeServices) -> None:
    """GD-13.3: the hospital's request to extend the emergency period, with its evidence,
    waits for the agency or the health department; the decision goes to the fund with its
    reason, and a refusal stands by the field it names."""
    fake.on(
        "GET",
        "/v1/emergency-extensions",
        body={
            "count": 2,
            "items": [
                {
                    "case_id": "EC-5",
                    "facility_id": "H1",
                    "patient_ref": "ZY-9",
                    "category": "poor_critically_ill_pregnant_woman",
                    "hours": 96,
                    "reason": "产后大出血",
                    "evidence": {"pregnancy_record": "母子健康手册 0031"},
                    "requested_at": "2026-12-08T02:00:00+00:00",
                    "rule": "GD-13.3",
                },
                {
                    "case_id": "EC-4",
                    "facility_id": "H1",
                    "patient_ref": "ZY-8",
                    "category": "critically_ill_newborn",
                    "hours": 120,
                    "reason": "新生儿窒息复苏后",
                    "evidence": {"date_of_birth": "2026-12-05"},
                    "requested_at": "2026-12-07T02:00:00+00:00",
                    "rule": "GD-13.3",
                },
            ],
        },
    )
    case = {
        **CASE,
        "case_id": "EC-4",
        "emergency_hours": 72,
        "extension_category": "critically_ill_newborn",
        "extension_hours": 120,
        "extension_reason": "新生儿窒息复苏后",
        "extension_evidence": {"date_of_birth": "2026-12-05"},
        "extension_status": "requested",
    }
    fake.on("GET", "/v1/cases/EC-4", body=case)
    sent: list[dict[str, Any]] = []

    def decide(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        sent.append(body)
        if body["decision"] == "approved" and body["reason"] == "x":
            return httpx.Response(
                422, json=problem(422, "the date of birth does not match", field="/evidence/date_of_birth")
            )
        return httpx.Response(200, json={**case, "extension_status": body["decision"]})

    fake.answers[("POST", "/v1/cases/EC-4/emergency-extension/decision")] = decide
    async with client(app) as c:
        token = await sign_in(c, "health_bureau", "city:qingyuan")
        queue = (await c.get("/queues/emergency-extensions")).text
        page = (await c.get("/fund/cases/EC-4/extension")).text
        refused = await c.post(
            "/fund/cases/EC-4/emergency-extension/decision",
            data={"decision": "approved", "reason": "x", "csrf_token": token},
        )
        done = await c.post(
            "/fund/cases/EC-4/emergency-extension/decision",
            data={"decision": "approved", "reason": "符合新生儿危重救治", "csrf_token": token},
        )
    assert queue.index("EC-4") < queue.index("EC-5"), "the oldest request first"
    assert "危重新生儿" in queue and "出生日期 2026-12-05" in queue and "/fund/cases/EC-4/extension" in queue
    assert 'action="/fund/cases/EC-4/emergency-extension/decision"' in page and "2026-12-05" in page
    assert refused.status_code == 422 and "the date of birth does not match" in refused.text
    assert done.status_code == 303 and done.headers["location"] == "/fund/cases/EC-4/extension?done=decision"
    assert sent[-1] == {"decision": "approved", "reason": "符合新生儿危重救治"}


async def test_the_auditor_reads_an_extension_without_a_decision_form(app: FastAPI, fake: FakeServices) -> None:
    fake.on(
        "GET",
        "/v1/cases/EC-4",
        body={**CASE, "case_id": "EC-4", "emergency_hours": 72, "extension_status": "requested"},
    )
    async with client(app) as c:
        await sign_in(c, "auditor", "city:qingyuan")
        page = (await c.get("/fund/cases/EC-4/extension")).text
    assert "待审批" in page and 'action="/fund/cases/EC-4/emergency-extension/decision"' not in page
