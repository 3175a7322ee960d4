"""The referral service's tables, all in its own PostgreSQL schema."""

from __future__ import annotations

from sqlalchemy import MetaData

from medaid_shared.tables import kernel_tables

SCHEMA = "referral"
metadata = MetaData(schema=SCHEMA)
kernel = kernel_tables(metadata)
