"""LJ-7 self-pay double review through the API: thresholds, consent form, initial review,
civil-affairs filing and review, decisions with their trail, parameters, denials."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import time_machine

from medaid_shared import clock
from medaid_shared.contracts.common import FacilityLevel, Region
from medaid_shared.contracts.referral import FacilityRegistered
from medaid_shared.testing import ServiceHarness

from .helpers import (
    admission_event,
    agent,
    capacity,
    feed,
    guardian,
    no_guardian_verified,
    setup_person,
    trusteeship,
)

HOSPITAL = ("hospital", "facility:H001")
HEAD = ("institution", "institution:I01")


def item(price: str, quantity: int = 1, **extra: Any) -> dict[str, Any]:
    return {
        "item_code": "X-01",
        "item_name": "人血白蛋白",
        "category": "drug",
        "unit_price": price,
        "quantity": quantity,
        "necessity": "低蛋白血症",
        "attending_doctor": "doc-1",
        **extra,
    }


async def propose(svc: ServiceHarness, price: str, quantity: int = 1, admission: str = "A1", **extra: Any) -> Any:
    r = await svc.client.post(
        f"/admissions/{admission}/self-pay-items", json=item(price, quantity, **extra), headers=svc.token(*HOSPITAL)
    )
    assert r.status_code == 201, r.text
    return r.json()


async def sign_form(svc: ServiceHarness, item_id: str, role: str = "patient", *scopes: str, subject: str = "P1") -> Any:
    return await svc.client.post(
        f"/self-pay-items/{item_id}/consent-form", json={}, headers=svc.token(role, *scopes, subject=subject)
    )


async def review(
    svc: ServiceHarness, item_id: str, stage: str, role: str, *scopes: str, subject: str | None = None, **body: Any
) -> Any:
    if stage != "civil-affairs-filing":
        body = {"outcome": "approved", **body}
    return await svc.client.post(
        f"/self-pay-items/{item_id}/{stage}", json=body, headers=svc.token(role, *scopes, subject=subject)
    )


async def decided(svc: ServiceHarness) -> list[dict[str, Any]]:
    return [r["payload"] for r in await svc.published("SelfPayDecided")]


async def test_lj_7_0_199_99_recorded_without_review(svc: ServiceHarness) -> None:
    await setup_person(svc, capacity=capacity(True))
    it = await propose(svc, "199.99")
    assert it["status"] == "recorded_below_threshold" and it["outcome"] == "below_threshold"
    assert not it["needs_review"] and it["necessity"] == "低蛋白血症"
    [proposed] = [r["payload"] for r in await svc.published("SelfPayProposed")]
    assert proposed["needs_review"] is False and proposed["amount"] == "199.99"
    [d] = await decided(svc)
    assert d["outcome"] == "below_threshold" and d["rules"] == ["LJ-7.0"]
    # A decided item takes no form and no review.
    assert (await sign_form(svc, it["item_id"])).status_code == 409


async def test_lj_7_1_lj_7_2_centralized_200_00_form_then_institution_head(svc: ServiceHarness) -> None:
    await setup_person(svc, capacity=capacity(True))
    it = await propose(svc, "100.00", quantity=2)
    assert it["amount"] == "200.00" and it["status"] == "awaiting_consent_form" and it["needs_review"]
    # LJ-7 order: no initial review before the informed-consent form is signed.
    early = await review(svc, it["item_id"], "initial-review", *HEAD)
    assert early.status_code == 409
    form = await sign_form(svc, it["item_id"])
    assert form.status_code == 201, form.text
    assert form.json()["decision"] == "self_pay_form" and form.json()["item_id"] == it["item_id"]
    r = await review(svc, it["item_id"], "initial-review", *HEAD, subject="head-I01")
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "approved" and r.json()["outcome"] == "approved"
    assert [s["step"] for s in r.json()["trail"]] == ["proposed", "consent_form", "initial", "decided"]
    [reviewed] = [x["payload"] for x in await svc.published("SelfPayReviewed")]
    assert (reviewed["stage"], reviewed["outcome"], reviewed["reviewer_id"]) == ("initial", "approved", "head-I01")
    [d] = await decided(svc)
    assert d["outcome"] == "approved" and d["rules"] == ["LJ-7.0", "LJ-7.1", "LJ-7.2"]
    assert [s["step"] for s in d["trail"]] == ["proposed", "consent_form", "initial", "decided"]
    [signed] = await svc.published("ConsentSigned")
    assert signed["payload"]["decision"] == "self_pay_form"
    # A second decision on a decided item: problem details, nothing changed.
    again = await review(svc, it["item_id"], "initial-review", *HEAD, outcome="rejected", reason="late")
    assert again.status_code == 409
    assert len(await decided(svc)) == 1


async def test_lj_7_1_form_signed_only_by_the_eligible_signer(svc: ServiceHarness) -> None:
    await setup_person(svc, capacity=capacity(False), guardian=guardian("g-1"))
    it = await propose(svc, "300.00")
    out_of_order = await sign_form(svc, it["item_id"], *HEAD, subject="head-I01")
    assert out_of_order.status_code == 422 and out_of_order.json()["rule"] == "LJ-10"
    assert "g-1" in out_of_order.json()["detail"]
    assert (await sign_form(svc, it["item_id"], "hospital", "facility:H001", subject="doc-1")).status_code == 403
    ok = await sign_form(svc, it["item_id"], "guardian", subject="g-1")
    assert ok.status_code == 201 and ok.json()["signer"]["rank"] == 2
    assert (await sign_form(svc, it["item_id"], "guardian", subject="g-1")).status_code == 409


async def test_lj_7_2_institution_head_objects_with_a_reason(svc: ServiceHarness) -> None:
    await setup_person(svc, capacity=capacity(True))
    it = await propose(svc, "680.00")
    await sign_form(svc, it["item_id"])
    no_reason = await review(svc, it["item_id"], "initial-review", *HEAD, outcome="rejected")
    assert no_reason.status_code == 422 and no_reason.json()["field"] == "/reason"
    r = await review(svc, it["item_id"], "initial-review", *HEAD, outcome="rejected", reason="保健类辅助用药，非必要")
    assert r.status_code == 200 and r.json()["outcome"] == "rejected"
    [d] = await decided(svc)
    assert d["outcome"] == "rejected" and "LJ-7.4" in d["rules"]
    assert d["trail"][2]["reason"] == "保健类辅助用药，非必要"
    [reviewed] = [x["payload"] for x in await svc.published("SelfPayReviewed")]
    assert reviewed["outcome"] == "rejected"


async def test_lj_7_2_the_former_word_objected_still_means_rejected(svc: ServiceHarness) -> None:
    """One outcome vocabulary (docs/VOCABULARY.md): a client that still sends "objected" is
    understood, and everything answered or published says "rejected"."""
    await setup_person(svc, capacity=capacity(True))
    it = await propose(svc, "680.00")
    await sign_form(svc, it["item_id"])
    r = await review(svc, it["item_id"], "initial-review", *HEAD, outcome="objected", reason="非必要")
    assert r.status_code == 200 and r.json()["outcome"] == "rejected"
    [reviewed] = [x["payload"] for x in await svc.published("SelfPayReviewed")]
    assert reviewed["outcome"] == "rejected"


async def test_lj_7_3_single_1000_01_centralized_filed_by_institution_then_civil_affairs(svc: ServiceHarness) -> None:
    await setup_person(svc, capacity=capacity(True))
    it = await propose(svc, "1000.01")
    assert it["needs_civil_affairs"] and "LJ-7.3" in it["rules"]
    [proposed] = [r["payload"] for r in await svc.published("SelfPayProposed")]
    assert proposed["needs_civil_affairs_filing"] is True
    await sign_form(svc, it["item_id"])
    early = await review(svc, it["item_id"], "civil-affairs-review", "civil_affairs")
    assert early.status_code == 409
    r = await review(svc, it["item_id"], "initial-review", *HEAD, subject="head-I01")
    assert r.json()["status"] == "awaiting_civil_affairs_review"
    assert r.json()["trail"][-1]["step"] == "civil_affairs_filing" and r.json()["trail"][-1]["actor"] == "head-I01"
    # The town government does not file for a centralized person.
    town = await review(svc, it["item_id"], "civil-affairs-filing", "town_government", "town:T01")
    assert town.status_code == 409 and "filed by the institution" in town.json()["detail"]
    final = await review(svc, it["item_id"], "civil-affairs-review", "civil_affairs", subject="ca-1")
    assert final.status_code == 200 and final.json()["outcome"] == "approved"
    [d] = await decided(svc)
    assert [s["step"] for s in d["trail"]] == [
        "proposed",
        "consent_form",
        "initial",
        "civil_affairs_filing",
        "civil_affairs",
        "decided",
    ]
    assert "LJ-7.3" in d["rules"]
    stages = [x["payload"]["stage"] for x in await svc.published("SelfPayReviewed")]
    assert stages == ["initial", "civil_affairs"]


async def test_lj_7_3_civil_affairs_may_object(svc: ServiceHarness) -> None:
    await setup_person(svc, capacity=capacity(True))
    it = await propose(svc, "1500.00")
    await sign_form(svc, it["item_id"])
    await review(svc, it["item_id"], "initial-review", *HEAD)
    r = await review(svc, it["item_id"], "civil-affairs-review", "civil_affairs", outcome="rejected", reason="超标准")
    assert r.json()["outcome"] == "rejected"
    assert (await review(svc, it["item_id"], "civil-affairs-review", "civil_affairs")).status_code == 409


async def load(svc: ServiceHarness, *versions: dict[str, Any]) -> Any:
    """Load kernel parameter versions as the administrator (POST /admin/parameters)."""
    return await svc.client.post("/admin/parameters", json={"versions": list(versions)}, headers=svc.token("admin"))


async def test_thresholds_are_versioned_parameters(svc: ServiceHarness) -> None:
    """LJ-7.0: a new threshold is a version with its effective date; the decision cites it."""
    await setup_person(svc, capacity=capacity(True))
    r = await load(
        svc, {"kind": "self_pay_review", "effective_from": "2026-06-20", "values": {"review_threshold": "300.00"}}
    )
    assert r.status_code == 201, r.text
    assert (await propose(svc, "250.00"))["needs_review"]
    with time_machine.travel(clock.now() + timedelta(days=6), tick=False):
        later = await propose(svc, "250.00")
    assert not later["needs_review"] and later["parameters_version"] == "self_pay_review:any:any:2026-06-20"
    [d] = [e for e in await decided(svc) if e["item_id"] == later["item_id"]]
    assert d["parameters_version"] == "self_pay_review:any:any:2026-06-20"
    listing = (await svc.client.get("/parameters", headers=svc.token("hospital", "facility:H001"))).json()
    assert [v["version_id"] for v in listing["items"]] == ["self_pay_review:any:any:2026-06-20"]
    kinds = (await svc.client.get("/parameters/kinds", headers=svc.token("auditor"))).json()["kinds"]
    [review] = [k for k in kinds if k["kind"] == "self_pay_review"]
    assert review["default"]["values"]["review_threshold"] == "200.00"


async def test_lj_7_0_a_new_regions_threshold_is_one_post(svc: ServiceHarness) -> None:
    """LJ-7.0: a region's own self-pay threshold is one version, no code; the facility's region
    decides which applies, and the region's version beats the ``any`` one."""
    await setup_person(svc, capacity=capacity(True))
    await feed(
        svc,
        FacilityRegistered(
            facility_id="H-GX",
            name="广西医科大学第一附属医院",
            level=FacilityLevel.PROVINCIAL,
            designated=True,
            region=Region.GUANGXI,
        ),
    )
    await feed(svc, admission_event("A-GX", "P1", facility_id="H-GX"))
    r = await load(
        svc,
        {
            "kind": "self_pay_review",
            "region": "guangxi",
            "effective_from": "2026-06-01",
            "values": {"review_threshold": "500.00"},
        },
    )
    assert r.status_code == 201, r.text
    at_home = await propose(svc, "300.00")
    assert at_home["needs_review"] and at_home["parameters_version"] == "self_pay_review:any:any:default"
    r = await svc.client.post(
        "/admissions/A-GX/self-pay-items", json=item("300.00"), headers=svc.token("hospital", "facility:H-GX")
    )
    assert r.status_code == 201, r.text
    assert not r.json()["needs_review"] and r.json()["parameters_version"] == "self_pay_review:guangxi:any:2026-06-01"


