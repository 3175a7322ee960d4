"""The web console (工作台) in a real browser: Chromium (Debian's package, driven by
Playwright) against the console process and the five running services.

Three journeys end to end, each decided only through the console's pages:
- a police clerk opens an identity-check letter (a reason entered), sees its due date with the
  working days left and replies (GD-16.1, GD-16.2, SPEC 0.4);
- the police confirm what the liable-party channel paid (GD-18.1), the fund agency reviews
  the application for that patient, both public notices run their 3 working days while the
  clocks move, and finance disburses — refused first while a notice runs, the service's
  GD-21 answer shown on the form (GD-20.2, GD-21);
- an institution head makes the initial review of a 1,500 CNY self-pay item and a
  civil-affairs officer approves it, each finding it in the queue of the items awaiting
  their step with its due instant (LJ-7.2, LJ-7.3).
Plus: an institution head makes the health plan due after a discharge from its queue
(LJ-15.1); a post without its CSRF token is refused and changes nothing, a role sees only its
own queues, and a screenshot of a page is not blank.

What hospitals and patients do (HIS integration, the mobile signature) goes through the
APIs, as it does in production."""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import AsyncIterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from medaid_shared.clock import SHANGHAI

from .conftest import Stack
from .steps import (
    face_photo,
    file_identity_check,
    id_number,
    issue_discharge_documents,
    load_catalogue,
    local,
    open_city_fund,
    refer,
    register_city_hospital,
    register_facility,
    register_person,
    when_known,
)

playwright_api = pytest.importorskip("playwright.async_api")

CHROMIUM = os.environ.get("MEDAID_CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / ".medaid" / "screenshots"

CITY = "qingyuan"
HOSPITAL = "BX-QY-PEOPLES"
BUREAU = "BX-PSB-QINGCHENG"
PATIENT_REF = "BX-ZY20261207-0031"
DISEASE = "BX-I61.9"
HOSPITAL_SCOPE = (f"facility:{HOSPITAL}",)
CITY_SCOPE = (f"city:{CITY}",)
POLICE_SCOPES = f"jurisdiction:{BUREAU} city:{CITY}"

pytestmark = pytest.mark.skipif(
    not (Path(CHROMIUM).is_file() or shutil.which("chromium")),
    reason="Chromium is missing: `make test` installs Debian's chromium (apt-get install -y chromium)",
)


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Any]:
    async with playwright_api.async_playwright() as p:
        b = await p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"])
        try:
            yield b
        finally:
            await b.close()


