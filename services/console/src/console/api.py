"""The five services' ``/v1`` APIs, called with the signed-in user's bearer token. The
console decides nothing: it shows what the services answer, RFC 9457 problems included."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from medaid_shared.app import API_PREFIX
from medaid_shared.pagination import MAX_LIMIT as PAGE_SIZE

MAX_LIST_PAGES = 20
"""A work queue longer than this many full pages (10 000 rows) is cut there: a page of the
console shows a workload, not an archive."""


@dataclass
class ApiProblem(Exception):
    """A service refused or failed: its problem details (or what stood in for them)."""

    service: str
    status: int
    problem: dict[str, Any]

    @property
    def field(self) -> str | None:
        value = self.problem.get("field")
        return str(value) if value else None

    def concerns(self, name: str) -> bool:
        """Whether the problem is about the form field ``name``. Services name a parameter
        by its name and a body field by its JSON pointer (docs/VOCABULARY.md): the field
        itself (``/reason``), a part of it (``/photos/0``, ``/guardian/name``) or the same
        field of a listed item (``/lines/0/amount`` for ``amount``)."""
        field = self.field
        if field is None:
            return False
        if field == name:
            return True
        segments = [s.replace("~1", "/").replace("~0", "~") for s in field.split("/")[1:]] if field[0] == "/" else []
        return bool(segments) and name in (segments[0], segments[-1])

    def __str__(self) -> str:
        return f"{self.service} → {self.status}: {self.problem.get('detail') or self.problem.get('title')}"


class Services:
    """One pooled HTTP client for all five services (created in the app's lifespan)."""

    def __init__(self, urls: dict[str, str], timeout: float, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.urls = urls
        self._client = httpx.AsyncClient(timeout=timeout, transport=transport)

    async def close(self) -> None:
        await self._client.aclose()

    async def request(
        self,
        service: str,
        method: str,
        path: str,
        *,
        token: str | None,
        params: dict[str, Any] | None = None,
        json: Any = None,
        idempotency_key: str | None = None,
        raw: bool = False,
        versioned: bool = True,
    ) -> Any:
        headers: dict[str, str] = {"Accept-Language": "zh-CN"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        url = self.urls[service] + (API_PREFIX if versioned else "") + path
        clean = {k: v for k, v in (params or {}).items() if v is not None and v != ""}
        try:
            r = await self._client.request(method, url, params=clean, json=json, headers=headers)
        except httpx.HTTPError as exc:
            raise ApiProblem(
                service, 503, {"title": "Service unavailable", "status": 503, "detail": f"{service}: {exc}"}
            ) from exc
        if r.status_code >= 400:
            try:
                body = r.json()
            except ValueError:
                body = {"title": r.reason_phrase, "status": r.status_code, "detail": r.text[:500]}
            if not isinstance(body, dict):
                body = {"status": r.status_code, "detail": str(body)}
            raise ApiProblem(service, r.status_code, body)
        if raw:
            return r
        if r.headers.get("content-type", "").split(";")[0].strip().endswith("json"):
            return r.json()
        return r.text


class UserApi:
    """The services as one signed-in user sees them."""

    def __init__(self, services: Services, token: str | None) -> None:
        self._services = services
        self._token = token

    async def get(self, service: str, path: str, **params: Any) -> Any:
        return await self._services.request(service, "GET", path, token=self._token, params=params)

    async def list(self, service: str, path: str, **params: Any) -> list[dict[str, Any]]:
        """Every item of a list, following ``next_cursor`` page by page (the services' one
        list envelope ``{items, next_cursor}``), at most :data:`MAX_LIST_PAGES` pages."""
        items: list[dict[str, Any]] = []
        cursor: str | None = None
        for _ in range(MAX_LIST_PAGES):
            found = await self.get(service, path, **params, limit=PAGE_SIZE, cursor=cursor)
            if not isinstance(found, dict):
                return items
            items += [r for r in found.get("items", []) if isinstance(r, dict)]
            cursor = found.get("next_cursor")
            if not cursor:
                break
        return items

    async def get_raw(self, service: str, path: str, **params: Any) -> httpx.Response:
        response: httpx.Response = await self._services.request(
            service, "GET", path, token=self._token, params=params, raw=True
        )
        return response

    async def post(self, service: str, path: str, body: Any = None, *, idempotency_key: str | None = None) -> Any:
        return await self._services.request(
            service,
            "POST",
            path,
            token=self._token,
            json=body if body is not None else {},
            idempotency_key=idempotency_key,
        )

    async def put(self, service: str, path: str, body: Any) -> Any:
        return await self._services.request(service, "PUT", path, token=self._token, json=body)