async def test_lj_7_2_decentralized_village_head_together_with_guardian(svc: ServiceHarness) -> None:
    await setup_person(svc, centralized=False, capacity=capacity(False), guardian=guardian("g-1"))
    it = await propose(svc, "1200.00")
    await sign_form(svc, it["item_id"], "guardian", subject="g-1")
    # The institution does not review a decentralized person's item.
    assert (await review(svc, it["item_id"], "initial-review", *HEAD)).status_code == 403
    assert (await review(svc, it["item_id"], "initial-review", "village_committee", "village:V02")).status_code == 403
    r = await review(svc, it["item_id"], "initial-review", "village_committee", "village:V01", subject="vh-1")
    assert r.json()["status"] == "awaiting_initial_review"  # still needs the guardian or agent
    dup = await review(svc, it["item_id"], "initial-review", "village_committee", "village:V01", subject="vh-2")
    assert dup.status_code == 409
    r = await review(svc, it["item_id"], "initial-review", "guardian", subject="g-1")
    assert r.json()["status"] == "awaiting_civil_affairs_filing"
    assert (await review(svc, it["item_id"], "civil-affairs-review", "civil_affairs")).status_code == 409
    wrong_town = await review(svc, it["item_id"], "civil-affairs-filing", "town_government", "town:T02")
    assert wrong_town.status_code == 403
    filed = await svc.client.post(
        f"/self-pay-items/{it['item_id']}/civil-affairs-filing",
        json={"note": "镇社会救助经办机构报备"},
        headers=svc.token("town_government", "town:T01", subject="town-1"),
    )
    assert filed.status_code == 200 and filed.json()["status"] == "awaiting_civil_affairs_review"
    done = await review(svc, it["item_id"], "civil-affairs-review", "civil_affairs")
    assert done.json()["outcome"] == "approved"
    roles = [s["role"] for s in done.json()["trail"]]
    assert roles == [
        "hospital",
        "guardian",
        "village_committee",
        "guardian",
        "town_government",
        "civil_affairs",
        "system",
    ]


