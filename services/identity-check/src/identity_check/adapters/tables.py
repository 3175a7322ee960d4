"""The identity-check service's tables, all in its own PostgreSQL schema.

Everything sensitive is stored encrypted (AES-GCM, ``runtime.cipher``): the photos and
document scans, the statement and found documents, the identified person (SPEC 0.4).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from medaid_shared.parameter_store import parameter_table
from medaid_shared.tables import kernel_tables

SCHEMA = "identity_check"
metadata = MetaData(schema=SCHEMA)
kernel = kernel_tables(metadata)
# The kernel's versioned parameters: face-photo retention (SPEC 0.4).
parameter_version = parameter_table(metadata)

_ts = DateTime(timezone=True)

# Read model of referral's FacilityRegistered / FacilityUpdated: the hospital's bureau.
facility = Table(
    "facility",
    metadata,
    Column("facility_id", String(64), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("police_jurisdiction", String(64), nullable=True),
    Column("city", String(64), nullable=False),
    Column("source_time", _ts, nullable=True),
    Column("updated_at", _ts, nullable=False),
)

reference_counter = Table(
    "reference_counter",
    metadata,
    Column("facility_id", String(64), nullable=False),
    Column("year", Integer, nullable=False),
    Column("last_value", Integer, nullable=False),
    PrimaryKeyConstraint("facility_id", "year"),
)

check_request = Table(
    "check_request",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("reference_number", String(100), nullable=False, unique=True),
    Column("facility_id", String(64), nullable=False),
    Column("facility_name", String(300), nullable=False),
    Column("bureau_id", String(64), nullable=False),
    Column("patient_ref", String(64), nullable=False),
    Column("filed_by", String(200), nullable=False),
    Column("received_at", _ts, nullable=False),
    Column("reply_due_at", _ts, nullable=False),
    Column("calendar_provisional", Boolean, nullable=False),
    Column("status", String(20), nullable=False),
    Column("particulars_enc", LargeBinary, nullable=False),
    Column("closed_at", _ts, nullable=True),
    Column("closed_by", String(200), nullable=True),
    Column("close_reason", Text, nullable=True),
    Column("photos_deleted_at", _ts, nullable=True),
    # GD-16.1: the admission the letter is for, as the fund case records it, and whether the
    # letter came later than the versioned interval after it.
    Column("admitted_at", _ts, nullable=True),
    Column("admission_source", String(100), nullable=True),
    Column("sent_late", Boolean, nullable=True),
    Column("sent_late_parameters_version", String(200), nullable=True),
    UniqueConstraint("facility_id", "patient_ref"),
    Index("ix_check_request_bureau_status_due", "bureau_id", "status", "reply_due_at"),
    Index("ix_check_request_facility_received", "facility_id", "received_at"),
)

attachment = Table(
    "attachment",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("request_id", String(36), ForeignKey(check_request.c.id), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("position", Integer, nullable=False),
    Column("media_type", String(50), nullable=False),
    Column("width", Integer, nullable=False),
    Column("height", Integer, nullable=False),
    Column("size_bytes", Integer, nullable=False),
    Column("content_enc", LargeBinary, nullable=True),  # NULL once deleted (retention)
    Column("uploaded_at", _ts, nullable=False),
    Column("deleted_at", _ts, nullable=True),
    Index("ix_attachment_request_id", "request_id"),
)

finding = Table(
    "finding",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("request_id", String(36), ForeignKey(check_request.c.id), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("recorded_at", _ts, nullable=False),
    Column("recorded_by", String(200), nullable=False),
    Column("late", Boolean, nullable=False),
    Column("name_masked", String(100), nullable=True),
    Column("id_number_masked", String(32), nullable=True),
    Column("identity_enc", LargeBinary, nullable=True),
    Column("remarks_enc", LargeBinary, nullable=True),
    UniqueConstraint("request_id", "kind"),
)
