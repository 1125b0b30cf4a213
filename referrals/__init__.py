"""Referrals: self-referrals and professional referrals with consent, and their triage."""
