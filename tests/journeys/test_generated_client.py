"""A client generated with openapi-python-client from the committed OpenAPI documents
works: every service's document generates and imports, a repeated bill (200 beside 201)
is an answer and not an unexpected status, a real RFC 9457 problem with our ``field``
and ``rule`` members parses instead of raising, and one whole journey — person, referral,
filing, admission, self-pay item, reviews, discharge, settlement statement — runs through
the generated clients alone against the five running services (#13)."""

from __future__ import annotations

import asyncio
import importlib
import json
import subprocess
import sys
from collections.abc import Awaitable, Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from medaid_shared.auth import issue_token
from medaid_shared.services import SERVICES
from tests.journeys.conftest import Stack
from tests.journeys.steps import SETTLEMENT_EXAMPLES, assert_statement_adds_up, id_number, local

ROOT = Path(__file__).resolve().parents[2]
GENERATOR = Path(sys.executable).parent / "openapi-python-client"


def _package(name: str) -> str:
    return f"medaid_{name.replace('-', '_')}_client"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    out = tmp_path_factory.mktemp("clients")
    runs = {
        name: subprocess.Popen(
            [
                str(GENERATOR),
                "generate",
                "--path",
                str(ROOT / "services" / name / "openapi.json"),
                "--output-path",
                str(out / _package(name)),
                "--meta",
                "none",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for name in SERVICES
    }
    for name, run in runs.items():
        output, _ = run.communicate(timeout=300)
        assert run.returncode == 0, (name, output)
    sys.path.insert(0, str(out))
    yield out
    sys.path.remove(str(out))


def _module(package: str, path: str) -> ModuleType:
    return importlib.import_module(f"{package}.{path}")


@pytest.mark.parametrize("name", list(SERVICES))
def test_every_document_generates_a_client_that_imports(generated: Path, name: str) -> None:
    package = _package(name)
    client = _module(package, "client")
    assert client.AuthenticatedClient(base_url="http://127.0.0.1", token="t")
    modules = [p.stem for p in (generated / package / "api").rglob("*.py") if p.stem != "__init__"]
    assert modules and max(len(m) for m in modules) <= 40, max(modules, key=len)


BILL = {
    "bill_id": "0193a2b0-0000-7000-8000-000000000001",
    "bill_number": "ZY2026-001234-F1",
    "admission_id": "0193a2b0-0000-7000-8000-000000000002",
    "facility_id": "H001",
    "kind": "final",
    "replaces_bill_id": None,
    "replaced_by_bill_id": None,
    "total": "120.00",
    "line_count": 1,
    "reason": None,
    "submitted_by": "his-1",
    "submitted_at": "2026-12-01T08:00:00Z",
    "lines": [
        {
            "line_no": 1,
            "item_code": "床位费",
            "category": "bed",
            "in_catalogue": True,
            "catalogue_version": "床位费:any:2026-01-01",
            "quantity": "1.000",
            "unit_price": "120.00",
            "amount": "120.00",
            "service_date": "2026-12-01",
            "self_pay_item_id": None,
            "treatment_id": None,
            "emergency": False,
        }
    ],
}
PROBLEM = {
    "type": "/problems/validation-failed",
    "title": "Validation failed",
    "status": 422,
    "detail": "value is not a valid decimal",
    "instance": "/v1/bills",
    "field": "/lines/0/amount",
    "rule": "LJ-7.3",
    "errors": [{"field": "/lines/0/amount", "detail": "value is not a valid decimal"}],
}


def test_a_repeated_bill_and_a_problem_parse(generated: Path) -> None:
    package = _package("settlement")
    submit = _module(package, "api.bills.submit_bill")
    client = _module(package, "client").AuthenticatedClient(base_url="http://127.0.0.1", token="t")
    for status in (201, 200):
        answer = submit._parse_response(client=client, response=httpx.Response(status, json=BILL))
        assert type(answer).__name__ == "BillDetailOut" and answer.lines[0].item_code == "床位费"
    problem = submit._parse_response(
        client=client,
        response=httpx.Response(422, json=PROBLEM, headers={"content-type": "application/problem+json"}),
    )
    assert type(problem).__name__ == "Problem"
    assert (problem.status, problem.field, problem.rule) == (422, "/lines/0/amount", "LJ-7.3")


class Clients:
    """The generated clients of the running stack: ``call(service, "persons.register_person",
    role, body=…)`` runs one operation through the service's generated client (its
    ``asyncio_detailed``), as the given role, and answers the parsed model."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack

    def model(self, service: str, name: str, body: dict[str, Any]) -> Any:
        """A request body as the generated model (``from_dict``: what an integrator's
        own data becomes before the client serialises it again)."""
        return getattr(_module(_package(service), "models"), name).from_dict(body)

    async def call(
        self,
        service: str,
        operation: str,
        *,
        role: str,
        scopes: tuple[str, ...] = (),
        subject: str | None = None,
        expect: tuple[int, ...] = (200, 201),
        **arguments: Any,
    ) -> Any:
        """The operation's parsed answer, which must have one of the ``expect`` statuses and
        be the operation's declared model (a ``Problem`` only if a refusal is expected)."""
        answer = await self.send(service, operation, role=role, scopes=scopes, subject=subject, **arguments)
        assert answer.status_code in expect, f"{service} {operation} → {answer.status_code}: {answer.content!r}"
        assert answer.parsed is not None, f"{service} {operation}: the client parsed no answer"
        if all(status < 400 for status in expect):
            assert not _is_problem(answer.parsed), answer.parsed
        return answer.parsed

    async def when_known(
        self,
        service: str,
        operation: str,
        *,
        role: str,
        scopes: tuple[str, ...] = (),
        subject: str | None = None,
        waiting: tuple[int, ...] = (404,),
        timeout: float = 60,
        **arguments: Any,
    ) -> Any:
        """Repeat an operation while the service answers that it has not yet learnt what it
        names from another service's events — the not-yet-known problem (409, Retry-After),
        or one of ``waiting`` on older paths; nothing changes on such an answer."""
        async with asyncio.timeout(timeout):
            while True:
                answer = await self.send(service, operation, role=role, scopes=scopes, subject=subject, **arguments)
                problem = answer.parsed if _is_problem(answer.parsed) else None
                if problem is None or not (problem.type_ == "/problems/not-yet-known" or answer.status_code in waiting):
                    break
                await asyncio.sleep(0.2)
        assert answer.status_code in (200, 201), f"{service} {operation} → {answer.status_code}: {answer.content!r}"
        assert not _is_problem(answer.parsed), answer.parsed
        return answer.parsed

    async def send(
        self,
        service: str,
        operation: str,
        *,
        role: str,
        scopes: tuple[str, ...] = (),
        subject: str | None = None,
        **arguments: Any,
    ) -> Any:
        """The generated ``Response`` of one operation (``"<tag module>.<operation id>"``); an
        answer the document does not declare raises ``UnexpectedStatus``."""
        package = _package(service)
        token = issue_token(self.stack.settings, subject=subject or f"{role}-1", role=role, scopes=scopes)
        client = _module(package, "client").AuthenticatedClient(
            base_url=self.stack.url(service), token=token, timeout=httpx.Timeout(30), raise_on_unexpected_status=True
        )
        run: Callable[..., Awaitable[Any]] = _module(package, f"api.{operation}").asyncio_detailed
        async with client:
            return await run(client=client, **arguments)


def _is_problem(parsed: Any) -> bool:
    return type(parsed).__name__ == "Problem"


CLINIC = "GC-CLINIC"
HOSPITAL = "GC-DISTRICT"
INSTITUTION = "GC-INST"
HOSPITAL_SCOPE = (f"facility:{HOSPITAL}",)
INSTITUTION_SCOPE = (f"institution:{INSTITUTION}",)
CATALOGUE = [
    ("BED-GEN", "普通床位费", "service", True),
    ("DRUG-CEFT", "注射用头孢曲松钠", "drug", True),
    ("ZF-MEROPENEM", "美罗培南（目录外规格）", "drug", False),
]


async def test_a_whole_journey_runs_through_the_generated_clients(generated: Path, stack: Stack) -> None:
    """Journey 1 in short, every business step through a generated client: reference data
    (LJ-6.1 / LJ-6.2 parameters, the catalogue, two facilities), a centralized person
    (LJ-2.1), the clinic's referral (LJ-4.2a), the admission and the institution's filing
    within 24 hours (LJ-4.2b), a 1,500 CNY out-of-catalogue drug through its consent form
    (LJ-7.1), initial review (LJ-7.2) and civil-affairs review (LJ-7.3), fitness and
    discharge (LJ-12), the final bill and one-stop settlement (LJ-13.1), and the statement
    read back with its national fields (LJ-14.1 pays the approved item)."""
    api = Clients(stack)
    await stack.set_clock(local(2026, 9, 14, 8, 0))

    # Reference data first, as a journey loads it: the shipped parameter versions (a second
    # load of the same versions overlaps and is refused) and the catalogue entries billed.
    versions = json.loads(SETTLEMENT_EXAMPLES.read_text())["versions"]
    await api.call(
        "settlement",
        "administration.load_parameters",
        role="admin",
        body=api.model("settlement", "ParameterVersionsIn", {"versions": versions}),
        expect=(201, 409),
    )
    catalogue = [
        {
            "code": code,
            "name": name,
            "kind": kind,
            "in_catalogue": in_catalogue,
            "region": "any",
            "effective_from": "2026-01-01",
            "example": True,
            "source": "generated-client journey catalogue (example)",
        }
        for code, name, kind, in_catalogue in CATALOGUE
    ]
    await api.call(
        "settlement",
        "administration.load_catalogue",
        role="admin",
        body=api.model("settlement", "CatalogueIn", {"items": catalogue}),
        expect=(201, 409),
    )
    for facility_id, name, level in (
        (CLINIC, "柳江区社会福利院医务室", "institution_clinic"),
        (HOSPITAL, "柳江区人民医院", "district"),
    ):
        await api.call(
            "referral",
            "facilities.register_facility",
            role="medical_insurance",
            body=api.model(
                "referral",
                "FacilityIn",
                {"facility_id": facility_id, "name": name, "level": level, "designated": True, "region": "liujiang"},
            ),
        )

    # LJ-2.1: a centralized person, fully capable and lucid (signs their own consent, LJ-10).
    person = await api.call(
        "referral",
        "persons.register_person",
        role="civil_affairs",
        body=api.model(
            "referral",
            "PersonIn",
            {
                "id_number": id_number(date(1950, 6, 12), 131),
                "name": "覃秀兰",
                "support_type": "centralized",
                "institution_id": INSTITUTION,
                "capacity": {
                    "full_capacity_and_lucid": True,
                    "assessed_at": local(2026, 9, 1, 10).isoformat(),
                    "assessed_by": "institution doctor",
                },
                "guardian": {"verified_none": True, "evidence_ref": "GC-NO-GUARDIAN-2026"},
            },
        ),
    )
    pid = person.person_id

    # LJ-4.2a: the clinic's referral slip to the district hospital; then the admission.
    await stack.set_clock(local(2026, 9, 14, 9, 30))
    referral = await api.call(
        "referral",
        "referrals.create_referral",
        role="hospital",
        scopes=(f"facility:{CLINIC}",),
        body=api.model(
            "referral",
            "ReferralIn",
            {
                "person_id": pid,
                "from_facility_id": CLINIC,
                "to_facility_id": HOSPITAL,
                "first_visit_at": local(2026, 9, 14, 9, 0).isoformat(),
                "slip_ref": "ZZD-GC-0914",
                "slip_doctor": "clinic-doctor",
            },
        ),
    )
    assert referral.approval_state == "not_required"
    await stack.set_clock(local(2026, 9, 14, 14, 5))
    admission = await api.call(
        "referral",
        "admissions.file_admission",
        role="hospital",
        scopes=HOSPITAL_SCOPE,
        body=api.model(
            "referral",
            "AdmissionIn",
            {
                "person_id": pid,
                "facility_id": HOSPITAL,
                "admitted_at": local(2026, 9, 14, 14, 0).isoformat(),
                "referral_id": referral.referral_id,
            },
        ),
    )
    aid = admission.admission_id
    assert admission.referral_compliance.compliant is True

    # LJ-4.2b: the institution files the outside-care form 20 hours after the admission.
    await stack.set_clock(local(2026, 9, 15, 10, 0))
    filing = await api.call(
        "referral",
        "filings.submit_filing",
        role="institution",
        scopes=INSTITUTION_SCOPE,
        body=api.model(
            "referral",
            "FilingIn",
            {
                "person_id": pid,
                "facility_id": HOSPITAL,
                "admission_id": aid,
                "referral_id": referral.referral_id,
                "reason": "肺部感染，需住院治疗",
                "escort": "护理员 韦某",
                "unit_name": "柳江区社会福利院",
            },
        ),
    )
    assert filing.complete is True and filing.filing_state == "filed_in_time"

    # LJ-7.0 / LJ-7.3: a 1,500 CNY out-of-catalogue drug (reviewed, and by civil affairs too);
    # consent may still be learning of the admission or the catalogue.
    await stack.set_clock(local(2026, 9, 15, 11, 0))
    reviews = "self_pay_double_review_lj_7"
    item = await api.when_known(
        "consent",
        f"{reviews}.post_item",
        role="hospital",
        scopes=HOSPITAL_SCOPE,
        waiting=(404, 422),
        admission_id=aid,
        body=api.model(
            "consent",
            "ItemIn",
            {
                "item_code": "ZF-MEROPENEM",
                "item_name": "美罗培南（目录外规格）",
                "category": "drug",
                "unit_price": "750.00",
                "quantity": 2,
                "necessity": "多重耐药菌感染，目录内抗生素无效",
                "attending_doctor": "dr-huang",
            },
        ),
    )
    assert (item.amount, item.needs_review, item.needs_civil_affairs) == ("1500.00", True, True)
    form = await api.call(
        "consent",
        f"{reviews}.post_consent_form",
        role="patient",
        subject=pid,
        item_id=item.item_id,
        body=api.model("consent", "SignatureIn", {"signature_ref": "SIG-GC-FORM"}),
    )
    assert form.decision == "self_pay_form" and form.signer.rank == 1
    await stack.set_clock(local(2026, 9, 15, 15, 0))
    reviewed = await api.call(
        "consent",
        f"{reviews}.post_initial_review",
        role="institution",
        scopes=INSTITUTION_SCOPE,
        item_id=item.item_id,
        body=api.model("consent", "ReviewIn", {"outcome": "approved"}),
    )
    assert reviewed.status == "awaiting_civil_affairs_review"
    await stack.set_clock(local(2026, 9, 16, 9, 30))
    approved = await api.call(
        "consent",
        f"{reviews}.post_civil_affairs_review",
        role="civil_affairs",
        item_id=item.item_id,
        body=api.model("consent", "ReviewIn", {"outcome": "approved"}),
    )
    assert (approved.status, approved.outcome) == ("approved", "approved")

    # LJ-12: fit for discharge, then discharged.
    await stack.set_clock(local(2026, 9, 24, 9, 0))
    await api.call(
        "referral",
        "discharge.record_fitness",
        role="hospital",
        scopes=HOSPITAL_SCOPE,
        admission_id=aid,
        body=api.model("referral", "FitnessIn", {"doctor": "dr-huang"}),
    )
    await stack.set_clock(local(2026, 9, 24, 10, 5))
    discharged = await api.call(
        "referral",
        "discharge.record_discharge",
        role="hospital",
        scopes=HOSPITAL_SCOPE,
        admission_id=aid,
        body=api.model(
            "referral",
            "DischargeIn",
            {"discharged_at": local(2026, 9, 24, 10, 0).isoformat(), "diagnosis_group": "J18"},
        ),
    )
    assert discharged.discharged_at is not None

    # The final bill: 9,800.00 in the catalogue and the approved 1,500.00 drug, linked to its
    # item; settlement may still be learning of the admission, the item and the discharge.
    await stack.set_clock(local(2026, 9, 24, 10, 20))
    day = date(2026, 9, 14)
    lines = [
        ("BED-GEN", "bed", "10", "60.00", "600.00", day, None),
        ("DRUG-CEFT", "drug", "23", "400.00", "9200.00", day + timedelta(days=2), None),
        ("ZF-MEROPENEM", "drug", "2", "750.00", "1500.00", day + timedelta(days=2), item.item_id),
    ]
    bill = await api.when_known(
        "settlement",
        "bills.submit_bill",
        role="hospital",
        scopes=HOSPITAL_SCOPE,
        body=api.model(
            "settlement",
            "BillIn",
            {
                "bill_number": "GC-FINAL-0001",
                "admission_id": aid,
                "kind": "final",
                "lines": [
                    {
                        "item_code": code,
                        "category": category,
                        "quantity": quantity,
                        "unit_price": price,
                        "amount": amount,
                        "service_date": served.isoformat(),
                        **({"self_pay_item_id": linked} if linked else {}),
                    }
                    for code, category, quantity, price, amount, served, linked in lines
                ],
            },
        ),
    )
    assert bill.total == "11300.00"

    # LJ-13.1: one-stop settlement at discharge; the statement read back (LJ-14.1: the
    # approved item is paid from support money, nothing falls on the person).
    await stack.set_clock(local(2026, 9, 24, 10, 30))
    settled = await api.when_known(
        "settlement", "settlement.settle", role="hospital", scopes=HOSPITAL_SCOPE, admission_id=aid, waiting=(404, 409)
    )
    assert settled.mode == "one_stop" and settled.manual_reasons == []
    statement = await api.call(
        "settlement",
        "settlement.get_statement",
        role="hospital",
        scopes=HOSPITAL_SCOPE,
        statement_id=settled.statement_id,
    )
    assert statement.statement_id == settled.statement_id
    assert (statement.total, statement.in_catalogue_total, statement.out_of_catalogue_total) == (
        "11300.00",
        "9800.00",
        "1500.00",
    )
    # LJ-6.1 example district parameters: (9,800.00 − 400) × 0.8 = 7,520.00 from basic
    # insurance; LJ-6.2: medical aid pays the 2,280.00 left (below the critical-illness
    # threshold); LJ-14.1: support money pays the approved item.
    assert statement.amounts.to_dict() == {
        "basic_insurance": "7520.00",
        "critical_illness": "0.00",
        "medical_aid": "2280.00",
        "support_fund": "0.00",
        "self_pay_support": "1500.00",
        "hospital_borne": "0.00",
        "personal_cash": "0.00",
    }
    assert_statement_adds_up(statement.to_dict())
    # LJ-3.4: the person pays only the personal share — here none.
    assert Decimal(str(statement.national_fields.to_dict()["psn_cash_pay"])) == 0
