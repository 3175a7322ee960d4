"""Versioned policy parameters: every interpretation and policy value of every service.

A service never keeps a policy value as a constant or a bare setting: it declares a
**parameter kind** (a pydantic model of the values, the rule it implements, an optional
default, optional statutory bounds), and an administrator loads **versions** of it from
data (``POST /admin/parameters``, or ``medaid parameters load --service <name>``). Every
decision cites the id of the version it applied.

A version applies to a ``region`` and a ``facility_level`` (or ``any`` of either) from
``effective_from`` (inclusive) to ``effective_to`` (exclusive, open when absent). Two
versions of the same kind, region and level must not overlap in time; for a decision the
most specific version in force wins (exact region beats ``any``, then exact level). When
none is in force the kind's declared default applies (its id ends in ``:default``); a kind
without a default refuses the decision, citing its rule (an administrator must load one).

A **bound** is a statutory floor or ceiling of one field (e.g. GD-21: the public notice
runs at least 3 working days): a version may be stricter, never weaker; a weaker one is
refused as problem details naming the field and the rule, and nothing is stored.

Declaring and reading a parameter (in a service)::

    # domain/parameters.py — pure: pydantic and this module only
    class NoticeValues(ParameterValues):
        notice_working_days: int = Field(ge=1)

    NOTICE = ParameterKind(
        "public_notice", NoticeValues, rule="GD-21",
        default=NoticeValues(notice_working_days=3),           # the seed's value
        bounds=(Bound("notice_working_days", floor=3, rule="GD-21"),),
    )
    CATALOGUE = ParameterCatalogue([NOTICE])

    # adapters/tables.py: the table in the service's schema (and a migration that runs
    # medaid_shared.parameter_store.create_parameter_table("<schema>"))
    parameter_version = parameter_table(metadata)

    # bootstrap.py: declared with the service, which mounts the admin API and the CLI
    PARAMETERS = ServiceParameters(CATALOGUE, parameter_version, defaults_from=defaults)
    SERVICE = ServiceDefinition(..., parameters=PARAMETERS)

    # a use case: the versions come from its repository (which reads them with
    # ParameterStore(session, parameter_version, CATALOGUE).versions())
    applied = CATALOGUE.with_defaults(defaults(ctx.settings)).require(
        await ctx.repo.parameter_versions(), NOTICE.name, on=today, region=region)
    applied.values.notice_working_days; applied.version_id   # cite it in the decision

``defaults`` (optional) maps a kind's name to the values an operator sets by configuration,
read from the service's settings (:meth:`ParameterCatalogue.with_defaults`); they are still
cited as ``<kind>:any:any:default``. ``referral.service.parameters`` is a complete example.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from medaid_shared.contracts.common import FacilityLevel, Region
from medaid_shared.errors import Conflict, RuleViolation

ANY = "any"
DEFAULT = "default"
REGIONS = frozenset({ANY, *(r.value for r in Region)})
LEVELS = frozenset({ANY, *(level.value for level in FacilityLevel)})


class ParameterValues(BaseModel):
    """Base of every kind's values: immutable, no unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


@dataclass(frozen=True)
class Bound:
    """A statutory limit of one numeric field: the value must be ≥ ``floor`` and/or ≤ ``ceiling``."""

    field: str
    rule: str
    floor: Decimal | int | None = None
    ceiling: Decimal | int | None = None

    def breach(self, values: BaseModel) -> str | None:
        """Why ``values`` is weaker than the statute, or None."""
        value = getattr(values, self.field)
        if self.floor is not None and value < self.floor:
            return f"{self.field} = {value} is below the statutory minimum {self.floor} ({self.rule})"
        if self.ceiling is not None and value > self.ceiling:
            return f"{self.field} = {value} is above the statutory maximum {self.ceiling} ({self.rule})"
        return None


@dataclass(frozen=True)
class ParameterKind:
    """One kind of parameters a service declares: its name, values model and the rule it
    implements; ``default`` applies when no loaded version is in force (None: one must be
    loaded); ``bounds`` are the statutory limits no version may weaken."""

    name: str
    values: type[ParameterValues]
    rule: str
    default: ParameterValues | None = None
    bounds: tuple[Bound, ...] = ()
    description: str = ""

    @property
    def default_id(self) -> str:
        """The id a decision cites when it applied the default."""
        return f"{self.name}:{ANY}:{ANY}:{DEFAULT}"


@dataclass(frozen=True)
class Applied:
    """A parameter version chosen for a decision: its id (cited by the decision), whether
    its values are examples, and its typed values."""

    version_id: str
    example: bool
    values: Any
    default: bool = False


