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
        "LJ-7.1 the annex-3 consent form the patient side signs shows the full name",
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
        "diagnosis_group",
        "diagnosis",
        Form.CLEAR,
        "LJ-9 cost comparison per diagnosis group (settlement only)",
        frozenset(),
        frozenset({"settlement"}),
    ),
    PersonalField(
        "treatment",
        "medical",
        Form.CLEAR,
        "LJ-11.2 major-treatment evaluation filed with civil affairs",
        frozenset({"civil_affairs", "health"}),
    ),
    PersonalField("person_id", "name", Form.REFERENCE, "an opaque id that links a person's records", frozenset({"*"})),
    PersonalField("patient_ref", "name", Form.REFERENCE, "the hospital's opaque patient reference", frozenset({"*"})),
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
    }
)

# Events about no one (reference data): scope filtering does not apply to them.
REFERENCE_EVENTS = frozenset({"FacilityRegistered", "FacilityUpdated", "FundTrainingDue"})

# SPEC 0.4: the API answers that carry a full name or ID number, each read audit-logged
# with a reason; every other response schema keeps personal fields masked.
FULL_READS: Mapping[str, frozenset[str]] = {
    "identity-check": frozenset({"IdentityOut"}),
    "referral": frozenset({"FilingFormOut"}),
    "consent": frozenset({"ConsentFormOut"}),
}
FULL_READ_FIELDS = frozenset({"id_number", "name", "full_name", "patient_name", "signer_name"})


# Field names that look personal but are not (checked by the minimisation test), with why.
NOT_PERSONAL: Mapping[str, str] = {
    "FacilityRegistered.name": "a hospital's name",
    "FacilityUpdated.name": "a hospital's name",
    "CatalogueItemPublished.name": "an insurance catalogue item's name",
    "RequestOut.facility_name": "a hospital's name",
    "RequestOut.photos_deleted_at": "when the photos were deleted (SPEC 0.4 retention)",
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
