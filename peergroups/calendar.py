"""Calendar files (RFC 5545) for a participant's sessions.

Titles are neutral: a calendar is often shared or synced to other devices, so nothing
says what kind of group it is. Where each meeting is comes from the joining rule
(``selectors.participant_calendar``): this module never reads a venue itself.
"""

from __future__ import annotations

from datetime import UTC

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from .selectors import CalendarEntry


def sessions_calendar(entries: list[CalendarEntry]) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Family Support Portal//Sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    host = settings.PORTAL_BASE_URL.split("//")[-1].split("/")[0] or "portal"
    for entry in entries:
        session = entry.session
        event = Event()
        event.add("uid", f"{session.pk}@{host}")
        event.add("dtstamp", timezone.now().astimezone(UTC))
        event.add("dtstart", session.starts_at.astimezone(UTC))
        event.add("dtend", session.ends_at.astimezone(UTC))
        event.add("summary", f"{session.group.organisation.discreet_sender_name} meeting")
        if entry.location:
            event.add("location", entry.location)
        calendar.add_component(event)
    return calendar.to_ical()
