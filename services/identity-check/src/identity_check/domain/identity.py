"""The identified person in the bureau's standard reply template (GD-16.2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from medaid_shared.crypto import is_valid_id_number, mask_id_number, mask_name
from medaid_shared.errors import ValidationFailed


@dataclass(frozen=True)
class IdentifiedPerson:
    id_number: str
    name: str
    household_registration: str

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def name_masked(self) -> str:
        return mask_name(self.name)


def check_id_number(value: str, today: date) -> str:
    """GD-16.2: the reply's resident ID number must be valid — GB 11643: 18 characters, a
    real birth date not in the future, and the right check character. The number itself is
    never echoed in the error."""
    number = value.strip().upper()
    if not is_valid_id_number(number):
        raise ValidationFailed(
            "the ID number is not a valid GB 11643 resident ID number", field="id_number", rule="GD-16.2"
        )
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise ValidationFailed(
            "the ID number carries an impossible birth date", field="id_number", rule="GD-16.2"
        ) from exc
    if born > today or born.year < 1890:
        raise ValidationFailed("the ID number carries an impossible birth date", field="id_number", rule="GD-16.2")
    return number


def identified_person(id_number: str, name: str, household_registration: str, today: date) -> IdentifiedPerson:
    """GD-16.2 standard template, "identified": ID number, name, household registration place."""
    clean_name = name.strip()
    place = household_registration.strip()
    if not clean_name:
        raise ValidationFailed("name is required when the patient is identified", field="name", rule="GD-16.2")
    if not place:
        raise ValidationFailed(
            "household registration place is required when the patient is identified",
            field="household_registration",
            rule="GD-16.2",
        )
    return IdentifiedPerson(check_id_number(id_number, today), clean_name, place)
