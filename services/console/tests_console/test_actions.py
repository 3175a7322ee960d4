"""The decisions declared as data: each is a labelled form, sent as the service's JSON, its
problem shown next to the field; a role without the decision gets no form."""

from __future__ import annotations

import json

from fastapi import FastAPI

from console.actions import ACTIONS
from console.api import ApiProblem

from .conftest import FakeServices, client, problem, sign_in


async def test_an_out_of_region_approval_is_sent_as_the_services_json(app: FastAPI, fake: FakeServices) -> None:
    fake.on("POST", "/v1/referrals/RF1/approval", 200, {"referral_id": "RF1", "approval_state": "approved"})
    async with client(app) as c:
        token = await sign_in(c, "medical_insurance")
        form = await c.get("/act/referral-approval/RF1")
        assert form.status_code == 200
        for label in ("审批结果", "审批文号", "理由"):
            assert label in form.text
        r = await c.post(
            "/act/referral-approval/RF1",
            data={
                "approved": "true",
                "reference": "柳江医保〔2026〕9号",
                "reason": "区外专科诊疗",
                "csrf_token": token,
            },
        )
    assert r.status_code == 200 and 'data-testid="done"' in r.text
    [sent] = [x for x in fake.seen if x.method == "POST"]
    assert json.loads(sent.content) == {"approved": True, "reference": "柳江医保〔2026〕9号", "reason": "区外专科诊疗"}


async def test_a_visit_is_given_in_shanghai_time_and_a_refusal_names_its_field(
    app: FastAPI, fake: FakeServices
) -> None:
    fake.on("POST", "/v1/persons/P1/visits", 422, problem(422, "visited_at is in the future", field="/visited_at"))
    async with client(app) as c:
        token = await sign_in(c, "town_government", "town:T01")
        r = await c.post(
            "/act/visit/P1", data={"visited_at": "2026-12-08T09:30", "visitor": "镇民政办 李某", "csrf_token": token}
        )
    assert r.status_code == 422
    assert 'data-testid="field-error-visited_at"' in r.text and "visited_at is in the future" in r.text
    [sent] = [x for x in fake.seen if x.method == "POST"]
    assert json.loads(sent.content) == {"visited_at": "2026-12-08T09:30:00+08:00", "visitor": "镇民政办 李某"}


async def test_a_role_without_the_decision_gets_no_form(app: FastAPI, fake: FakeServices) -> None:
    async with client(app) as c:
        token = await sign_in(c, "auditor", "city:qingyuan")
        assert (await c.get("/act/referral-approval/RF1")).status_code == 403
        r = await c.post("/act/referral-approval/RF1", data={"approved": "true", "csrf_token": token})
        assert r.status_code == 403
        index = await c.get("/act")
    assert "异地转诊审批" not in index.text
    assert not [x for x in fake.seen if x.method == "POST"]


def test_every_field_of_every_decision_has_a_chinese_label() -> None:
    for action in ACTIONS:
        assert action.title and action.rule and action.subject
        for field in action.fields:
            assert field.label and not field.label.isascii(), (action.key, field.name)


async def test_manual_reimbursements_queue_leads_to_the_next_step_and_a_rejection_sends_its_reasons(
    app: FastAPI, fake: FakeServices
) -> None:
    """LJ-13.2: the queue shows each statement's next step (apply within the window, review,
    payment); a rejection is sent with its reasons and no amounts."""
    fake.on(
        "GET",
        "/v1/reimbursements",
        body={
            "items": [
                {
                    "statement_id": "ST-APPLIED",
                    "person_id": "P1",
                    "facility_id": "H1",
                    "reimbursable": "3200.00",
                    "state": "applied",
                },
                {
                    "statement_id": "ST-NEW",
                    "person_id": "P2",
                    "facility_id": "H1",
                    "reimbursable": "800.00",
                    "state": "requested",
                    "application_due_at": "2026-12-22T15:59:59+00:00",
                },
            ],
            "next_cursor": None,
        },
    )
    fake.on("POST", "/v1/reimbursements/ST-APPLIED/review", 200, {"statement_id": "ST-APPLIED", "state": "rejected"})
    async with client(app) as c:
        token = await sign_in(c, "medical_insurance")
        queue = (await c.get("/queues/reimbursements")).text
        r = await c.post(
            "/act/reimbursement-review/ST-APPLIED",
            data={
                "outcome": "rejected",
                "reasons": "发票不全\n未附出院小结",
                "basic_insurance": "",
                "csrf_token": token,
            },
        )
    assert "/act/reimbursement-review/ST-APPLIED" in queue and "/act/reimbursement-application/ST-NEW" in queue
    assert "已申请，待医保审核" in queue and "2026-12-22 23:59" in queue
    assert r.status_code == 200 and 'data-testid="done"' in r.text
    [sent] = [x for x in fake.seen if x.method == "POST"]
    assert json.loads(sent.content) == {"outcome": "rejected", "reasons": ["发票不全", "未附出院小结"]}


