"""The one error vocabulary of the domain and the use cases, free of any web framework.

Domain and service code raise these; the HTTP edge (:mod:`medaid_shared.problems`) turns
each into RFC 9457 problem details with its ``status``, ``type`` (from ``slug``), ``title``,
``detail`` and, where a field or a SPEC rule decided it, ``field`` and ``rule``.
"""

from __future__ import annotations

from typing import Any


class Problem(Exception):
    """A caller-facing error. ``rule`` names the SPEC rule that decided it, if any."""

    status: int = 400
    slug: str = "bad-request"
    title: str = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        field: str | None = None,
        rule: str | None = None,
        extra: dict[str, Any] | None = None,
        title: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.rule = rule
        self.extra = extra or {}
        if title:
            self.title = title

    def body(self, instance: str | None = None) -> dict[str, Any]:
        """The RFC 9457 body of this error."""
        body: dict[str, Any] = {
            "type": f"/problems/{self.slug}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        if self.field:
            body["field"] = self.field
        if self.rule:
            body["rule"] = self.rule
        body.update(self.extra)
        return body

    def headers(self) -> dict[str, str]:
        """HTTP headers the answer carries besides the body (none by default)."""
        return {}


class BadRequest(Problem):
    """The request cannot be understood."""


class Unauthorized(Problem):
    """No valid bearer token."""

    status, slug, title = 401, "unauthorized", "Authentication required"


class Forbidden(Problem):
    """The caller's role or scope does not allow this."""

    status, slug, title = 403, "forbidden", "Not allowed"


class NotFound(Problem):
    """No such record (or none the caller may see)."""

    status, slug, title = 404, "not-found", "Not found"


class Conflict(Problem):
    """The request conflicts with the current state of a record."""

    status, slug, title = 409, "conflict", "Conflict with the current state"


class NotYetKnown(Problem):
    """The request names something another service has just announced that this service
    has not yet learnt from its events (SPEC 0.5: wait for the fact, never guess it). Not
    the caller's mistake: the same request succeeds shortly, so the answer says when."""

    status, slug, title = 409, "not-yet-known", "Not yet known here"
    retry_after_s = 1

    def headers(self) -> dict[str, str]:
        """``Retry-After``: when the same request is worth sending again."""
        return {"Retry-After": str(self.retry_after_s)}


class RuleViolation(Problem):
    """The request is well-formed but a SPEC rule forbids it."""

    status, slug, title = 422, "rule-violation", "Rule violation"


class ValidationFailed(Problem):
    """A field's value is invalid."""

    status, slug, title = 422, "validation-error", "Invalid request"


class NotYetDecidable(Problem):
    """SPEC 0.5: a decision waits until its facts are final. ``missing`` names what it
    waits for; ``retry_after`` (seconds) is set where the fact is only still propagating
    between services, and becomes the answer's ``Retry-After``."""

    status, slug, title = 409, "not-yet-decidable", "Not yet decidable"

    def __init__(self, detail: str, *, missing: str, retry_after: int | None = None, **kwargs: Any) -> None:
        extra = {"missing": missing, **kwargs.pop("extra", {})}
        super().__init__(detail, field=kwargs.pop("field", missing), extra=extra, **kwargs)
        self.missing = missing
        self.retry_after = retry_after

    def headers(self) -> dict[str, str]:
        """``Retry-After`` only where the missing fact is still propagating."""
        return {"Retry-After": str(self.retry_after)} if self.retry_after else {}
