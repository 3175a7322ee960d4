"""The kernel's tables, created in every service's own schema.

Each service calls :func:`kernel_tables` on its ``MetaData(schema=...)`` so its outbox,
inbox, dead letters, deadlines, audit log, idempotency keys, calendar and versioned policy
parameters live beside its own tables and migrate with them (see :mod:`medaid_shared.migrations`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID


@dataclass(frozen=True)
class KernelTables:
    outbox: Table
    inbox: Table
    dead_letter: Table
    deadline: Table
    audit_log: Table
    audit_head: Table
    idempotency_key: Table
    calendar_day: Table
    calendar_year: Table
    # The service's versioned parameters (:mod:`medaid_shared.parameters`): its own kinds and
    # the kernel's (the idempotency retention, SPEC 0.4).
    parameter_version: Table


def parameter_table(metadata: MetaData) -> Table:
    """Define (once per metadata) the parameter version table in ``metadata.schema``."""
    existing: Table | None = getattr(metadata, "_medaid_parameters", None)
    if existing is not None:
        return existing
    table = Table(
        "parameter_version",
        metadata,
        Column("version_id", String(200), primary_key=True),
        Column("kind", String(40), nullable=False),
        Column("region", String(40), nullable=False),
        Column("facility_level", String(40), nullable=False),
        Column("effective_from", Date, nullable=False),
        Column("effective_to", Date, nullable=True),
        Column("values", JSONB, nullable=False),
        Column("example", Boolean, nullable=False),
        Column("source", String(300), nullable=False),
        Column("loaded_by", String(200), nullable=False),
        Column("loaded_at", DateTime(timezone=True), nullable=False),
        Index("ix_parameter_version_key", "kind", "region", "facility_level"),
    )
    metadata._medaid_parameters = table  # type: ignore[attr-defined]
    return table


def kernel_tables(metadata: MetaData) -> KernelTables:
    """Define (once per metadata) the kernel tables in ``metadata.schema``."""
    existing: KernelTables | None = getattr(metadata, "_medaid_kernel", None)
    if existing is not None:
        return existing
    ts = DateTime(timezone=True)
    outbox = Table(
        "outbox",
        metadata,
        Column("seq", BigInteger, Identity(), primary_key=True),
        Column("id", UUID(as_uuid=True), nullable=False, unique=True),
        Column("topic", String(200), nullable=False),
        Column("key", String(200), nullable=False),
        Column("event_type", String(200), nullable=False),
        Column("dataschema", String(300), nullable=False),
        Column("subject", String(200), nullable=True),
        Column("payload", JSONB, nullable=False),
        Column("occurred_at", ts, nullable=False),
        Column("traceparent", String(100), nullable=True),
        Column("state", String(20), nullable=False, server_default="pending"),
        Column("attempts", Integer, nullable=False, server_default="0"),
        Column("last_error", Text, nullable=True),
        Column("available_at", ts, nullable=False, server_default=text("now()")),
        Column("published_at", ts, nullable=True),
        # Position in the information-sharing feed (LJ-18): assigned in commit order when
        # the row is published, so a cursor over it never skips a late-committed event.
        Column("feed_position", BigInteger, nullable=True, unique=True),
        Index(None, "state", "seq"),
        Index(None, "key", "seq"),
    )
    inbox = Table(
        "inbox",
        metadata,
        Column("consumer", String(100), nullable=False),
        Column("event_id", String(100), nullable=False),
        Column("event_type", String(200), nullable=False),
        Column("received_at", ts, nullable=False, server_default=text("now()")),
        PrimaryKeyConstraint("consumer", "event_id"),
    )
    dead_letter = Table(
        "dead_letter",
        metadata,
        Column("id", BigInteger, Identity(), primary_key=True),
        Column("consumer", String(100), nullable=False),
        Column("topic", String(200), nullable=False),
        Column("partition", Integer, nullable=False),
        Column("offset", BigInteger, nullable=False),
        Column("key", LargeBinary, nullable=True),
        Column("value", LargeBinary, nullable=True),
        Column("headers", JSONB, nullable=False),
        Column("error", Text, nullable=False),
        Column("state", String(20), nullable=False, server_default="dead"),
        Column("created_at", ts, nullable=False, server_default=text("now()")),
        Column("redriven_at", ts, nullable=True),
    )
    deadline = Table(
        "deadline",
        metadata,
        Column("id", UUID(as_uuid=True), primary_key=True),
        Column("kind", String(100), nullable=False),
        Column("subject", String(200), nullable=False),
        Column("due_at", ts, nullable=False),
        Column("basis", String(20), nullable=False),
        Column("calendar_provisional", Boolean, nullable=False, server_default="false"),
        Column("state", String(20), nullable=False, server_default="open"),
        Column("payload", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
        Column("created_at", ts, nullable=False, server_default=text("now()")),
        Column("closed_at", ts, nullable=True),
        # A failing handler: how often it failed, why, and when the row is tried again.
        Column("attempts", Integer, nullable=False, server_default="0"),
        Column("last_error", Text, nullable=True),
        Column("next_attempt_at", ts, nullable=True),
        UniqueConstraint("kind", "subject"),
        Index(None, "state", "due_at"),
    )
    audit_log = Table(
        "audit_log",
        metadata,
        Column("seq", BigInteger, Identity(), primary_key=True),
        Column("at", ts, nullable=False),
        Column("actor", String(200), nullable=False),
        Column("role", String(50), nullable=False),
        Column("action", String(100), nullable=False),
        Column("subject", String(200), nullable=False),
        Column("reason", Text, nullable=True),
        Column("details", JSONB, nullable=False),
        Column("prev_hash", String(64), nullable=False),
        Column("hash", String(64), nullable=False, unique=True),
        # Each subject's entries form their own chain (verified in this order).
        Index("ix_audit_log_subject_seq", "subject", "seq"),
    )
    # The head of each subject's chain: locked by the append (so one subject's chain never
    # forks while other subjects append in parallel), and what auditors take a digest of.
    # The row with the empty subject closes the one chain the log had before per-subject
    # chains (entries up to ``last_seq``).
    audit_head = Table(
        "audit_head",
        metadata,
        Column("subject", String(200), primary_key=True),
        Column("hash", String(64), nullable=False),
        Column("entries", BigInteger, nullable=False),
        Column("last_seq", BigInteger, nullable=False),
    )
    idempotency_key = Table(
        "idempotency_key",
        metadata,
        Column("key", String(200), nullable=False),
        Column("principal", String(200), nullable=False),
        Column("fingerprint", String(64), nullable=False),
        Column("status_code", Integer, nullable=False),
        Column("response", JSONB, nullable=False),
        Column("created_at", ts, nullable=False, server_default=text("now()")),
        PrimaryKeyConstraint("principal", "key"),
    )
    calendar_day = Table(
        "calendar_day",
        metadata,
        Column("day", Date, primary_key=True),
        Column("is_working_day", Boolean, nullable=False),
        Column("note", String(200), nullable=False, server_default=""),
    )
    calendar_year = Table(
        "calendar_year",
        metadata,
        Column("year", Integer, primary_key=True),
        Column("source", String(300), nullable=False),
        Column("loaded_at", ts, nullable=False, server_default=text("now()")),
    )
    tables = KernelTables(
        outbox,
        inbox,
        dead_letter,
        deadline,
        audit_log,
        audit_head,
        idempotency_key,
        calendar_day,
        calendar_year,
        parameter_table(metadata),
    )
    metadata._medaid_kernel = tables  # type: ignore[attr-defined]
    return tables
