"""The other decisions the APIs offer, each as a form: declared as data (who may, which
service and path, which fields), rendered by one template and sent by one handler. The
service decides; its RFC 9457 answer is shown next to the field it names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from starlette.datastructures import FormData

from medaid_shared.clock import SHANGHAI


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"  # text | textarea | bool | select | multi | datetime | date | list
    required: bool = False
    options: tuple[tuple[str, str], ...] = ()
    hint: str = ""


@dataclass(frozen=True)
class Action:
    key: str
    title: str
    rule: str
    roles: frozenset[str]
    service: str
    path: str  # with {id}
    subject: str  # what the id names, in Chinese
    fields: tuple[Field, ...] = ()
    # a select whose value ends the path (one form for a decision the service takes at two
    # paths, e.g. confirm or reject); it is not sent in the body
    path_field: str | None = None

    def url(self, ident: str, body: dict[str, Any] | None = None) -> str:
        """The service path for the record ``ident``; ``path_field`` is taken out of ``body``."""
        if self.path_field is None:
            return self.path.format(id=ident)
        chosen = (body or {}).pop(self.path_field, "")
        allowed = {value for f in self.fields if f.name == self.path_field for value, _ in f.options}
        if chosen not in allowed:
            raise ValueError(self.path_field)
        return self.path.format(id=ident, **{self.path_field: chosen})


YES_NO = (("true", "是"), ("false", "否"))
CIVIL_AFFAIRS_STATUSES = (
    ("destitute", "特困人员"),
    ("orphan", "孤儿"),
    ("de_facto_unsupported_child", "事实无人抚养儿童"),
    ("minimum_living", "低保对象"),
    ("marginal_family", "低保边缘家庭成员"),
    ("hardship_family", "刚性支出困难家庭成员"),
    ("none", "均不是"),
)


def _roles(*names: str) -> frozenset[str]:
    return frozenset(names)


ACTIONS: tuple[Action, ...] = (
    Action(
        "referral-approval",
        "异地转诊审批",
        "LJ-4.3a",
        _roles("medical_insurance"),
        "referral",
        "/referrals/{id}/approval",
        "转诊编号",
        (
            Field("approved", "审批结果", "bool", True, (("true", "同意"), ("false", "不同意"))),
            Field("reference", "审批文号", required=True),
            Field("reason", "理由", "textarea", True),
        ),
    ),
    Action(
        "reimbursement-application",
        "申请手工报销（出院后规定工作日内）",
        "LJ-13.2",
        _roles("medical_insurance", "institution", "village_committee"),
        "settlement",
        "/reimbursements/{id}/application",
        "结算单号",
    ),
    Action(
        "reimbursement-review",
        "审核手工报销申请",
        "LJ-13.2",
        _roles("medical_insurance"),
        "settlement",
        "/reimbursements/{id}/review",
        "结算单号",
        (
            Field("outcome", "审核结果", "select", True, (("approved", "同意报销"), ("rejected", "不予报销"))),
            Field("basic_insurance", "基本医疗保险报销（元，同意时填写）"),
            Field("critical_illness", "大病保险报销（元，同意时填写）"),
            Field("medical_aid", "医疗救助（元，同意时填写）"),
            Field("reasons", "不予报销的理由（每行一条）", "list"),
        ),
    ),
    Action(
        "reimbursement-payment",
        "登记手工报销支付",
        "LJ-13.2",
        _roles("medical_insurance"),
        "settlement",
        "/reimbursements/{id}/payment",
        "结算单号",
        (
            Field("amount", "支付金额（元）", required=True),
            Field("payment_ref", "支付凭证号", required=True),
        ),
    ),
    Action(
        "analytics-run",
        "运行季度费用分析",
        "LJ-8、LJ-9、LJ-15.4",
        _roles("civil_affairs", "medical_insurance"),
        "settlement",
        "/analytics/{id}/run",
        "季度（如 2026Q4）",
    ),
    Action(
        "visit",
        "登记随访",
        "LJ-16",
        _roles("town_government"),
        "referral",
        "/persons/{id}/visits",
        "人员编号",
        (
            Field("visited_at", "随访时间（北京时间）", "datetime", True),
            Field("visitor", "随访人", required=True),
            Field("needs_care", "需要照护", "bool", False, YES_NO),
            Field("notes", "情况记录", "textarea"),
        ),
    ),
    Action(
        "health-plan",
        "制定康复和健康计划",
        "LJ-15.1",
        _roles("institution", "village_committee"),
        "referral",
        "/persons/{id}/health-plans",
        "人员编号",
        (
            Field("admission_id", "住院记录", required=True),
            Field("plan", "计划内容", "textarea", True),
            Field("guardian_participated", "监护人参与", "bool", True, YES_NO),
            Field("review_on", "复核日期", "date"),
        ),
    ),
    Action(
        "phone-report",
        "电话报备",
        "LJ-4.2d",
        _roles("institution", "village_committee"),
        "referral",
        "/admissions/{id}/phone-report",
        "住院记录",
        (Field("reported_to", "报备对象", required=True), Field("notes", "备注", "textarea")),
    ),
    Action(
        "guardian-absence",
        "核实无监护人",
        "LJ-10",
        _roles("civil_affairs", "town_government"),
        "consent",
        "/persons/{id}/guardian-absence",
        "人员编号",
        (Field("evidence_ref", "证明材料编号", required=True), Field("evidence_note", "说明", "textarea")),
    ),
    Action(
        "rank4-acknowledgement",
        "确认收到第四顺位签字备案",
        "LJ-10",
        _roles("civil_affairs"),
        "consent",
        "/rank4-signatures/{id}/acknowledgement",
        "签字编号（知情同意书）",
        (Field("note", "备注", "textarea"),),
    ),
    Action(
        "public-interest-decision",
        "确认或不予确认第四顺位签字涉及的重大公共利益",
        "LJ-10",
        _roles("civil_affairs"),
        "consent",
        "/rank4-signatures/{id}/public-interest/{decision}",
        "签字编号（知情同意书）",
        (
            Field(
                "decision",
                "决定",
                "select",
                True,
                (("confirmation", "确认涉及重大公共利益，签字生效"), ("rejection", "不予确认，签字不生效")),
            ),
            Field("reason", "理由", "textarea", True),
        ),
        path_field="decision",
    ),
    Action(
        "expert-assignment",
        "指派第三方专家",
        "LJ-11.2",
        _roles("health_bureau"),
        "consent",
        "/treatments/{id}/expert-assignment",
        "治疗记录",
        (Field("specialty", "专业"),),
    ),
    Action(
        "civil-affairs-check",
        "民政身份核查",
        "GD-22.3",
        _roles("civil_affairs"),
        "emergency-fund",
        "/cases/{id}/civil-affairs-check",
        "救助个案",
        (
            Field("statuses", "核查结果", "multi", True, CIVIL_AFFAIRS_STATUSES),
            Field("note", "说明", "textarea"),
        ),
    ),
    Action(
        "vagrant-registration",
        "流浪乞讨人员登记",
        "GD-18.2",
        _roles("civil_affairs"),
        "emergency-fund",
        "/cases/{id}/vagrant-registration",
        "救助个案",
        (Field("registration_no", "登记编号", required=True), Field("agency", "救助管理机构", required=True)),
    ),
    Action(
        "refund-demand",
        "要求退回基金",
        "GD-16.4",
        _roles("fund_agency"),
        "emergency-fund",
        "/cases/{id}/refund-demand",
        "救助个案",
        (Field("reason", "理由", "textarea", True),),
    ),
    Action(
        "blacklist",
        "列入失信名单",
        "GD-24",
        _roles("fund_agency"),
        "emergency-fund",
        "/blacklist",
        "城市代码",
        (
            Field("case_id", "救助个案"),
            Field("id_number", "公民身份号码"),
            Field("reason", "理由", "textarea", True),
            Field("evidence", "证据材料（每行一项）", "list", True),
        ),
    ),
)

BY_KEY = {a.key: a for a in ACTIONS}


def actions_for(role: str) -> list[Action]:
    return [a for a in ACTIONS if role in a.roles]


def body_of(action: Action, ident: str, form: FormData) -> dict[str, Any]:
    """The JSON body from the form; an empty optional field is left out (the service's
    default), a wrong value is sent as typed so the service names the field."""
    body: dict[str, Any] = {}
    if action.key == "blacklist":
        body["city"] = ident
    for f in action.fields:
        if f.kind == "multi":
            values = [v for v in form.getlist(f.name) if isinstance(v, str) and v]
            if values:
                body[f.name] = values
            continue
        raw = form.get(f.name)
        value = raw.strip() if isinstance(raw, str) else ""
        if not value:
            continue
        if f.kind == "bool":
            body[f.name] = value == "true"
        elif f.kind == "list":
            body[f.name] = [v for v in re.split(r"[\r\n,，;；]+", value) if v.strip()]
        elif f.kind == "datetime":
            body[f.name] = _shanghai_instant(value)
        elif f.kind == "date":
            body[f.name] = _date(value)
        else:
            body[f.name] = value
    return body


def _shanghai_instant(value: str) -> str:
    """A ``datetime-local`` value is wall time in Asia/Shanghai (SPEC 0.1)."""
    try:
        return datetime.fromisoformat(value).replace(tzinfo=SHANGHAI).isoformat()
    except ValueError:
        return value


def _date(value: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        return value
