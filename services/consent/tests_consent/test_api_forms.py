"""Printable HTML forms: annex 3 (self-pay informed consent, LJ-7.1) and annex 4 (the
major-treatment evaluation record, LJ-11.2), rendered from the records."""

from __future__ import annotations

from html.parser import HTMLParser

from medaid_shared.testing import ServiceHarness

from .helpers import capacity, no_guardian_verified, setup_person

HOSPITAL = ("hospital", "facility:H001")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def text_of(html: str) -> str:
    p = _Text()
    p.feed(html)
    return "".join(p.parts)


async def test_lj_7_1_annex_3_self_pay_form_from_the_record(svc: ServiceHarness) -> None:
    await setup_person(svc, capacity=capacity(False), guardian=no_guardian_verified())
    r = await svc.client.post(
        "/admissions/A1/self-pay-items",
        json={
            "item_code": "Y-7",
            "item_name": "进口吻合器<script>",
            "category": "consumable",
            "unit_price": "1200.00",
            "quantity": 1,
            "necessity": "术中必需",
            "attending_doctor": "doc-1",
        },
        headers=svc.token(*HOSPITAL),
    )
    iid = r.json()["item_id"]
    blank = await svc.client.get(f"/self-pay-items/{iid}/consent-form.html", headers=svc.token(*HOSPITAL))
    assert blank.status_code == 200 and blank.headers["content-type"].startswith("text/html")
    assert "审核中" in text_of(blank.text) and "年　　月　　日" in blank.text
    await svc.client.post(
        f"/self-pay-items/{iid}/consent-form",
        json={},
        headers=svc.token("institution", "institution:I01", subject="head-I01"),
    )
    await svc.client.post(
        f"/self-pay-items/{iid}/initial-review",
        json={"outcome": "approved"},
        headers=svc.token("institution", "institution:I01", subject="head-I01"),
    )
    await svc.client.post(
        f"/self-pay-items/{iid}/civil-affairs-review",
        json={"outcome": "approved", "reason": "符合规定"},
        headers=svc.token("civil_affairs", subject="ca-1"),
    )
    page = await svc.client.get(f"/self-pay-items/{iid}/consent-form.html", headers=svc.token("civil_affairs"))
    assert page.status_code == 200
    html = page.text
    assert "<script>" not in html and "&lt;script&gt;" in html  # every value is escaped
    text = text_of(html)
    for expected in (
        "柳江区特困人员自费项目使用知情同意书",
        "附件3",
        "张*三",
        "集中供养",
        "柳江区人民医院",
        "耗材",
        "1200.00",
        "术中必需",
        "第4顺位",
        "经核实无法定监护人/义务人",
        "报区民政局备案",
        "区民政局社会救助股",
        "符合规定",
        "同意",
        "10:00",  # 02:00 UTC shown in Asia/Shanghai
    ):
        assert expected in text, expected


async def test_lj_11_2_annex_4_evaluation_record(svc: ServiceHarness) -> None:
    await setup_person(svc, capacity=capacity(True))
    await svc.client.post(
        "/experts",
        json={"expert_id": "E2", "name": "王专家", "hospital_id": "H002", "specialty": "普外科"},
        headers=svc.token("health_bureau"),
    )
    t = await svc.client.post(
        "/admissions/A1/treatments",
        json={"kind": "major", "category": "surgery", "description": "腹腔镜胆囊切除术", "attending_doctor": "doc-1"},
        headers=svc.token(*HOSPITAL),
    )
    tid = t.json()["treatment_id"]
    await svc.client.post(f"/treatments/{tid}/expert-assignment", json={}, headers=svc.token("health_bureau"))
    await svc.client.post(
        f"/treatments/{tid}/evaluation/attending",
        json={"attending_doctor": "doc-1", "opinion": "反复发作胆绞痛", "recommendation": "proceed"},
        headers=svc.token(*HOSPITAL),
    )
    await svc.client.post(
        f"/treatments/{tid}/evaluation/expert",
        json={"opinion": "同意手术", "recommendation": "proceed"},
        headers=svc.token("health_bureau", subject="E2"),
    )
    await svc.client.post(f"/treatments/{tid}/consent", json={}, headers=svc.token("patient", subject="P1"))
    page = await svc.client.get(f"/treatments/{tid}/evaluation-record.html", headers=svc.token(*HOSPITAL))
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = text_of(page.text)
    for expected in (
        "重大治疗评估备案表",
        "附件4",
        "手术",
        "腹腔镜胆囊切除术",
        "反复发作胆绞痛",
        "王专家",
        "H002",
        "非本院专家",
        "可以实施",
        "第1顺位",
    ):
        assert expected in text, expected


