"""The consent service, declared: settings, tables, policy, routes and the read-model
consumer. Its reads run in a unit of work, so a read of sensitive data is audit-logged with it."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from consent.adapters.store import SqlStore
from consent.adapters.tables import metadata
from consent.api.routes import router
from consent.consumers.read_model import read_model_consumer
from consent.domain.parameters import CumulativeScope, PolicyParameters
from consent.domain.policy import POLICY
from consent.service.ports import Ctx
from consent.settings import ConsentSettings as Settings
from medaid_shared.authz import Principal
from medaid_shared.crypto import Unsealer
from medaid_shared.db import UnitOfWork
from medaid_shared.runtime import Runtime
from medaid_shared.service import ServiceDefinition
from medaid_shared.settings import CONSENT_FORMS_PURPOSE

__all__ = ["SERVICE", "Settings", "build_runtime", "create_app", "default_parameters", "metadata"]


def default_parameters(settings: Settings) -> PolicyParameters:
    """The policy parameters in force until an administrator loads a later version."""
    return PolicyParameters(
        version="settings-default",
        effective_from=settings.policy_defaults_effective_from,
        review_threshold=settings.self_pay_review_threshold,
        civil_affairs_single_threshold=settings.self_pay_civil_affairs_single_threshold,
        civil_affairs_cumulative_threshold=settings.self_pay_civil_affairs_cumulative_threshold,
        cumulative_scope=CumulativeScope(settings.self_pay_cumulative_scope),
        expert_from_other_hospital=settings.expert_from_other_hospital,
        note="defaults from service settings",
    )


def _context(runtime: Runtime, uow: UnitOfWork, principal: Principal | None) -> Ctx:
    settings = cast(Settings, runtime.settings)
    return Ctx(uow, SqlStore(uow), runtime.cipher, default_parameters(settings), _name_opener(settings))


def _name_opener(settings: Settings) -> Callable[[str], str]:
    """SPEC 0.4: only consent holds the key to the full names referral sealed for its forms."""
    unsealer = Unsealer(settings.consent_forms_private_key.get_secret_value())
    return lambda token: unsealer.open(token, CONSENT_FORMS_PURPOSE)


SERVICE = ServiceDefinition(
    title="medaid consent",
    description="Signing authority, consents, self-pay double review, major-treatment evaluation and emergency treatment (SPEC §3, §4).",
    settings=Settings,
    metadata=metadata,
    policy=POLICY,
    routers=lambda: [router],
    command_context=_context,
    audited_reads=True,
    consumers=lambda runtime: [read_model_consumer(SqlStore)],
)
build_runtime = SERVICE.build_runtime
create_app = SERVICE.create_app
