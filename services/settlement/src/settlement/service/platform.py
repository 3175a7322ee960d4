"""The national one-stop result as the fact (LJ-13.1, SPEC 0.5).

Where the hospital settled the admission on the national medical-security platform (一站式
结算), it posts the platform's result (interface 2207 output: ``setl_id``, ``hifp_pay``,
``hifmi_pay``, ``maf_pay``, ``psn_cash_pay`` …). Settlement then takes basic insurance,
critical illness and medical aid from it — aid checked against LJ-6.2 (100 %, the yearly
ceiling of this service's ledger) — computes the support fund and the self-pay treatment
itself, and flags every difference from its own computation. Without it, settlement computes
as before from the versioned parameters. A result posted after the statement is a changed
fact: the statement is reversed and issued again on it.

A posted result can be corrected — a new revision of the same ``setl_id``, naming the revision
it corrects and why — or reversed on the platform (2208 撤销结算). Either is a changed fact: the
standing statement is reversed and issued again in the same aid-ceiling ledger (LJ-6.2), with
events and the reason. Every revision stays as it was posted. A correction equal to the result
in force is answered as already done; one naming a revision no longer in force is refused as
stale, so two corrections never silently overwrite each other."""

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
from medaid_shared.pagination import PageRequest
from settlement.service import settlements
from settlement.service.context import Ctx
from settlement.service.ports import Record
from settlement.service.scope import require_facility

Amount = Annotated[Decimal, Field(ge=0, max_digits=14, decimal_places=2, description="CNY, 2 decimals, ≥ 0")]
PlatformId = Annotated[str, Field(min_length=1, max_length=30, pattern=r"^[A-Za-z0-9_\-]+$")]


class PlatformSettlementIn(BaseModel):
    """The national platform's settlement result (2207 output), named as the platform names it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "setl_id": "450200202612110000456",
                    "mdtrt_id": "450200G0000012345678",
                    "setl_time": "2026-12-11T02:20:00Z",
                    "medfee_sumamt": "2850.00",
                    "inscp_scp_amt": "1770.00",
                    "fulamt_ownpay_amt": "1080.00",
                    "act_pay_dedc": "400.00",
                    "hifp_pay": "1096.00",
                    "hifmi_pay": "0.00",
                    "maf_pay": "674.00",
                    "oth_pay": "1080.00",
                    "acct_pay": "0.00",
                    "psn_cash_pay": "0.00",
                }
            ]
        },
    )

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


class PlatformCorrectionIn(PlatformSettlementIn):
    """A corrected national result for the same ``setl_id`` (LJ-13.1, SPEC 0.5)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "setl_id": "450200202612110000456",
                    "mdtrt_id": "450200G0000012345678",
                    "setl_time": "2026-12-11T02:20:00Z",
                    "medfee_sumamt": "2850.00",
                    "inscp_scp_amt": "1770.00",
                    "fulamt_ownpay_amt": "1080.00",
                    "act_pay_dedc": "300.00",
                    "hifp_pay": "1176.00",
                    "hifmi_pay": "0.00",
                    "maf_pay": "594.00",
                    "oth_pay": "1080.00",
                    "acct_pay": "0.00",
                    "psn_cash_pay": "0.00",
                    "corrects_revision": 1,
                    "reason": "医保中心更正：起付线按300元重算 (deductible recomputed at 300.00)",
                }
            ]
        }
    )

    corrects_revision: int = Field(ge=1, description="the revision in force this corrects (stale ones are refused)")
    reason: str = Field(min_length=3, max_length=500, description="why the platform's result was corrected")


