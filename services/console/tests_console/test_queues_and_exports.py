"""Work queues per role, overdue first with Shanghai due instants and working days left;
CSV (UTF-8 BOM, Chinese headers) and XLSX exports; problems shown next to their field."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import time_machine
from fastapi import FastAPI
from openpyxl import load_workbook

from console.exports import to_csv

from .conftest import FakeServices, client, problem, sign_in

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _letters(fake: FakeServices) -> None:
    fake.on(
        "GET",
        "/v1/identity-checks/queue",
        body={
            "next_cursor": None,
            "items": [
                {
                    "request_id": "R-LATER",
                    "reference_number": "IC-2026-H1-00002",
                    "facility_name": "清远市人民医院",
                    "patient_ref": "ZY-2",
                    "received_at": "2026-12-07T01:00:00+00:00",
                    "reply_due_at": "2026-12-10T15:59:59+00:00",
                    "overdue": False,
                    "status": "awaiting_reply",
                },
                {
                    "request_id": "R-LATE",
                    "reference_number": "IC-2026-H1-00001",
                    "facility_name": "清远市人民医院",
                    "patient_ref": "ZY-1",
                    "received_at": "2026-12-01T01:00:00+00:00",
                    "reply_due_at": "2026-12-04T15:59:59+00:00",
                    "overdue": True,
                    "status": "overdue",
                },
            ],
        },
    )


@time_machine.travel(datetime(2026, 12, 8, 10, 0, tzinfo=SHANGHAI), tick=False)
async def test_police_queue_puts_overdue_first_with_shanghai_due_and_working_days_left(
    app: FastAPI, fake: FakeServices
) -> None:
    _letters(fake)
    async with client(app) as c:
        await sign_in(c, "police", "jurisdiction:PSB01")
        page = await c.get("/queues/police-letters")
    text = page.text
    assert text.index("ZY-1") < text.index("ZY-2"), "overdue first"
    assert "2026-12-04 23:59" in text and "已逾期" in text
    # Tue 8 December → due Thu 10 December 23:59:59 Asia/Shanghai: Wed 9 and Thu 10 are left.
    assert "2026-12-10 23:59" in text and "剩余 2 个工作日" in text


@time_machine.travel(datetime(2026, 12, 8, 10, 0, tzinfo=SHANGHAI), tick=False)
async def test_csv_export_has_a_bom_and_chinese_headers_and_xlsx_opens(app: FastAPI, fake: FakeServices) -> None:
    _letters(fake)
    async with client(app) as c:
        await sign_in(c, "police", "jurisdiction:PSB01")
        r = await c.get("/queues/police-letters.csv")
        x = await c.get("/queues/police-letters.xlsx")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM so Excel on Chinese Windows reads UTF-8"
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["函号", "来函医疗机构"] and rows[0][-2:] == ["到期时间（北京时间）", "期限"]
    assert rows[1][0] == "IC-2026-H1-00001" and rows[1][-1] == "已逾期"
    assert "filename*=UTF-8''" in r.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(x.content)).active
    assert sheet is not None
    assert [c.value for c in sheet[1]][:2] == ["函号", "来函医疗机构"]
    assert sheet["A2"].value == "IC-2026-H1-00001"


def test_csv_cells_never_run_as_formulas() -> None:
    data = to_csv(["说明"], [['=HYPERLINK("http://x")'], ["-12.50"]]).decode("utf-8-sig")
    assert "'=HYPERLINK" in data and "\r\n-12.50" in data


async def test_a_role_sees_only_its_own_queues(app: FastAPI) -> None:
    async with client(app) as c:
        await sign_in(c, "finance", "city:qingyuan")
        home = (await c.get("/")).text
        assert 'data-queue="fund-finance"' in home
        for other in ("police-letters", "ca-self-pay", "initial-reviews", "fund-agency"):
            assert f'data-queue="{other}"' not in home
            assert (await c.get(f"/queues/{other}")).status_code == 403
            assert (await c.get(f"/queues/{other}.csv")).status_code == 403


async def test_the_services_problem_is_shown_next_to_the_field_it_names(app: FastAPI, fake: FakeServices) -> None:
    item = {
        "item_id": "I1",
        "item_name": "支架",
        "item_code": "ZF-1",
        "amount": "1500.00",
        "status": "awaiting_initial_review",
    }
    fake.on("GET", "/v1/self-pay-items/I1", body=item)
    fake.on(
        "POST",
        "/v1/self-pay-items/I1/initial-review",
        422,
        problem(422, "an objection needs a reason", field="/reason", rule="LJ-7.2"),
    )
    async with client(app) as c:
        token = await sign_in(c, "institution", "institution:INST1")
        r = await c.post("/self-pay-items/I1/initial-review", data={"outcome": "rejected", "csrf_token": token})
    assert r.status_code == 422
    html = r.text
    assert 'data-testid="field-error-reason"' in html and "不符合规则或填写有误" in html and "LJ-7.2" in html
    assert html.index('id="initial-reason"') < html.index('data-testid="field-error-reason"')


def _application(app_id: str, state: str, step: str, due_at: str, overdue: bool) -> dict[str, object]:
    return {
        "application_id": app_id,
        "facility_id": "H1",
        "state": state,
        "requested_amount": "7099.00",
        "submitted_at": "2026-11-20T02:00:00+00:00",
        "open_step": {"step": step, "due_at": due_at, "overdue": overdue, "started_at": "2026-11-20T02:00:00+00:00"},
    }


@time_machine.travel(datetime(2026, 12, 8, 10, 0, tzinfo=SHANGHAI), tick=False)
async def test_fund_applications_are_due_by_the_step_they_wait_for_from_the_list_alone(
    app: FastAPI, fake: FakeServices
) -> None:
    """GD-20.2: the agency's queue orders by each application's open step (from the list's
    ``open_step``), overdue first, without reading every application."""

    def listed(request: httpx.Request) -> httpx.Response:
        by_state = {
            "submitted": [_application("FA-LATER", "submitted", "agency", "2026-12-22T15:59:59+00:00", False)],
            "agency_approved": [
                _application("FA-LATE", "agency_approved", "health", "2026-12-04T15:59:59+00:00", True)
            ],
        }
        return httpx.Response(
            200, json={"items": by_state.get(request.url.params.get("state", ""), []), "next_cursor": None}
        )

    fake.answers[("GET", "/v1/applications")] = listed
    async with client(app) as c:
        await sign_in(c, "fund_agency", "city:qingyuan")
        page = (await c.get("/queues/fund-agency")).text
        exported = await c.get("/queues/fund-agency.csv")
    assert page.index("FA-LATE") < page.index("FA-LATER"), "overdue first"
    assert "2026-12-04 23:59" in page and "已逾期" in page
    assert "2026-12-22 23:59" in page and "剩余 10 个工作日" in page
    assert not [r for r in fake.seen if r.url.path.startswith("/v1/applications/")]
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][0] == "申请编号" and rows[1][0] == "FA-LATE" and rows[1][-1] == "已逾期"


def _awaiting(item_id: str, code: str, due_at: str, overdue: bool) -> dict[str, Any]:
    return {
        "item_id": item_id, "item_code": code, "item_name": "支架", "amount": "1500.00",
        "status": "awaiting_civil_affairs_review", "admission_id": f"AD-{item_id}", "person_id": "P1",
        "facility_id": "H-OLD", "proposed_at": "2026-12-01T02:00:00Z", "due_at": due_at,
        "calendar_provisional": False, "overdue": overdue, "overdue_at": None, "parameters_version": "v",
        "rule": "LJ-7.3",
    }  # fmt: skip


@time_machine.travel(datetime(2026, 12, 8, 10, 0, tzinfo=SHANGHAI), tick=False)
async def test_lj_7_3_the_civil_affairs_queue_is_consents_list_of_items_awaiting_its_review(
    app: FastAPI, fake: FakeServices
) -> None:
    """LJ-7.3: the queue is consent's one list of the items awaiting the user's review step
    (not one read per admission, nor per status), each beside its own admission, with the
    step's due instant in Shanghai time and the working days left, overdue first."""
    later = _awaiting("I2", "ZF-LATER", "2026-12-10T15:59:59+00:00", False)
    late = _awaiting("I1", "ZF-LATE", "2026-12-07T15:59:59+00:00", True)
    fake.on("GET", "/v1/self-pay-reviews", body={"items": [later, late], "next_cursor": None})
    async with client(app) as c:
        await sign_in(c, "civil_affairs")
        page = (await c.get("/queues/ca-self-pay")).text
    assert page.index("ZF-LATE") < page.index("ZF-LATER"), "overdue first"
    row = page[page.index("ZF-LATER") :]
    row = row[: row.index("</tr>")]
    assert "H-OLD" in row and "AD-I2" in row and "2026-12-10 23:59" in row and "剩余 2 个工作日" in row
    assert "已逾期" in page and 'href="/self-pay-items/I1"' in page
    asked = [r for r in fake.seen if r.url.path.startswith("/v1/self-pay")]
    assert {r.url.path for r in asked} == {"/v1/self-pay-reviews"}
    assert not [r for r in asked if "status" in r.url.params]
    assert not [r for r in fake.seen if r.url.path.endswith("/records")]


