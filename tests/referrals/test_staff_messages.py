"""A caseworker's one-off message to the person (``referrals.messages_from_staff``): by a
safe written channel only, at their next safe time unless sent now with a reason (which
is recorded, audited and on the timeline, and which delivery then does not hold back),
once per form however often it is pressed, and never kept once it has gone."""

from __future__ import annotations

import re
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
from referrals.messages_from_staff import MessageError, staff_message_send, written_channels
from referrals.models import ReferralEvent, SafeContactOverride
from referrals.safe_contact_rules import UnsafeContact
from referrals.services import consent_withdraw
from tests.conftest import sign_in
from tests.crypto.test_personal_data_at_rest import canaries_in_the_database
from tests.notifications.delivery import deliver_all
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
MONDAY_NOON = datetime(2026, 12, 7, 12, tzinfo=LONDON)
SATURDAY_7PM = datetime(2026, 12, 5, 19, tzinfo=LONDON)
MONDAY_10AM = datetime(2026, 12, 7, 10, tzinfo=LONDON)
WORDS = "Canarywords: is Thursday morning still a good time for a call?"


@pytest.fixture(autouse=True)
def empty_outboxes():
    mail.outbox.clear()
    LocmemSmsBackend.outbox.clear()
    yield
    LocmemSmsBackend.outbox.clear()


@pytest.fixture
def person(organisation_a):
    """Safe to text and email, on weekdays from 10am to 2pm; not to call."""
    referral = make_referral(organisation_a, phone="07700 900123", safe_channels=["text", "email"])
    safe = referral.safe_contact
    safe.set_windows(ContactWindows(tuple(Window(d, time(10), time(14)) for d in range(5))))
    safe.name_to_use = "Sam"
    safe.save(update_fields=["contact_windows", "name_to_use"])
    return referral


def send(person, actor, *, key="one", channel="text", **more):
    return staff_message_send(
        referral=person, body=WORDS, channel=channel, actor=actor, submission_key=key, **more
    )


def detail_url(person) -> str:
    return reverse("referrals:detail", kwargs={"referral_id": person.pk})


def send_url(person) -> str:
    return reverse("referrals:message-send", kwargs={"referral_id": person.pk})


# --- When it goes --------------------------------------------------------------------------


def test_in_a_safe_time_it_goes_now_and_nothing_of_it_is_kept(person, caseworker_a):
    with time_machine.travel(MONDAY_NOON, tick=False):
        sent = send(person, caseworker_a)
        assert sent.goes_now and sent.when_in_words == "now" and sent.override is None
        deliver_all()
    (text,) = LocmemSmsBackend.outbox
    assert text["body"].startswith("Support team: Canarywords: is Thursday")
    assert "To stop all contact:" in text["body"]
    log = MessageLog.objects.get()
    assert (log.status, log.channel, log.template) == ("sent", "text", "message_from_caseworker")
    # Only the referral's id is kept (its guard reads it), never the words.
    assert log.sealed_context == "" and log.context == {"referral_id": str(person.pk)}
    assert canaries_in_the_database({"words": "Canarywords"}) == []
    event = ReferralEvent.objects.get(kind=ReferralEvent.Kind.MESSAGE)
    assert event.actor == caseworker_a and event.detail["channel"] == "text"
    assert not event.detail["waits"] and "Canarywords" not in str(event.detail)
    assert AuditEvent.objects.filter(
        detail__change="message_sent", target_id=str(person.pk)
    ).exists()


def test_by_email_with_a_neutral_subject_and_their_name(person, caseworker_a):
    with time_machine.travel(MONDAY_NOON, tick=False):
        send(person, caseworker_a, channel="email")
        deliver_all()
    (message,) = mail.outbox
    assert message.subject == "A message for you"
    assert message.body.startswith("Hello Sam,\n\nCanarywords: is Thursday")
    html = message.alternatives[0][0]
    assert "<p>Canarywords: is Thursday morning" in html and "Stop all contact" in html


def test_outside_their_times_it_waits_for_the_next_safe_time(person, caseworker_a):
    with time_machine.travel(SATURDAY_7PM, tick=False):
        sent = send(person, caseworker_a)
        assert not sent.goes_now and sent.goes_at == MONDAY_10AM
        assert sent.when_in_words == "on Monday 7 December at 10am, their next safe time"
        deliver_all()
    assert LocmemSmsBackend.outbox == []
    log = MessageLog.objects.get()
    assert log.status == "waiting" and log.send_after == MONDAY_10AM and not log.time_override
    # Encrypted while it waits.
    assert canaries_in_the_database({"words": "Canarywords"}) == []
    assert ReferralEvent.objects.get(kind="message").detail["waits"] is True
    assert not SafeContactOverride.objects.exists()
    with time_machine.travel(MONDAY_10AM, tick=False):
        assert release_waiting_messages() == 1
        deliver_all()
    assert len(LocmemSmsBackend.outbox) == 1
    assert MessageLog.objects.get().sealed_context == ""


