"""LJ-10 signing order (签字主体顺位): who may sign a treatment decision now, and why every
higher rank is skipped. A lower rank may sign only when every higher rank is absent or
incapable (or, for rank 4, when a major public interest is involved), and the record says why.

1. the person, when assessed as having full civil capacity and lucid;
2. the legal guardian / obligor — or, where it is verified that none exists, straight on;
3. a written agent with a valid delegation;
4. the institution head (centralized) or the village committee head (decentralized), whose
   signature is filed with civil affairs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import IntEnum, StrEnum

from consent.domain.model import GuardianAbsence, Person
from medaid_shared.authz import Principal, Role
from medaid_shared.errors import Forbidden, RuleViolation


class Rank(IntEnum):
    PERSON = 1
    GUARDIAN = 2
    WRITTEN_AGENT = 3
    HEAD = 4


# LJ-10: the role a signer's token carries decides the rank it signs in.
ROLE_RANK: dict[Role, Rank] = {
    Role.PATIENT: Rank.PERSON,
    Role.GUARDIAN: Rank.GUARDIAN,
    Role.AGENT: Rank.WRITTEN_AGENT,
    Role.INSTITUTION: Rank.HEAD,
    Role.VILLAGE_COMMITTEE: Rank.HEAD,
}
SIGNER_ROLES = frozenset(ROLE_RANK)


class RankState(StrEnum):
    AVAILABLE = "available"  # someone in this rank may sign
    SKIPPED = "skipped"  # absent or incapable, with the reason
    UNVERIFIED = "unverified"  # not known to be absent: blocks every lower rank


class SkipReason(StrEnum):
    """Every reason a higher rank may be passed over (LJ-10)."""

    NO_CAPACITY_ASSESSMENT = "no_capacity_assessment"
    NOT_FULLY_CAPABLE_OR_LUCID = "not_fully_capable_or_lucid"
    GUARDIAN_VERIFIED_NONE = "guardian_verified_none"
    GUARDIAN_CANNOT_ACT = "guardian_cannot_act"
    NO_WRITTEN_AGENT = "no_written_agent"
    DELEGATION_EXPIRED = "delegation_expired"
    DELEGATION_NOT_YET_VALID = "delegation_not_yet_valid"
    NO_HEAD_ON_FILE = "no_head_on_file"
    MAJOR_PUBLIC_INTEREST = "major_public_interest"


@dataclass(frozen=True)
class RankAssessment:
    rank: Rank
    holder: str  # person | guardian | written_agent | institution_head | village_committee_head
    state: RankState
    signer_ids: tuple[str, ...] = ()
    scope: str | None = None  # rank 4: the scope the head's token must carry, e.g. institution:I01
    reasons: tuple[SkipReason, ...] = ()
    detail: str = ""

    def as_dict(self) -> dict[str, object]:
        return {
            "rank": int(self.rank),
            "holder": self.holder,
            "state": self.state.value,
            "signer_ids": list(self.signer_ids),
            "scope": self.scope,
            "reasons": [r.value for r in self.reasons],
            "detail": self.detail,
        }


@dataclass(frozen=True)
class SkippedRank:
    """A higher rank passed over by a signature, with the reasons (stored with the consent)."""

    rank: Rank
    holder: str
    reasons: tuple[SkipReason, ...]
    detail: str

    @property
    def reason_text(self) -> str:
        return ", ".join(r.value for r in self.reasons) + (f": {self.detail}" if self.detail else "")

    def as_dict(self) -> dict[str, object]:
        return {
            "rank": int(self.rank),
            "holder": self.holder,
            "reasons": [r.value for r in self.reasons],
            "detail": self.detail,
        }


@dataclass(frozen=True)
class SigningAuthority:
    """The answer to "who may sign now, and why are the higher ranks skipped"."""

    person_id: str
    as_of: date
    ranks: tuple[RankAssessment, ...]
    major_public_interest: bool = False

    @property
    def blocked_by(self) -> RankAssessment | None:
        """An unverified rank above every available one: nobody below it may sign."""
        for r in self.ranks:
            if r.state == RankState.AVAILABLE:
                return None
            if r.state == RankState.UNVERIFIED:
                return r
        return None

    @property
    def eligible(self) -> RankAssessment | None:
        head = self.ranks[Rank.HEAD - 1]
        if self.major_public_interest and head.state == RankState.AVAILABLE:
            return head
        for r in self.ranks:
            if r.state == RankState.AVAILABLE:
                return r
            if r.state == RankState.UNVERIFIED:
                return None
        return None

    def skipped_above(self, rank: Rank) -> list[SkippedRank]:
        """The ranks above ``rank`` and why each is passed over."""
        out = []
        for r in self.ranks[: rank - 1]:
            if r.state == RankState.SKIPPED:
                out.append(SkippedRank(r.rank, r.holder, r.reasons, r.detail))
            else:  # only reachable for rank 4 under a major public interest
                out.append(
                    SkippedRank(
                        r.rank, r.holder, (SkipReason.MAJOR_PUBLIC_INTEREST,), "major public interest (rank 4 signs)"
                    )
                )
        return out

    def as_dict(self) -> dict[str, object]:
        eligible = self.eligible
        blocked = self.blocked_by
        return {
            "person_id": self.person_id,
            "as_of": self.as_of.isoformat(),
            "major_public_interest": self.major_public_interest,
            "eligible_rank": int(eligible.rank) if eligible else None,
            "eligible": eligible.as_dict() if eligible else None,
            "skipped": [s.as_dict() for s in self.skipped_above(eligible.rank)] if eligible else [],
            "blocked_by": blocked.as_dict() if blocked and not eligible else None,
            "ranks": [r.as_dict() for r in self.ranks],
            "rule": "LJ-10",
        }


def _rank_person(person: Person) -> RankAssessment:
    """LJ-10 rank 1: the person, when assessed fully capable and lucid."""
    cap = person.capacity
    if cap is None:
        return RankAssessment(
            Rank.PERSON,
            "person",
            RankState.SKIPPED,
            reasons=(SkipReason.NO_CAPACITY_ASSESSMENT,),
            detail="no capacity assessment on file",
        )
    if not cap.full_capacity_and_lucid:
        return RankAssessment(
            Rank.PERSON,
            "person",
            RankState.SKIPPED,
            reasons=(SkipReason.NOT_FULLY_CAPABLE_OR_LUCID,),
            detail=f"assessed not fully capable or not lucid on {cap.assessed_at.date().isoformat()} by {cap.assessed_by}",
        )
    return RankAssessment(
        Rank.PERSON,
        "person",
        RankState.AVAILABLE,
        signer_ids=(person.person_id,),
        detail=f"assessed fully capable and lucid on {cap.assessed_at.date().isoformat()} by {cap.assessed_by}",
    )


def _rank_guardian(person: Person) -> RankAssessment:
    """LJ-10 rank 2: the legal guardian / obligor; a verified absence passes straight on, and
    so does civil affairs' verified finding that the guardian on file or named cannot act."""
    g = person.guardian
    a = person.absence
    if g is not None and g.guardian_id:
        if a is not None and a.cannot_act_for(g.guardian_id):
            return _cannot_act(a)
        return RankAssessment(
            Rank.GUARDIAN,
            "guardian",
            RankState.AVAILABLE,
            signer_ids=(g.guardian_id,),
            detail=f"legal guardian on file ({g.relation or 'relation not stated'})",
        )
    if g is not None and g.verified_none:
        return RankAssessment(
            Rank.GUARDIAN,
            "guardian",
            RankState.SKIPPED,
            reasons=(SkipReason.GUARDIAN_VERIFIED_NONE,),
            detail=f"verified that no guardian exists (evidence {g.evidence_ref or 'on the person record'})",
        )
    if a is not None and a.finding == "cannot_act":
        if a.cannot_act_for(None):
            return _cannot_act(a)
    elif a is not None:
        return RankAssessment(
            Rank.GUARDIAN,
            "guardian",
            RankState.SKIPPED,
            reasons=(SkipReason.GUARDIAN_VERIFIED_NONE,),
            detail=(
                f"verified that no guardian exists by {a.verified_role} {a.verified_by} on "
                f"{a.verified_at.date().isoformat()} (evidence {a.evidence_ref})"
            ),
        )
    return RankAssessment(
        Rank.GUARDIAN,
        "guardian",
        RankState.UNVERIFIED,
        detail="no guardian on file and no verified absence: record the verified absence with evidence first",
    )


