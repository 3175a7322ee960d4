"""Reports: fund use per hospital and month, steps overdue, notices running; and the export
for the national emergency-assistance registration platform (GD-19)."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from emergency_fund.domain.money import ZERO
from emergency_fund.service.base import Env, cities_of, out
from medaid_shared.clock import SHANGHAI, to_local
from medaid_shared.errors import ValidationFailed


async def fund_use(env: Env, city: str | None, year: int) -> dict[str, Any]:
    env.authorize("report.read")
    cities = cities_of(env.principal, city)
    rows = await env.store.fund_use(cities, year)
    per_facility: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
    for r in rows:
        per_facility[(r["city"], r["facility_id"])] += r["amount"]
    return {
        "year": year,
        "cities": cities,
        "months": [{**out(r), "month": int(r["month"])} for r in rows],
        "per_hospital": [{"city": c, "facility_id": f, "amount": str(v)} for (c, f), v in sorted(per_facility.items())],
        "total": str(sum(per_facility.values(), ZERO)),
    }


async def overdue_steps(env: Env, city: str | None) -> dict[str, Any]:
    """GD-20.2: steps past their deadline (still open, or decided late)."""
    env.authorize("report.read")
    rows = await env.store.overdue_steps(cities_of(env.principal, city), env.now)
    return {
        "rule": "GD-20.2",
        "steps": [{**out(r), "open": r["decided_at"] is None} for r in rows],
    }


async def notices_running(env: Env, city: str | None) -> dict[str, Any]:
    """GD-21: notices still running, and how many working days they have left."""
    env.authorize("report.read")
    rows = await env.store.many(
        "notice",
        {"city__in": cities_of(env.principal, city), "starts_at__le": env.now, "ends_at__gt": env.now},
        order_by=["ends_at", "id"],
    )
    cal = env.rt.calendar
    return {
        "rule": "GD-21",
        "notices": [
            {
                **out(r, drop=["entries"]),
                "working_days_left": cal.working_days_between(env.now, r["ends_at"]),
            }
            for r in rows
        ],
    }


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


def _local(value: datetime | None) -> str:
    return to_local(value).isoformat() if value else ""


async def registrations(env: Env, city: str, start: date, end: date) -> list[dict[str, str]]:
    """GD-19: one record per case admitted in [start, end] (Asia/Shanghai days), in the
    documented field order; masked identity only, amounts as decimal strings."""
    env.authorize("export.read")
    cities_of(env.principal, city)
    if end < start or (end - start).days > 366:
        raise ValidationFailed("the period runs forward and spans at most a year", field="to")
    lo = datetime.combine(start, time.min, tzinfo=SHANGHAI)
    hi = datetime.combine(end + timedelta(days=1), time.min, tzinfo=SHANGHAI)
    cases = await env.store.many(
        "case", {"city": city, "admitted_at__ge": lo, "admitted_at__lt": hi}, order_by=["admitted_at", "id"]
    )
    ids = [c["id"] for c in cases]
    facilities = {f["facility_id"]: f["name"] for f in await env.store.many("facility", {"city": city})}
    items = _group(await env.store.many("cost_item", {"case_id__in": ids}))
    channels = _group(await env.store.many("channel_payment", {"case_id__in": ids}))
    checks = _group(await env.store.many("civil_affairs_check", {"case_id__in": ids}, order_by=["seq"]))
    vagrants = {v["case_id"]: v for v in await env.store.many("vagrant_registration", {"case_id__in": ids})}
    link_rows = await env.store.many("application_case", {"case_id__in": ids})
    links = _group(link_rows)
    app_ids = sorted({link["application_id"] for link in link_rows})
    apps = {a["id"]: a for a in await env.store.many("application", {"id__in": app_ids})}
    notices = {
        (n["application_id"], n["publisher"]): n
        for n in await env.store.many("notice", {"application_id__in": app_ids})
    }
    payouts = {d["application_id"]: d for d in await env.store.many("disbursement", {"application_id__in": app_ids})}
    refunds = {r["case_id"]: r for r in await env.store.many("refund_demand", {"case_id__in": ids})}
    out_rows = []
    for c in cases:
        link = next((lk for lk in links.get(c["id"], []) if lk["application_id"] == c["application_id"]), None)
        app = apps.get(link["application_id"]) if link else None
        hn = notices.get((app["id"], "hospital")) if app else None
        an = notices.get((app["id"], "agency")) if app else None
        d = payouts.get(app["id"]) if app else None
        r = refunds.get(c["id"])
        out_rows.append(
            {
                "record_id": c["id"],
                "city": c["city"],
                "facility_id": c["facility_id"],
                "facility_name": facilities.get(c["facility_id"], ""),
                "admitted_at": _local(c["admitted_at"]),
                "disease_code": c["disease_code"] or "",
                "identity_status": c["identity_status"],
                "identified_late": str(c["identified_late"]).lower(),
                "name_masked": c["name_masked"] or "",
                "id_number_masked": c["id_masked"] or "",
                "destitute": str(c["destitute"]).lower(),
                "civil_affairs_statuses": ";".join(checks[c["id"]][-1]["statuses"]) if c["id"] in checks else "",
                "unable_to_pay_basis": ";".join(c["unable_to_pay_basis"] or []),
                "vagrant_registration_no": vagrants[c["id"]]["registration_no"] if c["id"] in vagrants else "",
                "emergency_hours": str(c["emergency_hours"]),
                "extension_category": c["extension_category"] or "",
                "billed_total": str(sum((i["amount"] for i in items.get(c["id"], [])), ZERO)),
                "waiver": str(c["waiver_amount"]),
                "channels_paid": str(sum((x["amount"] for x in channels.get(c["id"], [])), ZERO)),
                "claimed_medical": str(link["medical_amount"]) if link else _s(c["claim_medical"]),
                "claimed_living": str(link["living_amount"]) if link else _s(c["claim_living"]),
                "approved_amount": _s(link["approved_amount"]) if link else "",
                "application_id": app["id"] if app else "",
                "application_state": app["state"] if app else "",
                "submitted_at": _local(app["submitted_at"]) if app else "",
                "hospital_notice_start": _local(hn["starts_at"]) if hn else "",
                "hospital_notice_end": _local(hn["ends_at"]) if hn else "",
                "agency_notice_start": _local(an["starts_at"]) if an else "",
                "agency_notice_end": _local(an["ends_at"]) if an else "",
                "disbursed_at": _local(d["disbursed_at"]) if d else "",
                "paid_amount": _s(c["paid_amount"]),
                "written_off_at": _local(d["written_off_at"]) if d else "",
                "refund_demanded": _s(r["amount"]) if r else "",
                "refunded": _s(r["refunded"]) if r else "",
            }
        )
    return out_rows


def _s(value: Decimal | None) -> str:
    return "" if value is None else str(value)


def _group(rows: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        grouped[r["case_id"]].append(r)
    return grouped


def to_csv(rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
