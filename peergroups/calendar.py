"""Calendar files (RFC 5545) for a participant's sessions.

Titles are neutral: a calendar is often shared or synced to other devices, so nothing
says what kind of group it is.
"""

from __future__ import annotations

from datetime import UTC

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event


def sessions_calendar(sessions) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Family Support Portal//Sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    host = settings.PORTAL_BASE_URL.split("//")[-1].split("/")[0] or "portal"
    for session in sessions:
        organisation = session.group.organisation
        event = Event()
        event.add("uid", f"{session.pk}@{host}")
        event.add("dtstamp", timezone.now().astimezone(UTC))
        event.add("dtstart", session.starts_at.astimezone(UTC))
        event.add("dtend", session.ends_at.astimezone(UTC))
        event.add("summary", f"{organisation.discreet_sender_name} meeting")
        if session.group.format == "zoom":
            event.add("location", "Online")
        elif session.group.venue is not None:
            event.add("location", session.group.venue.address.replace("\n", ", "))
        calendar.add_component(event)
    return calendar.to_ical()
