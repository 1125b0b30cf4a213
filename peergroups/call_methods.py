"""How an initial call can happen for a person, and whether each way is safe for them.

A phone call reaches them by ringing: it needs calls marked safe and a number to ring.
A video call is joined from their support page, and the page's link reaches them in a
message: it needs email or text marked safe and an address or a number for it. The
video call's written channel is the one the notification service would choose (email
before text), so what the pages say is how the confirmation actually travels.

Staff see every way, each marked safe or not (an unsafe one needs a reason to go ahead,
``referrals.safe_contact_rules``); a family is offered only the ways safe for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from portal.notifications.services import SENDABLE_CHANNELS
from referrals.choices import Channel
from referrals.models import Referral, SafeContact

from .models import InitialCallSlot

Method = InitialCallSlot.Method

# The written channel of a video call, in words: "by email", "by text".
LINK_BY = {Channel.EMAIL: "by email", Channel.TEXT: "by text"}


@dataclass(frozen=True)
class CallMethodOption:
    """One way a call can happen, for one person."""

    method: str
    # What reaches them: "call" for a phone call; "email" or "text" for a video call's
    # link. Empty when a video call has nowhere to send its link.
    channel: str
    # They marked the channel safe.
    marked_safe: bool
    # We hold the number or address the channel needs.
    held: bool

    @property
    def safe(self) -> bool:
        return self.marked_safe and self.held

    @property
    def problem(self) -> str:
        """Why it is not safe, for staff; empty when it is."""
        if self.method == Method.PHONE:
            if not self.held:
                return "We have no number to ring."
            return "" if self.marked_safe else "They have not said that phone calls are safe."
        if not self.held:
            return "We have no email address or mobile number to send the link to."
        return "" if self.marked_safe else "They have not said that email or texts are safe."

    @property
    def family_words(self) -> str:
        """How the family is offered it, on their support page."""
        if self.method == Method.PHONE:
            return "A phone call: we ring you on the number you gave us"
        # The call is joined from their page; the message only links back to it.
        return "A video call: you join from this page" + (
            f". We also send you a message {LINK_BY[self.channel]}, at a time you told us "
            "is safe, with a link back here"
            if self.channel in LINK_BY
            else ""
        )

    @property
    def staff_words(self) -> str:
        if self.method == Method.PHONE:
            return "Phone call: we ring them"
        if not self.channel:
            return "Video call: they join from their support page"
        return f"Video call: they join from their support page, sent {LINK_BY[self.channel]}"


def _safe_contact(referral: Referral) -> SafeContact | None:
    try:
        return referral.safe_contact
    except SafeContact.DoesNotExist:
        return None


def _holds_details(referral: Referral, channel: str) -> bool:
    return bool(referral.email if channel == Channel.EMAIL else referral.phone)


def video_link_channel(referral: Referral) -> str:
    """The channel a video call's link would go by: the first safe written channel we
    hold details for, as the notification service chooses; failing that, the first we
    hold details for (unsafe: staff must give a reason); empty if there is none."""
    safe = _safe_contact(referral)
    held = [channel for channel in SENDABLE_CHANNELS if _holds_details(referral, channel)]
    for channel in held:
        if safe is not None and safe.is_safe(channel):
            return channel
    return held[0] if held else ""


def method_channel(referral: Referral, method: str) -> str:
    """The channel that must be safe for a call by ``method``."""
    return Channel.CALL if method == Method.PHONE else video_link_channel(referral)


def call_method_options(referral: Referral) -> list[CallMethodOption]:
    """Every way the call can happen for this person, each marked safe or not."""
    safe = _safe_contact(referral)
    options = []
    for method in Method.values:
        channel = method_channel(referral, method)
        options.append(
            CallMethodOption(
                method=method,
                channel=channel,
                marked_safe=bool(channel) and safe is not None and safe.is_safe(channel),
                held=bool(channel) and _holds_details(referral, channel),
            )
        )
    return options


def call_method_option(referral: Referral, method: str) -> CallMethodOption | None:
    return next((o for o in call_method_options(referral) if o.method == method), None)


def methods_safe_for_family(referral: Referral) -> list[CallMethodOption]:
    return [option for option in call_method_options(referral) if option.safe]


def safe_times_given(referral: Referral) -> bool:
    """Whether they gave weekly safe times (none is any time)."""
    safe = _safe_contact(referral)
    return safe is not None and not safe.windows.any_time


def in_their_safe_times(referral: Referral, moment: datetime) -> bool:
    """Whether ``moment`` falls in the weekly windows they gave (False if they gave none:
    then every time is theirs to choose, and none is marked)."""
    safe = _safe_contact(referral)
    if safe is None:
        return False
    windows = safe.windows
    return not windows.any_time and windows.allows(moment)


def method_in_words(method: str) -> str:
    """For a timeline or a message: "phone call", "video call"."""
    return Method(method).label.lower() if method else ""
