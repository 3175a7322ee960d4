"""Who is calling and what they may do, as data: roles (SPEC 0.3), the principal with its
scopes, and each service's role × action policy. Pure: no web framework, no token library;
the HTTP edge (:mod:`medaid_shared.auth`) verifies the bearer token and builds the principal.

Scope (which facility, institution, village, town, jurisdiction or city) is checked by the
use case against the record it touches, with :meth:`Principal.require_scope`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from medaid_shared.errors import Forbidden


class Role(StrEnum):
    """The actors of SPEC 0.3."""

    HOSPITAL = "hospital"  # 医疗机构
    INSTITUTION = "institution"  # 供养服务机构
    VILLAGE_COMMITTEE = "village_committee"  # 村（居）民委员会
    TOWN_GOVERNMENT = "town_government"  # 镇人民政府 / 社会救助经办机构
    CIVIL_AFFAIRS = "civil_affairs"  # 区民政局社会救助股
    MEDICAL_INSURANCE = "medical_insurance"  # 区医保局
    HEALTH_BUREAU = "health_bureau"  # 区卫生健康局
    POLICE = "police"  # 县（市、区）公安局（分局）
    HRSS = "hrss"  # 人力资源和社会保障局 (work-injury insurance, GD-18.1)
    FUND_AGENCY = "fund_agency"  # 疾病应急救助基金经办机构
    FINANCE = "finance"  # 财政局
    AUDITOR = "auditor"  # 监督管理委员会 (read-only)
    GUARDIAN = "guardian"  # 监护人
    AGENT = "agent"  # 委托代理人
    PATIENT = "patient"  # 本人
    ADMIN = "admin"  # system administrator (policy parameters, calendar)


@dataclass(frozen=True)
class Principal:
    """Who is calling: subject, role and the scopes the token grants."""

    subject: str
    role: Role
    scopes: tuple[str, ...] = ()
    name: str | None = None

    def scope_ids(self, kind: str) -> set[str]:
        """The ids of one scope kind, e.g. ``scope_ids("facility") == {"H001"}``."""
        prefix = f"{kind}:"
        return {s[len(prefix) :] for s in self.scopes if s.startswith(prefix)}

    def in_scope(self, kind: str, value: str | None) -> bool:
        """Whether the token grants scope ``kind:value``."""
        return value is not None and value in self.scope_ids(kind)

    def require_scope(self, kind: str, value: str | None, what: str = "this record") -> None:
        """Refuse (403) unless the token grants scope ``kind:value``."""
        if not self.in_scope(kind, value):
            raise Forbidden(f"{self.role.value} {self.subject} is not scoped to {what} ({kind}:{value})")


SYSTEM = Principal(subject="system", role=Role.ADMIN)
"""Who acts when no caller does: an event handler or a deadline firing (never a route, whose
context always carries the caller's principal)."""


@dataclass(frozen=True)
class Policy:
    """Role × action: which roles may perform which action. Loaded from data."""

    rules: Mapping[str, frozenset[Role]] = field(default_factory=dict)

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Iterable[str]]) -> Policy:
        """The policy from ``{action: [role, ...]}``."""
        return cls({action: frozenset(Role(r) for r in roles) for action, roles in mapping.items()})

    def allows(self, role: Role, action: str) -> bool:
        """Whether ``role`` may perform ``action``."""
        return role in self.rules.get(action, frozenset())

    def authorize(self, principal: Principal, action: str) -> None:
        """Refuse (403) unless the role may perform ``action`` (an unknown action is a bug)."""
        if action not in self.rules:
            raise KeyError(f"action {action!r} is not in the policy")
        if not self.allows(principal.role, action):
            raise Forbidden(f"role {principal.role.value} may not {action}")
