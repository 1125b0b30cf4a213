"""A private link's secret is used once, as Django's password-reset link is: exchanged for
a grant in the visitor's session, then a redirect to an address without it. Every later
request (pages, actions, the calendar file, questions, packs) works from the grant."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from peergroups.models import Booking, Session
from peergroups.services import booking_offer
from portal.outcomes.models import OutcomeSchedule, Questionnaire
from referrals import links
from referrals.models import PrivateLink
from resources import services as resource_services
from resources.library import load_library
from resources.models import Resource
from tests.factories import GroupFactory
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

PAGE = "/support/"
CALENDAR = "/support/meetings.ics"
WITHDRAW = "/refer/withdraw/"


class RecordingClient(Client):
    """A test client that keeps every address it asked for, as an access log would."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.paths: list[str] = []

    def request(self, **request):
        self.paths.append(request["PATH_INFO"] + "?" + request.get("QUERY_STRING", ""))
        return super().request(**request)


@pytest.fixture
def offered(organisation_a, caseworker_a):
    person = make_referral(organisation_a)
    group = GroupFactory(organisation=organisation_a, ground_rules="First names only.")
    start = timezone.now() + timedelta(days=3)
    Session.objects.create(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
    booking = booking_offer(group=group, referral=person, actor=caseworker_a)
    return person, booking


def token_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[1]


def test_the_place_link_is_exchanged_for_a_grant_and_everything_after_uses_it(offered):
    person, booking = offered
    url = links.participant_url(person)
    token = token_of(url)
    client = RecordingClient()

    opened = client.get(url)
    assert opened.status_code == 302 and opened["Location"] == PAGE
    assert settings.SESSION_COOKIE_NAME in opened.cookies
    assert opened.cookies[settings.SESSION_COOKIE_NAME]["httponly"]
    page = client.get(PAGE)
    assert page.status_code == 200 and "A place is ready for you" in page.content.decode()
    assert token not in page.content.decode()

    # Actions, the ground rules, the calendar file: all from the grant.
    accept = reverse(
        "peergroups:participant-action", kwargs={"booking_id": booking.pk, "action": "accept"}
    )
    assert client.post(accept).status_code == 302
    assert Booking.objects.get(pk=booking.pk).state == "confirmed"
    rules = reverse(
        "peergroups:participant-action",
        kwargs={"booking_id": booking.pk, "action": "ground-rules"},
    )
    assert client.post(rules).status_code == 302
    page = client.get(PAGE).content.decode()
    assert CALENDAR in page and token not in page
    calendar = client.get(CALENDAR)
    assert calendar.status_code == 200
    assert len(Calendar.from_ical(calendar.content).walk("VEVENT")) == 1

    # The secret was in one request line only.
    assert [path for path in client.paths if token in path] == [url + "?"]
    assert PrivateLink.objects.get().last_used_at is not None


def test_the_questions_are_answered_from_the_grant(organisation_a, offered):
    person, booking = offered
    Booking.objects.filter(pk=booking.pk).update(state="confirmed", confirmed_at=timezone.now())
    questionnaire = Questionnaire.objects.create(title="How are you?", key="how")
    OutcomeSchedule.objects.create(organisation=organisation_a, questionnaire=questionnaire)
    client = Client()
    client.get(links.participant_url(person))
    url = reverse(
        "peergroups:participant-questionnaire",
        kwargs={"questionnaire_id": questionnaire.pk, "time_point": "intake"},
    )
    assert url in client.get(PAGE).content.decode()
    assert client.get(url).status_code == 200
    assert Client().get(url).status_code == 404  # not without the grant


def test_the_withdraw_link_is_exchanged_for_a_grant(organisation_a):
    person = make_referral(organisation_a)
    url = links.withdraw_url(person)
    client = RecordingClient()
    opened = client.get(url)
    assert opened.status_code == 302 and opened["Location"] == WITHDRAW
    assert "Stop all contact" in client.get(WITHDRAW).content.decode()
    client.post(WITHDRAW)
    person.refresh_from_db()
    assert not person.is_contactable
    assert [path for path in client.paths if token_of(url) in path] == [url + "?"]


def test_the_pack_link_is_exchanged_for_a_grant(organisation_a, caseworker_a):
    load_library()
    person = make_referral(organisation_a)
    delivery, token = resource_services.pack_send(
        referral=person,
        pack=None,
        resources=list(Resource.objects.filter(slug="police-bail")),
        actor=caseworker_a,
        title="Waiting for a decision",
    )
    client = RecordingClient()
    opened = client.get(resource_services.pack_url(token))
    pack = reverse("resources:pack", kwargs={"delivery_id": delivery.pk})
    assert opened.status_code == 302 and opened["Location"] == pack and token not in pack
    assert "Waiting for a decision" in client.get(pack).content.decode()
    assert Client().get(pack).status_code == 404  # the address alone opens nothing
    resource_services.delivery_revoke(delivery=delivery, actor=caseworker_a)
    gone = client.get(pack)
    assert gone.status_code == 410 and "Waiting for a decision" not in gone.content.decode()
    assert [path for path in client.paths if token in path] == [
        resource_services.pack_url(token) + "?"
    ]


def test_no_page_behind_a_link_opens_without_the_grant(organisation_a, offered):
    person, booking = offered
    client = Client()
    for method, url in (
        ("get", PAGE),
        ("get", CALENDAR),
        (
            "post",
            reverse(
                "peergroups:participant-action",
                kwargs={"booking_id": booking.pk, "action": "accept"},
            ),
        ),
        ("post", reverse("peergroups:participant-call", kwargs={"slot_id": booking.pk})),
        ("get", WITHDRAW),
        ("post", WITHDRAW),
    ):
        response = getattr(client, method)(url)
        assert response.status_code == 404, url
        assert "This link does not work" in response.content.decode()
    assert Booking.objects.get(pk=booking.pk).state == "offered"
    person.refresh_from_db()
    assert person.is_contactable


def test_a_grant_left_idle_for_an_hour_is_forgotten(offered):
    person, _ = offered
    client = Client()
    client.get(links.participant_url(person))
    with time_machine.travel(timezone.now() + timedelta(minutes=50)):
        assert client.get(PAGE).status_code == 200  # still reading: the hour starts again
    with time_machine.travel(timezone.now() + timedelta(minutes=95)):
        assert client.get(PAGE).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=95 + 61)):
        response = client.get(PAGE)
    assert response.status_code == 404
    assert "opening it again from the message" in response.content.decode()


