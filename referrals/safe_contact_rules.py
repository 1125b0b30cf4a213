"""Safe contact for what staff do by hand: the same rules the messages keep.

Wherever a member of staff acts on a channel (logs a call, books an initial call, posts
a pack, sends a message, offers a group), the action is checked against the person's
safe channels and times. An unsafe channel or time is refused unless the caseworker
gives a reason; the reason is kept (encrypted), put on the referral's timeline and
audited, so a colleague, a coordinator and a subject access request can all see that
the rule was set aside, by whom and why.

Usage, inside the action's transaction::

    safe_contact_respected(
        referral=referral, action=SafeContactOverride.Action.CONTACT_ATTEMPT,
        channel="call", at=made_at, actor=actor, override_reason=reason, request=request,
    )

It raises ``UnsafeContact`` (its ``check`` says what is wrong, in words for the page)
when the action is unsafe and no reason was given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.dateformat import format as date_format

from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.notifications.contact_windows import LONDON, ContactWindows

from .choices import Channel
from .models import Referral, ReferralEvent, SafeContact, SafeContactOverride

OVERRIDE_REASON_MAX_LENGTH = 1000


@dataclass(frozen=True)
class ContactCheck:
    """Whether contact by ``channel`` at ``at`` keeps to what the person said is safe."""

    channel: str
    at: datetime
    safe_channels: tuple[str, ...]
    windows: ContactWindows
    unsafe_channel: bool
    unsafe_time: bool

    @property
    def safe(self) -> bool:
        return not (self.unsafe_channel or self.unsafe_time)

    @property
    def problems(self) -> list[str]:
        """What is wrong, in words for the member of staff."""
        found = []
        if self.unsafe_channel:
            label = Channel(self.channel).label.lower() if self.channel else "this"
            found.append(f"They have not said that {label} is safe.")
        if self.unsafe_time:
            when = date_format(self.at.astimezone(LONDON), "l j F, g:i a")
            found.append(
                f"{when} is outside the times they said are safe ({self.windows.describe()})."
            )
        return found

    @property
    def next_safe_moment(self) -> datetime | None:
        return self.windows.next_safe_moment(self.at)


class UnsafeContact(Exception):
    """An action on a channel or at a time that is not safe, and no reason to override."""

    def __init__(self, check: ContactCheck):
        super().__init__(" ".join(check.problems))
        self.check = check


def _safe_contact(referral: Referral) -> SafeContact | None:
    try:
        return referral.safe_contact
    except SafeContact.DoesNotExist:
        return None


def contact_check(
    referral: Referral, *, channel: str = "", at: datetime | None = None, timed: bool = True
) -> ContactCheck:
    """Check contact by ``channel`` (empty for an action with no channel, such as an
    offer) at ``at`` (now if None). ``timed`` False checks the channel only: a pack
    posted today arrives on a day nobody can choose."""
    at = at or timezone.now()
    safe = _safe_contact(referral)
    safe_channels = tuple(safe.safe_channels) if safe else ()
    windows = safe.windows if safe else ContactWindows()
    return ContactCheck(
        channel=channel,
        at=at,
        safe_channels=safe_channels,
        windows=windows,
        unsafe_channel=bool(channel) and channel not in safe_channels,
        unsafe_time=timed and not windows.allows(at),
    )


def safe_contact_respected(
    *,
    referral: Referral,
    action: str,
    actor: User,
    channel: str = "",
    at: datetime | None = None,
    timed: bool = True,
    override_reason: str = "",
    request=None,
) -> SafeContactOverride | None:
    """Refuse an unsafe action without a reason; record one with a reason.

    Returns the override recorded, or None when the action was safe. Call inside the
    action's transaction, so the action and its override are kept together or not at all.
    """
    check = contact_check(referral, channel=channel, at=at, timed=timed)
    if check.safe:
        return None
    reason = override_reason.strip()
    if not reason:
        raise UnsafeContact(check)
    override = SafeContactOverride.objects.create(
        referral=referral,
        action=action,
        channel=channel,
        contact_at=check.at,
        unsafe_channel=check.unsafe_channel,
        unsafe_time=check.unsafe_time,
        reason=reason[:OVERRIDE_REASON_MAX_LENGTH],
        actor=actor,
    )
    codes = {
        "override": str(override.pk),
        "action": action,
        "channel": channel,
        "unsafe_channel": check.unsafe_channel,
        "unsafe_time": check.unsafe_time,
    }
    ReferralEvent.objects.create(
        referral=referral,
        kind=ReferralEvent.Kind.SAFE_CONTACT_OVERRIDDEN,
        actor=actor,
        detail=codes,
    )
    audit_record(
        action=AuditEvent.Action.CHANGED,
        actor=actor,
        request=request,
        organisation=referral.organisation,
        target=referral,
        detail={"change": "safe_contact_overridden", **codes},
    )
    return override
