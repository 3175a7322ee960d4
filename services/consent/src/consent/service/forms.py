"""Print-ready HTML of the LJ annexes, rendered from the records:

- annex 3 《柳江区特困人员自费项目使用知情同意书》 (LJ-7.1) — the self-pay informed-consent form,
  with the initial review (LJ-7.2) and the civil-affairs filing and review (LJ-7.3);
- annex 4 《重大治疗评估备案表》 (LJ-11.2) — the major-treatment evaluation record.

Names travel masked (SPEC 0.4); the annex-3 form the patient side signs shows the patient's,
the signer's and the filing unit's names to the roles entitled to print it, each personal
name read audit-logged; instants are shown in Asia/Shanghai (SPEC 0.1)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from typing import Any

from consent.domain.model import Admission, Facility, Person
from consent.service.common import decrypt, load_person, open_sealed_name
from consent.service.consents import signer_name_aad
from consent.service.major import get_evaluation
from consent.service.ports import Ctx
from consent.service.selfpay import get_item, reviewer_name_aad
from consent.service.treatments import get_treatment
from medaid_shared import clock
from medaid_shared.authz import Principal
from medaid_shared.errors import NotFound
from medaid_shared.identifiers import ADMISSION_IDENTIFIERS
from medaid_shared.minimisation import FULL_READ_OPERATIONS

SUPPORT = {"centralized": "集中供养", "decentralized": "分散供养"}
CATEGORY = {"drug": "药品", "consumable": "耗材", "test": "检查"}
MAJOR = {"surgery": "手术", "high_risk_procedure": "高风险操作", "high_self_pay_item": "高额自费项目"}
ROLE = {
    "patient": "本人",
    "guardian": "法定监护人/义务人",
    "agent": "委托代理人",
    "institution": "供养机构负责人",
    "village_committee": "村（居）民委员会负责人",
    "town_government": "镇人民政府社会救助经办机构",
    "civil_affairs": "区民政局社会救助股",
    "hospital": "医疗机构",
    "system": "系统",
}
OUTCOME = {
    "approved": "同意",
    "objected": "有异议",
    "filed": "已报备",
    "signed": "已签字",
    "rejected": "不同意",
    "emergency": "急救（先行使用）",
    "below_threshold": "单次费用不足起审金额，登记备查",
    "proceed": "可以实施",
    "do_not_proceed": "不宜实施",
}
REVIEW_OUTCOME = {**OUTCOME, "rejected": "有异议"}
"""A review step's words on the form: a rejection there is an objection (有异议)."""
SKIP = {
    "no_capacity_assessment": "未经民事行为能力评估",
    "not_fully_capable_or_lucid": "经评估不具备完全民事行为能力或神志不清",
    "guardian_verified_none": "经核实无法定监护人/义务人",
    "no_written_agent": "无书面委托代理人",
    "delegation_expired": "书面委托已过期",
    "delegation_not_yet_valid": "书面委托尚未生效",
    "no_head_on_file": "无供养机构/村（居）委会记录",
    "major_public_interest": "涉及重大公共利益",
}

CSS = """
@page { size: A4; margin: 18mm 16mm; }
body { font-family: "SimSun", "Songti SC", "Noto Serif CJK SC", serif; font-size: 12pt; color: #000; }
h1 { text-align: center; font-size: 18pt; margin: 0 0 4mm; }
.sub { text-align: center; margin-bottom: 6mm; }
table { width: 100%; border-collapse: collapse; margin-bottom: 4mm; page-break-inside: avoid; }
th, td { border: 1px solid #000; padding: 2mm 3mm; vertical-align: top; text-align: left; }
th { width: 24%; font-weight: normal; background: #f2f2f2; }
.sign { height: 14mm; }
.note { font-size: 10pt; }
@media print { .noprint { display: none; } }
"""


