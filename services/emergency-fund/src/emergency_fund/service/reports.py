"""Reports: fund use per hospital and month, steps overdue, notices running; and the export
for the national emergency-assistance registration platform (GD-19)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections import defaultdict
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from emergency_fund.domain.money import ZERO
from emergency_fund.domain.records import Case, RegistrationBatch, RegistrationDelivered
from emergency_fund.service.base import (
    Env,
    audit,
    cities_of,
    found,
    load_params,
    new_id,
    notice_out,
    out,
)
from medaid_shared.authz import Principal, Role
from medaid_shared.calendar import Due
from medaid_shared.clock import SHANGHAI, to_local
from medaid_shared.errors import ValidationFailed
from medaid_shared.minimisation import DIAGNOSIS_RECORDS
from medaid_shared.pagination import PageRequest
from medaid_shared.responses import wire_instant


async def fund_use(env: Env, city: str | None, year: int) -> dict[str, Any]:
    cities = cities_of(env.principal, city)
    rows = await env.repo.monthly_use(cities, year)
    per_facility: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for r in rows:
        per_facility[(r.city, r.facility_id)] += r.amount
    return {
        "year": year,
        "cities": cities,
        "months": [out(r) for r in rows],
        "per_hospital": [{"city": c, "facility_id": f, "amount": str(v)} for (c, f), v in sorted(per_facility.items())],
        "total": str(sum(per_facility.values(), ZERO)),
    }


async def overdue_steps(env: Env, city: str | None, page: PageRequest) -> list[dict[str, Any]]:
    """GD-20.2: steps past their deadline (still open, or decided late), earliest due first."""
    rows = await env.repo.overdue_steps_page(cities_of(env.principal, city), env.now, page)
    return [{**out(r), "open": r.decided_at is None, "rule": "GD-20.2"} for r in rows]


async def notices_running(env: Env, city: str | None, page: PageRequest) -> list[dict[str, Any]]:
    """GD-21: notices still running, the first to end first, and how many working days they
    have left."""
    cal = env.calendar
    return [
        {
            **notice_out(n, drop=["entries"]),
            "working_days_left": cal.working_days_between(env.now, n.ends_at),
            "rule": "GD-21",
        }
        for n in await env.repo.running_notices_page(cities_of(env.principal, city), env.now, page)
    ]


# ---------------------------------------------------------------- export (GD-19)

EXPORT_FIELDS = [
    "record_id",
    "city",
    "facility_id",
    "facility_name",
    "admitted_at",
    "disease_code",
    "identity_status",
    "identified_late",
    "name_masked",
    "id_number_masked",
    "destitute",
    "civil_affairs_statuses",
    "unable_to_pay_basis",
    "vagrant_registration_no",
    "emergency_hours",
    "extension_category",
    "billed_total",
    "waiver",
    "channels_paid",
    "claimed_medical",
    "claimed_living",
    "approved_amount",
    "application_id",
    "application_state",
    "submitted_at",
    "hospital_notice_start",
    "hospital_notice_end",
    "agency_notice_start",
    "agency_notice_end",
    "disbursed_at",
    "paid_amount",
    "written_off_at",
    "refund_demanded",
    "refunded",
]


# SPEC 0.4 / GD-19 (the minimisation table's DIAGNOSIS_RECORDS): the records' disease code
# only for the roles that receive it (the agency, which enters the records in the national
# platform); every other reader of exports gets it empty.
DISEASE_CODE_READERS = frozenset(Role(r) for r in DIAGNOSIS_RECORDS["emergency-fund registration.disease_code"])


def for_reader(principal: Principal, records: list[dict[str, str]]) -> list[dict[str, str]]:
    """The records as ``principal`` may read them: the disease code emptied unless its role receives it."""
    if principal.role in DISEASE_CODE_READERS:
        return records
    return [{**r, "disease_code": ""} for r in records]


def _local(value: datetime | None) -> str:
    return to_local(value).isoformat() if value else ""


async def registrations(
    env: Env, city: str, start: date, end: date, page: PageRequest | None = None
) -> list[dict[str, str]]:
    """GD-19: one record per case admitted in [start, end] (Asia/Shanghai days), in the
    documented field order; masked identity only, amounts as decimal strings. ``page`` reads
    one page of them in SQL (the JSON list); without it every record (the CSV file, which
    the platform takes whole)."""
    cities_of(env.principal, city)
    if end < start or (end - start).days > 366:
        raise ValidationFailed("the period runs forward and spans at most a year", field="to")
    lo = datetime.combine(start, time.min, tzinfo=SHANGHAI)
    hi = datetime.combine(end + timedelta(days=1), time.min, tzinfo=SHANGHAI)
    cases = await env.repo.cases_admitted(city, lo, hi, page)
    return for_reader(env.principal, await _records(env, city, cases))


async def _records(env: Env, city: str, cases: list[Case]) -> list[dict[str, str]]:
    ids = [c.id for c in cases]
    facilities = {f.facility_id: f.name for f in await env.repo.facilities_of_city(city)}
    items = _by_case(await env.repo.cost_items_of_cases(ids))
    channels = _by_case(await env.repo.channel_payments_of_cases(ids))
    checks = _by_case(await env.repo.civil_affairs_checks_of_cases(ids))
    vagrants = {v.case_id: v for v in await env.repo.vagrant_registrations_of_cases(ids)}
    link_rows = await env.repo.application_links_of_cases(ids)
    links = _by_case(link_rows)
    app_ids = sorted({link.application_id for link in link_rows})
    apps = {a.id: a for a in await env.repo.applications_by_ids(app_ids)}
    notices = {(n.application_id, n.publisher): n for n in await env.repo.notices_of_applications(app_ids)}
    payouts = {d.application_id: d for d in await env.repo.disbursements_of(app_ids)}
    refunds = {r.case_id: r for r in await env.repo.refund_demands_of_cases(ids)}
    out_rows = []
    for c in cases:
        link = next((lk for lk in links.get(c.id, []) if lk.application_id == c.application_id), None)
        app = apps.get(link.application_id) if link else None
        hn = notices.get((app.id, "hospital")) if app else None
        an = notices.get((app.id, "agency")) if app else None
        d = payouts.get(app.id) if app else None
        r = refunds.get(c.id)
        out_rows.append(
            {
                "record_id": c.id,
                "city": c.city,
                "facility_id": c.facility_id,
                "facility_name": facilities.get(c.facility_id, ""),
                "admitted_at": _local(c.admitted_at),
                "disease_code": c.disease_code or "",
                "identity_status": c.identity_status,
                "identified_late": str(c.identified_late).lower(),
                "name_masked": c.name_masked or "",
                "id_number_masked": c.id_masked or "",
                "destitute": str(c.destitute).lower(),
                "civil_affairs_statuses": ";".join(checks[c.id][-1].statuses) if c.id in checks else "",
                "unable_to_pay_basis": ";".join(c.unable_to_pay_basis or []),
                "vagrant_registration_no": vagrants[c.id].registration_no if c.id in vagrants else "",
                "emergency_hours": str(c.emergency_hours),
                "extension_category": c.extension_category or "",
                "billed_total": str(sum((i.amount for i in items.get(c.id, [])), ZERO)),
                "waiver": str(c.waiver_amount),
                "channels_paid": str(sum((x.amount for x in channels.get(c.id, [])), ZERO)),
                "claimed_medical": str(link.medical_amount) if link else _s(c.claim_medical),
                "claimed_living": str(link.living_amount) if link else _s(c.claim_living),
                "approved_amount": _s(link.approved_amount) if link else "",
                "application_id": app.id if app else "",
                "application_state": app.state if app else "",
                "submitted_at": _local(app.submitted_at) if app else "",
                "hospital_notice_start": _local(hn.starts_at) if hn else "",
                "hospital_notice_end": _local(hn.ends_at) if hn else "",
                "agency_notice_start": _local(an.starts_at) if an else "",
                "agency_notice_end": _local(an.ends_at) if an else "",
                "disbursed_at": _local(d.disbursed_at) if d else "",
                "paid_amount": _s(c.paid_amount),
                "written_off_at": _local(d.written_off_at) if d else "",
                "refund_demanded": _s(r.amount) if r else "",
                "refunded": _s(r.refunded) if r else "",
            }
        )
    return out_rows


def _s(value: Decimal | None) -> str:
    return "" if value is None else str(value)


class _OfCase(Protocol):
    @property
    def case_id(self) -> str: ...


C = TypeVar("C", bound=_OfCase)


def _by_case(records: list[C]) -> dict[str, list[C]]:
    grouped: dict[str, list[C]] = defaultdict(list)
    for r in records:
        grouped[r.case_id].append(r)
    return grouped


def to_csv(rows: list[dict[str, str]], fields: list[str] = EXPORT_FIELDS) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


# ---------------------------------------------------------------- scheduled delivery (GD-19)

REGISTRATION_EXPORT = "fund.registration.export"  # GD-19


def _export_instant(day: date, hh_mm: str) -> datetime:
    """GD-19 (interpretation ``registration_export_time``): the day's delivery, Asia/Shanghai."""
    hour, minute = (int(x) for x in hh_mm.split(":"))
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


