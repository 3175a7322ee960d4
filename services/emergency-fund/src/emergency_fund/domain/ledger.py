"""GD-3: the city fund's double-entry ledger.

Every inflow and outflow of a city's fund is one balanced transaction: postings whose
amounts (debit positive, credit negative) sum to exactly zero. Balances are only ever the
sum of an account's postings — nothing else stores a balance.

Accounts (per city):

- ``fund_cash`` — the fund's special account (基金专账), an asset;
- ``income:<source>`` — where money came from (central / provincial transfers, city budget,
  donations), credit balances;
- ``preallocated:<facility>`` — money pre-allocated (预拨) to a hospital and not yet
  set against approved claims (GD-7), an asset (a receivable from the hospital);
- ``assistance_paid:<facility>`` — assistance paid to a hospital and awaiting write-off (核销);
- ``assistance_written_off`` — assistance written off after the hospital's vouchers were checked;
- ``refunds_recovered`` — money hospitals returned after a late identification (GD-16.4).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from emergency_fund.domain.money import ZERO, cents, is_money
from medaid_shared.errors import Conflict

FUND_CASH = "fund_cash"
ASSISTANCE_WRITTEN_OFF = "assistance_written_off"
REFUNDS_RECOVERED = "refunds_recovered"


class InflowSource(StrEnum):
    """GD-3: upper-level subsidies (central, provincial), the city budget, donations (GD-6)."""

    CENTRAL_TRANSFER = "central_transfer"
    PROVINCIAL_TRANSFER = "provincial_transfer"
    CITY_BUDGET = "city_budget"
    DONATION = "donation"


# GD-7: the pre-allocation minimum is measured against these.
UPPER_LEVEL_SOURCES = frozenset({InflowSource.CENTRAL_TRANSFER, InflowSource.PROVINCIAL_TRANSFER})


class TxnKind(StrEnum):
    INFLOW = "inflow"
    PREALLOCATION = "preallocation"
    PREALLOCATION_RETURN = "preallocation_return"
    DISBURSEMENT = "disbursement"
    WRITE_OFF = "write_off"
    REFUND = "refund"


def income_account(source: InflowSource) -> str:
    return f"income:{source.value}"


def preallocated_account(facility_id: str) -> str:
    return f"preallocated:{facility_id}"


def assistance_paid_account(facility_id: str) -> str:
    return f"assistance_paid:{facility_id}"


@dataclass(frozen=True)
class Posting:
    account: str
    amount: Decimal  # debit > 0, credit < 0


class UnbalancedTransaction(ValueError):
    """A transaction whose postings do not sum to zero — a programming error, never stored."""


@dataclass(frozen=True)
class LedgerTransaction:
    """GD-3: one balanced double-entry transaction."""

    kind: TxnKind
    fiscal_year: int
    postings: tuple[Posting, ...]
    memo: str = ""
    ref: str | None = None

    def __post_init__(self) -> None:
        if len(self.postings) < 2:
            raise UnbalancedTransaction("a transaction needs at least two postings")
        for p in self.postings:
            if p.amount == 0 or not is_money(p.amount):
                raise UnbalancedTransaction(f"posting {p.account} {p.amount}: non-zero, two decimals")
        if sum((p.amount for p in self.postings), ZERO) != 0:
            raise UnbalancedTransaction("postings must sum to zero (GD-3 double entry)")


def _pair(
    kind: TxnKind, debit: str, credit: str, amount: Decimal, year: int, memo: str, ref: str | None
) -> LedgerTransaction:
    amount = cents(amount)
    return LedgerTransaction(kind, year, (Posting(debit, amount), Posting(credit, -amount)), memo, ref)


def inflow(
    source: InflowSource, amount: Decimal, fiscal_year: int, memo: str = "", ref: str | None = None
) -> LedgerTransaction:
    """GD-3: money into the fund's special account."""
    return _pair(TxnKind.INFLOW, FUND_CASH, income_account(source), amount, fiscal_year, memo, ref)


def preallocate(facility_id: str, amount: Decimal, year: int, cash_balance: Decimal, ref: str) -> LedgerTransaction:
    """GD-7: pre-allocate fund money to a hospital (an advance to set against later claims)."""
    if cash_balance < amount:
        raise Conflict(
            f"the fund holds {cash_balance} CNY; a pre-allocation of {amount} CNY would overdraw it",
            rule="GD-3",
            field="amount",
        )
    return _pair(
        TxnKind.PREALLOCATION, preallocated_account(facility_id), FUND_CASH, amount, year, "pre-allocation", ref
    )


def return_preallocation(
    facility_id: str, amount: Decimal, year: int, advance_balance: Decimal, ref: str
) -> LedgerTransaction:
    """GD-7: a hospital returns unused pre-allocated money."""
    if advance_balance < amount:
        raise Conflict(
            f"{facility_id} holds {advance_balance} CNY of pre-allocated money; cannot return {amount} CNY",
            rule="GD-7",
            field="amount",
        )
    return _pair(
        TxnKind.PREALLOCATION_RETURN, FUND_CASH, preallocated_account(facility_id), amount, year, "unused advance", ref
    )


@dataclass(frozen=True)
class DisbursementSplit:
    transaction: LedgerTransaction
    from_preallocation: Decimal
    from_fund_cash: Decimal


def disburse(
    facility_id: str, amount: Decimal, year: int, advance_balance: Decimal, cash_balance: Decimal, ref: str
) -> DisbursementSplit:
    """Pay an approved application. GD-7 reconciliation: the hospital's pre-allocated money is
    set against the approved claim first; only the rest leaves the fund's cash account."""
    amount = cents(amount)
    from_advance = min(amount, max(advance_balance, ZERO))
    from_cash = amount - from_advance
    if from_cash > cash_balance:
        raise Conflict(
            f"the fund holds {cash_balance} CNY; {from_cash} CNY is needed after the hospital's advance",
            rule="GD-3",
        )
    postings = [Posting(assistance_paid_account(facility_id), amount)]
    if from_advance > 0:
        postings.append(Posting(preallocated_account(facility_id), -from_advance))
    if from_cash > 0:
        postings.append(Posting(FUND_CASH, -from_cash))
    txn = LedgerTransaction(TxnKind.DISBURSEMENT, year, tuple(postings), "assistance disbursed", ref)
    return DisbursementSplit(txn, from_advance, from_cash)


def write_off(facility_id: str, amount: Decimal, year: int, ref: str) -> LedgerTransaction:
    """GD-21: the disbursed assistance is written off (核销) once the hospital's vouchers are checked."""
    return _pair(
        TxnKind.WRITE_OFF, ASSISTANCE_WRITTEN_OFF, assistance_paid_account(facility_id), amount, year, "write-off", ref
    )


def refund(amount: Decimal, year: int, ref: str) -> LedgerTransaction:
    """GD-16.4: a hospital returns fund money after a late identification."""
    return _pair(TxnKind.REFUND, FUND_CASH, REFUNDS_RECOVERED, amount, year, "refund received", ref)
