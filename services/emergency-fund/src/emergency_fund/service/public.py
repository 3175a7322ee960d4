"""The public notice board (GD-21): read-only, no login, masked data only."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta
from html import escape
from typing import Any

from emergency_fund.service.base import Env, load_params, notice_out
from medaid_shared.clock import to_local
from medaid_shared.pagination import PageRequest
from medaid_shared.responses import wire_instant

PUBLISHERS = {"hospital": "医疗机构公示", "agency": "经办机构公示"}


PAGE_ROWS = 500
"""The printed board shows at most this many notices (the newest); the JSON feed pages."""


async def notices(env: Env, city: str | None, include_ended: bool, page: PageRequest | None) -> list[dict[str, Any]]:
    """Running notices, and (``include_ended``) those that ended within the history window,
    the latest to start first: one page of them in SQL (``page``), or the printed board's."""
    params = await load_params(env)
    ending_from = env.now - timedelta(days=params.public_notice_history_days) if include_ended else env.now
    found = await env.repo.public_notices(city, env.now, ending_from, page, PAGE_ROWS)
    names = await env.repo.facility_names(sorted({n.facility_id for n in found}))
    items = []
    for n in found:
        items.append(
            {
                **notice_out(asdict(n), drop=["published_by", "calendar_provisional"]),
                "facility_name": names.get(n.facility_id, n.facility_id),
                "status": "running" if n.ends_at > env.now else "ended",
                "rule": "GD-21",
            }
        )
    return items


async def board(env: Env, city: str | None, include_ended: bool) -> dict[str, Any]:
    """The printed board: its notices with when it was made and the notice term in force."""
    return {
        "generated_at": wire_instant(env.now),
        # GD-21 / SPEC 0.6: the page quotes the notice term in force, never a fixed text
        "notice_working_days": (await load_params(env)).notice_working_days,
        "notices": await notices(env, city, include_ended, None),
    }


def _shanghai(at: str | datetime) -> str:
    """An instant as the page prints it: Shanghai wall-clock time (never on the JSON answer)."""
    value = datetime.fromisoformat(at) if isinstance(at, str) else at
    return escape(to_local(value).strftime("%Y-%m-%d %H:%M:%S"))


def render_html(feed: dict[str, Any]) -> str:
    """A plain, self-contained page; every value is escaped."""
    parts = [
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>",
        "<title>疾病应急救助基金公示</title>",
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin-bottom:2em}"
        "td,th{border:1px solid #999;padding:.3em .6em}th{background:#eee}</style></head><body>",
        "<h1>疾病应急救助基金 救助对象及金额公示</h1>",
        f"<p>生成时间 {escape(feed['generated_at'])}。"
        f"公示期不少于 {int(feed['notice_working_days'])} 个工作日，个人信息已脱敏。</p>",
    ]
    if not feed["notices"]:
        parts.append("<p>目前没有公示。</p>")
    for n in feed["notices"]:
        parts.append(
            f"<h2>{escape(PUBLISHERS.get(n['publisher'], n['publisher']))} · {escape(n['facility_name'])}"
            f" · 申请 {escape(n['application_id'])}</h2>"
            f"<p>公示期 {_shanghai(n['starts_at'])} 至 {_shanghai(n['ends_at'])}"
            f"（{'公示中' if n['status'] == 'running' else '已结束'}），合计 {escape(n['total'])} 元</p>"
            "<table><tr><th>救助对象</th><th>身份证号</th><th>入院日期</th><th>金额（元）</th></tr>"
        )
        for e in n["entries"]:
            parts.append(
                f"<tr><td>{escape(e['recipient'])}</td><td>{escape(e['id_number_masked'] or '—')}</td>"
                f"<td>{escape(e['admitted_on'])}</td><td>{escape(e['amount'])}</td></tr>"
            )
        parts.append("</table>")
    parts.append("</body></html>")
    return "".join(parts)
