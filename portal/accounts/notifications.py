"""Staff as recipients of the notification service (digests and alerts, by email only)."""

from portal.notifications.services import Recipient

from .models import User


def staff_recipient(record_id: str, organisation=None) -> Recipient:
    user = User.objects.filter(public_id=record_id, is_active=True).first()
    if user is None:
        raise LookupError(record_id)
    if organisation is None:
        membership = (
            user.memberships.filter(organisation__isnull=False)
            .select_related("organisation")
            .first()
        )
        organisation = membership.organisation if membership else None
    if organisation is None:
        raise LookupError(record_id)
    return Recipient(
        organisation=organisation,
        record_type="accounts.user",
        record_id=str(user.public_id),
        contactable=True,
        safe_channels=frozenset({"email"}),
        email=user.email,
        name_to_use=user.get_short_name(),
    )
