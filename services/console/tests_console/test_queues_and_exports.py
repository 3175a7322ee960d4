"""Work queues per role, overdue first with Shanghai due instants and working days left;
CSV (UTF-8 BOM, Chinese headers) and XLSX exports; problems shown next to their field."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

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
            "count": 2,
            "items": [
                {
                    "id": "R-LATER",
                    "reference_number": "IC-2026-H1-00002",
                    "facility_name": "清远市人民医院",
                    "patient_ref": "ZY-2",
                    "received_at": "2026-12-07T01:00:00+00:00",
                    "reply_due_at": "2026-12-10T15:59:59+00:00",
                    "overdue": False,
                    "status": "awaiting_reply",
                },
                {
                    "id": "R-LATE",
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
        problem(422, "an objection needs a reason", field="reason", rule="LJ-7.2"),
    )
    async with client(app) as c:
        token = await sign_in(c, "institution", "institution:INST1")
        r = await c.post("/self-pay-items/I1/initial-review", data={"outcome": "objected", "csrf_token": token})
    assert r.status_code == 422
    html = r.text
    assert 'data-testid="field-error-reason"' in html and "不符合规则或填写有误" in html and "LJ-7.2" in html
    assert html.index('id="initial-reason"') < html.index('data-testid="field-error-reason"')
