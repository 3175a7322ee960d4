"""Printable pages: A4 print stylesheet served by the console itself, the settlement statement
with the national settlement fields, the fund's annexes, and the services' own forms passed
through with the user's token."""

from __future__ import annotations

import json

from fastapi import FastAPI

from .conftest import FakeServices, client, problem, sign_in

STATEMENT = {
    "statement_id": "ST1",
    "admission_id": "AD1",
    "mode": "one_stop",
    "national_fields": {
        "medfee_sumamt": "13845.60",
        "hifp_pay": "9556.48",
        "maf_pay": "2789.12",
        "psn_cash_pay": "0.00",
    },
    "lines": [{"payer": "basic_insurance", "amount": "9556.48", "rule": "LJ-6.1", "parameter_version": "basic:v1"}],
}


async def test_the_print_stylesheet_is_a4_and_served_here(app: FastAPI) -> None:
    async with client(app) as c:
        css = await c.get("/static/print.css")
        page = await c.get("/sign-in")
    assert css.status_code == 200 and "size: A4" in css.text
    assert '<link rel="stylesheet" href="/static/print.css" media="print">' in page.text


async def test_the_settlement_statement_shows_the_national_fields(app: FastAPI, fake: FakeServices) -> None:
    fake.on("GET", "/v1/statements/ST1", body=STATEMENT)
    async with client(app) as c:
        await sign_in(c, "medical_insurance")
        r = await c.get("/statements/ST1")
    assert r.status_code == 200
    for text in ("结算单", "医疗费总额", "medfee_sumamt", "13845.60", "医疗救助基金支出", "2789.12", "LJ-6.1"):
        assert text in r.text, text


async def test_the_unit_application_annex_3_lists_its_cases(app: FastAPI, fake: FakeServices) -> None:
    fake.on(
        "GET",
        "/v1/applications/A1",
        body={
            "application_id": "A1",
            "facility_id": "H1",
            "city": "qingyuan",
            "requested_amount": "7099.00",
            "cases": [
                {
                    "case_id": "C1",
                    "billed": "7000.00",
                    "in_catalogue": "7000.00",
                    "claimed_medical": "7000.00",
                    "claimed_living": "99.00",
                }
            ],
        },
    )
    fake.on("GET", "/v1/cases/C1", body={"case_id": "C1", "identity_status": "unidentified", "facility_id": "H1"})
    async with client(app) as c:
        await sign_in(c, "fund_agency", "city:qingyuan")
        annex3 = await c.get("/print/fund/applications/A1/annex3")
        annex2 = await c.get("/print/fund/applications/A1/annex2")
    assert "附件3" in annex3.text and "C1" in annex3.text and "7099.00" in annex3.text
    assert "附件2" in annex2.text and "身份不明患者" in annex2.text


async def test_the_individual_application_annex_2_names_the_patient_for_the_roles_the_fund_lets_read_it(
    app: FastAPI, fake: FakeServices
) -> None:
    """SPEC 0.4: the applicant signs annex 2, so the agency's print carries the full name,
    read through the fund's audit-logged identity read with the form's reason; a role the
    fund refuses it to prints the masked name."""
    application = {"application_id": "A2", "facility_id": "H1", "city": "qingyuan", "requested_amount": "100.00"}
    fake.on("GET", "/v1/applications/A2", body={**application, "cases": [{"case_id": "C2"}]})
    fake.on("GET", "/v1/cases/C2", body={"case_id": "C2", "identity_status": "identified", "name_masked": "张*三"})
    fake.on("POST", "/v1/cases/C2/identity-reads", body={"case_id": "C2", "name": "张小三", "id_number": "x"})
    async with client(app) as c:
        await sign_in(c, "fund_agency", "city:qingyuan")
        agency = await c.get("/print/fund/applications/A2/annex2")
    reads = [r for r in fake.seen if r.url.path == "/v1/cases/C2/identity-reads"]
    assert "张小三" in agency.text and len(reads) == 1
    assert json.loads(reads[0].content) == {"reason": "打印个人申请表（附件2）"}

    fake.on("POST", "/v1/cases/C2/identity-reads", status=403, body=problem(403, "forbidden"))
    async with client(app) as c:
        await sign_in(c, "finance", "city:qingyuan")
        finance = await c.get("/print/fund/applications/A2/annex2")
    assert "张*三" in finance.text and "张小三" not in finance.text


async def test_the_services_printable_forms_are_passed_through_with_the_users_token(
    app: FastAPI, fake: FakeServices
) -> None:
    fake.answers[("GET", "/v1/filings/F1/form")] = lambda _r: __import__("httpx").Response(
        200, text="<html><body>外出就医备案表</body></html>", headers={"content-type": "text/html; charset=utf-8"}
    )
    async with client(app) as c:
        await sign_in(c, "civil_affairs")
        r = await c.get("/print/filings/F1")
    assert r.status_code == 200 and "外出就医备案表" in r.text and r.headers["cache-control"] == "no-store"
    [asked] = [x for x in fake.seen if x.url.path == "/v1/filings/F1/form"]
    assert asked.headers["Authorization"].startswith("Bearer ")