class ParameterVersion(BaseModel):
    """One version of one kind of parameters for one region and facility level. A service's
    catalogue makes a subclass whose ``kind`` is limited to its kinds and whose values are
    checked against the kind's model (:attr:`ParameterCatalogue.version_model`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    catalogue: ClassVar[ParameterCatalogue | None] = None

    kind: str
    region: str = ANY
    facility_level: str = ANY
    effective_from: date
    effective_to: date | None = None
    values: dict[str, Any]
    example: bool = False
    source: str = Field(default="", max_length=300)

    @model_validator(mode="after")
    def _check(self) -> ParameterVersion:
        if self.region not in REGIONS:
            raise ValueError(f"region must be one of {sorted(REGIONS)}")
        if self.facility_level not in LEVELS:
            raise ValueError(f"facility_level must be one of {sorted(LEVELS)}")
        if self.effective_to is not None and self.effective_to <= self.effective_from:
            raise ValueError("effective_to must be after effective_from")
        if self.catalogue is not None:
            self.catalogue.kind(self.kind_name).values.model_validate(self.values)
        return self

    @property
    def kind_name(self) -> str:
        """The kind's name (also when ``kind`` is an enum member)."""
        return str(getattr(self.kind, "value", self.kind))

    @property
    def version_id(self) -> str:
        """``kind:region:level:effective_from``, cited by every decision."""
        return f"{self.kind_name}:{self.region}:{self.facility_level}:{self.effective_from.isoformat()}"

    @property
    def key(self) -> tuple[str, str, str]:
        """What two versions must share to overlap."""
        return (self.kind_name, self.region, self.facility_level)

    def in_force(self, on: date) -> bool:
        """Whether the version applies on ``on``."""
        return self.effective_from <= on and (self.effective_to is None or on < self.effective_to)

    def typed(self) -> Any:
        """The values as the kind's model."""
        if self.catalogue is None:
            raise TypeError("a version of no catalogue has no typed values")
        return self.catalogue.typed(self)


def overlaps(a: ParameterVersion, b: ParameterVersion) -> bool:
    """Same kind, region and level, and their validity periods intersect."""
    if a.key != b.key:
        return False
    a_end = a.effective_to or date.max
    b_end = b.effective_to or date.max
    return a.effective_from < b_end and b.effective_from < a_end


def find_overlaps(existing: Iterable[ParameterVersion], new: Sequence[ParameterVersion]) -> list[tuple[str, str]]:
    """Pairs of version ids that would overlap if ``new`` were added (also within ``new``)."""
    clashes: list[tuple[str, str]] = []
    pool = list(existing)
    for candidate in new:
        clashes.extend((candidate.version_id, other.version_id) for other in pool if overlaps(candidate, other))
        pool.append(candidate)
    return clashes


def _specificity(v: ParameterVersion, region: str, level: str) -> int | None:
    if v.region not in (ANY, region) or v.facility_level not in (ANY, level):
        return None
    return (2 if v.region != ANY else 0) + (1 if v.facility_level != ANY else 0)


