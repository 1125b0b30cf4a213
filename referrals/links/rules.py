"""What a private link is and whether it works now: its purposes, lifetimes and limits,
the errors a link can end in, and the one check every request makes (``link_check``)."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from ..choices import State
from ..models import PrivateLink, Referral

Purpose = PrivateLink.Purpose

# A fresh link goes with every message, so these bound a link nobody needs any more.
PLACE_LINK_LIFETIME = timedelta(days=180)
# As long as the longest a closed referral is kept by default (24 months): a person may
# want their details gone sooner, and withdrawing consent does that.
WITHDRAW_LINK_LIFETIME = timedelta(days=730)
LIFETIMES = {Purpose.PLACE: PLACE_LINK_LIFETIME, Purpose.WITHDRAW: WITHDRAW_LINK_LIFETIME}
# At most this many links of each kind work for one person: issuing one stops the oldest
# beyond it. Every message carries new links, and a family rarely needs an old text's
# link once a newer message came; an old message read on a shared phone then opens
# nothing. Five leaves room for a few messages sent close together.
LIVE_LINKS_PER_PURPOSE = 5
# A place link keeps working this long after the last thing on the page ends, so a
# person can still see what happened, answer the last questions, or find the page
# after a cancelled meeting.
PLACE_LINK_GRACE = timedelta(days=14)

# Links signed with the site's key before links were stored.
LEGACY_LIFETIME = timedelta(days=365)
LEGACY_SALTS = {Purpose.PLACE: "peergroups.participant", Purpose.WITHDRAW: "referrals.withdraw"}


class LinkInvalid(Exception):
    """No such link: mistyped, cut short, forged, or of another purpose (404)."""


class LinkExpired(LinkInvalid):
    """A real link that no longer works: revoked, expired or its purpose over (410)."""


class LinkError(Exception):
    """A change to a link that cannot be made; the message is safe to show to staff."""


def hash_token(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


def links_beyond_the_newest_stop(*, referral_id, purpose: str, now: datetime) -> int:
    """Stop every working link of ``purpose`` but the newest ``LIVE_LINKS_PER_PURPOSE``.
    Called whenever a link is issued or recorded, in the same transaction."""
    # Messages sent at the same moment would each count the others' new links as not yet
    # there and stop too few: the person's row, locked until commit, makes them take turns
    # (stopping all of their links takes the same lock).
    list(Referral.objects.select_for_update().filter(pk=referral_id).values_list("pk"))
    older = (
        PrivateLink.objects.filter(
            referral_id=referral_id, purpose=purpose, revoked_at__isnull=True, expires_at__gt=now
        )
        .order_by("-created_at", "-id")
        .values_list("pk", flat=True)[LIVE_LINKS_PER_PURPOSE:]
    )
    return PrivateLink.objects.filter(pk__in=list(older)).update(revoked_at=now)


def purpose_lives(*, referral: Referral, purpose: str, now: datetime | None = None) -> bool:
    """Whether a link of ``purpose`` for ``referral`` still has something to do."""
    now = now or timezone.now()
    if purpose == Purpose.WITHDRAW:
        # While anything is held about them; after a withdrawal it only confirms.
        return referral.anonymised_at is None
    if not referral.is_contactable:
        return False
    since = now - PLACE_LINK_GRACE
    if referral.state == State.CLOSED and (
        referral.closed_at is None or referral.closed_at <= since
    ):
        return False
    from peergroups.selectors import participant_has_something_current

    return participant_has_something_current(referral=referral, since=since)


def legacy_links_end() -> datetime | None:
    """When older signed links stop being accepted: the start of the day
    ``LEGACY_PRIVATE_LINKS_UNTIL`` in the portal's time zone; None if never set."""
    until = getattr(settings, "LEGACY_PRIVATE_LINKS_UNTIL", None)
    if until is None:
        return None
    return timezone.make_aware(datetime.combine(until, datetime.min.time()))


def legacy_links_accepted(now: datetime) -> bool:
    if not getattr(settings, "LEGACY_PRIVATE_LINKS_ACCEPTED", True):
        return False
    end = legacy_links_end()
    return end is None or now < end


def link_stopped(link: PrivateLink, now: datetime, *, valid_after: datetime | None) -> bool:
    """Whether the link itself has stopped: revoked, past its limit, issued before staff
    stopped all the person's links (``valid_after``), or an older signed link after they
    were retired. Whether its purpose lives is asked separately."""
    return (
        link.revoked_at is not None
        or link.expires_at <= now
        or (valid_after is not None and link.created_at <= valid_after)
        or (link.legacy and not legacy_links_accepted(now))
    )


def link_check(link: PrivateLink, *, now: datetime | None = None) -> None:
    """Raise LinkExpired unless ``link`` works now."""
    now = now or timezone.now()
    if link_stopped(link, now, valid_after=link.referral.private_links_valid_after):
        raise LinkExpired
    if not purpose_lives(referral=link.referral, purpose=link.purpose, now=now):
        raise LinkExpired


def is_live(link: PrivateLink, *, now: datetime | None = None) -> bool:
    try:
        link_check(link, now=now)
    except LinkExpired:
        return False
    return True
