"""The event consumer's versioned parameter: a kernel kind (like the idempotency retention,
:mod:`medaid_shared.idempotency`) that every service stores beside its own kinds in its
``parameter_version`` table and an administrator loads through the service's
``POST /admin/parameters``.

``consumer_attempts`` says how often an event consumer tries a handler that fails on a
database that answers before the event goes to the dead letters. Its default is the setting
``MEDAID_CONSUMER_MAX_ATTEMPTS``; a loaded version wins from its effective date, and every
dead letter cites the version it applied.
"""

from __future__ import annotations

from pydantic import Field

from medaid_shared.parameters import ParameterKind, ParameterValues


class ConsumerAttempts(ParameterValues):
    """SPEC 0.5: an event whose facts have not yet arrived here (another service's earlier
    event still on its way) is tried again rather than dropped; after this many failed
    attempts on a database that answers it goes to the dead letters (``medaid dlq redrive``)."""

    max_attempts: int = Field(default=3, ge=1, le=100)


CONSUMER_ATTEMPTS = ParameterKind(
    "consumer_attempts",
    ConsumerAttempts,
    rule="SPEC 0.5",
    default=ConsumerAttempts(),
    description="how often an event consumer tries a failing handler before dead-lettering the event",
)
