"""What the use cases need from storage, as a port: typed queries over consent's records
(``domain.records``) and its read model (``domain.model``). The adapters implement it on
PostgreSQL (``adapters.repository``), the fast use-case tier in memory; bootstrap wires the
two together and the unit of work owns the repository. A change is given as the changed
fields (``update_*``), so a use case writes only what it decided."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Protocol

from consent.domain.access import ListScope
from consent.domain.model import Admission, Expert, Facility, GuardianAbsence, Person
from consent.domain.records import (
    AdmissionState,
    CatalogueEntry,
    CivilAffairsFiling,
    Consent,
    Evaluation,
    ExpertAssignment,
    ExpertRecord,
    FacilityState,
    FilingUnit,
    ItemReview,
    PersonState,
    PublicInterestConfirmation,
    SelfPayItem,
    Treatment,
)
from consent.settings import ConsentSettings
from medaid_shared.pagination import PageRequest
from medaid_shared.parameters import ParameterVersion
from medaid_shared.usecase import UseCaseContext


class Repository(Protocol):
    """Storage of the consent service inside one unit of work."""

    # ---- the read model (LJ-10 inputs), fed by referral's and settlement's events
    async def upsert_person(self, person: PersonState) -> bool:
        """Insert or replace the person's state; an event older than the stored one is ignored."""
        ...

    async def upsert_admission(self, admission: AdmissionState) -> None:
        """Insert or replace the admission's state, keeping a withdrawal of its emergency."""
        ...

    async def upsert_facility(self, facility: FacilityState) -> None: ...

    async def upsert_catalogue_item(self, entry: CatalogueEntry) -> None: ...

    async def upsert_unit(self, unit: FilingUnit) -> None: ...

    async def person(self, person_id: str, *, lock: bool = False) -> Person | None: ...

    async def admission(self, admission_id: str) -> Admission | None: ...

    async def facility(self, facility_id: str) -> Facility | None: ...

    async def person_facilities(self, person_id: str) -> set[str]: ...

    async def unit_name(self, unit_id: str) -> str | None: ...

    async def withdraw_emergency(self, admission_id: str, at: datetime, reason: str) -> None:
        """LJ-11.3: referral withdrew the admission's emergency exemptions."""
        ...

    async def catalogue_entries(self, code: str) -> list[CatalogueEntry]: ...

    async def add_guardian_absence(self, absence: GuardianAbsence, evidence_note: bytes | None) -> None: ...

    # ---- treatments and signatures (LJ-11, LJ-10)
    async def get_treatment(self, treatment_id: str, *, lock: bool = False) -> Treatment | None: ...

    async def add_treatment(self, treatment: Treatment) -> None: ...

    async def update_treatment(self, treatment_id: str, **changes: object) -> None: ...

    async def treatments(
        self, admission_id: str, *, kind: str | None = None, status: str | None = None
    ) -> list[Treatment]:
        """The admission's treatments, in the order recorded."""
        ...

    async def refused_treatment(self, admission_id: str, procedure_code: str) -> Treatment | None:
        """LJ-11.2: a treatment of the procedure in the admission evaluated not to proceed."""
        ...

    async def treatments_for_item(self, item_id: str) -> list[Treatment]: ...

    async def add_consent(self, consent: Consent) -> None: ...

    async def get_consent(self, consent_id: str) -> Consent | None: ...

    async def consents_for(self, *, treatment_id: str | None = None, item_id: str | None = None) -> list[Consent]:
        """Every signature on a treatment or a self-pay item (LJ-10: another may follow one
        whose major public interest civil affairs rejected), by id."""
        ...

    async def consents(self, admission_id: str) -> list[Consent]:
        """The admission's signatures, in the order signed."""
        ...

    # ---- LJ-10 rank 4 and civil affairs
    async def add_filing(self, filing: CivilAffairsFiling) -> None: ...

    async def get_filing(self, consent_id: str, *, lock: bool = False) -> CivilAffairsFiling | None: ...

    async def update_filing(self, consent_id: str, **changes: object) -> None: ...

    async def filing_page(
        self, page: PageRequest, *, acknowledged: bool, overdue_only: bool
    ) -> list[CivilAffairsFiling]:
        """Civil affairs' work list, oldest filed first: those acknowledged, or those not yet
        (``overdue_only``: of those, the overdue ones)."""
        ...

    async def add_confirmation(self, confirmation: PublicInterestConfirmation) -> None: ...

    async def confirmation(self, subject_id: str) -> PublicInterestConfirmation | None: ...

    # ---- LJ-11.2 the expert pool, assignments and evaluation records
    async def get_expert(self, expert_id: str, *, lock: bool = False) -> ExpertRecord | None: ...

    async def add_expert(self, expert: ExpertRecord) -> None: ...

    async def update_expert(self, expert_id: str, **changes: object) -> None: ...

    async def expert_pool(self) -> list[Expert]: ...

    async def expert_page(self, page: PageRequest) -> list[Expert]: ...

    async def lock_rotation(self) -> None:
        """Serialise assignments so two at once never pick the same "next" expert."""
        ...

    async def get_assignment(self, treatment_id: str) -> ExpertAssignment | None: ...

    async def add_assignment(self, assignment: ExpertAssignment) -> None: ...

    async def get_evaluation(self, treatment_id: str, *, lock: bool = False) -> Evaluation | None: ...

    async def add_evaluation(self, evaluation: Evaluation) -> None: ...

    async def update_evaluation(self, treatment_id: str, **changes: object) -> None: ...

    # ---- LJ-7 self-pay items and their reviews
    async def get_item(self, item_id: str, *, lock: bool = False) -> SelfPayItem | None: ...

    async def add_item(self, item: SelfPayItem) -> None: ...

    async def update_item(self, item_id: str, **changes: object) -> None: ...

    async def items(self, admission_id: str, *, status: str | None = None) -> list[SelfPayItem]:
        """The admission's items, in the order proposed."""
        ...

    async def item_page(self, page: PageRequest, scope: ListScope, *, status: str | None) -> list[SelfPayItem]:
        """LJ-7.2, LJ-7.3 the reviewers' work lists: the items in the caller's scope, oldest
        proposal first."""
        ...

    async def item_step_page(self, page: PageRequest, scope: ListScope, *, status: str) -> list[SelfPayItem]:
        """LJ-7.2 / LJ-7.3: the items in ``status`` (a review step) the caller may see, the
        nearest due instant first (one without, by its proposal), then item id."""
        ...

    async def add_review(self, review: ItemReview) -> None: ...

    async def reviews(
        self, item_id: str, *, stage: str | None = None, participant: str | None = None
    ) -> list[ItemReview]:
        """The item's reviews, in the order recorded."""
        ...

    async def cumulative_for_admission(self, admission_id: str, *, reviewed_only: bool) -> Decimal:
        """LJ-7.3: the admission's items not rejected (only those reviewed, when asked)."""
        ...

    async def cumulative_for_year(self, person_id: str, year: int, *, reviewed_only: bool) -> Decimal: ...

    async def same_item_since(self, admission_id: str, item_code: str, since: datetime) -> Decimal:
        """LJ-7.0: the same item's proposals in the admission since then (not rejected)."""
        ...

    # ---- the kernel's versioned parameters (LJ-7, LJ-10, LJ-11.2)
    async def parameter_versions(self) -> list[ParameterVersion]: ...


# What a use case works with: the kernel's one use-case context, typed for consent (the unit
# of work, the repository it owns, the settings, the field cipher and the working calendar);
# sealing and opening fields are functions of ``consent.service.common``.
Ctx = UseCaseContext[ConsentSettings, Repository]
