"""medaid emergency-fund service: the emergency medical assistance fund: ledger, cases, applications, public notice, disbursement, refund, blacklist (SPEC §6)."""
