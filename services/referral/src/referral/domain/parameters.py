"""The referral service's versioned parameters: the filing and discharge windows.

Each is a kind of the kernel's versioned parameters (:mod:`medaid_shared.parameters`): the
seed's values (and the interpretations SPEC leaves open) are the defaults, set by the
service's settings; an administrator loads a version with effective dates through
``POST /admin/parameters`` and every deadline decided cites the version it applied. The
seed's windows are statutory ceilings: a version may shorten them, never lengthen them.
"""

from __future__ import annotations

from pydantic import Field

from medaid_shared.parameters import Bound, ParameterCatalogue, ParameterKind, ParameterValues


class FilingWindows(ParameterValues):
    """When the outside-care filing is due (LJ-4.2)."""

    # LJ-4.2b / LJ-11.3: clock hours for the filing after admission (or after being sent
    # to hospital in an emergency).
    filing_hours: int = Field(default=24, ge=1, le=24 * 30)
    # LJ-4.2d: the form follows a phone pre-report within this many working days.
    phone_form_working_days: int = Field(default=3, ge=1, le=60)
    # LJ-4.2c (interpretation): working days for the town government to pass a village
    # committee's filing on to civil affairs (the seed gives none).
    town_forward_working_days: int = Field(default=3, ge=1, le=60)
    # LJ-4.2b (interpretation): how many days before admission a filing made "before the
    # person leaves" still matches the admission at the same facility.
    pre_filing_match_days: int = Field(default=30, ge=1, le=366)


class DischargeWindows(ParameterValues):
    """When the discharge documents are due and when a discharge is late (LJ-12, LJ-17)."""

    # LJ-12: discharge documents due within this many clock hours of discharge.
    documents_hours: int = Field(default=24, ge=1, le=24 * 30)
    # LJ-12 / LJ-17 (interpretation of "promptly"): a discharge later than this many hours
    # after the patient was found fit is a late-discharge violation.
    delay_hours: int = Field(default=24, ge=1, le=24 * 30)


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
CATALOGUE = ParameterCatalogue([FILING_WINDOWS, DISCHARGE_WINDOWS])
