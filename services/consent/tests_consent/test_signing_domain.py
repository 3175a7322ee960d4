"""LJ-10 signing order as pure domain: every rank, every skip reason, out-of-order signatures."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from consent.domain.model import Capacity, Guardian, GuardianAbsence, Person, WrittenAgent
from consent.domain.signing import Rank, RankState, SkipReason, assess, check_signer
from medaid_shared.authz import Principal, Role
from medaid_shared.errors import Forbidden, RuleViolation

DAY = date(2026, 6, 15)
AT = datetime(2026, 3, 1, tzinfo=UTC)

CAPABLE = Capacity(True, AT, "doc-a")
INCAPABLE = Capacity(False, AT, "doc-a")
GUARDIAN = Guardian(guardian_id="g-1", relation="sibling")
NONE_VERIFIED = Guardian(verified_none=True, evidence_ref="EV-1")
AGENT = WrittenAgent("a-1", "王*", "town_government", "DEL-1", date(2026, 1, 1), date(2026, 12, 31))
EXPIRED = WrittenAgent("a-2", "赵*", "guardian", "DEL-2", date(2025, 1, 1), date(2026, 6, 14))
FUTURE = WrittenAgent("a-3", "钱*", "person", "DEL-3", date(2026, 6, 16), date(2026, 12, 31))

BASE = Person("P1", "张*三", "centralized", institution_id="I01", town_id="T01")
DECENTRAL = Person("P2", "李*四", "decentralized", village_id="V01", town_id="T01")


def who(role: Role, subject: str, *scopes: str) -> Principal:
    return Principal(subject=subject, role=role, scopes=scopes)


def reasons(p: Person, rank: Rank) -> tuple[SkipReason, ...]:
    return assess(p, DAY).ranks[rank - 1].reasons


# --- who may sign now -------------------------------------------------------------------


def test_lj_10_rank_1_the_capable_lucid_person_signs() -> None:
    auth = assess(replace(BASE, capacity=CAPABLE, guardian=GUARDIAN, agents=(AGENT,)), DAY)
    assert auth.eligible is not None and auth.eligible.rank == Rank.PERSON
    assert auth.eligible.signer_ids == ("P1",)
    assert auth.skipped_above(Rank.PERSON) == []


def test_lj_10_rank_2_guardian_when_person_not_capable() -> None:
    auth = assess(replace(BASE, capacity=INCAPABLE, guardian=GUARDIAN, agents=(AGENT,)), DAY)
    assert auth.eligible is not None and auth.eligible.rank == Rank.GUARDIAN
    assert auth.eligible.signer_ids == ("g-1",)
    [skip] = auth.skipped_above(Rank.GUARDIAN)
    assert skip.rank == Rank.PERSON and skip.reasons == (SkipReason.NOT_FULLY_CAPABLE_OR_LUCID,)


def test_lj_10_skip_reason_no_capacity_assessment() -> None:
    assert reasons(BASE, Rank.PERSON) == (SkipReason.NO_CAPACITY_ASSESSMENT,)


def test_lj_10_rank_3_agent_when_guardian_verified_none() -> None:
    auth = assess(replace(BASE, capacity=INCAPABLE, guardian=NONE_VERIFIED, agents=(AGENT,)), DAY)
    assert auth.eligible is not None and auth.eligible.rank == Rank.WRITTEN_AGENT
    assert auth.eligible.signer_ids == ("a-1",)
    skipped = auth.skipped_above(Rank.WRITTEN_AGENT)
    assert [(s.rank, s.reasons) for s in skipped] == [
        (Rank.PERSON, (SkipReason.NOT_FULLY_CAPABLE_OR_LUCID,)),
        (Rank.GUARDIAN, (SkipReason.GUARDIAN_VERIFIED_NONE,)),
    ]
    assert "EV-1" in skipped[1].detail


def test_lj_10_guardian_absence_verified_in_this_service_counts_with_its_evidence() -> None:
    absence = GuardianAbsence("abs-1", "P1", "EV-LOCAL", "ca-1", "civil_affairs", AT)
    p = replace(BASE, capacity=INCAPABLE, absence=absence, agents=(AGENT,))
    assert reasons(p, Rank.GUARDIAN) == (SkipReason.GUARDIAN_VERIFIED_NONE,)
    assert "EV-LOCAL" in assess(p, DAY).ranks[1].detail


def test_lj_10_unverified_guardian_blocks_every_lower_rank() -> None:
    auth = assess(replace(BASE, capacity=INCAPABLE, agents=(AGENT,)), DAY)
    assert auth.ranks[1].state == RankState.UNVERIFIED
    assert auth.eligible is None
    assert auth.blocked_by is not None and auth.blocked_by.rank == Rank.GUARDIAN
    assert auth.as_dict()["blocked_by"]["holder"] == "guardian"  # type: ignore[index]


def test_lj_10_rank_4_institution_head_when_no_one_above() -> None:
    auth = assess(replace(BASE, capacity=INCAPABLE, guardian=NONE_VERIFIED), DAY)
    assert auth.eligible is not None and auth.eligible.rank == Rank.HEAD
    assert auth.eligible.holder == "institution_head" and auth.eligible.scope == "institution:I01"
    assert [s.reasons for s in auth.skipped_above(Rank.HEAD)] == [
        (SkipReason.NOT_FULLY_CAPABLE_OR_LUCID,),
        (SkipReason.GUARDIAN_VERIFIED_NONE,),
        (SkipReason.NO_WRITTEN_AGENT,),
    ]


def test_lj_10_rank_4_village_committee_head_for_decentralized() -> None:
    auth = assess(replace(DECENTRAL, guardian=NONE_VERIFIED), DAY)
    assert auth.eligible is not None and auth.eligible.holder == "village_committee_head"
    assert auth.eligible.scope == "village:V01"


def test_lj_10_skip_reasons_delegation_expired_and_not_yet_valid() -> None:
    assert reasons(replace(BASE, agents=(EXPIRED,)), Rank.WRITTEN_AGENT) == (SkipReason.DELEGATION_EXPIRED,)
    assert reasons(replace(BASE, agents=(FUTURE,)), Rank.WRITTEN_AGENT) == (SkipReason.DELEGATION_NOT_YET_VALID,)
    both = reasons(replace(BASE, agents=(EXPIRED, FUTURE)), Rank.WRITTEN_AGENT)
    assert both == (SkipReason.DELEGATION_EXPIRED, SkipReason.DELEGATION_NOT_YET_VALID)


def test_lj_10_delegation_valid_on_its_first_and_last_day() -> None:
    last_day = WrittenAgent("a-4", "孙*", "person", "DEL-4", date(2026, 6, 15), date(2026, 6, 15))
    assert assess(replace(BASE, agents=(last_day,)), DAY).ranks[2].state == RankState.AVAILABLE


def test_lj_10_skip_reason_no_head_on_file_leaves_no_signer() -> None:
    orphan = Person("P9", "周*", "centralized", institution_id=None, guardian=NONE_VERIFIED)
    auth = assess(orphan, DAY)
    assert auth.ranks[3].reasons == (SkipReason.NO_HEAD_ON_FILE,)
    assert auth.eligible is None and auth.blocked_by is None


def test_lj_10_skip_reason_major_public_interest_lets_rank_4_sign_over_everyone() -> None:
    auth = assess(replace(BASE, capacity=CAPABLE, guardian=GUARDIAN, agents=(AGENT,)), DAY, major_public_interest=True)
    assert auth.eligible is not None and auth.eligible.rank == Rank.HEAD
    assert {s.reasons for s in auth.skipped_above(Rank.HEAD)} == {(SkipReason.MAJOR_PUBLIC_INTEREST,)}


# --- signatures in and out of order ----------------------------------------------------


def test_lj_10_signature_out_of_order_names_who_outranks_the_signer() -> None:
    p = replace(BASE, capacity=CAPABLE, guardian=GUARDIAN)
    with pytest.raises(RuleViolation) as exc:
        check_signer(p, who(Role.GUARDIAN, "g-1"), DAY)
    assert exc.value.rule == "LJ-10"
    assert "outranked by rank 1 person P1" in exc.value.detail
    assert [r["rank"] for r in exc.value.extra["outranked_by"]] == [1]


def test_lj_10_head_outranked_by_guardian_and_agent() -> None:
    p = replace(BASE, capacity=INCAPABLE, guardian=GUARDIAN, agents=(AGENT,))
    with pytest.raises(RuleViolation) as exc:
        check_signer(p, who(Role.INSTITUTION, "head-1", "institution:I01"), DAY)
    assert [r["rank"] for r in exc.value.extra["outranked_by"]] == [2, 3]
    assert "g-1" in exc.value.detail and "a-1" in exc.value.detail


def test_lj_10_agent_outranked_by_unverified_guardian() -> None:
    p = replace(BASE, capacity=INCAPABLE, agents=(AGENT,))
    with pytest.raises(RuleViolation) as exc:
        check_signer(p, who(Role.AGENT, "a-1"), DAY)
    assert exc.value.extra["outranked_by"][0]["state"] == "unverified"


def test_lj_10_each_rank_signs_when_it_is_the_eligible_one() -> None:
    s1 = check_signer(replace(BASE, capacity=CAPABLE), who(Role.PATIENT, "P1"), DAY)
    assert (s1.rank, s1.skipped) == (Rank.PERSON, ())
    s2 = check_signer(replace(BASE, capacity=INCAPABLE, guardian=GUARDIAN), who(Role.GUARDIAN, "g-1"), DAY)
    assert s2.rank == Rank.GUARDIAN and len(s2.skipped) == 1
    s3 = check_signer(replace(BASE, guardian=NONE_VERIFIED, agents=(AGENT,)), who(Role.AGENT, "a-1"), DAY)
    assert s3.rank == Rank.WRITTEN_AGENT and [s.rank for s in s3.skipped] == [1, 2]
    s4 = check_signer(replace(DECENTRAL, guardian=NONE_VERIFIED), who(Role.VILLAGE_COMMITTEE, "vh", "village:V01"), DAY)
    assert s4.rank == Rank.HEAD and s4.filed_with_civil_affairs and [s.rank for s in s4.skipped] == [1, 2, 3]


def test_lj_10_rank_4_on_major_public_interest_records_the_reason() -> None:
    p = replace(BASE, capacity=CAPABLE)
    head = who(Role.INSTITUTION, "head", "institution:I01")
    # LJ-10: on the head's own word the major public interest does not count: pending civil affairs
    pending = check_signer(p, head, DAY, major_public_interest_reason="epidemic")
    assert pending.rank == Rank.HEAD and pending.public_interest_pending
    s = check_signer(p, head, DAY, major_public_interest_reason="epidemic", public_interest_confirmation_id="pic-1")
    assert s.rank == Rank.HEAD and s.major_public_interest_reason == "epidemic"
    assert s.public_interest_confirmation_id == "pic-1" and not s.public_interest_pending
    assert s.skipped[0].reasons == (SkipReason.MAJOR_PUBLIC_INTEREST,)
    with pytest.raises(RuleViolation):
        check_signer(p, who(Role.PATIENT, "P1"), DAY, major_public_interest_reason="x")


def test_lj_10_expired_delegation_is_a_problem_not_a_signature() -> None:
    p = replace(BASE, guardian=NONE_VERIFIED, agents=(EXPIRED,))
    with pytest.raises(RuleViolation, match="expired on 2026-06-14"):
        check_signer(p, who(Role.AGENT, "a-2"), DAY)


def test_lj_10_signer_identity_and_scope() -> None:
    p = replace(BASE, capacity=CAPABLE, guardian=GUARDIAN, agents=(AGENT,))
    with pytest.raises(Forbidden):
        check_signer(p, who(Role.PATIENT, "someone-else"), DAY)
    with pytest.raises(Forbidden):
        check_signer(p, who(Role.GUARDIAN, "g-2"), DAY)
    with pytest.raises(Forbidden):
        check_signer(p, who(Role.AGENT, "a-9"), DAY)
    with pytest.raises(Forbidden):
        check_signer(p, who(Role.INSTITUTION, "head", "institution:I02"), DAY)
    with pytest.raises(Forbidden):  # a village committee does not sign for a centralized person
        check_signer(p, who(Role.VILLAGE_COMMITTEE, "vh", "village:V01"), DAY)
    with pytest.raises(Forbidden):
        check_signer(p, who(Role.HOSPITAL, "doc", "facility:H001"), DAY)


def test_lj_10_patient_not_capable_may_not_sign() -> None:
    with pytest.raises(RuleViolation) as exc:
        check_signer(replace(BASE, capacity=INCAPABLE, guardian=GUARDIAN), who(Role.PATIENT, "P1"), DAY)
    assert exc.value.extra["reasons"] == ["not_fully_capable_or_lucid"]


def test_lj_10_guardian_cannot_act_passes_over_that_guardian_only() -> None:
    finding = GuardianAbsence(
        "abs-2", "P1", "EV-CA", "ca-1", "civil_affairs", AT, finding="cannot_act", guardian_id="g-1"
    )
    on_file = replace(BASE, capacity=INCAPABLE, guardian=Guardian(guardian_id="g-1"), absence=finding)
    assert reasons(on_file, Rank.GUARDIAN) == (SkipReason.GUARDIAN_CANNOT_ACT,)
    other = replace(on_file, guardian=Guardian(guardian_id="g-2"))
    assert assess(other, DAY).ranks[1].state == RankState.AVAILABLE
    named = GuardianAbsence("abs-3", "P1", "EV-CA", "ca-1", "civil_affairs", AT, finding="cannot_act")
    by_name = replace(BASE, capacity=INCAPABLE, guardian=Guardian(name_masked="李*"), absence=named)
    assert reasons(by_name, Rank.GUARDIAN) == (SkipReason.GUARDIAN_CANNOT_ACT,)
