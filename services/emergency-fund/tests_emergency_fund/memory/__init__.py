"""The fund's repository in memory, and a use case's context on it: the fast tier, where a
use case runs with a unit of work that records events, deadlines and decision-log entries
(``medaid_shared.fakes.FakeUnitOfWork``) in milliseconds. The HTTP and journey tests keep
proving the real wiring."""

from __future__ import annotations

from typing import cast

from emergency_fund.service.base import Env
from emergency_fund.service.ports import Repository
from emergency_fund.settings import EmergencyFundSettings
from medaid_shared import clock
from medaid_shared.authz import SYSTEM, Principal
from medaid_shared.calendar import WorkingCalendar
from medaid_shared.crypto import FieldCipher
from medaid_shared.db import UnitOfWork
from medaid_shared.fakes import FakeUnitOfWork
from medaid_shared.settings import DEV_ENCRYPTION_KEY
from tests_emergency_fund.memory.applications import MemoryApplicationQueries
from tests_emergency_fund.memory.cases import MemoryCaseQueries
from tests_emergency_fund.memory.funds import MemoryFundQueries


class MemoryRepository(MemoryCaseQueries, MemoryApplicationQueries, MemoryFundQueries):
    """The fund's records and named queries in memory."""


def context(
    repo: MemoryRepository | None = None, principal: Principal = SYSTEM
) -> tuple[Env, MemoryRepository, FakeUnitOfWork]:
    """A command's context on an in-memory repository, its repository and the unit of work
    that records what the use case decided."""
    repo = repo or MemoryRepository()
    uow = FakeUnitOfWork("emergency-fund")
    env = Env(
        EmergencyFundSettings(),
        cast(Repository, repo),
        WorkingCalendar(),
        FieldCipher(DEV_ENCRYPTION_KEY),
        principal,
        clock.now(),
        cast(UnitOfWork, uow),
    )
    return env, repo, uow
