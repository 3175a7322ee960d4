"""Times on the wire are RFC 3339 instants in UTC with ``Z`` (docs/VOCABULARY.md), however
an answer was built: a model's datetime in Shanghai time, a dict of ``isoformat()``
strings, an explicit response, a stored payload. Shanghai time is for printed pages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
from fastapi import FastAPI
from pydantic import BaseModel

from medaid_shared.responses import JSONResponse, is_off_the_wire_instant, on_the_wire, wire_instant

SHANGHAI = timezone(timedelta(hours=8))
AT = datetime(2026, 12, 1, 16, 0, tzinfo=SHANGHAI)


class Answer(BaseModel):
    at: datetime
    note: str


def test_every_instant_in_an_answer_is_utc_with_z() -> None:
    assert wire_instant(AT) == "2026-12-01T08:00:00Z"
    assert wire_instant(datetime(2026, 12, 1, 8, 0, 0, 250000)) == "2026-12-01T08:00:00.250000Z"  # naive is UTC
    content = {
        "a": "2026-12-01T16:00:00+08:00",
        "b": ["2026-12-01T08:00:00+00:00", "2026-12-01 08:00:00+00:00", AT],
        "c": "2026-12-01T08:00:00Z",
        "d": ("2026-12-01", "16:00", "不是时间 2026-12-01T16:00:00+08:00"),
    }
    assert on_the_wire(content) == {
        "a": "2026-12-01T08:00:00Z",
        "b": ["2026-12-01T08:00:00Z", "2026-12-01T08:00:00Z", "2026-12-01T08:00:00Z"],
        "c": "2026-12-01T08:00:00Z",
        "d": ["2026-12-01", "16:00", "不是时间 2026-12-01T16:00:00+08:00"],  # only a whole value is a time
    }
    assert is_off_the_wire_instant("2026-12-01T08:00:00+00:00") and not is_off_the_wire_instant("2026-12-01T08:00:00Z")


async def test_a_model_a_dict_and_an_explicit_response_all_answer_z() -> None:
    app = FastAPI(default_response_class=JSONResponse)

    @app.get("/model")
    async def model() -> Answer:
        return Answer(at=AT, note="x")

    @app.get("/dict")
    async def plain() -> dict[str, Any]:
        return {"at": AT.isoformat(), "utc": AT.astimezone(UTC).isoformat()}

    @app.get("/explicit")
    async def explicit() -> JSONResponse:
        return JSONResponse({"at": AT.isoformat(), "events": [{"time": "2026-12-01T08:00:00+00:00"}]})

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        assert (await client.get("/model")).json() == {"at": "2026-12-01T08:00:00Z", "note": "x"}
        assert (await client.get("/dict")).json() == {"at": "2026-12-01T08:00:00Z", "utc": "2026-12-01T08:00:00Z"}
        answer = (await client.get("/explicit")).text
    assert "+08:00" not in answer and "+00:00" not in answer and '"time":"2026-12-01T08:00:00Z"' in answer
