"""The printable outside-care filing form (外出就医备案表, LJ annex 1), filled from the record."""

from __future__ import annotations

from datetime import datetime

import time_machine

from medaid_shared.clock import SHANGHAI
from medaid_shared.testing import ServiceHarness

from .helpers import (
    admit,
    assert_problem,
    audit_actions,
    ca,
    hospital,
    id_number,
    institution,
    mi,
    town,
    village,
    world,
)


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


async def test_lj_4_2b_centralized_form_is_filled_and_its_id_read_audited(svc: ServiceHarness) -> None:
    """LJ-4.2b: the institution's form shows the person, hospital, referral and the civil-affairs filing."""
    with time_machine.travel(sh(2026, 9, 29, 10), tick=False):
        w = await world(svc)
        await svc.client.post(
            "/referrals",
            json={
                "person_id": w["central"],
                "from_facility_id": "TH01",
                "to_facility_id": "H001",
                "first_visit_at": "2026-09-29T08:00:00+08:00",
                "slip_ref": "ZZ-77",
            },
            headers=hospital(svc, "TH01"),
        )
        adm = await admit(svc, w["central"], "2026-09-29T09:00:00+08:00")
        f = await svc.client.post(
            "/filings",
            json={
                "person_id": w["central"],
                "facility_id": "H001",
                "admission_id": adm["admission_id"],
                "reason": "肺部感染 <script>x</script>",
                "escort": "护理员 陈",
            },
            headers=institution(svc, "I01"),
        )
        fid = f.json()["filing_id"]
        r = await svc.client.get(f"/filings/{fid}/form", headers=institution(svc, "I01"))
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        html = r.text
        for text in (
            "外出就医备案表",
            "张大三",
            id_number(1),
            "男",
            "1950-01-01",
            "集中供养",
            "Hospital H001",
            "区级医院",
            "有（ZZ-77）",
            "按时备案",
            "2026-09-29 09:00",
            "护理员 陈",
            "已备案",
            "@page",
        ):
            assert text in html, text
        assert "<script>x</script>" not in html and "&lt;script&gt;" in html
        assert ("person.read_id_number", w["central"], f"filing form {fid}") in await audit_actions(svc)
        assert (await svc.client.get(f"/filings/{fid}/form", headers=ca(svc))).status_code == 200
        assert_problem(await svc.client.get(f"/filings/{fid}/form", headers=institution(svc, "I02")), 403)
        assert_problem(await svc.client.get(f"/filings/{fid}/form", headers=hospital(svc)), 403)
        assert_problem(await svc.client.get(f"/filings/{fid}/form", headers=mi(svc)), 403)
        assert_problem(await svc.client.get("/filings/nope/form", headers=ca(svc)), 404)


async def test_lj_4_2c_decentralized_form_shows_town_step(svc: ServiceHarness) -> None:
    """LJ-4.2c: the village committee's form, the town government's opinion, then civil affairs."""
    with time_machine.travel(sh(2026, 9, 29, 10), tick=False):
        w = await world(svc)
        await admit(svc, w["decentral"], "2026-09-29T09:00:00+08:00", facility_id="C001")
        f = await svc.client.post(
            "/filings",
            json={"person_id": w["decentral"], "facility_id": "C001", "reason": "骨折"},
            headers=village(svc, "V01"),
        )
        fid = f.json()["filing_id"]
        before = (await svc.client.get(f"/filings/{fid}/form", headers=town(svc, "T01"))).text
        assert (
            "待镇人民政府报送" in before
            and "镇人民政府意见" in before
            and "备案办理中" in before
            and "待医保部门审批" in before  # the referral to the city hospital awaits LJ-4.3a approval
        )
        await svc.client.post(
            f"/filings/{fid}/forward", json={"opinion": "情况属实，同意备案"}, headers=town(svc, "T01")
        )
        html = (await svc.client.get(f"/filings/{fid}/form", headers=village(svc, "V01"))).text
        for text in (
            "李小四",
            "分散供养",
            "V01",
            "T01",
            "半失能",
            "李大哥（brother）",
            "市级医院",
            "柳州市",
            "情况属实，同意备案",
            "已备案",
            "无",
        ):
            assert text in html, text
        assert_problem(await svc.client.get(f"/filings/{fid}/form", headers=town(svc, "T02")), 403)


async def test_spec_0_4_the_filing_form_shows_the_unit_and_officer_by_name(svc: ServiceHarness) -> None:
    """Issue scenario: the annex-1 form showed the institution code and a login id. It shows
    the filing unit's and the officer's names (to the roles entitled to read the form, the
    read audit-logged like any full-ID read); the record's API answer keeps the ids too."""
    from medaid_shared.auth import issue_token

    with time_machine.travel(sh(2026, 9, 29, 10), tick=False):
        w = await world(svc)
        adm = await admit(svc, w["central"], "2026-09-29T09:00:00+08:00")
        officer = issue_token(
            svc.runtime.settings, subject="inst-I01", role="institution", scopes=["institution:I01"], name="覃丽华"
        )
        f = await svc.client.post(
            "/filings",
            json={
                "person_id": w["central"],
                "facility_id": "H001",
                "admission_id": adm["admission_id"],
                "reason": "肺部感染",
                "unit_name": "柳江区社会福利院",
            },
            headers={"Authorization": f"Bearer {officer}"},
        )
        assert f.status_code == 201, f.text
        fid = f.json()["filing_id"]
        assert f.json()["submitted_unit_name"] == "柳江区社会福利院" and f.json()["submitted_by_name"] == "覃丽华"
        html = (await svc.client.get(f"/filings/{fid}/form", headers=ca(svc))).text
    assert "填报单位：柳江区社会福利院" in html and "经办人：覃丽华" in html
    assert '<th>供养机构</th><td colspan="3">柳江区社会福利院</td>' in html
    assert "经办人：inst-I01" not in html and "填报单位：I01" not in html
    assert "张大三" in html  # the full name, on the form the officer files
    assert ("person.read_id_number", w["central"], f"filing form {fid}") in await audit_actions(svc)
