from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine

from medaid_shared.testing import ServiceHarness, check_answers_against_document


@pytest.fixture(scope="session")
def service_name() -> str:
    return "consent"


NOW = datetime(2026, 6, 15, 2, 0, tzinfo=UTC)  # 10:00 Asia/Shanghai


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[Any]:
    """Every test runs at a fixed instant (2026-06-15 10:00 Asia/Shanghai) unless it moves it."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def answers_are_documented(harness: ServiceHarness) -> None:
    """Every success answer an API test receives is the one consent's OpenAPI declares."""
    check_answers_against_document(harness)
