"""What the use cases need from storage, as a port: typed queries over referral's records
(``domain.records``). The adapters implement it on PostgreSQL (``adapters.repository``),
the fast use-case tier in memory; bootstrap wires the two together. A change is given as
the changed fields (``update_*``), so a use case writes only what it decided."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Protocol

from medaid_shared.pagination import PageRequest
from medaid_shared.parameters import ParameterVersion
from referral.domain.records import (
    Admission,
    Facility,
    Filing,
    Followup,
    HealthPlan,
    IssuedDocument,
    Person,
    Referral,
    Scope,
    TimelineEntry,
    UrgentCondition,
    Violation,
    Visit,
)


class Repository(Protocol):
    async def parameter_versions(self) -> list[ParameterVersion]: ...

    # ---- facilities
    async def get_facility(self, facility_id: str, *, for_update: bool = False) -> Facility | None: ...

    async def add_facility(self, facility: Facility) -> None: ...

    async def update_facility(self, facility_id: str, **changes: object) -> None: ...

    async def facilities(self, facility_ids: Collection[str]) -> list[Facility]: ...

    async def facility_page(
        self, page: PageRequest, *, level: str | None, region: str | None, designated: bool | None
    ) -> list[Facility]: ...

    # ---- persons
    async def get_person(self, person_id: str, *, for_update: bool = False) -> Person | None: ...

    async def add_person(self, person: Person) -> None: ...

    async def update_person(self, person_id: str, **changes: object) -> None: ...

    async def person_by_id_index(self, id_index: str) -> Person | None: ...

    async def persons(self, person_ids: Collection[str]) -> list[Person]: ...

    async def person_page(self, scope: Scope, page: PageRequest, *, support_type: str | None) -> list[Person]: ...

    async def unassessed_persons(self, scope: Scope, page: PageRequest | None) -> list[Person]:
        """Decentralized persons with no disability level, by town then id (LJ-16)."""
        ...

    async def known_to_facilities(self, person_id: str, facility_ids: Collection[str]) -> bool:
        """Was the person admitted at, or referred from or to, one of these facilities?"""
        ...

    # ---- referrals
    async def get_referral(self, referral_id: str, *, for_update: bool = False) -> Referral | None: ...

    async def add_referral(self, referral: Referral) -> None: ...

    async def update_referral(self, referral_id: str, **changes: object) -> None: ...

    async def latest_referral(
        self, person_id: str, to_facility_id: str, first_visit_since: datetime
    ) -> Referral | None:
        """The person's latest referral to the facility with a first visit since then."""
        ...

    async def referral_page(
        self, page: PageRequest, *, person_id: str | None, approval_states: Collection[str] | None
    ) -> list[Referral]:
        """Newest first (by id)."""
        ...

    # ---- admissions
    async def get_admission(self, admission_id: str, *, for_update: bool = False) -> Admission | None: ...

    async def add_admission(self, admission: Admission) -> None: ...

    async def update_admission(self, admission_id: str, **changes: object) -> None: ...

    async def open_admissions(
        self, person_id: str, *, facility_id: str | None = None, for_update: bool = False
    ) -> list[Admission]:
        """Neither discharged nor disputed."""
        ...

    async def admissions_of_referral(self, referral_id: str, *, for_update: bool = False) -> list[Admission]: ...

    async def admission_page(
        self,
        scope: Scope,
        page: PageRequest,
        *,
        person_id: str | None,
        filing_state: str | None,
        open_only: bool | None,
    ) -> list[Admission]:
        """Latest admitted first; ``open_only`` False: the discharged ones."""
        ...

    async def discharged_admissions(self, scope: Scope, *, support_type: str | None, limit: int) -> list[Admission]:
        """Discharged and not disputed, in the order discharged."""
        ...

    # ---- filings
    async def get_filing(self, filing_id: str, *, for_update: bool = False) -> Filing | None: ...

    async def add_filing(self, filing: Filing) -> None: ...

    async def update_filing(self, filing_id: str, **changes: object) -> None: ...

    async def unmatched_filing(
        self, person_id: str, facility_id: str, submitted_since: datetime, *, for_update: bool = False
    ) -> Filing | None:
        """The latest filing for the person and facility, submitted since then, for no admission yet."""
        ...

    async def filing_page(self, scope: Scope, page: PageRequest, *, awaiting_forward: bool) -> list[Filing]:
        """Newest first (by id); ``awaiting_forward``: decentralized ones not yet forwarded."""
        ...

    # ---- discharge documents and violations (LJ-12, LJ-17)
    async def add_document(self, document: IssuedDocument) -> None: ...

    async def documents(self, admission_id: str) -> list[IssuedDocument]:
        """In the order issued."""
        ...

    async def admissions_with_document(self, admission_ids: Collection[str], kind: str) -> set[str]: ...

    async def add_violation(self, violation: Violation) -> None: ...

    async def violation_recorded(self, admission_id: str, kind: str) -> bool: ...

    async def violation_page(
        self,
        scope: Scope,
        page: PageRequest,
        *,
        facility_id: str | None,
        kind: str | None,
        recorded: tuple[datetime, datetime] | None,
    ) -> list[Violation]:
        """In the order recorded."""
        ...

    async def violations(self, recorded: tuple[datetime, datetime] | None) -> list[Violation]: ...

    # ---- after discharge (LJ-15, LJ-16)
    async def add_health_plan(self, plan: HealthPlan) -> None: ...

    async def planned_admissions(self, admission_ids: Collection[str]) -> set[str]: ...

    async def health_plan_page(self, person_id: str, page: PageRequest) -> list[HealthPlan]:
        """Oldest first (the last one is in force)."""
        ...

    async def health_plans_due(self, scope: Scope, page: PageRequest, *, support_type: str | None) -> list[Admission]:
        """LJ-15.1: the discharged, undisputed admissions in scope with no plan made yet, the
        plan's due instant first (else the discharge), then admission id."""
        ...

    async def get_followup(self, person_id: str, *, for_update: bool = False) -> Followup | None: ...

    async def add_followup(self, followup: Followup) -> None: ...

    async def update_followup(self, person_id: str, **changes: object) -> None: ...

    async def active_followups(
        self, scope: Scope, page: PageRequest | None, *, town_id: str | None, overdue: bool | None
    ) -> list[Followup]:
        """By town, then due time, then person."""
        ...

    async def add_visit(self, visit: Visit) -> None: ...

    # ---- reference data and the external-care file
    async def get_urgent_condition(self, code: str) -> UrgentCondition | None: ...

    async def put_urgent_condition(self, condition: UrgentCondition) -> None:
        """Add the condition, or replace the one with its code."""
        ...

    async def urgent_condition_page(self, page: PageRequest) -> list[UrgentCondition]: ...

    async def add_timeline_entry(self, entry: TimelineEntry) -> None: ...

    async def timeline(self, person_id: str) -> list[TimelineEntry]:
        """In time order, ties in recording order (LJ-15.3)."""
        ...
