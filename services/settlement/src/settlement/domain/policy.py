"""Who may do what in the settlement service (role × action), as data. Scope (a hospital
sees only its own facility's bills and statements) is checked by the use cases."""

from __future__ import annotations

from medaid_shared.authz import Policy

READERS = ["hospital", "medical_insurance", "civil_affairs", "auditor"]
ANALYSTS = ["civil_affairs", "medical_insurance"]  # LJ-15.4: quarterly analysis

POLICY = Policy.from_mapping(
    {
        "bill.submit": ["hospital"],
        "bill.read": READERS,
        "settlement.settle": ["hospital", "medical_insurance"],
        "platform_settlement.post": ["hospital", "medical_insurance"],  # LJ-13.1: the national result
        "platform_settlement.read": READERS,  # LJ-13.1: the national result's revisions
        "settlement.reverse": ["hospital", "medical_insurance"],
        "statement.read": READERS,
        "reimbursement.apply": ["medical_insurance", "institution", "village_committee", "guardian"],
        "reimbursement.review": ["medical_insurance"],
        "reimbursement.pay": ["medical_insurance"],
        "reimbursement.read": ["medical_insurance", "civil_affairs", "auditor"],
        "ledger.read": ["medical_insurance", "civil_affairs", "auditor"],
        "parameters.change": ["admin"],
        "parameters.read": ["admin", "hospital", "medical_insurance", "civil_affairs", "auditor"],
        "catalogue.change": ["admin"],
        "catalogue.read": ["admin", "hospital", "medical_insurance", "civil_affairs", "auditor"],
        "analytics.run": ANALYSTS,
        "report.read": [*ANALYSTS, "health_bureau", "auditor"],
    }
)

# Roles that read every facility's records (the hospital is limited to its own facility).
READ_ALL_ROLES = frozenset({"medical_insurance", "civil_affairs", "auditor"})