class ParameterCatalogue:
    """The parameter kinds of one service (immutable once declared)."""

    def __init__(self, kinds: Iterable[ParameterKind], *, enum: type[StrEnum] | None = None) -> None:
        """``enum`` (optional) names the kinds in the API schema; by default one is made."""
        self.kinds = tuple(kinds)
        self.enum = enum
        self._by_name = {k.name: k for k in self.kinds}
        self._model: type[ParameterVersion] | None = None
        if enum is not None and {e.value for e in enum} != set(self._by_name):
            raise ValueError("the kind enum must name exactly the declared kinds")

    def kind(self, name: str) -> ParameterKind:
        """The declared kind named ``name`` (ValueError when unknown)."""
        try:
            return self._by_name[str(getattr(name, "value", name))]
        except KeyError:
            raise ValueError(f"kind must be one of {sorted(self._by_name)}") from None

    def __contains__(self, name: object) -> bool:
        return str(getattr(name, "value", name)) in self._by_name

    def including(self, other: ParameterCatalogue) -> ParameterCatalogue:
        """These kinds and ``other``'s (the kernel's kinds every service stores beside its own);
        the kind enum, if declared, gains ``other``'s names."""
        added = [k for k in other.kinds if k.name not in self._by_name]
        if not added:
            return self
        if self.enum is None:
            return ParameterCatalogue([*self.kinds, *added])
        members = {m.name: m.value for m in self.enum} | {k.name.upper(): k.name for k in added}
        enum: Any = StrEnum(self.enum.__name__, members)  # type: ignore[misc]
        return ParameterCatalogue([*self.kinds, *added], enum=enum)

    def with_defaults(self, defaults: Mapping[str, ParameterValues]) -> ParameterCatalogue:
        """The same kinds with these defaults (e.g. from the service's settings)."""
        for name in defaults:
            self.kind(name)
        kinds = [replace(k, default=defaults.get(k.name, k.default)) for k in self.kinds]
        other = ParameterCatalogue(kinds, enum=self.enum)
        other._model = self._model
        return other

    def bind(self, model: type[ParameterVersion]) -> type[ParameterVersion]:
        """Use ``model`` (a subclass naming the kind enum) as this catalogue's version model."""
        model.catalogue = self
        self._model = model
        return model

    @property
    def version_model(self) -> type[ParameterVersion]:
        """The request model of a version of one of these kinds (its ``kind`` an enum)."""
        if self._model is None:
            kind_enum: Any = self.enum or StrEnum("ParameterKind", {k.name.upper(): k.name for k in self.kinds})
            self.bind(create_model("ParameterVersion", __base__=ParameterVersion, kind=(kind_enum, ...)))
        assert self._model is not None
        return self._model

    def typed(self, version: ParameterVersion) -> ParameterValues:
        """The version's values as its kind's model."""
        return self.kind(version.kind_name).values.model_validate(version.values)

    def check_bounds(self, versions: Sequence[ParameterVersion], *, field_prefix: str = "versions") -> None:
        """Refuse a version weaker than a statutory bound of its kind (naming field and rule)."""
        for i, v in enumerate(versions):
            typed = self.typed(v)
            for bound in self.kind(v.kind_name).bounds:
                why = bound.breach(typed)
                if why is not None:
                    raise RuleViolation(
                        f"{v.version_id}: {why}; a version may be stricter, never weaker",
                        field=f"{field_prefix}[{i}].values.{bound.field}",
                        rule=bound.rule,
                    )

    def check_new(self, existing: Iterable[ParameterVersion], new: Sequence[ParameterVersion]) -> None:
        """Bounds first, then overlaps with the stored versions or each other (409)."""
        self.check_bounds(new)
        clashes = find_overlaps(existing, new)
        if clashes:
            pairs = "; ".join(f"{a} overlaps {b}" for a, b in clashes)
            raise Conflict(
                f"overlapping parameter versions: {pairs}",
                field="versions",
                extra={"overlaps": [list(c) for c in clashes]},
            )

    def select(
        self, versions: Iterable[ParameterVersion], kind: str, *, on: date, region: str = ANY, level: str = ANY
    ) -> Applied | None:
        """The most specific version of ``kind`` in force on ``on``, else the default."""
        declared = self.kind(kind)
        region, level = str(getattr(region, "value", region)), str(getattr(level, "value", level))
        best: tuple[int, ParameterVersion] | None = None
        for v in versions:
            if v.kind_name != declared.name or not v.in_force(on):
                continue
            specificity = _specificity(v, region, level)
            if specificity is not None and (best is None or specificity > best[0]):
                best = (specificity, v)
        if best is not None:
            return Applied(best[1].version_id, best[1].example, self.typed(best[1]))
        if declared.default is not None:
            return Applied(declared.default_id, False, declared.default, default=True)
        return None

    def require(
        self, versions: Iterable[ParameterVersion], kind: str, *, on: date, region: str = ANY, level: str = ANY
    ) -> Applied:
        """Like :meth:`select`, but a missing version refuses the decision (citing the kind's rule)."""
        applied = self.select(versions, kind, on=on, region=region, level=level)
        if applied is None:
            region, level = str(getattr(region, "value", region)), str(getattr(level, "value", level))
            raise RuleViolation(
                f"no {self.kind(kind).name} parameters in force on {on} for region {region}, level {level}: "
                "an administrator must load them",
                rule=self.kind(kind).rule,
            )
        return applied

    def describe(self) -> list[dict[str, Any]]:
        """The declared kinds, their defaults and bounds (for the admin API)."""
        return [
            {
                "kind": k.name,
                "rule": k.rule,
                "description": k.description,
                "default": None
                if k.default is None
                else {"version_id": k.default_id, "values": k.default.model_dump(mode="json")},
                "bounds": [
                    {"field": b.field, "rule": b.rule, "floor": b.floor, "ceiling": b.ceiling} for b in k.bounds
                ],
                "values_schema": k.values.model_json_schema(),
            }
            for k in self.kinds
        ]