async def test_lj_7_2_decentralized_agent_joins_and_guardian_may_object(svc: ServiceHarness) -> None:
    await setup_person(svc, centralized=False, guardian=no_guardian_verified(), agents=[agent("a-1")])
    it = await propose(svc, "300.00")
    await sign_form(svc, it["item_id"], "agent", subject="a-1")
    assert (await review(svc, it["item_id"], "initial-review", "agent", subject="a-9")).status_code == 403
    r = await review(svc, it["item_id"], "initial-review", "agent", subject="a-1", outcome="rejected", reason="太贵")
    assert r.json()["outcome"] == "rejected"


async def test_lj_7_2_decentralized_with_nobody_to_join_the_village_head_alone(svc: ServiceHarness) -> None:
    await setup_person(svc, centralized=False, guardian=no_guardian_verified())
    it = await propose(svc, "300.00")
    await sign_form(svc, it["item_id"], "village_committee", "village:V01", subject="vh-1")
    r = await review(svc, it["item_id"], "initial-review", "village_committee", "village:V01", subject="vh-1")
    assert r.json()["outcome"] == "approved"


async def test_lj_7_2_expired_agent_may_not_review(svc: ServiceHarness) -> None:
    expired = agent("a-1", valid_from=date(2025, 1, 1), valid_until=date(2026, 6, 1))
    await setup_person(svc, centralized=False, guardian=guardian("g-1"), agents=[expired])
    it = await propose(svc, "300.00")
    await sign_form(svc, it["item_id"], "guardian", subject="g-1")
    assert (await review(svc, it["item_id"], "initial-review", "agent", subject="a-1")).status_code == 403


