from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine


@pytest.fixture(scope="session")
def service_name() -> str:
    return "consent"


NOW = datetime(2026, 6, 15, 2, 0, tzinfo=UTC)  # 10:00 Asia/Shanghai


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[Any]:
    """Every test runs at a fixed instant (2026-06-15 10:00 Asia/Shanghai) unless it moves it."""
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller
