"""Referral and filing compliance rules (SPEC §2), pure and fast."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from medaid_shared.calendar import WorkingCalendar
from medaid_shared.clock import SHANGHAI
from medaid_shared.contracts.common import FacilityLevel, FilingState, Region, SupportType
from medaid_shared.contracts.referral import ReferralCompliance
from referral.domain.compliance import (
    ApprovalState,
    FilingFacts,
    ReferralFacts,
    filing_rule,
    filing_state,
    referral_compliance,
)

REGIONS = [Region.LIUZHOU, Region.GUANGXI, Region.OUTSIDE_GUANGXI]
T0 = datetime(2026, 9, 29, 2, 0, tzinfo=UTC)
H = timedelta(hours=1)


def rc(**kw: Any) -> ReferralCompliance:
    base = {"facility_level": FacilityLevel.DISTRICT, "facility_region": Region.LIUJIANG, "emergency": False}
    return referral_compliance(ReferralFacts(**{**base, **kw}), approval_regions=REGIONS, emergency_exempt=True)


def test_lj_3_2a_primary_first_visit() -> None:
    """LJ-3.2a: admitted at a primary facility, or referred on from one."""
    here = rc(facility_level=FacilityLevel.TOWNSHIP_HEALTH_CENTRE)
    assert here.primary_first_visit and here.referral_slip and here.compliant
    direct = rc()
    assert not direct.primary_first_visit and not direct.compliant
    referred = rc(referral_from_level=FacilityLevel.COMMUNITY_HEALTH_CENTRE, referral_slip=True)
    assert referred.compliant


def test_lj_4_2a_referral_slip_needed_above_primary() -> None:
    """LJ-4.2a: a district hospital needs the first-visit doctor's referral slip."""
    no_slip = rc(referral_from_level=FacilityLevel.TOWNSHIP_HEALTH_CENTRE, referral_slip=False)
    assert no_slip.primary_first_visit and not no_slip.referral_slip and not no_slip.compliant


def test_lj_4_3a_out_of_region_needs_approval() -> None:
    """LJ-4.3a: beyond the district, medical insurance must approve; in the district it is not asked."""
    ok = {"referral_from_level": FacilityLevel.TOWNSHIP_HEALTH_CENTRE, "referral_slip": True}
    assert rc(**ok).out_of_region_approved is None
    pending = rc(facility_region=Region.OUTSIDE_GUANGXI, approval_state=ApprovalState.PENDING, **ok)
    assert pending.out_of_region_approved is False and not pending.compliant
    approved = rc(facility_region=Region.LIUZHOU, approval_state=ApprovalState.APPROVED, **ok)
    assert approved.out_of_region_approved is True and approved.compliant


def test_lj_11_3_emergency_exempt_from_first_visit_not_from_approval() -> None:
    """LJ-11.3: treat first — no first visit or slip asked; LJ-4.3a approval still counts."""
    assert rc(emergency=True).compliant
    away = rc(emergency=True, facility_region=Region.GUANGXI)
    assert away.primary_first_visit and away.out_of_region_approved is False
    strict = referral_compliance(
        ReferralFacts(FacilityLevel.DISTRICT, Region.LIUJIANG, True), approval_regions=REGIONS, emergency_exempt=False
    )
    assert not strict.compliant
    assert filing_rule(SupportType.CENTRALIZED, True) == "LJ-11.3"
    assert filing_rule(SupportType.DECENTRALIZED, False) == "LJ-4.2c"


def facts(support: SupportType = SupportType.CENTRALIZED, **kw: Any) -> FilingFacts:
    unfiled = T0 + (24 if support == SupportType.CENTRALIZED else 240) * H
    return FilingFacts(
        support_type=support, start=T0, filing_due=kw.pop("filing_due", T0 + 24 * H), unfiled_due=unfiled, **kw
    )


def test_lj_4_2b_centralized_states() -> None:
    """LJ-4.2b: before leaving → pre_filed; within 24 h → filed_in_time; later → filed_late."""
    assert filing_state(facts(), T0 + H) == FilingState.PENDING
    assert filing_state(facts(), T0 + 25 * H) == FilingState.UNFILED
    assert filing_state(facts(form_at=T0 - H), T0) == FilingState.PRE_FILED
    assert filing_state(facts(form_at=T0 + 23 * H), T0 + 30 * H) == FilingState.FILED_IN_TIME
    assert filing_state(facts(form_at=T0 + 25 * H), T0 + 30 * H) == FilingState.FILED_LATE


def test_lj_4_2d_phone_then_form() -> None:
    """LJ-4.2d: phone pre-report, then the form within 3 working days."""
    phoned = {"phone_reported_at": T0 + 2 * H, "phone_form_due": T0 + 72 * H}
    assert filing_state(facts(**phoned), T0 + 50 * H) == FilingState.PHONE_REPORTED
    assert filing_state(facts(form_at=T0 + 70 * H, **phoned), T0 + 80 * H) == FilingState.FORM_IN_TIME
    assert filing_state(facts(form_at=T0 + 73 * H, **phoned), T0 + 80 * H) == FilingState.FORM_LATE


