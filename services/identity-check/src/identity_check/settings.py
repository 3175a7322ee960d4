"""Settings of the identity-check service (env prefix ``MEDAID_``)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from medaid_shared.settings import ServiceSettings


class IdentityCheckSettings(ServiceSettings):
    service_name: ClassVar[str] = "identity-check"
    default_port: ClassVar[int] = 8005

    # GD-16.1: the face photo must be a real, clear image. Limits of the image check; the
    # resolution and contrast are the defaults of the versioned parameter ``photo_clarity``,
    # the byte and pixel limits guard the service and are no interpretation.
    photo_max_bytes: int = Field(default=5 * 1024 * 1024, gt=0, description="largest accepted image file")
    photo_min_width: int = Field(default=300, gt=0, description="minimum width in pixels")
    photo_min_height: int = Field(default=300, gt=0, description="minimum height in pixels")
    photo_max_pixels: int = Field(default=40_000_000, gt=0, description="decompression-bomb guard")
    photo_min_contrast: int = Field(
        default=16, ge=1, le=255, description="a blank (near-uniform) image is not a clear photo"
    )
    max_face_photos: int = Field(default=5, gt=0)
    max_document_scans: int = Field(default=5, ge=0)
    max_request_bytes: int = Field(default=40 * 1024 * 1024, gt=0, description="largest accepted request body")
    # SPEC 0.4 (interpretation): face photos are deleted this long after the case closes.
    photo_retention_days: int = Field(default=180, gt=0)
    # SPEC 0.4 (interpretation): a letter nobody closed closes this long after it was received.
    letter_max_open_days: int = Field(default=365, gt=0)