async def test_forms_denials_and_unknown_records(svc: ServiceHarness) -> None:
    await setup_person(svc, capacity=capacity(True))
    r = await svc.client.post(
        "/admissions/A1/self-pay-items",
        json={
            "item_code": "Y",
            "item_name": "n",
            "category": "drug",
            "unit_price": "300.00",
            "quantity": 1,
            "necessity": "x",
            "attending_doctor": "d",
        },
        headers=svc.token(*HOSPITAL),
    )
    iid = r.json()["item_id"]
    routine = await svc.client.post(
        "/admissions/A1/treatments",
        json={"kind": "routine", "description": "x", "attending_doctor": "d"},
        headers=svc.token(*HOSPITAL),
    )
    rid = routine.json()["treatment_id"]
    for headers in (svc.token("hospital", "facility:H002"), svc.token("patient", subject="P2"), svc.token("police")):
        assert (await svc.client.get(f"/self-pay-items/{iid}/consent-form.html", headers=headers)).status_code == 403
        assert (await svc.client.get(f"/treatments/{rid}/evaluation-record.html", headers=headers)).status_code == 403
    h = svc.token(*HOSPITAL)
    assert (await svc.client.get("/self-pay-items/nope/consent-form.html", headers=h)).status_code == 404
    assert (await svc.client.get("/treatments/nope/evaluation-record.html", headers=h)).status_code == 404
    # A routine treatment has no evaluation record.
    r = await svc.client.get(f"/treatments/{rid}/evaluation-record.html", headers=h)
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"


async def test_spec_0_4_annex_3_shows_the_full_name_to_who_prints_it_and_audits_the_read(svc: ServiceHarness) -> None:
    """Issue scenario: the annex-3 form masked the patient's name on a document the patient
    side signs. Referral seals the full name for consent alone; the printed form shows it to
    the roles entitled to print it, the read is audit-logged, and the name appears nowhere
    else (lists and the JSON answers keep the masked name)."""
    import json

    from sqlalchemy import select

    from medaid_shared.crypto import seal
    from medaid_shared.settings import CONSENT_FORMS_PURPOSE, DEV_CONSENT_FORMS_PUBLIC_KEY

    sealed = seal(DEV_CONSENT_FORMS_PUBLIC_KEY, "张小三", CONSENT_FORMS_PURPOSE)
    await setup_person(svc, capacity=capacity(False), guardian=no_guardian_verified(), name_sealed=sealed)
    r = await svc.client.post(
        "/admissions/A1/self-pay-items",
        json={
            "item_code": "Y-7",
            "item_name": "进口吻合器",
            "category": "consumable",
            "unit_price": "1200.00",
            "quantity": 1,
            "necessity": "术中必需",
            "attending_doctor": "doc-1",
        },
        headers=svc.token(*HOSPITAL),
    )
    assert r.status_code == 201, r.text
    iid = r.json()["item_id"]
    assert "张小三" not in r.text
    page = await svc.client.get(f"/self-pay-items/{iid}/consent-form.html", headers=svc.token(*HOSPITAL))
    assert page.status_code == 200 and "张小三" in text_of(page.text)
    item = await svc.client.get(f"/self-pay-items/{iid}", headers=svc.token(*HOSPITAL))
    assert "张小三" not in item.text and sealed not in item.text
    t = svc.runtime.db.tables.audit_log
    async with svc.runtime.db.read() as s:
        rows = (await s.execute(select(t.c.action, t.c.subject, t.c.reason))).all()
    assert ("person.read_name", "P1", f"annex 3 form {iid}") in [tuple(r) for r in rows]
    assert "张小三" not in json.dumps([list(r) for r in rows], ensure_ascii=False)
