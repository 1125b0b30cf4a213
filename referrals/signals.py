"""Signals other apps listen to, so referrals never need to know about them."""

from django.dispatch import Signal

# Sent inside the withdrawal's transaction with ``referral``; receivers stop whatever
# they hold for the person (places, calls, reminders).
consent_withdrawn = Signal()
