"""The repository port on PostgreSQL (SQLAlchemy Core, async)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, delete, exists, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

from medaid_shared import clock, statements
from medaid_shared.pagination import PageRequest, keyset
from medaid_shared.parameter_store import ParameterStore
from medaid_shared.parameters import ParameterVersion
from settlement.adapters import tables as t
from settlement.domain.parameters import CATALOGUE
from settlement.service.ports import Record

S = t.SCHEMA


# The settlement command's reads, built (and their cache keys made) once: a query built per
# call costs more than its round trip; the values are bound parameters.
_NEWER_BILL = t.bill.alias("newer")
_REVERSAL = t.statement.alias("rev")
_ADMISSION = select(t.admission).where(t.admission.c.admission_id == bindparam("admission_id"))
_ADMISSION_LOCKED = _ADMISSION.with_for_update()
_PERSON = select(t.person).where(t.person.c.person_id == bindparam("person_id"))
_DECISIONS = (
    select(t.self_pay_decision)
    .where(t.self_pay_decision.c.admission_id == bindparam("admission_id"))
    .order_by(t.self_pay_decision.c.item_id)
)
_ACTIVE_BILLS = (
    select(t.bill)
    .where(
        t.bill.c.admission_id == bindparam("admission_id"),
        ~exists().where(_NEWER_BILL.c.replaces_bill_id == t.bill.c.bill_id),
    )
    .order_by(t.bill.c.submitted_at, t.bill.c.bill_number)
)
_BILL_LINES = (
    select(t.bill_line)
    .where(t.bill_line.c.bill_id.in_(bindparam("bill_ids", expanding=True)))
    .order_by(t.bill_line.c.bill_id, t.bill_line.c.line_no)
)
_ACTIVE_STATEMENT = select(t.statement).where(
    t.statement.c.admission_id == bindparam("admission_id"),
    t.statement.c.kind == "settlement",
    ~exists().where(_REVERSAL.c.reverses_statement_id == t.statement.c.statement_id),
)
_PLATFORM_IN_FORCE = select(t.platform_settlement).where(
    t.platform_settlement.c.admission_id == bindparam("admission_id"),
    t.platform_settlement.c.superseded_at.is_(None),
)

_INSERT_STATEMENT = insert(t.statement)
_LEDGER_AMOUNTS = ("basic_paid", "critical_base", "critical_paid", "aid_used")
_LEDGER_ENTRY = (
    insert(t.aid_ledger_entry)
    .values(
        person_id=bindparam("p_person"),
        year=bindparam("p_year"),
        statement_id=bindparam("p_statement"),
        at=bindparam("p_at"),
        **{k: bindparam(f"d_{k}", type_=t.aid_ledger.c[k].type) for k in _LEDGER_AMOUNTS},
    )
    .cte("entry")
)
_APPLY_LEDGER = (
    update(t.aid_ledger)
    .where(t.aid_ledger.c.person_id == bindparam("p_person"), t.aid_ledger.c.year == bindparam("p_year"))
    .values(
        **{k: t.aid_ledger.c[k] + bindparam(f"d_{k}", type_=t.aid_ledger.c[k].type) for k in _LEDGER_AMOUNTS},
        # never below what was already used (a lowered ceiling must not block a reversal)
        aid_ceiling=func.greatest(
            bindparam("p_ceiling", type_=t.aid_ledger.c.aid_ceiling.type), t.aid_ledger.c.aid_used
        ),
        updated_at=bindparam("p_at"),
    )
    .add_cte(_LEDGER_ENTRY)
)


def _rows(result: Any) -> list[Record]:
    return [dict(r) for r in result.mappings().all()]


class SqlRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._quarter: tuple[date, date] | None = None  # prepared by prepare_quarter

    async def _one(self, query: Select[Any], params: Mapping[str, Any] | None = None) -> Record | None:
        row = (await self.session.execute(query, params or {})).mappings().first()
        return dict(row) if row is not None else None

    async def _all(self, query: Any, params: Mapping[str, Any] | None = None) -> list[Record]:
        return _rows(await self.session.execute(query, params or {}))

    # --- read model -------------------------------------------------------------------------
    async def _upsert(self, table: Any, key: str, values: Record) -> None:
        await self.session.execute(statements.upsert(table, key, values), values)

    async def upsert_person(self, values: Record) -> None:
        await self._upsert(t.person, "person_id", values)

    async def upsert_facility(self, values: Record) -> None:
        await self._upsert(t.facility, "facility_id", values)

    async def upsert_admission(self, values: Record) -> None:
        await self._upsert(t.admission, "admission_id", values)

    async def update_admission(self, admission_id: str, values: Record) -> bool:
        result = await self.session.execute(
            update(t.admission).where(t.admission.c.admission_id == admission_id).values(**values)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def upsert_self_pay_decision(self, values: Record) -> None:
        await self._upsert(t.self_pay_decision, "item_id", values)

    async def insert_self_pay_proposal(self, values: Record) -> None:
        # A decision that arrived first is never overwritten by its proposal.
        await self.session.execute(statements.insert_new(t.self_pay_decision, tuple(sorted(values))), values)

    async def upsert_treatment(self, values: Record) -> None:
        await self._upsert(t.treatment, "treatment_id", values)

    async def update_treatment(self, treatment_id: str, values: Record) -> bool:
        result = await self.session.execute(
            update(t.treatment).where(t.treatment.c.treatment_id == treatment_id).values(**values)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def treatments(self, treatment_ids: Sequence[str]) -> list[Record]:
        tr = t.treatment
        return await self._all(select(tr).where(tr.c.treatment_id.in_(list(treatment_ids))))

    async def get_admission(self, admission_id: str, *, for_update: bool = False) -> Record | None:
        return await self._one(_ADMISSION_LOCKED if for_update else _ADMISSION, {"admission_id": admission_id})

    async def get_person(self, person_id: str) -> Record | None:
        return await self._one(_PERSON, {"person_id": person_id})

    async def decisions_for(self, admission_id: str) -> list[Record]:
        return await self._all(_DECISIONS, {"admission_id": admission_id})

    # --- bills ---------------------------------------------------------------------------------
    async def find_bill(self, facility_id: str, bill_number: str) -> Record | None:
        b = t.bill
        return await self._one(select(b).where(b.c.facility_id == facility_id, b.c.bill_number == bill_number))

    async def get_bill(self, bill_id: str) -> Record | None:
        return await self._one(select(t.bill).where(t.bill.c.bill_id == bill_id))

    async def replacement_of(self, bill_id: str) -> Record | None:
        return await self._one(select(t.bill).where(t.bill.c.replaces_bill_id == bill_id))

    async def active_bills(self, admission_id: str) -> list[Record]:
        return await self._all(_ACTIVE_BILLS, {"admission_id": admission_id})

    async def bill_lines(self, bill_ids: Sequence[str]) -> list[Record]:
        return await self._all(_BILL_LINES, {"bill_ids": list(bill_ids)})

    async def insert_bill(self, bill: Record, lines: Sequence[Record]) -> None:
        await self.session.execute(insert(t.bill).values(**bill))
        if lines:
            await self.session.execute(insert(t.bill_line), [dict(x) for x in lines])

    async def list_bills(
        self, page: PageRequest, *, admission_id: str | None, facility_ids: set[str] | None
    ) -> list[Record]:
        """One page of bills, latest submitted first (submitted_at, then bill id), paged in
        SQL with the caller's facilities as a condition of the query."""
        b = t.bill
        newer = t.bill.alias("newer")
        replaced_by = select(newer.c.bill_id).where(newer.c.replaces_bill_id == b.c.bill_id).scalar_subquery()
        query = select(b, replaced_by.label("replaced_by_bill_id"))
        if admission_id is not None:
            query = query.where(b.c.admission_id == admission_id)
        if facility_ids is not None:
            query = query.where(b.c.facility_id.in_(facility_ids))
        return await self._all(keyset(query, page, b.c.submitted_at, b.c.bill_id, descending=True))

    # --- statements ----------------------------------------------------------------------------
    async def active_statement(self, admission_id: str) -> Record | None:
        return await self._one(_ACTIVE_STATEMENT, {"admission_id": admission_id})

    async def get_statement(self, statement_id: str) -> Record | None:
        return await self._one(select(t.statement).where(t.statement.c.statement_id == statement_id))

    async def reversal_of(self, statement_id: str) -> Record | None:
        return await self._one(select(t.statement).where(t.statement.c.reverses_statement_id == statement_id))

    async def statement_lines(self, statement_id: str) -> list[Record]:
        sl = t.statement_line
        return await self._all(select(sl).where(sl.c.statement_id == statement_id).order_by(sl.c.seq))

    async def insert_statement(self, statement: Record, lines: Sequence[Record]) -> None:
        await self.session.execute(_INSERT_STATEMENT, dict(statement))
        if lines:
            await self.session.execute(insert(t.statement_line), [dict(x) for x in lines])

    async def list_statements(
        self, page: PageRequest, *, admission_id: str | None, person_id: str | None, facility_ids: set[str] | None
    ) -> list[Record]:
        """One page of statements, latest completed first (completed_at, then statement id),
        paged in SQL with the caller's facilities as a condition of the query."""
        st = t.statement
        query = select(st)
        if admission_id is not None:
            query = query.where(st.c.admission_id == admission_id)
        if person_id is not None:
            query = query.where(st.c.person_id == person_id)
        if facility_ids is not None:
            query = query.where(st.c.facility_id.in_(facility_ids))
        return await self._all(keyset(query, page, st.c.completed_at, st.c.statement_id, descending=True))

    # --- the medical-aid ledger (LJ-6.2) ---------------------------------------------------------
    async def lock_ledger(self, person_id: str, year: int, ceiling: Decimal) -> Record:
        """Create the person's year row if missing and lock it, in one statement (an upsert
        whose no-op update takes the row lock and returns the current row). Concurrent
        settlements of the same person queue here, so each sees what the other consumed
        (LJ-6.2)."""
        zero = Decimal("0.00")
        values = {
            "person_id": person_id,
            "year": year,
            "basic_paid": zero,
            "critical_base": zero,
            "critical_paid": zero,
            "aid_used": zero,
            "aid_ceiling": ceiling,
            "updated_at": clock.now(),
        }
        stmt = statements.locked_row(t.aid_ledger, ("person_id", "year"), tuple(values))
        row = (await self.session.execute(stmt, values)).mappings().one()
        return dict(row)

    async def apply_ledger(self, person_id: str, year: int, statement_id: str, delta: Record, ceiling: Decimal) -> None:
        """Add a statement's year-to-date amounts to the ledger row and append the entry,
        in one statement (a data-modifying CTE)."""
        now = clock.now()
        params = {"p_person": person_id, "p_year": year, "p_statement": statement_id, "p_at": now, "p_ceiling": ceiling}
        await self.session.execute(_APPLY_LEDGER, {**params, **{f"d_{k}": delta[k] for k in _LEDGER_AMOUNTS}})

    async def get_ledger(self, person_id: str, year: int) -> Record | None:
        led = t.aid_ledger
        return await self._one(select(led).where(led.c.person_id == person_id, led.c.year == year))

    # --- policy parameters -----------------------------------------------------------------------
    async def parameter_versions(self) -> list[ParameterVersion]:
        """The stored versions (the kernel's store reads them once per unit of work)."""
        return await ParameterStore(self.session, t.parameter_version, CATALOGUE).versions()

    # --- manual reimbursement (LJ-13.2) ----------------------------------------------------------
    async def insert_manual(self, values: Record) -> None:
        await self.session.execute(insert(t.manual_reimbursement).values(**values))

    async def get_manual(self, statement_id: str, *, for_update: bool = False) -> Record | None:
        m = t.manual_reimbursement
        query = select(m).where(m.c.statement_id == statement_id)
        return await self._one(query.with_for_update() if for_update else query)

    async def update_manual(self, statement_id: str, values: Record) -> None:
        m = t.manual_reimbursement
        await self.session.execute(update(m).where(m.c.statement_id == statement_id).values(**values))

    async def list_manual(self, page: PageRequest, *, pending_only: bool) -> list[Record]:
        """One page of manual reimbursements, latest requested first (requested_at, then
        statement id), paged in SQL."""
        m = t.manual_reimbursement
        query = select(m)
        if pending_only:
            query = query.where(m.c.applied_at.is_(None))
        return await self._all(keyset(query, page, m.c.requested_at, m.c.statement_id, descending=True))

    # --- analytics (LJ-8, LJ-9, LJ-15.4): aggregation in SQL --------------------------------------
    # The active lines summed per admission and service day (kept up to date on write by the
    # triggers of migration 0007): the analysis reads these, never the lines, except for the
    # item codes of the LJ-9 test check.
    _DAYS = f"{S}.service_day_cost"
    # Admissions discharged in the period, with their active-bill totals and length of stay.
    _CASES = f"""
        SELECT a.admission_id, a.facility_id, a.diagnosis_group_idx,
               a.admitted_at, a.discharged_at,
               (a.admitted_at AT TIME ZONE 'Asia/Shanghai')::date AS admitted_on,
               (a.discharged_at AT TIME ZONE 'Asia/Shanghai')::date AS discharged_on,
               GREATEST(1, (a.discharged_at AT TIME ZONE 'Asia/Shanghai')::date
                           - (a.admitted_at AT TIME ZONE 'Asia/Shanghai')::date) AS stay_days,
               COALESCE(c.total, 0) AS total
        FROM {S}.admission a
        LEFT JOIN (
            SELECT d.admission_id, SUM(d.total) AS total FROM {S}.service_day_cost d GROUP BY d.admission_id
        ) c ON c.admission_id = a.admission_id
        WHERE a.discharged_at IS NOT NULL
          AND (a.discharged_at AT TIME ZONE 'Asia/Shanghai')::date >= :start
          AND (a.discharged_at AT TIME ZONE 'Asia/Shanghai')::date < :end
    """

    async def prepare_quarter(self, start: date, end: date) -> None:
        """The quarter's cases (admissions discharged in it, with cost and length of stay) as
        a temporary table of this transaction, read by every case query of the run."""
        await self.session.execute(text("DROP TABLE IF EXISTS pg_temp.q_case"))
        await self.session.execute(
            text(f"CREATE TEMP TABLE q_case ON COMMIT DROP AS {self._CASES}"), {"start": start, "end": end}
        )
        await self.session.execute(text("ANALYZE q_case"))
        self._quarter = (start, end)

    def _cases(self, start: date, end: date) -> str:
        return "SELECT * FROM q_case" if self._quarter == (start, end) else self._CASES

    async def self_pay_shares(self, start: date, end: date) -> list[Record]:
        """LJ-8: out-of-catalogue ÷ total per hospital over the lines served in the period,
        with the district median and IQR across hospitals."""
        sql = f"""
            WITH per AS (
                SELECT d.facility_id, SUM(d.total) AS total, SUM(d.self_pay) AS self_pay,
                       COUNT(DISTINCT d.admission_id) AS admissions
                FROM {self._DAYS} d
                WHERE d.service_date >= :start AND d.service_date < :end
                GROUP BY d.facility_id
            ), shares AS (
                SELECT facility_id, total, COALESCE(self_pay, 0) AS self_pay, admissions,
                       ROUND(COALESCE(self_pay, 0) / total, 6) AS share
                FROM per WHERE total > 0
            ), stats AS (
                SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY share) AS median,
                       percentile_cont(0.75) WITHIN GROUP (ORDER BY share)
                         - percentile_cont(0.25) WITHIN GROUP (ORDER BY share) AS iqr
                FROM shares
            )
            SELECT s.facility_id, f.name AS facility_name, s.total, s.self_pay, s.admissions, s.share,
                   st.median::numeric(18, 6) AS median, st.iqr::numeric(18, 6) AS iqr
            FROM shares s CROSS JOIN stats st
            LEFT JOIN {S}.facility f ON f.facility_id = s.facility_id
            ORDER BY s.share DESC, s.facility_id
        """
        return await self._all(text(sql), {"start": start, "end": end})

    async def high_cost_cases(self, start: date, end: date, k: Decimal, min_n: int) -> list[Record]:
        """LJ-15.4: the quarter's cases above Q3 + k × IQR of the quarter's case costs."""
        sql = f"""
            WITH cases AS ({self._cases(start, end)}),
            stats AS (
                SELECT percentile_cont(0.75) WITHIN GROUP (ORDER BY total) AS q3,
                       percentile_cont(0.75) WITHIN GROUP (ORDER BY total)
                         - percentile_cont(0.25) WITHIN GROUP (ORDER BY total) AS iqr,
                       COUNT(*) AS n
                FROM cases
            )
            SELECT c.admission_id, c.facility_id, c.total AS metric,
                   (st.q3 + :k * st.iqr)::numeric(18, 4) AS threshold, st.n
            FROM cases c CROSS JOIN stats st
            WHERE st.n >= :min_n AND c.total > st.q3 + :k * st.iqr
            ORDER BY c.total DESC
        """
        return await self._all(text(sql), {"start": start, "end": end, "k": k, "min_n": min_n})

    async def long_stays(self, start: date, end: date, k: Decimal, min_days: int, min_n: int) -> list[Record]:
        """LJ-15.4: stays above Q3 + k × IQR of the same diagnosis group's stays in the
        quarter (and at least ``min_days``)."""
        sql = f"""
            WITH cases AS ({self._cases(start, end)}),
            stats AS (
                SELECT COALESCE(diagnosis_group_idx, '') AS grp,
                       percentile_cont(0.75) WITHIN GROUP (ORDER BY stay_days) AS q3,
                       percentile_cont(0.75) WITHIN GROUP (ORDER BY stay_days)
                         - percentile_cont(0.25) WITHIN GROUP (ORDER BY stay_days) AS iqr,
                       COUNT(*) AS n
                FROM cases GROUP BY 1
            )
            SELECT c.admission_id, c.facility_id, c.stay_days AS metric,
                   GREATEST(:min_days, CASE WHEN st.n >= :min_n THEN st.q3 + :k * st.iqr ELSE :min_days END)::numeric(18, 4)
                     AS threshold
            FROM cases c JOIN stats st ON st.grp = COALESCE(c.diagnosis_group_idx, '')
            WHERE c.stay_days > GREATEST(:min_days, CASE WHEN st.n >= :min_n THEN st.q3 + :k * st.iqr ELSE :min_days END)
            ORDER BY c.stay_days DESC
        """
        return await self._all(text(sql), {"start": start, "end": end, "k": k, "min_days": min_days, "min_n": min_n})

    async def unrelated_tests(self, start: date, end: date) -> list[Record]:
        """LJ-9: test lines whose item code matches none of the prefixes listed for the
        admission's diagnosis group (groups without a list are not judged)."""
        sql = f"""
            WITH cases AS (
                SELECT c.* FROM ({self._cases(start, end)}) c
                WHERE EXISTS (SELECT 1 FROM {S}.diagnosis_test_rule r WHERE r.diagnosis_group_idx = c.diagnosis_group_idx)
            )
            SELECT c.admission_id, c.facility_id,
                   COUNT(*) AS metric, SUM(l.amount) AS amount,
                   string_agg(DISTINCT l.item_code, ', ' ORDER BY l.item_code) AS items
            FROM cases c
            JOIN {S}.bill_line l ON l.admission_id = c.admission_id
            WHERE l.category = 'test'
              AND NOT EXISTS (SELECT 1 FROM {S}.bill n WHERE n.replaces_bill_id = l.bill_id)
              AND NOT EXISTS (
                  SELECT 1 FROM {S}.diagnosis_test_rule r
                  WHERE r.diagnosis_group_idx = c.diagnosis_group_idx
                    AND l.item_code LIKE r.item_code_prefix || '%'
              )
            GROUP BY c.admission_id, c.facility_id
            ORDER BY c.admission_id
        """
        return await self._all(text(sql), {"start": start, "end": end})

    async def bed_hanging(self, start: date, end: date, bed_categories: Sequence[str], min_days: int) -> list[Record]:
        """LJ-9: in-stay days on which nothing but bed, nursing or board was billed. The idle
        days are counted from the day sums, and listed only for the cases that reach the
        minimum."""
        sql = f"""
            WITH cases AS ({self._cases(start, end)}),
            served AS (
                SELECT d.admission_id, d.service_date
                FROM {self._DAYS} d JOIN cases c ON c.admission_id = d.admission_id
                WHERE NOT (d.categories <@ CAST(:beds AS varchar[]))
                  AND d.service_date >= c.admitted_on AND d.service_date < c.discharged_on
            ),
            served_days AS (SELECT admission_id, COUNT(*) AS n FROM served GROUP BY admission_id),
            idle AS (
                SELECT c.admission_id, c.facility_id, c.admitted_on, c.discharged_on,
                       GREATEST(0, c.discharged_on - c.admitted_on) - COALESCE(sd.n, 0) AS idle_days
                FROM cases c LEFT JOIN served_days sd ON sd.admission_id = c.admission_id
            ),
            flagged AS (SELECT * FROM idle WHERE idle_days >= :min_days)
            SELECT f.admission_id, f.facility_id, f.idle_days AS metric,
                   string_agg(day::date::text, ', ' ORDER BY day) AS idle_days
            FROM flagged f,
                 generate_series(f.admitted_on, f.discharged_on - 1, interval '1 day') AS day
            WHERE NOT EXISTS (
                SELECT 1 FROM {self._DAYS} d
                WHERE d.admission_id = f.admission_id AND d.service_date = day::date
                  AND NOT (d.categories <@ CAST(:beds AS varchar[]))
            )
            GROUP BY f.admission_id, f.facility_id, f.idle_days
            ORDER BY f.admission_id
        """
        params = {"start": start, "end": end, "beds": list(bed_categories), "min_days": min_days}
        return await self._all(text(sql), params)

    async def cost_above_average(self, start: date, end: date, factor: Decimal, min_cases: int) -> list[Record]:
        """LJ-9: a case costing more than ``factor`` × the district average of its
        diagnosis group in the period."""
        sql = f"""
            WITH cases AS ({self._cases(start, end)}),
            avgs AS (
                SELECT diagnosis_group_idx, AVG(total) AS avg_total, COUNT(*) AS n
                FROM cases WHERE diagnosis_group_idx IS NOT NULL GROUP BY diagnosis_group_idx
            )
            SELECT c.admission_id, c.facility_id, c.total AS metric,
                   (a.avg_total * :factor)::numeric(18, 4) AS threshold, a.avg_total::numeric(18, 2) AS average
            FROM cases c JOIN avgs a ON a.diagnosis_group_idx = c.diagnosis_group_idx
            WHERE a.n >= :min_cases AND c.total > a.avg_total * :factor
            ORDER BY c.total DESC
        """
        return await self._all(text(sql), {"start": start, "end": end, "factor": factor, "min_cases": min_cases})

    async def get_platform_settlement(self, admission_id: str) -> Record | None:
        """The revision in force (not superseded; it may be reversed)."""
        return await self._one(_PLATFORM_IN_FORCE, {"admission_id": admission_id})

    async def find_platform_settlement(self, setl_id: str) -> Record | None:
        p = t.platform_settlement
        return await self._one(select(p).where(p.c.setl_id == setl_id).order_by(p.c.revision.desc()).limit(1))

    async def platform_revisions(self, admission_id: str, page: PageRequest) -> list[Record]:
        """One page of the admission's posted national results, by revision (first posted first)."""
        p = t.platform_settlement
        query = select(p).where(p.c.admission_id == admission_id)
        return await self._all(keyset(query, page, p.c.revision, p.c.admission_id))

    async def insert_platform_settlement(self, values: Record) -> None:
        await self.session.execute(insert(t.platform_settlement).values(**values))

    async def update_platform_settlement(self, admission_id: str, revision: int, values: Record) -> None:
        p = t.platform_settlement
        await self.session.execute(
            update(p).where(p.c.admission_id == admission_id, p.c.revision == revision).values(**values)
        )

    async def insert_flag(self, values: Record) -> bool:
        stmt = statements.insert_new(t.cost_flag, tuple(sorted(values)), returning="flag_id")
        return (await self.session.execute(stmt, values)).first() is not None

    async def withdraw_flags(self, statement_id: str, values: Record) -> list[Record]:
        f = t.cost_flag
        result = await self.session.execute(
            update(f)
            .where(f.c.statement_id == statement_id, f.c.withdrawn_at.is_(None))
            .values(**values)
            .returning(*f.c)
        )
        return [dict(r) for r in result.mappings().all()]

    async def list_flags(self, period: str, kind: str | None, *, include_withdrawn: bool = False) -> list[Record]:
        f = t.cost_flag
        query = select(f).where(f.c.period == period)
        if kind is not None:
            query = query.where(f.c.kind == kind)
        if not include_withdrawn:
            query = query.where(f.c.withdrawn_at.is_(None))
        return await self._all(query.order_by(f.c.kind, f.c.facility_id, f.c.subject))

    async def replace_diagnosis_test_rules(self, rules: Sequence[Record]) -> int:
        r = t.diagnosis_test_rule
        groups = {x["diagnosis_group_idx"] for x in rules}
        if groups:
            await self.session.execute(delete(r).where(r.c.diagnosis_group_idx.in_(groups)))
            await self.session.execute(insert(r), [dict(x) for x in rules])
        return len(rules)

    # --- the insurance catalogue (SPEC 0.5) -------------------------------------------------------
    async def lock_catalogue(self) -> None:
        await self.session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"{S}.catalogue_item"})

    async def catalogue_entries(self, codes: Sequence[str] | None = None) -> list[Record]:
        c = t.catalogue_item
        query = select(c)
        if codes is not None:
            query = query.where(c.c.code.in_(sorted(set(codes))))
        return await self._all(query.order_by(c.c.code, c.c.region, c.c.effective_from))

    async def catalogue_page(self, page: PageRequest, *, code: str | None, on: date | None) -> list[Record]:
        """One page of catalogue entries by version id, paged in SQL; ``on``: only the entries
        in force that day (from ``effective_from``, before ``effective_to``)."""
        c = t.catalogue_item
        query = select(c)
        if code is not None:
            query = query.where(c.c.code == code)
        if on is not None:
            query = query.where(c.c.effective_from <= on, (c.c.effective_to.is_(None)) | (c.c.effective_to > on))
        return await self._all(keyset(query, page, c.c.version_id))

    async def insert_catalogue_entries(self, entries: Sequence[Record]) -> None:
        await self.session.execute(insert(t.catalogue_item), [dict(e) for e in entries])