def test_lj_4_2c_decentralized_chain_completes_at_civil_affairs() -> None:
    """LJ-4.2c: village → town → civil affairs; complete only when forwarded; a late step makes it late."""
    d = SupportType.DECENTRALIZED
    at_town = facts(d, form_at=T0 + H, forward_due=T0 + 100 * H)
    assert filing_state(at_town, T0 + 30 * H) == FilingState.PENDING
    done = facts(d, form_at=T0 + H, forward_due=T0 + 100 * H, forwarded_at=T0 + 99 * H)
    assert filing_state(done, T0 + 120 * H) == FilingState.FILED_IN_TIME
    late_town = facts(d, form_at=T0 + H, forward_due=T0 + 100 * H, forwarded_at=T0 + 101 * H)
    assert filing_state(late_town, T0 + 120 * H) == FilingState.FILED_LATE
    pre = facts(d, form_at=T0 - H, forward_due=T0 + 10 * H, forwarded_at=T0 + 5 * H)
    assert filing_state(pre, T0 + 120 * H) == FilingState.PRE_FILED


def test_lj_4_2d_call_never_followed_by_the_form_takes_the_interpretation_state() -> None:
    """LJ-4.2d (interpretation): a call whose form never came is final when the form's
    working days pass — form_late by default, unfiled where the version says so; a form after
    that is form_late either way."""
    phoned = {"phone_reported_at": T0 + 2 * H, "phone_form_due": T0 + 72 * H}
    assert filing_state(facts(**phoned), T0 + 72 * H) == FilingState.PHONE_REPORTED
    assert filing_state(facts(**phoned), T0 + 73 * H) == FilingState.FORM_LATE
    strict = facts(phone_lapse=FilingState.UNFILED, **phoned)
    assert filing_state(strict, T0 + 73 * H) == FilingState.UNFILED
    late = facts(phone_lapse=FilingState.UNFILED, form_at=T0 + 90 * H, **phoned)
    assert filing_state(late, T0 + 91 * H) == FilingState.FORM_LATE


def test_lj_4_2c_no_24_hours_for_a_decentralized_chain() -> None:
    """LJ-4.2c: the 24 hours are the centralized institution's. A decentralized chain is
    pending past them; the village step due (interpretation) makes a later filing late; only
    past the unstarted interpretation deadline does nothing filed count as unfiled, and a
    chain started after that stays unfiled until civil affairs has it (then filed_late)."""
    d = SupportType.DECENTRALIZED
    village_due = T0 + 72 * H
    assert filing_state(facts(d, filing_due=village_due), T0 + 25 * H) == FilingState.PENDING
    assert filing_state(facts(d, filing_due=village_due), T0 + 200 * H) == FilingState.PENDING
    assert filing_state(facts(d, filing_due=village_due), T0 + 241 * H) == FilingState.UNFILED
    in_time = facts(d, filing_due=village_due, form_at=T0 + 30 * H, forward_due=T0 + 140 * H, forwarded_at=T0 + 50 * H)
    assert filing_state(in_time, T0 + 60 * H) == FilingState.FILED_IN_TIME
    slow_village = facts(
        d, filing_due=village_due, form_at=T0 + 100 * H, forward_due=T0 + 170 * H, forwarded_at=T0 + 120 * H
    )
    assert filing_state(slow_village, T0 + 130 * H) == FilingState.FILED_LATE
    after_unfiled = facts(d, filing_due=village_due, form_at=T0 + 250 * H, forward_due=T0 + 300 * H)
    assert filing_state(after_unfiled, T0 + 260 * H) == FilingState.UNFILED
    done = facts(d, filing_due=village_due, form_at=T0 + 250 * H, forward_due=T0 + 300 * H, forwarded_at=T0 + 260 * H)
    assert filing_state(done, T0 + 261 * H) == FilingState.FILED_LATE


def test_lj_4_2c_a_chain_the_town_never_passes_on_is_final() -> None:
    """LJ-4.2c (interpretation): a village filing the town never forwards no longer stays
    pending forever: past the town's step it is filed_late by default, unfiled where the
    version says so."""
    d = SupportType.DECENTRALIZED
    at_town = {"form_at": T0 + H, "forward_due": T0 + 100 * H}
    assert filing_state(facts(d, **at_town), T0 + 100 * H) == FilingState.PENDING
    assert filing_state(facts(d, **at_town), T0 + 101 * H) == FilingState.FILED_LATE
    assert filing_state(facts(d, stalled=FilingState.UNFILED, **at_town), T0 + 101 * H) == FilingState.UNFILED
    forwarded = facts(d, stalled=FilingState.UNFILED, forwarded_at=T0 + 110 * H, **at_town)
    assert filing_state(forwarded, T0 + 111 * H) == FilingState.FILED_LATE


def test_lj_4_2d_form_due_crosses_national_day_and_make_up_saturday() -> None:
    """LJ-4.2d on the official calendar: a call on Wed 2026-09-30 → Oct 1–7 are holidays,
    Oct 8 (Thu) and Oct 9 (Fri) count, and the make-up working Saturday Oct 10 is day 3."""
    call = datetime(2026, 9, 30, 15, 0, tzinfo=SHANGHAI)
    due = WorkingCalendar().add_working_days(call, 3)
    assert due.at == datetime(2026, 10, 10, 23, 59, 59, tzinfo=SHANGHAI)
    assert not due.calendar_provisional
