"""LJ-10 endpoints: who may sign now; the verified absence of a guardian."""

from __future__ import annotations

from medaid_shared.testing import ServiceHarness

from .helpers import agent, capacity, guardian, setup_person


async def test_lj_10_who_may_sign_and_why_higher_ranks_are_skipped(svc: ServiceHarness) -> None:
    await setup_person(svc, capacity=capacity(False), agents=[agent("a-1")])
    r = await svc.client.get("/persons/P1/signing-authority", headers=svc.token("civil_affairs"))
    assert r.status_code == 200, r.text
    body = r.json()
    # The guardian is neither on file nor verified absent: nobody below rank 2 may sign yet.
    assert body["eligible"] is None and body["blocked_by"]["rank"] == 2

    absent = await svc.client.post(
        "/persons/P1/guardian-absence",
        json={"evidence_ref": "CA-2026-0142", "evidence_note": "household register checked"},
        headers=svc.token("institution", "institution:I01", subject="head-I01"),
    )
    assert absent.status_code == 201, absent.text
    body = (await svc.client.get("/persons/P1/signing-authority", headers=svc.token("civil_affairs"))).json()
    assert body["eligible_rank"] == 3 and body["eligible"]["signer_ids"] == ["a-1"]
    assert [(s["rank"], s["reasons"]) for s in body["skipped"]] == [
        (1, ["not_fully_capable_or_lucid"]),
        (2, ["guardian_verified_none"]),
    ]
    assert "CA-2026-0142" in body["skipped"][1]["detail"]
    [event] = await svc.published("GuardianAbsenceVerified")
    assert event["payload"]["evidence_ref"] == "CA-2026-0142" and event["payload"]["verified_role"] == "institution"


async def test_lj_10_major_public_interest_view(svc: ServiceHarness) -> None:
    await setup_person(svc, capacity=capacity(True))
    r = await svc.client.get(
        "/persons/P1/signing-authority?major_public_interest=true",
        headers=svc.token("institution", "institution:I01"),
    )
    assert r.json()["eligible_rank"] == 4
    assert r.json()["skipped"][0]["reasons"] == ["major_public_interest"]


async def test_signing_authority_scope_and_denials(svc: ServiceHarness) -> None:
    await setup_person(svc, capacity=capacity(True), guardian=guardian("g-1"))
    ok = [
        svc.token("hospital", "facility:H001"),  # treating the person (admission A1)
        svc.token("institution", "institution:I01"),
        svc.token("town_government", "town:T01"),
        svc.token("patient", subject="P1"),
        svc.token("guardian", subject="g-1"),
        svc.token("auditor"),
    ]
    for headers in ok:
        assert (await svc.client.get("/persons/P1/signing-authority", headers=headers)).status_code == 200
    denied = [
        svc.token("hospital", "facility:H999"),
        svc.token("institution", "institution:I02"),
        svc.token("village_committee", "village:V01"),
        svc.token("patient", subject="P2"),
        svc.token("guardian", subject="g-2"),
        svc.token("police", "jurisdiction:PSB01"),
        svc.token("finance"),
    ]
    for headers in denied:
        r = await svc.client.get("/persons/P1/signing-authority", headers=headers)
        assert r.status_code == 403, r.text
        assert r.headers["content-type"] == "application/problem+json"
    assert (await svc.client.get("/persons/P1/signing-authority")).status_code == 401


async def test_unknown_person_is_problem_details(svc: ServiceHarness) -> None:
    r = await svc.client.get("/persons/NOPE/signing-authority", headers=svc.token("civil_affairs"))
    assert r.status_code == 404 and r.json()["type"] == "/problems/not-found"
    r = await svc.client.post(
        "/persons/NOPE/guardian-absence", json={"evidence_ref": "X"}, headers=svc.token("civil_affairs")
    )
    assert r.status_code == 404


async def test_guardian_absence_denials_and_bad_input_change_nothing(svc: ServiceHarness) -> None:
    await setup_person(svc)  # centralized, I01, town T01
    await setup_person(svc, "P2", centralized=False, admission_id=None)
    body = {"evidence_ref": "EV-1"}
    for person, headers in [
        ("P1", svc.token("hospital", "facility:H001")),
        ("P1", svc.token("institution", "institution:I02")),
        ("P1", svc.token("village_committee", "village:V01")),  # P1 is centralized
        ("P2", svc.token("institution", "institution:I01")),  # P2 is decentralized
        ("P1", svc.token("town_government", "town:T09")),
        ("P1", svc.token("guardian", subject="g-1")),
    ]:
        r = await svc.client.post(f"/persons/{person}/guardian-absence", json=body, headers=headers)
        assert r.status_code == 403, (person, r.text)
    r = await svc.client.post(
        "/persons/P1/guardian-absence", json={"evidence_ref": ""}, headers=svc.token("civil_affairs")
    )
    assert r.status_code == 422 and r.json()["field"] == "/evidence_ref"
    assert await svc.published("GuardianAbsenceVerified") == []
    ok = await svc.client.post(
        "/persons/P2/guardian-absence", json=body, headers=svc.token("village_committee", "village:V01")
    )
    assert ok.status_code == 201
    ok = await svc.client.post(
        "/persons/P1/guardian-absence", json=body, headers=svc.token("town_government", "town:T01")
    )
    assert ok.status_code == 201


