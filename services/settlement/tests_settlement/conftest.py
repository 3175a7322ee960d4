from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def service_name() -> str:
    return "settlement"
