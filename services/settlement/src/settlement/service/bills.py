"""Itemised bills per admission: interim and final, idempotent by bill number, corrected only
by a replacing bill (never edited)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from medaid_shared import clock
from medaid_shared.authz import Principal
from medaid_shared.errors import Conflict, NotFound, ValidationFailed
from medaid_shared.identifiers import ItemCode
from medaid_shared.ids import unknown
from medaid_shared.pagination import PageRequest
from settlement.domain.catalogue import CatalogueEntry
from settlement.domain.money import MAX_AMOUNT, cents
from settlement.service import analytics, catalogue
from settlement.service.context import Ctx, new_id
from settlement.service.ports import Record
from settlement.service.scope import facility_filter, require_facility

PositiveMoney = Annotated[Decimal, Field(gt=0, max_digits=14, decimal_places=2, description="CNY, 2 decimals, > 0")]
Quantity = Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=3)]
Code = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._\-/]+$")]


class BillKind(StrEnum):
    INTERIM = "interim"
    FINAL = "final"


class Category(StrEnum):
    DRUG = "drug"
    CONSUMABLE = "consumable"
    TEST = "test"
    TREATMENT = "treatment"
    SURGERY = "surgery"
    BED = "bed"
    NURSING = "nursing"
    BOARD = "board"
    OTHER = "other"


class BillLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item_code: ItemCode = Field(
        description="the item's national code (医保编码) or the hospital's local code (Chinese allowed); "
        "whether it is in the insurance catalogue is looked up"
    )
    category: Category
    quantity: Quantity
    unit_price: PositiveMoney
    amount: PositiveMoney
    service_date: date
    self_pay_item_id: Code | None = Field(
        default=None, description="out of catalogue: the self-pay item (consent service) this line belongs to"
    )
    treatment_id: Code | None = Field(
        default=None,
        description="the treatment (consent service) the line bills; settlement flags a line of a treatment never "
        "consented (LJ-11.1) or evaluated not to proceed (LJ-11.2). A line of a category that bills a treatment "
        "(versioned parameter consent_check, surgery by default) and names none is flagged as well",
    )
    emergency: bool = Field(
        default=False,
        description="the hospital's claim that the line was used in the emergency rescue, recorded with the bill "
        "(SPEC 0.5). It pays nothing by itself: an out-of-catalogue line without a self-pay decision is paid as "
        "approved only when referral determined the admission's emergency and the line was served within the "
        "emergency period (LJ-11.3, LJ-7.4, versioned parameter emergency_period)",
    )

    @model_validator(mode="after")
    def _check(self) -> BillLineIn:
        if self.amount != cents(self.quantity * self.unit_price):
            raise ValueError(
                f"amount {self.amount} is not quantity × unit price ({cents(self.quantity * self.unit_price)})"
            )
        return self


class BillIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "bill_number": "ZY2026-001234-F1",
                    "admission_id": "01a22f94-a340-725f-8166-77cff015ea38",
                    "kind": "final",
                    "lines": [
                        {
                            "item_code": "002101000010000",
                            "category": "bed",
                            "quantity": "10",
                            "unit_price": "40.00",
                            "amount": "400.00",
                            "service_date": "2026-12-10",
                        },
                        {
                            "item_code": "XJ01DDA137A001010101045",
                            "category": "drug",
                            "quantity": "20",
                            "unit_price": "38.50",
                            "amount": "770.00",
                            "service_date": "2026-12-09",
                        },
                        {
                            "item_code": "XJ01DHM059B001010100433",
                            "category": "drug",
                            "quantity": "6",
                            "unit_price": "180.00",
                            "amount": "1080.00",
                            "service_date": "2026-12-04",
                            "self_pay_item_id": "spi-01a23556a3007345881e33c26a9d0282",
                        },
                    ],
                },
                {
                    "bill_number": "ZY2026-001234-F2",
                    "admission_id": "01a22f94-a340-725f-8166-77cff015ea38",
                    "kind": "final",
                    "replaces": "ZY2026-001234-F1",
                    "reason": "bed days of 12-09 billed twice",
                    "lines": [
                        {
                            "item_code": "床位费",
                            "category": "bed",
                            "quantity": "9",
                            "unit_price": "40.00",
                            "amount": "360.00",
                            "service_date": "2026-12-10",
                        }
                    ],
                },
            ]
        },
    )

    bill_number: Code
    admission_id: Code
    kind: BillKind
    replaces: Code | None = Field(default=None, description="bill number this bill corrects")
    reason: str | None = Field(default=None, max_length=500)
    lines: list[BillLineIn] = Field(min_length=1, max_length=5000)

    @model_validator(mode="after")
    def _check(self) -> BillIn:
        if self.replaces is not None and not self.reason:
            raise ValueError("a replacing bill gives the reason of the correction")
        if self.replaces == self.bill_number:
            raise ValueError("a bill cannot replace itself")
        if sum(ln.amount for ln in self.lines) > MAX_AMOUNT:
            raise ValueError(f"the bill's total exceeds {MAX_AMOUNT}")
        return self


def fingerprint(body: BillIn) -> str:
    content = body.model_dump(mode="json")
    for ln in content["lines"]:
        if ln["treatment_id"] is None:
            del ln["treatment_id"]  # bills stored before lines named treatments keep their fingerprint
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def bill_view(bill: Record, lines: Sequence[Record] | None = None, replaced_by: str | None = None) -> dict[str, Any]:
    view: dict[str, Any] = {
        "bill_id": bill["bill_id"],
        "bill_number": bill["bill_number"],
        "admission_id": bill["admission_id"],
        "facility_id": bill["facility_id"],
        "kind": bill["kind"],
        "replaces_bill_id": bill["replaces_bill_id"],
        "replaced_by_bill_id": replaced_by if replaced_by is not None else bill.get("replaced_by_bill_id"),
        "total": bill["total"],
        "line_count": bill["line_count"],
        "reason": bill["reason"],
        "submitted_by": bill["submitted_by"],
        "submitted_at": bill["submitted_at"],
    }
    if lines is not None:
        view["lines"] = [
            {k: ln[k] for k in ("line_no", "item_code", "category", "in_catalogue", "catalogue_version", "quantity",
                                "unit_price", "amount", "service_date", "self_pay_item_id", "treatment_id",
                                "emergency")}
            for ln in lines
        ]  # fmt: skip
    return view


async def submit_bill(ctx: Ctx, principal: Principal, body: BillIn) -> tuple[int, dict[str, Any]]:
    """201 with the new bill; 200 with the stored one when the same bill number comes again
    with the same content (idempotent); 409 when the number was used for other content, when
    a final bill already stands, or when the admission is already settled."""
    repo = ctx.repo
    adm = await repo.get_admission(body.admission_id, for_update=True)  # bills of one admission queue here
    if adm is None:
        raise unknown("admission", body.admission_id, now=clock.now(), field="admission_id")  # filed by referral
    require_facility(principal, adm["facility_id"], f"admission {body.admission_id}")
    fp = fingerprint(body)
    same = await repo.find_bill(adm["facility_id"], body.bill_number)
    if same is not None:
        if same["fingerprint"] != fp:
            raise Conflict(
                f"bill number {body.bill_number} was already submitted with other content", field="bill_number"
            )
        replaced = await repo.replacement_of(same["bill_id"])
        return 200, bill_view(same, await repo.bill_lines([same["bill_id"]]), replaced["bill_id"] if replaced else None)

    if await repo.active_statement(body.admission_id) is not None:
        raise Conflict(
            "the admission is settled: reverse its statement before correcting or adding bills", field="admission_id"
        )
    active = await repo.active_bills(body.admission_id)
    replaces_id: str | None = None
    if body.replaces is not None:
        target = next((b for b in active if b["bill_number"] == body.replaces), None)
        if target is None:
            raise Conflict(
                f"bill {body.replaces} is not a current bill of admission {body.admission_id} "
                "(unknown, of another admission, or already replaced)",
                field="replaces",
            )
        replaces_id = target["bill_id"]
    elif any(b["kind"] == BillKind.FINAL for b in active):
        raise Conflict("a final bill already stands for this admission: correct it by replacement", field="kind")

    _check_service_dates(adm, body)
    found = await _catalogue_membership(ctx, adm, body)
    bill_id = new_id()
    total = sum((ln.amount for ln in body.lines), Decimal("0.00"))
    bill = {
        "bill_id": bill_id,
        "facility_id": adm["facility_id"],
        "bill_number": body.bill_number,
        "admission_id": body.admission_id,
        "kind": body.kind.value,
        "replaces_bill_id": replaces_id,
        "total": total,
        "line_count": len(body.lines),
        "fingerprint": fp,
        "reason": body.reason,
        "submitted_by": principal.subject,
        "submitted_at": clock.now(),
    }
    lines = [
        {
            "bill_id": bill_id,
            "line_no": i,
            "admission_id": body.admission_id,
            "facility_id": adm["facility_id"],
            **ln.model_dump(),
            "category": ln.category.value,
            "in_catalogue": found[i - 1].in_catalogue,
            "catalogue_version": found[i - 1].version_id,
        }
        for i, ln in enumerate(body.lines, start=1)
    ]
    await repo.insert_bill(bill, lines)
    # LJ-15.4: each quarter billed is analysed once it has closed
    for start in sorted({analytics.quarter_of(ln.service_date).start for ln in body.lines}):
        await analytics.schedule_analysis(ctx, start)
    await ctx.uow.audit(
        principal,
        "bill.replace" if replaces_id else "bill.submit",
        f"bill:{bill_id}",
        reason=body.reason or f"{body.kind.value} bill {body.bill_number}",
        details={"admission_id": body.admission_id, "total": str(total), "replaces": body.replaces},
    )
    return 201, bill_view(bill, lines)


async def _catalogue_membership(ctx: Ctx, adm: Record, body: BillIn) -> list[CatalogueEntry]:
    """SPEC 0.5: each line's catalogue membership, from the catalogue in force on its service
    date in the facility's region. An unknown code cannot be classified (LJ-6.1 compliant
    cost vs LJ-7.0 self-pay): the bill is refused naming the line."""
    wanted = [(ln.item_code, ln.service_date) for ln in body.lines]
    found = await catalogue.membership(ctx, wanted, adm["facility_region"])
    entries: list[CatalogueEntry] = []
    for i, ln in enumerate(body.lines):
        entry = found[(ln.item_code, ln.service_date)]
        if entry is None:
            raise ValidationFailed(
                f"item code {ln.item_code} is not in the insurance catalogue data (in or out of catalogue) "
                f"for {adm['facility_region']} on {ln.service_date}",
                field=f"lines.{i}.item_code",
                rule="LJ-6.1",
            )
        if entry.in_catalogue and ln.self_pay_item_id:
            raise ValidationFailed(
                f"item {ln.item_code} is in the insurance catalogue: it is no self-pay item",
                field=f"lines.{i}.self_pay_item_id",
                rule="LJ-7.0",
            )
        entries.append(entry)
    return entries


def _check_service_dates(adm: Record, body: BillIn) -> None:
    first = clock.to_local(adm["admitted_at"]).date()
    last = clock.to_local(adm["discharged_at"] or clock.now()).date()
    for i, ln in enumerate(body.lines):
        if not first <= ln.service_date <= last:
            raise ValidationFailed(
                f"service date {ln.service_date} is outside the stay ({first} – {last})",
                field=f"lines.{i}.service_date",
            )


async def get_bill(ctx: Ctx, principal: Principal, bill_id: str) -> dict[str, Any]:
    bill = await ctx.repo.get_bill(bill_id)
    if bill is None:
        raise NotFound(f"no bill {bill_id}")
    require_facility(principal, bill["facility_id"], f"bill {bill_id}")
    replaced = await ctx.repo.replacement_of(bill_id)
    return bill_view(bill, await ctx.repo.bill_lines([bill_id]), replaced["bill_id"] if replaced else None)


async def list_bills(
    ctx: Ctx, principal: Principal, page: PageRequest, admission_id: str | None
) -> list[dict[str, Any]]:
    """One page of the bills the caller sees (a hospital its own facilities', SPEC 0.3),
    latest submitted first, paged in SQL."""
    rows = await ctx.repo.list_bills(page, admission_id=admission_id, facility_ids=facility_filter(principal))
    return [bill_view(r) for r in rows]
