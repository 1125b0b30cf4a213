from datetime import timedelta

from django.utils import timezone

from peergroups.models import Booking
from tests.factories import GroupFactory  # noqa: F401 - re-exported for peer-group tests


def make_offer(group, referral, hours: int = 48) -> Booking:
    """An open offer, made directly (as if staff had offered it earlier)."""
    now = timezone.now()
    return Booking.objects.create(
        group=group,
        referral=referral,
        state=Booking.State.OFFERED,
        offer_expires_at=now + timedelta(hours=hours),
        waitlisted_at=now,
    )
