"""The kernel's answers every service gives (probes, calendar, parameter administration)
and identity-check's own administrative answer are the published models, which allow no
field they do not name: a changed answer fails here until its document says so too."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from identity_check.api.schemas import RetentionOut
from medaid_shared.answers import (
    CalendarLoadOut,
    CalendarYearOut,
    HealthOut,
    ParameterKindsOut,
    ParametersLoadOut,
    ParameterVersionOut,
    ReadyOut,
)
from medaid_shared.pagination import Page
from medaid_shared.testing import ServiceHarness


def holds(model: type[BaseModel], answer: Any) -> None:
    model.model_validate(answer)


async def test_the_kernel_answers_are_the_published_models(svc: ServiceHarness) -> None:
    client, admin = svc.client, svc.token("admin")
    holds(HealthOut, (await client.get("http://test/healthz")).json())
    holds(ReadyOut, (await client.get("http://test/readyz")).json())
    loaded = await client.put(
        "/admin/calendar/2031", json={"holidays": ["2031-10-01"], "workdays": ["2031-09-28"]}, headers=admin
    )
    assert loaded.status_code == 200, loaded.text
    holds(CalendarLoadOut, loaded.json())
    year = (await client.get("/calendar/2031")).json()
    holds(CalendarYearOut, year)
    assert year["holidays_on_weekdays"] == ["2031-10-01"] and year["make_up_working_days"] == ["2031-09-28"]
    version = {"kind": "consumer_attempts", "effective_from": "2031-01-01", "values": {"max_attempts": 5}}
    stored = await client.post("/admin/parameters", json={"versions": [version]}, headers=admin)
    assert stored.status_code == 201, stored.text
    holds(ParametersLoadOut, stored.json())
    listing = (await client.get("/parameters", headers=admin)).json()
    assert listing["items"], listing
    holds(Page[ParameterVersionOut], listing)
    kinds = (await client.get("/parameters/kinds", headers=admin)).json()
    holds(ParameterKindsOut, kinds)
    assert "consumer_attempts" in {k["kind"] for k in kinds["kinds"]}


async def test_the_retention_run_answers_its_model(svc: ServiceHarness) -> None:
    run = await svc.client.post("/admin/identity-checks/photo-retention/run", headers=svc.token("admin"))
    assert run.status_code == 200, run.text
    holds(RetentionOut, run.json())
