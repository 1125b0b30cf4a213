"""A message to everyone with a confirmed place in a group (``peergroups.group_messages``):
each person by a safe written way at a safe time (waiting for it where now is not one),
through the queue and never in the request; who cannot be reached is said, with why; a
double press sends once; the words are never kept; the send is audited and on each
referral's timeline as a message to the group, without the words."""

from __future__ import annotations

import re
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peergroups.group_messages import (
    GroupMessageChanged,
    GroupMessageError,
    group_message_reach,
    group_message_send,
    reach_fingerprint,
)
from peergroups.models import Booking
from peergroups.services import booking_confirm, booking_offer, booking_release
from portal.audit.models import AuditEvent
from portal.notifications.contact_windows import ContactWindows, Window
from portal.notifications.models import MessageLog
from portal.notifications.services import release_waiting_messages
from portal.notifications.sms import LocmemSmsBackend
from referrals.choices import ConsentMethod
from referrals.models import ReferralEvent
from referrals.services import consent_withdraw
from tests.conftest import sign_in
from tests.crypto.test_personal_data_at_rest import canaries_in_the_database
from tests.factories import GroupFactory
from tests.notifications.delivery import deliver_all
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
SATURDAY_7PM = datetime(2026, 12, 5, 19, tzinfo=LONDON)
MONDAY_10AM = datetime(2026, 12, 7, 10, tzinfo=LONDON)
WORDS = "Canarywords: next week we start at 7:30pm, half an hour later than usual."


@pytest.fixture(autouse=True)
def empty_outboxes():
    mail.outbox.clear()
    LocmemSmsBackend.outbox.clear()
    yield
    LocmemSmsBackend.outbox.clear()


def place(group, referral, actor) -> Booking:
    return booking_confirm(booking=booking_offer(group=group, referral=referral, actor=actor))


@pytest.fixture
def group(organisation_a, facilitator_a, caseworker_a):
    """Three confirmed places: by email any time; by text on weekdays 10am to 2pm; only
    calls safe. Someone else withdrew consent (which ended their place), and one more
    person is only offered a place."""
    group = GroupFactory(organisation=organisation_a, title="Tuesday evening group")
    group.facilitators.add(facilitator_a)
    by_email = make_referral(organisation_a, safe_channels=["email"])
    by_text = make_referral(organisation_a, phone="07700 900123", safe_channels=["text"])
    by_text.safe_contact.set_windows(
        ContactWindows(tuple(Window(day, time(10), time(14)) for day in range(5)))
    )
    by_text.safe_contact.save()
    calls_only = make_referral(organisation_a, phone="07700 900456", safe_channels=["call"])
    withdrawn = make_referral(organisation_a)
    for referral in (by_email, by_text, calls_only, withdrawn):
        place(group, referral, caseworker_a)
    booking_offer(group=group, referral=make_referral(organisation_a), actor=caseworker_a)
    consent_withdraw(referral=withdrawn, method=ConsentMethod.WRITTEN)
    group.people = {
        "email": by_email,
        "text": by_text,
        "calls": calls_only,
        "withdrawn": withdrawn,
    }
    return group


def send(group, actor, *, key="one", **more):
    return group_message_send(group=group, body=WORDS, actor=actor, submission_key=key, **more)


# --- Who it reaches -------------------------------------------------------------------------


def test_the_reach_says_how_each_confirmed_person_gets_it_or_why_not(group):
    with time_machine.travel(SATURDAY_7PM, tick=False):
        reaches = {r.referral.pk: r for r in group_message_reach(group=group)}
    people = group.people
    assert len(reaches) == 3, "only confirmed places"
    assert (reaches[people["email"].pk].channel, reaches[people["email"].pk].waits) == (
        "email",
        False,
    )
    text = reaches[people["text"].pk]
    assert text.channel == "text" and text.goes_at == MONDAY_10AM
    assert text.when_in_words == "at their next safe time, Monday 7 December at 10am"
    assert reaches[people["calls"].pk].not_reached == "no_safe_written_way"
    assert "email or text is safe" in reaches[people["calls"].pk].why_not
    assert people["withdrawn"].pk not in reaches


# --- Sending ----------------------------------------------------------------------------------


