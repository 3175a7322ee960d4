"""medaid identity-check service: police identity checks of unidentified emergency patients: letters with face photos, replies, late identification (SPEC §6.3)."""
