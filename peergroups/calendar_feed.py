"""A facilitator's private calendar feed: the meetings of the groups they run, for
Outlook, Google or Apple calendars to subscribe to.

A calendar app fetches the feed on its own, without signing in, so the address itself
is the key: a random secret shown once, of which only a SHA-256 is stored
(``CalendarFeed.token_hash``). Anyone who has the address can read the feed until it is
stopped, so it can be stopped at any time and replaced by a new one (the old address
then answers "not found", exactly like one that never existed). A person has at most one
live feed in each organisation (a database constraint). The feed stops working by
itself when they leave the organisation or their account is switched off.

What a feed says is written for a calendar that may be shared, synced to a phone, or
seen over someone's shoulder:

- every meeting is titled "Group meeting" (``NEUTRAL_TITLE``), never the group's name,
  which could say what the group is about;
- no participant is named, and nothing is said about anyone's place;
- how to join (the link and passcode) is given for online meetings only, and never for
  a cancelled one; an in-person meeting gives the venue's address;
- a cancelled meeting stays, as ``STATUS:CANCELLED``, so calendars remove it rather than
  keep a stale copy;
- times are in Europe/London with its VTIMEZONE, so meetings keep their wall-clock time
  across the clock changes.

It covers four weeks back to six months ahead: enough to look back at a register due,
and to plan, without listing years of meetings.

The address carries its secret in the ``token`` parameter, which the log scrubber
redacts (``portal.core.log_scrubbing.SECRET_PARAMETERS``).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from portal.audit.models import AuditEvent
from portal.audit.services import audit_record
from portal.notifications.contact_windows import LONDON
from portal.organisations.permissions import has_role
from portal.organisations.roles import CASE_ROLES

from .models import CalendarFeed, Group, Session

NEUTRAL_TITLE = "Group meeting"
WINDOW_BEFORE = timedelta(weeks=4)
WINDOW_AFTER = timedelta(days=183)
# How often ``last_fetched_at`` is written: calendar apps fetch every few minutes to
# every few hours, and a row written on every fetch would be churn for no one.
FETCH_NOTED_EVERY = timedelta(minutes=15)
# A URL-safe secret of 32 random bytes (43 characters).
TOKEN_BYTES = 32
TOKEN_MAX_LENGTH = 64


class CalendarFeedError(Exception):
    """A feed that cannot be made or stopped; the words are safe to show to staff."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_url(token: str) -> str:
    base = settings.PORTAL_BASE_URL.rstrip("/")
    return base + reverse("peergroups:facilitator-calendar", kwargs={"token": token})


def live_feed(*, organisation, user) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(
        organisation=organisation, user=user, revoked_at__isnull=True
    ).first()


def _require_member(user, organisation) -> None:
    if not has_role(user, organisation, CASE_ROLES):
        raise CalendarFeedError("You do not work in this organisation.")


def _audit(change: str, feed: CalendarFeed, *, actor, request) -> None:
    audit_record(
        action=AuditEvent.Action.CHANGED,
        actor=actor,
        request=request,
        organisation=feed.organisation,
        target=feed,
        detail={"change": change},
    )


def _issue(*, organisation, user) -> tuple[CalendarFeed, str]:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    feed = CalendarFeed.objects.create(
        organisation=organisation, user=user, token_hash=token_hash(token)
    )
    return feed, token


def calendar_feed_create(*, organisation, user, request=None) -> tuple[CalendarFeed, str]:
    """Make ``user``'s feed in ``organisation``; returns it and its secret, which is
    never stored and cannot be shown again. Refused if they already have one."""
    _require_member(user, organisation)
    try:
        with transaction.atomic():
            if live_feed(organisation=organisation, user=user) is not None:
                raise CalendarFeedError(
                    "You already have a calendar feed. To get a new address, make a new one: "
                    "the old address then stops working."
                )
            feed, token = _issue(organisation=organisation, user=user)
            _audit("calendar_feed_created", feed, actor=user, request=request)
    except IntegrityError as error:
        # Two presses at once: the constraint lets one feed live.
        raise CalendarFeedError("You already have a calendar feed.") from error
    return feed, token


def calendar_feed_revoke(*, organisation, user, request=None) -> CalendarFeed | None:
    """Stop ``user``'s feed: its address answers "not found" from now on. None if they
    had none."""
    with transaction.atomic():
        feed = (
            CalendarFeed.objects.select_for_update()
            .filter(organisation=organisation, user=user, revoked_at__isnull=True)
            .first()
        )
        if feed is None:
            return None
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
        _audit("calendar_feed_revoked", feed, actor=user, request=request)
    return feed


