"""The data-minimisation table (SPEC 0.4, LJ-18): which personal field goes to whom, why,
and in what form.

This table is the source of truth: the feed's redaction is derived from it
(:func:`feed_redactions`), and tests check every event contract, every department's feed
entitlement and every service's API response models against it. ``docs/MINIMISATION.md``
explains it for readers; this module is what the code obeys.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Form(StrEnum):
    """How a personal field may appear where it is allowed."""

    MASKED = "masked"  # 张*三, 4502**********1234
    CLEAR = "clear"  # needed as is by a consumer of the event (never on a feed unless listed)
    REFERENCE = "reference"  # an opaque id of a record held elsewhere (person id, photo ref)
    SEALED = "sealed"  # encrypted for the one consuming service that holds the private key


@dataclass(frozen=True)
class PersonalField:
    """One field that carries personal information in event payloads."""

    field: str
    category: str  # name | id_number | diagnosis | medical | relation
    form: Form
    purpose: str
    feeds: frozenset[str]  # departments whose feed keeps the field; every other feed removes it
    consumers: frozenset[str] = frozenset()  # services that consume it from the broker


_LISTS = frozenset({"civil_affairs", "medical_insurance", "police", "auditor"})

# SPEC 0.4: the fields events may carry about a person, and which feed sees them.
EVENT_FIELDS: tuple[PersonalField, ...] = (
    PersonalField(
        "name_masked", "name", Form.MASKED, "recognise the person on a department's list", _LISTS, frozenset({"*"})
    ),
    PersonalField(
        "id_number_masked",
        "id_number",
        Form.MASKED,
        "recognise the person on a department's list",
        _LISTS,
        frozenset({"*"}),
    ),
    PersonalField(
        "id_number_sealed",
        "id_number",
        Form.SEALED,
        "GD-22.3 / GD-24 the emergency fund matches a person to destitute persons and the blacklist",
        frozenset(),
        frozenset({"emergency-fund"}),
    ),
    PersonalField(
        "name_sealed",
        "name",
        Form.SEALED,
        "LJ-7.1 the forms the patient side signs show the person's full name and the signer's (the guardian's "
        "or a written agent's, sealed inside the signing-authority record)",
        frozenset(),
        frozenset({"consent"}),
    ),
    PersonalField(
        "guardian",
        "relation",
        Form.MASKED,
        "LJ-10 signing authority: who may sign for the person",
        frozenset({"civil_affairs", "auditor"}),
        frozenset({"consent"}),
    ),
    PersonalField(
        "agents",
        "relation",
        Form.MASKED,
        "LJ-10 written agents who may sign for the person",
        frozenset({"civil_affairs", "auditor"}),
        frozenset({"consent"}),
    ),
    PersonalField(
        "trusteeship",
        "diagnosis",
        Form.CLEAR,
        "LJ-5 special trusteeship: agreement hospital and disease category",
        frozenset({"civil_affairs"}),
        frozenset({"referral", "settlement"}),
    ),
    PersonalField(
        "diagnosis_group_sealed",
        "diagnosis",
        Form.SEALED,
        "LJ-9 cost comparison per diagnosis group: sealed for settlement, the one service that opens it",
        frozenset(),
        frozenset({"settlement"}),
    ),
    PersonalField(
        "treatment",
        "medical",
        Form.CLEAR,
        "LJ-11.2 major-treatment evaluation filed with civil affairs",
        frozenset({"civil_affairs", "health_bureau"}),
    ),
    PersonalField(
        "category",
        "medical",
        Form.CLEAR,
        "LJ-11.2 / LJ-11.3 what a treatment is judged as (surgery, high-risk, high self-pay): the consent or "
        "evaluation a reopened rescue now needs",
        frozenset({"civil_affairs", "health_bureau"}),
    ),
    PersonalField(
        "trusteeship_covered",
        "medical",
        Form.CLEAR,
        "LJ-5 the treatment follows the special-trusteeship agreement (it names the disease category's regime)",
        frozenset({"civil_affairs"}),
    ),
    PersonalField("person_id", "name", Form.REFERENCE, "an opaque id that links a person's records", frozenset({"*"})),
    PersonalField("patient_ref", "name", Form.REFERENCE, "the hospital's opaque patient reference", frozenset({"*"})),
    PersonalField(
        "hospital_admission_no",
        "name",
        Form.REFERENCE,
        "the hospital's admission number (住院号), printed on the forms",
        frozenset({"*"}),
    ),
    *(
        PersonalField(
            name,
            "name",
            Form.REFERENCE,
            "the national medical-insurance platform's id, for reconciling with it",
            frozenset({"medical_insurance", "civil_affairs"}),
        )
        for name in ("psn_no", "mdtrt_id", "setl_id")
    ),
)

# SPEC 0.4: never in an event payload, in any form: a consumer that needs one of these reads
# it from the owning service, audited. Digests of ID numbers are here too: a masked number
# plus its digest under a key any service holds gives the number back.
NEVER_IN_EVENTS = frozenset(
    {
        "full_name",
        "id_number",
        "id_number_digest",
        "id_digest",
        "photo",
        "photos",
        "face_photo",
        "disease_code",
        "necessity",
        "name_enc",
        "id_number_enc",
        # v1 of DischargeRecorded carried it in clear; v2 seals it for settlement.
        "diagnosis_group",
    }
)

# Events about no one (reference data): scope filtering does not apply to them.
REFERENCE_EVENTS = frozenset(
    {"FacilityRegistered", "FacilityUpdated", "FundTrainingDue", "FundPreallocationBelowMinimum"}
)

# SPEC 0.4: the API answers that carry a full name or ID number, each read audit-logged
# with a reason; every other response schema keeps personal fields masked.
FULL_READS: Mapping[str, frozenset[str]] = {
    "identity-check": frozenset({"IdentityOut"}),
    "referral": frozenset({"FilingFormOut", "IdNumberOut", "PersonOut"}),
    "consent": frozenset({"ConsentFormOut"}),
    "emergency-fund": frozenset({"CaseIdentityOut"}),
}
# The fund's readers whose purpose includes the case's disease (GD-12 eligibility, GD-13.4
# the cost cap per disease, GD-20.1/20.2 the application and its review): the hospital that
# filed the case, the handling agency, the health department reviewing. Finance, the auditor
# and the co-reviewing police, civil affairs, medical insurance and HR & social security read
# cases without it. An extension's evidence (GD-13.3: a newborn's date of birth, a pregnancy
# record) is for the same three: the hospital that asks, the agency and the health department
# that decide extensions.
_FUND_MEDICAL = frozenset({"hospital", "fund_agency", "health_bureau"})

# SPEC 0.4: answer fields that carry a diagnosis or a medical statement about the person,
# "<service> <Schema>.<field>", and the only roles the service fills them for (every other
# role gets them empty). A self-pay item's necessity is for those who propose, review, file
# or sign it (LJ-7.1–7.3) and the auditor; medical insurance and the health bureau read the item without it.
DIAGNOSIS_ANSWERS: Mapping[str, frozenset[str]] = {
    "referral AdmissionOut.diagnosis_group": frozenset({"hospital", "civil_affairs", "medical_insurance"}),
    "emergency-fund CaseSummaryOut.disease_code": _FUND_MEDICAL,
    "emergency-fund CaseOut.disease_code": _FUND_MEDICAL,
    "emergency-fund CaseSummaryOut.extension_evidence": _FUND_MEDICAL,
    "emergency-fund CaseOut.extension_evidence": _FUND_MEDICAL,
    "emergency-fund ExtensionRequestOut.evidence": _FUND_MEDICAL,
    "consent ItemOut.necessity": frozenset(
        {
            "hospital",
            "institution",
            "village_committee",
            "town_government",
            "civil_affairs",
            "patient",
            "guardian",
            "agent",
            "auditor",
        }
    ),
}
# SPEC 0.4 / GD-19: the fields of the registration records (the JSON export's records, its
# CSV file and the delivered files) that carry a diagnosis, "<service> <record>.<field>", and
# the only roles that receive them; every other reader of exports gets them empty. The records
# go to the national registration platform through the handling agency, which enters them.
DIAGNOSIS_RECORDS: Mapping[str, frozenset[str]] = {
    "emergency-fund registration.disease_code": frozenset({"fund_agency"}),
}
FULL_READ_FIELDS = frozenset({"id_number", "name", "full_name", "patient_name", "signer_name"})


@dataclass(frozen=True)
class FullRead:
    """One operation whose answer may carry a person's full name or ID number, the roles it
    shows them to, and why. Every answer of every other operation, typed or not, keeps them
    masked or removed (the journeys check the answers they receive against this)."""

    service: str
    operation: str  # "<METHOD> <path template under /v1>"
    roles: frozenset[str]
    purpose: str


_CARERS = frozenset({"civil_affairs", "institution", "village_committee", "town_government"})
# The printed consent forms: the hospital that proposes, the patient side that signs, the
# carers that review and file, civil affairs that reviews; other departments print them with
# names masked.
_PATIENT_SIDE_FORMS = frozenset({"hospital", *_CARERS, "patient", "guardian", "agent"})

FULL_READ_OPERATIONS: tuple[FullRead, ...] = (
    *(
        FullRead(
            "referral",
            operation,
            _CARERS,
            "LJ-2.1 the person's own record, for the departments that care for the person (ID number masked)",
        )
        for operation in ("POST /persons", "PATCH /persons/{person_id}", "GET /persons/{person_id}")
    ),
    FullRead(
        "referral",
        "GET /persons/{person_id}/id-number",
        _CARERS,
        "SPEC 0.4 the full ID number, read with a purpose, audit-logged",
    ),
    FullRead(
        "identity-check",
        "GET /identity-checks/{request_id}/identity",
        frozenset({"hospital", "police"}),
        "GD-16.3 the identity the bureau found, read with a reason",
    ),
    FullRead(
        "emergency-fund",
        "POST /cases/{case_id}/identity-reads",
        frozenset({"fund_agency"}),
        "GD-22.3 the agency checks the person's identity, read with a reason",
    ),
    FullRead(
        "referral",
        "GET /filings/{filing_id}/form",
        _CARERS,
        "LJ-4.2 the outside-care filing form (annex 1) an officer files",
    ),
    FullRead(
        "consent",
        "GET /self-pay-items/{item_id}/consent-form.html",
        _PATIENT_SIDE_FORMS,
        "LJ-7.1 the informed-consent form (annex 3) the patient side signs and the town files (LJ-7.3)",
    ),
    FullRead(
        "consent",
        "GET /treatments/{treatment_id}/evaluation-record.html",
        _PATIENT_SIDE_FORMS,
        "LJ-11.2 the major-treatment evaluation record (annex 4) filed with civil affairs, signed by the patient side",
    ),
)


# SPEC 0.4: the answers that are documents rather than JSON (HTML, CSV, images, streams),
# "<service> <METHOD> <path template under /v1>" ("*": every service), and what they show.
# The full-read documents are in FULL_READ_OPERATIONS; every other document keeps names and
# ID numbers masked (the journeys scan every document they receive for the ones they sent).
DOCUMENTS: Mapping[str, str] = {
    "* GET /metrics": "Prometheus metrics: counts and latencies labelled by route, topic and loop, about no one",
    "* GET /feed/{department}/stream": "the information-sharing feed as server-sent events: the same events as "
    "GET /feed/{department}, redacted by the minimisation table and scoped to the caller (LJ-18)",
    "referral GET /persons/{person_id}/care-file.csv": "the one-person file's entries as CSV, the same "
    "entries as CareFileOut (ids, kinds, outcomes), no name or ID number",
    "settlement GET /reports/{quarter}/flags": "the quarter's cost flags as CSV, the rows of its JSON answer",
    "settlement GET /reports/{quarter}/self-pay-share": "LJ-8 each hospital's self-pay share as CSV, the rows of its "
    "JSON answer",
    "emergency-fund GET /exports/registrations": "the registration records as CSV, the records of its JSON "
    "answer (RegistrationExportOut): name and ID number masked, the disease code for the roles of DIAGNOSIS_RECORDS",
    "emergency-fund GET /exports/registrations/batches/{batch_id}/file": "a delivered registration file, the "
    "records of GET /exports/registrations: name and ID number masked, the disease code for the roles of "
    "DIAGNOSIS_RECORDS (empty in the file every other reader receives)",
    "emergency-fund GET /public/notices.html": "GD-21 the public notice board, served without login: names and ID "
    "numbers masked",
    "identity-check GET /identity-checks/{request_id}/attachments/{attachment_id}": "a face photo of an "
    "unidentified patient, to the requesting hospital and the addressed bureau only, each read with a reason and "
    "audit-logged; deleted after the retention (SPEC 0.4)",
    "identity-check GET /identity-checks/{request_id}/letter": "the printed letter to the police bureau: "
    "the hospital's name, the request and its photo references, no name or ID number (the patient is unidentified)",
}

# SPEC 0.4: the parts of JSON answers whose keys the API documents do not name (free-form
# objects and maps), "<service> <Schema>.<field>" ("*": every service), and what they hold.
# Every other part of every answer is typed, so the minimisation test reads its fields.
FREE_FORM_ANSWERS: Mapping[str, str] = {
    "* Problem.errors": "RFC 9457: each refused field's path and why, never the value sent",
    "* ReadyOut.checks": "the readiness checks by name (database, broker, background)",
    "* FeedEvent.data": "an event's payload as the department's feed redacts it (feed_redactions, LJ-18); the "
    "event contracts it comes from are checked field by field",
    "* ParameterVersionOut.values": "a parameter version's policy values (SPEC 0.5), about no one",
    "* ParameterDefaultOut.values": "a parameter kind's default values (SPEC 0.5), about no one",
    "* ParameterKindOut.values_schema": "the JSON Schema of a parameter kind's values, about no one",
    "referral PersonOut.trusteeship": "LJ-5 the special-trusteeship agreement (the table's trusteeship field: "
    "agreement hospital, disease category, validity), in the person's own record for those who care for them",
    "referral CareFileEntryOut.summary": "what one step of the one-person file records (ids, outcomes, "
    "amounts, conclusions, depending on the entry's kind), no name or ID number",
    "settlement AnalysisOut.by_kind": "the number of cost flags of each kind, about no one",
    "emergency-fund AssessmentOut.excluded": "the amounts excluded from the fund by reason",
    "emergency-fund FundOut.balances": "GD-3 the fund's account balances by account",
    "emergency-fund FundOut.income": "GD-3 the fund's income by source",
    "emergency-fund FundOut.preallocated": "the amounts pre-allocated by facility",
    "emergency-fund CaseOut.extension_evidence": "the evidence an extension of the emergency period rests "
    "on (a newborn's date of birth, a pregnancy record's number), for the roles DIAGNOSIS_ANSWERS names",
    "emergency-fund CaseSummaryOut.extension_evidence": "as CaseOut.extension_evidence",
    "emergency-fund ExtensionRequestOut.evidence": "as CaseOut.extension_evidence",
    "emergency-fund RegistrationExportOut.items": "the registration records, each mapping the names in "
    "`fields` to text: name and ID number masked, the disease code for the roles of DIAGNOSIS_RECORDS",
}

# Field names that look personal but are not (checked by the minimisation test), with why.
NOT_PERSONAL: Mapping[str, str] = {
    "FacilityRegistered.name": "a hospital's name",
    "FacilityUpdated.name": "a hospital's name",
    "CatalogueItemPublished.name": "an insurance catalogue item's name",
    "FilingCompleted.submitted_unit_name": "the filing institution's or village committee's name (LJ annex 3)",
    "UnfiledCareAdviserRecorded.adviser_name": "the advising unit's name — a facility, institution, village "
    "committee, town or other unit, never a private person (LJ-4.3c)",
    "SettlementCompleted.adviser_name": "the advising unit's name bearing unfiled care's cost — a facility, "
    "institution, village committee, town or other unit, never a private person (LJ-4.3c)",
    "UnfiledCareAdviserOut.name": "the advising unit's name, never a private person (LJ-4.3c)",
    "RequestOut.facility_name": "a hospital's name",
    "SelfPayShareRow.facility_name": "a hospital's name (LJ-8 report)",
    "CatalogueEntryOut.name": "an insurance catalogue item's name",
    "FacilityOut.name": "a hospital's name",
    "AdviserOut.name": "the advising unit's name, never a private person (LJ-4.3c)",
    "ItemOut.item_name": "the self-pay item's catalogue name",
    "AwaitingStepOut.item_name": "the self-pay item's catalogue name (a review step's work list)",
    "ExpertOut.name": "an evaluation expert's name, not the person's (LJ-11.2)",
    "ExpertListedOut.name": "an evaluation expert's name, not the person's (LJ-11.2)",
    "ExpertPartOut.name": "an evaluation expert's name, not the person's (LJ-11.2)",
    "FilingOut.submitted_unit_name": "the filing institution's or village committee's name (LJ annex 3)",
    "FilingOut.submitted_by_name": "the official who signed the filing, not the person (LJ annex 3)",
    "FilingOut.forwarded_by_name": "the town official who forwarded the filing, not the person (LJ annex 3)",
    "HospitalViolationsOut.name": "a hospital's name (LJ-17 report)",
    "UrgentConditionOut.name": "an urgent condition's name (LJ-11.1 reference list)",
    "RequestOut.photos_deleted_at": "when the photos were deleted (SPEC 0.4 retention)",
    "FundCreatedOut.name": "the emergency fund's name (GD-3)",
    "FundOut.name": "the emergency fund's name (GD-3)",
    "FundCreatedOut.agency_name": "the fund's handling agency, an office (GD-8)",
    "FundOut.agency_name": "the fund's handling agency, an office (GD-8)",
    "DiseaseOut.disease_id": "the id of an entry of the eligible-disease list (GD-12 reference data)",
    "DiseaseOut.name": "an eligible disease's name on the national or city list (GD-12 reference data)",
    "CostAverageOut.disease_code": "the disease of a hospital's average cost per case (GD-13.4 reference data)",
    "CommitteeMemberOut.name": "a member of the fund's supervisory committee, a public office, not the person (GD-8)",
    "PublicNoticeOut.facility_name": "a hospital's name (GD-21 notice board)",
}


# SPEC 0.4: keys whose values a log line never shows (the log processor replaces them).
LOG_SENSITIVE_KEYS = frozenset(
    {
        *NEVER_IN_EVENTS,
        "name",
        "patient_name",
        "signer_name",
        "diagnosis_group",
        "treatment",
        "remarks",
        "statement",
        "patient_description",
        "household_registration",
        "contacts",
        "parameters",  # SQLAlchemy's bound parameters, should a library log them
    }
)


def feed_redactions(department: str) -> frozenset[str]:
    """The fields the department's feed removes: every personal field not kept for it."""
    return frozenset(f.field for f in EVENT_FIELDS if department not in f.feeds and "*" not in f.feeds)


def field_rule(name: str) -> PersonalField | None:
    return next((f for f in EVENT_FIELDS if f.field == name), None)
