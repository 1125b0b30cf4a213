"""A call's confirmation goes by a safe channel in a safe window, and says the time and
the way in words, with nothing about why we are in touch.

Time travel: a call booked at 9pm for someone reached only on weekday daytimes is
confirmed at 9am the next weekday; if the call is before then, nothing is sent and a
member of staff is asked to tell them. Someone reached only by phone gets a call from
staff instead of a message."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.core import mail

from peergroups.services import call_slot_book, call_slot_publish
from portal.notifications.contact_windows import LONDON
from portal.notifications.models import MessageLog, StaffTask
from portal.notifications.services import NO_SAFE_TIME, release_waiting_messages
from portal.notifications.sms import LocmemSmsBackend
from tests.notifications.delivery import deliver_all
from tests.peergroups.call_people import person

pytestmark = pytest.mark.django_db

# Monday 2 March 2026, 9pm in London (no bank holiday near).
MONDAY_9PM = datetime(2026, 3, 2, 21, 0, tzinfo=LONDON)
TUESDAY_9AM = datetime(2026, 3, 3, 9, 0, tzinfo=LONDON)


def slot_at(facilitator, organisation, starts_at):
    return call_slot_publish(
        facilitator=facilitator,
        organisation=organisation,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=30),
    )


def the_confirmation(referral) -> MessageLog:
    return MessageLog.objects.get(recipient_id=str(referral.pk), template="call_booked")


def test_a_call_booked_at_9pm_is_confirmed_at_9am_the_next_weekday(
    organisation_a, facilitator_a, caseworker_a
):
    with time_machine.travel(MONDAY_9PM, tick=False):
        referral = person(
            organisation_a,
            ways=("call", "email"),
            windows="weekday_daytimes",
            email="sam@example.org",
        )
        wednesday_10am = datetime(2026, 3, 4, 10, 0, tzinfo=LONDON)
        slot = slot_at(facilitator_a, organisation_a, wednesday_10am)
        call_slot_book(slot=slot, referral=referral, method="phone", actor=caseworker_a)
        mail.outbox.clear()
        deliver_all()
        log = the_confirmation(referral)
        assert log.status == "waiting"
        assert log.send_after == TUESDAY_9AM
        assert mail.outbox == []

    with time_machine.travel(TUESDAY_9AM - timedelta(minutes=1), tick=False):
        assert release_waiting_messages() == 0
    with time_machine.travel(TUESDAY_9AM, tick=False):
        assert release_waiting_messages() == 1
        deliver_all()
    log.refresh_from_db()
    assert log.status == "sent" and log.channel == "email"
    [message] = mail.outbox
    assert message.to == ["sam@example.org"]
    assert "We will ring you on Wednesday 4 March at 10:00 a.m., on the number you gave us." in (
        message.body
    )


def test_a_call_before_the_next_safe_time_is_not_confirmed_and_staff_are_asked(
    organisation_a, facilitator_a
):
    with time_machine.travel(MONDAY_9PM, tick=False):
        referral = person(organisation_a, ways=("call", "email"), windows="weekday_daytimes")
        # At 8:30 the next morning: their own choice, outside the times they gave.
        slot = slot_at(facilitator_a, organisation_a, datetime(2026, 3, 3, 8, 30, tzinfo=LONDON))
        call_slot_book(slot=slot, referral=referral, method="phone")
        deliver_all()
    log = the_confirmation(referral)
    assert log.status == "refused" and log.reason == NO_SAFE_TIME
    assert mail.outbox == []
    task = StaffTask.objects.get(record_id=str(referral.pk))
    assert task.kind == StaffTask.Kind.NO_SAFE_TIME and task.message == log


def test_a_confirmation_waiting_for_its_window_is_checked_again_when_it_opens(
    organisation_a, facilitator_a
):
    """Booked at 9pm, moved on before 9am: the waiting confirmation is for a time that is
    no longer theirs, and is dropped rather than sent."""
    from peergroups.services import call_slot_move

    with time_machine.travel(MONDAY_9PM, tick=False):
        referral = person(organisation_a, ways=("email",), windows="weekday_daytimes")
        first = slot_at(facilitator_a, organisation_a, datetime(2026, 3, 4, 10, tzinfo=LONDON))
        second = slot_at(facilitator_a, organisation_a, datetime(2026, 3, 5, 10, tzinfo=LONDON))
        call_slot_book(slot=first, referral=referral, method="video")
        deliver_all()
        call_slot_move(referral=referral, to_slot=second)
        deliver_all()
    with time_machine.travel(TUESDAY_9AM, tick=False):
        assert release_waiting_messages() == 2
        mail.outbox.clear()
        deliver_all()
    booked = the_confirmation(referral)
    moved = MessageLog.objects.get(recipient_id=str(referral.pk), template="call_moved")
    assert (booked.status, moved.status) == ("refused", "sent")
    [message] = mail.outbox
    assert "now a video call on Thursday 5 March at 10:00 a.m." in message.body


def test_someone_reached_only_by_phone_is_rung_instead(organisation_a, facilitator_a):
    referral = person(organisation_a, ways=("call",))
    slot = slot_at(facilitator_a, organisation_a, datetime.now(LONDON) + timedelta(days=2))
    call_slot_book(slot=slot, referral=referral, method="phone")
    deliver_all()
    log = the_confirmation(referral)
    assert log.status == "refused"
    assert StaffTask.objects.get(record_id=str(referral.pk)).kind == StaffTask.Kind.CALL_NEEDED


@pytest.mark.parametrize(
    ("ways", "method", "says"),
    [
        (("call", "text"), "phone", "we will ring you on"),
        (("text",), "video", "our video call is on"),
    ],
)
def test_the_text_says_when_and_how_and_nothing_of_why(
    organisation_a, facilitator_a, ways, method, says
):
    LocmemSmsBackend.outbox.clear()
    referral = person(organisation_a, ways=ways, email="")
    slot = slot_at(facilitator_a, organisation_a, datetime.now(LONDON) + timedelta(days=2))
    call_slot_book(slot=slot, referral=referral, method=method)
    deliver_all()
    [text] = LocmemSmsBackend.outbox
    assert says in text["body"]
    assert "/support/" in text["body"] and "stop all contact" in text["body"].lower()
    for word in ("police", "investigat", "arrest", "offence", "crime"):
        assert word not in text["body"].lower()
