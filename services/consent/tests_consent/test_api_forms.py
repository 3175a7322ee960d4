"""Printable HTML forms: annex 3 (self-pay informed consent, LJ-7.1) and annex 4 (the
major-treatment evaluation record, LJ-11.2), rendered from the records."""

from __future__ import annotations

from html.parser import HTMLParser

from medaid_shared.testing import ServiceHarness

from .helpers import capacity, facility_event, feed, no_guardian_verified, setup_person

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
    from medaid_shared.crypto import seal
    from medaid_shared.settings import CONSENT_FORMS_PURPOSE, DEV_CONSENT_FORMS_PUBLIC_KEY

    sealed = seal(DEV_CONSENT_FORMS_PUBLIC_KEY, "张小三", CONSENT_FORMS_PURPOSE)
    await setup_person(svc, capacity=capacity(True), name_sealed=sealed)
    await feed(svc, facility_event("H002", "柳州市工人医院"))
    await svc.client.post(
        "/experts",
        json={"expert_id": "E2", "name": "王专家", "hospital_id": "H002", "specialty": "普外科"},
        headers=svc.token("health_bureau"),
    )
    t = await svc.client.post(
        "/admissions/A1/treatments",
        json={
            "kind": "major",
            "category": "surgery",
            "procedure_code": "51.2300",
            "description": "腹腔镜胆囊切除术",
            "attending_doctor": "doc-1",
        },
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
        "柳州市工人医院（H002）",  # the expert's hospital by name (LJ-11.2)
        "非本院专家",
        "可以实施",
        "第1顺位",
    ):
        assert expected in text, expected
    # Issue 16 point 8: the record is filed with civil affairs and signed by the patient side:
    # the patient's full name (here also the signer's) to the roles entitled, audit-logged
    assert "张小三（本人，第1顺位）" in text and "张*三" not in text
    reads = await _audited(svc, "person.read_name")
    assert reads == [("P1", f"annex 4 record {tid}")]
    # the health bureau reads the record for its experts: names masked, nothing opened
    other = text_of(
        (await svc.client.get(f"/treatments/{tid}/evaluation-record.html", headers=svc.token("health_bureau"))).text
    )
    assert "张*三" in other and "张小三" not in other and "王专家" in other
    assert await _audited(svc, "person.read_name") == reads


async def _audited(svc: ServiceHarness, action: str) -> list[tuple[str, str]]:
    from sqlalchemy import select

    t = svc.runtime.db.tables.audit_log
    async with svc.runtime.db.read() as s:
        rows = (await s.execute(select(t.c.subject, t.c.reason).where(t.c.action == action).order_by(t.c.seq))).all()
    return [(subject, reason) for subject, reason in rows]


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
        json={"kind": "routine", "procedure_code": "89.5200", "description": "x", "attending_doctor": "d"},
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
    # SPEC 0.4: a department outside the form's purpose (the auditor, medical insurance)
    # prints it with the name masked, and nothing is opened
    reads = await _audited(svc, "person.read_name")
    for role in ("auditor", "medical_insurance"):
        other = await svc.client.get(f"/self-pay-items/{iid}/consent-form.html", headers=svc.token(role))
        assert other.status_code == 200 and "张*三" in text_of(other.text) and "张小三" not in other.text
    assert await _audited(svc, "person.read_name") == reads


