"""Event contracts: the payloads services publish, one module per producing service.

A payload never carries a full ID number, a full name, a diagnosis text or a face photo
(SPEC 0.4): names and ID numbers travel masked, plus a keyed digest of the ID number where
another service must match a person; photos stay in identity-check.
"""

from medaid_shared.contracts import consent, emergency_fund, identity_check, kernel, referral, settlement

__all__ = ["consent", "emergency_fund", "identity_check", "kernel", "referral", "settlement"]
