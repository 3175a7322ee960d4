"""Existing channels first, on the word of the department responsible (GD-18.1, SPEC 0.5).

What each of the seven channels paid is the hospital's claim until the department that
runs the channel confirms it: medical insurance confirms basic medical insurance and
medical aid (or settlement's statements say it, for persons settlement knows), the police
confirm the liable party and the road-traffic-accident fund, human resources and social
security confirm work-injury insurance, and the agency records the public-health funds and
the Red Cross fund with the document it rests on. The agency's review approves nothing
while a channel is unconfirmed, unless the agency waives the confirmation with a reason.

Exclusions (GD-14) follow the same principle: the hospital proposes, the agency decides.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from emergency_fund.domain.eligibility import Channel
from medaid_shared.errors import RuleViolation


class ChannelStatus(StrEnum):
    CLAIMED = "claimed"  # the hospital's word
    CONFIRMED = "confirmed"  # the department responsible (or settlement's statements) said it
    WAIVED = "waived"  # the agency accepted the hospital's word, with a reason


# GD-18.1: which department confirms which channel (the role of SPEC 0.3 that speaks for it).
CONFIRMED_BY: dict[Channel, str] = {
    Channel.BASIC_MEDICAL_INSURANCE: "medical_insurance",
    Channel.MEDICAL_AID: "medical_insurance",
    Channel.LIABLE_PARTY: "police",
    Channel.ROAD_TRAFFIC_ACCIDENT_FUND: "police",
    Channel.WORK_INJURY_INSURANCE: "hrss",
    Channel.PUBLIC_HEALTH_FUNDS: "fund_agency",
    Channel.RED_CROSS: "fund_agency",
}

# GD-18.1: the agency records these two from a document (a finance bureau's allocation, the
# Red Cross society's decision), whose number it cites.
NEEDS_DOCUMENT = frozenset({Channel.PUBLIC_HEALTH_FUNDS, Channel.RED_CROSS})


def channels_confirmed_by(role: str) -> list[Channel]:
    """The channels a role confirms (empty for a role that confirms none)."""
    return [c for c, r in CONFIRMED_BY.items() if r == role]


def check_confirmation(channel: Channel, role: str, document_ref: str | None) -> None:
    """GD-18.1: only the department responsible confirms a channel; the agency's two
    channels cite their document."""
    responsible = CONFIRMED_BY[channel]
    if role != responsible:
        raise RuleViolation(
            f"{channel.value} is confirmed by {responsible}, not by {role}",
            rule="GD-18.1",
            field="channel",
            extra={"confirmed_by": responsible},
        )
    if channel in NEEDS_DOCUMENT and not (document_ref or "").strip():
        raise RuleViolation(
            f"{channel.value} is recorded with the document it rests on",
            rule="GD-18.1",
            field="document_ref",
        )


def check_waiver(channel: Channel, claimed: Decimal, zero_needs_department: Iterable[str]) -> None:
    """GD-18.1 (parameter ``channels_zero_needs_department``): the agency may accept the
    hospital's word for a channel, but not its 0.00 for the liable party, work-injury
    insurance or the road-traffic fund — that zero is what would make the fund pay the whole
    gap, so only the department responsible settles it."""
    if claimed == 0 and channel.value in set(zero_needs_department):
        responsible = CONFIRMED_BY[channel]
        raise RuleViolation(
            f"the hospital's 0.00 for {channel.value} stands only on {responsible}'s confirmation, not on a waiver",
            rule="GD-18.1",
            field="channel",
            extra={"confirmed_by": responsible},
        )


@dataclass(frozen=True)
class ChannelRecord:
    channel: str
    status: str


@dataclass(frozen=True)
class Unresolved:
    """A channel (or an exclusion proposal) the agency's approval still waits for."""

    rule: str
    detail: str
    channel: str | None = None
    awaiting: str | None = None
    cost_item_id: str | None = None


def unconfirmed(records: Iterable[ChannelRecord]) -> list[Unresolved]:
    """GD-18.1: the channels of a case still resting on the hospital's word alone."""
    out = []
    for r in sorted(records, key=lambda r: r.channel):
        if r.status == ChannelStatus.CLAIMED.value:
            awaiting = CONFIRMED_BY[Channel(r.channel)]
            out.append(
                Unresolved(
                    "GD-18.1",
                    f"{r.channel} is the hospital's claim until {awaiting} confirms it (or the agency waives it)",
                    channel=r.channel,
                    awaiting=awaiting,
                )
            )
    return out


class ExclusionStatus(StrEnum):
    PROPOSED = "proposed"  # the hospital's proposal (GD-14)
    ACCEPTED = "accepted"  # the agency decided: not payable
    REJECTED = "rejected"  # the agency decided: payable after all


def item_excluded(exclusion: str | None, status: str | None) -> str | None:
    """GD-14: the reason a cost item is not payable — a proposal counts (the fund pays less
    until the agency decides), a rejected one does not."""
    if exclusion is None or status == ExclusionStatus.REJECTED.value:
        return None
    return exclusion
