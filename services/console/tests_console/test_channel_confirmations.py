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
            return httpx.Response(422, json=problem(422, "amount is required", field="amount"))
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
