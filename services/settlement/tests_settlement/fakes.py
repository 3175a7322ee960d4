"""The settlement use cases' storage port (``service.ports.Repository``) in memory, and a
use-case context around it with a recording unit of work. Each query is the adapter's,
written over lists of rows: a row has every column of its table (the ones a write leaves out
are None or the column's server default), money has its column's scale, JSON columns hold
what JSON gives back and instants are in UTC, as PostgreSQL answers. The quarter's analysis
(LJ-8, LJ-9, LJ-15.4) is aggregation in SQL and stays with the HTTP and analytics tests."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, NoReturn

from sqlalchemy import JSON, Column, DateTime, DefaultClause, Identity, Integer, Numeric, Table

from medaid_shared.calendar import WorkingCalendar
from medaid_shared.crypto import FieldCipher
from medaid_shared.fakes import FakeUnitOfWork
from medaid_shared.pagination import PageRequest, sort_key
from medaid_shared.parameters import ParameterVersion
from medaid_shared.settings import DEV_ENCRYPTION_KEY
from medaid_shared.usecase import UseCaseContext
from settlement.adapters import tables as t
from settlement.service.context import Ctx
from settlement.service.ports import Record
from settlement.settings import SettlementSettings

Row = dict[str, Any]


def _default(column: Column[Any]) -> Any:
    server = column.server_default
    if not isinstance(server, DefaultClause):
        return None  # none, or an identity numbered on insert
    text = str(server.arg)
    return int(text) if isinstance(column.type, Integer) else text


def _stored(column: Column[Any], value: Any) -> Any:
    """A value as the column gives it back."""
    if value is None:
        return None
    if isinstance(column.type, JSON):
        return json.loads(json.dumps(value))
    if isinstance(column.type, Numeric) and column.type.scale is not None and isinstance(value, Decimal | int | str):
        return Decimal(value).quantize(Decimal(1).scaleb(-column.type.scale))
    if isinstance(column.type, DateTime) and isinstance(value, datetime):
        return value.astimezone(UTC)
    return value


class _Rows:
    """One table's rows in the order inserted."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.rows: list[Row] = []
        self._numbered = [c.name for c in table.c if isinstance(c.server_default, Identity)]

    def row(self, values: Record, base: Row | None = None) -> Row:
        row = dict(base) if base is not None else {c.name: _default(c) for c in self.table.c}
        for name, value in values.items():
            row[name] = _stored(self.table.c[name], value)
        return row

    def insert(self, values: Record) -> Row:
        row = self.row(values)
        for name in self._numbered:
            if row[name] is None:
                row[name] = len(self.rows) + 1
        self.rows.append(row)
        return row

    def where(self, test: Callable[[Row], bool]) -> list[Row]:
        return [r for r in self.rows if test(r)]

    def first(self, test: Callable[[Row], bool]) -> Record | None:
        found = self.where(test)
        return dict(found[0]) if found else None

    def upsert(self, key: str, values: Record) -> None:
        """Insert, or overwrite the given columns of the row with the same key."""
        for i, r in enumerate(self.rows):
            if r[key] == values[key]:
                self.rows[i] = self.row(values, r)
                return
        self.insert(values)

    def update(self, test: Callable[[Row], bool], values: Record) -> list[Row]:
        changed = []
        for i, r in enumerate(self.rows):
            if test(r):
                self.rows[i] = self.row(values, r)
                changed.append(self.rows[i])
        return changed


def _sorted(rows: list[Row], *columns: str, descending: bool = False) -> list[Record]:
    return [dict(r) for r in sorted(rows, key=lambda r: sort_key(*(r[c] for c in columns)), reverse=descending)]


def _page(rows: list[Row], page: PageRequest, *columns: str, descending: bool = False) -> list[Record]:
    """The keyset page the adapter reads: after the cursor's key, at most one row more."""
    ordered = _sorted(rows, *columns, descending=descending)
    if page.after is not None:
        after = tuple(page.after)

        def beyond(r: Record) -> bool:
            key = sort_key(*(r[c] for c in columns))
            return key < after if descending else key > after

        ordered = [r for r in ordered if beyond(r)]
    return ordered[: page.limit + 1]


def _in_sql(*_: object, **__: object) -> NoReturn:
    raise NotImplementedError("the quarter's analysis is aggregation in SQL: see test_api_analytics.py")


