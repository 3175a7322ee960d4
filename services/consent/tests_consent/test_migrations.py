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
