"""The family's support page: its sections in order at each point of the journey,
booking a first call, stopping contact, and its first address still working."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from peergroups.models import InitialCallSlot
from portal.audit.models import AuditEvent
from portal.outcomes.models import OutcomeSchedule
from referrals import links
from referrals.models import ReferralEvent
from tests.peergroups.support_states import call_slot, person_at
from tests.private_links import open_place_page, place_url
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

PAGE = "/support/"
# The page's sections, in the order the person meets them.
ORDER = [
    "where-things-stand",
    "your-call",
    "your-group",
    "questions",
    "how-to-reach-you",
    "stop-contact",
]
# Every stage's page opens with where things stand and ends with how to reach them and
# stopping contact; between them, the sections that stage has, and the words it leads with.
FIRST, LAST = ["where-things-stand"], ["how-to-reach-you", "stop-contact"]
BETWEEN = {
    "received": (["your-call"], "We have your request."),
    "in_contact": (["your-call"], "We have been in touch with you."),
    "call_booked": (["your-call"], "Your first call is booked"),
    "talked": ([], "Thank you for talking with us."),
    "place_offered": (["your-group"], "A place in a group is ready for you."),
    "waiting_list": (["your-group"], "You are on the waiting list for a group."),
    "in_group": (["your-group", "questions"], "You have a place in a group."),
    "signposted": ([], "We have shared other places that can help you."),
}
EXPECTED = {stage: (FIRST + middle + LAST, words) for stage, (middle, words) in BETWEEN.items()}


def sections(content: str) -> list[str]:
    return [s for s in re.findall(r'<section id="([a-z-]+)"', content) if s in ORDER]


def section(content: str, name: str) -> str:
    return re.search(rf'<section id="{name}".*?</section>', content, re.S).group(0)


def assert_reads_cleanly(content: str) -> None:
    """No doubled full stop (a time ends "a.m." already) and nothing left unrendered."""
    text = re.sub(r"<[^>]+>", " ", content)
    assert not re.search(r"(?<!\.)\.\s*\.(?!\.)", text), re.findall(r".{40}\.\s*\..{10}", text)
    assert "{{" not in content and "{%" not in content and "None" not in text


@pytest.mark.parametrize("stage", list(EXPECTED))
def test_each_section_appears_in_order_at_each_point_of_the_journey(
    client, stage, organisation_a, caseworker_a, facilitator_a, shipped_questionnaires
):
    OutcomeSchedule.objects.create(
        organisation=organisation_a, questionnaire=shipped_questionnaires["ons4-wellbeing"]
    )
    call_slot(facilitator_a, organisation_a)  # an open time to choose
    person = person_at(
        stage,
        organisation=organisation_a,
        caseworker=caseworker_a,
        facilitator=facilitator_a,
        ground_rules="First names only.",
    )
    response = open_place_page(client, person)
    assert response.status_code == 200
    content = response.content.decode()
    expected, words = EXPECTED[stage]
    assert sections(content) == expected
    assert_reads_cleanly(content)
    assert words in section(content, "where-things-stand")
    if stage == "in_group":
        # The questions come after the ground rules, and say plainly they are optional.
        group = section(content, "your-group")
        assert "First names only." in group and "I agree to these" in group
        questions = section(content, "questions")
        assert "Optional" in questions and "You do not have to answer" in questions


def test_a_new_request_says_when_we_will_be_in_touch(client, organisation_a):
    person = make_referral(organisation_a)
    content = open_place_page(client, person).content.decode()
    due = person.first_contact_due
    due = f"{due:%A} {due.day} {due:%B}"
    assert f"will contact you by {due}" in section(content, "where-things-stand")


def test_with_no_open_call_times_the_page_says_we_will_arrange_one(client, organisation_a):
    content = open_place_page(client, make_referral(organisation_a)).content.decode()
    assert "There are no call times open just now" in section(content, "your-call")


def test_booking_a_call_is_on_the_referrals_timeline_and_audited(
    client, organisation_a, facilitator_a
):
    slot = call_slot(facilitator_a, organisation_a)
    person = make_referral(organisation_a)
    open_place_page(client, person)
    response = client.post(place_url("participant-call", slot_id=slot.pk))
    assert response.status_code == 302 and response.url == PAGE + "#your-call"
    assert InitialCallSlot.objects.get(pk=slot.pk).referral == person
    event = ReferralEvent.objects.get(referral=person, kind="call_booked")
    assert event.actor is None and event.detail["by"] == "person"
    assert event.detail["slot"] == str(slot.pk)
    assert AuditEvent.objects.filter(
        target_id=str(person.pk), detail__change="call_booked", detail__by="person"
    ).exists()
    content = client.get(PAGE).content.decode()
    assert "Your call is booked for" in content
    assert_reads_cleanly(content)
    assert "Your first call is booked" in section(content, "where-things-stand")


def test_after_the_first_call_no_call_is_booked_from_the_page(
    client, organisation_a, caseworker_a, facilitator_a
):
    person = person_at(
        "talked", organisation=organisation_a, caseworker=caseworker_a, facilitator=facilitator_a
    )
    slot = call_slot(facilitator_a, organisation_a)
    open_place_page(client, person)
    response = client.post(place_url("participant-call", slot_id=slot.pk), follow=True)
    assert "Your first call has already happened" in response.content.decode()
    assert InitialCallSlot.objects.get(pk=slot.pk).referral is None


def test_another_organisations_call_time_is_not_found(
    client, organisation_a, organisation_b, facilitator_a
):
    from portal.organisations.roles import Role
    from tests.conftest import _member

    theirs = call_slot(_member(organisation_b, Role.FACILITATOR, "f.b@example.org"), organisation_b)
    open_place_page(client, make_referral(organisation_a))
    assert client.post(place_url("participant-call", slot_id=theirs.pk)).status_code == 404
    assert InitialCallSlot.objects.get(pk=theirs.pk).referral is None


def test_stopping_all_contact_from_the_page(client, organisation_a):
    person = make_referral(organisation_a)
    open_place_page(client, person)
    response = client.post(reverse("peergroups:support-stop-contact"))
    assert response.status_code == 200
    assert "We will not contact you again" in response.content.decode()
    person.refresh_from_db()
    assert not person.is_contactable and person.state == "closed"
    assert person.consents.filter(action="withdrawn", method="private_link").exists()
    # The page, and every support-page link they hold, stop with it.
    assert client.get(PAGE).status_code == 404
    assert Client().get(links.participant_url(person)).status_code == 410


def test_a_second_press_of_stop_all_contact_says_the_same(client, organisation_a):
    """A double click, or the page left open in another tab: the second press answers as
    the first did, never 'this link has expired, reply to our latest message'."""
    person = make_referral(organisation_a)
    open_place_page(client, person)
    session_before = dict(client.session)
    client.post(reverse("peergroups:support-stop-contact"))

    again = client.post(reverse("peergroups:support-stop-contact"))
    assert again.status_code == 200
    assert "We will not contact you again" in again.content.decode()

    # A request sent before the first press had stopped the link: its session still holds
    # the grant.
    stale = Client()
    stale_session = stale.session
    stale_session.update(session_before)
    stale_session.save()
    stale.cookies[settings.SESSION_COOKIE_NAME] = stale_session.session_key
    response = stale.post(reverse("peergroups:support-stop-contact"))
    assert response.status_code == 200
    assert "We will not contact you again" in response.content.decode()
    assert person.consents.filter(action="withdrawn").count() == 1
    # The page itself still opens nothing.
    assert client.get(PAGE).status_code == 404


def test_after_stopping_contact_another_page_opened_in_the_browser_stops_its_own(
    client, organisation_a
):
    first, second = make_referral(organisation_a), make_referral(organisation_a)
    open_place_page(client, first)
    client.post(reverse("peergroups:support-stop-contact"))
    open_place_page(client, second)
    client.post(reverse("peergroups:support-stop-contact"))
    second.refresh_from_db()
    assert not second.is_contactable


def test_stop_all_contact_without_a_page_open_stops_nothing(client, organisation_a):
    """Only the person's own page can stop their contact: without it the answer says the
    link does not work, never that contact has stopped."""
    person = make_referral(organisation_a)
    response = client.post(reverse("peergroups:support-stop-contact"))
    assert response.status_code == 404
    assert "We will not contact you again" not in response.content.decode()
    person.refresh_from_db()
    assert person.is_contactable


def test_the_page_lives_while_they_wait_for_an_offer_after_their_call(
    organisation_a, caseworker_a, facilitator_a
):
    """Assessed and waiting for a place: the page still says where things stand (it used
    to stop two weeks after the call, with nothing to say why)."""
    import time_machine
    from django.utils import timezone

    person = person_at(
        "talked", organisation=organisation_a, caseworker=caseworker_a, facilitator=facilitator_a
    )
    url = links.participant_url(person)
    with time_machine.travel(timezone.now() + links.PLACE_LINK_GRACE * 3):
        assert Client().get(url).status_code == 302


def test_links_to_the_pages_first_address_still_open_it(client, organisation_a):
    person = make_referral(organisation_a)
    token = links.participant_url(person).rstrip("/").rsplit("/", 1)[1]
    response = client.get(f"/groups/my-place/{token}/")
    assert response.status_code == 302 and response.url == PAGE
    assert client.get("/groups/my-place/").url == PAGE
    assert "Your support page" in client.get(PAGE).content.decode()


def test_without_a_grant_the_page_points_to_the_code_page(client):
    response = client.get(PAGE)
    assert response.status_code == 404
    assert reverse("peergroups:support-code") in response.content.decode()


def test_a_second_click_on_the_same_time_says_the_call_is_booked(
    client, organisation_a, facilitator_a
):
    slot = call_slot(facilitator_a, organisation_a)
    person = make_referral(organisation_a)
    open_place_page(client, person)
    client.post(place_url("participant-call", slot_id=slot.pk))
    again = client.post(place_url("participant-call", slot_id=slot.pk), follow=True)
    content = again.content.decode()
    assert "Your call is booked for" in content
    assert "already at that time" not in content and "just been taken" not in content
    assert ReferralEvent.objects.filter(referral=person, kind="call_booked").count() == 1


def test_what_they_decide_about_a_place_is_on_the_timeline_and_audited(
    client, organisation_a, caseworker_a, facilitator_a
):
    from peergroups.models import Booking
    from peergroups.services import booking_offer
    from tests.conftest import sign_in
    from tests.peergroups.support_states import group_meeting_soon

    person = person_at(
        "talked", organisation=organisation_a, caseworker=caseworker_a, facilitator=facilitator_a
    )
    kept = booking_offer(
        group=group_meeting_soon(organisation_a, ground_rules="First names only."),
        referral=person,
        actor=caseworker_a,
    )
    declined = booking_offer(
        group=group_meeting_soon(organisation_a), referral=person, actor=caseworker_a
    )
    open_place_page(client, person)
    for booking, action in [
        (declined, "decline"),
        (kept, "accept"),
        (kept, "ground-rules"),
        (kept, "cancel"),
    ]:
        client.post(place_url("participant-action", booking_id=booking.pk, action=action))
    assert Booking.objects.get(pk=kept.pk).state == "cancelled"

    by_them = ReferralEvent.objects.filter(
        referral=person, kind="state_changed", detail__by="person"
    ).order_by("id")
    assert [(e.detail["booking"], e.detail.get("place", "rules"), e.actor) for e in by_them] == [
        (str(declined.pk), "declined", None),
        (str(kept.pk), "confirmed", None),
        (str(kept.pk), "rules", None),
        (str(kept.pk), "cancelled", None),
    ]
    audited = AuditEvent.objects.filter(
        target_id=str(person.pk), detail__change="place", detail__by="person"
    )
    assert audited.count() == 4

    staff = sign_in(Client(), caseworker_a)
    timeline = staff.get(reverse("referrals:timeline", kwargs={"referral_id": person.pk}))
    content = timeline.content.decode()
    for words in ("place declined", "place confirmed", "ground rules accepted", "place cancelled"):
        assert words in content, words
    assert content.count("by them, on their support page") >= 4
