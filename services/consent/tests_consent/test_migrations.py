"""The hand-written migrations create exactly the tables the code declares."""

from sqlalchemy import text

from medaid_shared.testing import ServiceHarness, migration_drift


async def test_migrations_match_tables(svc: ServiceHarness) -> None:
    """The hand-written migrations build exactly the tables the code declares."""
    assert await migration_drift(svc.runtime) == []


async def test_consent_rows_are_immutable_in_the_database(svc: ServiceHarness) -> None:
    """LJ-11.1: a stored consent cannot be updated or deleted, not even by SQL."""
    import pytest
    from sqlalchemy.exc import DBAPIError

    async with svc.runtime.db.unit_of_work() as uow:
        await uow.session.execute(
            text(
                "INSERT INTO consent.consent (consent_id, admission_id, person_id, treatment_id, decision, signer_id,"
                " signer_role, signer_rank, signer_holder, skipped_ranks, filed_with_civil_affairs, signed_at)"
                " VALUES ('c1','A1','P1','T1','routine','P1','patient',1,'person','[]',false, now())"
            )
        )
    for statement in ("UPDATE consent.consent SET signer_id = 'x'", "DELETE FROM consent.consent"):
        with pytest.raises(DBAPIError, match="immutable"):
            async with svc.runtime.db.unit_of_work() as uow:
                await uow.session.execute(text(statement))


def test_stored_policy_versions_become_kernel_versions() -> None:
    """LJ-7.0 / LJ-11.2: the migration to the kernel's parameters keeps every stored version,
    each in force from its local day until the next one (two on one day: the later)."""
    import importlib.util
    from datetime import UTC, date, datetime
    from decimal import Decimal
    from pathlib import Path
    from types import SimpleNamespace

    import consent

    path = Path(consent.__file__).parent / "migrations" / "versions" / "0009_kernel_parameters.py"
    spec = importlib.util.spec_from_file_location("m0009", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)

    def row(version: str, at: datetime, threshold: str) -> SimpleNamespace:
        return SimpleNamespace(
            version=version,
            effective_from=at,
            review_threshold=Decimal(threshold),
            civil_affairs_single_threshold=Decimal("1000.00"),
            civil_affairs_cumulative_threshold=Decimal("2000.00"),
            cumulative_scope="admission",
            expert_from_other_hospital=True,
            note="",
            created_by="admin-1",
            created_at=at,
        )

    versions = module._versions(
        [
            row("v3", datetime(2026, 9, 1, 1, tzinfo=UTC), "400.00"),
            row("v1", datetime(2026, 6, 30, 17, tzinfo=UTC), "300.00"),  # 2026-07-01 01:00 Shanghai
            row("v2", datetime(2026, 7, 1, 2, tzinfo=UTC), "350.00"),  # the same local day, later
        ]
    )
    review = [v for v in versions if v["kind"] == "self_pay_review"]
    assert [(v["effective_from"], v["effective_to"]) for v in review] == [
        (date(2026, 7, 1), date(2026, 9, 1)),
        (date(2026, 9, 1), None),
    ]
    assert review[0]["values"]["review_threshold"] == "350.00" and review[0]["version_id"].endswith("2026-07-01")
    assert {v["kind"] for v in versions} == {"self_pay_review", "major_treatment"}
