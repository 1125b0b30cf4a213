"""A caseworker's reason for sending a message now, outside the person's safe times, is
for now: delivery honours the message's ``time_override`` only while the message is
fresh (``TIME_OVERRIDE_FRESH_FOR`` after it was written). A provider's retry or the
stalled-message sweep that comes later finds the person's windows in force again, and
the message waits for their next safe time."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from portal.notifications.contact_windows import ContactWindows, Window
from portal.notifications.models import MessageLog
from portal.notifications.services import (
    TIME_OVERRIDE_FRESH_FOR,
    ProviderError,
    message_deliver,
    release_waiting_messages,
)
from referrals.messages_from_staff import staff_message_send
from tests.notifications.flaky import FlakySmsBackend
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
SATURDAY_7PM = datetime(2026, 12, 5, 19, tzinfo=LONDON)
MONDAY_10AM = datetime(2026, 12, 7, 10, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def flaky(settings):
    settings.SMS_BACKEND = "tests.notifications.flaky.FlakySmsBackend"
    FlakySmsBackend.sent = []
    FlakySmsBackend.failures_left = 0
    yield FlakySmsBackend
    FlakySmsBackend.sent = []
    FlakySmsBackend.failures_left = 0


@pytest.fixture
def sent_now_anyway(organisation_a, caseworker_a) -> MessageLog:
    """Safe to text on weekdays from 10am to 2pm; sent now, on a Saturday evening, with a
    reason."""
    person = make_referral(organisation_a, phone="07700 900123", safe_channels=["text"])
    safe = person.safe_contact
    safe.set_windows(ContactWindows(tuple(Window(d, time(10), time(14)) for d in range(5))))
    safe.save(update_fields=["contact_windows"])
    with time_machine.travel(SATURDAY_7PM, tick=False):
        sent = staff_message_send(
            referral=person,
            body="Here is the address you asked for.",
            channel="text",
            actor=caseworker_a,
            submission_key="k",
            send_now_anyway=True,
            override_reason="They asked for it tonight, before tomorrow's meeting",
        )
    assert sent.log.time_override and sent.log.status == "pending"
    return sent.log


def deliver_at(moment: datetime, log: MessageLog) -> MessageLog:
    with time_machine.travel(moment, tick=False):
        message_deliver(log_id=log.pk, last_attempt=False)
    log.refresh_from_db()
    return log


def test_the_fresh_window_is_fifteen_minutes():
    assert timedelta(minutes=15) == TIME_OVERRIDE_FRESH_FOR


def test_delivered_while_fresh_it_goes_outside_their_times(sent_now_anyway, flaky):
    log = deliver_at(SATURDAY_7PM + TIME_OVERRIDE_FRESH_FOR - timedelta(seconds=1), sent_now_anyway)
    assert log.status == "sent" and len(flaky.sent) == 1


def test_a_provider_retry_after_it_has_gone_stale_waits_for_their_next_safe_time(
    sent_now_anyway, flaky
):
    flaky.failures_left = 1
    with time_machine.travel(SATURDAY_7PM, tick=False), pytest.raises(ProviderError):
        message_deliver(log_id=sent_now_anyway.pk, last_attempt=False)
    # The provider's retry comes twenty minutes later: the reason was for then, not now.
    log = deliver_at(SATURDAY_7PM + timedelta(minutes=20), sent_now_anyway)
    assert (log.status, log.send_after) == ("waiting", MONDAY_10AM)
    assert flaky.sent == []
    with time_machine.travel(MONDAY_10AM, tick=False):
        assert release_waiting_messages() == 1
    log = deliver_at(MONDAY_10AM, log)
    assert log.status == "sent" and len(flaky.sent) == 1


def test_one_the_stalled_sweep_finds_later_waits_too(sent_now_anyway, flaky):
    # The broker was down: nobody tried it until the sweep, an hour later.
    log = deliver_at(SATURDAY_7PM + timedelta(hours=1), sent_now_anyway)
    assert (log.status, log.send_after) == ("waiting", MONDAY_10AM)
    assert flaky.sent == []
