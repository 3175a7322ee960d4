"""Who may do what in the emergency-fund service (role × action), as data.

Scope is checked beside the role: a hospital only ever touches its own facility's records
(``facility:<id>``); the city bodies (agency, health, finance, auditor, and the co-reviewing
police, civil affairs and medical insurance) act on their city's fund (``city:<code>``).
GD-8: the supervisory committee reviews (auditor, read-only); the handling agency
(fund_agency) runs the fund.
"""

from __future__ import annotations

from medaid_shared.authz import Policy

CITY_READERS = ["fund_agency", "health_bureau", "finance", "auditor"]
CHANNEL_CONFIRMERS = ["medical_insurance", "police", "hrss", "fund_agency"]

POLICY = Policy.from_mapping(
    {
        # fund, ledger, pre-allocation, organisation (GD-3, GD-7, GD-8)
        "fund.create": ["fund_agency", "finance"],
        "fund.read": CITY_READERS,
        "fund.inflow": ["finance", "fund_agency"],
        "fund.preallocate": ["fund_agency"],
        "fund.committee": ["health_bureau"],
        "fund.training": ["fund_agency"],
        "fund.organisation.read": [*CITY_READERS, "hospital"],
        # reference data and parameters (GD-12, GD-13.4, GD-13.5)
        "reference.facility": ["fund_agency"],
        "reference.disease": ["health_bureau"],
        "reference.cost_average": ["health_bureau", "fund_agency"],
        "reference.living_standard": ["civil_affairs", "fund_agency"],
        "reference.read": [*CITY_READERS, "hospital", "civil_affairs"],
        # the kernel's parameter API (POST /admin/parameters): the kernel kinds
        "parameters.change": ["admin"],
        "parameters.read": ["admin", *CITY_READERS],
        # cases (GD-12 … GD-18, GD-22.3, GD-23)
        "case.create": ["hospital"],
        "case.read": ["hospital", *CITY_READERS, "civil_affairs", "police", "medical_insurance", "hrss"],
        "case.update": ["hospital"],
        "case.exclude": ["hospital", "fund_agency"],
        "case.exclusion.decide": ["fund_agency"],
        # GD-13.3: an extension counts once the agency or the health department approves it
        "case.extension.decide": ["fund_agency", "health_bureau"],
        "case.extension.queue": ["fund_agency", "health_bureau", "auditor"],
        "case.exclusion.queue": ["fund_agency", "auditor"],
        # GD-18.1: the department responsible confirms its channel; the agency may waive
        "case.channel.confirm": CHANNEL_CONFIRMERS,
        "case.channel.waive": ["fund_agency"],
        "case.channel.queue": [*CHANNEL_CONFIRMERS, "auditor"],
        "case.civil_affairs": ["civil_affairs"],
        "case.identity.read": ["fund_agency"],
        "case.claim": ["hospital"],
        # applications (GD-20.1, GD-20.2)
        "application.submit": ["hospital"],
        "application.read": ["hospital", *CITY_READERS, "civil_affairs", "police", "medical_insurance"],
        "application.co_review": ["police", "civil_affairs", "medical_insurance"],
        "application.review.agency": ["fund_agency"],
        "application.review.health": ["health_bureau"],
        "application.review.finance": ["finance"],
        # public notice (GD-21)
        "notice.publish": ["hospital", "fund_agency"],
        # money out (GD-21, GD-16.4)
        "application.disburse": ["finance"],
        "application.write_off": ["fund_agency"],
        "refund.demand": ["fund_agency"],
        "refund.read": ["hospital", *CITY_READERS],
        "refund.record": ["hospital"],
        # blacklist (GD-24), export (GD-19), reports
        "blacklist.write": ["fund_agency"],
        "blacklist.read": CITY_READERS,
        "export.read": ["fund_agency", "health_bureau", "auditor"],
        "report.read": CITY_READERS,
    }
)
