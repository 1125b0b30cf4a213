"""Messages to a family wait for a safe time, in time travel: the issue's Saturday-evening
meeting for a person reached only on weekday daytimes, an offer made on a Friday to a
person reached only on weekdays, and the other messages that may wait (changed times,
cancelled meetings, a pack's link, the acknowledgement of a self-referral), each dropped
if what it is about changes while it waits, or not sent at all once too late."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from peergroups.models import Booking, Session
from peergroups.reminders import session_reminders_queue
from peergroups.services import (
    booking_confirm,
    booking_offer,
    booking_release,
    offers_expire_due,
    session_cancel,
)
from portal.notifications.contact_windows import PRESETS, ContactWindows, Window
from portal.notifications.models import MessageLog, StaffTask
from portal.notifications.services import NO_SAFE_TIME, release_waiting_messages
from referrals.notifications import referral_acknowledge
from tests.conftest import sign_in
from tests.factories import GroupFactory
from tests.notifications.delivery import deliver_all
from tests.private_links import open_place_page
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")

WEEKDAYS_10_TO_2 = ContactWindows(tuple(Window(day, time(10), time(14)) for day in range(5)))


def london(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def at(*args):
    return time_machine.travel(london(*args), tick=False)


def person_with(organisation, windows: ContactWindows, **details):
    person = make_referral(organisation, **details)
    person.safe_contact.set_windows(windows)
    person.safe_contact.save()
    return person


def scheduler_runs(*args) -> None:
    """What the scheduler and a worker do at this moment: queue due reminders, release
    messages whose safe time has come, and send what is pending."""
    with at(*args):
        session_reminders_queue()
        release_waiting_messages()
        deliver_all()


def reminders_sent() -> list[str]:
    return [m.subject for m in mail.outbox if m.subject.startswith("Reminder")]


# --- The example: a Saturday 7pm meeting, safe only weekdays 10am to 2pm ---------


@pytest.fixture
def saturday_meeting(organisation_a, caseworker_a):
    """A confirmed place in a meeting at 7pm on Saturday 28 November 2026."""
    group = GroupFactory(organisation=organisation_a)
    start = london(2026, 11, 28, 19, 0)
    session = Session.objects.create(
        group=group, starts_at=start, ends_at=start + timedelta(hours=1)
    )
    person = person_with(organisation_a, WEEKDAYS_10_TO_2)
    with at(2026, 11, 16, 11, 0):  # a Monday, inside their window
        booking_confirm(
            booking=booking_offer(
                group=group,
                referral=person,
                actor=caseworker_a,
                # The meeting is outside their safe times: offered with a reason.
                override_reason="They told us Saturday evenings suit them",
            )
        )
    mail.outbox.clear()
    return session, person


def test_the_two_day_reminder_waits_for_friday_morning_and_the_two_hour_one_is_not_sent(
    saturday_meeting,
):
    session, person = saturday_meeting
    # Two days before is Thursday 7pm: outside their times, so it waits.
    scheduler_runs(2026, 11, 26, 19, 0)
    assert reminders_sent() == []
    first = MessageLog.objects.get(template="session_reminder")
    assert first.status == MessageLog.Status.WAITING
    assert first.send_after == london(2026, 11, 27, 10, 0)
    assert first.needed_by == session.starts_at
    # Nothing goes overnight or a minute early.
    scheduler_runs(2026, 11, 27, 2, 0)
    scheduler_runs(2026, 11, 27, 9, 59)
    assert reminders_sent() == []
    # Friday 10am, when their window opens.
    scheduler_runs(2026, 11, 27, 10, 0)
    assert reminders_sent() == ["Reminder: your meeting on Saturday 28 November at 7:00 p.m."]
    first.refresh_from_db()
    assert first.status == MessageLog.Status.SENT

    # Two hours before is Saturday 5pm: no safe time comes before the meeting.
    scheduler_runs(2026, 11, 28, 17, 0)
    scheduler_runs(2026, 11, 28, 18, 59)
    assert len(reminders_sent()) == 1
    second = MessageLog.objects.exclude(pk=first.pk).get(template="session_reminder")
    assert (second.status, second.reason) == (MessageLog.Status.REFUSED, NO_SAFE_TIME)
    task = StaffTask.objects.get(kind=StaffTask.Kind.NO_SAFE_TIME)
    assert (task.record_id, task.message) == (str(person.pk), second)
    # And nothing after the meeting has begun, nor the next week.
    scheduler_runs(2026, 11, 30, 10, 0)
    assert len(reminders_sent()) == 1


def test_a_reminder_released_after_its_window_closed_is_checked_again(saturday_meeting):
    scheduler_runs(2026, 11, 26, 19, 0)
    # The scheduler was down all Friday's window: the worker looks at the time again
    # and, with no safe time left before Saturday 7pm, does not send it.
    scheduler_runs(2026, 11, 27, 14, 0)
    assert reminders_sent() == []
    log = MessageLog.objects.get(template="session_reminder")
    assert (log.status, log.reason) == (MessageLog.Status.REFUSED, NO_SAFE_TIME)
    assert StaffTask.objects.filter(kind=StaffTask.Kind.NO_SAFE_TIME, message=log).exists()


def test_a_window_just_before_the_meeting_gets_one_reminder_not_two(saturday_meeting):
    _session, person = saturday_meeting
    person.safe_contact.set_windows(ContactWindows((Window(5, time(18), time(18, 30)),)))
    person.safe_contact.save()
    # Both reminders wait for Saturday 6pm; only the later one goes.
    scheduler_runs(2026, 11, 26, 19, 0)
    scheduler_runs(2026, 11, 28, 17, 0)
    assert MessageLog.objects.filter(status=MessageLog.Status.WAITING).count() == 2
    scheduler_runs(2026, 11, 28, 18, 0)
    assert reminders_sent() == ["Reminder: your meeting on Saturday 28 November at 7:00 p.m."]
    logs = MessageLog.objects.filter(template="session_reminder")
    assert sorted(log.status for log in logs) == ["refused", "sent"]
    assert logs.get(status="refused").reason == "a later reminder for this meeting is sent instead"


def test_a_cancelled_meeting_with_no_safe_time_before_it_is_a_staff_task(
    saturday_meeting, caseworker_a, django_capture_on_commit_callbacks
):
    session, _person = saturday_meeting
    with at(2026, 11, 27, 15, 0), django_capture_on_commit_callbacks(execute=True):
        session_cancel(session=session, actor=caseworker_a)
    log = MessageLog.objects.get(template="session_cancelled")
    assert (log.status, log.reason) == (MessageLog.Status.REFUSED, NO_SAFE_TIME)
    assert log.needed_by == session.starts_at
    assert StaffTask.objects.filter(kind=StaffTask.Kind.NO_SAFE_TIME, message=log).exists()
    assert mail.outbox == []


def test_a_cancelled_meeting_is_told_at_the_next_safe_time(
    saturday_meeting, caseworker_a, django_capture_on_commit_callbacks
):
    session, _person = saturday_meeting
    with at(2026, 11, 26, 20, 0), django_capture_on_commit_callbacks(execute=True):
        session_cancel(session=session, actor=caseworker_a)
    log = MessageLog.objects.get(template="session_cancelled")
    assert (log.status, log.send_after) == (MessageLog.Status.WAITING, london(2026, 11, 27, 10))
    scheduler_runs(2026, 11, 27, 10, 0)
    assert [m.subject for m in mail.outbox] == ["A meeting has been cancelled"]


# --- An offer made on a Friday to a person reached only on weekdays ----------------------


@pytest.fixture
def weekday_person(organisation_a):
    return person_with(organisation_a, PRESETS["weekday_daytimes"])  # weekdays 9am to 5pm


@pytest.fixture
def two_day_group(organisation_a):
    return GroupFactory(organisation=organisation_a, offer_hours=48, capacity=1)


def offer(group, person, actor, capture, *when):
    with at(*when), capture(execute=True):
        # Groups here meet at any time: each offer says why, where it is outside theirs.
        return booking_offer(
            group=group, referral=person, actor=actor, override_reason="It suits them"
        )


def test_an_offer_made_on_friday_afternoon_is_not_timed_out_by_the_weekend(
    two_day_group, weekday_person, caseworker_a, django_capture_on_commit_callbacks
):
    booking = offer(
        two_day_group, weekday_person, caseworker_a, django_capture_on_commit_callbacks,
        2026, 11, 27, 15, 0,
    )  # fmt: skip
    # Friday 3pm to 5pm is 2 safe hours, the next week's five days 40 more; the last 6
    # are on Monday 7 December, until 3pm. (By the clock it would have ended on Sunday.)
    assert booking.offer_expires_at == london(2026, 12, 7, 15, 0)
    # Sent at once: Friday 3pm is inside their times.
    assert [m.subject for m in mail.outbox] == ["A place is ready for you"]
    assert "3:00 p.m. on Monday 7 December" in mail.outbox[0].body

    with at(2026, 11, 30, 9, 30):  # still open on Monday morning
        assert offers_expire_due() == 0
        page = open_place_page(Client(), weekday_person).content.decode()
        assert "We will keep it for you until 3:00 p.m. on Monday 7 December" in page
    with at(2026, 12, 7, 14, 59):
        assert offers_expire_due() == 0
    with at(2026, 12, 7, 15, 0):
        assert offers_expire_due() == 1
    booking.refresh_from_db()
    assert booking.state == Booking.State.EXPIRED


def test_an_offer_made_on_friday_evening_waits_for_mondays_window(
    client, two_day_group, weekday_person, caseworker_a, django_capture_on_commit_callbacks
):
    booking = offer(
        two_day_group, weekday_person, caseworker_a, django_capture_on_commit_callbacks,
        2026, 11, 27, 18, 0,
    )  # fmt: skip
    # 48 safe hours from Monday 9am: the five weekdays and Monday 7 December to 5pm.
    assert booking.offer_expires_at == london(2026, 12, 7, 17, 0)
    assert mail.outbox == []
    log = MessageLog.objects.get(template="place_offered")
    assert (log.status, log.send_after) == (MessageLog.Status.WAITING, london(2026, 11, 30, 9))
    assert log.needed_by == booking.offer_expires_at
    # While it waits, only ids are kept in plain text.
    assert log.context == {"booking_id": str(booking.pk)}
    # The caseworker sees when it will go.
    sign_in(client, caseworker_a)
    page = client.get(reverse("referrals:detail", kwargs={"referral_id": weekday_person.pk}))
    assert "Waiting for a safe time, until Monday 30 November, 9:00 a.m." in page.content.decode()
    scheduler_runs(2026, 11, 28, 12, 0)  # Saturday
    scheduler_runs(2026, 11, 30, 8, 59)
    assert mail.outbox == []
    scheduler_runs(2026, 11, 30, 9, 0)
    assert [m.subject for m in mail.outbox] == ["A place is ready for you"]
    assert "5:00 p.m. on Monday 7 December" in mail.outbox[0].body


def test_the_waiting_list_is_offered_in_safe_hours_too(
    two_day_group, weekday_person, organisation_a, caseworker_a, django_capture_on_commit_callbacks
):
    first = offer(
        two_day_group, weekday_person, caseworker_a, django_capture_on_commit_callbacks,
        2026, 11, 27, 15, 0,
    )  # fmt: skip
    evenings = person_with(organisation_a, PRESETS["weekday_evenings"])  # 5pm to 9pm
    waiting = offer(
        two_day_group, evenings, caseworker_a, django_capture_on_commit_callbacks,
        2026, 11, 27, 15, 30,
    )  # fmt: skip
    assert waiting.state == Booking.State.WAITLISTED
    # The first offer runs out on Monday 7 December at 3pm; the place passes on, for 48
    # of the next person's hours: twelve weekday evenings of 4, from 7 to 22 December,
    # but a place is held two weeks at most (OFFER_LONGEST), so until 3pm on the 21st.
    with at(2026, 12, 7, 15, 0), django_capture_on_commit_callbacks(execute=True):
        assert offers_expire_due() == 1
    first.refresh_from_db()
    waiting.refresh_from_db()
    assert (first.state, waiting.state) == (Booking.State.EXPIRED, Booking.State.OFFERED)
    assert waiting.offer_expires_at == london(2026, 12, 21, 15, 0)
    log = MessageLog.objects.get(template="place_offered", recipient_id=str(evenings.pk))
    assert (log.status, log.send_after) == (MessageLog.Status.WAITING, london(2026, 12, 7, 17))


def test_an_offer_given_up_while_its_message_waits_is_not_sent(
    two_day_group, weekday_person, caseworker_a, django_capture_on_commit_callbacks
):
    booking = offer(
        two_day_group, weekday_person, caseworker_a, django_capture_on_commit_callbacks,
        2026, 11, 27, 18, 0,
    )  # fmt: skip
    with at(2026, 11, 28, 10, 0):
        booking_release(booking=booking, state=Booking.State.DECLINED, actor=caseworker_a)
    scheduler_runs(2026, 11, 30, 9, 0)
    assert mail.outbox == []
    log = MessageLog.objects.get(template="place_offered")
    assert (log.status, log.reason) == (MessageLog.Status.REFUSED, "the place is no longer offered")


def test_news_of_changed_times_is_not_sent_once_the_place_has_gone(
    saturday_meeting, caseworker_a, django_capture_on_commit_callbacks
):
    from peergroups.services import _tell_confirmed_about_new_times

    session, person = saturday_meeting
    booking = Booking.objects.get(referral=person)
    with at(2026, 11, 21, 12, 0), django_capture_on_commit_callbacks(execute=True):
        _tell_confirmed_about_new_times(session.group)  # a Saturday: it waits
    log = MessageLog.objects.get(template="meetings_changed")
    assert log.status == MessageLog.Status.WAITING and log.needed_by is None
    with at(2026, 11, 22, 12, 0):
        booking_release(booking=booking, state=Booking.State.CANCELLED, actor=caseworker_a)
    scheduler_runs(2026, 11, 23, 10, 0)
    log.refresh_from_db()
    assert (log.status, log.reason) == (MessageLog.Status.REFUSED, "the place was given up")
    assert mail.outbox == []


# --- The acknowledgement of a self-referral ---------------------------------------------


def test_an_acknowledgement_outside_safe_times_waits_and_asks_nobody_to_act(organisation_a):
    with at(2026, 11, 28, 22, 0):  # Saturday night
        person = person_with(organisation_a, WEEKDAYS_10_TO_2)
        mail.outbox.clear()
        log = referral_acknowledge(referral=person)
    assert (log.status, log.send_after, log.needed_by) == (
        MessageLog.Status.WAITING,
        london(2026, 11, 30, 10, 0),
        None,
    )
    assert not StaffTask.objects.exists()
    assert mail.outbox == []
    scheduler_runs(2026, 11, 30, 10, 0)
    log.refresh_from_db()
    assert log.status == MessageLog.Status.SENT
    assert len(mail.outbox) == 1 and not StaffTask.objects.exists()
