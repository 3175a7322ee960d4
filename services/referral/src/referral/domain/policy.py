"""Who may do what in the referral service (role × action), as data.

The role check comes first; the record's scope (facility, institution, village, town) is
checked by the use case against the record it touches (see ``service.scope``).

Facility registry writers (a decision, see README): the district departments that know a
facility's status — civil affairs (who runs the external-care file), the health bureau
(licensing, level) and medical insurance (medical-aid designation) — and the administrator.
"""

from __future__ import annotations

from medaid_shared.authz import Policy

OVERSIGHT = ["civil_affairs", "medical_insurance", "health_bureau", "auditor"]
CARERS = ["institution", "village_committee", "town_government"]

POLICY = Policy.from_mapping(
    {
        # §1 registries
        "facility.write": ["civil_affairs", "health_bureau", "medical_insurance", "admin"],
        "facility.read": [*OVERSIGHT, *CARERS, "hospital", "police", "fund_agency", "finance", "admin"],
        "person.write": ["civil_affairs"],
        "person.read": [*OVERSIGHT, *CARERS, "hospital"],
        "person.lookup": [*OVERSIGHT, *CARERS, "hospital"],
        "person.read_id_number": ["civil_affairs", *CARERS],
        # §2 referrals, admissions, filings
        "referral.create": ["hospital"],
        "referral.approve": ["medical_insurance"],
        "referral.read": [*OVERSIGHT, *CARERS, "hospital"],
        "admission.file": ["hospital"],
        "admission.read": [*OVERSIGHT, *CARERS, "hospital"],
        "admission.dispute": ["civil_affairs", *CARERS],
        "admission.unable_to_pay": ["hospital"],
        # LJ-4.3c: civil affairs (which runs the external-care file) names the adviser
        "admission.record_adviser": ["civil_affairs"],
        # LJ-11.3 / SPEC 0.5: the emergency as a recorded determination
        "emergency.determine": ["hospital"],
        "emergency.review": ["civil_affairs", "medical_insurance"],
        "urgent_conditions.load": ["admin"],
        "urgent_conditions.read": [*OVERSIGHT, "hospital", "admin"],
        "filing.submit": ["institution", "village_committee"],
        "filing.phone_report": ["institution", "village_committee"],
        "filing.forward": ["town_government"],
        "filing.read": ["civil_affairs", "medical_insurance", "auditor", *CARERS],
        "filing.print": ["civil_affairs", *CARERS],
        # LJ-12 / LJ-17 discharge and violations
        "discharge.record": ["hospital"],
        "discharge.patient_side": ["institution", "village_committee", "guardian"],
        "violation.read": ["civil_affairs", "medical_insurance", "health_bureau", "auditor", "hospital"],
        "violation.report": ["civil_affairs", "medical_insurance", "health_bureau", "auditor"],
        # LJ-15.1 / LJ-16 after discharge
        "health_plan.write": ["institution", "village_committee"],
        "health_plan.read": ["civil_affairs", *CARERS],
        "visit.record": ["town_government"],
        "followup.read": ["civil_affairs", "town_government"],
        # the console's work queue: health plans to make, visits due (LJ-15.1, LJ-16)
        "work.read": ["civil_affairs", *CARERS],
        # LJ-15.3 one-person external-care file
        "care_file.read": ["civil_affairs"],
        # versioned parameters: the filing and discharge windows (LJ-4.2, LJ-12)
        "parameters.change": ["admin"],
        "parameters.read": ["admin", *OVERSIGHT, *CARERS, "hospital"],
    }
)