def test_the_timeline_says_it_was_written_to_go_later_which_stays_true_once_gone(
    client, person, caseworker_a
):
    with time_machine.travel(SATURDAY_7PM, tick=False):
        send(person, caseworker_a)
    with time_machine.travel(MONDAY_10AM, tick=False):
        release_waiting_messages()
        deliver_all()
        sign_in(client, caseworker_a)
        timeline = client.get(
            reverse("referrals:timeline", kwargs={"referral_id": person.pk})
        ).content.decode()
    assert MessageLog.objects.get().status == "sent"
    assert "by text message, written to go at their next safe time" in timeline
    assert "held until" not in timeline


def test_now_outside_their_times_is_refused_without_a_reason(person, caseworker_a):
    with time_machine.travel(SATURDAY_7PM, tick=False), pytest.raises(UnsafeContact) as refused:
        send(person, caseworker_a, send_now_anyway=True)
    assert refused.value.check.unsafe_time
    assert not MessageLog.objects.exists() and not SafeContactOverride.objects.exists()
    assert not ReferralEvent.objects.filter(kind="message").exists()


def test_now_outside_their_times_with_a_reason_goes_now_and_is_audited(person, caseworker_a):
    with time_machine.travel(SATURDAY_7PM, tick=False):
        sent = send(
            person,
            caseworker_a,
            send_now_anyway=True,
            override_reason="They asked for the address tonight, before tomorrow's meeting",
        )
        assert sent.goes_now and sent.override is not None
        deliver_all()  # delivery does not hold it back for Monday
    assert len(LocmemSmsBackend.outbox) == 1
    log = MessageLog.objects.get()
    assert log.status == "sent" and log.time_override
    override = SafeContactOverride.objects.get()
    assert override.action == SafeContactOverride.Action.MESSAGE
    assert (override.channel, override.unsafe_time, override.unsafe_channel) == (
        "text",
        True,
        False,
    )
    kinds = list(person.events.order_by("at", "id").values_list("kind", flat=True))
    assert kinds[-2:] == ["safe_contact_overridden", "message"]
    assert ReferralEvent.objects.get(kind="message").detail["override"] == str(override.pk)
    changes = {e.detail["change"] for e in AuditEvent.objects.filter(action="changed")}
    assert {"safe_contact_overridden", "message_sent"} <= changes


def test_now_in_a_safe_time_needs_no_reason(person, caseworker_a):
    with time_machine.travel(MONDAY_NOON, tick=False):
        sent = send(person, caseworker_a, send_now_anyway=True)
    assert sent.goes_now and sent.override is None and not SafeContactOverride.objects.exists()


def test_an_overridden_message_still_checks_the_channel_when_it_goes(person, caseworker_a):
    with time_machine.travel(SATURDAY_7PM, tick=False):
        send(person, caseworker_a, send_now_anyway=True, override_reason="They asked")
        safe = person.safe_contact
        safe.safe_to_text = False
        safe.save(update_fields=["safe_to_text"])
        deliver_all()
    assert LocmemSmsBackend.outbox == []
    assert MessageLog.objects.get().status == "refused"


# --- What is never sent --------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "They said it is fine now"])
def test_a_channel_they_did_not_mark_safe_is_never_used(organisation_a, caseworker_a, reason):
    person = make_referral(organisation_a, phone="07700 900123", safe_channels=["email"])
    assert written_channels(person) == ["email"]
    with pytest.raises(MessageError, match="update their safe contact first"):
        staff_message_send(
            referral=person,
            body=WORDS,
            channel="text",
            actor=caseworker_a,
            submission_key="k",
            send_now_anyway=True,
            override_reason=reason,
        )
    assert not MessageLog.objects.exists() and not SafeContactOverride.objects.exists()


def test_a_channel_without_details_or_not_written_is_refused(organisation_a, caseworker_a):
    person = make_referral(organisation_a, phone="", safe_channels=["email", "text", "call"])
    assert written_channels(person) == ["email"]
    for channel, words in (("text", "no mobile number"), ("call", "Choose email or text")):
        with pytest.raises(MessageError, match=words):
            send(person, caseworker_a, channel=channel)
    assert not MessageLog.objects.exists()


def test_nothing_after_consent_is_withdrawn_or_by_another_organisation(
    person, caseworker_a, caseworker_b
):
    with pytest.raises(MessageError, match="role"):
        send(person, caseworker_b)
    consent_withdraw(referral=person, method="to_staff", actor=caseworker_a)
    person.refresh_from_db()
    assert written_channels(person) == []
    with pytest.raises(MessageError):
        send(person, caseworker_a)
    assert not MessageLog.objects.exists()


def test_the_same_form_twice_sends_once(person, caseworker_a):
    with time_machine.travel(MONDAY_NOON, tick=False):
        first = send(person, caseworker_a, key="same")
        again = send(person, caseworker_a, key="same")
        other = send(person, caseworker_a, key="another")
    assert again.repeated and again.log.pk == first.log.pk and again.goes_now
    assert other.log.pk != first.log.pk
    assert MessageLog.objects.count() == 2
    assert ReferralEvent.objects.filter(kind="message").count() == 2


