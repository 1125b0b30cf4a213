"""Initial calls: facilitators offer times, a slot is never double-booked, outcomes move on."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from peergroups.models import InitialCallSlot
from peergroups.services import (
    PeerGroupError,
    call_outcome_record,
    call_slot_book,
    call_slot_publish,
)
from tests.conftest import sign_in
from tests.private_links import open_place_page, place_url
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db


def slot_for(facilitator, organisation, hours=24, minutes=30):
    start = timezone.now() + timedelta(hours=hours)
    return call_slot_publish(
        facilitator=facilitator,
        organisation=organisation,
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
    )


def test_overlapping_or_past_slots_are_refused(facilitator_a, organisation_a):
    slot_for(facilitator_a, organisation_a, hours=24, minutes=60)
    with pytest.raises(PeerGroupError, match="overlaps"):
        slot_for(facilitator_a, organisation_a, hours=24.5)
    with pytest.raises(PeerGroupError, match="future"):
        slot_for(facilitator_a, organisation_a, hours=-1)
    slot_for(facilitator_a, organisation_a, hours=25)  # straight after: fine


def test_a_slot_cannot_be_double_booked(facilitator_a, organisation_a, caseworker_a):
    slot = slot_for(facilitator_a, organisation_a)
    first, second = make_referral(organisation_a), make_referral(organisation_a)
    call_slot_book(slot=slot, referral=first, actor=caseworker_a)
    with pytest.raises(PeerGroupError, match="just been taken"):
        call_slot_book(slot=slot, referral=second, actor=caseworker_a)
    assert InitialCallSlot.objects.get(pk=slot.pk).referral == first


@pytest.mark.parametrize(
    ("outcome", "state"),
    [
        ("suitable_for_group", "assessed"),
        ("one_to_one", "assessed"),
        ("signpost_only", "signposted"),
    ],
)
def test_the_outcome_moves_the_referral_on(facilitator_a, organisation_a, outcome, state):
    slot = slot_for(facilitator_a, organisation_a)
    referral = make_referral(organisation_a)
    call_slot_book(slot=slot, referral=referral)
    call_outcome_record(slot=slot, outcome=outcome, actor=facilitator_a)
    referral.refresh_from_db()
    assert referral.state == state
    assert referral.first_contacted_at is not None


def test_the_person_picks_a_time_through_their_private_link(client, facilitator_a, organisation_a):
    slot = slot_for(facilitator_a, organisation_a)
    referral = make_referral(organisation_a, support_wanted="initial_call")
    page = open_place_page(client, referral).content.decode()
    assert "Choose a time that is safe for you" in page
    client.post(place_url("participant-call", slot_id=slot.pk))
    assert InitialCallSlot.objects.get(pk=slot.pk).referral == referral
    assert "from our team will call you at" in client.get(place_url("participant")).content.decode()


def test_staff_book_and_record_through_the_pages(
    client, facilitator_a, organisation_a, caseworker_a
):
    referral = make_referral(organisation_a)
    sign_in(client, facilitator_a)
    day = (timezone.localdate() + timedelta(days=2)).isoformat()
    client.post(reverse("groups:calls"), {"day": day, "start_time": "10:30", "minutes": 30})
    slot = InitialCallSlot.objects.get()
    assert timezone.localtime(slot.starts_at).strftime("%H:%M") == "10:30"
    response = client.post(
        reverse("groups:calls"), {"day": day, "start_time": "10:45", "minutes": 30}
    )
    assert "overlaps" in response.content.decode()
    sign_in(client, caseworker_a)
    book = reverse("groups:call-book", kwargs={"referral_id": referral.pk})
    # Staff say how the call happens: email is safe for this person, so a video call.
    assert client.post(book, {"slot": slot.pk}).status_code == 400
    assert client.post(book, {"slot": slot.pk, "method": "video"}).status_code == 302
    sign_in(client, facilitator_a)
    client.post(
        reverse("groups:call-outcome", kwargs={"slot_id": slot.pk}), {"outcome": "signpost_only"}
    )
    referral.refresh_from_db()
    assert referral.state == "signposted"


def test_other_organisations_cannot_see_or_use_slots(
    client, facilitator_a, organisation_a, caseworker_b
):
    slot = call_slot_book(
        slot=slot_for(facilitator_a, organisation_a), referral=make_referral(organisation_a)
    )
    sign_in(client, caseworker_b)
    assert slot.referral.reference not in client.get(reverse("groups:calls")).content.decode()
    response = client.post(
        reverse("groups:call-outcome", kwargs={"slot_id": slot.pk}), {"outcome": "one_to_one"}
    )
    assert response.status_code == 404
    assert InitialCallSlot.objects.get(pk=slot.pk).outcome == ""


def test_call_times_are_listed_a_page_at_a_time(client, facilitator_a, organisation_a):
    from peergroups.views_staff import LIST_PAGE_SIZE

    for n in range(LIST_PAGE_SIZE + 2):
        slot_for(facilitator_a, organisation_a, hours=24 + n)
    sign_in(client, facilitator_a)

    first = client.get(reverse("groups:calls")).content.decode()
    second = client.get(reverse("groups:calls"), {"page": 2}).content.decode()

    assert first.count('class="record"') == LIST_PAGE_SIZE
    assert second.count('class="record"') == 2
    assert "Page 2 of 2" in second