def _cannot_act(a: GuardianAbsence) -> RankAssessment:
    """LJ-10 rank 2 passed over: civil affairs verified that the guardian cannot act."""
    return RankAssessment(
        Rank.GUARDIAN,
        "guardian",
        RankState.SKIPPED,
        reasons=(SkipReason.GUARDIAN_CANNOT_ACT,),
        detail=(
            f"verified that the guardian {a.guardian_id or '(named by referral)'} cannot act by "
            f"{a.verified_role} {a.verified_by} on {a.verified_at.date().isoformat()} (evidence {a.evidence_ref})"
        ),
    )


def _rank_agent(person: Person, day: date) -> RankAssessment:
    """LJ-10 rank 3: a written agent whose delegation is valid today."""
    valid = person.valid_agents(day)
    if valid:
        return RankAssessment(
            Rank.WRITTEN_AGENT,
            "written_agent",
            RankState.AVAILABLE,
            signer_ids=tuple(a.agent_id for a in valid),
            detail="; ".join(
                f"{a.agent_id} delegated by {a.delegated_by} ({a.document_ref}) until {a.valid_until}" for a in valid
            ),
        )
    if not person.agents:
        return RankAssessment(
            Rank.WRITTEN_AGENT,
            "written_agent",
            RankState.SKIPPED,
            reasons=(SkipReason.NO_WRITTEN_AGENT,),
            detail="no written delegation on file",
        )
    reasons: list[SkipReason] = []
    details: list[str] = []
    for a in person.agents:
        if a.valid_until < day:
            if SkipReason.DELEGATION_EXPIRED not in reasons:
                reasons.append(SkipReason.DELEGATION_EXPIRED)
            details.append(f"delegation of {a.agent_id} expired on {a.valid_until}")
        else:
            if SkipReason.DELEGATION_NOT_YET_VALID not in reasons:
                reasons.append(SkipReason.DELEGATION_NOT_YET_VALID)
            details.append(f"delegation of {a.agent_id} valid only from {a.valid_from}")
    return RankAssessment(
        Rank.WRITTEN_AGENT, "written_agent", RankState.SKIPPED, reasons=tuple(reasons), detail="; ".join(details)
    )