def _t(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        return escape(clock.to_local(value).strftime("%Y-%m-%d %H:%M"))
    return escape(str(value))


def _page(title: str, subtitle: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>"
        f"<h1>{escape(title)}</h1><div class='sub'>{subtitle}</div>{body}"
        f"<p class='note'>打印时间：{_t(clock.now())}（北京时间）</p></body></html>"
    )


def _rows(rows: list[tuple[str, str]]) -> str:
    return "".join(f"<tr><th>{escape(k)}</th><td>{v}</td></tr>" for k, v in rows)


@dataclass(frozen=True)
class FormNames:
    """LJ annex 3: the names printed instead of ids, where consent knows them."""

    patient: str | None = None
    signer: str | None = None
    units: Mapping[str, str] = field(default_factory=dict)
    # the reviewers' display names, by (review stage, reviewer id)
    reviewers: Mapping[tuple[str, str], str] = field(default_factory=dict)

    def reviewer(self, stage: str, actor: str) -> str:
        return _t(self.reviewers.get((stage, actor)) or actor)

    def unit(self, unit_id: str | None) -> str:
        name = self.units.get(unit_id or "")
        return f"{_t(name)}（{_t(unit_id)}）" if name else _t(unit_id)


def _person_rows(
    person: Person,
    facility: Facility | None,
    facility_id: str,
    admission_id: str,
    admission: Admission | None,
    names: FormNames | None = None,
) -> str:
    names = names or FormNames()
    full_name = names.patient
    where = (
        f"供养机构：{names.unit(person.institution_id)}"
        if person.centralized
        else f"村（居）委：{names.unit(person.village_id)}　镇：{_t(person.town_id)}"
    )
    return _rows(
        [
            ("患者姓名", _t(full_name or person.name_masked)),
            ("供养方式", f"{SUPPORT.get(person.support_type, _t(person.support_type))}　{where}"),
            ("医疗机构", _t(facility.name if facility else facility_id)),
            *((label, _t(getattr(admission, name, None) or "—")) for name, label in ADMISSION_IDENTIFIERS.items()),
            ("救助登记号", _t(admission_id)),
        ]
    )


def _signature(consent: dict[str, Any] | None, signer_name: str | None = None) -> str:
    if consent is None:
        return _rows(
            [
                ("签字人（顺位）", "<div class='sign'></div>"),
                ("与患者关系", ""),
                ("签字时间", "　　年　　月　　日"),
            ]
        )
    skipped = "；".join(
        f"第{s['rank']}顺位：" + "、".join(SKIP.get(r, r) for r in s["reasons"]) for s in consent["skipped_ranks"]
    )
    signer = consent["signer"]
    rows = [
        (
            "签字人",
            f"{_t(signer_name or signer['signer_id'])}（{ROLE.get(signer['role'], _t(signer['role']))}，第{signer['rank']}顺位）",
        ),
        ("越位原因", escape(skipped) if skipped else "无（最高顺位签字）"),
        ("签字时间", _t(consent["signed_at"])),
    ]
    if consent["filed_with_civil_affairs"]:
        rows.append(("民政备案", "第四顺位签字，报区民政局备案"))
    if consent.get("major_public_interest_reason"):
        rows.append(("重大公共利益", _t(consent["major_public_interest_reason"])))
    return _rows(rows)


def render_self_pay_form(
    item: dict[str, Any],
    person: Person,
    facility: Facility | None,
    admission: Admission | None,
    names: FormNames | None = None,
) -> str:
    """Annex 3 (LJ-7.1): 柳江区特困人员自费项目使用知情同意书."""
    names = names or FormNames()
    trail = item["trail"]
    steps = {
        "initial": [s for s in trail if s["step"] == "initial"],
        "civil_affairs_filing": [s for s in trail if s["step"] == "civil_affairs_filing"],
        "civil_affairs": [s for s in trail if s["step"] == "civil_affairs"],
    }

    def review_rows(stage: str, blank: str) -> str:
        if not steps[stage]:
            return _rows([(blank, "<div class='sign'></div>签字：　　　　　日期：　　年　　月　　日")])
        return _rows(
            [
                (
                    ROLE.get(s["role"], s["role"]),
                    f"{REVIEW_OUTCOME.get(s['outcome'], _t(s['outcome']))}　{_t(s['reason'])}"
                    f"<br>签字：{names.reviewer(stage, s['actor'])}　时间：{_t(s['at'])}",
                )
                for s in steps[stage]
            ]
        )

    initial_who = "供养机构负责人" if person.centralized else "村（居）民委员会负责人会同监护人或委托代理人"
    filing_who = "供养机构" if person.centralized else "镇人民政府社会救助经办机构"
    body = (
        "<h3>一、患者信息</h3><table>"
        + _person_rows(person, facility, item["facility_id"], item["admission_id"], admission, names)
        + "</table><h3>二、自费项目（医保目录外）</h3><table>"
        + _rows(
            [
                ("项目编码 / 名称", f"{_t(item['item_code'])}　{_t(item['item_name'])}"),
                ("类别", CATEGORY.get(item["category"], _t(item["category"]))),
                ("单价（元）", _t(item["unit_price"])),
                ("数量", _t(item["quantity"])),
                ("预估金额（元）", _t(item["amount"])),
                (
                    "本次住院累计自费（元）" if item["cumulative_scope"] == "admission" else "本年度累计自费（元）",
                    _t(item["cumulative_after"]),
                ),
                ("使用必要性", _t(item["necessity"])),
                ("主治医生", _t(item["attending_doctor"])),
                ("审核要求", "<br>".join(_t(r) for r in item["reasons"])),
            ]
        )
        + "</table><h3>三、告知与签字（第七条第1项、第十条）</h3>"
        "<p class='note'>特困人员住院医疗救助不设起付线，按应计入费用的100%给予救助；医保目录外自费项目须经"
        "“双审核”，未经审批的非急救自费项目不得从特困供养经费或救助资金中列支。本人（或签字人）已知晓上述项目的"
        "必要性及费用，同意使用。</p><table>"
        + _signature(item.get("consent_form"), names.signer)
        + f"</table><h3>四、初审意见（第七条第2项：{escape(initial_who)}）</h3><table>"
        + review_rows("initial", "初审意见")
        + "</table>"
    )
    if item["needs_civil_affairs"]:
        body += (
            f"<h3>五、民政备案（第七条第3项：由{escape(filing_who)}报柳江区民政局社会救助股）</h3><table>"
            + review_rows("civil_affairs_filing", "报备")
            + review_rows("civil_affairs", "审核意见")
            + "</table>"
        )
    body += (
        "<h3>审批结果</h3><table>"
        + _rows(
            [
                ("结果", OUTCOME.get(item["outcome"], "审核中") if item["outcome"] else "审核中"),
                ("决定时间", _t(item["decided_at"])),
                ("参数版本", _t(item["parameters_version"])),
                ("项目编号", _t(item["item_id"])),
            ]
        )
        + "</table>"
    )
    return _page("柳江区特困人员自费项目使用知情同意书", "（附件3　试用）", body)


def render_evaluation_record(
    record: dict[str, Any],
    treatment: dict[str, Any],
    person: Person,
    facility: Facility | None,
    admission: Admission | None,
    names: FormNames | None = None,
) -> str:
    """Annex 4 (LJ-11.2): 重大治疗评估备案表."""
    names = names or FormNames()
    att = record["attending"]
    exp = record["expert"]
    rotation = (record.get("assignment") or {}).get("rotation") or {}
    body = (
        "<h3>一、患者信息</h3><table>"
        + _person_rows(person, facility, treatment["facility_id"], treatment["admission_id"], admission, names)
        + "</table><h3>二、拟实施的重大治疗</h3><table>"
        + _rows(
            [
                ("类别", MAJOR.get(treatment["category"] or "", _t(treatment["category"]))),
                ("治疗内容", _t(treatment["description"])),
                ("主治医生", _t(att["doctor"] or treatment["attending_doctor"])),
            ]
        )
        + "</table><h3>三、主治医生评估意见</h3><table>"
        + _rows(
            [
                ("评估意见", _t(att["opinion"])),
                ("建议", OUTCOME.get(att["recommendation"] or "", "")),
                ("签字 / 时间", f"{_t(att['doctor'])}　{_t(att['at'])}"),
            ]
        )
        + "</table><h3>四、第三方专家评估意见（区卫健局质控专家库无偿选派）</h3><table>"
        + _rows(
            [
                ("专家", f"{_t(exp.get('name'))}（{_t(exp.get('expert_id'))}）"),
                ("所在医院 / 专业", f"{names.unit(exp.get('hospital_id'))}　{_t(exp.get('specialty'))}"),
                (
                    "选派方式",
                    "轮换选派（最久未选派者优先），非本院专家" if rotation else "",
                ),
                ("评估意见", _t(exp.get("opinion"))),
                ("建议", OUTCOME.get(exp.get("recommendation") or "", "")),
                ("签字 / 时间", f"{_t(exp.get('expert_id'))}　{_t(exp.get('at'))}"),
            ]
        )
        + "</table><h3>五、评估结论</h3><table>"
        + _rows(
            [
                ("结论", OUTCOME.get(record["conclusion"] or "", "评估未完成")),
                ("完成时间", _t(record["completed_at"])),
                ("备案编号", _t(record["evaluation_id"])),
            ]
        )
        + "</table><p class='note'>评估完成后方可开展，并仍须按第十条签字主体顺位签署知情同意。</p>"
    )
    consent = treatment.get("consent")
    body += "<h3>六、知情同意签字（第十条）</h3><table>" + _signature(consent, names.signer) + "</table>"
    return _page("重大治疗评估备案表", "（附件4　试用）", body)


ANNEX_3 = "GET /self-pay-items/{item_id}/consent-form.html"
ANNEX_4 = "GET /treatments/{treatment_id}/evaluation-record.html"


def entitled_to_names(principal: Principal, operation: str) -> bool:
    """SPEC 0.4: the roles the minimisation table shows a form's full names to; every other
    role that may read the record prints it with names masked and people by id."""
    read = next(r for r in FULL_READ_OPERATIONS if r.service == "consent" and r.operation == operation)
    return principal.role.value in read.roles


async def _patient_name(ctx: Ctx, principal: Principal, person: Person, reason: str) -> str | None:
    if not person.name_sealed:
        return None
    full_name = open_sealed_name(ctx, person.name_sealed)
    await ctx.uow.audit(principal, "person.read_name", person.person_id, reason=reason)
    return full_name


async def self_pay_form(ctx: Ctx, principal: Principal, item_id: str) -> str:
    item = await get_item(ctx, principal, item_id)
    person = await load_person(ctx, item["person_id"])
    facility = await ctx.repo.facility(item["facility_id"])
    await ctx.uow.audit(principal, "form.print", item_id, details={"form": "annex3_self_pay_informed_consent"})
    names = FormNames(units=await _unit_names(ctx, person))
    if entitled_to_names(principal, ANNEX_3):
        # SPEC 0.4 / LJ-7.1: the patient side signs this form, so it shows the full name to
        # the roles entitled to print it; reading it is audit-logged like any full-ID read.
        reason = f"annex 3 form {item_id}"
        full_name = await _patient_name(ctx, principal, person, reason)
        names = FormNames(
            patient=full_name,
            signer=await _signer_name(ctx, principal, item.get("consent_form"), person, full_name, reason),
            units=names.units,
            reviewers=await _reviewer_names(ctx, principal, item_id),
        )
    admission = await ctx.repo.admission(item["admission_id"])
    return render_self_pay_form(item, person, facility, admission, names)


async def _signer_name(
    ctx: Ctx,
    principal: Principal,
    form: dict[str, Any] | None,
    person: Person,
    full_name: str | None,
    reason: str,
) -> str | None:
    """LJ annex 3 / annex 4: who signed, by name — the patient's own full name; a guardian's
    or written agent's full name from the signing-authority record referral sealed for this
    service; else the signer's display name recorded at signing. Opened here, the read
    audit-logged (SPEC 0.4)."""
    if form is None:
        return None
    signer_id = form["signer"]["signer_id"]
    if signer_id == person.person_id:
        return full_name
    sealed = person.signer_name_sealed(signer_id)
    if sealed is not None:
        name: str | None = open_sealed_name(ctx, sealed)
    else:
        row = await ctx.repo.get_consent(form["consent_id"])
        name = decrypt(ctx, row.signer_name_enc if row else None, signer_name_aad(form["consent_id"]))
    if name is not None:
        await ctx.uow.audit(principal, "consent.read_signer_name", form["consent_id"], reason=reason)
    return name


async def _reviewer_names(ctx: Ctx, principal: Principal, item_id: str) -> dict[tuple[str, str], str]:
    """LJ annex 3: who reviewed, by name — each reviewer's display name recorded at review
    (opened here, each read audit-logged like the signer's, SPEC 0.4)."""
    names: dict[tuple[str, str], str] = {}
    for review in await ctx.repo.reviews(item_id):
        name = decrypt(ctx, review.reviewer_name_enc, reviewer_name_aad(review.review_id))
        if name is not None:
            names[(review.stage, review.reviewer_id)] = name
            await ctx.uow.audit(
                principal, "self_pay.read_reviewer_name", review.review_id, reason=f"annex 3 form {item_id}"
            )
    return names


async def _unit_names(ctx: Ctx, person: Person) -> dict[str, str]:
    """The names of the person's institution or village committee, as they signed annex 1."""
    units: dict[str, str] = {}
    for unit_id in (person.institution_id, person.village_id):
        name = await ctx.repo.unit_name(unit_id) if unit_id else None
        if name is not None and unit_id:
            units[unit_id] = name
    return units


async def evaluation_record(ctx: Ctx, principal: Principal, treatment_id: str) -> str:
    treatment = await get_treatment(ctx, principal, treatment_id)
    if treatment["kind"] != "major":
        raise NotFound("only a major treatment has an evaluation record")
    record = await get_evaluation(ctx, principal, treatment_id)
    person = await load_person(ctx, treatment["person_id"])
    facility = await ctx.repo.facility(treatment["facility_id"])
    await ctx.uow.audit(principal, "form.print", treatment_id, details={"form": "annex4_major_evaluation_record"})
    units = await _unit_names(ctx, person)
    expert_hospital = (record.get("expert") or {}).get("hospital_id")
    hospital = await ctx.repo.facility(expert_hospital) if expert_hospital else None
    if hospital is not None:
        # LJ-11.2: the expert comes from another hospital; the record names it (not personal)
        units[hospital.facility_id] = hospital.name
    names = FormNames(units=units)
    if entitled_to_names(principal, ANNEX_4):
        # SPEC 0.4 / LJ-11.2: the record is filed with civil affairs and signed by the patient
        # side: the full names to the roles entitled to them, each read audit-logged.
        reason = f"annex 4 record {treatment_id}"
        full_name = await _patient_name(ctx, principal, person, reason)
        signer = await _signer_name(ctx, principal, treatment.get("consent"), person, full_name, reason)
        names = FormNames(patient=full_name, signer=signer, units=names.units)
    admission = await ctx.repo.admission(treatment["admission_id"])
    return render_evaluation_record(record, treatment, person, facility, admission, names)