def _plan_due(admission_id: str, name: str, due_at: str, overdue: bool, summary: bool) -> dict[str, Any]:
    return {
        "admission_id": admission_id, "person_id": f"P-{admission_id}", "name_masked": name,
        "support_type": "centralized", "institution_id": "I01", "village_id": None, "town_id": None,
        "facility_id": "H1", "discharged_at": "2026-12-01T02:00:00Z", "summary_issued": summary,
        "due_at": due_at, "calendar_provisional": False, "overdue": overdue, "overdue_at": None,
        "parameters_version": "v", "who": "institution", "rule": "LJ-15.1",
    }  # fmt: skip


@time_machine.travel(datetime(2026, 12, 8, 10, 0, tzinfo=SHANGHAI), tick=False)
async def test_lj_15_1_health_plans_to_make_come_from_referrals_list_with_their_due_instant(
    app: FastAPI, fake: FakeServices
) -> None:
    """LJ-15.1: the institution's queue of plans to make is referral's scoped list of them,
    each with its due instant and the working days left, the overdue first, linking to the
    plan's form; the institution has no visits queue (LJ-16 is the town's)."""
    fake.on(
        "GET",
        "/v1/health-plans/due",
        body={
            "items": [
                _plan_due("AD2", "王*", "2026-12-10T15:59:59Z", False, False),
                _plan_due("AD1", "张*", "2026-12-04T15:59:59Z", True, True),
            ],
            "next_cursor": None,
        },
    )
    async with client(app) as c:
        await sign_in(c, "institution", "institution:I01")
        home = (await c.get("/")).text
        page = (await c.get("/queues/health-plans")).text
        form = (await c.get("/act/health-plan/P-AD1", params={"admission_id": "AD1", "id_number": "x"})).text
    assert 'id="f-admission_id" name="admission_id" type="text" value="AD1"' in form, "the link fills in the admission"
    assert page.index("张*") < page.index("王*"), "overdue first"
    later = page[page.index("王*") :].split("</tr>")[0]
    assert "2026-12-10 23:59" in later and "剩余 2 个工作日" in later and "未出具" in later
    assert "已逾期" in page and "2026-12-01 10:00" in page and 'href="/act/health-plan/P-AD1?admission_id=AD1"' in page
    assert 'data-queue="health-plans"' in home and 'data-queue="care-work"' not in home
    assert not [r for r in fake.seen if r.url.path == "/v1/work-queue"]


