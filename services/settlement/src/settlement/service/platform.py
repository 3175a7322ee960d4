"""The national one-stop result as the fact (LJ-13.1, SPEC 0.5).

Where the hospital settled the admission on the national medical-security platform (一站式
结算), it posts the platform's result (interface 2207 output: ``setl_id``, ``hifp_pay``,
``hifmi_pay``, ``maf_pay``, ``psn_cash_pay`` …). Settlement then takes basic insurance,
critical illness and medical aid from it — aid checked against LJ-6.2 (100 %, the yearly
ceiling of this service's ledger) — computes the support fund and the self-pay treatment
itself, and flags every difference from its own computation. Without it, settlement computes
as before from the versioned parameters. A result posted after the statement is a changed
fact: the statement is reversed and issued again on it."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from medaid_shared import clock
from medaid_shared.authz import Principal
from medaid_shared.errors import Conflict, ValidationFailed
from medaid_shared.ids import unknown
from settlement.service import settlements
from settlement.service.context import Ctx
from settlement.service.ports import Record
from settlement.service.scope import require_facility

Amount = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2, description="CNY, 2 decimals, ≥ 0")]
PlatformId = Annotated[str, Field(min_length=1, max_length=30, pattern=r"^[A-Za-z0-9_\-]+$")]


class PlatformSettlementIn(BaseModel):
    """The national platform's settlement result (2207 output), named as the platform names it."""

    model_config = ConfigDict(extra="forbid")

    setl_id: PlatformId = Field(description="结算ID, the platform's settlement id")
    mdtrt_id: PlatformId | None = Field(default=None, description="就诊ID")
    setl_time: AwareDatetime = Field(description="结算时间")
    medfee_sumamt: Amount = Field(description="医疗费总额")
    inscp_scp_amt: Amount = Field(description="符合范围金额")
    fulamt_ownpay_amt: Amount = Field(description="全自费金额")
    act_pay_dedc: Amount = Field(description="实际支付起付线")
    hifp_pay: Amount = Field(description="基本医疗保险统筹基金支出")
    hifmi_pay: Amount = Field(description="大病保险支出")
    maf_pay: Amount = Field(description="医疗救助基金支出")
    oth_pay: Amount = Field(default=Decimal("0.00"), description="其他支出")
    acct_pay: Amount = Field(default=Decimal("0.00"), description="个人账户支出")
    psn_cash_pay: Amount = Field(description="个人现金支出")

    @field_validator("psn_cash_pay")
    @classmethod
    def _adds_up(cls, psn_cash_pay: Decimal, info: ValidationInfo) -> Decimal:
        """2207: medfee_sumamt = the funds' payments + the personal account + personal cash."""
        d = info.data
        names = ("hifp_pay", "hifmi_pay", "maf_pay", "oth_pay", "acct_pay")
        if "medfee_sumamt" not in d or any(n not in d for n in names):
            return psn_cash_pay  # a field already refused names itself
        paid = sum((d[n] for n in names), psn_cash_pay)
        if paid != d["medfee_sumamt"]:
            raise ValueError(
                f"medfee_sumamt {d['medfee_sumamt']} is not hifp_pay + hifmi_pay + maf_pay + oth_pay + acct_pay + "
                f"psn_cash_pay ({paid})"
            )
        return psn_cash_pay


MONEY_FIELDS = (
    "medfee_sumamt",
    "inscp_scp_amt",
    "fulamt_ownpay_amt",
    "act_pay_dedc",
    "hifp_pay",
    "hifmi_pay",
    "maf_pay",
    "oth_pay",
    "acct_pay",
    "psn_cash_pay",
)


def _fingerprint(body: PlatformSettlementIn) -> str:
    return hashlib.sha256(json.dumps(body.model_dump(mode="json"), sort_keys=True).encode()).hexdigest()


def platform_view(row: Record) -> dict[str, Any]:
    return {
        "admission_id": row["admission_id"],
        "setl_id": row["setl_id"],
        "mdtrt_id": row["mdtrt_id"],
        "facility_id": row["facility_id"],
        "setl_time": row["setl_time"],
        **{name: row[name] for name in MONEY_FIELDS},
        "posted_by": row["posted_by"],
        "posted_role": row["posted_role"],
        "posted_at": row["posted_at"],
    }


async def post_platform_settlement(
    ctx: Ctx, principal: Principal, admission_id: str, body: PlatformSettlementIn
) -> tuple[int, dict[str, Any]]:
    """201 with the stored result; 200 when the same result comes again; 409 when the
    admission already has another result or the ``setl_id`` belongs to another admission."""
    repo = ctx.repo
    adm = await repo.get_admission(admission_id, for_update=True)
    if adm is None:
        raise unknown("admission", admission_id, now=clock.now(), field="admission_id")
    require_facility(principal, adm["facility_id"], f"admission {admission_id}")
    if adm["setl_id"] and adm["setl_id"] != body.setl_id:
        raise ValidationFailed(
            f"the admission's national settlement id is {adm['setl_id']}, not {body.setl_id}",
            field="setl_id",
            rule="LJ-13.1",
        )
    fp = _fingerprint(body)
    standing = await repo.get_platform_settlement(admission_id)
    if standing is not None:
        if standing["fingerprint"] == fp:
            return 200, platform_view(standing)
        raise Conflict(
            f"admission {admission_id} already has the national settlement result {standing['setl_id']}",
            field="setl_id",
            rule="LJ-13.1",
        )
    if await repo.find_platform_settlement(body.setl_id) is not None:
        raise Conflict(f"settlement id {body.setl_id} belongs to another admission", field="setl_id", rule="LJ-13.1")
    now = clock.now()
    row = {
        "admission_id": admission_id,
        "facility_id": adm["facility_id"],
        **body.model_dump(),
        "fingerprint": fp,
        "posted_by": principal.subject,
        "posted_role": principal.role.value,
        "posted_at": now,
    }
    await repo.insert_platform_settlement(row)
    await ctx.uow.audit(
        principal,
        "platform_settlement.post",
        f"admission:{admission_id}",
        reason=f"LJ-13.1 national one-stop settlement {body.setl_id}",
        details={"setl_id": body.setl_id, "maf_pay": str(body.maf_pay), "medfee_sumamt": str(body.medfee_sumamt)},
    )
    # SPEC 0.5: a statement issued before the result stood on the own computation only.
    await settlements.follow_changed_fact(ctx, admission_id, f"national one-stop settlement {body.setl_id} posted")
    return 201, platform_view(row)
