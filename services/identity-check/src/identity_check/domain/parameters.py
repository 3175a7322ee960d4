"""The identity-check service's versioned parameters: how long face photos are kept.

A kind of the kernel's versioned parameters (:mod:`medaid_shared.parameters`): the default
comes from the service's settings; an administrator loads a version with effective dates
through ``POST /admin/parameters`` and every deletion cites the version it applied.
"""

from __future__ import annotations

from pydantic import Field

from medaid_shared.parameters import ParameterCatalogue, ParameterKind, ParameterValues


class PhotoRetention(ParameterValues):
    """SPEC 0.4 (interpretation): when a letter closes at the latest, and how long its face
    photos are kept after it closed."""

    # SPEC 0.4: face photos are deleted this many days after the case closes (180 by default).
    retention_days_after_close: int = Field(default=180, ge=1, le=3660)
    # SPEC 0.4 (interpretation): a letter nobody closed closes by itself this many days after
    # the bureau received it, so no photo is kept indefinitely.
    max_open_days_after_letter: int = Field(default=365, ge=1, le=3660)


PHOTO_RETENTION = ParameterKind(
    "photo_retention",
    PhotoRetention,
    rule="GD-16.1",
    default=PhotoRetention(),
    description="face-photo retention after a letter (SPEC 0.4)",
)

CATALOGUE = ParameterCatalogue([PHOTO_RETENTION])
