"""Referrals react to their own signals where another module of the app owns the work."""

from django.dispatch import receiver

from .signals import consent_withdrawn


@receiver(consent_withdrawn)
def revoke_place_links(sender, referral, **kwargs):
    from .links import links_revoke_on_withdrawal

    links_revoke_on_withdrawal(referral=referral)


@receiver(consent_withdrawn)
def drop_unsent_messages(sender, referral, **kwargs):
    """Messages waiting for a safe time, or queued, are refused now, not when they would
    have gone, and their encrypted words are cleared."""
    from portal.notifications.services import waiting_messages_drop

    waiting_messages_drop(
        record_type="referrals.referral",
        record_id=str(referral.pk),
        reason="the person withdrew consent to contact",
    )
