"""Referral compliance and filing compliance of an admission (SPEC §2). Pure functions."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from medaid_shared.contracts.common import PRIMARY_LEVELS, FacilityLevel, FilingState, Region, SupportType
from medaid_shared.contracts.referral import ReferralCompliance


class ApprovalState:
    """LJ-4.3a: state of the medical-insurance transfer approval of a referral."""

    NOT_REQUIRED = "not_required"
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


def approval_required(region: Region, approval_regions: Collection[Region]) -> bool:
    """LJ-4.3a: care outside the district (Liuzhou city, Guangxi, outside Guangxi by default)
    needs the referral-transfer and medical-aid application approved by medical insurance."""
    return region in approval_regions


@dataclass(frozen=True)
class ReferralFacts:
    """What an admission knows about how the patient got there."""

    facility_level: FacilityLevel
    facility_region: Region
    emergency: bool
    referral_from_level: FacilityLevel | None = None  # the first-visit facility of the referral
    referral_slip: bool = False  # the first-visit doctor's referral slip is on file
    approval_state: str | None = None  # ApprovalState of the referral, if any


def referral_compliance(
    facts: ReferralFacts,
    *,
    approval_regions: Collection[Region],
    emergency_exempt: bool,
    parameters_version: str | None = None,
) -> ReferralCompliance:
    """SPEC §2 referral compliance.

    - LJ-3.2a: the first visit is at a primary facility — the admitting facility itself, or
      the first-visit facility of the referral that brought the patient.
    - LJ-4.2a: an admission above primary level needs the first-visit doctor's referral slip.
    - LJ-4.3a: care in an approval region needs the medical-insurance approval (``None`` when
      not needed).
    An emergency admission (LJ-11.3, treat first) is exempt from the first two when the
    versioned ``referral_exemption`` in force says so (``parameters_version`` cites it).
    """
    primary_here = facts.facility_level in PRIMARY_LEVELS
    exempt = facts.emergency and emergency_exempt
    primary_first_visit = primary_here or exempt or (facts.referral_from_level in PRIMARY_LEVELS)
    slip = primary_here or exempt or facts.referral_slip
    approved: bool | None = None
    if approval_required(facts.facility_region, approval_regions):
        approved = facts.approval_state == ApprovalState.APPROVED
    compliant = primary_first_visit and slip and approved is not False
    return ReferralCompliance(
        primary_first_visit=primary_first_visit,
        referral_slip=slip,
        out_of_region_approved=approved,
        compliant=compliant,
        parameters_version=parameters_version,
    )


def filing_rule(support_type: SupportType, emergency: bool) -> str:
    """The rule that sets an admission's filing deadline."""
    if emergency:
        return "LJ-11.3"
    return "LJ-4.2b" if support_type == SupportType.CENTRALIZED else "LJ-4.2c"


@dataclass(frozen=True)
class FilingFacts:
    """The filing timeline of one admission. ``start`` is the admission instant, or the
    instant the person was sent to hospital in an emergency (LJ-11.3).

    ``filing_due`` is when the first step is due: the institution's 24 hours (LJ-4.2b), the
    village committee's report to the town (LJ-4.2c, an interpretation; 24 hours in an
    emergency, LJ-11.3). ``unfiled_due`` is when nothing filed counts as unfiled: the same
    instant for the centralized institution, the interpretation's later one for an
    unstarted decentralized chain. ``phone_lapse`` and ``stalled`` are the interpretations'
    outcomes for a call never followed by the form (LJ-4.2d) and a chain the town never
    passes on (LJ-4.2c)."""

    support_type: SupportType
    start: datetime
    filing_due: datetime
    unfiled_due: datetime
    phone_reported_at: datetime | None = None
    phone_form_due: datetime | None = None
    form_at: datetime | None = None  # the written form reached its first recipient
    forward_due: datetime | None = None  # decentralized: town → civil affairs (LJ-4.2c)
    forwarded_at: datetime | None = None  # decentralized: civil affairs has it
    phone_lapse: FilingState = FilingState.FORM_LATE
    stalled: FilingState = FilingState.FILED_LATE


def filing_complete(f: FilingFacts) -> bool:
    """LJ-4.2b: the institution files with civil affairs directly; LJ-4.2c: the village
    committee's filing is complete when the town government has passed it to civil affairs."""
    if f.support_type == SupportType.CENTRALIZED:
        return f.form_at is not None
    return f.form_at is not None and f.forwarded_at is not None


def filing_state(f: FilingFacts, now: datetime) -> FilingState:
    """SPEC §2 filing compliance; every state but ``pending`` and ``phone_reported`` is final
    (SPEC 0.5: settlement decides on it).

    Complete filings: ``pre_filed`` (the form was in before the person left, LJ-4.2b),
    ``form_in_time`` / ``form_late`` (after a phone pre-report, LJ-4.2d), ``filed_in_time``
    / ``filed_late`` (by / after the first step's deadline, LJ-4.2b, LJ-4.2c, LJ-11.3). A
    decentralized filing is late when any step of the chain was late (LJ-4.2c).
    Incomplete: ``unfiled`` once ``unfiled_due`` passed with nothing filed (a chain started
    only after that stays unfiled until it is complete); a call whose form did not follow in
    time becomes the LJ-4.2d interpretation's state; a chain the town did not pass on in time
    becomes the LJ-4.2c interpretation's; otherwise ``phone_reported`` or ``pending``.
    """
    if not filing_complete(f):
        if f.phone_reported_at is not None:
            if f.form_at is None and f.phone_form_due is not None and now > f.phone_form_due:
                return f.phone_lapse
        elif f.form_at is None or f.form_at > f.unfiled_due:
            return FilingState.UNFILED if now > f.unfiled_due else FilingState.PENDING
        if f.form_at is not None and f.forward_due is not None and now > f.forward_due:
            return f.stalled
        return FilingState.PHONE_REPORTED if f.phone_reported_at is not None else FilingState.PENDING
    assert f.form_at is not None
    forward_late = (
        f.support_type == SupportType.DECENTRALIZED
        and f.forwarded_at is not None
        and f.forward_due is not None
        and f.forwarded_at > f.forward_due
    )
    if f.form_at <= f.start and f.phone_reported_at is None:
        return FilingState.FILED_LATE if forward_late else FilingState.PRE_FILED
    if f.phone_reported_at is not None:
        in_time = f.phone_form_due is not None and f.form_at <= f.phone_form_due
        return FilingState.FORM_IN_TIME if in_time and not forward_late else FilingState.FORM_LATE
    in_time = f.form_at <= f.filing_due
    return FilingState.FILED_IN_TIME if in_time and not forward_late else FilingState.FILED_LATE
