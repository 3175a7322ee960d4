"""Event handlers and deadline handlers: translate incoming events and due deadlines into
use-case calls (each runs inside the kernel's inbox / scheduler transaction)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emergency_fund.service import funds
from emergency_fund.service.base import FundService
from medaid_shared.db import UnitOfWork
from medaid_shared.deadlines import DeadlineHandler
from medaid_shared.runtime import ConsumerSpec

ServiceRef = Callable[[], FundService]


def consumers(service: ServiceRef) -> list[ConsumerSpec]:
    return []


def deadline_handlers(service: ServiceRef) -> dict[str, DeadlineHandler]:
    async def training_due(uow: UnitOfWork, row: Any) -> None:
        await funds.on_training_due(service().env(uow), row)

    return {funds.TRAINING_KIND: training_due}
