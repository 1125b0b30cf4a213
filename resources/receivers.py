"""Resources react to changes elsewhere: a withdrawal of consent ends every pack link."""

from django.dispatch import receiver

from referrals.signals import consent_withdrawn


@receiver(consent_withdrawn)
def revoke_pack_links(sender, referral, **kwargs):
    from .models import Delivery
    from .services import delivery_revoke

    for delivery in Delivery.objects.filter(referral=referral, revoked_at__isnull=True):
        delivery_revoke(delivery=delivery, actor=None)
