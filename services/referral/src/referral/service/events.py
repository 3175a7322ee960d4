"""Every event referral publishes, built here and only here, from the domain records and
results of the use case that emits it (issue 12, point 2). A use case decides and stores;
the builder maps what was decided to the published contract (``medaid_shared.contracts.
referral``), so one event type has one shape in one place. Values sealed for another
service (SPEC 0.4) are sealed by the use case, which holds the keys, and handed in.

``tests_referral/test_events.py`` holds every other module to this: none constructs an event."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from medaid_shared.contracts.common import DisabilityLevel, FacilityLevel, FilingState, Region, SupportType
from medaid_shared.contracts.referral import (
    AdmissionComplianceChanged,
    AdmissionFiled,
    CapacityAssessment,
    DischargeDocumentsOverdue,
    DischargeRecorded,
    EmergencyAssistanceReferred,
    EmergencyDetermined,
    EmergencyExemptionWithdrawn,
    FacilityRegistered,
    FacilityUpdated,
    FilingCompleted,
    FilingOverdue,
    FollowUpOverdue,
    Guardian,
    PersonRegistered,
    PersonUpdated,
    ReferralCompliance,
    Trusteeship,
    UnfiledCareAdviserRecorded,
    WrittenAgent,
)
from medaid_shared.identifiers import ADMISSION_IDENTIFIERS
from referral.domain.records import Admission, Facility, Filing, Followup, Person

# the facility fields consumers see (the registry's public view adds version and update time)
FACILITY_FIELDS = ("facility_id", "name", "level", "designated", "region", "police_jurisdiction", "city")

P = TypeVar("P", bound=PersonRegistered)
F = TypeVar("F", bound=FacilityRegistered)


# ---- registries ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonSeals:
    """A person's values sealed for one consumer each (SPEC 0.4): the ID number for the
    emergency fund's person matching, the full names for consent's signed forms (LJ-7.1)."""

    id_number: str
    name: str
    guardian_name: str | None = None
    agent_names: Mapping[str, str | None] = field(default_factory=dict)


def facility_fields(row: Facility) -> dict[str, Any]:
    return {k: getattr(row, k) for k in FACILITY_FIELDS}


def _facility(cls: type[F], row: Facility) -> F:
    return cls(**facility_fields(row))


def facility_registered(row: Facility) -> FacilityRegistered:
    return _facility(FacilityRegistered, row)


def facility_updated(row: Facility) -> FacilityUpdated:
    return _facility(FacilityUpdated, row)


def _person(cls: type[P], row: Person, seals: PersonSeals) -> P:
    """What consumers need of a person: masked name and ID, the values sealed for their one
    consumer, never the full number; LJ-10 who may sign for the person, masked."""
    return cls(
        person_id=row.person_id,
        name_masked=row.name_masked,
        id_number_masked=row.id_masked,
        id_number_sealed=seals.id_number,
        name_sealed=seals.name,
        support_type=row.support_type,
        institution_id=row.institution_id,
        village_id=row.village_id,
        town_id=row.town_id,
        capacity=CapacityAssessment.model_validate(row.capacity) if row.capacity else None,
        guardian=Guardian.model_validate({**row.guardian, "name_sealed": seals.guardian_name})
        if row.guardian
        else None,
        agents=[
            WrittenAgent.model_validate({**a, "name_sealed": seals.agent_names.get(a["agent_id"])}) for a in row.agents
        ],
        disability_level=row.disability_level,
        trusteeship=Trusteeship.model_validate(row.trusteeship) if row.trusteeship else None,
        basic_insurance_enrolled=row.basic_insurance_enrolled,
    )


def person_registered(row: Person, seals: PersonSeals) -> PersonRegistered:
    return _person(PersonRegistered, row, seals)


def person_updated(row: Person, seals: PersonSeals) -> PersonUpdated:
    """The full current state of a changed person."""
    return _person(PersonUpdated, row, seals)


def follow_up_overdue(plan: Followup, due_at: datetime) -> FollowUpOverdue:
    """LJ-16: a town's visit to a decentralized person is past its due time."""
    return FollowUpOverdue(
        person_id=plan.person_id,
        town_id=plan.town_id,
        disability_level=DisabilityLevel(plan.disability_level),
        due_at=due_at,
    )


# ---- admissions and their compliance ------------------------------------------------------


def admission_filed(
    adm: Admission, facility: Facility, compliance: ReferralCompliance, state: FilingState
) -> AdmissionFiled:
    """The filed admission with the facility it was filed at and both compliance states."""
    return AdmissionFiled(
        admission_id=adm.admission_id,
        person_id=adm.person_id,
        facility_id=adm.facility_id,
        admitted_at=adm.admitted_at,
        emergency=adm.emergency,
        able_to_pay=adm.able_to_pay,
        support_type=SupportType(adm.support_type),
        institution_id=adm.institution_id,
        village_id=adm.village_id,
        town_id=adm.town_id,
        facility_level=FacilityLevel(facility.level),
        facility_designated=facility.designated,
        facility_region=Region(facility.region),
        referral_compliance=compliance,
        filing_state=state,
        **{name: getattr(adm, name) for name in ADMISSION_IDENTIFIERS},
    )


