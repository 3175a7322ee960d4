import pytest

from medaid_shared.testing import ServiceHarness, check_answers_against_document


@pytest.fixture(scope="session")
def service_name() -> str:
    return "referral"


@pytest.fixture(autouse=True)
def answers_are_documented(harness: ServiceHarness) -> None:
    """Every success answer an API test receives is the one referral's OpenAPI declares."""
    check_answers_against_document(harness)
