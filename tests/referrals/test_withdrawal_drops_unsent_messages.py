"""Withdrawing consent stops every message not yet sent at once: one waiting for the
person's safe time is refused there and then and forgets what it would have said."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from portal.notifications.contact_windows import ContactWindows, Window
from portal.notifications.models import MessageLog
from portal.notifications.services import release_waiting_messages
from referrals.choices import ConsentMethod
from referrals.notifications import referral_acknowledge
from referrals.services import consent_withdraw
from tests.notifications.delivery import deliver_all
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
WEEKDAYS_10_TO_2 = ContactWindows(tuple(Window(day, time(10), time(14)) for day in range(5)))


def at(*args):
    return time_machine.travel(datetime(*args, tzinfo=LONDON), tick=False)


def test_a_message_waiting_for_monday_is_refused_when_they_withdraw_on_sunday(
    organisation_a, caseworker_a
):
    person = make_referral(organisation_a, safe_channels=["email"])
    person.safe_contact.set_windows(WEEKDAYS_10_TO_2)
    person.safe_contact.save()
    with at(2026, 11, 28, 11, 0):  # Saturday
        waiting = referral_acknowledge(referral=person)
    assert waiting.status == MessageLog.Status.WAITING and waiting.sealed_context

    with at(2026, 11, 29, 12, 0):  # Sunday
        consent_withdraw(referral=person, method=ConsentMethod.TO_STAFF, actor=caseworker_a)
    waiting.refresh_from_db()
    assert waiting.status == MessageLog.Status.REFUSED
    assert waiting.reason == "the person withdrew consent to contact"
    assert waiting.sealed_context == ""

    with at(2026, 11, 30, 10, 0):  # Monday, their window
        release_waiting_messages()
        deliver_all()
    assert mail.outbox == []