def test_each_person_gets_it_by_their_safe_way_at_their_safe_time(group, facilitator_a):
    with time_machine.travel(SATURDAY_7PM, tick=False):
        sent = send(group, facilitator_a)
        assert [len(sent.now), len(sent.waiting), len(sent.not_reached)] == [1, 1, 1]
        # Queued, not sent in the request: a worker sends it.
        assert mail.outbox == []
        deliver_all()
    (email,) = mail.outbox
    assert email.to == [group.people["email"].email]
    assert email.subject == "A message for you"
    assert "This message is for everyone in your group." in email.body
    assert "Canarywords: next week" in email.body and "To stop all contact" in email.body
    assert "Tuesday evening group" not in email.body + email.subject
    assert LocmemSmsBackend.outbox == [], "the text waits for Monday"
    waiting = MessageLog.objects.get(template="message_to_group", channel="text")
    assert waiting.status == "waiting" and waiting.send_after == MONDAY_10AM

    with time_machine.travel(MONDAY_10AM, tick=False):
        release_waiting_messages()
        deliver_all()
    (text,) = LocmemSmsBackend.outbox
    assert text["to"].replace(" ", "").endswith("7700900123")
    assert text["body"].startswith("Support team: Canarywords: next week")
    # Nothing of the words is kept once each copy has gone, nor while they waited.
    for log in MessageLog.objects.filter(template="message_to_group"):
        assert log.status == "sent" and log.sealed_context == ""
        assert set(log.context) == {"referral_id", "booking_id", "group_id"}
    assert canaries_in_the_database({"words": "Canarywords"}) == []


def test_on_each_timeline_as_a_message_to_the_group_without_the_words(group, facilitator_a):
    with time_machine.travel(SATURDAY_7PM, tick=False):
        send(group, facilitator_a)
    people = group.people
    email_event = ReferralEvent.objects.get(referral=people["email"], kind="message")
    assert email_event.actor == facilitator_a
    assert email_event.detail["to_group"] and email_event.detail["channel"] == "email"
    assert ReferralEvent.objects.get(referral=people["text"], kind="message").detail["waits"]
    calls = ReferralEvent.objects.get(referral=people["calls"], kind="message")
    assert calls.detail["not_sent"] == "no_safe_written_way"
    # Someone who asked us to stop gets nothing new on their record.
    assert not ReferralEvent.objects.filter(referral=people["withdrawn"], kind="message").exists()
    for event in ReferralEvent.objects.filter(kind="message"):
        assert "Canarywords" not in str(event.detail)
    group_audit = AuditEvent.objects.get(detail__change="group_message_sent")
    assert group_audit.target_id == str(group.pk) and group_audit.actor == facilitator_a
    assert (group_audit.detail["now"], group_audit.detail["waiting"]) == (1, 1)
    assert AuditEvent.objects.filter(
        detail__change="message_sent", target_id=str(people["email"].pk)
    ).exists()


def test_the_timeline_page_says_message_to_the_group(client, group, facilitator_a, caseworker_a):
    with time_machine.travel(SATURDAY_7PM, tick=False):
        send(group, facilitator_a)
    sign_in(client, caseworker_a)
    for who, expected in (
        ("email", f"Message to the group sent by {facilitator_a} \N{EN DASH} by email"),
        ("text", "to go at their next safe time"),
        ("calls", "not sent to them: no safe written way"),
    ):
        url = reverse("referrals:timeline", kwargs={"referral_id": group.people[who].pk})
        response = client.get(url)
        assert response.status_code == 200
        page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", response.content.decode()))
        assert expected in page, who
        assert "Canarywords" not in page


def test_the_same_form_twice_sends_once(group, facilitator_a):
    send(group, facilitator_a, key="same")
    again = send(group, facilitator_a, key="same")
    assert again.repeated
    assert MessageLog.objects.filter(template="message_to_group").count() == 2
    assert AuditEvent.objects.filter(detail__change="group_message_sent").count() == 1


def test_a_changed_list_since_the_preview_is_not_sent(group, facilitator_a, caseworker_a):
    fingerprint = reach_fingerprint(group_message_reach(group=group))
    booking = Booking.objects.get(group=group, referral=group.people["email"])
    booking_release(booking=booking, state=Booking.State.CANCELLED, actor=caseworker_a)
    with pytest.raises(GroupMessageChanged):
        send(group, facilitator_a, fingerprint=fingerprint)
    assert not MessageLog.objects.filter(template="message_to_group").exists()


