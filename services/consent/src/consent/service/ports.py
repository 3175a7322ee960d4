"""What the use cases need from storage (implemented in ``adapters/store.py``, wired in
``bootstrap.py``). Rows are plain mappings keyed by column name; the read model and the
policy parameters come back as domain objects."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from consent.domain.model import Admission, Expert, Facility, Person
from consent.domain.parameters import PolicyParameters
from medaid_shared.crypto import FieldCipher
from medaid_shared.db import UnitOfWork

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

    async def person(self, person_id: str, *, lock: bool = False) -> Person | None: ...

    async def admission(self, admission_id: str) -> Admission | None: ...

    async def facility(self, facility_id: str) -> Facility | None: ...

    async def person_facilities(self, person_id: str) -> set[str]: ...

    # LJ-11.2 expert pool
    async def expert_pool(self) -> list[Expert]: ...

    async def lock_rotation(self) -> None: ...

    # policy parameters
    async def parameter_versions(self) -> list[PolicyParameters]: ...

    # LJ-7.3 cumulative self-pay (items not rejected)
    async def cumulative_for_admission(self, admission_id: str) -> Decimal: ...

    async def cumulative_for_year(self, person_id: str, year: int) -> Decimal: ...


StoreFactory = Callable[[UnitOfWork], Store]


@dataclass
class Ctx:
    """What a use case works with: the unit of work (events, audit), the store, the field
    cipher and the default policy parameters from settings."""

    uow: UnitOfWork
    store: Store
    cipher: FieldCipher
    default_parameters: PolicyParameters
    # SPEC 0.4: opens a full name referral sealed for consent (None: names stay masked)
    open_sealed_name: Callable[[str], str] | None = None

    def encrypt(self, text: str, aad: str) -> bytes:
        return self.cipher.encrypt_text(text, aad)

    def decrypt(self, token: bytes | None, aad: str) -> str | None:
        return None if token is None else self.cipher.decrypt_text(token, aad)
