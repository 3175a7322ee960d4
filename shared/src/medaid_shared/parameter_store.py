"""Where a service's parameter versions live: the ``parameter_version`` table in its own
schema, loaded all or nothing and read by the use cases (see :mod:`medaid_shared.parameters`).

Loads are serialised by a transaction-scoped advisory lock, so two concurrent loads cannot
both pass the overlap check; each load is recorded in the decision log.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import MetaData, Table, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from medaid_shared import clock
from medaid_shared.authz import Principal, Role
from medaid_shared.db import UnitOfWork
from medaid_shared.errors import Forbidden
from medaid_shared.parameters import ANY, Applied, ParameterCatalogue, ParameterValues, ParameterVersion
from medaid_shared.tables import parameter_table

__all__ = ["ParameterStore", "ServiceParameters", "create_parameter_table", "drop_parameter_table", "parameter_table"]


def create_parameter_table(schema: str) -> None:
    """Used by a service's migration: the parameter version table in its schema."""
    from alembic import op

    metadata = MetaData(schema=schema)
    parameter_table(metadata).create(op.get_bind())


def drop_parameter_table(schema: str) -> None:
    """Used by a service's migration downgrade."""
    from alembic import op

    metadata = MetaData(schema=schema)
    parameter_table(metadata).drop(op.get_bind())


DefaultsFrom = Callable[[Any], Mapping[str, ParameterValues]]

# SPEC 0.5 decides by the version in force; reading and parsing every version for each
# lookup was a third of a command's statements. The digest covers every column of every
# row, so any load (or a table emptied and filled again, as tests do) is seen at once.
_DIGEST = "SELECT md5(coalesce(string_agg(row_to_json(p)::text, '|' ORDER BY p.version_id), '')) FROM {t} p"
_PARSED: dict[tuple[str, type[ParameterVersion]], tuple[str, list[ParameterVersion]]] = {}


@dataclass(frozen=True)
class ServiceParameters:
    """A service's catalogue, the table its versions are kept in, and (optionally) the
    defaults an operator sets by configuration, read from the service's settings."""

    catalogue: ParameterCatalogue
    table: Table
    defaults_from: DefaultsFrom | None = None

    def catalogue_for(self, settings: Any) -> ParameterCatalogue:
        """The catalogue with the defaults the settings give."""
        if self.defaults_from is None:
            return self.catalogue
        return self.catalogue.with_defaults(self.defaults_from(settings))

    def including(self, kernel: ParameterCatalogue, defaults_from: DefaultsFrom) -> ServiceParameters:
        """The same table holding the kernel's kinds too (loaded through the same admin API),
        with their defaults from the settings beside the service's."""
        own = self.defaults_from

        def defaults(settings: Any) -> Mapping[str, ParameterValues]:
            return {**defaults_from(settings), **(own(settings) if own is not None else {})}

        return ServiceParameters(self.catalogue.including(kernel), self.table, defaults)

    def store(self, session: AsyncSession, settings: Any) -> ParameterStore:
        """The stored versions on ``session``."""
        return ParameterStore(session, self.table, self.catalogue_for(settings))


class ParameterStore:
    """The stored versions of one service, on one session."""

    def __init__(self, session: AsyncSession, table: Table, catalogue: ParameterCatalogue) -> None:
        self.session = session
        self.table = table
        self.catalogue = catalogue

    async def versions(self) -> list[ParameterVersion]:
        """Every stored version of a declared kind.

        Parsed once per process and table while the table holds the same rows: a lookup asks
        the database for a digest of the table (one short row) and parses the versions only
        when a load changed it. Within one session (a command, a consumed event) every
        lookup sees the same versions, read at its first."""
        key = (self.table.fullname, self.catalogue.version_model)
        memo: list[ParameterVersion] | None = self.session.info.get(key)
        if memo is None:
            digest = str((await self.session.execute(text(_DIGEST.format(t=self.table.fullname)))).scalar_one())
            cached = _PARSED.get(key)
            memo = cached[1] if cached is not None and cached[0] == digest else await self._parse_all()
            _PARSED[key] = (digest, memo)
            self.session.info[key] = memo
        return [v for v in memo if v.kind_name in self.catalogue]

    async def _parse_all(self) -> list[ParameterVersion]:
        t = self.table
        rows = (
            await self.session.execute(select(t).order_by(t.c.kind, t.c.region, t.c.facility_level, t.c.effective_from))
        ).mappings()
        model = self.catalogue.version_model
        return [
            model(
                kind=r["kind"],
                region=r["region"],
                facility_level=r["facility_level"],
                effective_from=r["effective_from"],
                effective_to=r["effective_to"],
                values=r["values"],
                example=r["example"],
                source=r["source"],
            )
            for r in rows
            if r["kind"] in self.catalogue
        ]

    def _forget(self) -> None:
        """This session's versions are read again at the next lookup (after a load)."""
        self.session.info.pop((self.table.fullname, self.catalogue.version_model), None)

    async def applied(self, kind: str, *, on: date, region: str = ANY, level: str = ANY) -> Applied:
        """The version of ``kind`` a decision on ``on`` applies (the default when none is
        loaded; refused, citing the kind's rule, when the kind has no default)."""
        return self.catalogue.require(await self.versions(), kind, on=on, region=region, level=level)

    async def load(self, uow: UnitOfWork, principal: Principal, versions: Sequence[ParameterVersion]) -> dict[str, Any]:
        """Store new versions, all or nothing: a version weaker than a statutory bound (422)
        or overlapping another of the same kind, region and level (409) is refused."""
        if principal.role is not Role.ADMIN:
            raise Forbidden("only an administrator changes policy parameters")
        await self.session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"{self.table.fullname}"})
        self.catalogue.check_new(await self.versions(), versions)
        now = clock.now()
        await self.session.execute(
            insert(self.table),
            [
                {
                    "version_id": v.version_id,
                    "kind": v.kind_name,
                    "region": v.region,
                    "facility_level": v.facility_level,
                    "effective_from": v.effective_from,
                    "effective_to": v.effective_to,
                    "values": self.catalogue.typed(v).model_dump(mode="json"),
                    "example": v.example,
                    "source": v.source,
                    "loaded_by": principal.subject,
                    "loaded_at": now,
                }
                for v in versions
            ],
        )
        self._forget()
        ids = [v.version_id for v in versions]
        await uow.audit(
            principal,
            "parameters.load",
            "parameters",
            reason="policy parameter versions loaded",
            details={"versions": ids, "examples": [v.version_id for v in versions if v.example]},
        )
        return {"loaded": ids}

    async def listing(self, kind: str | None = None, on: date | None = None) -> list[dict[str, Any]]:
        """The stored versions (of ``kind``, in force ``on``), each with its id."""
        return [
            {"version_id": v.version_id, **v.model_dump(mode="json")}
            for v in await self.versions()
            if (kind is None or v.kind_name == str(getattr(kind, "value", kind))) and (on is None or v.in_force(on))
        ]
