"""What the use cases need from storage (implemented in ``adapters/store.py``, wired in
``bootstrap.py``). Rows are plain mappings keyed by column name; the read model comes back as
domain objects and the parameters as the kernel's versions."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from consent.domain.access import ListScope
from consent.domain.model import Admission, Expert, Facility, Person
from medaid_shared.calendar import WorkingCalendar
from medaid_shared.crypto import FieldCipher
from medaid_shared.db import UnitOfWork
from medaid_shared.pagination import PageRequest
from medaid_shared.parameters import ParameterVersion

Row = Mapping[str, Any]


class Store(Protocol):
    """Storage of the consent service inside one unit of work."""

    # generic rows: table names are "treatment", "consent", "self_pay_item", ...
    async def insert(self, table: str, values: Mapping[str, Any]) -> None: ...

    async def get(self, table: str, key: str, *, lock: bool = False) -> Row | None: ...

    async def update(self, table: str, key: str, values: Mapping[str, Any]) -> None: ...

    async def find(self, table: str, order_by: str | None = None, **equals: Any) -> list[Row]: ...

    # read model (LJ-10 inputs)
    async def upsert_person(self, values: Mapping[str, Any]) -> bool: ...

    async def upsert_admission(self, values: Mapping[str, Any]) -> None: ...

    async def upsert_facility(self, values: Mapping[str, Any]) -> None: ...

    async def upsert_catalogue_item(self, values: Mapping[str, Any]) -> None: ...

    async def upsert_unit(self, values: Mapping[str, Any]) -> None: ...

    async def person(self, person_id: str, *, lock: bool = False) -> Person | None: ...

    async def admission(self, admission_id: str) -> Admission | None: ...

    async def facility(self, facility_id: str) -> Facility | None: ...

    async def person_facilities(self, person_id: str) -> set[str]: ...

    # LJ-7.2, LJ-7.3 the reviewers' work lists: one page of the items in the caller's scope
    async def self_pay_page(self, page: PageRequest, scope: ListScope, *, status: str | None) -> list[Row]: ...
    async def self_pay_step_page(self, page: PageRequest, scope: ListScope, *, status: str) -> list[Row]: ...

    # LJ-10 civil affairs' work list: one page of the rank-4 filings acknowledged or not
    # (``overdue_only``: of those not acknowledged, the overdue ones), oldest filed first
    async def rank4_page(self, page: PageRequest, *, acknowledged: bool, overdue_only: bool) -> list[Row]: ...

    # LJ-11.2 expert pool
    async def expert_pool(self) -> list[Expert]: ...

    async def expert_page(self, page: PageRequest) -> list[Expert]: ...

    async def lock_rotation(self) -> None: ...

    # the kernel's versioned parameters (LJ-7, LJ-11.2)
    async def parameter_versions(self) -> list[ParameterVersion]: ...

    # LJ-7.3 cumulative self-pay (items not rejected; only those reviewed when asked)
    async def cumulative_for_admission(self, admission_id: str, *, reviewed_only: bool) -> Decimal: ...

    async def cumulative_for_year(self, person_id: str, year: int, *, reviewed_only: bool) -> Decimal: ...

    # LJ-7.0 the same item's proposals in an admission since an instant (items not rejected)
    async def same_item_since(self, admission_id: str, item_code: str, since: datetime) -> Decimal: ...


StoreFactory = Callable[[UnitOfWork], Store]


@dataclass
class Ctx:
    """What a use case works with: the unit of work (events, audit), the store and the
    field cipher."""

    uow: UnitOfWork
    store: Store
    cipher: FieldCipher
    # SPEC 0.4: opens a full name referral sealed for consent (None: names stay masked)
    open_sealed_name: Callable[[str], str] | None = None
    # SPEC 0.1: the one official working calendar (LJ-10's acknowledgement deadline)
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)

    def encrypt(self, text: str, aad: str) -> bytes:
        return self.cipher.encrypt_text(text, aad)

    def decrypt(self, token: bytes | None, aad: str) -> str | None:
        return None if token is None else self.cipher.decrypt_text(token, aad)
