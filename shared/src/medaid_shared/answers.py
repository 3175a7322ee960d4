"""The kernel's answers as typed models: what every service answers at its operations
routes (``/healthz``, ``/readyz``), its calendar and its parameter administration. A
service's own answer models derive from :class:`Out`, which allows no field it does not
name, so a test holding real answers to a model fails when the answer and its document part."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Out(BaseModel):
    """An answer: exactly these fields."""

    model_config = ConfigDict(extra="forbid")


class HealthOut(Out):
    """`/healthz`: the service is alive (its background loops are not down past their limit)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"status": "ok"}]})

    status: Literal["ok", "failing"]
    loops_down: list[str] | None = Field(None, description="the background loops down past their limit (failing)")


class LoopOut(Out):
    """One background loop as `/readyz` reports it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"state": "running", "up": True, "restarts": 0, "down_for_s": "0.000", "last_error": None}]
        }
    )

    state: str = Field(examples=["running"])
    up: bool
    restarts: int
    down_for_s: str = Field(
        pattern=r"^\d+\.\d{3}$", examples=["0.000"], description="seconds the loop has been down (0 when up)"
    )
    last_error: str | None


class ReadyOut(Out):
    """`/readyz`: whether the database, the broker and the background loops are usable."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "status": "ready",
                    "checks": {"database": True, "broker": True, "background": True},
                    "loops": {
                        "outbox_relay": {
                            "state": "running",
                            "up": True,
                            "restarts": 0,
                            "down_for_s": "0.000",
                            "last_error": None,
                        }
                    },
                }
            ]
        }
    )

    status: Literal["ready", "not ready"]
    checks: dict[str, bool] = Field(examples=[{"database": True, "broker": True, "background": True}])
    loops: dict[str, LoopOut]


class CalendarLoadOut(Out):
    """A year of the official calendar loaded (SPEC 0.1)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"year": 2027, "days": 34, "official": True, "deadlines_moved": 3}]}
    )

    year: int = Field(examples=[2027])
    days: int = Field(description="holidays and make-up working days loaded")
    official: bool
    deadlines_moved: int = Field(description="open deadlines counted again on the new calendar")


class CalendarYearOut(Out):
    """The working-day calendar of a year as every service counts deadlines by it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "year": 2027,
                    "official": True,
                    "calendar_provisional": False,
                    "holidays_on_weekdays": ["2027-01-01", "2027-02-08", "2027-02-09"],
                    "make_up_working_days": ["2027-02-07", "2027-02-20"],
                }
            ]
        }
    )

    year: int = Field(examples=[2027])
    official: bool = Field(description="the State Council notice of the year is loaded")
    calendar_provisional: bool = Field(description="no notice loaded: weekends only, deadlines may move")
    holidays_on_weekdays: list[date]
    make_up_working_days: list[date]


class ParametersLoadOut(Out):
    """Parameter versions stored, all or nothing."""

    loaded: list[str] = Field(description="the version ids stored", examples=[["settlement-2026-liujiang"]])


class ParameterVersionOut(Out):
    """A stored version of one kind of parameters for one region and facility level."""

    version_id: str
    kind: str
    region: str
    facility_level: str
    effective_from: date
    effective_to: date | None
    values: dict[str, Any]
    example: bool
    source: str


class ParameterDefaultOut(Out):
    """The default version of a kind, used until an administrator loads one."""

    version_id: str
    values: dict[str, Any]


class ParameterBoundOut(Out):
    """A statutory limit of one field of a kind."""

    field: str
    rule: str
    floor: str | int | None = Field(description="the statutory floor of the field, if any (money as a decimal string)")
    ceiling: str | int | None = Field(description="the statutory ceiling of the field, if any")


class ParameterKindOut(Out):
    """One declared kind of parameters."""

    kind: str
    rule: str
    description: str
    default: ParameterDefaultOut | None
    bounds: list[ParameterBoundOut]
    values_schema: dict[str, Any] = Field(description="the JSON Schema of the kind's values")


class ParameterKindsOut(Out):
    """The declared kinds of a service's parameters."""

    kinds: list[ParameterKindOut]
