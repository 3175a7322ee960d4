"""The generated clients' journey runs against the journeys' stack: the five services as
separate processes on the real PostgreSQL and broker, with a test-controlled clock."""

from tests.journeys.conftest import journey_infra, stack

__all__ = ["journey_infra", "stack"]
