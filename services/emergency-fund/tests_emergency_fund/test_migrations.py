"""The models and the hand-written migrations agree."""

from medaid_shared.testing import ServiceHarness, migration_drift


async def test_migrations_match_tables(svc: ServiceHarness) -> None:
    """The hand-written migrations build exactly the tables the code declares."""
    assert await migration_drift(svc.runtime) == []
