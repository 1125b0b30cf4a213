"""Peer groups react to changes elsewhere: a withdrawal ends the person's places and calls."""

from django.dispatch import receiver

from referrals.signals import consent_withdrawn


@receiver(consent_withdrawn)
def release_places_and_calls(sender, referral, **kwargs):
    from django.utils import timezone

    from .models import Booking, InitialCallSlot
    from .services import booking_release

    for booking in Booking.objects.filter(referral=referral, state__in=Booking.ACTIVE):
        booking_release(booking=booking, state=Booking.State.CANCELLED)
    # Free their future call times for someone else.
    InitialCallSlot.objects.filter(referral=referral, starts_at__gt=timezone.now()).update(
        referral=None, method=""
    )
