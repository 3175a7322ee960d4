"""Who may do what in the identity-check service (role × action), as data. Scope is checked
against the record: a hospital (``facility:X``) only its own requests, a bureau
(``jurisdiction:X``) only the requests addressed to it (SPEC 0.3, 0.4)."""

from __future__ import annotations

from medaid_shared.authz import Policy

FILE = "identity_check.file"
VIEW = "identity_check.view"
QUEUE = "identity_check.queue"
READ_ATTACHMENT = "identity_check.attachment.read"
READ_IDENTITY = "identity_check.identity.read"
REPLY = "identity_check.reply"
LATE_IDENTIFICATION = "identity_check.late_identification"
CLOSE = "identity_check.close"
RUN_RETENTION = "identity_check.retention.run"

POLICY = Policy.from_mapping(
    {
        FILE: ["hospital"],  # GD-16.1
        VIEW: ["hospital", "police"],
        QUEUE: ["police"],
        READ_ATTACHMENT: ["hospital", "police"],  # SPEC 0.4: only the two parties to the letter
        READ_IDENTITY: ["hospital", "police"],
        REPLY: ["police"],  # GD-16.2
        LATE_IDENTIFICATION: ["police"],  # GD-16.4
        CLOSE: ["hospital"],
        RUN_RETENTION: ["admin"],
        # versioned parameters: face-photo retention (SPEC 0.4)
        "parameters.change": ["admin"],
        "parameters.read": ["admin", "auditor", "hospital", "police"],
    }
)