async def test_lj_7_1_annex_3_names_the_institution_and_the_signer_and_audits_the_read(svc: ServiceHarness) -> None:
    """Issue 16 point 8: the annex-3 form showed the institution and the signer by id. The
    institution's name comes from its annex-1 filing (FilingCompleted), the signer's from the
    token that signed (kept encrypted); the printed form names both, the signer-name read is
    audit-logged, and no JSON answer nor any table of the service shows the signer's name."""
    from sqlalchemy import select, text

    from medaid_shared import clock
    from medaid_shared.auth import issue_token
    from medaid_shared.contracts.common import FilingState
    from medaid_shared.contracts.referral import FilingCompleted
    from medaid_shared.crypto import seal
    from medaid_shared.settings import CONSENT_FORMS_PURPOSE, DEV_CONSENT_FORMS_PUBLIC_KEY

    sealed = seal(DEV_CONSENT_FORMS_PUBLIC_KEY, "张小三", CONSENT_FORMS_PURPOSE)
    await setup_person(svc, capacity=capacity(False), guardian=no_guardian_verified(), name_sealed=sealed)
    filed = FilingCompleted(
        admission_id="A1",
        person_id="P1",
        filing_state=FilingState.FILED_IN_TIME,
        completed_at=clock.now(),
        submitted_unit="I01",
        submitted_unit_name="柳江区社会福利院",
    )
    await feed(svc, filed)
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
    iid = r.json()["item_id"]
    head = issue_token(
        svc.runtime.settings, subject="head-I01", role="institution", scopes=("institution:I01",), name="韦国强"
    )
    signed = await svc.client.post(
        f"/self-pay-items/{iid}/consent-form", json={}, headers={"Authorization": f"Bearer {head}"}
    )
    assert signed.status_code == 201, signed.text
    assert "韦国强" not in signed.text
    page = text_of(
        (await svc.client.get(f"/self-pay-items/{iid}/consent-form.html", headers=svc.token(*HOSPITAL))).text
    )
    assert "供养机构：柳江区社会福利院（I01）" in page
    assert "韦国强（供养机构负责人，第4顺位）" in page and "张小三" in page
    item = await svc.client.get(f"/self-pay-items/{iid}", headers=svc.token(*HOSPITAL))
    assert "韦国强" not in item.text
    consent_id = signed.json()["consent_id"]
    t = svc.runtime.db.tables.audit_log
    async with svc.runtime.db.read() as s:
        audited = [tuple(r) for r in (await s.execute(select(t.c.action, t.c.subject, t.c.reason))).all()]
        tables = (await s.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'consent'"))).scalars().all()
        rows = [
            row
            for table in tables
            for row in (await s.execute(text(f'SELECT row_to_json(t)::text FROM consent."{table}" t'))).scalars()
        ]
    assert ("consent.read_signer_name", consent_id, f"annex 3 form {iid}") in audited
    assert not [row for row in rows if "韦国强" in row or "韦国强".encode().hex() in row]


async def test_lj_7_2_lj_7_3_annex_3_names_the_reviewers_and_audits_each_read(svc: ServiceHarness) -> None:
    """Issue 16 point 8: the annex-3 form showed its reviewers (the initial review, the
    civil-affairs review) by login id. Each reviewer's display name is taken from the token
    that reviewed, kept encrypted; the printed form names them, each read is audit-logged,
    and no JSON answer nor any table of the service shows a reviewer's name."""
    from sqlalchemy import select, text

    from medaid_shared.auth import issue_token

    await setup_person(svc, capacity=capacity(False), guardian=no_guardian_verified())
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
    iid = r.json()["item_id"]

    def bearer(subject: str, role: str, name: str, *scopes: str) -> dict[str, str]:
        token = issue_token(svc.runtime.settings, subject=subject, role=role, scopes=scopes, name=name)
        return {"Authorization": f"Bearer {token}"}

    head = bearer("head-I01", "institution", "韦国强", "institution:I01")
    assert (await svc.client.post(f"/self-pay-items/{iid}/consent-form", json={}, headers=head)).status_code == 201
    initial = await svc.client.post(f"/self-pay-items/{iid}/initial-review", json={"outcome": "approved"}, headers=head)
    assert initial.status_code < 300, initial.text
    officer = bearer("ca-7", "civil_affairs", "蓝秀梅")
    review = await svc.client.post(
        f"/self-pay-items/{iid}/civil-affairs-review",
        json={"outcome": "approved", "reason": "符合规定"},
        headers=officer,
    )
    assert review.status_code < 300, review.text
    assert "蓝秀梅" not in review.text and "韦国强" not in initial.text
    page = text_of(
        (await svc.client.get(f"/self-pay-items/{iid}/consent-form.html", headers=svc.token(*HOSPITAL))).text
    )
    assert "签字：韦国强" in page and "签字：蓝秀梅" in page
    assert "签字：ca-7" not in page and "签字：head-I01" not in page
    item = await svc.client.get(f"/self-pay-items/{iid}", headers=svc.token(*HOSPITAL))
    assert "蓝秀梅" not in item.text and "韦国强" not in item.text
    t = svc.runtime.db.tables.audit_log
    async with svc.runtime.db.read() as s:
        audited = [tuple(r) for r in (await s.execute(select(t.c.action, t.c.subject, t.c.reason))).all()]
        reviews = (await s.execute(text("SELECT review_id FROM consent.self_pay_review"))).scalars().all()
        tables = (await s.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'consent'"))).scalars().all()
        rows = [
            row
            for table in tables
            for row in (await s.execute(text(f'SELECT row_to_json(t)::text FROM consent."{table}" t'))).scalars()
        ]
    # the initial review, the filing with civil affairs (the institution's) and the review
    assert len(reviews) == 3
    read = [(subject, reason) for action, subject, reason in audited if action == "self_pay.read_reviewer_name"]
    assert sorted(read) == sorted((review, f"annex 3 form {iid}") for review in reviews)
    assert not [row for row in rows if "蓝秀梅" in row or "蓝秀梅".encode().hex() in row]


async def test_lj_7_1_lj_10_annex_3_names_the_guardian_who_signed_from_the_signing_authority_record(
    svc: ServiceHarness,
) -> None:
    """Issue 16 point 8: a guardian who signs with a token that carries no display name was
    printed by id. Referral seals the guardian's and each written agent's full name for
    consent in the signing-authority record (PersonRegistered); the form shows the signer's
    name to the roles entitled to it, the read is audit-logged, and a department outside
    the form's purpose still sees the signer by id, nothing opened."""
    from sqlalchemy import select, text

    from medaid_shared.contracts.referral import Guardian
    from medaid_shared.crypto import seal
    from medaid_shared.settings import CONSENT_FORMS_PURPOSE, DEV_CONSENT_FORMS_PUBLIC_KEY

    def sealed(name: str) -> str:
        return seal(DEV_CONSENT_FORMS_PUBLIC_KEY, name, CONSENT_FORMS_PURPOSE)

    guardian = Guardian(guardian_id="g-1", name_masked="李*", relation="sibling", name_sealed=sealed("李大明"))
    await setup_person(svc, capacity=capacity(False), guardian=guardian, name_sealed=sealed("张小三"))
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
    iid = r.json()["item_id"]
    signed = await svc.client.post(
        f"/self-pay-items/{iid}/consent-form", json={}, headers=svc.token("guardian", subject="g-1")
    )
    assert signed.status_code == 201, signed.text
    consent_id = signed.json()["consent_id"]
    form = f"/self-pay-items/{iid}/consent-form.html"
    page = text_of((await svc.client.get(form, headers=svc.token(*HOSPITAL))).text)
    assert "李大明（法定监护人/义务人，第2顺位）" in page
    t = svc.runtime.db.tables.audit_log

    async def signer_reads() -> int:
        async with svc.runtime.db.read() as s:
            rows = (
                await s.execute(select(t.c.action, t.c.subject).where(t.c.action == "consent.read_signer_name"))
            ).all()
        assert set(rows) <= {("consent.read_signer_name", consent_id)}
        return len(rows)

    assert await signer_reads() == 1
    auditor = text_of((await svc.client.get(form, headers=svc.token("auditor"))).text)
    assert "李大明" not in auditor and "g-1（法定监护人/义务人，第2顺位）" in auditor
    assert await signer_reads() == 1
    # SPEC 0.4: the name rests only sealed; no answer and no table shows it in clear
    assert "李大明" not in (await svc.client.get(f"/self-pay-items/{iid}", headers=svc.token(*HOSPITAL))).text
    async with svc.runtime.db.read() as s:
        tables = (await s.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'consent'"))).scalars().all()
        rows = [
            row
            for table in tables
            for row in (await s.execute(text(f'SELECT row_to_json(t)::text FROM consent."{table}" t'))).scalars()
        ]
    assert not [row for row in rows if "李大明" in row or "李大明".encode().hex() in row]
