"""Building blocks for the settlement tests: parameters, gates, lines."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from medaid_shared.contracts.common import FacilityLevel, FilingState, Region
from settlement.domain.engine import Gates, Line, Parameters
from settlement.domain.parameters import Applied, BasicInsuranceValues, CriticalIllnessValues, MedicalAidValues

D = Decimal


def params(
    deductible: str = "500.00",
    ratio: str = "0.80",
    basic_ceiling: str = "200000.00",
    threshold: str = "10000.00",
    tiers: tuple[tuple[str, str], ...] = (("0", "0.60"), ("100000", "0.70")),
    ci_ceiling: str = "400000.00",
    aid_ceiling: str = "60000.00",
) -> Parameters:
    return Parameters(
        basic=Applied(
            "basic_insurance:any:district:2026-01-01",
            True,
            BasicInsuranceValues(deductible=D(deductible), ratio=D(ratio), annual_ceiling=D(basic_ceiling)),
        ),
        critical=Applied(
            "critical_illness:any:any:2026-01-01",
            True,
            CriticalIllnessValues.model_validate(
                {
                    "threshold": threshold,
                    "tiers": [{"from_amount": a, "ratio": r} for a, r in tiers],
                    "annual_ceiling": ci_ceiling,
                }
            ),
        ),
        aid=Applied("medical_aid:any:any:2026-01-01", False, MedicalAidValues(annual_ceiling=D(aid_ceiling))),
    )


def gates(**overrides: Any) -> Gates:
    values: dict[str, Any] = {
        "filing_state": FilingState.FILED_IN_TIME,
        "facility_designated": True,
        "facility_level": FacilityLevel.DISTRICT,
        "facility_region": Region.LIUJIANG,
        "primary_first_visit": True,
        "referral_slip": True,
        "out_of_region_approved": None,
        "emergency": False,
        "admitted_on": date(2026, 3, 2),
        "basic_insurance_enrolled": True,
    }
    values.update(overrides)
    return Gates(**values)


def in_cat(amount: str, line_no: int = 1) -> Line:
    return Line(line_no, f"C{line_no:03d}", True, D(amount))


def out_cat(
    amount: str, item: str | None, line_no: int = 2, emergency: bool = False, served: date = date(2026, 3, 3)
) -> Line:
    return Line(line_no, f"X{line_no:03d}", False, D(amount), item, emergency, served)


BASIC_PARAMETERS: dict[str, Any] = {
    "kind": "basic_insurance",
    "region": "any",
    "facility_level": "any",
    "effective_from": "2026-01-01",
    "values": {"deductible": "500.00", "ratio": "0.80", "annual_ceiling": "200000.00"},
    "example": True,
    "source": "test example",
}
CRITICAL_PARAMETERS: dict[str, Any] = {
    "kind": "critical_illness",
    "region": "any",
    "facility_level": "any",
    "effective_from": "2026-01-01",
    "values": {
        "threshold": "10000.00",
        "tiers": [{"from_amount": "0", "ratio": "0.60"}, {"from_amount": "100000", "ratio": "0.70"}],
        "annual_ceiling": "400000.00",
    },
    "example": True,
    "source": "test example",
}
AID_PARAMETERS: dict[str, Any] = {
    "kind": "medical_aid",
    "region": "any",
    "facility_level": "any",
    "effective_from": "2026-01-01",
    "values": {"deductible": "0.00", "ratio": "1", "annual_ceiling": "60000.00"},
    "example": False,
    "source": "LJ-6.2",
}
