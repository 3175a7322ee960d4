"""The kernel's versioned parameters (pure): the most specific version in force wins, the
declared default applies when none is loaded, a version weaker than a statutory bound is
refused naming the field and the rule, overlapping versions are refused."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import Field, ValidationError

from medaid_shared.errors import Conflict, RuleViolation
from medaid_shared.parameters import Bound, ParameterCatalogue, ParameterKind, ParameterValues, ParameterVersion


class NoticeValues(ParameterValues):
    notice_working_days: int = Field(ge=1)


class WindowValues(ParameterValues):
    filing_hours: int = Field(ge=1)


NOTICE = ParameterKind(
    "public_notice",
    NoticeValues,
    rule="GD-21",
    default=NoticeValues(notice_working_days=3),
    bounds=(Bound("notice_working_days", floor=3, rule="GD-21"),),
)
WINDOW = ParameterKind(
    "filing_window", WindowValues, rule="LJ-4.2b", bounds=(Bound("filing_hours", ceiling=24, rule="LJ-4.2b"),)
)
CATALOGUE = ParameterCatalogue([NOTICE, WINDOW])
Version = CATALOGUE.version_model


def version(**fields: object) -> ParameterVersion:
    return Version.model_validate({"kind": "public_notice", "effective_from": "2026-01-01", **fields})


def test_the_default_applies_until_a_version_is_in_force_and_is_cited_as_default() -> None:
    applied = CATALOGUE.require([], "public_notice", on=date(2026, 5, 1))
    assert applied.version_id == "public_notice:any:any:default" and applied.default
    assert applied.values.notice_working_days == 3
    loaded = version(values={"notice_working_days": 5}, effective_from="2026-06-01")
    assert CATALOGUE.require([loaded], "public_notice", on=date(2026, 5, 31)).default
    applied = CATALOGUE.require([loaded], "public_notice", on=date(2026, 6, 1))
    assert applied.version_id == "public_notice:any:any:2026-06-01" and applied.values.notice_working_days == 5


def test_the_most_specific_version_wins_a_region_before_a_level() -> None:
    generic = version(values={"notice_working_days": 4})
    level = version(values={"notice_working_days": 5}, facility_level="district")
    region = version(values={"notice_working_days": 6}, region="liujiang")
    versions = [generic, level, region]
    on = date(2026, 5, 1)
    assert (
        CATALOGUE.require(versions, "public_notice", on=on, region="liujiang", level="district").values
        == region.typed()
    )
    assert (
        CATALOGUE.require(versions, "public_notice", on=on, region="liuzhou", level="district").values == level.typed()
    )
    assert CATALOGUE.require(versions, "public_notice", on=on, region="liuzhou", level="city").values == generic.typed()


def test_a_kind_without_default_refuses_the_decision_citing_its_rule() -> None:
    assert CATALOGUE.select([], "filing_window", on=date(2026, 5, 1)) is None
    with pytest.raises(RuleViolation) as refused:
        CATALOGUE.require([], "filing_window", on=date(2026, 5, 1))
    assert refused.value.rule == "LJ-4.2b"


def test_gd_21_a_version_may_be_stricter_never_weaker_than_the_statute() -> None:
    stricter = version(values={"notice_working_days": 5})
    CATALOGUE.check_new([], [stricter])
    weaker = version(values={"notice_working_days": 2})
    with pytest.raises(RuleViolation) as refused:
        CATALOGUE.check_new([], [stricter.model_copy(update={"effective_from": date(2030, 1, 1)}), weaker])
    assert refused.value.rule == "GD-21"
    assert refused.value.field == "versions[1].values.notice_working_days"
    too_long = Version.model_validate(
        {"kind": "filing_window", "effective_from": "2026-01-01", "values": {"filing_hours": 48}}
    )
    with pytest.raises(RuleViolation) as refused:
        CATALOGUE.check_new([], [too_long])
    assert refused.value.rule == "LJ-4.2b" and refused.value.field == "versions[0].values.filing_hours"


def test_overlapping_versions_are_refused_adjacent_ones_are_not() -> None:
    first = version(values={"notice_working_days": 4}, effective_to="2026-07-01")
    adjacent = version(values={"notice_working_days": 5}, effective_from="2026-07-01")
    CATALOGUE.check_new([first], [adjacent])
    with pytest.raises(Conflict) as refused:
        CATALOGUE.check_new([first], [version(values={"notice_working_days": 5}, effective_from="2026-03-01")])
    assert refused.value.extra["overlaps"] == [["public_notice:any:any:2026-03-01", "public_notice:any:any:2026-01-01"]]


def test_values_must_fit_the_kind_and_kinds_must_be_declared() -> None:
    with pytest.raises(ValidationError):
        version(values={"notice_working_days": 0})
    with pytest.raises(ValidationError):
        version(values={"notice_working_days": 3, "extra": 1})
    with pytest.raises(ValidationError):
        version(kind="unknown", values={})
    with pytest.raises(ValidationError):
        version(values={"notice_working_days": 3}, region="atlantis")


def test_defaults_from_settings_replace_the_declared_ones() -> None:
    configured = CATALOGUE.with_defaults({"public_notice": NoticeValues(notice_working_days=7)})
    assert configured.require([], "public_notice", on=date(2026, 1, 1)).values.notice_working_days == 7
    assert CATALOGUE.require([], "public_notice", on=date(2026, 1, 1)).values.notice_working_days == 3
    assert [k["kind"] for k in configured.describe()] == ["public_notice", "filing_window"]


def test_a_service_catalogue_includes_the_kernel_kinds_also_with_its_own_kind_enum() -> None:
    """SPEC 0.4: the idempotency retention is loaded through every service's parameter API."""
    from enum import StrEnum

    from medaid_shared.idempotency import KERNEL_PARAMETERS

    class Kind(StrEnum):
        PUBLIC_NOTICE = "public_notice"
        FILING_WINDOW = "filing_window"

    merged = ParameterCatalogue([NOTICE, WINDOW], enum=Kind).including(KERNEL_PARAMETERS)
    assert {k.name for k in merged.kinds} == {
        "public_notice",
        "filing_window",
        "idempotency_retention",
        "consumer_attempts",
    }
    model = merged.version_model
    kept = model.model_validate(
        {"kind": "idempotency_retention", "effective_from": "2026-01-01", "values": {"retention_days": 30}}
    )
    assert kept.version_id == "idempotency_retention:any:any:2026-01-01"
    assert merged.require([kept], "idempotency_retention", on=date(2026, 2, 1)).values.retention_days == 30
    own = {"kind": "public_notice", "effective_from": "2026-01-01", "values": {"notice_working_days": 5}}
    assert model.model_validate(own).kind_name == "public_notice"
    with pytest.raises(ValidationError):
        model.model_validate({"kind": "no_such_kind", "effective_from": "2026-01-01", "values": {}})
