"""Ids carry their minting instant, so "not yet known" and "not found" are told apart."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from medaid_shared import ids
from medaid_shared.errors import NotFound, NotYetKnown


def test_ids_are_uuid7_and_tell_when_they_were_minted() -> None:
    before = datetime.now(UTC) - timedelta(milliseconds=5)
    minted = ids.new_id()
    assert uuid.UUID(minted).version == 7
    at = ids.minted_at(minted)
    assert at is not None and before <= at <= datetime.now(UTC) + timedelta(milliseconds=5)
    prefixed = ids.new_id("spi")
    assert prefixed.startswith("spi-") and ids.minted_at(prefixed) is not None
    assert ids.minted_at(str(uuid.uuid4())) is None and ids.minted_at("H001") is None


def test_ids_minted_in_one_millisecond_differ_and_sort_by_time() -> None:
    batch = [ids.new_uuid() for _ in range(1000)]
    assert len(set(batch)) == 1000
    stamps = [u.int >> 80 for u in batch]
    assert stamps == sorted(stamps)  # minting order is time order, to the millisecond


def test_an_unknown_fresh_id_is_not_yet_known_and_says_when_to_ask_again() -> None:
    fresh = ids.new_id()
    problem = ids.unknown("admission", fresh, now=datetime.now(UTC), field="admission_id")
    assert isinstance(problem, NotYetKnown) and problem.status == 409
    assert problem.headers() == {"Retry-After": "1"}
    assert problem.body()["type"] == "/problems/not-yet-known" and problem.body()["field"] == "admission_id"


def test_an_unknown_old_or_foreign_id_is_not_found() -> None:
    old = ids.new_id()
    later = datetime.now(UTC) + ids.PROPAGATION_WINDOW + timedelta(seconds=1)
    assert isinstance(ids.unknown("admission", old, now=later), NotFound)
    assert isinstance(ids.unknown("admission", str(uuid.uuid4()), now=datetime.now(UTC)), NotFound)
    assert isinstance(ids.unknown("admission", "not-an-id", now=datetime.now(UTC)), NotFound)
