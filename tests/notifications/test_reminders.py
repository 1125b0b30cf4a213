"""Meeting and call reminders: due at the organisation's offsets, queued once, checked again
when they leave; around the clock changes too."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from peergroups.models import Booking, Session
from peergroups.reminders import call_reminders_queue, session_reminders_queue
from peergroups.services import (
    booking_confirm,
    booking_offer,
    booking_release,
    call_slot_book,
    call_slot_publish,
    session_cancel,
)
from portal.notifications.models import MessageLog, NotificationSettings, SentMarker, StaffTask
from referrals.choices import ConsentMethod
from referrals.services import consent_withdraw, safe_contact_update
from tests.factories import GroupFactory
from tests.notifications.delivery import deliver_all
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def meeting(organisation_a, caseworker_a):
    """A meeting at 7pm on Sunday 1 November 2026 (the week after the clocks go back)."""
    group = GroupFactory(organisation=organisation_a)
    start = datetime(2026, 11, 1, 19, tzinfo=LONDON)
    session = Session.objects.create(
        group=group, starts_at=start, ends_at=start + timedelta(hours=1)
    )
    person = make_referral(organisation_a, phone="07911 123456", safe_channels=["email", "text"])
    with time_machine.travel(datetime(2026, 10, 20, tzinfo=LONDON)):
        booking = booking_confirm(
            booking=booking_offer(group=group, referral=person, actor=caseworker_a)
        )
    return session, booking, person


def at(*args):
    return time_machine.travel(datetime(*args, tzinfo=LONDON), tick=False)


def test_reminders_are_due_two_days_and_two_hours_before(meeting):
    with at(2026, 10, 30, 18, 59):
        assert session_reminders_queue() == 0
    # Two days before 7pm on 1 November is 7pm on 30 October, across the clock change.
    # Each is delivered as it is queued, as a worker would: a reminder is never sent
    # once its meeting has begun.
    with at(2026, 10, 30, 19, 0):
        assert session_reminders_queue() == 1
        assert session_reminders_queue() == 0  # a second run queues nothing
        deliver_all()
    with at(2026, 11, 1, 16, 59):
        assert session_reminders_queue() == 0
    with at(2026, 11, 1, 17, 0):
        assert session_reminders_queue() == 1
        deliver_all()
    with at(2026, 11, 1, 19, 0):
        assert session_reminders_queue() == 0  # the meeting has started
    subjects = [m.subject for m in mail.outbox]
    assert subjects == ["Reminder: your meeting on Sunday 1 November at 7:00 p.m."] * 2


def test_a_late_booking_gets_only_the_latest_reminder(meeting):
    with at(2026, 11, 1, 18, 0):
        assert session_reminders_queue() == 1
    assert SentMarker.objects.get().key.split(":")[3] == "120"


def test_an_organisations_own_offsets_are_used(meeting, organisation_a):
    NotificationSettings.objects.create(organisation=organisation_a, session_reminder_offsets=[30])
    with at(2026, 10, 30, 19, 0):
        assert session_reminders_queue() == 0
    with at(2026, 11, 1, 18, 30):
        assert session_reminders_queue() == 1


def test_an_organisation_can_turn_reminders_off(meeting, organisation_a):
    NotificationSettings.objects.create(organisation=organisation_a, send_session_reminders=False)
    with at(2026, 11, 1, 18, 0):
        assert session_reminders_queue() == 0


def test_a_moved_meeting_is_reminded_at_its_new_time_and_not_the_old(meeting):
    session, _, _ = meeting
    with at(2026, 10, 30, 19, 0):
        session_reminders_queue()
    new_start = datetime(2026, 11, 2, 19, tzinfo=LONDON)
    Session.objects.filter(pk=session.pk).update(
        starts_at=new_start, ends_at=new_start + timedelta(hours=1)
    )
    with at(2026, 10, 30, 19, 1):
        deliver_all()
    assert MessageLog.objects.get().status == "refused"  # the old time's reminder
    assert mail.outbox == []
    with at(2026, 10, 31, 19, 0):
        assert session_reminders_queue() == 1
        deliver_all()
    assert len(mail.outbox) == 1 and "2 November" in mail.outbox[0].subject


@pytest.mark.parametrize("change", ["cancel_meeting", "cancel_place", "withdraw", "unsafe"])
def test_nothing_is_sent_after_things_change(meeting, caseworker_a, change):
    session, booking, person = meeting
    with at(2026, 11, 1, 17, 0):
        session_reminders_queue()
    if change == "cancel_meeting":
        session_cancel(session=session, actor=caseworker_a)
    elif change == "cancel_place":
        booking_release(booking=booking, state=Booking.State.CANCELLED, actor=caseworker_a)
    elif change == "withdraw":
        consent_withdraw(referral=person, method=ConsentMethod.PRIVATE_LINK)
    else:
        from referrals.services import SafeContactDetails

        safe_contact_update(
            referral=person,
            details=SafeContactDetails(safe_channels=frozenset({"call"})),
            actor=caseworker_a,
        )
    mail.outbox.clear()
    deliver_all()
    log = MessageLog.objects.get(template="session_reminder")
    assert log.status == "refused"
    assert [m for m in mail.outbox if "Reminder" in m.subject] == []
    if change == "unsafe":
        assert StaffTask.objects.filter(kind="call_needed").exists()


def test_call_reminders_the_day_before(organisation_a, facilitator_a):
    start = datetime(2026, 12, 3, 10, 30, tzinfo=LONDON)
    with at(2026, 12, 1, 9, 0):
        slot = call_slot_publish(
            facilitator=facilitator_a,
            organisation=organisation_a,
            starts_at=start,
            ends_at=start + timedelta(minutes=30),
        )
        call_slot_book(slot=slot, referral=make_referral(organisation_a))
        assert call_reminders_queue() == 0
    with at(2026, 12, 2, 10, 30):
        assert call_reminders_queue() == 1
        assert call_reminders_queue() == 0
        deliver_all()
    assert mail.outbox[0].subject == "Reminder: our call on Thursday 3 December at 10:30 a.m."