async def test_lj_5_trusteeship_high_value_self_pay_still_reviewed(svc: ServiceHarness) -> None:
    await setup_person(svc, capacity=capacity(True), trusteeship=trusteeship("H001"))
    it = await propose(svc, "800.00")
    assert it["status"] == "awaiting_consent_form" and it["needs_review"]


async def test_lj_11_3_emergency_item_decided_as_emergency(svc: ServiceHarness) -> None:
    await setup_person(svc, emergency=True)
    it = await propose(svc, "3000.00", emergency=True)
    assert it["status"] == "emergency" and it["outcome"] == "emergency"
    [d] = await decided(svc)
    assert d["outcome"] == "emergency" and "LJ-11.3" in d["rules"]


async def test_emergency_item_needs_an_emergency(svc: ServiceHarness) -> None:
    await setup_person(svc)
    r = await svc.client.post(
        "/admissions/A1/self-pay-items", json=item("300.00", emergency=True), headers=svc.token(*HOSPITAL)
    )
    assert r.status_code == 422 and r.json()["rule"] == "LJ-11.3"
    await svc.client.post(
        "/admissions/A1/treatments",
        json={"kind": "emergency", "description": "抢救", "attending_doctor": "d", "emergency_reason": "休克"},
        headers=svc.token(*HOSPITAL),
    )
    assert (await propose(svc, "300.00", emergency=True))["outcome"] == "emergency"


