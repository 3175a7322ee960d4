"""The repository's named queries over the fund and its ledger, pre-allocation, committee, reports and reference data."""

from __future__ import annotations

from typing import Protocol


class FundQueries(Protocol):
    """Queries beyond a record's key (each names what it answers)."""
