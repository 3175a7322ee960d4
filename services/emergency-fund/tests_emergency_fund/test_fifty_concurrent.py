"""Fifty concurrent retries of one disbursement (the same Idempotency-Key, as a HIS
retries) post it exactly once: one disbursement, one ledger transaction, one event."""

from __future__ import annotations

import asyncio

import time_machine
from sqlalchemy import func, select

from emergency_fund.adapters.tables import disbursement, ledger_txn
from medaid_shared.testing import ServiceHarness

from .helpers import CITY, PAY, SUBMIT, call, ok, prepare_city, submitted, through_review

FIFTY = 50


async def test_fifty_concurrent_retries_of_one_disbursement_post_it_once(svc: ServiceHarness) -> None:
    with time_machine.travel(SUBMIT, tick=False):
        await prepare_city(svc)
        app_id, _ = await submitted(svc)
    await through_review(svc, app_id)
    with time_machine.travel(PAY, tick=False):
        path = f"/applications/{app_id}/disbursement"
        key = {"Idempotency-Key": "pay-once-fifty"}
        results = await asyncio.gather(*[call(svc, "POST", path, "finance", headers=key) for _ in range(FIFTY)])
        assert [r.status_code for r in results] == [201] * FIFTY, {r.status_code for r in results}
        assert len({r.json()["disbursement_id"] for r in results}) == 1  # every retry got the one answer
        async with svc.runtime.db.read() as s:
            payouts = (await s.execute(select(func.count()).select_from(disbursement))).scalar_one()
            txns = (await s.execute(select(func.count()).where(ledger_txn.c.kind == "disbursement"))).scalar_one()
        assert (payouts, txns, len(await svc.published("FundDisbursed"))) == (1, 1, 1)
        fund = await ok(svc, "GET", f"/funds/{CITY}", "auditor")
        assert fund["cash"] == "984910.00" and fund["trial_balance"] == "0.00"
