"""The guard in front of every service: request bodies are bounded and JSON is UTF-8.

A body larger than the service's ``max_request_bytes`` is refused with 413 before it is
read: at once when ``Content-Length`` declares it, and — for a chunked body or one that
sends more than it declared — as soon as the bytes received pass the limit. A JSON body
must be UTF-8 (RFC 8259 §8.1): a declared charset other than UTF-8 is 415, and bytes that
are not UTF-8 JSON text (for example UTF-16, whose ASCII characters carry NUL bytes) are
400 — never silently re-interpreted. Every refusal is an RFC 9457 problem answer.
"""

from __future__ import annotations

import codecs
from email.message import Message

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.types import Message as ASGIMessage

from medaid_shared.responses import JSONResponse

PROBLEM_JSON = "application/problem+json"
_UTF8 = {"utf-8", "utf8"}


class BodyTooLarge(HTTPException):
    """Raised while the body streams in; rendered as 413 by the problem handlers."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes")


class BodyNotUtf8(HTTPException):
    def __init__(self) -> None:
        super().__init__(400, "a JSON body must be UTF-8 encoded text (RFC 8259)")


def _problem(scope: Scope, status: int, slug: str, title: str, detail: str) -> JSONResponse:
    body = {"type": f"/problems/{slug}", "title": title, "status": status, "detail": detail}
    body["instance"] = scope.get("path", "")
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def _media_type(content_type: str) -> tuple[str, str | None]:
    """The media type (lower case) and the declared charset, if any."""
    message = Message()
    message["content-type"] = content_type
    charset = message.get_param("charset")
    return message.get_content_type(), charset if isinstance(charset, str) else None


def is_json(media_type: str) -> bool:
    return media_type == "application/json" or (media_type.startswith("application/") and media_type.endswith("+json"))


class BodyGuard:
    """Pure ASGI middleware (it must see the raw byte stream, not a parsed request)."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.limit = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = headers.get("content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                await _problem(scope, 400, "bad-request", "Bad request", "Content-Length is not a byte count")(
                    scope, receive, send
                )
                return
            if int(declared) > self.limit:
                await _problem(
                    scope, 413, "too-large", "Request too large", f"the request body is larger than {self.limit} bytes"
                )(scope, receive, send)
                return
        json_body = False
        content_type = headers.get("content-type")
        if content_type:
            media_type, charset = _media_type(content_type)
            json_body = is_json(media_type)
            if json_body and charset is not None and charset.strip().lower() not in _UTF8:
                await _problem(
                    scope,
                    415,
                    "unsupported-media-type",
                    "Unsupported media type",
                    f"a JSON body must be UTF-8 (RFC 8259), not {charset}",
                )(scope, receive, send)
                return
        await self.app(scope, self._guarded(receive, json_body), send)

    def _guarded(self, receive: Receive, json_body: bool) -> Receive:
        limit = self.limit
        received = 0
        decoder = codecs.getincrementaldecoder("utf-8")() if json_body else None

        async def guarded_receive() -> ASGIMessage:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                chunk: bytes = message.get("body", b"")
                received += len(chunk)
                if received > limit:
                    raise BodyTooLarge(limit)
                if decoder is not None:
                    # JSON text never holds a raw NUL; UTF-16/32 text of ASCII always does.
                    if b"\x00" in chunk:
                        raise BodyNotUtf8()
                    try:
                        decoder.decode(chunk, final=not message.get("more_body", False))
                    except UnicodeDecodeError as exc:
                        raise BodyNotUtf8() from exc
            return message

        return guarded_receive
