"""The official letter (公函) to the county-level public security bureau, print-ready HTML
(A4, GD-16.1). Every value is HTML-escaped."""

from __future__ import annotations

import base64
from datetime import date

from jinja2 import Environment, select_autoescape

from identity_check.domain.model import AttachmentKind, RequestStatus
from identity_check.service.checks import Letter
from medaid_shared import clock

_ENV = Environment(autoescape=select_autoescape(default=True, default_for_string=True))

_TEMPLATE = _ENV.from_string(
    """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="robots" content="noindex">
<title>关于协助核查身份不明患者身份的函 {{ r.reference_number }}</title>
<style>
  @page { size: A4; margin: 25mm 22mm 22mm 25mm; }
  body { font-family: "FangSong", "STFangsong", "仿宋", serif; font-size: 16pt; line-height: 1.75; color: #000; }
  h1 { font-family: "SimHei", "STHeiti", "黑体", sans-serif; font-size: 22pt; text-align: center; margin: 0 0 0.3em; }
  .ref { text-align: center; margin-bottom: 1.5em; }
  p { text-indent: 2em; margin: 0.3em 0; }
  p.addressee, p.plain { text-indent: 0; }
  h2 { font-family: "SimHei", "STHeiti", "黑体", sans-serif; font-size: 16pt; margin: 1em 0 0.3em; }
  .signature { text-align: right; margin-top: 3em; }
  .photos { page-break-before: always; }
  .photos figure { display: inline-block; margin: 0 1em 1em 0; vertical-align: top; }
  .photos img { max-width: 75mm; max-height: 100mm; border: 1px solid #000; }
  @media print { a { color: #000; text-decoration: none; } }
</style>
</head>
<body>
<h1>关于协助核查身份不明患者身份的函</h1>
<div class="ref">{{ r.reference_number }}</div>
<p class="addressee">{{ r.bureau_id }} 公安局（分局）：</p>
<p>我院收治一名需要紧急救治但身份不明确的患者（本院住院号：{{ r.patient_ref }}）。
我院已按照“先救治、后核实”的要求及时实施救治。根据《广东省疾病应急救助制度实施细则（修订版）》第十六条，
现随函附上患者清晰正面人脸照片{{ photo_count }}张{% if p.statement %}、患者自述材料{% endif %}{% if p.found_documents or scan_count %}、随身携带证件等佐证材料{% endif %}，
请协助认定患者身份，并于{{ due_local }}前按照规范模板出具患者身份核查结果复函。</p>
{% if p.patient_description %}
<h2>患者情况</h2>
<p>{{ p.patient_description }}</p>
{% endif %}
{% if p.statement %}
<h2>患者自述</h2>
<p>{{ p.statement }}</p>
{% endif %}
{% if p.found_documents %}
<h2>随身携带证件及物品</h2>
<ol>{% for doc in p.found_documents %}<li>{{ doc }}</li>{% endfor %}</ol>
{% endif %}
<h2>附件</h2>
<ol>
  <li>患者正面人脸照片 {{ photo_count }} 张</li>
  {% if scan_count %}<li>随身证件扫描件 {{ scan_count }} 份</li>{% endif %}
</ol>
{% if deleted %}<p class="plain">（照片已按保存期限规定删除。）</p>{% endif %}
<p class="plain">发函（收函）时间：{{ received_local }}</p>
<p class="plain">复函期限：收函后3个工作日内（{{ due_local }}前）{% if r.calendar_provisional %}（按暂定日历计算）{% endif %}。</p>
<p class="plain">当前状态：{{ status_text }}</p>
<div class="signature">
  <div>{{ r.facility_name }}（盖章）</div>
  <div>{{ date_local }}</div>
</div>
{% if images %}
<section class="photos">
<h2>附件：照片</h2>
{% for att, uri in images %}
<figure><img src="{{ uri }}" alt="{{ '患者正面人脸照片' if att.kind.value == 'face_photo' else '随身证件扫描件' }} {{ loop.index }}">
<figcaption>{{ '患者正面人脸照片' if att.kind.value == 'face_photo' else '随身证件扫描件' }} {{ loop.index }}（{{ att.width }}×{{ att.height }}）</figcaption></figure>
{% endfor %}
</section>
{% endif %}
</body>
</html>
"""
)

_STATUS_TEXT = {
    RequestStatus.AWAITING_REPLY: "待公安机关复函",
    RequestStatus.OVERDUE: "已超过复函期限，尚未复函",
    RequestStatus.IDENTIFIED: "已查明身份",
    RequestStatus.NOT_IDENTIFIED: "暂无法查明身份",
}


def _cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def render_letter(letter: Letter) -> str:
    r = letter.details.request
    attachments = letter.details.attachments
    received = clock.to_local(r.received_at)
    due = clock.to_local(r.reply_due_at)
    images = [(att, f"data:{att.media_type};base64,{base64.b64encode(data).decode()}") for att, data in letter.images]
    return _TEMPLATE.render(
        r=r,
        p=letter.particulars,
        received_local=f"{_cn_date(received)} {received:%H:%M}",
        due_local=f"{_cn_date(due)} {due:%H:%M}",
        date_local=_cn_date(received),
        photo_count=sum(1 for a in attachments if a.kind == AttachmentKind.FACE_PHOTO),
        scan_count=sum(1 for a in attachments if a.kind == AttachmentKind.DOCUMENT_SCAN),
        deleted=any(a.deleted_at is not None for a in attachments),
        status_text=_STATUS_TEXT[r.status],
        images=images,
    )