@time_machine.travel(datetime(2026, 12, 8, 10, 0, tzinfo=SHANGHAI), tick=False)
async def test_lj_16_visits_due_and_assessments_come_from_referrals_work_queue(
    app: FastAPI, fake: FakeServices
) -> None:
    """LJ-16: the town's queue is referral's scoped work queue: the overdue visit first, the
    assessment has no form here; the work queue's plans are left to their own queue."""
    fake.on(
        "GET",
        "/v1/work-queue",
        body={
            "items": [
                {"item_id": "health_plan:AD1", "kind": "health_plan", "person_id": "P1", "name_masked": "张*",
                 "admission_id": "AD1", "since": "2026-12-01T02:00:00Z", "due_at": None, "overdue": False},
                {"item_id": "visit:P2", "kind": "followup_visit", "person_id": "P2", "name_masked": "李*",
                 "admission_id": None, "since": None, "due_at": "2026-12-04T15:59:59Z", "overdue": True},
                {"item_id": "assessment:P3", "kind": "disability_assessment", "person_id": "P3",
                 "name_masked": "王*", "admission_id": None, "since": None, "due_at": None, "overdue": False},
            ],
            "next_cursor": None,
        },
    )  # fmt: skip
    async with client(app) as c:
        await sign_in(c, "town_government", "town:T01")
        page = (await c.get("/queues/care-work")).text
    assert page.index("李*") < page.index("王*"), "overdue first"
    assert "已逾期" in page and 'href="/act/visit/P2"' in page and "张*" not in page
    assert "失能等级评估" in page and "/act/" not in page.split("王*")[1].split("</tr>")[0]


@time_machine.travel(datetime(2026, 12, 8, 10, 0, tzinfo=SHANGHAI), tick=False)
async def test_lj_10_rank_4_signatures_are_consents_work_list_with_their_acknowledgement_due(
    app: FastAPI, fake: FakeServices
) -> None:
    def filing(consent_id: str, admission_id: str, due: str, overdue: bool, public_interest: bool) -> dict[str, Any]:
        return {
            "consent_id": consent_id,
            "admission_id": admission_id,
            "person_id": "P1",
            "signer": {"signer_id": "INST-HEAD-1", "role": "institution"},
            "major_public_interest": public_interest,
            "filed_at": "2026-12-01T02:00:00+00:00",
            "acknowledgement_due_at": due,
            "overdue": overdue,
            "rule": "LJ-10",
        }

    fake.on(
        "GET",
        "/v1/rank4-signatures",
        body={
            "state": "open",
            "rule": "LJ-10",
            "items": [
                filing("C-LATER", "A-LATER", "2026-12-10T15:59:59+00:00", False, True),
                filing("C-LATE", "A-LATE", "2026-12-04T15:59:59+00:00", True, False),
            ],
        },
    )
    async with client(app) as c:
        await sign_in(c, "civil_affairs", "district:liujiang")
        text = (await c.get("/queues/rank4")).text
        assert (await c.get("/queues/rank4.csv")).status_code == 200
    asked = [r for r in fake.seen if r.url.path == "/v1/rank4-signatures"]
    assert asked and all(r.url.params["state"] == "open" for r in asked)
    assert text.index("A-LATE") < text.index("A-LATER"), "overdue first"
    assert "已逾期" in text and "剩余 2 个工作日" in text
    assert "供养服务机构" in text and "涉及重大公共利益" in text
