"""medaid referral service: persons, facilities, referrals, outside-care filings, admissions, discharges, follow-up visits and the one-person external-care file (SPEC §1, §2, §7)."""