async def test_bad_amounts_and_unknown_admission_change_nothing(svc: ServiceHarness) -> None:
    await setup_person(svc)
    h = svc.token(*HOSPITAL)
    for price, qty, field in (
        ("0", 1, "unit_price"),
        ("-5.00", 1, "unit_price"),
        ("200.001", 1, "unit_price"),
        ("200.00", 0, "quantity"),
        ("abc", 1, "unit_price"),
    ):
        r = await svc.client.post("/admissions/A1/self-pay-items", json=item(price, qty), headers=h)
        assert r.status_code == 422 and r.json()["field"] == f"/{field}", r.text
    r = await svc.client.post("/admissions/A1/self-pay-items", json=item(200.001), headers=h)
    assert r.status_code == 422
    assert (await svc.client.post("/admissions/NOPE/self-pay-items", json=item("300.00"), headers=h)).status_code == 404
    assert await svc.published("SelfPayProposed") == []


async def test_self_pay_endpoint_denials(svc: ServiceHarness) -> None:
    await setup_person(svc, capacity=capacity(True))
    for headers in (
        svc.token("hospital", "facility:H002"),
        svc.token("institution", "institution:I01"),
        svc.token("civil_affairs"),
    ):
        r = await svc.client.post("/admissions/A1/self-pay-items", json=item("300.00"), headers=headers)
        assert r.status_code == 403
    it = await propose(svc, "1300.00")
    iid = it["item_id"]
    assert (await sign_form(svc, iid, "civil_affairs", subject="ca")).status_code == 403
    await sign_form(svc, iid)
    for role, scopes in (
        ("civil_affairs", ()),
        ("hospital", ("facility:H001",)),
        ("institution", ("institution:I02",)),
        ("village_committee", ("village:V01",)),
        ("town_government", ("town:T01",)),
        ("patient", ()),
    ):
        r = await review(svc, iid, "initial-review", role, *scopes, subject="P1" if role == "patient" else None)
        assert r.status_code == 403, (role, r.text)
    await review(svc, iid, "initial-review", *HEAD)
    for role, scopes in (("institution", ("institution:I01",)), ("hospital", ("facility:H001",)), ("auditor", ())):
        assert (await review(svc, iid, "civil-affairs-review", role, *scopes)).status_code == 403
        assert (await review(svc, iid, "civil-affairs-filing", role, *scopes)).status_code == 403
    for headers in (svc.token("hospital", "facility:H002"), svc.token("patient", subject="P2"), svc.token("police")):
        assert (await svc.client.get(f"/self-pay-items/{iid}", headers=headers)).status_code == 403
    ok = await svc.client.get(f"/self-pay-items/{iid}", headers=svc.token("auditor"))
    assert ok.status_code == 200 and ok.json()["status"] == "awaiting_civil_affairs_review"
    for path in ("/self-pay-items/nope", "/self-pay-items/nope/consent-form"):
        r = await (
            svc.client.get(path, headers=svc.token("auditor")) if path.endswith("nope") else sign_form(svc, "nope")
        )
        assert r.status_code == 404