def _rank_head(person: Person) -> RankAssessment:
    """LJ-10 rank 4: the institution head (centralized) or the village committee head
    (decentralized); the signature is filed with civil affairs."""
    if person.centralized and person.institution_id:
        return RankAssessment(
            Rank.HEAD,
            "institution_head",
            RankState.AVAILABLE,
            scope=f"institution:{person.institution_id}",
            detail="institution head; the signature is filed with civil affairs",
        )
    if not person.centralized and person.village_id:
        return RankAssessment(
            Rank.HEAD,
            "village_committee_head",
            RankState.AVAILABLE,
            scope=f"village:{person.village_id}",
            detail="village committee head; the signature is filed with civil affairs",
        )
    return RankAssessment(
        Rank.HEAD,
        "institution_head" if person.centralized else "village_committee_head",
        RankState.SKIPPED,
        reasons=(SkipReason.NO_HEAD_ON_FILE,),
        detail="no institution or village committee on the person record",
    )


def assess(person: Person, day: date, *, major_public_interest: bool = False) -> SigningAuthority:
    """LJ-10: every rank's state for ``person`` on local day ``day``."""
    ranks = (_rank_person(person), _rank_guardian(person), _rank_agent(person, day), _rank_head(person))
    return SigningAuthority(person.person_id, day, ranks, major_public_interest)


@dataclass(frozen=True)
class AcceptedSigner:
    rank: Rank
    holder: str
    signer_id: str
    role: Role
    skipped: tuple[SkippedRank, ...]
    major_public_interest_reason: str | None = None
    # LJ-10: civil affairs' confirmation of the major public interest a rank-4 signature cites
    public_interest_confirmation_id: str | None = None

    @property
    def public_interest_pending(self) -> bool:
        """LJ-10: a rank-4 signature on a major public interest civil affairs has not confirmed
        yet: stored and filed, but it counts only once civil affairs confirms the interest."""
        return self.major_public_interest_reason is not None and self.public_interest_confirmation_id is None

    @property
    def filed_with_civil_affairs(self) -> bool:
        """LJ-10: a rank-4 signature is filed with civil affairs."""
        return self.rank == Rank.HEAD


