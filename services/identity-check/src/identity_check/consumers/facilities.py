"""Consumer of referral's facility events: the local read model that tells each hospital's
county-level public security bureau (GD-16.1). ``command`` makes the use-case context of
the handler's unit of work."""

from __future__ import annotations

from collections.abc import Callable

from identity_check.service.checks import Ctx, IdentityChecks
from medaid_shared.consumer import Handler
from medaid_shared.contracts.emergency_fund import FundCaseClosed, FundCaseOpened
from medaid_shared.contracts.referral import FacilityRegistered, FacilityUpdated
from medaid_shared.db import UnitOfWork
from medaid_shared.events import Event, EventMeta


def facility_handlers(checks: IdentityChecks, command: Callable[[UnitOfWork], Ctx]) -> dict[type[Event], Handler]:
    async def on_facility(uow: UnitOfWork, event: FacilityRegistered, meta: EventMeta) -> None:
        await checks.record_facility(command(uow), event, meta.time)

    return {FacilityRegistered: on_facility, FacilityUpdated: on_facility}


def fund_handlers(checks: IdentityChecks, command: Callable[[UnitOfWork], Ctx]) -> dict[type[Event], Handler]:
    """SPEC 0.4: the fund case a letter rests on ended — the letter closes."""

    async def on_case_closed(uow: UnitOfWork, event: FundCaseClosed, meta: EventMeta) -> None:
        await checks.on_fund_case_closed(command(uow), event)

    async def on_case_opened(uow: UnitOfWork, event: FundCaseOpened, meta: EventMeta) -> None:
        await checks.on_fund_case_opened(command(uow), event)

    return {FundCaseClosed: on_case_closed, FundCaseOpened: on_case_opened}