class InMemoryRepository:
    def __init__(self) -> None:
        self.versions: list[ParameterVersion] = []
        self.person = _Rows(t.person)
        self.facility = _Rows(t.facility)
        self.admission = _Rows(t.admission)
        self.treatment = _Rows(t.treatment)
        self.self_pay_decision = _Rows(t.self_pay_decision)
        self.bill = _Rows(t.bill)
        self.bill_line = _Rows(t.bill_line)
        self.statement = _Rows(t.statement)
        self.statement_line = _Rows(t.statement_line)
        self.aid_ledger = _Rows(t.aid_ledger)
        self.aid_ledger_entry = _Rows(t.aid_ledger_entry)
        self.manual_reimbursement = _Rows(t.manual_reimbursement)
        self.platform_settlement = _Rows(t.platform_settlement)
        self.cost_flag = _Rows(t.cost_flag)
        self.diagnosis_test_rule = _Rows(t.diagnosis_test_rule)
        self.catalogue_item = _Rows(t.catalogue_item)

    # --- read model -------------------------------------------------------------------------
    async def upsert_person(self, values: Record) -> None:
        self.person.upsert("person_id", values)

    async def upsert_facility(self, values: Record) -> None:
        self.facility.upsert("facility_id", values)

    async def upsert_admission(self, values: Record) -> None:
        self.admission.upsert("admission_id", values)

    async def update_admission(self, admission_id: str, values: Record) -> bool:
        return bool(self.admission.update(lambda r: r["admission_id"] == admission_id, values))

    async def upsert_self_pay_decision(self, values: Record) -> None:
        self.self_pay_decision.upsert("item_id", values)

    async def insert_self_pay_proposal(self, values: Record) -> None:
        # A decision that arrived first is never overwritten by its proposal.
        if not self.self_pay_decision.where(lambda r: r["item_id"] == values["item_id"]):
            self.self_pay_decision.insert(values)

    async def upsert_treatment(self, values: Record) -> None:
        self.treatment.upsert("treatment_id", values)

    async def update_treatment(self, treatment_id: str, values: Record) -> bool:
        return bool(self.treatment.update(lambda r: r["treatment_id"] == treatment_id, values))

    async def treatments(self, treatment_ids: Sequence[str]) -> list[Record]:
        return [dict(r) for r in self.treatment.where(lambda r: r["treatment_id"] in treatment_ids)]

    async def get_admission(self, admission_id: str, *, for_update: bool = False) -> Record | None:
        return self.admission.first(lambda r: r["admission_id"] == admission_id)

    async def get_person(self, person_id: str) -> Record | None:
        return self.person.first(lambda r: r["person_id"] == person_id)

    async def decisions_for(self, admission_id: str) -> list[Record]:
        return _sorted(self.self_pay_decision.where(lambda r: r["admission_id"] == admission_id), "item_id")

    # --- bills ---------------------------------------------------------------------------------
    async def find_bill(self, facility_id: str, bill_number: str) -> Record | None:
        return self.bill.first(lambda r: (r["facility_id"], r["bill_number"]) == (facility_id, bill_number))

    async def get_bill(self, bill_id: str) -> Record | None:
        return self.bill.first(lambda r: r["bill_id"] == bill_id)

    async def replacement_of(self, bill_id: str) -> Record | None:
        return self.bill.first(lambda r: r["replaces_bill_id"] == bill_id)

    def _replaced(self) -> set[str]:
        return {r["replaces_bill_id"] for r in self.bill.rows if r["replaces_bill_id"] is not None}

    async def active_bills(self, admission_id: str) -> list[Record]:
        replaced = self._replaced()
        found = self.bill.where(lambda r: r["admission_id"] == admission_id and r["bill_id"] not in replaced)
        return _sorted(found, "submitted_at", "bill_number")

    async def bill_lines(self, bill_ids: Sequence[str]) -> list[Record]:
        return _sorted(self.bill_line.where(lambda r: r["bill_id"] in bill_ids), "bill_id", "line_no")

    async def insert_bill(self, bill: Record, lines: Sequence[Record]) -> None:
        if await self.find_bill(bill["facility_id"], bill["bill_number"]) is not None:
            raise KeyError("duplicate bill number")  # the table's unique key
        self.bill.insert(bill)
        for line in lines:
            self.bill_line.insert(line)

    async def list_bills(
        self, page: PageRequest, *, admission_id: str | None, facility_ids: set[str] | None
    ) -> list[Record]:
        by = {r["replaces_bill_id"]: r["bill_id"] for r in self.bill.rows if r["replaces_bill_id"] is not None}
        found = [
            {**r, "replaced_by_bill_id": by.get(r["bill_id"])}
            for r in self.bill.rows
            if admission_id in (None, r["admission_id"]) and (facility_ids is None or r["facility_id"] in facility_ids)
        ]
        return _page(found, page, "submitted_at", "bill_id", descending=True)

    # --- statements ----------------------------------------------------------------------------
    async def active_statement(self, admission_id: str) -> Record | None:
        reversed_ = {r["reverses_statement_id"] for r in self.statement.rows}
        return self.statement.first(
            lambda r: (
                r["admission_id"] == admission_id and r["kind"] == "settlement" and r["statement_id"] not in reversed_
            )
        )

    async def get_statement(self, statement_id: str) -> Record | None:
        return self.statement.first(lambda r: r["statement_id"] == statement_id)

    async def reversal_of(self, statement_id: str) -> Record | None:
        return self.statement.first(lambda r: r["reverses_statement_id"] == statement_id)

    async def statement_lines(self, statement_id: str) -> list[Record]:
        return _sorted(self.statement_line.where(lambda r: r["statement_id"] == statement_id), "seq")

    async def insert_statement(self, statement: Record, lines: Sequence[Record]) -> None:
        if statement["reverses_statement_id"] is not None and await self.reversal_of(
            statement["reverses_statement_id"]
        ):
            raise KeyError("a statement is reversed once")  # the column's unique key
        self.statement.insert(statement)
        for line in lines:
            self.statement_line.insert(line)

    async def list_statements(
        self, page: PageRequest, *, admission_id: str | None, person_id: str | None, facility_ids: set[str] | None
    ) -> list[Record]:
        found = self.statement.where(
            lambda r: (
                admission_id in (None, r["admission_id"])
                and person_id in (None, r["person_id"])
                and (facility_ids is None or r["facility_id"] in facility_ids)
            )
        )
        return _page(found, page, "completed_at", "statement_id", descending=True)

    # --- the medical-aid ledger (LJ-6.2) ---------------------------------------------------------
    def _ledger_row(self, person_id: str, year: int) -> Row | None:
        found = self.aid_ledger.where(lambda r: (r["person_id"], r["year"]) == (person_id, year))
        return found[0] if found else None

    async def lock_ledger(self, person_id: str, year: int, ceiling: Decimal) -> Record:
        row = self._ledger_row(person_id, year)
        if row is None:
            zero = Decimal("0.00")
            row = self.aid_ledger.insert(
                {
                    "person_id": person_id,
                    "year": year,
                    "basic_paid": zero,
                    "critical_base": zero,
                    "critical_paid": zero,
                    "aid_used": zero,
                    "aid_ceiling": ceiling,
                    "updated_at": datetime.now(UTC),
                }
            )
        return dict(row)

    async def apply_ledger(self, person_id: str, year: int, statement_id: str, delta: Record, ceiling: Decimal) -> None:
        now = datetime.now(UTC)
        self.aid_ledger_entry.insert(
            {"person_id": person_id, "year": year, "statement_id": statement_id, "at": now, **dict(delta)}
        )
        row = self._ledger_row(person_id, year)
        if row is None:
            return
        sums = {k: row[k] + delta[k] for k in ("basic_paid", "critical_base", "critical_paid", "aid_used")}
        # never below what was already used (a lowered ceiling must not block a reversal)
        values = {**sums, "aid_ceiling": max(ceiling, row["aid_used"]), "updated_at": now}
        self.aid_ledger.update(lambda r: r is row, values)

    async def get_ledger(self, person_id: str, year: int) -> Record | None:
        row = self._ledger_row(person_id, year)
        return dict(row) if row is not None else None

    # --- policy parameters -----------------------------------------------------------------------
    async def parameter_versions(self) -> list[ParameterVersion]:
        return list(self.versions)

    # --- manual reimbursement (LJ-13.2) ----------------------------------------------------------
    async def insert_manual(self, values: Record) -> None:
        self.manual_reimbursement.insert(values)

    async def get_manual(self, statement_id: str, *, for_update: bool = False) -> Record | None:
        return self.manual_reimbursement.first(lambda r: r["statement_id"] == statement_id)

    async def update_manual(self, statement_id: str, values: Record) -> None:
        self.manual_reimbursement.update(lambda r: r["statement_id"] == statement_id, values)

    async def list_manual(self, page: PageRequest, *, pending_only: bool) -> list[Record]:
        found = self.manual_reimbursement.where(lambda r: not pending_only or r["applied_at"] is None)
        return _page(found, page, "requested_at", "statement_id", descending=True)

    # --- analytics (LJ-8, LJ-9, LJ-15.4): aggregation in SQL --------------------------------------
    async def prepare_quarter(self, start: date, end: date) -> None:
        _in_sql()

    async def self_pay_shares(self, start: date, end: date) -> list[Record]:
        _in_sql()

    async def high_cost_cases(self, start: date, end: date, k: Decimal, min_n: int) -> list[Record]:
        _in_sql()

    async def long_stays(self, start: date, end: date, k: Decimal, min_days: int, min_n: int) -> list[Record]:
        _in_sql()

    async def unrelated_tests(self, start: date, end: date) -> list[Record]:
        _in_sql()

    async def bed_hanging(self, start: date, end: date, bed_categories: Sequence[str], min_days: int) -> list[Record]:
        _in_sql()

    async def cost_above_average(self, start: date, end: date, factor: Decimal, min_cases: int) -> list[Record]:
        _in_sql()

    async def get_platform_settlement(self, admission_id: str) -> Record | None:
        return self.platform_settlement.first(
            lambda r: r["admission_id"] == admission_id and r["superseded_at"] is None
        )

    async def find_platform_settlement(self, setl_id: str) -> Record | None:
        found = _sorted(self.platform_settlement.where(lambda r: r["setl_id"] == setl_id), "revision", descending=True)
        return found[0] if found else None

    async def platform_revisions(self, admission_id: str, page: PageRequest) -> list[Record]:
        found = self.platform_settlement.where(lambda r: r["admission_id"] == admission_id)
        return _page(found, page, "revision", "admission_id")

    async def insert_platform_settlement(self, values: Record) -> None:
        self.platform_settlement.insert(values)

    async def update_platform_settlement(self, admission_id: str, revision: int, values: Record) -> None:
        self.platform_settlement.update(
            lambda r: (r["admission_id"], r["revision"]) == (admission_id, revision), values
        )

    async def insert_flag(self, values: Record) -> bool:
        if self.cost_flag.where(lambda r: r["flag_id"] == values["flag_id"]):
            return False
        self.cost_flag.insert(values)
        return True

    async def withdraw_flags(self, statement_id: str, values: Record) -> list[Record]:
        changed = self.cost_flag.update(
            lambda r: r["statement_id"] == statement_id and r["withdrawn_at"] is None, values
        )
        return [dict(r) for r in changed]

    async def list_flags(self, period: str, kind: str | None, *, include_withdrawn: bool = False) -> list[Record]:
        found = self.cost_flag.where(
            lambda r: (
                r["period"] == period and kind in (None, r["kind"]) and (include_withdrawn or r["withdrawn_at"] is None)
            )
        )
        return _sorted(found, "kind", "facility_id", "subject")

    async def replace_diagnosis_test_rules(self, rules: Sequence[Record]) -> int:
        groups = {x["diagnosis_group_idx"] for x in rules}
        self.diagnosis_test_rule.rows = [
            r for r in self.diagnosis_test_rule.rows if r["diagnosis_group_idx"] not in groups
        ]
        for rule in rules:
            self.diagnosis_test_rule.insert(rule)
        return len(rules)

    # --- the insurance catalogue (SPEC 0.5) -------------------------------------------------------
    async def lock_catalogue(self) -> None:
        """One use case runs at a time in memory."""

    async def catalogue_entries(self, codes: Sequence[str] | None = None) -> list[Record]:
        found = self.catalogue_item.where(lambda r: codes is None or r["code"] in codes)
        return _sorted(found, "code", "region", "effective_from")

    async def catalogue_page(self, page: PageRequest, *, code: str | None, on: date | None) -> list[Record]:
        found = self.catalogue_item.where(
            lambda r: (
                code in (None, r["code"])
                and (
                    on is None or (r["effective_from"] <= on and (r["effective_to"] is None or r["effective_to"] > on))
                )
            )
        )
        return _page(found, page, "version_id")

    async def insert_catalogue_entries(self, entries: Sequence[Record]) -> None:
        for entry in entries:
            self.catalogue_item.insert(entry)


def context(
    repo: InMemoryRepository, uow: FakeUnitOfWork | None = None, settings: SettlementSettings | None = None
) -> tuple[Ctx, FakeUnitOfWork]:
    """A command's context on the in-memory repository, and the unit of work that records
    (``uow`` to go on recording in one, as the deadlines table spans commands)."""
    uow = uow or FakeUnitOfWork("settlement")
    ctx: Ctx = UseCaseContext(
        settings=settings or SettlementSettings(),
        repo=repo,
        calendar=WorkingCalendar(),
        cipher=FieldCipher(DEV_ENCRYPTION_KEY),
        _uow=uow,  # type: ignore[arg-type]
    )
    return ctx, uow
