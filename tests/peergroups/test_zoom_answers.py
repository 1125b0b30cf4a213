"""Whatever Zoom answers, the portal gets a ZoomError or what it asked for: an answer that
is not JSON, is too large or too deep, or lacks the field used (a proxy's error page
with a 200, a changed API) never crashes the background job that asked. Against the
local fake of Zoom, answering garbage over real HTTP."""

import json
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from peergroups import tasks
from peergroups.meetings import session_meeting_sync
from peergroups.models import Session, ZoomAccount
from peergroups.zoom import MAX_ANSWER_BYTES, ZoomClient, ZoomCredentials, ZoomError
from tests.factories import GroupFactory
from tests.peergroups.fake_zoom import FakeZoom

ACCOUNT, CLIENT, SECRET = "acct-123", "client-456", "the-real-secret"
TOKEN = ("POST", "/oauth/token")
MEETINGS = ("POST", "/v2/users/me/meetings")
REGISTRANTS = ("POST", "/v2/meetings/")

GARBAGE = {
    "an HTML error page": b"<html><body>502 Bad Gateway</body></html>",
    "nothing": b"",
    "cut off": b'{"access_token": "tok',
    "a list": b"[]",
    "a string": b'"ok"',
    "null": b"null",
    "an object without the field": b'{"expires_in": 3599}',
    "the field empty": b'{"access_token": "", "id": "", "join_url": "", "registrant_id": ""}',
    "the field of the wrong type": (
        b'{"access_token": 12, "id": true, "join_url": [], "registrant_id": {}}'
    ),
    "100,000 nested lists": b"[" * 100_000,
    "nested 30 deep": b'{"a":' * 30 + b"1" + b"}" * 30,
    "a number of 5,000 digits": b'{"access_token": ' + b"9" * 5_000 + b"}",
    "not UTF-8": b'{"access_token": "\xff\xfe"}',
    "too large": json.dumps({"access_token": "t", "padding": "x" * MAX_ANSWER_BYTES}).encode(),
}


@pytest.fixture
def zoom():
    cache.clear()
    fake = FakeZoom().start()
    yield fake
    fake.stop()


def _client(zoom) -> ZoomClient:
    return ZoomClient(
        ZoomCredentials(
            organisation_id="org", account_id=ACCOUNT, client_id=CLIENT, client_secret=SECRET
        ),
        api_base=f"{zoom.url}/v2",
        oauth_url=f"{zoom.url}/oauth/token",
        sleep=lambda seconds: None,
    )


@pytest.mark.parametrize("body", GARBAGE.values(), ids=GARBAGE.keys())
def test_a_token_answer_zoom_should_not_have_given_is_a_zoom_error(zoom, body):
    zoom.answer_next(*TOKEN, 200, body)
    with pytest.raises(ZoomError) as raised:
        _client(zoom).check_credentials()
    assert "oauth/token" in str(raised.value)
    assert SECRET not in str(raised.value)


@pytest.mark.parametrize("body", GARBAGE.values(), ids=GARBAGE.keys())
def test_a_meeting_answer_zoom_should_not_have_given_is_a_zoom_error(zoom, body):
    zoom.answer_next(*MEETINGS, 201, body)
    with pytest.raises(ZoomError, match="meetings"):
        _client(zoom).create_meeting(
            topic="Meeting", starts_at=timezone.now() + timedelta(days=1), duration_minutes=60
        )


@pytest.mark.parametrize("body", GARBAGE.values(), ids=GARBAGE.keys())
def test_a_registrant_answer_zoom_should_not_have_given_is_a_zoom_error(zoom, body):
    client = _client(zoom)
    meeting = client.create_meeting(
        topic="Meeting", starts_at=timezone.now() + timedelta(days=1), duration_minutes=60
    )
    zoom.answer_next(*REGISTRANTS, 201, body)
    with pytest.raises(ZoomError, match="registrants"):
        client.add_registrant(meeting.id, first_name="Pat", email="pat@example.org")


def test_a_token_whose_lifetime_is_not_a_number_is_still_used(zoom):
    zoom.answer_next(*TOKEN, 200, b'{"access_token": "token-x", "expires_in": "soon"}')
    assert _client(zoom)._token() == "token-x"


@pytest.mark.django_db
def test_the_background_check_records_a_garbled_answer_as_not_accepted(
    zoom, organisation_a, settings
):
    """What the worker runs after credentials are saved: it used to crash on a 200 that
    was not JSON, leaving the settings page saying "checking" for ever."""
    settings.ZOOM_OAUTH_URL = f"{zoom.url}/oauth/token"
    account = ZoomAccount.objects.create(
        organisation=organisation_a, account_id=ACCOUNT, client_id=CLIENT, client_secret=SECRET
    )
    zoom.answer_next(*TOKEN, 200, b"<html>Service Unavailable</html>")
    tasks.check_zoom_account(account.pk)
    account.refresh_from_db()
    assert not account.is_verified and account.checked_at is not None
    assert "could not be read" in account.check_error


@pytest.mark.django_db
def test_a_meeting_sync_given_a_garbled_answer_fails_and_says_so(zoom, organisation_a, settings):
    settings.ZOOM_API_BASE = f"{zoom.url}/v2"
    settings.ZOOM_OAUTH_URL = f"{zoom.url}/oauth/token"
    ZoomAccount.objects.create(
        organisation=organisation_a, account_id=ACCOUNT, client_id=CLIENT, client_secret=SECRET
    )
    start = timezone.now() + timedelta(days=3)
    session = Session.objects.create(
        group=GroupFactory(organisation=organisation_a, format="zoom"),
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        sync_state=Session.Sync.PENDING,
    )
    zoom.answer_next(*MEETINGS, 201, b'{"join_url": "https://zoom.example/j/1"}')
    synced = session_meeting_sync(session_id=session.pk)
    assert synced.sync_state == Session.Sync.FAILED and not synced.zoom_meeting_id
    assert "no meeting id" in synced.sync_error
