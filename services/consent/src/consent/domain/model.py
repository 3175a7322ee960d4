"""The consent service's view of persons, admissions and facilities (a local read model fed
by referral's events) and the small value types the rules work on. Pure data, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from medaid_shared.clock import SHANGHAI


def local_date(instant: datetime) -> date:
    """The calendar day of an instant in Asia/Shanghai (SPEC 0.1): validity dates of
    delegations and agreements are local days."""
    return instant.astimezone(SHANGHAI).date()


@dataclass(frozen=True)
class Capacity:
    """Capacity assessment: full civil capacity and lucid (LJ-10 rank 1)."""

    full_capacity_and_lucid: bool
    assessed_at: datetime
    assessed_by: str


@dataclass(frozen=True)
class Guardian:
    """The legal guardian / obligor, or referral's verified "none"."""

    guardian_id: str | None = None
    name_masked: str | None = None
    relation: str | None = None
    verified_none: bool = False
    evidence_ref: str | None = None
    name_sealed: str | None = None  # SPEC 0.4: the full name, sealed for this service's forms


@dataclass(frozen=True)
class WrittenAgent:
    """委托代理人 with the validity of the written delegation (inclusive local dates)."""

    agent_id: str
    name_masked: str
    delegated_by: str
    document_ref: str
    valid_from: date
    valid_until: date
    name_sealed: str | None = None  # SPEC 0.4: the full name, sealed for this service's forms

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_until


@dataclass(frozen=True)
class Trusteeship:
    """LJ-5 special-trusteeship agreement with an agreement hospital."""

    agreement_hospital_id: str
    disease_category: str
    valid_from: date
    valid_until: date

    def covers(self, facility_id: str, day: date) -> bool:
        return self.agreement_hospital_id == facility_id and self.valid_from <= day <= self.valid_until


@dataclass(frozen=True)
class GuardianAbsence:
    """A verified absence of any legal guardian / obligor, or a verified finding that the
    guardian cannot act, recorded in this service with its evidence (LJ-10 rank 2)."""

    absence_id: str
    person_id: str
    evidence_ref: str
    verified_by: str
    verified_role: str
    verified_at: datetime
    finding: str = "no_guardian"  # no_guardian | cannot_act (civil affairs only)
    guardian_id: str | None = None  # cannot_act: the guardian on file it concerns

    def cannot_act_for(self, guardian_id: str | None) -> bool:
        """LJ-10: this finding says that the guardian now on file (or named) cannot act."""
        return self.finding == "cannot_act" and self.guardian_id == guardian_id


@dataclass(frozen=True)
class Person:
    person_id: str
    name_masked: str
    support_type: str  # centralized | decentralized (LJ-2.1)
    # SPEC 0.4: the full name sealed for consent's signed forms (opened only to print annex 3)
    name_sealed: str | None = None
    institution_id: str | None = None
    village_id: str | None = None
    town_id: str | None = None
    capacity: Capacity | None = None
    guardian: Guardian | None = None
    agents: tuple[WrittenAgent, ...] = ()
    trusteeship: Trusteeship | None = None
    absence: GuardianAbsence | None = None

    @property
    def centralized(self) -> bool:
        return self.support_type == "centralized"

    @property
    def guardian_id(self) -> str | None:
        return self.guardian.guardian_id if self.guardian else None

    def valid_agents(self, day: date) -> list[WrittenAgent]:
        return [a for a in self.agents if a.valid_on(day)]

    def signer_name_sealed(self, signer_id: str) -> str | None:
        """LJ-10 / SPEC 0.4: the full name the signing-authority record holds, sealed, for
        the guardian or written agent ``signer_id``; None for anyone else."""
        if self.guardian is not None and self.guardian.guardian_id == signer_id:
            return self.guardian.name_sealed
        return next((a.name_sealed for a in self.agents if a.agent_id == signer_id), None)


@dataclass(frozen=True)
class Admission:
    admission_id: str
    person_id: str
    facility_id: str
    admitted_at: datetime
    emergency: bool
    support_type: str
    institution_id: str | None = None
    village_id: str | None = None
    town_id: str | None = None
    hospital_admission_no: str | None = None
    psn_no: str | None = None
    mdtrt_id: str | None = None
    setl_id: str | None = None
    # LJ-11.3 / SPEC 0.5: referral withdrew the emergency's exemptions (EmergencyExemptionWithdrawn)
    emergency_withdrawn_at: datetime | None = None

    @property
    def emergency_holds(self) -> bool:
        """An emergency admission whose exemptions referral has not withdrawn."""
        return self.emergency and self.emergency_withdrawn_at is None


@dataclass(frozen=True)
class Facility:
    facility_id: str
    name: str
    level: str
    designated: bool
    region: str


@dataclass(frozen=True)
class Expert:
    """A quality-control expert of the health bureau's pool (LJ-11.2)."""

    expert_id: str
    name: str
    hospital_id: str
    specialty: str
    active: bool = True
    assignments: int = 0
    last_assigned_at: datetime | None = None


@dataclass(frozen=True)
class Trail:
    """One step of a decision's history (who, role, when, what, why)."""

    step: str
    actor: str
    role: str
    at: datetime
    outcome: str
    reason: str | None = None
    details: dict[str, object] = field(default_factory=dict)
