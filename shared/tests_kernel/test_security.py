"""Auth (SPEC 0.3), settings, field encryption and masking (SPEC 0.4)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from pydantic import ValidationError

from medaid_shared.auth import VERIFIED_TOKENS, TokenVerifier, issue_token
from medaid_shared.authz import Policy, Principal, Role
from medaid_shared.crypto import FieldCipher, Unsealer, is_valid_id_number, mask_id_number, mask_name, new_keypair, seal
from medaid_shared.errors import Forbidden, Unauthorized
from medaid_shared.settings import DEV_ENCRYPTION_KEY, ServiceSettings

VALID_ID = "11010519491231002X"


def test_token_round_trip_carries_role_and_scopes() -> None:
    s = ServiceSettings()
    token = issue_token(s, subject="h-1", role="hospital", scopes=["facility:H001"])
    p = TokenVerifier(s).verify(token)
    assert p == Principal("h-1", Role.HOSPITAL, ("facility:H001",))
    assert p.scope_ids("facility") == {"H001"}
    p.require_scope("facility", "H001")
    with pytest.raises(Forbidden):
        p.require_scope("facility", "H002")


def test_bad_tampered_and_expired_tokens_are_rejected() -> None:
    s = ServiceSettings()
    verifier = TokenVerifier(s)
    with pytest.raises(Unauthorized):
        verifier.verify("not-a-token")
    other = ServiceSettings(jwt_secret="another-secret-of-sufficient-length-123")
    with pytest.raises(Unauthorized):
        verifier.verify(issue_token(other, subject="x", role="police"))
    token = issue_token(s, subject="x", role="police", ttl=timedelta(hours=1))
    with time_machine.travel(timedelta(hours=2)), pytest.raises(Unauthorized):
        verifier.verify(token)


def test_a_remembered_token_is_answered_until_it_expires_and_a_changed_one_is_verified() -> None:
    s = ServiceSettings()
    verifier = TokenVerifier(s)
    token = issue_token(s, subject="x", role="police", ttl=timedelta(minutes=30))
    assert verifier.verify(token).subject == "x"
    assert verifier.verify(token).subject == "x"  # remembered
    with time_machine.travel(timedelta(minutes=31)), pytest.raises(Unauthorized):
        verifier.verify(token)  # expiry is checked on the service clock on every request
    head, payload, signature = token.split(".")
    with pytest.raises(Unauthorized):
        verifier.verify(f"{head}.{payload}.{signature[:-2]}AA")  # other bytes: verified again, refused
    many = [issue_token(s, subject=f"s{i}", role="police") for i in range(VERIFIED_TOKENS + 5)]
    for t in many:
        verifier.verify(t)
    assert len(verifier._verified) == VERIFIED_TOKENS  # bounded


def test_policy_is_a_role_by_action_matrix() -> None:
    policy = Policy.from_mapping({"person.register": ["civil_affairs"], "person.read": ["civil_affairs", "auditor"]})
    for role in Role:
        p = Principal("u", role)
        for action, allowed in (
            ("person.register", {Role.CIVIL_AFFAIRS}),
            ("person.read", {Role.CIVIL_AFFAIRS, Role.AUDITOR}),
        ):
            if role in allowed:
                policy.authorize(p, action)
            else:
                with pytest.raises(Forbidden):
                    policy.authorize(p, action)
    with pytest.raises(KeyError):
        policy.authorize(Principal("u", Role.ADMIN), "unknown.action")


def test_settings_refuse_default_secrets_outside_development() -> None:
    with pytest.raises(ValidationError, match="MEDAID_JWT_SECRET"):
        ServiceSettings(environment="production")
    with pytest.raises(ValidationError, match="MEDAID_ENCRYPTION_KEY"):
        ServiceSettings(environment="production", jwt_secret="a-real-secret-from-the-vault-0123456789")
    with pytest.raises(ValidationError, match="MEDAID_CONSENT_FORMS_PUBLIC_KEY"):
        ServiceSettings(
            environment="production",
            jwt_secret="a-real-secret-from-the-vault-0123456789",
            encryption_key="c2VjcmV0LWtleS1mcm9tLXRoZS1rbXMtMzItYnl0ZXM=",
            person_matching_public_key=new_keypair()[1],
        )
    ok = ServiceSettings(
        environment="production",
        jwt_secret="a-real-secret-from-the-vault-0123456789",
        encryption_key="c2VjcmV0LWtleS1mcm9tLXRoZS1rbXMtMzItYnl0ZXM=",
        person_matching_public_key=new_keypair()[1],
        consent_forms_public_key=new_keypair()[1],
    )
    assert ok.environment == "production"
    with pytest.raises(ValidationError, match="TEST_CLOCK"):
        ServiceSettings(
            environment="production",
            jwt_secret="a-real-secret-from-the-vault-0123456789",
            encryption_key="c2VjcmV0LWtleS1mcm9tLXRoZS1rbXMtMzItYnl0ZXM=",
            person_matching_public_key=new_keypair()[1],
            consent_forms_public_key=new_keypair()[1],
            test_clock=True,
        )


def test_field_cipher_round_trip_binds_to_its_context() -> None:
    cipher = FieldCipher(DEV_ENCRYPTION_KEY)
    token = cipher.encrypt_text(VALID_ID, aad="person:1")
    assert VALID_ID.encode() not in token
    assert cipher.decrypt_text(token, aad="person:1") == VALID_ID
    with pytest.raises(Exception):  # noqa: B017 - cryptography raises InvalidTag
        cipher.decrypt_text(token, aad="person:2")
    assert cipher.blind_index(VALID_ID) == cipher.blind_index(VALID_ID) != cipher.blind_index("x")


def test_id_number_check_digit_and_masking() -> None:
    assert is_valid_id_number(VALID_ID)
    assert not is_valid_id_number("110105194912310021")  # wrong check character
    assert not is_valid_id_number("1101051949123100")  # too short
    assert mask_id_number("450221199001011234") == "4502**********1234"
    assert mask_name("张小三") == "张*三"
    assert mask_name("张三") == "张*"


def test_command_responses_keep_money_exact() -> None:
    from decimal import Decimal

    from medaid_shared.idempotency import encode

    assert encode({"amount": Decimal("1000.10"), "items": [Decimal("0.01")]}) == {
        "amount": "1000.10",
        "items": ["0.01"],
    }


def test_command_answers_encode_as_fastapi_would_with_money_exact() -> None:
    import dataclasses
    import enum
    import uuid
    from datetime import UTC, date, datetime
    from decimal import Decimal

    from fastapi.encoders import jsonable_encoder
    from pydantic import BaseModel

    from medaid_shared.idempotency import encode

    class Kind(enum.StrEnum):
        A = "a"

    @dataclasses.dataclass
    class Row:
        amount: Decimal
        tags: list[object]

    class Out(BaseModel):
        amount: Decimal
        at: datetime

    answer = {
        "zero": Decimal("0.00") - Decimal("0.00"),
        "lines": [1, 2.5, None, True, "x", (Decimal("1.10"), Kind.A)],
        "times": {"at": datetime(2026, 1, 1, tzinfo=UTC), "day": date(2026, 1, 2)},
        3: "a number key",
        Kind.A: "an enum key",
        "_sa_instance_state": "left out",
        "row": Row(Decimal("-0.00"), [uuid.UUID(int=5), {1}]),
        "models": [Out(amount=Decimal("2.50"), at=datetime(2026, 1, 1, tzinfo=UTC))],
    }
    expected = jsonable_encoder(answer, custom_encoder={Decimal: lambda d: str(d + 0)})
    assert encode(answer) == expected
    assert repr(encode(answer)) == repr(expected)
    assert encode(answer)["zero"] == "0.00"


def test_spec_0_4_a_sealed_id_number_opens_only_with_the_matching_services_key() -> None:
    """Issue scenario: a masked ID plus its digest under a key every service held gave the
    number back. What travels now is sealed for the one service that matches persons: the
    sender cannot reopen it, another key opens nothing, and it is fresh every time (no
    equality to enumerate against)."""
    from cryptography.exceptions import InvalidTag

    private, public = new_keypair()
    other_private, _ = new_keypair()
    token = seal(public, VALID_ID, "person-matching")
    assert VALID_ID not in token and VALID_ID[-4:] not in token
    assert Unsealer(private).open(token, "person-matching") == VALID_ID
    assert seal(public, VALID_ID, "person-matching") != token
    with pytest.raises(InvalidTag):
        Unsealer(other_private).open(token, "person-matching")
    with pytest.raises(InvalidTag):
        Unsealer(private).open(token, "another-purpose")