async def test_parameters_endpoint_denials_and_bad_input(svc: ServiceHarness) -> None:
    """Only the administrator loads versions; a bad value is refused naming its field, an
    overlapping version is a conflict, and nothing is stored."""
    version = {"kind": "self_pay_review", "effective_from": "2026-07-01", "values": {}}
    for role in ("civil_affairs", "hospital", "auditor"):
        r = await svc.client.post("/admin/parameters", json={"versions": [version]}, headers=svc.token(role))
        assert r.status_code == 403
    assert (await svc.client.get("/parameters", headers=svc.token("patient", subject="P1"))).status_code == 403
    for values in (
        {"review_threshold": "0"},
        {"civil_affairs_single_threshold": "1000.005"},
        {"cumulative_scope": "forever"},
    ):
        r = await load(svc, {**version, "values": values})
        assert r.status_code == 422 and next(iter(values)) in r.text, r.text
    assert (await load(svc, {**version, "kind": "thresholds"})).status_code == 422
    assert (await svc.client.get("/parameters", headers=svc.token("admin"))).json()["items"] == []
    assert (await load(svc, version)).status_code == 201
    assert (await load(svc, {**version, "effective_from": "2026-08-01"})).status_code == 409


async def listed(svc: ServiceHarness, role: str, *scopes: str, **params: str) -> Any:
    return await svc.client.get("/self-pay-items", params=params, headers=svc.token(role, *scopes))


async def test_lj_7_3_items_across_admissions_by_status_in_the_callers_scope(svc: ServiceHarness) -> None:
    """LJ-7.2, LJ-7.3, SPEC 0.3: the reviewers' work list — items by status across
    admissions, each caller seeing only its scope; an unknown status names the field."""
    await setup_person(svc, capacity=capacity(True))
    it = await propose(svc, "1000.01")
    await sign_form(svc, it["item_id"])
    await review(svc, it["item_id"], "initial-review", *HEAD, subject="head-I01")
    waiting = await listed(svc, "civil_affairs", status="awaiting_civil_affairs_review")
    assert waiting.status_code == 200, waiting.text
    [row] = waiting.json()["items"]
    assert row["item_id"] == it["item_id"] and row["admission_id"] == "A1" and row["amount"] == "1000.01"
    assert (await listed(svc, "civil_affairs", status="awaiting_initial_review")).json()["items"] == []
    assert [i["item_id"] for i in (await listed(svc, *HOSPITAL)).json()["items"]] == [it["item_id"]]
    assert (await listed(svc, "hospital", "facility:H002")).json()["items"] == []
    assert (await listed(svc, "institution", "institution:I02")).json()["items"] == []
    bad = await listed(svc, "civil_affairs", status="waiting")
    assert bad.status_code == 422 and bad.json()["field"] == "status"


async def test_spec_0_4_the_items_necessity_is_answered_only_to_the_roles_whose_purpose_includes_it(
    svc: ServiceHarness,
) -> None:
    """The medical necessity is for who proposes, reviews, files or signs the item and the
    auditor; medical insurance and health read the item (its amount, its outcome) without it."""
    await setup_person(svc, capacity=capacity(True))
    it = await propose(svc, "199.99")
    for role, scopes, shown in [
        ("hospital", ("facility:H001",), True),
        ("institution", ("institution:I01",), True),
        ("civil_affairs", (), True),
        ("auditor", (), True),
        ("medical_insurance", (), False),
        ("health_bureau", (), False),
    ]:
        r = await svc.client.get(f"/self-pay-items/{it['item_id']}", headers=svc.token(role, *scopes))
        assert r.status_code == 200, (role, r.text)
        assert r.json()["necessity"] == ("低蛋白血症" if shown else None), role
        if not shown:  # nor in the list of items by status
            listed = await svc.client.get(
                "/self-pay-items", params={"status": it["status"]}, headers=svc.token(role, *scopes)
            )
            assert all(i.get("necessity") is None for i in listed.json()["items"]), role