def test_the_same_waiting_form_twice_says_when_it_goes(person, caseworker_a):
    with time_machine.travel(SATURDAY_7PM, tick=False):
        send(person, caseworker_a, key="same")
        again = send(person, caseworker_a, key="same")
    assert again.repeated and not again.goes_now and again.goes_at == MONDAY_10AM


# --- The referral's page -------------------------------------------------------------------


def page_form(page: str) -> dict:
    key = re.search(r'name="message-submission_key" value="([^"]+)"', page).group(1)
    return {"message-submission_key": key}


def test_the_page_says_it_will_go_at_their_next_safe_time(client, person, caseworker_a):
    with time_machine.travel(SATURDAY_7PM, tick=False):
        sign_in(client, caseworker_a)
        page = client.get(detail_url(person)).content.decode()
        assert "it will go on Monday 7 December at 10am, their next safe time" in page
        assert 'id="safe-beside-send-message"' in page
        assert 'name="message-send_now_anyway"' in page
        response = client.post(
            send_url(person),
            {**page_form(page), "message-body": WORDS, "message-channel": "text"},
            follow=True,
        )
    content = response.content.decode()
    assert "Message saved. It will go on Monday 7 December at 10am, their next safe time" in (
        content
    )
    assert MessageLog.objects.get().status == "waiting"


def test_in_a_safe_time_the_page_says_now(client, person, caseworker_a):
    with time_machine.travel(MONDAY_NOON, tick=False):
        sign_in(client, caseworker_a)
        page = client.get(detail_url(person)).content.decode()
        assert "It will go now" in page and 'name="message-send_now_anyway"' not in page
        response = client.post(
            send_url(person),
            {**page_form(page), "message-body": WORDS, "message-channel": "email"},
            follow=True,
        )
    assert "Message sent. It goes now." in response.content.decode()


def test_on_the_page_now_without_a_reason_is_refused_beside_the_field(client, person, caseworker_a):
    with time_machine.travel(SATURDAY_7PM, tick=False):
        sign_in(client, caseworker_a)
        page = client.get(detail_url(person)).content.decode()
        data = {
            **page_form(page),
            "message-body": WORDS,
            "message-channel": "text",
            "message-send_now_anyway": "on",
        }
        refused = client.post(send_url(person), data)
        assert refused.status_code == 400
        content = refused.content.decode()
        assert 'id="id_message-override_reason_error"' in content
        assert "Saturday 5 December at 7pm is outside the times they said are safe" in content
        assert WORDS.split(":")[0] in content  # what they wrote is still there
        assert not MessageLog.objects.exists()
        sent = client.post(send_url(person), {**data, "message-override_reason": "They asked"})
        assert sent.status_code == 302
        timeline = client.get(
            reverse("referrals:timeline", kwargs={"referral_id": person.pk})
        ).content.decode()
    assert MessageLog.objects.get().time_override
    assert f"Message sent by {caseworker_a}" in timeline
    assert "Sent a message: on Saturday 5 December at 7pm, outside their safe times." in timeline
    assert "They asked" in timeline


def test_an_unsafe_channel_posted_is_refused_on_the_page(client, organisation_a, caseworker_a):
    person = make_referral(organisation_a, phone="07700 900123", safe_channels=["email"])
    sign_in(client, caseworker_a)
    page = client.get(detail_url(person)).content.decode()
    assert 'name="message-channel" value="text"' not in page
    response = client.post(
        send_url(person),
        {**page_form(page), "message-body": WORDS, "message-channel": "text"},
    )
    assert response.status_code == 400
    assert "update their safe contact first" in response.content.decode()
    assert not MessageLog.objects.exists()


def test_no_written_way_means_no_form_and_says_why(client, organisation_a, caseworker_a):
    person = make_referral(organisation_a, phone="07700 900123", safe_channels=["call"])
    sign_in(client, caseworker_a)
    page = client.get(detail_url(person)).content.decode()
    assert "Neither email nor text is marked safe" in page
    assert 'name="message-body"' not in page


def test_a_text_too_long_is_refused_before_anything_is_sent(client, person, caseworker_a):
    with time_machine.travel(MONDAY_NOON, tick=False):
        sign_in(client, caseworker_a)
        page = client.get(detail_url(person)).content.decode()
        response = client.post(
            send_url(person),
            {**page_form(page), "message-body": "word " * 100, "message-channel": "text"},
        )
    assert response.status_code == 400
    assert "too long for a text message" in response.content.decode()
    assert not MessageLog.objects.exists()


def test_typed_punctuation_becomes_a_texts_plain_alphabet(person, caseworker_a):
    with time_machine.travel(MONDAY_NOON, tick=False):
        staff_message_send(
            referral=person,
            body="It\u2019s \u201cfine\u201d \u2013 see you\u2026",
            channel="text",
            actor=caseworker_a,
            submission_key="k",
        )
        deliver_all()
    assert 'It\'s "fine" - see you...' in LocmemSmsBackend.outbox[0]["body"]
