"""medaid consent service: signing authority, consents, self-pay double review, major-treatment evaluation and emergency treatment (SPEC §3, §4)."""
