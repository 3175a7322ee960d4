"""The identity-check service, declared: settings, tables, policy, routers, the facility
read model's consumer and the reply and photo-retention deadlines. Its use cases are the
methods of :class:`IdentityChecks`, which take the command's unit of work."""

from __future__ import annotations

from typing import cast

from fastapi import FastAPI

from identity_check.adapters.repository import SqlRepository
from identity_check.adapters.tables import metadata, parameter_version
from identity_check.api.routes import admin_router, router
from identity_check.consumers.facilities import facility_handlers, fund_handlers
from identity_check.domain.parameters import CATALOGUE
from identity_check.domain.policy import POLICY
from identity_check.service.checks import (
    PHOTO_RETENTION_DEADLINE,
    REPLY_DEADLINE,
    IdentityChecks,
    parameter_defaults,
)
from identity_check.settings import IdentityCheckSettings as Settings
from medaid_shared.parameter_store import ServiceParameters
from medaid_shared.runtime import ConsumerSpec, Runtime
from medaid_shared.service import ServiceDefinition

__all__ = ["PARAMETERS", "SERVICE", "Settings", "build_runtime", "create_app", "metadata"]

PARAMETERS = ServiceParameters(CATALOGUE, parameter_version, defaults_from=parameter_defaults)


def checks_of(runtime: Runtime) -> IdentityChecks:
    """The use cases bound to ``runtime`` (stateless: settings, repositories, parameters, runtime)."""
    checks = IdentityChecks(cast(Settings, runtime.settings), SqlRepository, PARAMETERS)
    checks.bind(runtime)
    return checks


def _keep_checks(app: FastAPI) -> None:
    app.state.identity_checks = checks_of(app.state.runtime)


SERVICE = ServiceDefinition(
    title="medaid identity-check",
    description="Police identity checks of unidentified emergency patients: letters with face photos, replies, late identification (SPEC §6.3).",
    settings=Settings,
    metadata=metadata,
    policy=POLICY,
    routers=lambda: [router, admin_router],
    command_context=lambda runtime, uow, principal: uow,
    deadline_handlers=lambda rt: {
        REPLY_DEADLINE: checks_of(rt).on_reply_due,
        PHOTO_RETENTION_DEADLINE: checks_of(rt).on_retention_due,
    },
    deadline_moved=lambda rt: {REPLY_DEADLINE: checks_of(rt).on_reply_due_moved},
    consumers=lambda rt: [
        ConsumerSpec("facilities", facility_handlers(checks_of(rt))),
        ConsumerSpec("fund-cases", fund_handlers(checks_of(rt))),
    ],
    # SPEC 0.4: photo retention runs by itself.
    retention_jobs=lambda rt: {"identity-check-photos": checks_of(rt).run_retention},
    parameters=PARAMETERS,
    on_app=_keep_checks,
)
build_runtime = SERVICE.build_runtime
create_app = SERVICE.create_app
