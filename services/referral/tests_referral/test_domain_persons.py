"""Pure person rules (fast)."""

from __future__ import annotations

from datetime import date

import pytest

from medaid_shared.contracts.common import SupportType
from referral.domain import persons as rules

from .helpers import id_number


def test_gb_11643_check_digit_and_birth_date() -> None:
    good = id_number(1)
    assert rules.check_id_number(" " + good.lower() + " ") == good.upper()
    with pytest.raises(rules.PersonRuleError) as err:
        rules.check_id_number(good[:17] + ("1" if good[17] != "1" else "2"))
    assert err.value.field == "id_number"
    first17 = "45020619501340001"  # month 13
    from medaid_shared.crypto import id_number_check_char

    with pytest.raises(rules.PersonRuleError, match="birth date"):
        rules.check_id_number(first17 + id_number_check_char(first17))


def test_id_facts_sex_and_birth() -> None:
    male, female = id_number(3, "19601231"), id_number(3, "19601231", female=True)
    assert rules.id_facts(male).sex == "male" and rules.id_facts(female).sex == "female"
    assert rules.id_facts(male).birth_date == date(1960, 12, 31)


def test_lj_2_1_placement() -> None:
    """LJ-2.1: centralized in an institution, decentralized in a village and town."""
    rules.check_placement(SupportType.CENTRALIZED, "I01", None, None)
    rules.check_placement(SupportType.DECENTRALIZED, None, "V01", "T01")
    with pytest.raises(rules.PersonRuleError) as err:
        rules.check_placement(SupportType.DECENTRALIZED, "I01", "V01", "T01")
    assert err.value.rule == "LJ-2.1" and err.value.field == "institution_id"


def test_lj_10_guardian_and_agent_inputs() -> None:
    """LJ-10: guardian or verified absence; agents delegated by person, guardian or town."""
    rules.check_guardian(True, None, "cert")
    rules.check_guardian(False, "李大", None)
    for args in ((True, "李大", "cert"), (True, None, None), (False, None, None)):
        with pytest.raises(rules.PersonRuleError):
            rules.check_guardian(*args)
    rules.check_agent("town_government", date(2026, 1, 1), date(2026, 1, 1), 0)
    with pytest.raises(rules.PersonRuleError) as err:
        rules.check_agent("person", date(2026, 2, 1), date(2026, 1, 1), 2)
    assert err.value.field == "agents.2.valid_until"