def test_a_problem_concerns_the_form_field_its_pointer_names() -> None:
    def concerns(field: str, name: str) -> bool:
        return ApiProblem("settlement", 422, {"field": field}).concerns(name)

    assert concerns("/reason", "reason") and concerns("cursor", "cursor")
    assert concerns("/photos/0", "photos") and concerns("/lines/0/amount", "amount")
    assert concerns("/guardian/name", "guardian") and concerns("/a~1b", "a/b")
    assert not concerns("/reason_code", "reason") and not concerns("/lines/0/amount", "lines/0")
    assert not ApiProblem("settlement", 422, {}).concerns("reason")


async def test_lj_10_civil_affairs_confirms_or_rejects_a_rank_4_major_public_interest_from_its_queue(
    app: FastAPI, fake: FakeServices
) -> None:
    """LJ-10: on civil affairs' rank-4 queue a signature on a major public interest awaiting its
    decision leads to one form; the decision chosen picks consent's confirmation or rejection
    path and the reason is sent; no decision chosen is refused on its field, nothing sent."""
    fake.on(
        "GET",
        "/v1/rank4-signatures",
        body={
            "items": [
                {
                    "consent_id": "con-PENDING",
                    "admission_id": "A1",
                    "signer": {"signer_id": "head-I01", "role": "institution"},
                    "major_public_interest": True,
                    "public_interest_state": "pending",
                    "filed_at": "2026-12-08T02:00:00+00:00",
                    "acknowledgement_due_at": "2026-12-11T15:59:59+00:00",
                    "overdue": False,
                },
                {
                    "consent_id": "con-PLAIN",
                    "admission_id": "A2",
                    "signer": {"signer_id": "head-V01", "role": "village_committee"},
                    "major_public_interest": False,
                    "public_interest_state": None,
                    "filed_at": "2026-12-08T03:00:00+00:00",
                    "acknowledgement_due_at": "2026-12-11T15:59:59+00:00",
                    "overdue": False,
                },
            ],
            "next_cursor": None,
        },
    )
    decided = {"consent_id": "con-PENDING", "public_interest_state": "rejected"}
    fake.on("POST", "/v1/rank4-signatures/con-PENDING/public-interest/rejection", 200, decided)
    async with client(app) as c:
        token = await sign_in(c, "civil_affairs")
        queue = (await c.get("/queues/rank4")).text
        form = await c.get("/act/public-interest-decision/con-PENDING")
        unchosen = await c.post(
            "/act/public-interest-decision/con-PENDING", data={"reason": "本人神志清楚", "csrf_token": token}
        )
        r = await c.post(
            "/act/public-interest-decision/con-PENDING",
            data={"decision": "rejection", "reason": "本人神志清楚，应由本人签字", "csrf_token": token},
        )
    assert "/act/public-interest-decision/con-PENDING" in queue and "是，待民政确认" in queue
    assert "/act/public-interest-decision/con-PLAIN" not in queue and "/act/rank4-acknowledgement/con-PLAIN" in queue
    assert (
        form.status_code == 200
        and "确认涉及重大公共利益，签字生效" in form.text
        and "不予确认，签字不生效" in form.text
    )
    assert unchosen.status_code == 422 and 'data-testid="field-error-decision"' in unchosen.text
    assert r.status_code == 200 and 'data-testid="done"' in r.text
    [sent] = [x for x in fake.seen if x.method == "POST"]
    assert sent.url.path == "/v1/rank4-signatures/con-PENDING/public-interest/rejection"
    assert json.loads(sent.content) == {"reason": "本人神志清楚，应由本人签字"}