async def signed_in(browser: Any, console: str, role: str, scopes: str = "", subject: str = "", name: str = "") -> Any:
    """A fresh browser context signed in through the development sign-in page."""
    context = await browser.new_context(base_url=console, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = await context.new_page()
    await page.goto("/")
    assert page.url.endswith("/sign-in?next=/"), page.url  # not signed in: to the sign-in page
    await page.select_option("#role", role)
    await page.fill("#scopes", scopes)
    await page.fill("#subject", subject or f"{role}-bx")
    await page.fill("#name", name)
    await page.click("text=登录 >> nth=-1")
    await page.wait_for_url(f"{console}/")
    assert role in await page.inner_text("[data-testid=who]") or scopes in await page.inner_text("[data-testid=who]")
    return page


async def open_row(page: Any, queue: str, text: str) -> None:
    """Open the row of a queue that shows ``text`` (its 办理 link)."""
    row = page.locator(f"section[data-queue={queue}] tr", has_text=text)
    assert await row.count() == 1, await page.inner_text(f"section[data-queue={queue}]")
    await row.locator("a", has_text="办理").click()


async def assert_every_field_labelled(page: Any) -> None:
    """Every visible field has a label a screen reader announces (SPEC: web channel)."""
    unlabelled = await page.evaluate(
        """[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
             .filter(e => !e.labels.length).map(e => e.name || e.id)"""
    )
    assert unlabelled == [], unlabelled


# ------------------------------------------------------------------ set-up through the APIs


async def fund_city_and_hospital(stack: Stack) -> None:
    await stack.set_clock(local(2026, 12, 4, 9, 0))
    await register_city_hospital(stack, HOSPITAL, "清远市人民医院", CITY, BUREAU)
    await open_city_fund(
        stack,
        CITY,
        "清远市疾病应急救助基金",
        "清远市医疗保障事业管理中心",
        amount="300000.00",
        reference="BX-YCZ-2026-07",
    )
    await stack.call(
        "emergency-fund",
        "POST",
        "/reference/diseases",
        role="health_bureau",
        scopes=CITY_SCOPE,
        json={
            "code": DISEASE,
            "name": "脑出血",
            "scope": CITY,
            "urgent_critical": True,
            "effective_from": "2026-01-01",
            "basis": "清远市疾病应急救助基金监督管理委员会2026年第2号决议",
        },
        expect=201,
    )
    await stack.call(
        "emergency-fund",
        "POST",
        "/reference/cost-averages",
        role="health_bureau",
        scopes=CITY_SCOPE,
        json={
            "year": 2026,
            "source": "清远市卫生健康局 2026年度病种次均费用",
            "rows": [{"facility_id": HOSPITAL, "disease_code": DISEASE, "average_cost": "9000.00"}],
        },
        expect=201,
    )
    await stack.call(
        "emergency-fund",
        "PUT",
        f"/reference/living-standards/{CITY}",
        role="civil_affairs",
        scopes=CITY_SCOPE,
        json={"monthly_amount": "990.00", "effective_from": "2026-07-01", "source": "清民发〔2026〕12号"},
        expect=201,
    )


async def hospital_files_letter(stack: Stack) -> str:
    """GD-16.1: Monday 7 December, the hospital's letter with a face photo (HIS, over the API)."""
    await stack.set_clock(local(2026, 12, 7, 9, 0))
    fields = {"patient_ref": PATIENT_REF, "patient_description": "女，约60岁，清城区街头昏迷被送医"}
    request = await file_identity_check(stack, HOSPITAL, fields, face_photo())
    return str(request["request_id"])


async def hospital_applies(stack: Stack) -> str:
    """GD-20.1: the case, its costs, the claim and the unit application; the hospital's notice."""
    await stack.set_clock(local(2026, 12, 8, 14, 0))
    letters = await stack.call("identity-check", "GET", "/identity-checks", role="hospital", scopes=HOSPITAL_SCOPE)
    [letter] = [r for r in letters["items"] if r["patient_ref"] == PATIENT_REF]
    case = await stack.call(
        "emergency-fund",
        "POST",
        "/cases",
        role="hospital",
        scopes=HOSPITAL_SCOPE,
        json={
            "facility_id": HOSPITAL,
            "patient_ref": PATIENT_REF,
            "admitted_at": local(2026, 12, 7, 2, 0).isoformat(),
            "identity": "unidentified",
            "identity_check_request_id": letter["request_id"],  # GD-16.3: the letter the case rests on
            "disease_code": DISEASE,
        },
        expect=201,
    )
    case_id = case["case_id"]
    await stack.call(
        "emergency-fund",
        "POST",
        f"/cases/{case_id}/cost-items",
        role="hospital",
        scopes=HOSPITAL_SCOPE,
        json={
            "items": [
                {
                    "occurred_at": local(2026, 12, 7, 2, 30).isoformat(),
                    "category": "examination",
                    "description": "头颅CT",
                    "in_catalogue": True,
                    "amount": "620.00",
                },
                {
                    "occurred_at": local(2026, 12, 7, 4, 0).isoformat(),
                    "category": "treatment",
                    "description": "微创血肿清除术",
                    "in_catalogue": True,
                    "amount": "6380.00",
                },
            ]
        },
        expect=201,
    )

    # GD-18.1: no liable party is known — the hospital's claim, for the police to confirm.
    await stack.call(
        "emergency-fund",
        "POST",
        f"/cases/{case_id}/channel-payments",
        role="hospital",
        scopes=HOSPITAL_SCOPE,
        json={"channel": "liable_party", "amount": "0.00", "reference": "街头昏迷送医，无责任人"},
        expect=201,
    )

    async def gate_open() -> bool:
        c = await stack.call("emergency-fund", "GET", f"/cases/{case_id}", role="hospital", scopes=HOSPITAL_SCOPE)
        return c["identity_gate"] is not None

    await stack.wait_until(gate_open)  # the police's not_identified reply (GD-16.3) reached the fund
    await stack.call(
        "emergency-fund",
        "POST",
        f"/cases/{case_id}/claim",
        role="hospital",
        scopes=HOSPITAL_SCOPE,
        # GD-13.5: 36 hours in hospital so far — two started days of living cost (33.00 a day)
        json={"medical_amount": "7000.00", "living_amount": "66.00", "declaration": "本院承诺所报信息真实（附件2）"},
        expect=201,
    )
    application = await stack.call(
        "emergency-fund",
        "POST",
        "/applications",
        role="hospital",
        scopes=HOSPITAL_SCOPE,
        json={"facility_id": HOSPITAL, "case_ids": [case_id], "note": "2026年12月 身份不明患者救助申请"},
        expect=201,
    )
    app_id = str(application["application_id"])
    # GD-21: the hospital's notice, 3 working days from Tuesday — Wed 9, Thu 10, Fri 11.
    await stack.call(
        "emergency-fund", "POST", f"/applications/{app_id}/notices", role="hospital", scopes=HOSPITAL_SCOPE, expect=201
    )
    return app_id


# ------------------------------------------------------------------ journeys


async def test_police_clerk_opens_the_letter_with_a_reason_sees_its_due_date_and_replies(
    stack: Stack, console: str, browser: Any
) -> None:
    await fund_city_and_hospital(stack)
    request_id = await hospital_files_letter(stack)
    # Tuesday 8 December, 10:00: due at the end of the 3rd working day after receipt —
    # Tue 8, Wed 9, Thu 10 — so two working days are left after today (GD-16.2, SPEC 0.1).
    await stack.set_clock(local(2026, 12, 8, 10, 0))
    page = await signed_in(browser, console, "police", POLICE_SCOPES, "psb-clerk-lu", "陆警官")
    queue = page.locator("section[data-queue=police-letters]")
    row = queue.locator("tr", has_text=PATIENT_REF)
    assert await row.count() == 1, await queue.inner_text()
    assert "2026-12-10 23:59" in await row.inner_text()
    assert "剩余 2 个工作日" in await row.inner_text()
    await open_row(page, "police-letters", PATIENT_REF)
    assert "2026-12-10 23:59" in await page.inner_text("[data-testid=letter-due]")
    await assert_every_field_labelled(page)

    # The photos only with a reason (SPEC 0.4); the empty reason is refused in the browser.
    assert await page.get_attribute("#reason", "required") is not None
    await page.fill("#reason", "比对本辖区失踪人员信息")
    await page.click("text=查看 >> nth=-1")
    frame = page.frame_locator("[data-testid=letter-frame]")
    await frame.locator("img").first.wait_for()
    assert PATIENT_REF in await frame.locator("body").inner_text()

    # The reply, on the standard template (GD-16.2): not identified.
    await page.check("input[name=outcome][value=not_identified]")
    await page.fill("#remarks", "经比对人口信息库及失踪人员库，未能查明身份")
    await page.click("text=提交复函")
    await page.wait_for_selector("[data-testid=done]")
    assert "未能查明身份" in await page.inner_text("[data-testid=status]")
    verified = await stack.wait_event("IdentityVerified", request_id=request_id)
    assert verified["data"]["outcome"] == "not_identified" and verified["data"]["late"] is False
    # The letter left the queue; the printable reply (复函) states the result.
    await page.goto("/")
    assert await page.locator("section[data-queue=police-letters] tr", has_text=PATIENT_REF).count() == 0
    await page.goto(f"/print/identity-checks/{request_id}/reply")
    assert "未能查明身份" in await page.inner_text("[data-testid=reply-outcome]")
    await page.context.close()


async def test_fund_agency_reviews_notices_run_their_term_and_finance_disburses(
    stack: Stack, console: str, browser: Any
) -> None:
    app_id = await hospital_applies(stack)

    # Wednesday 9 December: the police confirm what the liable-party channel paid (GD-18.1):
    # the hospital's claim is not yet a fact the agency may approve on.
    await stack.set_clock(local(2026, 12, 9, 9, 0))
    page = await signed_in(browser, console, "police", POLICE_SCOPES, "psb-clerk-lu", "陆警官")
    row = page.locator("section[data-queue=channel-confirmations] tr", has_text="责任人")
    assert await row.count() == 1, await page.inner_text("section[data-queue=channel-confirmations]")
    await open_row(page, "channel-confirmations", "责任人")
    assert "医疗机构申报，待确认" in await page.inner_text("[data-testid=channel-status]")
    await assert_every_field_labelled(page)
    await page.fill("#amount", "0.00")
    await page.fill("#confirm-note", "经核查，患者系街头昏迷被送医，无交通事故或其他责任人")
    await page.click("text=确认金额")
    await page.wait_for_selector("[data-testid=done]")
    assert "已由主管部门确认" in await page.inner_text("[data-testid=channel-status]")
    await page.goto("/")
    assert await page.locator("section[data-queue=channel-confirmations] tr", has_text="责任人").count() == 0
    await page.context.close()

    # Wednesday 9 December: the agency reviews (10 working days, GD-20.2) and publishes its notice.
    await stack.set_clock(local(2026, 12, 9, 10, 0))
    page = await signed_in(browser, console, "fund_agency", f"city:{CITY}", "agency-he", "何审核")
    row = page.locator("section[data-queue=fund-agency] tr", has_text=app_id)
    assert await row.count() == 1
    assert "2026-12-22 23:59" in await row.inner_text()  # 10 working days after Tue 8 December
    await open_row(page, "fund-agency", app_id)
    await assert_every_field_labelled(page)
    await page.check("input[name=outcome][value=approved]")
    await page.fill("#agency-reason", "材料齐全，费用在限额内")
    await page.click("text=提交审核意见")
    await page.wait_for_selector("[data-testid=done]")
    assert "待卫生健康部门转报" in await page.inner_text("[data-testid=state]")
    await page.click("text=发布公示 >> nth=-1")
    await page.wait_for_selector("[data-testid=done]")
    notices = await page.inner_text("[data-testid=notices]")
    assert "经办机构" in notices and "医疗机构" in notices, notices
    await page.context.close()

    # Thursday 10 December: health forwards to finance (5 working days).
    await stack.set_clock(local(2026, 12, 10, 9, 0))
    page = await signed_in(browser, console, "health_bureau", f"city:{CITY}", "hb-zhao")
    await open_row(page, "fund-health", app_id)
    await page.check("input[name=outcome][value=approved]")
    await page.fill("#health-reason", "同意，申请财政拨付")
    await page.click("text=提交 >> nth=-1")
    await page.wait_for_selector("[data-testid=done]")
    assert "待财政拨付" in await page.inner_text("[data-testid=state]")
    await page.context.close()

    # Finance, the same day: both notices still run — the service refuses (GD-21) and the
    # console shows its answer on the form; nothing was paid.
    page = await signed_in(browser, console, "finance", f"city:{CITY}", "finance-wu", "吴出纳")
    await open_row(page, "fund-finance", app_id)
    await page.click("text=确认拨付")
    problem = await page.inner_text("[data-testid=problem]")
    assert "GD-21" in problem and "不符合规则" in problem, problem
    assert "待财政拨付" in await page.inner_text("[data-testid=state]")
    await page.context.close()

    # Tuesday 15 December: the hospital's notice ended on Friday 11, the agency's on Monday
    # 14 December (3 working days each): finance disburses.
    await stack.set_clock(local(2026, 12, 15, 9, 30))
    page = await signed_in(browser, console, "finance", f"city:{CITY}", "finance-wu", "吴出纳")
    await open_row(page, "fund-finance", app_id)
    assert (await page.inner_text("[data-testid=notices]")).count("公示期满") == 2
    await page.click("text=确认拨付")
    await page.wait_for_selector("[data-testid=done]")
    assert "已拨付" in await page.inner_text("[data-testid=state]")
    assert "7066.00" in await page.inner_text("[data-testid=disbursed]")
    disbursed = await stack.wait_event("FundDisbursed", application_id=app_id)
    assert Decimal(str(disbursed["data"]["amount"])) == Decimal("7066.00")
    await page.goto(f"/print/fund/applications/{app_id}/annex3")
    assert "7066.00" in await page.inner_text("main")
    await page.context.close()


async def test_civil_affairs_approves_a_1500_yuan_self_pay_item_after_the_institution_heads_review(
    stack: Stack, console: str, browser: Any
) -> None:
    await stack.set_clock(local(2026, 12, 16, 8, 0))
    # SPEC 0.5: the catalogue (settlement's reference data) says the stent is outside it.
    await load_catalogue(stack, [("ZF-BX-STENT", "药物洗脱支架（目录外）", "consumable", False)])
    await register_facility(stack, "BX-LJ-DISTRICT", "柳江区中医医院", "district")
    await register_facility(stack, "BX-LJ-CLINIC", "柳江区社会福利院医务室", "institution_clinic")
    person = await register_person(
        stack,
        {
            "id_number": id_number(date(1949, 6, 2), 317),
            "name": "覃秀兰",
            "support_type": "centralized",
            "institution_id": "BX-INST",
            "capacity": {
                "full_capacity_and_lucid": True,
                "assessed_at": local(2026, 12, 1, 10).isoformat(),
                "assessed_by": "institution doctor",
            },
            "guardian": {"verified_none": True, "evidence_ref": "BX-NO-GUARDIAN"},
            "disability_level": "self_care",
        },
    )
    pid = person["person_id"]
    hospital = ("facility:BX-LJ-DISTRICT",)
    await refer(stack, pid, "BX-LJ-CLINIC", "BX-LJ-DISTRICT", local(2026, 12, 16, 7, 0))
    admission = await stack.call(
        "referral",
        "POST",
        "/admissions",
        role="hospital",
        scopes=hospital,
        json={"person_id": pid, "facility_id": "BX-LJ-DISTRICT", "admitted_at": local(2026, 12, 16, 7, 30).isoformat()},
        expect=201,
    )
    aid = admission["admission_id"]
    # LJ-7.0 / LJ-7.3: 1,500 CNY out of the catalogue — reviewed, and above 1,000: civil affairs too.
    item = await when_known(
        stack,
        "consent",
        "POST",
        f"/admissions/{aid}/self-pay-items",
        role="hospital",
        scopes=hospital,
        json={
            "item_code": "ZF-BX-STENT",
            "item_name": "药物洗脱支架（目录外）",
            "category": "consumable",
            "unit_price": "1500.00",
            "quantity": 1,
            "necessity": "目录内支架不适用于该病变",
            "attending_doctor": "dr-qin",
        },
        expect=(201,),
        waiting=(404, 422),  # consent may still be learning of the admission or the catalogue
    )
    item_id = item["item_id"]
    assert item["amount"] == "1500.00" and item["needs_civil_affairs"] is True
    # LJ-7.1: the person signs the informed-consent form (the mobile channel, over the API).
    await stack.call(
        "consent",
        "POST",
        f"/self-pay-items/{item_id}/consent-form",
        role="patient",
        subject=pid,
        json={"signature_ref": "SIG-BX-FORM"},
        expect=201,
    )

    # LJ-7.2: the institution head's initial review, in the console. An objection without a
    # reason is refused by the service, and its answer stands next to the reason field.
    await stack.set_clock(local(2026, 12, 16, 10, 0))
    page = await signed_in(browser, console, "institution", "institution:BX-INST", "inst-head-qin", "覃院长")
    # The step's due instant (self_pay_steps: 2 working days from the signed form — 17, 18 December).
    row = page.locator("section[data-queue=initial-reviews] tr", has_text="ZF-BX-STENT")
    assert "2026-12-18 23:59" in await row.inner_text() and "剩余 2 个工作日" in await row.inner_text()
    await open_row(page, "initial-reviews", "ZF-BX-STENT")
    await assert_every_field_labelled(page)
    await page.check("input[name=outcome][value=rejected]")
    await page.click("text=提交初审意见")
    assert await page.locator("[data-testid=problem]").count() == 1
    assert await page.locator("[data-testid=field-error-reason]").count() == 1, await page.inner_text("main")
    assert "待初审" in await page.inner_text("[data-testid=status]")
    await page.check("input[name=outcome][value=approved]")
    await page.click("text=提交初审意见")
    await page.wait_for_selector("[data-testid=done]")
    assert "待民政审核" in await page.inner_text("[data-testid=status]")
    await page.context.close()

    # LJ-7.3: the civil-affairs officer finds it in the queue and approves.
    await stack.set_clock(local(2026, 12, 17, 9, 0))
    page = await signed_in(browser, console, "civil_affairs", "", "ca-officer-wei", "韦股长")
    row = page.locator("section[data-queue=ca-self-pay] tr", has_text="ZF-BX-STENT")
    assert "1500.00" in await row.inner_text() and "待民政审核" in await row.inner_text()
    # Civil affairs' 3 working days from the initial review: 17, 18 and 21 December.
    assert "2026-12-21 23:59" in await row.inner_text() and "剩余 2 个工作日" in await row.inner_text()
    await open_row(page, "ca-self-pay", "ZF-BX-STENT")
    assert "1500.00" in await page.inner_text("[data-testid=amount]")
    await page.check("input[name=outcome][value=approved]")
    await page.fill("#ca-reason", "确属治疗必需，同意")
    await page.click("text=提交审核意见")
    await page.wait_for_selector("[data-testid=done]")
    assert "已同意" in await page.inner_text("[data-testid=status]")
    decided = await stack.wait_event("SelfPayDecided", item_id=item_id)
    assert decided["data"]["outcome"] == "approved" and decided["data"]["amount"] == "1500.00"
    await page.goto("/")
    assert await page.locator("section[data-queue=ca-self-pay] tr", has_text="ZF-BX-STENT").count() == 0
    await page.context.close()


async def test_forms_need_their_csrf_token_roles_see_only_their_queues_and_pages_render(
    stack: Stack, console: str, browser: Any
) -> None:
    page = await signed_in(browser, console, "police", POLICE_SCOPES, "psb-clerk-lu")
    # A role sees only its queues: the police get no fund-agency or civil-affairs queue, and
    # asking for one by address is refused.
    queues = {await s.get_attribute("data-queue") for s in await page.locator("section[data-queue]").all()}
    assert "police-letters" in queues and not queues & {"fund-agency", "fund-finance", "ca-self-pay", "initial-reviews"}
    response = await page.goto("/queues/ca-self-pay")
    assert response is not None and response.status == 403

    # A post without the CSRF token (the session cookie alone, as a forged cross-site form
    # would carry it) is refused, and nothing changes in the service.
    before = await stack.call(
        "identity-check", "GET", "/identity-checks", role="police", scopes=(f"jurisdiction:{BUREAU}",)
    )
    forged = await page.request.post(
        "/police/letters/some-letter/reply", form={"outcome": "identified", "name": "伪造"}, max_redirects=0
    )
    assert forged.status == 403, forged.status
    after = await stack.call(
        "identity-check", "GET", "/identity-checks", role="police", scopes=(f"jurisdiction:{BUREAU}",)
    )
    assert after == before
    sign_out = await page.request.post("/sign-out", form={}, max_redirects=0)
    assert sign_out.status == 403  # signing out is a form too

    # A screenshot of a page is not blank: many colours, dark text on a light page, on a phone too.
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.goto("/")
    for width, name in ((1280, "dashboard-desktop"), (390, "dashboard-phone")):
        await page.set_viewport_size({"width": width, "height": 900})
        png = await page.screenshot(full_page=True, path=str(SHOTS / f"{name}.png"))
        image = Image.open(io.BytesIO(png)).convert("RGB")
        colours = image.getcolors(maxcolors=1 << 20) or []
        assert len(colours) > 20, f"{name}: {len(colours)} colours"
        dark = sum(n for n, (r, g, b) in colours if r + g + b < 200)
        assert dark > 500, f"{name}: no text drawn ({dark} dark pixels)"
    # Keyboard: the first Tab reaches the skip link, which leads to the main content.
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.className") == "skip"

    # Signing out ends the session: the next page asks to sign in again.
    await page.click("text=退出登录")
    await page.wait_for_url(f"{console}/sign-in")
    await page.goto("/")
    assert "/sign-in" in page.url
    # Every asset comes from the console itself (no CDN).
    async with httpx.AsyncClient(base_url=console) as c:
        html = (await c.get("/sign-in")).text
    assert "http://" not in html and "https://" not in html, html
    await page.context.close()


async def test_the_auditor_sees_each_services_audit_chain_and_checks_a_recorded_head(
    stack: Stack, console: str, browser: Any
) -> None:
    """The auditor (read-only oversight, SPEC 0.3) sees every service's decision log verified
    through the services' own ``GET /v1/audit/status``, writes down a head digest, and a
    later check of it is answered by the service it came from."""
    await stack.set_clock(local(2026, 12, 18, 9, 0))
    page = await signed_in(browser, console, "auditor", f"city:{CITY}", "auditor-liang", "梁监督")
    await page.click("text=审计链状态")
    await page.wait_for_selector("[data-testid=audit-status]")
    for service in ("referral", "consent", "settlement", "emergency-fund", "identity-check"):
        assert "完整" in await page.inner_text(f"[data-testid=verified-{service}]"), service
    await assert_every_field_labelled(page)
    recorded = await page.inner_text("tr[data-service=consent] code.digest")
    await page.fill("#head-consent", recorded)
    await page.locator("tr[data-service=consent] button", has_text="核对").click()
    await page.wait_for_selector("[data-testid=audit-status]")
    assert f"已复现记录的摘要 {recorded.split(':')[0]}" in await page.inner_text("[data-testid=verified-consent]")
    await page.context.close()


async def test_an_institution_head_makes_the_health_plan_due_after_a_discharge(
    stack: Stack, console: str, browser: Any
) -> None:
    """LJ-15.1: after a discharge the institution head finds the plan to make in the console's
    queue, with its due instant (health_plan_window: 10 working days on the official
    calendar) and the working days left, opens its form with the admission filled in, makes
    the plan, and the plan leaves the queue."""
    await stack.set_clock(local(2026, 12, 21, 8, 0))
    await register_facility(stack, "BX-LJ-PLAN-HOSP", "柳江区人民医院", "district")
    await register_facility(stack, "BX-LJ-PLAN-CLINIC", "柳江区福利院医务室", "institution_clinic")
    person = await register_person(
        stack,
        {
            "id_number": id_number(date(1950, 3, 4), 529),
            "name": "韦桂英",
            "support_type": "centralized",
            "institution_id": "BX-INST",
            "guardian": {"verified_none": True, "evidence_ref": "BX-NO-GUARDIAN-2"},
            "disability_level": "semi",
        },
    )
    pid = person["person_id"]
    hospital = ("facility:BX-LJ-PLAN-HOSP",)
    await refer(stack, pid, "BX-LJ-PLAN-CLINIC", "BX-LJ-PLAN-HOSP", local(2026, 12, 21, 7, 0))
    admission = await stack.call(
        "referral",
        "POST",
        "/admissions",
        role="hospital",
        scopes=hospital,
        json={
            "person_id": pid,
            "facility_id": "BX-LJ-PLAN-HOSP",
            "admitted_at": local(2026, 12, 21, 7, 30).isoformat(),
        },
        expect=201,
    )
    aid = admission["admission_id"]
    await stack.set_clock(local(2026, 12, 21, 11, 0))
    await stack.call(
        "referral",
        "POST",
        f"/admissions/{aid}/discharge",
        role="hospital",
        scopes=hospital,
        json={"discharged_at": local(2026, 12, 21, 10, 0).isoformat()},
    )
    await issue_discharge_documents(stack, aid, "BX-LJ-PLAN-HOSP", "BX-PLAN")
    listed = await stack.call(
        "referral", "GET", "/health-plans/due", role="institution", scopes=("institution:BX-INST",)
    )
    [due] = [i for i in listed["items"] if i["admission_id"] == aid]
    due_text = datetime.fromisoformat(due["due_at"]).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")

    page = await signed_in(browser, console, "institution", "institution:BX-INST", "inst-head-qin", "覃院长")
    row = page.locator("section[data-queue=health-plans] tr", has_text=aid)
    assert await row.count() == 1, await page.inner_text("section[data-queue=health-plans]")
    assert due_text in await row.inner_text() and "剩余 10 个工作日" in await row.inner_text()
    assert "已出具" in await row.inner_text()
    await open_row(page, "health-plans", aid)
    await assert_every_field_labelled(page)
    assert await page.input_value("#f-admission_id") == aid
    await page.fill("#f-plan", "出院后康复训练，每周测量血压，护理员每日巡视")
    await page.check("input[name=guardian_participated][value=false]")
    await page.click("text=提交 >> nth=-1")
    await page.wait_for_selector("[data-testid=done]")
    await page.goto("/")
    assert await page.locator("section[data-queue=health-plans] tr", has_text=aid).count() == 0
    await page.context.close()
