"""GD-7: pre-allocation to hospitals that regularly handle emergencies.

A city may pre-allocate (预拨) to hospitals a share of what they used in the last cycle;
in principle the year's pre-allocations total at least 80 % of that year's central and
provincial transfers. Pre-allocated money is an advance: approved claims are set against
it first (reconciliation), the rest is paid from the fund.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from emergency_fund.domain.money import ZERO, cents


def suggest(last_cycle_use: Mapping[str, Decimal], ratio: Decimal) -> dict[str, Decimal]:
    """GD-7: suggested pre-allocation per hospital = last cycle's use × ratio (interpretation)."""
    return {facility: cents(used * ratio) for facility, used in sorted(last_cycle_use.items()) if used > 0}


@dataclass(frozen=True)
class MinimumCheck:
    """GD-7: do the year's pre-allocations reach min_share of central + provincial transfers?"""

    year: int
    upper_level_transfers: Decimal
    min_share: Decimal
    required_minimum: Decimal
    preallocated: Decimal
    compliant: bool
    shortfall: Decimal


def check_minimum(year: int, upper_level_transfers: Decimal, preallocated: Decimal, min_share: Decimal) -> MinimumCheck:
    required = cents(upper_level_transfers * min_share)
    shortfall = max(ZERO, required - preallocated)
    return MinimumCheck(
        year=year,
        upper_level_transfers=cents(upper_level_transfers),
        min_share=min_share,
        required_minimum=required,
        preallocated=cents(preallocated),
        compliant=shortfall == 0,
        shortfall=cents(shortfall),
    )


@dataclass(frozen=True)
class Reconciliation:
    """GD-7: one hospital's pre-allocated money against its approved (disbursed) claims."""

    facility_id: str
    preallocated: Decimal
    returned: Decimal
    approved_claims: Decimal
    set_against_advance: Decimal
    paid_from_fund: Decimal
    advance_outstanding: Decimal


def reconcile(
    facility_id: str,
    preallocated: Decimal,
    returned: Decimal,
    approved_claims: Decimal,
    set_against_advance: Decimal,
) -> Reconciliation:
    return Reconciliation(
        facility_id=facility_id,
        preallocated=cents(preallocated),
        returned=cents(returned),
        approved_claims=cents(approved_claims),
        set_against_advance=cents(set_against_advance),
        paid_from_fund=cents(approved_claims - set_against_advance),
        advance_outstanding=cents(preallocated - returned - set_against_advance),
    )