def test_a_waiting_copy_is_dropped_if_their_place_ends(group, facilitator_a, caseworker_a):
    with time_machine.travel(SATURDAY_7PM, tick=False):
        send(group, facilitator_a)
        booking = Booking.objects.get(group=group, referral=group.people["text"])
        booking_release(booking=booking, state=Booking.State.CANCELLED, actor=caseworker_a)
    with time_machine.travel(MONDAY_10AM, tick=False):
        release_waiting_messages()
        deliver_all()
    log = MessageLog.objects.get(template="message_to_group", channel="text")
    assert (log.status, log.reason) == ("refused", "their place in the group ended")
    assert LocmemSmsBackend.outbox == []


def test_only_its_facilitators_and_coordinators_may_send(
    group, caseworker_a, coordinator_a, facilitator_a, organisation_a
):
    with pytest.raises(GroupMessageError):
        send(group, caseworker_a)
    send(group, coordinator_a, key="coordinator")
    other = GroupFactory(organisation=organisation_a)
    with pytest.raises(GroupMessageError):
        group_message_send(group=other, body=WORDS, actor=facilitator_a, submission_key="x")


def test_empty_or_too_long_is_refused(group, facilitator_a):
    with pytest.raises(GroupMessageError, match="Write the message"):
        group_message_send(group=group, body="  ", actor=facilitator_a, submission_key="k")
    with pytest.raises(GroupMessageError, match="1000 characters"):
        group_message_send(group=group, body="x" * 1001, actor=facilitator_a, submission_key="k")


# --- The pages ----------------------------------------------------------------------------------


def url(group) -> str:
    return reverse("groups:group-message", kwargs={"group_id": group.pk})


def test_write_preview_and_send(client, group, facilitator_a):
    with time_machine.travel(SATURDAY_7PM, tick=True):
        sign_in(client, facilitator_a)
        page = client.get(url(group))
        assert page.status_code == 200
        key = page.context["form"].initial["submission_key"]
        preview = client.post(url(group), {"body": WORDS, "submission_key": key, "step": "preview"})
        assert preview.status_code == 200
        html = re.sub(r"\s+", " ", preview.content.decode())
        people = group.people
        assert people["email"].full_name in html and people["calls"].full_name in html
        assert "Cannot be reached" in html and "Text message" in html and "Email" in html
        assert "by email, now" in html
        assert "by text message, at their next safe time, Monday 7 December at 10am" in html
        assert "This message is for everyone in your group." in html
        assert not MessageLog.objects.filter(template="message_to_group").exists()
        fingerprint = preview.context["fingerprint"]
        sent = client.post(
            url(group),
            {"body": WORDS, "submission_key": key, "fingerprint": fingerprint, "step": "send"},
        )
        assert sent.status_code == 200
        assert "Message to the group sent" in sent.content.decode()
        again = client.post(
            url(group),
            {"body": WORDS, "submission_key": key, "fingerprint": fingerprint, "step": "send"},
        )
        assert "This message was already sent" in again.content.decode()
    assert MessageLog.objects.filter(template="message_to_group").count() == 2
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.VIEWED, target_id=str(group.pk)
    ).exists()


def test_too_long_for_a_text_when_someone_gets_a_text(client, group, facilitator_a):
    sign_in(client, facilitator_a)
    response = client.post(url(group), {"body": "word " * 150, "step": "preview"})
    assert response.status_code == 400
    assert "too long for a text message" in response.content.decode()


def test_a_caseworker_cannot_open_it_and_another_organisation_gets_404(
    client, group, caseworker_a, caseworker_b
):
    sign_in(client, caseworker_a)
    # Not found, as for a group's session notes: not a group this person runs.
    assert client.get(url(group)).status_code == 404
    client.logout()
    sign_in(client, caseworker_b)
    assert client.get(url(group)).status_code == 404
    assert client.post(url(group), {"body": WORDS, "step": "send"}).status_code == 404
    assert not MessageLog.objects.filter(template="message_to_group").exists()


def test_the_check_page_reads_the_same_number_of_queries_for_more_people(
    client, group, facilitator_a, caseworker_a, organisation_a
):
    sign_in(client, facilitator_a)
    client.get(url(group))  # the session and memberships warmed up

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.post(url(group), {"body": WORDS, "step": "preview"})
        assert response.status_code == 200
        return len(captured)

    few = queries()
    for _ in range(4):
        place(group, make_referral(organisation_a, safe_channels=["email"]), caseworker_a)
    assert queries() == few
