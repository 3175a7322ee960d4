"""The referral service's versioned parameters: the filing and discharge windows and the
emergency's exemption from referral.

Each is a kind of the kernel's versioned parameters (:mod:`medaid_shared.parameters`): the
seed's values (and the interpretations SPEC leaves open) are the defaults, set by the
service's settings; an administrator loads a version with effective dates through
``POST /admin/parameters`` and every deadline decided cites the version it applied. The
seed's windows are statutory ceilings: a version may shorten them, never lengthen them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from medaid_shared.parameters import Bound, ParameterCatalogue, ParameterKind, ParameterValues


class FilingWindows(ParameterValues):
    """When the outside-care filing is due (LJ-4.2)."""

    # LJ-4.2b / LJ-11.3: clock hours for the filing after admission (or after being sent
    # to hospital in an emergency).
    filing_hours: int = Field(default=24, ge=1, le=24 * 30)
    # LJ-4.2d: the form follows a phone pre-report within this many working days.
    phone_form_working_days: int = Field(default=3, ge=1, le=60)
    # LJ-4.2d (interpretation): what a phone pre-report never followed by the form becomes
    # when the form's working days have passed — ``form_late`` (the call counts as the filing,
    # the form is late) or ``unfiled`` (without the form there is no filing).
    phone_lapse_state: Literal["form_late", "unfiled"] = "form_late"
    # LJ-4.2c (interpretation): the seed sets no hours for a decentralized person's chain
    # (the 24 hours of LJ-4.2b are the centralized institution's). Working days after
    # admission for the village committee to report to the town government (later is
    # flagged and makes the filing late) ...
    village_report_working_days: int = Field(default=3, ge=1, le=60)
    # ... working days for the town government to pass it on to civil affairs ...
    town_forward_working_days: int = Field(default=3, ge=1, le=60)
    # ... working days after admission after which a chain nobody started counts as unfiled ...
    unstarted_unfiled_working_days: int = Field(default=10, ge=1, le=120)
    # ... and what a chain the town never passes on becomes when its step is overdue:
    # ``filed_late`` (the village committee filed; the town's delay is flagged) or ``unfiled``.
    stalled_chain_state: Literal["filed_late", "unfiled"] = "filed_late"
    # LJ-4.2b (interpretation): how many days before admission a filing made "before the
    # person leaves" still matches the admission at the same facility.
    pre_filing_match_days: int = Field(default=30, ge=1, le=366)

    @model_validator(mode="after")
    def _unfiled_after_the_village_step(self) -> FilingWindows:
        # LJ-4.2c: a chain cannot count as unfiled before the village committee's step is due
        if self.unstarted_unfiled_working_days < self.village_report_working_days:
            raise ValueError("unstarted_unfiled_working_days must be at least village_report_working_days")
        return self


class DischargeWindows(ParameterValues):
    """When the discharge documents are due and when a discharge is late (LJ-12, LJ-17)."""

    # LJ-12: discharge documents due within this many clock hours of discharge.
    documents_hours: int = Field(default=24, ge=1, le=24 * 30)
    # LJ-12 / LJ-17 (interpretation of "promptly"): a discharge later than this many hours
    # after the patient was found fit is a late-discharge violation.
    delay_hours: int = Field(default=24, ge=1, le=24 * 30)


class EmergencyWindows(ParameterValues):
    """When an emergency admission's basis must be on record (LJ-11.3, SPEC 0.5)."""

    # LJ-11.3 (interpretation): clock hours after admission for the hospital to record the
    # emergency's basis (condition of the national list, arrival channel, onset); an
    # emergency without one then loses its exemptions.
    determination_hours: int = Field(default=24, ge=1, le=24 * 7)


FILING_WINDOWS = ParameterKind(
    "filing_windows",
    FilingWindows,
    rule="LJ-4.2b",
    default=FilingWindows(),
    bounds=(
        Bound("filing_hours", ceiling=24, rule="LJ-4.2b"),
        Bound("phone_form_working_days", ceiling=3, rule="LJ-4.2d"),
    ),
    description="outside-care filing windows (LJ-4.2)",
)
DISCHARGE_WINDOWS = ParameterKind(
    "discharge_windows",
    DischargeWindows,
    rule="LJ-12",
    default=DischargeWindows(),
    bounds=(Bound("documents_hours", ceiling=24, rule="LJ-12"),),
    description="discharge documents and late discharge (LJ-12, LJ-17)",
)
EMERGENCY_WINDOWS = ParameterKind(
    "emergency_windows",
    EmergencyWindows,
    rule="LJ-11.3",
    default=EmergencyWindows(),
    description="when an emergency admission's basis must be recorded (LJ-11.3)",
)


class HealthPlanWindow(ParameterValues):
    """LJ-15.1: when the rehabilitation and health plan is due after a discharge. The seed
    names no time ("出院后 … 制定或调整"); an undated duty is never seen as late."""

    # LJ-15.1 (interpretation): the institution (centralized) or the village committee with
    # the guardian (decentralized) makes the plan within this many working days of the
    # discharge (official calendar, SPEC 0.1); later it is flagged overdue.
    working_days: int = Field(default=10, ge=1, le=120)


HEALTH_PLAN_WINDOW = ParameterKind(
    "health_plan_window",
    HealthPlanWindow,
    rule="LJ-15.1",
    default=HealthPlanWindow(),
    description="the working days after a discharge within which the health plan is made (LJ-15.1)",
)


class ReferralExemption(ParameterValues):
    """LJ-11.3 / LJ-3.2a / LJ-4.2a: whether a determined emergency needs no primary first
    visit and no referral slip (the same interpretation as settlement's ``referral_route``
    ``emergency_exempt``, which decides LJ-3.2b's settlement mode)."""

    # LJ-11.3 (treat first, 先救治): an emergency admission is compliant without the
    # primary first visit and the slip; switched off, it is judged like any other.
    emergency_exempt: bool = True


REFERRAL_EXEMPTION = ParameterKind(
    "referral_exemption",
    ReferralExemption,
    rule="LJ-11.3",
    default=ReferralExemption(),
    description="whether an emergency admission is exempt from the primary first visit and the slip (LJ-11.3)",
)
CATALOGUE = ParameterCatalogue(
    [FILING_WINDOWS, DISCHARGE_WINDOWS, EMERGENCY_WINDOWS, HEALTH_PLAN_WINDOW, REFERRAL_EXEMPTION]
)