def check_signer(
    person: Person,
    principal: Principal,
    day: date,
    *,
    major_public_interest_reason: str | None = None,
    public_interest_confirmation_id: str | None = None,
) -> AcceptedSigner:
    """LJ-10: accept ``principal`` as the signer for ``person`` now, or explain why not.

    Identity first (a token for someone else is Forbidden), then the signer's own rank
    (expired delegation, person not capable), then the order: any higher rank still able
    to sign outranks the signer and is named in the answer. A rank-4 signature on a major
    public interest counts only with civil affairs' confirmation of that interest
    (``public_interest_confirmation_id``) — never on the head's own word: without it the
    signature is accepted as pending (``public_interest_pending``) until civil affairs decides."""
    rank = ROLE_RANK.get(principal.role)
    if rank is None:
        raise Forbidden(f"role {principal.role.value} does not sign treatment decisions (LJ-10)")
    mpi = bool(major_public_interest_reason and major_public_interest_reason.strip())
    if mpi and rank != Rank.HEAD:
        raise RuleViolation(
            "only the institution head or the village committee head signs on a major public interest",
            rule="LJ-10",
            field="major_public_interest_reason",
        )
    authority = assess(person, day, major_public_interest=mpi)
    own = authority.ranks[rank - 1]
    signer = principal.subject
    _check_identity(person, principal, rank, own, day)
    if own.state != RankState.AVAILABLE:
        raise RuleViolation(
            f"rank {int(rank)} ({own.holder}) may not sign: {own.detail}",
            rule="LJ-10",
            extra={"rank": int(rank), "reasons": [r.value for r in own.reasons]},
        )
    if not (mpi and rank == Rank.HEAD):
        outranking = [r for r in authority.ranks[: rank - 1] if r.state != RankState.SKIPPED]
        if outranking:
            names = "; ".join(_describe(r) for r in outranking)
            raise RuleViolation(
                f"{principal.role.value} {signer} (rank {int(rank)}) is outranked by {names}",
                rule="LJ-10",
                extra={"signer_rank": int(rank), "outranked_by": [r.as_dict() for r in outranking]},
                title="Signature out of order",
            )
    return AcceptedSigner(
        rank=rank,
        holder=own.holder,
        signer_id=signer,
        role=principal.role,
        skipped=tuple(authority.skipped_above(rank)),
        major_public_interest_reason=major_public_interest_reason.strip()
        if mpi and major_public_interest_reason
        else None,
        public_interest_confirmation_id=public_interest_confirmation_id if mpi else None,
    )


def _describe(r: RankAssessment) -> str:
    who = ", ".join(r.signer_ids) if r.signer_ids else (r.scope or "")
    if r.state == RankState.UNVERIFIED:
        return f"rank {int(r.rank)} {r.holder} (not verified absent: {r.detail})"
    return f"rank {int(r.rank)} {r.holder} {who} ({r.detail})"


def _check_identity(person: Person, principal: Principal, rank: Rank, own: RankAssessment, day: date) -> None:
    """The token subject must be the person, the guardian, a delegated agent, or a head
    scoped to the person's institution / village."""
    subject = principal.subject
    if rank == Rank.PERSON:
        if subject != person.person_id:
            raise Forbidden(f"patient {subject} is not person {person.person_id}")
    elif rank == Rank.GUARDIAN:
        if subject != person.guardian_id:
            raise Forbidden(f"guardian {subject} is not the legal guardian of person {person.person_id}")
    elif rank == Rank.WRITTEN_AGENT:
        mine = [a for a in person.agents if a.agent_id == subject]
        if not mine:
            raise Forbidden(f"agent {subject} holds no written delegation for person {person.person_id}")
        if not any(a.valid_on(day) for a in mine):
            a = mine[0]
            why = f"expired on {a.valid_until}" if a.valid_until < day else f"is valid only from {a.valid_from}"
            raise RuleViolation(
                f"the written delegation of agent {subject} ({a.document_ref}) {why}",
                rule="LJ-10",
                extra={
                    "reasons": [
                        SkipReason.DELEGATION_EXPIRED.value
                        if a.valid_until < day
                        else SkipReason.DELEGATION_NOT_YET_VALID.value
                    ]
                },
            )
    else:
        if principal.role == Role.INSTITUTION and not person.centralized:
            raise Forbidden("an institution head signs only for centralized persons (use the village committee)")
        if principal.role == Role.VILLAGE_COMMITTEE and person.centralized:
            raise Forbidden("a village committee head signs only for decentralized persons (use the institution)")
        if own.scope is None or own.scope not in principal.scopes:
            raise Forbidden(
                f"{principal.role.value} {subject} is not scoped to this person's "
                f"{'institution' if person.centralized else 'village'}"
            )
