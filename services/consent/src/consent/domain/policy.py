"""Who may do what in the consent service (role × action), as data. Record-level scope
(facility, institution, village, town, the person themself) is checked by the use cases."""

from __future__ import annotations

from medaid_shared.authz import Policy

_VIEWERS = [
    "hospital",
    "institution",
    "village_committee",
    "town_government",
    "civil_affairs",
    "health_bureau",
    "medical_insurance",
    "auditor",
    "patient",
    "guardian",
    "agent",
]
_SIGNERS = ["patient", "guardian", "agent", "institution", "village_committee"]

POLICY = Policy.from_mapping(
    {
        # LJ-10
        "person.signing_authority": _VIEWERS,
        "person.verify_guardian_absence": ["civil_affairs", "town_government", "institution", "village_committee"],
        "rank4.read": ["civil_affairs", "auditor"],
        "rank4.acknowledge": ["civil_affairs"],
        "public_interest.confirm": ["civil_affairs"],
        # LJ-11
        "treatment.record": ["hospital"],
        "treatment.read": _VIEWERS,
        "consent.sign": _SIGNERS,
        "consent.read": _VIEWERS,
        # LJ-11.2
        "expert.manage": ["health_bureau"],
        "expert.read": ["health_bureau", "civil_affairs", "auditor"],
        "expert.assign": ["health_bureau"],
        "evaluation.attending": ["hospital"],
        "evaluation.expert": ["health_bureau"],
        # LJ-7
        "self_pay.propose": ["hospital"],
        "self_pay.read": _VIEWERS,
        "self_pay.sign_form": _SIGNERS,
        "self_pay.initial_review": ["institution", "village_committee", "guardian", "agent"],
        "self_pay.file": ["town_government"],
        "self_pay.civil_affairs_review": ["civil_affairs"],
        # the kernel's versioned parameters (GET /parameters, POST /admin/parameters)
        "parameters.read": ["admin", "civil_affairs", "medical_insurance", "health_bureau", "auditor", "hospital"],
        "parameters.change": ["admin"],
    }
)
