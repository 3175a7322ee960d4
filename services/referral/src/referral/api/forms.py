"""Print-ready HTML of the outside-care filing form (外出就医备案表, LJ annex 1)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from medaid_shared.clock import to_local

LABELS = {
    "male": "男",
    "female": "女",
    "centralized": "集中供养",
    "decentralized": "分散供养",
    "full": "全失能",
    "semi": "半失能",
    "self_care": "生活自理",
    "institution_clinic": "供养机构医务室",
    "township_health_centre": "乡镇卫生院",
    "community_health_centre": "社区卫生服务中心",
    "district": "区级医院",
    "city": "市级医院",
    "provincial": "省级医院",
    "out_of_region": "区外医院",
    "liujiang": "柳江区",
    "liuzhou": "柳州市",
    "guangxi": "广西区内",
    "outside_guangxi": "广西区外",
    "approval_pending": "待医保部门审批",
    "approval_approved": "医保部门已批准",
    "approval_rejected": "医保部门未批准",
    "filing_pending": "备案办理中",
    "filing_pre_filed": "外出前备案",
    "filing_filed_in_time": "按时备案",
    "filing_phone_reported": "已电话报备，待补表",
    "filing_form_in_time": "按时补表",
    "filing_form_late": "逾期补表",
    "filing_filed_late": "逾期备案",
    "filing_unfiled": "未备案",
}


def _label(value: Any) -> str:
    return "—" if value is None else LABELS.get(str(value), str(value))


def _local_time(value: datetime | None) -> str:
    return "—" if value is None else to_local(value).strftime("%Y-%m-%d %H:%M")


def _local_date(value: datetime | None) -> str:
    return "—" if value is None else to_local(value).strftime("%Y年%m月%d日")


_env = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
)
_env.filters.update(label=_label, local_time=_local_time, local_date=_local_date)


def filing_form_html(data: dict[str, Any]) -> str:
    return _env.get_template("filing_form.html").render(**data)
