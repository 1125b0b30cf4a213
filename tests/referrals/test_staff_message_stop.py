"""A caseworker's message waiting for the person's safe time is dropped if, before it
goes, the referral is closed or consent is withdrawn (a guard registered for
``message_from_caseworker``), and staff can stop it from the referral's page: the log is
refused "stopped by <role>", its words are cleared, and the timeline and the audit log
say who stopped it. Another organisation's staff cannot, and a message that has gone
cannot be stopped."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from portal.audit.models import AuditEvent
from portal.notifications.contact_windows import ContactWindows, Window
from portal.notifications.models import MessageLog
from portal.notifications.services import release_waiting_messages
from portal.notifications.sms import LocmemSmsBackend
from referrals.messages_from_staff import MessageError, staff_message_send, staff_message_stop
from referrals.models import ReferralEvent
from referrals.services import consent_withdraw, referral_transition
from tests.conftest import sign_in
from tests.notifications.delivery import deliver_all
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
SATURDAY_7PM = datetime(2026, 12, 5, 19, tzinfo=LONDON)
MONDAY_10AM = datetime(2026, 12, 7, 10, tzinfo=LONDON)
MONDAY_NOON = datetime(2026, 12, 7, 12, tzinfo=LONDON)
WORDS = "Canarywords: is Thursday morning still a good time for a call?"


@pytest.fixture(autouse=True)
def empty_outboxes():
    mail.outbox.clear()
    LocmemSmsBackend.outbox.clear()
    yield
    LocmemSmsBackend.outbox.clear()


@pytest.fixture
def person(organisation_a):
    """Safe to text, on weekdays from 10am to 2pm."""
    referral = make_referral(organisation_a, phone="07700 900123", safe_channels=["text"])
    safe = referral.safe_contact
    safe.set_windows(ContactWindows(tuple(Window(d, time(10), time(14)) for d in range(5))))
    safe.save(update_fields=["contact_windows"])
    return referral


def waiting_message(person, actor, key="one") -> MessageLog:
    with time_machine.travel(SATURDAY_7PM, tick=False):
        sent = staff_message_send(
            referral=person, body=WORDS, channel="text", actor=actor, submission_key=key
        )
    assert sent.log.status == "waiting"
    return sent.log


def monday_comes() -> None:
    with time_machine.travel(MONDAY_10AM, tick=False):
        release_waiting_messages()
        deliver_all()


def stop_url(person, log) -> str:
    return reverse(
        "referrals:message-stop", kwargs={"referral_id": person.pk, "message_id": log.pk}
    )


def detail_url(person) -> str:
    return reverse("referrals:detail", kwargs={"referral_id": person.pk})


# --- Dropped when the referral closes or consent is withdrawn -------------------------------


def test_the_message_names_its_referral(person, caseworker_a):
    log = waiting_message(person, caseworker_a)
    assert log.context == {"referral_id": str(person.pk)}


def test_a_waiting_message_is_dropped_once_the_referral_is_closed(person, caseworker_a):
    log = waiting_message(person, caseworker_a)
    referral_transition(
        referral=person, to_state="closed", close_reason="declined", actor=caseworker_a
    )
    monday_comes()
    assert LocmemSmsBackend.outbox == []
    log.refresh_from_db()
    assert (log.status, log.reason) == ("refused", "the referral was closed")
    assert log.sealed_context == ""


def test_a_waiting_message_is_dropped_once_consent_is_withdrawn(person, caseworker_a):
    log = waiting_message(person, caseworker_a)
    consent_withdraw(referral=person, method="to_staff", actor=caseworker_a)
    monday_comes()
    assert LocmemSmsBackend.outbox == []
    log.refresh_from_db()
    assert log.status == "refused" and log.sealed_context == ""


def test_an_open_referral_s_message_still_goes(person, caseworker_a):
    waiting_message(person, caseworker_a)
    monday_comes()
    assert len(LocmemSmsBackend.outbox) == 1


# --- Stopped by staff ---------------------------------------------------------------------


def test_the_page_offers_to_stop_a_waiting_message(client, person, caseworker_a):
    log = waiting_message(person, caseworker_a)
    sign_in(client, caseworker_a)
    page = client.get(detail_url(person)).content.decode()
    messages = page[page.index("<h2>Messages</h2>") :]
    assert "Waiting for a safe time, until Monday 7 December, 10:00 a.m." in messages
    assert f'action="{stop_url(person, log)}"' in messages
    assert "csrfmiddlewaretoken" in messages[messages.index(stop_url(person, log)) :]
    assert "Stop this message" in messages


def test_stopping_it_refuses_it_clears_its_words_and_is_on_the_timeline(
    client, person, caseworker_a
):
    log = waiting_message(person, caseworker_a)
    sign_in(client, caseworker_a)
    response = client.post(stop_url(person, log), follow=True)
    assert response.status_code == 200
    assert "Message stopped. It will not be sent." in response.content.decode()
    log.refresh_from_db()
    assert (log.status, log.reason, log.sealed_context) == ("refused", "stopped by caseworker", "")
    assert "Stop this message" not in response.content.decode()
    event = ReferralEvent.objects.get(kind="message", detail__stopped=True)
    assert event.detail == {"message": log.pk, "template": log.template, "stopped": True}
    assert event.actor == caseworker_a
    audit = AuditEvent.objects.get(detail__change="message_stopped")
    assert audit.actor == caseworker_a and audit.target_id == str(person.pk)
    assert "Canarywords" not in str(audit.detail) + str(event.detail) + log.reason
    timeline = client.get(
        reverse("referrals:timeline", kwargs={"referral_id": person.pk})
    ).content.decode()
    assert f"Message stopped by {caseworker_a} before it went" in timeline
    monday_comes()
    assert LocmemSmsBackend.outbox == []


def test_the_reason_names_the_role_of_who_stopped_it(client, person, caseworker_a, coordinator_a):
    log = waiting_message(person, caseworker_a)
    staff_message_stop(referral=person, message=log, actor=coordinator_a)
    log.refresh_from_db()
    assert log.reason == "stopped by coordinator"


def test_another_organisation_cannot_stop_it(client, person, caseworker_a, caseworker_b):
    log = waiting_message(person, caseworker_a)
    sign_in(client, caseworker_b)
    assert client.post(stop_url(person, log)).status_code == 404
    with pytest.raises(MessageError):
        staff_message_stop(referral=person, message=log, actor=caseworker_b)
    log.refresh_from_db()
    assert log.status == "waiting"


def test_another_referral_s_message_cannot_be_stopped_from_this_one(
    client, person, organisation_a, caseworker_a
):
    other = make_referral(organisation_a, phone="07700 900456", safe_channels=["text"])
    log = waiting_message(person, caseworker_a)
    sign_in(client, caseworker_a)
    assert client.post(stop_url(other, log)).status_code == 404
    log.refresh_from_db()
    assert log.status == "waiting"


def test_only_by_post(client, person, caseworker_a):
    log = waiting_message(person, caseworker_a)
    sign_in(client, caseworker_a)
    assert client.get(stop_url(person, log)).status_code == 405


def test_a_message_that_has_gone_cannot_be_stopped(client, person, caseworker_a):
    with time_machine.travel(MONDAY_NOON, tick=False):
        sent = staff_message_send(
            referral=person, body=WORDS, channel="text", actor=caseworker_a, submission_key="k"
        )
        deliver_all()
        sign_in(client, caseworker_a)
        page = client.get(detail_url(person)).content.decode()
        assert "Stop this message" not in page
        response = client.post(stop_url(person, sent.log), follow=True)
    assert "This message has already gone, or is going now" in response.content.decode()
    sent.log.refresh_from_db()
    assert sent.log.status == "sent"
    assert not AuditEvent.objects.filter(detail__change="message_stopped").exists()