class PlatformReversalIn(BaseModel):
    """The national settlement reversed on the platform (2208 撤销结算)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"setl_id": "450200202612110000456", "revision": 1, "reason": "结算有误，医保中心撤销后重新结算"}
            ]
        },
    )

    setl_id: PlatformId = Field(description="结算ID of the result in force")
    revision: int = Field(ge=1, description="the revision in force (stale ones are refused)")
    reason: str = Field(min_length=3, max_length=500)


def _fingerprint(body: PlatformSettlementIn) -> str:
    """Of the result's own fields only (a correction's reason and revision are not the result)."""
    fields = set(PlatformSettlementIn.model_fields)
    return hashlib.sha256(json.dumps(body.model_dump(mode="json", include=fields), sort_keys=True).encode()).hexdigest()


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
        "revision": row["revision"],
        "reason": row["reason"],
        "reversed_at": row.get("reversed_at"),
        "reversal_reason": row.get("reversal_reason"),
    }


async def _locked_admission(ctx: Ctx, principal: Principal, admission_id: str) -> Record:
    adm = await ctx.repo.get_admission(admission_id, for_update=True)  # one change of its facts at a time
    if adm is None:
        raise unknown("admission", admission_id, now=clock.now(), field="admission_id")
    require_facility(principal, adm["facility_id"], f"admission {admission_id}")
    return adm


def _row(principal: Principal, adm: Record, body: PlatformSettlementIn, revision: int, reason: str | None) -> Record:
    return {
        "admission_id": adm["admission_id"],
        "revision": revision,
        "facility_id": adm["facility_id"],
        **body.model_dump(include=set(PlatformSettlementIn.model_fields)),
        "fingerprint": _fingerprint(body),
        "posted_by": principal.subject,
        "posted_role": principal.role.value,
        "posted_at": clock.now(),
        "reason": reason,
    }


async def post_platform_settlement(
    ctx: Ctx, principal: Principal, admission_id: str, body: PlatformSettlementIn
) -> tuple[int, dict[str, Any]]:
    """201 with the stored result; 200 when the same result comes again; 409 when the
    admission already has another result in force (correct it, or reverse it first) or the
    ``setl_id`` belongs to another admission or was reversed."""
    repo = ctx.repo
    adm = await _locked_admission(ctx, principal, admission_id)
    standing = await repo.get_platform_settlement(admission_id)
    # LJ-13.1: the id referral gave the admission binds its first result; once a result is
    # reversed on the platform (2208) the new settlement carries a new id
    reversed_before = standing is not None and standing["reversed_at"] is not None
    if adm["setl_id"] and adm["setl_id"] != body.setl_id and not reversed_before:
        raise ValidationFailed(
            f"the admission's national settlement id is {adm['setl_id']}, not {body.setl_id}",
            field="setl_id",
            rule="LJ-13.1",
        )
    if standing is not None and standing["reversed_at"] is None:
        if standing["fingerprint"] == _fingerprint(body):
            return 200, platform_view(standing)
        raise Conflict(
            f"admission {admission_id} already has the national settlement result {standing['setl_id']} "
            f"(revision {standing['revision']}): post a correction of it, or its reversal first",
            field="setl_id",
            rule="LJ-13.1",
        )
    found = await repo.find_platform_settlement(body.setl_id)
    if found is not None and found["admission_id"] != admission_id:
        raise Conflict(f"settlement id {body.setl_id} belongs to another admission", field="setl_id", rule="LJ-13.1")
    if found is not None:
        raise Conflict(
            f"national settlement {body.setl_id} was reversed on the platform; a new settlement has a new id",
            field="setl_id",
            rule="LJ-13.1",
        )
    revision = 1
    if standing is not None:  # reversed: the new result follows it
        revision = standing["revision"] + 1
        await repo.update_platform_settlement(admission_id, standing["revision"], {"superseded_at": clock.now()})
    row = _row(principal, adm, body, revision, None)
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


async def list_revisions(ctx: Ctx, principal: Principal, admission_id: str, page: PageRequest) -> list[dict[str, Any]]:
    """LJ-13.1 / SPEC 0.5: one page of every national result revision posted for the admission,
    first posted first — corrections and reversals as they were recorded, each with when it
    stopped being in force."""
    adm = await ctx.repo.get_admission(admission_id)
    if adm is None:
        raise unknown("admission", admission_id, now=clock.now(), field="admission_id")
    require_facility(principal, adm["facility_id"], f"admission {admission_id}")
    return [revision_view(r) for r in await ctx.repo.platform_revisions(admission_id, page)]


def revision_view(row: Record) -> dict[str, Any]:
    return {**platform_view(row), "superseded_at": row.get("superseded_at")}


async def _in_force(ctx: Ctx, admission_id: str, setl_id: str, what: str) -> Record:
    standing = await ctx.repo.get_platform_settlement(admission_id)
    if standing is None:
        raise Conflict(
            f"admission {admission_id} has no national settlement result to {what}", field="setl_id", rule="LJ-13.1"
        )
    if standing["setl_id"] != setl_id:
        raise ValidationFailed(
            f"the national settlement in force for admission {admission_id} is {standing['setl_id']}, not {setl_id}"
            + (": a new settlement id follows the reversal of this one" if what == "correct" else ""),
            field="setl_id",
            rule="LJ-13.1",
        )
    return standing


def _stale(standing: Record, revision: int, field: str) -> Conflict:
    return Conflict(
        f"revision {revision} of national settlement {standing['setl_id']} is not in force: revision "
        f"{standing['revision']} is (posted {standing['posted_at'].isoformat()}); decide on that one",
        field=field,
        rule="LJ-13.1",
        extra={"revision": standing["revision"]},
    )


async def correct_platform_settlement(
    ctx: Ctx, principal: Principal, admission_id: str, body: PlatformCorrectionIn
) -> tuple[int, dict[str, Any]]:
    """LJ-13.1 / SPEC 0.5: a corrected result of the same ``setl_id``. 201 with the new
    revision, the standing statement reversed and issued again on it; 200 when it equals
    the result in force (a repeated correction); 409 when it names a revision no longer in
    force (stale) or the result was reversed."""
    repo = ctx.repo
    adm = await _locked_admission(ctx, principal, admission_id)
    standing = await _in_force(ctx, admission_id, body.setl_id, "correct")
    if standing["reversed_at"] is not None:
        raise Conflict(
            f"national settlement {body.setl_id} was reversed on the platform: post the new settlement instead",
            field="setl_id",
            rule="LJ-13.1",
        )
    if standing["fingerprint"] == _fingerprint(body):
        return 200, platform_view(standing)
    if body.corrects_revision != standing["revision"]:
        raise _stale(standing, body.corrects_revision, "corrects_revision")
    revision = standing["revision"] + 1
    await repo.update_platform_settlement(admission_id, standing["revision"], {"superseded_at": clock.now()})
    row = _row(principal, adm, body, revision, body.reason)
    await repo.insert_platform_settlement(row)
    await ctx.uow.audit(
        principal,
        "platform_settlement.correct",
        f"admission:{admission_id}",
        reason=f"LJ-13.1 national one-stop settlement {body.setl_id} corrected: {body.reason}",
        details={"setl_id": body.setl_id, "revision": revision, "corrects_revision": standing["revision"]},
    )
    await settlements.follow_changed_fact(
        ctx, admission_id, f"national one-stop settlement {body.setl_id} corrected (revision {revision}): {body.reason}"
    )
    return 201, platform_view(row)


async def reverse_platform_settlement(
    ctx: Ctx, principal: Principal, admission_id: str, body: PlatformReversalIn
) -> tuple[int, dict[str, Any]]:
    """LJ-13.1 / SPEC 0.5: the national settlement was reversed on the platform. 200 with the
    result marked reversed; the standing statement is reversed and issued again on the own
    computation. A repeated reversal changes nothing; a stale revision is refused (409)."""
    repo = ctx.repo
    await _locked_admission(ctx, principal, admission_id)
    standing = await _in_force(ctx, admission_id, body.setl_id, "reverse")
    if standing["reversed_at"] is not None:
        return 200, platform_view(standing)
    if body.revision != standing["revision"]:
        raise _stale(standing, body.revision, "revision")
    values = {"reversed_at": clock.now(), "reversal_reason": body.reason}
    await repo.update_platform_settlement(admission_id, standing["revision"], values)
    await ctx.uow.audit(
        principal,
        "platform_settlement.reverse",
        f"admission:{admission_id}",
        reason=f"LJ-13.1 national one-stop settlement {body.setl_id} reversed: {body.reason}",
        details={"setl_id": body.setl_id, "revision": standing["revision"]},
    )
    await settlements.follow_changed_fact(
        ctx, admission_id, f"national one-stop settlement {body.setl_id} reversed on the platform: {body.reason}"
    )
    return 200, platform_view({**standing, **values})
