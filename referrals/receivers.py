"""Referrals react to their own signals where another module of the app owns the work."""

from django.dispatch import receiver

from .signals import consent_withdrawn


@receiver(consent_withdrawn)
def revoke_place_links(sender, referral, **kwargs):
    from .links import links_revoke_on_withdrawal

    links_revoke_on_withdrawal(referral=referral)
