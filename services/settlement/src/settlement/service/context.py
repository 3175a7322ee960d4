"""What every use case works with: the repository, the unit of work (for commands), the
settings, the live working calendar and the field cipher."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from medaid_shared import ids
from medaid_shared.calendar import WorkingCalendar
from medaid_shared.crypto import FieldCipher
from medaid_shared.db import Session, UnitOfWork
from medaid_shared.runtime import Runtime
from settlement.domain.engine import GateRules
from settlement.domain.parameters import Applied, ReferralRouteValues
from settlement.service.ports import Repository
from settlement.settings import SettlementSettings

RepositoryFactory = Callable[[Session], Repository]


@dataclass
class Ctx:
    repo: Repository
    settings: SettlementSettings
    calendar: WorkingCalendar
    cipher: FieldCipher
    _uow: UnitOfWork | None = None

    @property
    def uow(self) -> UnitOfWork:
        if self._uow is None:
            raise RuntimeError("a command needs a unit of work")
        return self._uow

    def gate_rules(self, route: Applied) -> GateRules:
        """The gates' interpretations: LJ-3.2b's from the ``referral_route`` version in force
        on the admission day, LJ-4.3b's from the settings."""
        values: ReferralRouteValues = route.values
        return GateRules(
            designated_required_from=values.required_from,
            emergency_exempt_from_referral=values.emergency_exempt,
            support_fund_when_aid_refused_out_of_guangxi=self.settings.support_fund_when_aid_refused_out_of_guangxi,
            referral_levels=frozenset(values.referral_levels),
            route_version=route.version_id,
        )


@dataclass(frozen=True)
class Wiring:
    """Built once in bootstrap: how to get a repository for a session."""

    repository: RepositoryFactory

    def command(self, runtime: Runtime, uow: UnitOfWork) -> Ctx:
        return Ctx(uow.repository(self.repository), settings_of(runtime), runtime.calendar, runtime.cipher, uow)

    def query(self, runtime: Runtime, session: Session) -> Ctx:
        return Ctx(self.repository(session), settings_of(runtime), runtime.calendar, runtime.cipher)


def settings_of(runtime: Runtime) -> SettlementSettings:
    return cast(SettlementSettings, runtime.settings)


def new_id() -> str:
    return ids.new_id()