async def schedule_registration_export(env: Env, city: str) -> None:
    """GD-19: the next delivery of the city's registration records (idempotent per day)."""
    params = await load_params(env)
    today = to_local(env.now).date()
    at = _export_instant(today, params.registration_export_time)
    day = today if at > env.now else today + timedelta(days=1)
    await env.uow.schedule(
        REGISTRATION_EXPORT,
        f"{city}:{day.isoformat()}",
        Due(_export_instant(day, params.registration_export_time)),
        basis="clock",
        payload={"city": city, "day": day.isoformat()},
    )


def _digest(record: dict[str, str]) -> str:
    return hashlib.sha256(json.dumps(record, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


async def deliver_registrations(env: Env, city: str) -> RegistrationBatch | None:
    """GD-19: one delivery — a CSV file of every record new or changed since the city's last
    delivery (the platform's records are entered and kept current), with its manifest; the
    batch's sequence number is the cursor the platform reads on from. Nothing changed, no file."""
    await env.repo.lock_registration_export(city)
    records = await _records(env, city, await env.repo.cases_of_city(city))
    delivered = {d.case_id: d.digest for d in await env.repo.delivered_of_city(city)}
    changed = [(r, _digest(r)) for r in records if delivered.get(r["record_id"]) != _digest(r)]
    if not changed:
        return None
    previous = await env.repo.last_registration_batch(city)
    seq = previous.seq + 1 if previous else 1
    content = to_csv([r for r, _ in changed])
    params = await load_params(env)
    batch_id = new_id("RB")
    batch = RegistrationBatch(
        id=batch_id,
        city=city,
        seq=seq,
        previous_seq=previous.seq if previous else None,
        created_at=env.now,
        record_count=len(changed),
        record_ids=[r["record_id"] for r, _ in changed],
        fields=list(EXPORT_FIELDS),
        sha256=hashlib.sha256(content.encode("utf-8")).hexdigest(),
        content=content,
        parameters_version=params.version_of("registration_export_time"),
    )
    await env.repo.registration_batches.add(batch)
    for record, digest in changed:
        await env.repo.registrations_delivered.put(
            RegistrationDelivered(city=city, case_id=record["record_id"], digest=digest, batch_seq=seq)
        )
    await audit(env, "export.registrations_delivered", batch_id, rule="GD-19", seq=seq, records=len(changed))
    return batch


async def on_registration_export(env: Env, row: Any) -> None:
    """Deadline handler (GD-19): the day's delivery; the next day's is scheduled."""
    city = row["payload"]["city"]
    await deliver_registrations(env, city)
    await schedule_registration_export(env, city)


def manifest(batch: RegistrationBatch) -> dict[str, Any]:
    """GD-19: what a delivered file holds and how to read it."""
    return {
        "batch_id": batch.id,
        "city": batch.city,
        "seq": batch.seq,
        "cursor": str(batch.seq),
        "previous_seq": batch.previous_seq,
        "created_at": wire_instant(batch.created_at),
        "record_count": batch.record_count,
        "record_ids": batch.record_ids,
        "fields": batch.fields,
        "format": "csv",
        "encoding": "utf-8",
        "sha256": batch.sha256,
        "file": f"/v1/exports/registrations/batches/{batch.id}/file",
        "parameters_version": batch.parameters_version,
        "rule": "GD-19",
    }


async def registration_batches(env: Env, city: str, after: int, limit: int) -> dict[str, Any]:
    """GD-19: the delivered files' manifests after the cursor (a batch's ``seq``), oldest first;
    ``next_cursor`` is the cursor to read on from (the same when nothing is new)."""
    cities_of(env.principal, city)
    rows = await env.repo.registration_batches_after(city, after, limit)
    return {
        "city": city,
        "items": [manifest(b) for b in rows],
        "next_cursor": str(rows[-1].seq) if rows else str(after),
        "rule": "GD-19",
    }


async def registration_batch_file(env: Env, batch_id: str) -> RegistrationBatch:
    """GD-19: one delivered file (CSV, UTF-8), as its manifest describes it to the agency that
    delivers it; every other reader receives it with the disease code emptied (SPEC 0.4), and
    the digest of the file it receives."""
    batch = found(await env.repo.registration_batches.get(batch_id), "registration batch", batch_id)
    cities_of(env.principal, batch.city)
    if env.principal.role in DISEASE_CODE_READERS:
        return batch
    records = for_reader(env.principal, list(csv.DictReader(io.StringIO(batch.content))))
    content = to_csv(records, batch.fields)
    return replace(batch, content=content, sha256=hashlib.sha256(content.encode("utf-8")).hexdigest())
