"""Test helpers: real images, facility events, filing a letter through the API."""

from __future__ import annotations

import io
import random
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import jwt
from PIL import Image

from medaid_shared.contracts.common import FacilityLevel, Region
from medaid_shared.contracts.referral import FacilityRegistered, FacilityUpdated
from medaid_shared.crypto import id_number_check_char
from medaid_shared.events import EventMeta
from medaid_shared.testing import ServiceHarness

ID_17 = "45020319900101123"
VALID_ID = ID_17 + id_number_check_char(ID_17)
OTHER_17 = "45022119851231004"
OTHER_ID = OTHER_17 + id_number_check_char(OTHER_17)


def image_bytes(width: int = 480, height: int = 640, fmt: str = "JPEG", seed: int = 1) -> bytes:
    """A real photo-like image: random noise, so its bytes are distinctive."""
    rnd = random.Random(seed)
    img = Image.frombytes("RGB", (width, height), bytes(rnd.getrandbits(8) for _ in range(width * height * 3)))
    out = io.BytesIO()
    img.save(out, format=fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    return out.getvalue()


def meta(event_type: str, time: datetime | None = None) -> EventMeta:
    return EventMeta(
        id=str(uuid.uuid4()),
        source="/medaid/referral",
        type=event_type,
        subject=None,
        time=time or datetime.now(UTC),
        traceparent=None,
        topic="medaid.referral.facility.v1",
        partition=0,
        offset=0,
    )


async def register_facility(
    svc: ServiceHarness,
    facility_id: str = "H001",
    jurisdiction: str | None = "PSB01",
    *,
    name: str = "柳江区人民医院",
    updated: bool = False,
    time: datetime | None = None,
) -> str:
    """Deliver a FacilityRegistered/Updated through the service's real consumer (inbox)."""
    model = FacilityUpdated if updated else FacilityRegistered
    event = model(
        facility_id=facility_id,
        name=name,
        level=FacilityLevel.DISTRICT,
        designated=True,
        region=Region.LIUJIANG,
        police_jurisdiction=jurisdiction,
    )
    consumer = svc.runtime.consumers[0]
    return await consumer._apply(event, meta(model.event_type, time))


def token(svc: ServiceHarness, role: str, *scopes: str, subject: str | None = None) -> dict[str, str]:
    """A bearer token valid across every instant the tests travel to (2020–2040)."""
    s = svc.runtime.settings
    claims = {
        "sub": subject or f"{role}-1",
        "role": role,
        "scope": " ".join(scopes),
        "iss": s.jwt_issuer,
        "aud": s.jwt_audience,
        "iat": int(datetime(2020, 1, 1, tzinfo=UTC).timestamp()),
        "exp": int(datetime(2040, 1, 1, tzinfo=UTC).timestamp()),
    }
    return {"Authorization": "Bearer " + jwt.encode(claims, s.jwt_secret.get_secret_value(), algorithm="HS256")}


def hospital(svc: ServiceHarness, facility_id: str = "H001") -> dict[str, str]:
    return token(svc, "hospital", f"facility:{facility_id}", subject=f"doctor-{facility_id}")


def police(svc: ServiceHarness, jurisdiction: str = "PSB01") -> dict[str, str]:
    return token(svc, "police", f"jurisdiction:{jurisdiction}", subject=f"officer-{jurisdiction}")


async def file_letter(
    svc: ServiceHarness,
    *,
    facility_id: str = "H001",
    patient_ref: str = "ZY2026-0001",
    photos: list[bytes] | None = None,
    scans: list[bytes] | None = None,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> httpx.Response:
    """File a letter as multipart/form-data."""
    photo_list = [image_bytes()] if photos is None else photos
    files: list[tuple[str, tuple[str, bytes, str]]] = [
        ("photos", (f"face{i}.jpg", p, "image/jpeg")) for i, p in enumerate(photo_list)
    ]
    files += [("document_scans", (f"doc{i}.jpg", p, "image/jpeg")) for i, p in enumerate(scans or [])]
    data: dict[str, Any] = {"patient_ref": patient_ref, **(extra or {})}
    return await svc.client.post(
        "/identity-checks",
        data=data,
        files=files or None,
        headers=headers or hospital(svc, facility_id),
    )


async def filed(svc: ServiceHarness, **kwargs: Any) -> dict[str, Any]:
    r = await file_letter(svc, **kwargs)
    assert r.status_code == 201, r.text
    return r.json()


def identified(id_number: str = VALID_ID) -> dict[str, str]:
    return {
        "outcome": "identified",
        "id_number": id_number,
        "name": "张小三",
        "household_registration": "广西柳州市柳江区拉堡镇",
    }
