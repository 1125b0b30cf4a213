"""The family choose how their first call happens on their support page: only the ways
safe for them are offered, in words; the times in the safe times they gave are marked
(any may be chosen); and the page then says what was actually chosen: "we will ring
you" or "by video", with the way the link reaches them and the button to join."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from peergroups.models import InitialCallSlot
from peergroups.services import call_slot_book
from referrals.models import SafeContact
from tests.peergroups.call_people import person
from tests.peergroups.support_states import call_slot
from tests.peergroups.test_support_page import assert_reads_cleanly, section
from tests.private_links import open_place_page, place_url

pytestmark = pytest.mark.django_db


def your_call(client) -> str:
    content = client.get(place_url("participant")).content.decode()
    assert_reads_cleanly(content)
    return re.sub(r"\s+", " ", section(content, "your-call"))


def way_labels(html: str) -> list[str]:
    return re.findall(r'class="radios__label">([^<]*)</label>', html)


def test_only_the_ways_safe_for_them_are_offered_in_their_words(
    client, organisation_a, facilitator_a
):
    call_slot(facilitator_a, organisation_a)
    open_place_page(client, person(organisation_a, ways=("call", "text"), email=""))
    assert way_labels(your_call(client)) == [
        "A phone call: we ring you on the number you gave us",
        "A video call: you join from this page. We also send you a message by text, at a time "
        "you told us is safe, with a link back here",
    ]

    other = client.__class__()
    open_place_page(other, person(organisation_a, ways=("email",)))
    assert way_labels(your_call(other)) == [
        "A video call: you join from this page. We also send you a message by email, at a "
        "time you told us is safe, with a link back here"
    ]


def test_with_no_safe_way_the_page_says_so_and_offers_no_times(
    client, organisation_a, facilitator_a
):
    call_slot(facilitator_a, organisation_a)
    open_place_page(client, person(organisation_a, ways=("post",)))
    html = your_call(client)
    assert "You have not told us that either is safe" in html
    assert "Book my call for" not in html


def test_the_times_in_their_safe_times_are_marked(client, organisation_a, facilitator_a):
    day = timezone.localtime() + timedelta(days=7)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    for hour in (11, 19):
        moment = day.replace(hour=hour, minute=0, second=0, microsecond=0)
        call_slot(
            facilitator_a, organisation_a, hours=(moment - timezone.now()) / timedelta(hours=1)
        )
    open_place_page(client, person(organisation_a, ways=("call",), windows="weekday_daytimes"))
    html = your_call(client)
    buttons = re.findall(r"Book my call for </span>([^<]*)</button>", html)
    assert buttons[0].endswith("(in your safe times)")
    assert not buttons[1].endswith("(in your safe times)")
    assert "The times that fall in the safe times you gave us are marked" in html


@pytest.mark.parametrize(
    ("ways", "method", "says"),
    [
        (("call",), "phone", "will ring you at"),
        (("email",), "video", "by video."),
    ],
)
def test_booking_a_way_and_a_time_and_the_page_says_what_was_chosen(
    client, organisation_a, facilitator_a, ways, method, says
):
    slot = call_slot(facilitator_a, organisation_a)
    referral = person(organisation_a, ways=ways)
    open_place_page(client, referral)
    response = client.post(
        place_url("participant-call", slot_id=slot.pk), {"method": method}, follow=True
    )
    content = response.content.decode()
    assert_reads_cleanly(content)
    notice = re.search(r'class="notifications".*?</div>', content, re.S).group(0)
    assert "Your call is booked for" in notice
    assert (
        "We will ring you then, on the number you gave us." in notice
        if method == "phone"
        else "Join the video call from this page. We will also send you a message by email at "
        "a time you told us is safe, with a link back here." in notice
    )
    slot.refresh_from_db()
    assert (slot.referral_id, slot.method) == (referral.pk, method)
    html = your_call(client)
    assert says in html
    when = f"{timezone.localtime(slot.starts_at):%A} {timezone.localtime(slot.starts_at).day}"
    if method == "phone":
        assert "on the number you gave us" in html and when in html
    else:
        assert when in html
        assert (
            "Join the call from this page. We will also send you a message by email at a time "
            "you told us is safe, with a link back here." in html
        )
        assert "video call link" not in html  # the message links to this page, not the call
        assert "The button to join the call will be here before it starts." in html


def test_a_video_call_with_its_link_shows_the_button_to_join(client, organisation_a, facilitator_a):
    slot = call_slot(facilitator_a, organisation_a)
    InitialCallSlot.objects.filter(pk=slot.pk).update(video_link="https://meet.example.org/r1")
    referral = person(organisation_a, ways=("email",))
    call_slot_book(slot=slot, referral=referral, method="video")
    open_place_page(client, referral)
    html = your_call(client)
    assert 'href="https://meet.example.org/r1" rel="noreferrer">Join the video call' in html


def test_a_way_they_have_not_said_is_safe_is_refused(client, organisation_a, facilitator_a):
    slot = call_slot(facilitator_a, organisation_a)
    referral = person(organisation_a, ways=("email",))
    open_place_page(client, referral)
    response = client.post(
        place_url("participant-call", slot_id=slot.pk), {"method": "phone"}, follow=True
    )
    assert "You have not told us that way is safe" in response.content.decode()
    assert InitialCallSlot.objects.get(pk=slot.pk).referral is None


def test_they_may_change_only_the_way_and_are_told_when_it_stops_being_safe(
    client, organisation_a, facilitator_a
):
    slot = call_slot(facilitator_a, organisation_a)
    referral = person(organisation_a, ways=("call", "email"))
    call_slot_book(slot=slot, referral=referral, method="phone")
    open_place_page(client, referral)
    html = your_call(client)
    assert "Keep my time" in html
    response = client.post(
        place_url("participant-call", slot_id=slot.pk), {"method": "video"}, follow=True
    )
    assert "is now a video call" in response.content.decode()
    assert InitialCallSlot.objects.get(pk=slot.pk).method == "video"

    # Email is no longer safe for them: the video call's way is not either.
    SafeContact.objects.filter(referral=referral).update(safe_to_email=False)
    html = your_call(client)
    assert "You have told us this way is no longer safe." in html
    assert way_labels(html) == ["A phone call: we ring you on the number you gave us"]


def test_a_second_press_on_the_same_time_sends_one_confirmation(
    client, organisation_a, facilitator_a
):
    from portal.notifications.models import MessageLog

    slot = call_slot(facilitator_a, organisation_a)
    referral = person(organisation_a, ways=("call",))
    open_place_page(client, referral)
    for _ in range(2):
        client.post(place_url("participant-call", slot_id=slot.pk), {"method": "phone"})
    assert MessageLog.objects.filter(template="call_booked").count() == 1
