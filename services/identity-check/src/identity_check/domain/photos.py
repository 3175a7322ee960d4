"""The image check of a face photo or a document scan (GD-16.1, SPEC 0.4).

GD-16.1 asks for "at least one clear frontal face photo". Software cannot judge a face, but
it can refuse what is not a real photo at all: the bytes must decode fully as JPEG or PNG,
within a size limit, above a minimum resolution, and not be blank. No message raised here
ever contains the file's bytes or a decoder's own error text (SPEC 0.4: the photo never
appears in an error message).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image

MEDIA_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png"}


@dataclass(frozen=True)
class PhotoLimits:
    max_bytes: int
    min_width: int
    min_height: int
    max_pixels: int
    min_contrast: int


@dataclass(frozen=True)
class ImageInfo:
    media_type: str
    width: int
    height: int
    size_bytes: int


class PhotoRejected(ValueError):
    """The file is not an acceptable image; ``reason`` is safe to show to the caller."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def inspect_image(data: bytes, limits: PhotoLimits) -> ImageInfo:
    """GD-16.1: accept only a fully decodable JPEG/PNG within the limits; else PhotoRejected."""
    if not data:
        raise PhotoRejected("the file is empty")
    if len(data) > limits.max_bytes:
        raise PhotoRejected(f"the file is larger than {limits.max_bytes} bytes")
    try:
        with Image.open(io.BytesIO(data), formats=tuple(MEDIA_TYPES)) as probe:
            fmt = str(probe.format)
            width, height = probe.size
            if width * height > limits.max_pixels:
                raise PhotoRejected(f"the image has more than {limits.max_pixels} pixels")
            probe.verify()
        # verify() checks structure only; a full decode catches truncated or corrupt data.
        with Image.open(io.BytesIO(data), formats=tuple(MEDIA_TYPES)) as image:
            image.load()
            extrema = image.convert("L").getextrema()
    except PhotoRejected:
        raise
    except Exception as exc:  # Pillow raises many unrelated types; its text may echo input
        raise PhotoRejected("the file is not a decodable JPEG or PNG image") from exc
    if width < limits.min_width or height < limits.min_height:
        raise PhotoRejected(
            f"the image is {width}×{height} pixels; at least {limits.min_width}×{limits.min_height} are required"
        )
    low, high = extrema if isinstance(extrema[0], (int, float)) else (0, 255)
    if int(high) - int(low) < limits.min_contrast:
        raise PhotoRejected("the image is blank (almost uniform); a clear photo is required")
    return ImageInfo(MEDIA_TYPES[fmt], width, height, len(data))
