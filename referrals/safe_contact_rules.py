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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.dateformat import format as date_format

from portal.accounts.models import User
from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.notifications.contact_windows import LONDON, ContactWindows, clock_in_words

from .choices import Channel, FormatPreference
from .models import Referral, ReferralEvent, SafeContact, SafeContactOverride

OVERRIDE_REASON_MAX_LENGTH = 1000


def _clock(moment: datetime) -> str:
    return clock_in_words(moment.astimezone(LONDON).time().replace(second=0, microsecond=0))


def moment_in_words(moment: datetime) -> str:
    """ "Monday 7 December at 10am", on the London wall clock."""
    return f"{date_format(moment.astimezone(LONDON), 'l j F')} at {_clock(moment)}"


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
            found.append(
                f"{moment_in_words(self.at)} is outside the times they said are safe "
                f"({self.windows.describe()})."
            )
        return found

    @property
    def next_safe_moment(self) -> datetime | None:
        return self.windows.next_safe_moment(self.at)

    @property
    def next_safe_in_words(self) -> str:
        moment = self.next_safe_moment
        return moment_in_words(moment) if moment else ""


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
    return _override_record(
        referral=referral,
        action=action,
        actor=actor,
        channel=channel,
        contact_at=check.at,
        unsafe_channel=check.unsafe_channel,
        unsafe_time=check.unsafe_time,
        reason=reason,
        request=request,
    )


