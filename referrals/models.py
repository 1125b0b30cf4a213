"""Referral models arrive with the referrals issue; the app exists so others can build on it."""
