"""Document numbers (文号) as governments write them: an inflow booked under
柳财社〔2026〕88号 is kept and shown as written, booked once; a number with markup or a
control character is refused naming the field, and nothing is booked."""

from __future__ import annotations

from medaid_shared.testing import ServiceHarness

from .helpers import CITY, call, inflow, make_fund, ok

DOCUMENT = "柳财社〔2026〕88号"


async def test_gd_3_an_inflow_keeps_its_chinese_document_number(svc: ServiceHarness) -> None:
    await make_fund(svc)
    await inflow(svc, "city_budget", "300000.00", 2026, DOCUMENT)
    await inflow(svc, "provincial_transfer", "500000.00", 2026, "桂财社（2026）12号")
    again = {"source": "city_budget", "amount": "1.00", "fiscal_year": 2026, "reference": DOCUMENT}
    r = await call(svc, "POST", f"/funds/{CITY}/inflows", "finance", again)
    assert r.status_code == 409 and r.json()["field"] == "/reference"
    ledger = (await ok(svc, "GET", f"/funds/{CITY}/ledger", "finance"))["items"]
    assert any(DOCUMENT in t["source_ref"] for t in ledger), ledger


async def test_a_document_number_with_markup_is_refused(svc: ServiceHarness) -> None:
    await make_fund(svc)
    for bad in ("柳财社<2026>88号", "〔2026〕88号", "柳财社\n88号", "x" * 101):
        body = {"source": "city_budget", "amount": "1.00", "fiscal_year": 2026, "reference": bad}
        r = await call(svc, "POST", f"/funds/{CITY}/inflows", "finance", body)
        assert r.status_code == 422 and r.json()["field"] == "/reference", (bad, r.text)
    assert (await ok(svc, "GET", f"/funds/{CITY}/ledger", "finance"))["items"] == []
