"""The domain's own Chinese terms for the codes the services answer with."""

from __future__ import annotations

from typing import Any

ROLES: dict[str, str] = {
    "civil_affairs": "区民政局社会救助股",
    "institution": "供养服务机构",
    "village_committee": "村（居）民委员会",
    "town_government": "镇人民政府 / 社会救助经办机构",
    "medical_insurance": "区医保局",
    "health_bureau": "区卫生健康局",
    "police": "县（市、区）公安局",
    "fund_agency": "疾病应急救助基金经办机构",
    "finance": "财政局",
    "hrss": "人力资源和社会保障局",
    "auditor": "监督管理委员会（只读）",
}

# Which scope a role's token carries (SPEC 0.3), for the development sign-in page.
SCOPE_HINTS: dict[str, str] = {
    "civil_affairs": "",
    "institution": "institution:机构编号",
    "village_committee": "village:村编号",
    "town_government": "town:镇编号",
    "medical_insurance": "",
    "health_bureau": "city:城市代码（基金事务）",
    "police": "jurisdiction:公安局编号 city:城市代码",
    "fund_agency": "city:城市代码",
    "finance": "city:城市代码",
    "hrss": "city:城市代码",
    "auditor": "city:城市代码",
}

STATUS: dict[str, str] = {
    # consent
    "awaiting_consent_form": "待签署知情同意书",
    "awaiting_initial_review": "待初审",
    "awaiting_civil_affairs_filing": "待报民政备案",
    "awaiting_civil_affairs_review": "待民政审核",
    "approved": "已同意",
    "rejected": "未同意",
    "objected": "有异议",
    "emergency": "急救（按已批准处理）",
    "below_threshold": "低于200元，无需审核",
    "self_pay_form": "自费项目知情同意书",
    # referral
    "pending": "待办",
    "pre_filed": "事前备案",
    "filed_in_time": "按时备案",
    "filed_late": "逾期备案",
    "phone_reported": "已电话报备",
    "form_in_time": "按时补交备案表",
    "form_late": "逾期补交备案表",
    "unfiled": "未备案",
    "not_required": "无需审批",
    "centralized": "集中供养",
    "decentralized": "分散供养",
    # identity check
    "awaiting_reply": "待复函",
    "overdue": "已逾期",
    "identified": "已查明身份",
    "not_identified": "未能查明身份",
    "closed": "已结案",
    # fund
    "submitted": "待经办机构审核",
    "agency_approved": "待卫生健康部门转报",
    "forwarded_to_finance": "待财政拨付",
    "disbursed": "已拨付",
    "written_off": "已核销",
    "withdrawn": "已撤回",
    "partially_approved": "部分同意",
    "hospital": "医疗机构",
    "agency": "经办机构",
    "running": "公示中",
    "ended": "公示期满",
    # settlement: manual reimbursement (LJ-13.2)
    "requested": "待申请报销",
    "applied": "已申请，待医保审核",
    "paid": "已支付",
    "reversed": "已冲销",
    # fund: existing channels (GD-18.1)
    "liable_party": "责任人",
    "work_injury_insurance": "工伤保险",
    "basic_medical_insurance": "基本医疗保险",
    "public_health_funds": "公共卫生经费",
    "medical_aid": "医疗救助",
    "road_traffic_accident_fund": "道路交通事故社会救助基金",
    "red_cross": "红十字疾病医疗救助基金",
    "claimed": "医疗机构申报，待确认",
    "confirmed": "已由主管部门确认",
    "waived": "经办机构免予确认",
    # fund: not payable (GD-14)
    "able_to_pay_refuses": "经查实身份、有负担能力但拒绝付费",
    "beyond_treatment_need": "超出疾病救治需要的不合理费用",
    "stable_long_stay_non_emergency": "病情平稳但长期住院的非急救费用",
    "after_emergency_period": "急救期后费用（由原渠道支付）",
    "accepted": "认定不予支付",
    # fund: extension of the emergency period (GD-13.3)
    "critically_ill_newborn": "危重新生儿",
    "poor_critically_ill_pregnant_woman": "贫困危重孕产妇",
}

PROBLEM_TITLES: dict[int, str] = {
    400: "请求有误",
    401: "登录已失效，请重新登录",
    403: "无权办理：角色或管辖范围不符",
    404: "未找到该记录（或相关信息尚未同步）",
    409: "与当前办理状态冲突（已办结或顺序不符）",
    410: "资料已按保存期限删除",
    413: "提交内容过大",
    415: "不支持的格式",
    422: "不符合规则或填写有误",
    503: "服务暂不可用，请稍后再试",
}


def status_label(code: Any) -> str:
    if code is None:
        return ""
    return STATUS.get(str(code), str(code))


def problem_title(status: int) -> str:
    return PROBLEM_TITLES.get(status, "服务未能办理")


SERVICE_NAMES: dict[str, str] = {
    "referral": "外出就医与转诊（referral）",
    "consent": "知情同意与自费项目（consent）",
    "settlement": "结算（settlement）",
    "emergency-fund": "疾病应急救助基金（emergency-fund）",
    "identity-check": "身份核查（identity-check）",
}

# Why a service's decision log failed verification (medaid_shared.audit), in the auditor's words.
AUDIT_BREAKS: tuple[tuple[str, str], ...] = (
    ("content does not match", "条目内容与其哈希不符：记录被修改"),
    ("inserted or deleted", "与前一条目的哈希不衔接：有条目被插入或删除"),
    ("does not end where its head", "链未止于链头：末尾条目被删除"),
    ("head but no entries", "有链头而无条目：整条链被删除"),
    ("earlier single chain", "早期单链的条目缺失"),
    ("head digest", "日志不再能复现已记录的链头摘要：链头被改写"),
)


def audit_break_label(reason: str | None) -> str:
    if not reason:
        return ""
    return next((zh for key, zh in AUDIT_BREAKS if key in reason), reason)
