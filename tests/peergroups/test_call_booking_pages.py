"""The staff page for booking or moving an initial call: what is safe for the person is
beside the choice, every way is offered marked safe or not, times in their safe times
come first; an unsafe choice is refused with the reason next to the field, and goes
ahead with one. Facilitators give a video call's link on the calls page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from peergroups.models import InitialCallSlot
from peergroups.services import call_slot_book
from referrals.models import ReferralEvent, SafeContactOverride
from tests.conftest import sign_in
from tests.peergroups.call_people import person
from tests.peergroups.support_states import call_slot

pytestmark = pytest.mark.django_db


def book_url(referral) -> str:
    return reverse("groups:call-book", kwargs={"referral_id": referral.pk})


def slot_in_hours(facilitator, organisation, moment):
    return call_slot(
        facilitator, organisation, hours=(moment - timezone.now()) / timedelta(hours=1)
    )


def next_weekday_at(hour: int, *, days_ahead: int = 7):
    day = timezone.localtime() + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


def labels(content: str, name: str) -> list[str]:
    """The labels of a radio group's options, in order."""
    ids = re.findall(rf'<input type="radio" name="{name}" value="[^"]*" [^>]*id="([^"]+)"', content)
    return [
        re.search(rf'<label for="{i}" class="radios__label">([^<]*)</label>', content).group(1)
        for i in ids
    ]


def test_the_page_shows_what_is_safe_beside_the_choice_and_marks_each_way_and_time(
    client, organisation_a, facilitator_a, caseworker_a
):
    referral = person(organisation_a, ways=("call",), windows="weekday_daytimes")
    evening = slot_in_hours(facilitator_a, organisation_a, next_weekday_at(19, days_ahead=6))
    daytime = slot_in_hours(facilitator_a, organisation_a, next_weekday_at(11, days_ahead=8))
    sign_in(client, caseworker_a)
    content = client.get(book_url(referral)).content.decode()

    assert "What is safe for them" in content
    assert "Monday to Friday, 9am to 5pm" in content
    times = labels(content, "slot")
    # The later time comes first: it is in their safe times.
    assert times[0].endswith("(in their safe times)")
    assert times[1].endswith("(outside their safe times)")
    assert [str(daytime.pk), str(evening.pk)] == re.findall(r'name="slot" value="([^"]+)"', content)
    ways = labels(content, "method")
    assert ways[0] == "Phone call: we ring them (safe for them)"
    assert ways[1].startswith("Video call: they join from their support page")
    assert "not safe: They have not said that email or texts are safe." in ways[1]
    assert "Reason for going ahead" in content


def test_an_unsafe_way_is_refused_with_the_reason_beside_it_then_goes_ahead_with_one(
    client, organisation_a, facilitator_a, caseworker_a
):
    referral = person(organisation_a, ways=("email",))
    slot = call_slot(facilitator_a, organisation_a)
    sign_in(client, caseworker_a)

    refused = client.post(book_url(referral), {"slot": slot.pk, "method": "phone"})
    assert refused.status_code == 400
    content = refused.content.decode()
    assert "This is not what they said is safe." in content
    assert "They have not said that phone call is safe." in content
    error = re.search(r'id="id_override_reason_error">(.*?)</div>', content, re.S).group(1)
    assert "Give a reason to go ahead anyway" in error
    assert InitialCallSlot.objects.get(pk=slot.pk).referral is None

    done = client.post(
        book_url(referral),
        {"slot": slot.pk, "method": "phone", "override_reason": "They asked us to ring."},
    )
    assert done.status_code == 302
    slot.refresh_from_db()
    assert (slot.referral_id, slot.method) == (referral.pk, "phone")
    assert SafeContactOverride.objects.get(referral=referral).actor == caseworker_a

    timeline = client.get(reverse("referrals:timeline", kwargs={"referral_id": referral.pk}))
    text = re.sub(r"\s+", " ", timeline.content.decode())
    assert "Initial call booked" in text and ", a phone call" in text


def test_staff_move_a_booked_call_and_change_its_way_from_the_same_page(
    client, organisation_a, facilitator_a, caseworker_a
):
    referral = person(organisation_a, ways=("call", "email"))
    first, second = (
        call_slot(facilitator_a, organisation_a),
        call_slot(facilitator_a, organisation_a),
    )
    call_slot_book(slot=first, referral=referral, method="phone")
    sign_in(client, caseworker_a)
    page = client.get(book_url(referral)).content.decode()
    assert "Move or change their initial call" in page
    assert "as a phone call" in page
    assert "(the time of their call now)" in page

    assert (
        client.post(book_url(referral), {"slot": second.pk, "method": "video"}).status_code == 302
    )
    second.refresh_from_db()
    assert (second.referral_id, second.method) == (referral.pk, "video")
    assert InitialCallSlot.objects.get(pk=first.pk).referral is None
    moved = ReferralEvent.objects.get(referral=referral, kind="call_moved")
    assert moved.actor == caseworker_a
    assert (moved.detail["how"], moved.detail["was_how"]) == ("video call", "phone call")

    # The same time, another way.
    assert (
        client.post(book_url(referral), {"slot": second.pk, "method": "phone"}).status_code == 302
    )
    assert InitialCallSlot.objects.get(pk=second.pk).method == "phone"


def test_a_facilitator_gives_a_video_calls_link_when_offering_the_time_or_later(
    client, organisation_a, facilitator_a
):
    sign_in(client, facilitator_a)
    day = (timezone.localdate() + timedelta(days=3)).isoformat()
    client.post(
        reverse("groups:calls"),
        {
            "day": day,
            "start_time": "10:30",
            "minutes": 30,
            "video_link": "https://meet.example.org/room-7",
        },
    )
    slot = InitialCallSlot.objects.get()
    assert slot.video_link == "https://meet.example.org/room-7"

    referral = person(organisation_a, ways=("email",))
    call_slot_book(slot=slot, referral=referral, method="video")
    InitialCallSlot.objects.filter(pk=slot.pk).update(video_link="")
    page = client.get(reverse("groups:calls")).content.decode()
    assert "No video call link yet." in page
    link = reverse("groups:call-video-link", kwargs={"slot_id": slot.pk})
    assert client.post(link, {"video_link": "not a link"}).status_code == 302
    assert InitialCallSlot.objects.get(pk=slot.pk).video_link == ""
    client.post(link, {"video_link": "https://meet.example.org/room-8"})
    assert InitialCallSlot.objects.get(pk=slot.pk).video_link == "https://meet.example.org/room-8"
    assert "No video call link yet." not in client.get(reverse("groups:calls")).content.decode()


def test_another_organisations_call_link_cannot_be_changed(
    client, organisation_a, facilitator_a, caseworker_b
):
    slot = call_slot(facilitator_a, organisation_a)
    sign_in(client, caseworker_b)
    response = client.post(
        reverse("groups:call-video-link", kwargs={"slot_id": slot.pk}),
        {"video_link": "https://meet.example.org/theirs"},
    )
    assert response.status_code == 404
    assert InitialCallSlot.objects.get(pk=slot.pk).video_link == ""
