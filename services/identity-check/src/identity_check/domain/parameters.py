"""The identity-check service's versioned parameters: the bureau's reply window, how long
face photos are kept, what "immediately" means and what a "clear" photo is at the least.

A kind of the kernel's versioned parameters (:mod:`medaid_shared.parameters`): the default
comes from the service's settings; an administrator loads a version with effective dates
through ``POST /admin/parameters`` and every deletion cites the version it applied.
"""

from __future__ import annotations

from pydantic import Field

from medaid_shared.parameters import Bound, ParameterCatalogue, ParameterKind, ParameterValues


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


class ReplyWindow(ParameterValues):
    """GD-16.2: the bureau replies within this many working days of receiving the letter."""

    reply_working_days: int = Field(default=3, ge=1, le=30)


REPLY_WINDOW = ParameterKind(
    "reply_window",
    ReplyWindow,
    rule="GD-16.2",
    default=ReplyWindow(),
    # SPEC 0.6: the seed's 3 working days are a maximum — a version may shorten, never lengthen.
    bounds=(Bound("reply_working_days", ceiling=3, rule="GD-16.2"),),
    description="the police's reply window, working days (GD-16.2)",
)


class LetterPromptness(ParameterValues):
    """GD-16.1 (interpretation): "immediately" (第一时间) — a letter that reaches the bureau
    later than this many hours after the admission is flagged."""

    max_hours_after_admission: int = Field(default=24, ge=1, le=720)


LETTER_PROMPTNESS = ParameterKind(
    "letter_promptness",
    LetterPromptness,
    rule="GD-16.1",
    default=LetterPromptness(),
    description="hours after the admission a letter is still sent immediately (GD-16.1)",
)


class PhotoClarity(ParameterValues):
    """GD-16.1 (interpretation): "a clear frontal face photo" — software cannot judge a face,
    so a photo or scan is refused below this resolution or as blank below this contrast (the
    spread between its darkest and lightest grey level, 0–255)."""

    min_width: int = Field(default=300, ge=1, le=10_000)
    min_height: int = Field(default=300, ge=1, le=10_000)
    min_contrast: int = Field(default=16, ge=1, le=255)


PHOTO_CLARITY = ParameterKind(
    "photo_clarity",
    PhotoClarity,
    rule="GD-16.1",
    default=PhotoClarity(),
    description="the least resolution and contrast of a clear photo (GD-16.1)",
)

CATALOGUE = ParameterCatalogue([PHOTO_RETENTION, REPLY_WINDOW, LETTER_PROMPTNESS, PHOTO_CLARITY])