def admission_compliance_changed(
    adm: Admission, compliance: ReferralCompliance, state: FilingState
) -> AdmissionComplianceChanged:
    return AdmissionComplianceChanged(
        admission_id=adm.admission_id,
        person_id=adm.person_id,
        referral_compliance=compliance,
        filing_state=state,
    )


def filing_completed(adm: Admission, filing: Filing, state: FilingState) -> FilingCompleted:
    """An admission whose filing is complete, when it became so and the unit that filed it
    (LJ annex 3)."""
    return FilingCompleted(
        admission_id=adm.admission_id,
        person_id=adm.person_id,
        filing_state=state,
        completed_at=filing.forwarded_at or filing.submitted_at,
        submitted_unit=filing.submitted_unit,
        submitted_unit_name=filing.submitted_unit_name,
    )


def filing_overdue(adm: Admission, stage: str, due_at: datetime, calendar_provisional: bool) -> FilingOverdue:
    """A filing stage past its deadline."""
    return FilingOverdue(
        admission_id=adm.admission_id,
        person_id=adm.person_id,
        stage=stage,
        due_at=due_at,
        calendar_provisional=calendar_provisional,
        filing_state=FilingState(adm.filing_state),
    )


def emergency_assistance_referred(
    adm: Admission, person: Person, facility: Facility, id_number_sealed: str
) -> EmergencyAssistanceReferred:
    """LJ-11.4: an emergency patient unable to pay, referred to the emergency fund."""
    return EmergencyAssistanceReferred(
        admission_id=adm.admission_id,
        person_id=adm.person_id,
        facility_id=adm.facility_id,
        admitted_at=adm.admitted_at,
        id_number_sealed=id_number_sealed,
        name_masked=person.name_masked,
        city=facility.city,
    )


def unfiled_care_adviser_recorded(
    adm: Admission, *, kind: str, unit_id: str | None, name: str, evidence_ref: str, recorded_at: datetime
) -> UnfiledCareAdviserRecorded:
    """LJ-4.3c: the unit that advised outside care never filed."""
    return UnfiledCareAdviserRecorded(
        admission_id=adm.admission_id,
        person_id=adm.person_id,
        adviser_kind=kind,
        adviser_id=unit_id,
        adviser_name=name,
        evidence_ref=evidence_ref,
        recorded_at=recorded_at,
    )


# ---- emergencies --------------------------------------------------------------------------


def emergency_determined(adm: Admission) -> EmergencyDetermined:
    """LJ-11.3: the basis of an emergency as recorded on the admission (the condition, a
    diagnosis, stays here)."""
    assert adm.emergency_arrival_channel is not None
    assert adm.emergency_onset_at is not None and adm.emergency_determined_at is not None
    return EmergencyDetermined(
        admission_id=adm.admission_id,
        person_id=adm.person_id,
        facility_id=adm.facility_id,
        arrival_channel=adm.emergency_arrival_channel,
        onset_at=adm.emergency_onset_at,
        determined_at=adm.emergency_determined_at,
    )


def emergency_exemption_withdrawn(
    adm: Admission, reason: str, withdrawn_at: datetime, decided_by_role: str | None
) -> EmergencyExemptionWithdrawn:
    return EmergencyExemptionWithdrawn(
        admission_id=adm.admission_id,
        person_id=adm.person_id,
        facility_id=adm.facility_id,
        reason=reason,
        withdrawn_at=withdrawn_at,
        decided_by_role=decided_by_role,
    )


# ---- discharge ----------------------------------------------------------------------------


def discharge_recorded(adm: Admission, diagnosis_group_sealed: str | None) -> DischargeRecorded:
    """LJ-12: the discharge as recorded on the admission, the documents' due time with it;
    the diagnosis group travels sealed for settlement alone (SPEC 0.4)."""
    assert adm.discharged_at is not None and adm.documents_due_at is not None
    return DischargeRecorded(
        admission_id=adm.admission_id,
        person_id=adm.person_id,
        facility_id=adm.facility_id,
        admitted_at=adm.admitted_at,
        discharged_at=adm.discharged_at,
        diagnosis_group_sealed=diagnosis_group_sealed,
        documents_due_at=adm.documents_due_at,
    )


def discharge_documents_overdue(
    adm: Admission, missing: list[str], due_at: datetime, violation_id: str
) -> DischargeDocumentsOverdue:
    return DischargeDocumentsOverdue(
        admission_id=adm.admission_id,
        facility_id=adm.facility_id,
        missing_documents=missing,
        due_at=due_at,
        violation_id=violation_id,
    )
