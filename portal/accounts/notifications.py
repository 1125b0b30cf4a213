"""Staff as recipients of the notification service (digests and alerts, by email only),
and the notice that tells a person their account was the target of wrong passwords."""

from __future__ import annotations

from datetime import datetime

from axes.helpers import get_cool_off
from django.utils import timezone

from portal.notifications.models import MessageLog
from portal.notifications.services import Recipient, message_queue
from portal.organisations.models import Organisation

from .models import User

SIGN_IN_PAUSED_TEMPLATE = "sign_in_paused"


def _organisation_writing_to(user: User):
    """Whose name staff emails go out under: the person's charity or, for a referrer, the
    first charity their agency works with."""
    membership = (
        user.memberships.filter(organisation__isnull=False).select_related("organisation").first()
    )
    if membership is not None:
        return membership.organisation
    return (
        Organisation.objects.filter(partner_agencies__memberships__user=user).order_by("pk").first()
    )


def staff_recipient(record_id: str, organisation=None) -> Recipient:
    user = User.objects.filter(public_id=record_id, is_active=True).first()
    if user is None:
        raise LookupError(record_id)
    if organisation is None:
        organisation = _organisation_writing_to(user)
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


# Words for the kind of device, from the browser's own description of itself, checked in
# this order (Edge and Chrome also call themselves Safari; Android also says Linux).
_BROWSERS = (("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("CriOS/", "Chrome"))
_SYSTEMS = (
    ("iPhone", "an iPhone"),
    ("iPad", "an iPad"),
    ("Android", "an Android device"),
    ("CrOS", "a Chromebook"),
    ("Windows", "Windows"),
    ("Macintosh", "a Mac"),
    ("Linux", "Linux"),
)


def rough_device(user_agent: str) -> str:
    """A plain description such as "Firefox on Windows": enough for a person to say "that
    was me", nothing that identifies whoever it was. The text the browser sent is never
    repeated, so nothing it contains reaches an email."""
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), None)
    if browser is None and "Safari/" in user_agent:
        browser = "Safari"
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), None)
    if browser and system:
        return f"{browser} on {system}"
    if system:
        return f"a web browser on {system}"
    if browser:
        return browser
    return "a device or program we could not recognise"


def _when(moment: datetime) -> str:
    """As people write it in the UK: "2:05pm on Tuesday 3 December 2024", London time."""
    local = timezone.localtime(moment)
    clock = local.strftime("%I:%M").lstrip("0") + local.strftime("%p").lower()
    return f"{clock} on {local:%A} {local.day} {local:%B %Y}"


def sign_in_paused_notice_queue(
    *, username: str | None, user_agent: str, now: datetime | None = None
) -> MessageLog | None:
    """Tell an account holder, once per cool-off period, that wrong passwords paused
    sign-in to their account from one device; ``None`` if nothing is sent.

    Nothing is sent, and nothing different happens, for an address with no account, so
    the lockout cannot be used to find out who has one. The email gives the time and the
    kind of device, never the address it came from.
    """
    if not username:
        return None
    user = User.objects.filter(email__iexact=username, is_active=True).first()
    if user is None:
        return None
    try:
        recipient = staff_recipient(str(user.public_id))
    except LookupError:
        # No charity to send under (an operator with no membership): the lockout and
        # the audit row still stand.
        return None
    now = now or timezone.now()
    cool_off = get_cool_off()
    recently_told = MessageLog.objects.filter(
        recipient_type=recipient.record_type,
        recipient_id=recipient.record_id,
        template=SIGN_IN_PAUSED_TEMPLATE,
        created_at__gte=now - cool_off,
    ).exists()
    if recently_told:
        return None
    # The marker's period makes two lockouts at the same moment (two workers) queue one
    # email between them; the check above keeps to one across a period's boundary.
    period = int(now.timestamp() // cool_off.total_seconds())
    return message_queue(
        organisation=recipient.organisation,
        record_type=recipient.record_type,
        record_id=recipient.record_id,
        template=SIGN_IN_PAUSED_TEMPLATE,
        context={
            "when": _when(now),
            "device": rough_device(user_agent),
            "paused_minutes": int(cool_off.total_seconds() // 60),
        },
        key=f"sign-in-paused:{recipient.record_id}:{period}",
    )
