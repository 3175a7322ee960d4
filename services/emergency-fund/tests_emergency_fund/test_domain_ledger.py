"""GD-3 double entry and GD-7 pre-allocation rules, pure."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emergency_fund.domain import ledger, preallocation
from emergency_fund.domain.ledger import (
    FUND_CASH,
    InflowSource,
    LedgerTransaction,
    Posting,
    TxnKind,
    UnbalancedTransaction,
)
from medaid_shared.errors import Conflict

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999999.99"), places=2)


def test_gd_3_unbalanced_transaction_is_refused() -> None:
    with pytest.raises(UnbalancedTransaction):
        LedgerTransaction(TxnKind.INFLOW, 2026, (Posting("a", Decimal("1.00")), Posting("b", Decimal("-0.99"))))
    with pytest.raises(UnbalancedTransaction):
        LedgerTransaction(TxnKind.INFLOW, 2026, (Posting("a", Decimal("0.00")), Posting("b", Decimal("0.00"))))
    with pytest.raises(UnbalancedTransaction):
        LedgerTransaction(TxnKind.INFLOW, 2026, (Posting("a", Decimal("1.00")),))
    with pytest.raises(UnbalancedTransaction):
        LedgerTransaction(TxnKind.INFLOW, 2026, (Posting("a", Decimal("1.001")), Posting("b", Decimal("-1.001"))))


@given(amounts)
def test_gd_3_every_builder_balances(amount: Decimal) -> None:
    txns = [
        ledger.inflow(InflowSource.DONATION, amount, 2026),
        ledger.preallocate("H1", amount, 2026, amount, "r"),
        ledger.return_preallocation("H1", amount, 2026, amount, "r"),
        ledger.write_off("H1", amount, 2026, "r"),
        ledger.refund(amount, 2026, "r"),
    ]
    for t in txns:
        assert sum(p.amount for p in t.postings) == 0


@given(amounts, st.decimals(min_value=Decimal("0"), max_value=Decimal("999999999.99"), places=2))
def test_gd_7_disbursement_sets_claim_against_advance_first(amount: Decimal, advance: Decimal) -> None:
    split = ledger.disburse("H1", amount, 2026, advance, Decimal("1000000000.00"), "app")
    assert split.from_preallocation == min(amount, advance)
    assert split.from_preallocation + split.from_fund_cash == amount
    assert sum(p.amount for p in split.transaction.postings) == 0


def test_gd_3_no_overdraft_of_the_fund() -> None:
    with pytest.raises(Conflict):
        ledger.preallocate("H1", Decimal("100.01"), 2026, Decimal("100.00"), "r")
    with pytest.raises(Conflict):
        ledger.disburse("H1", Decimal("500.00"), 2026, Decimal("100.00"), Decimal("399.99"), "r")
    split = ledger.disburse("H1", Decimal("500.00"), 2026, Decimal("100.00"), Decimal("400.00"), "r")
    assert {p.account: p.amount for p in split.transaction.postings} == {
        "assistance_paid:H1": Decimal("500.00"),
        "preallocated:H1": Decimal("-100.00"),
        FUND_CASH: Decimal("-400.00"),
    }
    with pytest.raises(Conflict):
        ledger.return_preallocation("H1", Decimal("10.00"), 2026, Decimal("9.99"), "r")


def test_gd_7_minimum_share_of_upper_transfers() -> None:
    check = preallocation.check_minimum(2026, Decimal("1500000.00"), Decimal("1000000.00"), Decimal("0.80"))
    assert (check.required_minimum, check.compliant, check.shortfall) == (
        Decimal("1200000.00"),
        False,
        Decimal("200000.00"),
    )
    ok = preallocation.check_minimum(2026, Decimal("1500000.00"), Decimal("1200000.00"), Decimal("0.80"))
    assert ok.compliant and ok.shortfall == 0


def test_gd_7_suggestion_from_last_cycle_use() -> None:
    assert preallocation.suggest({"H2": Decimal("0"), "H1": Decimal("1000.05")}, Decimal("0.80")) == {
        "H1": Decimal("800.04")
    }


def test_gd_7_reconciliation_of_advance_against_claims() -> None:
    r = preallocation.reconcile("H1", Decimal("1000.00"), Decimal("100.00"), Decimal("1500.00"), Decimal("900.00"))
    assert r.paid_from_fund == Decimal("600.00")
    assert r.advance_outstanding == Decimal("0.00")
