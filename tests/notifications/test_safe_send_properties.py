"""Property: through the real send path, no message ever goes at a moment outside the
person's windows or on a channel they did not mark safe, no reminder goes once its
meeting has begun, and no offer once it has run out.

Hypothesis draws the person's windows and safe channels, a meeting (often near a clock
change or a bank holiday), the organisation's reminder offsets, an offer of a place with
its hours, and how late the scheduler runs. The scheduler is then played forward event
by event in time travel: at each reminder's due time, each waiting message's safe time
(plus the lateness drawn), and some random moments besides, it queues due reminders,
releases waiting messages and delivers what is pending, as the beat jobs and workers
do. Every message handed to a provider is recorded with the moment it went.

When the scheduler is punctual, a reminder is also never lost: if any safe moment comes
between the first reminder's due time and the meeting, one reminder is sent.
"""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peergroups.models import Booking, Session
from peergroups.reminders import session_reminders_queue
from peergroups.services import OFFER_LONGEST, booking_offer
from portal.notifications import services
from portal.notifications.models import MessageLog, NotificationSettings
from portal.notifications.services import release_waiting_messages
from tests.factories import GroupFactory
from tests.notifications.delivery import deliver_all
from tests.referrals.factories import make_referral

from . import safe_time_oracle as oracle
from .safe_time_strategies import contact_windows, moments

pytestmark = pytest.mark.django_db

CHANNELS = ("email", "text", "call", "post")
# The scheduler and workers run on time, a minute late, or very late (down for hours).
LATENESS = st.sampled_from([0, 0, 0, 1, 7, 45, 240, 60 * 20])


class Sent(list):
    """What reached a provider: (moment, channel, template, context)."""

    def recording(self, original):
        def deliver(recipient, template, context, channel, **kwargs):
            self.append((timezone.now(), channel, template, context))
            return original(recipient, template, context, channel, **kwargs)

        return deliver


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    windows=contact_windows,
    safe_channels=st.sets(st.sampled_from(CHANNELS), min_size=1),
    meeting=moments(),
    offsets=st.lists(st.integers(15, 3 * 24 * 60), min_size=1, max_size=3, unique=True),
    offer_before_meeting=st.integers(0, 4 * 24 * 60),
    offer_hours=st.integers(1, 72),
    punctual=st.booleans(),
    data=st.data(),
)
def test_no_message_goes_outside_safe_times_or_safe_channels(
    organisation_a,
    caseworker_a,
    django_capture_on_commit_callbacks,
    windows,
    safe_channels,
    meeting,
    offsets,
    offer_before_meeting,
    offer_hours,
    punctual,
    data,
):
    sent = Sent()
    mail.outbox.clear()
    with (
        transaction.atomic(),
        mock.patch.object(services, "_deliver", sent.recording(services._deliver)),
    ):
        NotificationSettings.objects.create(
            organisation=organisation_a, session_reminder_offsets=offsets
        )
        person = make_referral(
            organisation_a, phone="07700 900123", safe_channels=sorted(safe_channels)
        )
        person.safe_contact.set_windows(windows)
        person.safe_contact.save()
        meeting_group = GroupFactory(organisation=organisation_a)
        Session.objects.create(
            group=meeting_group, starts_at=meeting, ends_at=meeting + timedelta(hours=1)
        )
        Booking.objects.create(
            group=meeting_group,
            referral=person,
            state=Booking.State.CONFIRMED,
            confirmed_at=meeting,
        )
        offered_group = GroupFactory(organisation=organisation_a, offer_hours=offer_hours)
        offer_at = meeting - timedelta(minutes=offer_before_meeting)

        due = sorted(meeting - timedelta(minutes=offset) for offset in offsets)
        extra = data.draw(st.lists(st.integers(0, 6 * 24 * 60), max_size=4), label="extra")
        begins = min(due[0], offer_at) - timedelta(minutes=1)
        planned = sorted({*due, offer_at, *(begins + timedelta(minutes=m) for m in extra)})
        offer = None
        moment = begins
        for _ in range(40):
            waiting = (
                MessageLog.objects.filter(status=MessageLog.Status.WAITING, send_after__gt=moment)
                .order_by("send_after")
                .values_list("send_after", flat=True)
                .first()
            )
            late = timedelta() if punctual else timedelta(minutes=data.draw(LATENESS))
            upcoming = [m for m in planned if m > moment]
            if waiting is not None:
                upcoming.append(waiting + late)
            if not upcoming:
                break
            moment = min(upcoming)
            with time_machine.travel(moment, tick=False):
                if offer is None and moment >= offer_at:
                    with django_capture_on_commit_callbacks(execute=True):
                        offer = booking_offer(
                            group=offered_group, referral=person, actor=caseworker_a
                        )
                session_reminders_queue()
                release_waiting_messages()
                deliver_all()

        for when, channel, template, _context in sent:
            assert windows.allows(when), f"{template} sent at {when}, outside {windows}"
            assert channel in safe_channels, f"{template} sent by {channel}"
            if template == "session_reminder":
                assert when < meeting, f"reminder sent at {when}, after the meeting"
            if template == "place_offered":
                assert when < offer.offer_expires_at
        if offer is not None:
            # The offer lasts exactly its hours of the person's safe time, unless that
            # would hold the place longer than OFFER_LONGEST: then it ends there.
            longest = offer_at + max(OFFER_LONGEST, timedelta(hours=offer_hours))
            counted = oracle.safe_time_between(windows, offer_at, offer.offer_expires_at)
            if offer.offer_expires_at == longest:
                assert counted <= timedelta(hours=offer_hours)
            else:
                assert offer.offer_expires_at < longest
                assert counted == timedelta(hours=offer_hours)

        reminders = [s for s in sent if s[2] == "session_reminder"]
        assert len(reminders) <= len(offsets)
        writable = safe_channels & {"email", "text"}
        first_safe = oracle.next_safe(windows, due[0])
        if punctual and writable and first_safe is not None and first_safe < meeting:
            assert reminders, "a reminder with a safe moment before the meeting was lost"
        transaction.set_rollback(True)
