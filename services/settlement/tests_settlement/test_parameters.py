"""Choosing and checking parameter versions (pure domain): the most specific version in
force wins; overlaps are found within a load and against stored versions (LJ-6.1, LJ-6.2)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from medaid_shared.contracts.common import FacilityLevel, Region
from settlement.domain.parameters import ParameterKind, ParameterVersion, find_overlaps, select_version
from tests_settlement.factories import AID_PARAMETERS, BASIC_PARAMETERS


def version(base: dict[str, Any], **changes: Any) -> ParameterVersion:
    return ParameterVersion.model_validate({**base, **changes})


def test_lj_6_1_the_most_specific_version_in_force_wins() -> None:
    generic = version(BASIC_PARAMETERS)
    district = version(
        BASIC_PARAMETERS, facility_level="district", values={**BASIC_PARAMETERS["values"], "ratio": "0.85"}
    )
    outside = version(BASIC_PARAMETERS, region="outside_guangxi", values={**BASIC_PARAMETERS["values"], "ratio": "0.5"})
    later = version(BASIC_PARAMETERS, facility_level="city", effective_from="2027-01-01")
    versions = [generic, district, outside, later]
    on = date(2026, 5, 1)
    pick = select_version(versions, ParameterKind.BASIC_INSURANCE, Region.LIUJIANG, FacilityLevel.DISTRICT, on)
    assert pick is not None and pick.version_id == "basic_insurance:any:district:2026-01-01"
    assert pick.values.ratio == Decimal("0.85") and pick.example is True
    pick = select_version(versions, ParameterKind.BASIC_INSURANCE, Region.OUTSIDE_GUANGXI, FacilityLevel.DISTRICT, on)
    assert pick is not None and pick.version_id == "basic_insurance:outside_guangxi:any:2026-01-01"
    pick = select_version(versions, ParameterKind.BASIC_INSURANCE, Region.LIUZHOU, FacilityLevel.CITY, on)
    assert pick is not None and pick.version_id == "basic_insurance:any:any:2026-01-01"  # the city one starts in 2027
    assert (
        select_version(versions, ParameterKind.BASIC_INSURANCE, Region.LIUZHOU, FacilityLevel.CITY, date(2025, 12, 31))
        is None
    )
    assert select_version(versions, ParameterKind.MEDICAL_AID, Region.LIUZHOU, FacilityLevel.CITY, on) is None


def test_lj_6_2_aid_defaults_are_the_seed_values() -> None:
    aid = version(AID_PARAMETERS, values={}).typed()
    assert (aid.deductible, aid.ratio, aid.annual_ceiling) == (Decimal("0.00"), Decimal("1"), Decimal("60000.00"))


def test_overlaps_are_found_and_adjacent_or_other_keys_are_not() -> None:
    first = version(AID_PARAMETERS, effective_to="2026-07-01")
    adjacent = version(AID_PARAMETERS, effective_from="2026-07-01")
    clash = version(AID_PARAMETERS, effective_from="2026-03-01", effective_to="2026-04-01")
    other_level = version(AID_PARAMETERS, facility_level="city")
    assert find_overlaps([first], [adjacent, other_level]) == []
    assert find_overlaps([first], [clash]) == [(clash.version_id, first.version_id)]
    assert find_overlaps([], [adjacent, version(AID_PARAMETERS, effective_from="2027-01-01")]) != []


def test_effective_to_must_follow_effective_from_and_values_must_fit_their_kind() -> None:
    with pytest.raises(ValidationError):
        version(AID_PARAMETERS, effective_to="2026-01-01")
    with pytest.raises(ValidationError):
        version(BASIC_PARAMETERS, values={"deductible": "1.00"})
    with pytest.raises(ValidationError):
        version(BASIC_PARAMETERS, values={**BASIC_PARAMETERS["values"], "bonus": "1"})
