"""medaid settlement service: bills, the payer chain, policy parameters, the medical-aid ceiling ledger, one-stop and manual reimbursement, cost analytics (SPEC §5)."""