async def test_guardian_absence_refused_while_a_guardian_is_on_file(svc: ServiceHarness) -> None:
    await setup_person(svc, guardian=guardian("g-1"))
    r = await svc.client.post(
        "/persons/P1/guardian-absence", json={"evidence_ref": "EV-1"}, headers=svc.token("civil_affairs")
    )
    assert r.status_code == 409 and r.json()["rule"] == "LJ-10"
    assert await svc.published("GuardianAbsenceVerified") == []


async def test_guardian_absence_is_idempotent_and_audited(svc: ServiceHarness) -> None:
    from sqlalchemy import select

    await setup_person(svc)
    headers = {**svc.token("civil_affairs", subject="ca-7"), "Idempotency-Key": "abs-1"}
    first = await svc.client.post("/persons/P1/guardian-absence", json={"evidence_ref": "EV-1"}, headers=headers)
    again = await svc.client.post("/persons/P1/guardian-absence", json={"evidence_ref": "EV-1"}, headers=headers)
    assert first.json() == again.json()
    assert len(await svc.published("GuardianAbsenceVerified")) == 1
    t = svc.runtime.db.tables.audit_log
    async with svc.runtime.db.read() as s:
        rows = (await s.execute(select(t.c.actor, t.c.role, t.c.action))).all()
    assert [(r.actor, r.role, r.action) for r in rows] == [("ca-7", "civil_affairs", "guardian_absence.verify")]


async def test_lj_10_only_civil_affairs_verifies_a_named_guardian_absent(svc: ServiceHarness) -> None:
    """Issue scenario: a guardian registered by name only cannot be declared absent by the
    institution that would then sign at rank 4 — only civil affairs verifies it; nothing
    is recorded on the refusal."""
    from medaid_shared.contracts.referral import Guardian

    await setup_person(svc, guardian=Guardian(name_masked="李*", relation="sibling"))
    body = {"evidence_ref": "EV-1"}
    for headers in (svc.token("institution", "institution:I01"), svc.token("town_government", "town:T01")):
        r = await svc.client.post("/persons/P1/guardian-absence", json=body, headers=headers)
        assert r.status_code == 403 and r.json()["rule"] == "LJ-10", r.text
    assert await svc.published("GuardianAbsenceVerified") == []
    ok = await svc.client.post("/persons/P1/guardian-absence", json=body, headers=svc.token("civil_affairs"))
    assert ok.status_code == 201, ok.text


async def test_lj_10_only_civil_affairs_verifies_that_a_guardian_cannot_act(svc: ServiceHarness) -> None:
    """LJ-10: a guardian on file who cannot act is passed over only on civil affairs' verified
    finding — never on the word of the institution or town that would then sign at rank 4;
    a refusal names the field and the rule and records nothing. The finding concerns that
    guardian only: a new guardian on file is available again."""
    from .helpers import feed, person_event

    await setup_person(svc, capacity=capacity(False), guardian=guardian("g-1"))
    body = {"evidence_ref": "CA-2026-0200", "finding": "cannot_act"}
    for headers in (svc.token("institution", "institution:I01"), svc.token("town_government", "town:T01")):
        r = await svc.client.post("/persons/P1/guardian-absence", json=body, headers=headers)
        assert r.status_code == 403 and (r.json()["field"], r.json()["rule"]) == ("/finding", "LJ-10"), r.text
    hospital = svc.token("hospital", "facility:H001")
    assert (await svc.client.post("/persons/P1/guardian-absence", json=body, headers=hospital)).status_code == 403
    assert await svc.published("GuardianAbsenceVerified") == []
    view = (await svc.client.get("/persons/P1/signing-authority", headers=svc.token("civil_affairs"))).json()
    assert view["eligible_rank"] == 2

    ok = await svc.client.post("/persons/P1/guardian-absence", json=body, headers=svc.token("civil_affairs"))
    assert ok.status_code == 201, ok.text
    assert ok.json()["finding"] == "cannot_act" and ok.json()["guardian_id"] == "g-1"
    [event] = await svc.published("GuardianAbsenceVerified")
    assert event["payload"]["finding"] == "cannot_act" and event["payload"]["guardian_id"] == "g-1"
    view = (await svc.client.get("/persons/P1/signing-authority", headers=svc.token("civil_affairs"))).json()
    assert view["eligible_rank"] == 4
    assert view["skipped"][1]["reasons"] == ["guardian_cannot_act"] and "CA-2026-0200" in view["skipped"][1]["detail"]

    # referral records another guardian: the finding was about g-1, so g-2 is rank 2 again
    await feed(svc, person_event("P1", updated=True, capacity=capacity(False), guardian=guardian("g-2")))
    view = (await svc.client.get("/persons/P1/signing-authority", headers=svc.token("civil_affairs"))).json()
    assert view["eligible_rank"] == 2 and view["eligible"]["signer_ids"] == ["g-2"]


async def test_lj_10_cannot_act_needs_a_guardian_and_none_exists_is_not_for_one_on_file(svc: ServiceHarness) -> None:
    await setup_person(svc)  # no guardian on file or named
    r = await svc.client.post(
        "/persons/P1/guardian-absence",
        json={"evidence_ref": "EV-1", "finding": "cannot_act"},
        headers=svc.token("civil_affairs"),
    )
    assert r.status_code == 422 and r.json()["field"] == "/finding" and r.json()["rule"] == "LJ-10", r.text
    r = await svc.client.post(
        "/persons/P1/guardian-absence",
        json={"evidence_ref": "EV-1", "finding": "gone"},
        headers=svc.token("civil_affairs"),
    )
    assert r.status_code == 422 and r.json()["field"] == "/finding", r.text
    assert await svc.published("GuardianAbsenceVerified") == []
