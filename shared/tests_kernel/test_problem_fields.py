"""A problem's ``field`` has one wire shape at every service (docs/VOCABULARY.md): a body
field is an RFC 6901 JSON pointer, a query, path or header parameter keeps its name — for
FastAPI's validation errors and for the names services raise alike."""

from __future__ import annotations

from typing import Annotated, Any

import httpx
import pytest
from fastapi import FastAPI, Header, Query
from pydantic import BaseModel, Field

from medaid_shared.errors import ValidationFailed
from medaid_shared.problems import install_problem_handlers, json_pointer, loc_field, wire_field


class Line(BaseModel):
    amount: int = Field(gt=0)


class Bill(BaseModel):
    lines: list[Line]


def _app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/bills/{bill_id}")
    async def post_bill(
        bill_id: str,
        body: Bill,
        at: Annotated[str | None, Query()] = None,
        request_key: Annotated[str | None, Header()] = None,
    ) -> dict[str, Any]:
        raise ValidationFailed("raised by the service", field=at or "bill_id")

    @app.post("/raise")
    async def raise_(name: Annotated[str, Query()]) -> None:
        raise ValidationFailed("raised by the service", field=name, extra={"errors": [{"field": name}]})

    return app


@pytest.fixture
async def client() -> Any:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=_app()), base_url="http://test") as c:
        yield c


def test_pointers_escape_and_locations_say_where_the_value_came_from() -> None:
    assert json_pointer(["lines", 0, "amount"]) == "/lines/0/amount"
    assert json_pointer(["a/b", "m~n"]) == "/a~1b/m~0n"
    assert loc_field(("body", "lines", 0, "amount")) == "/lines/0/amount"
    assert loc_field(("body",)) == ""
    assert loc_field(("query", "limit")) == "limit"
    assert loc_field(("header", "idempotency-key")) == "Idempotency-Key"
    assert loc_field(("photos", 0)) == "/photos/0"  # a model a service validated itself


@pytest.mark.parametrize(
    ("raised", "wire"),
    [
        ("lines.0.amount", "/lines/0/amount"),
        ("photos[0]", "/photos/0"),
        ("versions[0].values.reply_working_days", "/versions/0/values/reply_working_days"),
        ("guardian.name", "/guardian/name"),
        ("reason", "/reason"),
        ("body", ""),
        ("/lines/1", "/lines/1"),
        ("Idempotency-Key", "Idempotency-Key"),
        ("cursor", "cursor"),
    ],
)
def test_a_raised_name_becomes_a_pointer_unless_it_is_a_parameter(raised: str, wire: str) -> None:
    assert wire_field(raised, frozenset({"cursor", "limit"})) == wire


async def test_validation_errors_answer_pointers_into_the_body(client: httpx.AsyncClient) -> None:
    r = await client.post("/bills/b1", json={"lines": [{"amount": 1}, {"amount": 0}]})
    assert r.status_code == 422 and r.json()["field"] == "/lines/1/amount"
    assert r.json()["errors"] == [{"field": "/lines/1/amount", "message": r.json()["errors"][0]["message"]}]
    r = await client.post("/bills/b1", content=b"[]", headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["field"] == ""  # the whole body


async def test_a_raised_parameter_keeps_its_name_and_a_body_field_becomes_a_pointer(client: httpx.AsyncClient) -> None:
    r = await client.post("/bills/b1", json={"lines": []}, params={"at": "at"})
    assert r.json()["field"] == "at"  # a query parameter of this operation
    r = await client.post("/bills/b1", json={"lines": []})
    assert r.json()["field"] == "bill_id"  # a path parameter
    r = await client.post("/raise", params={"name": "lines.2.amount"})
    assert r.json()["field"] == "/lines/2/amount" and r.json()["errors"] == [{"field": "/lines/2/amount"}]
    r = await client.post("/raise", params={"name": "request-key"})
    assert r.json()["field"] == "/request-key"  # not a parameter of this operation