def test_a_grant_ends_with_its_link(offered):
    person, _ = offered
    client = Client()
    client.get(links.participant_url(person))
    PrivateLink.objects.update(expires_at=timezone.now() + timedelta(minutes=5))
    assert client.get(PAGE).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        assert client.get(PAGE).status_code == 410


def test_the_quick_exit_ends_the_grant(offered):
    person, _ = offered
    client = Client()
    client.get(links.participant_url(person))
    assert client.get(PAGE).status_code == 200
    client.post(reverse("public:quick-exit"))
    assert client.get(PAGE).status_code == 404


def test_opening_a_link_gives_the_session_a_new_id(offered):
    person, _ = offered
    client = Client()
    client.get("/refer/")  # any earlier session, as one planted in the browser would be
    session = client.session
    session["planted"] = True
    session.save()
    before = session.session_key
    client.get(links.participant_url(person))
    assert client.session.session_key != before
    assert client.get(PAGE).status_code == 200


# Anything a damaged, forged or pasted-into link may hold: lengths either side of the
# limit, characters from outside any token's alphabet, escapes, the signed links' colons.
ODD_TOKENS = [
    "a",
    "x" * 200,
    "x" * 201,
    "x" * 4000,
    "%00",
    "%0D%0Aabc",
    "%ED%A0%80",
    "%FF%FE",
    "é😀",
    "a:b:c",
    "::",
    "'; select 1;--",
    "%3Cscript%3E",
]


@pytest.mark.parametrize(
    "address, methods",
    [
        ("/support/{}/", ["get"]),
        ("/refer/withdraw/{}/", ["get", "post"]),
        ("/information/pack/{}/", ["get"]),
    ],
)
def test_a_link_that_was_never_sent_gets_the_kind_page_whatever_it_holds(
    organisation_a, address, methods
):
    make_referral(organisation_a)
    signed = signing.dumps("not a referral", salt=links.LEGACY_SALTS[links.Purpose.PLACE])
    client = Client()
    for token in [*ODD_TOKENS, signed, signed[:-1] + "é"]:
        for method in methods:
            answer = getattr(client, method)(address.format(token))
            assert answer.status_code == 404, (address, token, method)
    assert not client.session.get(links.GRANTS_SESSION_KEY)