def calendar_feed_replace(*, organisation, user, request=None) -> tuple[CalendarFeed, str]:
    """Stop ``user``'s feed (if any) and make a new one, in one go: for an address that
    may have been seen by someone else."""
    _require_member(user, organisation)
    try:
        with transaction.atomic():
            old = calendar_feed_revoke(organisation=organisation, user=user, request=request)
            feed, token = _issue(organisation=organisation, user=user)
            _audit(
                "calendar_feed_replaced" if old else "calendar_feed_created",
                feed,
                actor=user,
                request=request,
            )
    except IntegrityError as error:
        # Two presses at once: the first made the new feed; this one changes nothing.
        raise CalendarFeedError(
            "A new address was made a moment ago. Make a new one again if you did not see it."
        ) from error
    return feed, token


def feed_for_token(token: str) -> CalendarFeed | None:
    """The live feed this secret opens, or None: unknown, stopped, or its person no
    longer works in the organisation or can sign in."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    feed = (
        CalendarFeed.objects.select_related("user", "organisation")
        .filter(token_hash=token_hash(token), revoked_at__isnull=True)
        .first()
    )
    if feed is None or not feed.user.is_active:
        return None
    if not has_role(feed.user, feed.organisation, CASE_ROLES):
        return None
    return feed


def feed_fetched(feed: CalendarFeed, *, at: datetime | None = None) -> None:
    """Note when a calendar last read the feed (shown on the staff page), at most every
    ``FETCH_NOTED_EVERY``."""
    at = at or timezone.now()
    if feed.last_fetched_at is None or at - feed.last_fetched_at >= FETCH_NOTED_EVERY:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=at)
        feed.last_fetched_at = at


def feed_sessions(feed: CalendarFeed, *, at: datetime | None = None) -> list[Session]:
    """The meetings of the groups this person facilitates in the feed's organisation,
    cancelled ones included, from four weeks ago to six months ahead."""
    at = at or timezone.now()
    groups = Group.objects.filter(organisation=feed.organisation, facilitators=feed.user)
    return list(
        Session.objects.filter(
            group__in=groups,
            starts_at__gte=at - WINDOW_BEFORE,
            starts_at__lt=at + WINDOW_AFTER,
        )
        .select_related("group__venue")
        .order_by("starts_at", "pk")
    )


def _host() -> str:
    return settings.PORTAL_BASE_URL.split("//")[-1].split("/")[0] or "portal"


def feed_calendar(sessions: list[Session], *, at: datetime | None = None) -> bytes:
    """The feed as iCalendar (RFC 5545)."""
    at = at or timezone.now()
    calendar = Calendar()
    calendar.add("prodid", "-//Family Support Portal//Facilitator meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    # Shown as the calendar's name where an app takes it from the feed: neutral too.
    calendar.add("x-wr-calname", "Group meetings")
    calendar.add("x-wr-timezone", "Europe/London")
    # Calendar apps that honour it fetch again after this long.
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    base = settings.PORTAL_BASE_URL.rstrip("/")
    for session in sessions:
        calendar.add_component(_event(session, at=at, base=base))
    calendar.add_missing_timezones(
        first_date=(at - WINDOW_BEFORE - timedelta(days=1)).date(),
        last_date=(at + WINDOW_AFTER + timedelta(days=1)).date(),
    )
    return calendar.to_ical()


def _event(session: Session, *, at: datetime, base: str) -> Event:
    group = session.group
    cancelled = session.status == Session.Status.CANCELLED
    online = group.format == Group.Format.ZOOM
    event = Event()
    event.add("uid", f"facilitator-{session.pk}@{_host()}")
    event.add("dtstamp", at.astimezone(UTC))
    event.add("dtstart", session.starts_at.astimezone(LONDON))
    event.add("dtend", session.ends_at.astimezone(LONDON))
    event.add("summary", NEUTRAL_TITLE)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("class", "PRIVATE")
    register = base + reverse("groups:session", kwargs={"session_id": session.pk})
    lines = ["This meeting is cancelled."] if cancelled else []
    if online:
        event.add("location", "Online")
        if not cancelled and session.join_url:
            event.add("url", session.join_url)
            lines.append(f"Join: {session.join_url}")
            if session.passcode:
                lines.append(f"Passcode: {session.passcode}")
    elif group.venue is not None:
        event.add("location", group.venue.address.replace("\n", ", "))
    # Staff sign in to open it: the address alone shows nothing.
    lines.append(f"Register: {register}")
    event.add("description", "\n".join(lines))
    return event
