"""The Zoom client and session sync, against a local fake of Zoom's API over real HTTP."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.utils import timezone

from peergroups.meetings import session_meeting_sync
from peergroups.models import Session
from peergroups.zoom import ZoomClient, ZoomCredentials, ZoomError
from tests.factories import GroupFactory
from tests.peergroups.fake_zoom import FakeZoom

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def zoom():
    cache.clear()
    fake = FakeZoom().start()
    yield fake
    fake.stop()


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
def client(zoom, sleeps):
    return ZoomClient(
        ZoomCredentials(
            organisation_id="org", account_id="acct", client_id="client", client_secret="secret"
        ),
        api_base=f"{zoom.url}/v2",
        oauth_url=f"{zoom.url}/oauth/token",
        sleep=sleeps.append,
    )


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (datetime(2026, 7, 7, 19, 0, tzinfo=LONDON), "2026-07-07T19:00:00"),  # summer time
        (datetime(2026, 12, 1, 19, 0, tzinfo=LONDON), "2026-12-01T19:00:00"),  # winter
    ],
)
def test_a_meeting_is_created_at_the_london_time_with_privacy_on(client, zoom, when, expected):
    meeting = client.create_meeting(
        topic="Support team meeting", starts_at=when, duration_minutes=90
    )
    body = zoom.meetings[meeting.id]
    assert body["start_time"] == expected
    assert body["timezone"] == "Europe/London"
    assert body["duration"] == 90
    assert body["settings"]["waiting_room"] is True
    assert body["settings"]["join_before_host"] is False
    assert body["settings"]["auto_recording"] == "none"
    assert meeting.passcode and meeting.join_url.endswith(meeting.id)


def test_the_token_is_cached_and_renewed_once_after_a_401(client, zoom):
    when = datetime(2026, 12, 1, 19, tzinfo=LONDON)
    first = client.create_meeting(topic="t", starts_at=when, duration_minutes=60)
    client.update_meeting(first.id, topic="t", starts_at=when, duration_minutes=90)
    assert zoom.tokens_issued == 1
    zoom.revoke_tokens()
    client.update_meeting(first.id, topic="t", starts_at=when, duration_minutes=75)
    assert zoom.tokens_issued == 2
    assert zoom.meetings[first.id]["duration"] == 75


def test_a_429_waits_for_retry_after_and_tries_again(client, zoom, sleeps):
    zoom.fail_next("POST", "/v2/users/me/meetings", 429, {"Retry-After": "7"})
    meeting = client.create_meeting(
        topic="t", starts_at=datetime(2026, 12, 1, 19, tzinfo=LONDON), duration_minutes=60
    )
    assert sleeps == [7.0]
    assert meeting.id in zoom.meetings


def test_server_errors_are_retried_with_growing_waits(client, zoom, sleeps):
    zoom.fail_next("POST", "/v2/users/me/meetings", 500, times=2)
    client.create_meeting(
        topic="t", starts_at=datetime(2026, 12, 1, 19, tzinfo=LONDON), duration_minutes=60
    )
    # Exponential back-off with jitter: about 1s, then about 2s.
    assert len(sleeps) == 2
    assert 0.5 <= sleeps[0] <= 1 <= sleeps[1] <= 2


def test_a_persistent_500_raises_after_the_last_attempt(client, zoom, sleeps):
    zoom.fail_next("POST", "/v2/users/me/meetings", 500, times=10)
    with pytest.raises(ZoomError, match="500"):
        client.create_meeting(
            topic="t", starts_at=datetime(2026, 12, 1, 19, tzinfo=LONDON), duration_minutes=60
        )
    assert len(sleeps) == 3


@pytest.mark.django_db
def test_session_sync_creates_updates_cancels_and_reports_failure(client, zoom, organisation_a):
    group = GroupFactory(organisation=organisation_a, format="zoom")
    session = Session.objects.create(
        group=group,
        starts_at=datetime(2026, 12, 1, 19, tzinfo=LONDON),
        ends_at=datetime(2026, 12, 1, 20, 30, tzinfo=LONDON),
        sync_state=Session.Sync.PENDING,
    )
    synced = session_meeting_sync(session_id=session.pk, client=client)
    assert synced.sync_state == "synced" and synced.zoom_meeting_id in zoom.meetings
    assert zoom.meetings[synced.zoom_meeting_id]["topic"] == "Support team meeting"
    assert group.title not in zoom.meetings[synced.zoom_meeting_id]["topic"]

    Session.objects.filter(pk=session.pk).update(
        starts_at=datetime(2026, 12, 2, 18, tzinfo=LONDON),
        ends_at=datetime(2026, 12, 2, 19, tzinfo=LONDON),
    )
    session_meeting_sync(session_id=session.pk, client=client)
    assert zoom.meetings[synced.zoom_meeting_id]["start_time"] == "2026-12-02T18:00:00"

    zoom.fail_next("PATCH", "/v2/meetings/", 500, times=10)
    failed = session_meeting_sync(session_id=session.pk, client=client)
    assert failed.sync_state == "failed" and "500" in failed.sync_error

    Session.objects.filter(pk=session.pk).update(status=Session.Status.CANCELLED)
    cancelled = session_meeting_sync(session_id=session.pk, client=client)
    assert cancelled.sync_state == "synced" and not cancelled.zoom_meeting_id
    assert zoom.meetings == {}


@pytest.mark.django_db
def test_each_confirmed_participant_gets_their_own_link(client, zoom, organisation_a, caseworker_a):
    from django.test import Client

    from peergroups.meetings import booking_registrations_sync
    from peergroups.models import Booking, ZoomAccount, ZoomRegistration
    from peergroups.services import booking_confirm, booking_offer, booking_release
    from tests.private_links import open_place_page
    from tests.referrals.factories import make_referral

    ZoomAccount.objects.create(
        organisation=organisation_a,
        account_id="a",
        client_id="c",
        client_secret="s",
        registration_enabled=True,
    )
    group = GroupFactory(organisation=organisation_a, format="zoom")
    start = timezone.now() + timedelta(days=2)
    session = Session.objects.create(
        group=group, starts_at=start, ends_at=start + timedelta(hours=1)
    )
    session = session_meeting_sync(session_id=session.pk, client=client)
    person = make_referral(organisation_a)
    booking = booking_confirm(
        booking=booking_offer(group=group, referral=person, actor=caseworker_a)
    )
    assert booking_registrations_sync(booking_id=booking.pk, client=client) == 1
    registration = ZoomRegistration.objects.get()
    assert zoom.registrants[registration.registrant_id]["email"].endswith("@invalid.example")
    page = open_place_page(Client(), person).content.decode()
    assert registration.join_url in page.replace("&amp;", "&")
    assert session.join_url not in page
    booking_release(booking=booking, state=Booking.State.CANCELLED, actor=caseworker_a)
    assert booking_registrations_sync(booking_id=booking.pk, client=client) == 1
    assert zoom.registrants == {}


@pytest.mark.django_db
def test_coordinators_save_zoom_credentials_encrypted(
    client, coordinator_a, caseworker_a, organisation_a
):
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from peergroups.models import ZoomAccount
    from tests.conftest import sign_in

    client = Client()
    url = reverse("groups:zoom-account", kwargs={"organisation_id": organisation_a.pk})
    sign_in(client, caseworker_a)
    assert client.get(url).status_code == 404
    sign_in(client, coordinator_a)
    data = {"account_id": "acc", "client_id": "cid", "client_secret": ""}
    assert "Enter the client secret." in client.post(url, data).content.decode()
    client.post(url, dict(data, client_secret="canary-secret-value"))
    client.post(url, dict(data, client_id="cid2"))  # empty secret keeps the old one
    account = ZoomAccount.objects.get()
    assert account.client_secret == "canary-secret-value" and account.client_id == "cid2"
    with connection.cursor() as cursor:
        cursor.execute("SELECT client_secret FROM peergroups_zoomaccount")
        assert "canary" not in cursor.fetchone()[0]
    assert "canary-secret-value" not in client.get(url).content.decode()
