"""People and call times for the tests of how an initial call happens: a person with the
ways and the weekly times they said are safe."""

from __future__ import annotations

from portal.notifications.contact_windows import PRESETS, ContactWindows
from referrals.models import SafeContact
from tests.referrals.factories import make_referral

MOBILE = "07700 900123"


def person(
    organisation,
    *,
    ways=("call",),
    windows: ContactWindows | str | None = None,
    email: str | None = None,
    phone: str = MOBILE,
):
    """A referral safe to reach by ``ways``, at ``windows`` (a preset's name, or None for
    any time)."""
    referral = make_referral(organisation, safe_channels=ways, email=email, phone=phone)
    if windows is not None:
        safe = SafeContact.objects.get(referral=referral)
        safe.set_windows(PRESETS[windows] if isinstance(windows, str) else windows)
        safe.save(update_fields=["contact_windows"])
        referral.refresh_from_db()
    return referral
