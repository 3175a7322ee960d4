"""Every answer of the settlement service is what its OpenAPI document says: the real
answers of a settled, reversed and manually reimbursed admission validate against the
published models, which allow no field they do not name."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import time_machine
from pydantic import BaseModel

from medaid_shared.contracts.common import FacilityLevel
from medaid_shared.testing import ServiceHarness
from settlement.api.schemas import (
    AnalysisOut,
    BillDetailOut,
    BillOut,
    CatalogueEntryOut,
    FlagsOut,
    LedgerOut,
    ReimbursementOut,
    SelfPayShareOut,
    StatementDetailOut,
    StatementOut,
    StatementReadOut,
)
from tests_settlement.world import admin, insurance, line, load_parameters, register_person, settled


def holds(model: type[BaseModel], answer: Any) -> None:
    model.model_validate(answer)


async def test_the_answers_are_the_published_models(svc: ServiceHarness) -> None:
    await load_parameters(svc)
    await register_person(svc)
    st = await settled(svc, [line("1000.00"), line("99.99", in_catalogue=False)])
    holds(StatementDetailOut, st)
    read = svc.client
    mi = insurance(svc)
    holds(StatementReadOut, (await read.get(f"/statements/{st['statement_id']}", headers=mi)).json())
    reversal = await read.post(
        f"/statements/{st['statement_id']}/reversal", json={"reason": "bill corrected"}, headers=mi
    )
    assert reversal.status_code == 201, reversal.text
    holds(StatementDetailOut, reversal.json())
    for item in (await read.get("/statements", headers=mi)).json()["items"]:
        holds(StatementOut, item)
    bills = (await read.get("/bills", headers=mi)).json()["items"]
    for item in bills:
        holds(BillOut, item)
    holds(BillDetailOut, (await read.get(f"/bills/{bills[0]['bill_id']}", headers=mi)).json())
    holds(LedgerOut, (await read.get("/ledger/P1/2026", headers=mi)).json())
    holds(LedgerOut, (await read.get("/ledger/NOBODY/2026", headers=mi)).json())
    for item in (await read.get("/catalogue", headers=admin(svc))).json()["items"]:
        holds(CatalogueEntryOut, item)
    manual = await settled(svc, [line("500.00")], admission_id="A2", level=FacilityLevel.DISTRICT, referred=False)
    assert manual["mode"] == "manual"
    for item in (await read.get("/reimbursements", headers=mi)).json()["items"]:
        holds(ReimbursementOut, item)
    with time_machine.travel(datetime(2026, 3, 20, 2, 0, tzinfo=UTC), tick=False):  # within the LJ-13.2 window
        applied = await read.post(
            f"/reimbursements/{manual['statement_id']}/application", headers=svc.token("institution", "institution:I01")
        )
    assert applied.status_code == 200, applied.text
    holds(ReimbursementOut, applied.json())
    ca = svc.token("civil_affairs")
    holds(AnalysisOut, (await read.post("/analytics/2026Q1/run", headers=ca)).json())
    holds(SelfPayShareOut, (await read.get("/reports/2026Q1/self-pay-share", headers=ca)).json())
    holds(FlagsOut, (await read.get("/reports/2026Q1/flags", headers=ca)).json())