def _override_record(
    *,
    referral: Referral,
    action: str,
    actor: User,
    channel: str,
    contact_at: datetime,
    unsafe_channel: bool,
    unsafe_time: bool,
    reason: str,
    request,
    **codes,
) -> SafeContactOverride:
    """The override, its timeline line and its audit row. ``codes`` go on both (ids and
    codes only: never the reason, which stays encrypted on the override)."""
    override = SafeContactOverride.objects.create(
        referral=referral,
        action=action,
        channel=channel,
        contact_at=contact_at,
        unsafe_channel=unsafe_channel,
        unsafe_time=unsafe_time,
        reason=reason[:OVERRIDE_REASON_MAX_LENGTH],
        actor=actor,
    )
    codes = {
        "override": str(override.pk),
        "action": action,
        "channel": channel,
        "unsafe_channel": unsafe_channel,
        "unsafe_time": unsafe_time,
        **codes,
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


# --- Offering a place in a group ------------------------------------------------------

# How many of a group's coming meetings an offer is checked against: enough to see the
# pattern of a weekly group, few enough to list in words.
MEETINGS_CHECKED = 6


@dataclass(frozen=True)
class Meeting:
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class OfferCheck:
    """Whether a group's meetings and way of meeting fit what the person said.

    A meeting outside their safe times may be exactly when the household is at home; a
    group in person for someone who asked for Zoom may mean being seen going to it.
    """

    windows: ContactWindows
    # The meetings (of those checked) that are not wholly inside their safe times.
    clashes: tuple[Meeting, ...]
    group_format: str
    format_preference: str

    @property
    def format_mismatch(self) -> bool:
        return self.format_preference not in ("", FormatPreference.EITHER) and (
            self.group_format != self.format_preference
        )

    @property
    def fits(self) -> bool:
        return not (self.clashes or self.format_mismatch)

    @property
    def problems(self) -> list[str]:
        found = []
        if self.clashes:
            found.append(
                f"{len(self.clashes)} of its coming meetings "
                f"{'is' if len(self.clashes) == 1 else 'are'} outside the times they said "
                f"are safe ({self.windows.describe()}):"
            )
        if self.format_mismatch:
            found.append(
                f"It meets {_format_in_words(self.group_format)}; they asked for "
                f"{_format_in_words(self.format_preference)}."
            )
        return found

    @property
    def clashes_in_words(self) -> list[str]:
        return [_meeting_in_words(meeting) for meeting in self.clashes]


def _format_in_words(value: str) -> str:
    return {"zoom": "online, on Zoom", "in_person": "in person"}.get(value, value)


def _meeting_in_words(meeting: Meeting) -> str:
    return f"{moment_in_words(meeting.starts_at)} to {_clock(meeting.ends_at)}"


def _inside_windows(windows: ContactWindows, meeting: Meeting) -> bool:
    if windows.any_time:
        return True
    if not windows.allows(meeting.starts_at):
        return False
    closes = windows.window_end(meeting.starts_at)
    return closes is not None and closes >= meeting.ends_at


def group_offer_check(
    referral: Referral, *, meetings: Iterable[Meeting], group_format: str
) -> OfferCheck:
    """Check a group's coming ``meetings`` (the first ``MEETINGS_CHECKED``) and its
    ``group_format`` against the person's safe times and the way they asked to meet."""
    safe = _safe_contact(referral)
    windows = safe.windows if safe else ContactWindows()
    checked = sorted(meetings, key=lambda meeting: meeting.starts_at)[:MEETINGS_CHECKED]
    return OfferCheck(
        windows=windows,
        clashes=tuple(m for m in checked if not _inside_windows(windows, m)),
        group_format=group_format,
        format_preference=referral.format_preference,
    )


class UnsafeOffer(Exception):
    """A group whose meetings or way of meeting do not fit, offered with no reason."""

    def __init__(self, check: OfferCheck):
        super().__init__(" ".join(check.problems))
        self.check = check


def group_offer_respected(
    *,
    referral: Referral,
    actor: User,
    meetings: Sequence[Meeting],
    group_format: str,
    override_reason: str = "",
    request=None,
) -> SafeContactOverride | None:
    """Refuse an offer that does not fit without a reason; record one with a reason.

    The override is kept with no channel: its time is the first meeting outside their
    safe times, and a way of meeting they did not ask for counts as the unsafe "way".
    Call inside the offer's transaction.
    """
    check = group_offer_check(referral, meetings=meetings, group_format=group_format)
    if check.fits:
        return None
    reason = override_reason.strip()
    if not reason:
        raise UnsafeOffer(check)
    first = check.clashes[0].starts_at if check.clashes else timezone.now()
    return _override_record(
        referral=referral,
        action=SafeContactOverride.Action.GROUP_OFFER,
        actor=actor,
        channel="",
        contact_at=first,
        unsafe_channel=check.format_mismatch,
        unsafe_time=bool(check.clashes),
        reason=reason,
        request=request,
        meetings_outside=len(check.clashes),
        **({"group_format": group_format} if check.format_mismatch else {}),
    )


# --- Shown afterwards: the timeline and a subject access export ----------------------


def override_in_words(
    override: SafeContactOverride, detail: dict | None = None, *, to_them: bool = False
) -> str:
    """What was done and what was not safe about it: "Logged a contact attempt: by phone
    call, which they have not said is safe; on Saturday 5 December at 7pm, outside their
    safe times." ``detail`` is the timeline event's codes (for a group's format);
    ``to_them`` says it to the person ("which you had not said was safe")."""
    detail = detail or {}
    said, their = (
        ("you had not said was", "your") if to_them else ("they have not said is", "their")
    )
    unsafe = []
    if override.unsafe_channel and override.channel:
        unsafe.append(f"by {Channel(override.channel).label.lower()}, which {said} safe")
    elif override.unsafe_channel:
        group_format = detail.get("group_format", "")
        asked = "you asked" if to_them else "they asked"
        unsafe.append(
            f"a group that meets {_format_in_words(group_format)}, not as {asked} to meet"
            if group_format
            else f"not the way {asked} to meet"
        )
    if override.unsafe_time:
        first = (
            "first meeting " if override.action == SafeContactOverride.Action.GROUP_OFFER else ""
        )
        unsafe.append(
            f"{first}on {moment_in_words(override.contact_at)}, outside {their} safe times"
        )
    return f"{override.get_action_display()}: {'; '.join(unsafe)}."


def _override_id(event: ReferralEvent) -> int | None:
    if event.kind != ReferralEvent.Kind.SAFE_CONTACT_OVERRIDDEN:
        return None
    value = str(event.detail.get("override", ""))
    return int(value) if value.isdigit() else None


def overrides_shown_on(events: list[ReferralEvent]) -> list[ReferralEvent]:
    """Give each override line of a timeline its override (``event.override``) and what
    it was in words (``event.override_words``), read in one query for the whole page, and
    none when the page has no override on it."""
    ids = {override_id for event in events if (override_id := _override_id(event))}
    if not ids:
        return events
    found = SafeContactOverride.objects.in_bulk(list(ids))
    for event in events:
        override = found.get(_override_id(event))
        if override is not None:
            event.override = override
            event.override_words = override_in_words(override, event.detail)
    return events


def overrides_for_export(referral: Referral, text) -> list[dict]:
    """The person's overrides for a subject access export; ``text(key, value)`` withholds
    a reason that names someone else, as it does a note."""
    return [
        {
            "when": timezone.localtime(o.created_at).strftime("%-d %B %Y, %H:%M"),
            "what": override_in_words(o, to_them=True),
            "reason": text(f"override-{o.pk}", o.reason),
        }
        for o in referral.safe_contact_overrides.order_by("created_at", "id")
    ]


def override_reasons(referral: Referral) -> list[tuple[str, str, str]]:
    """(key, label, reason) of each override: free text a coordinator reads before a
    subject access export is released."""
    return [
        (
            f"override-{o.pk}",
            "Reason for contact outside what they said is safe, "
            + timezone.localtime(o.created_at).strftime("%-d %B %Y, %H:%M"),
            o.reason,
        )
        for o in referral.safe_contact_overrides.order_by("created_at", "id")
    ]
