"""Types shared by several contracts."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated

from pydantic import Field

Money = Annotated[Decimal, Field(max_digits=14, decimal_places=2, description="CNY, 2 decimals")]


class SupportType(StrEnum):
    """LJ-2.1: 集中供养 (centralized) or 分散供养 (decentralized)."""

    CENTRALIZED = "centralized"
    DECENTRALIZED = "decentralized"


class FacilityLevel(StrEnum):
    INSTITUTION_CLINIC = "institution_clinic"  # 供养机构医务室 (primary)
    TOWNSHIP_HEALTH_CENTRE = "township_health_centre"  # 乡镇卫生院 (primary)
    COMMUNITY_HEALTH_CENTRE = "community_health_centre"  # 社区卫生服务中心 (primary)
    DISTRICT = "district"
    CITY = "city"
    PROVINCIAL = "provincial"
    OUT_OF_REGION = "out_of_region"


PRIMARY_LEVELS = frozenset(
    {FacilityLevel.INSTITUTION_CLINIC, FacilityLevel.TOWNSHIP_HEALTH_CENTRE, FacilityLevel.COMMUNITY_HEALTH_CENTRE}
)


class Region(StrEnum):
    LIUJIANG = "liujiang"
    LIUZHOU = "liuzhou"
    GUANGXI = "guangxi"
    OUTSIDE_GUANGXI = "outside_guangxi"


class FilingState(StrEnum):
    """SPEC §2 filing compliance of an admission."""

    PENDING = "pending"
    PRE_FILED = "pre_filed"
    FILED_IN_TIME = "filed_in_time"
    PHONE_REPORTED = "phone_reported"
    FORM_IN_TIME = "form_in_time"
    FORM_LATE = "form_late"
    FILED_LATE = "filed_late"
    UNFILED = "unfiled"


class DisabilityLevel(StrEnum):
    """LJ-16: 全失能 / 半失能 / 生活自理."""

    FULL = "full"
    SEMI = "semi"
    SELF_CARE = "self_care"
