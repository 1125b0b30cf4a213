"""An organisation's Zoom credentials are its own: a cached token belongs to the
organisation and to the exact credentials, secret included, and credentials are used for
meetings only once Zoom has accepted them, checked in the background after saving."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from peergroups import tasks
from peergroups.meetings import session_meeting_sync, zoom_account_check
from peergroups.models import Session, ZoomAccount
from peergroups.zoom import ZoomClient, ZoomCredentials, ZoomError
from tests.conftest import sign_in
from tests.factories import GroupFactory
from tests.peergroups.fake_zoom import FakeZoom

pytestmark = pytest.mark.django_db

ACCOUNT, CLIENT, SECRET = "acct-123", "client-456", "the-real-secret"


@pytest.fixture
def zoom(settings):
    cache.clear()
    fake = FakeZoom().start()
    fake.apps[(ACCOUNT, CLIENT)] = SECRET
    settings.ZOOM_API_BASE = f"{fake.url}/v2"
    settings.ZOOM_OAUTH_URL = f"{fake.url}/oauth/token"
    yield fake
    fake.stop()


def _zoom_session(organisation) -> Session:
    group = GroupFactory(organisation=organisation, format="zoom")
    start = timezone.now() + timedelta(days=3)
    return Session.objects.create(
        group=group,
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        sync_state=Session.Sync.PENDING,
    )


def _account(organisation, secret: str) -> ZoomAccount:
    return ZoomAccount.objects.create(
        organisation=organisation, account_id=ACCOUNT, client_id=CLIENT, client_secret=secret
    )


def test_another_organisation_typing_the_same_ids_gets_no_token_and_no_meeting(
    zoom, organisation_a, organisation_b
):
    _account(organisation_a, SECRET)
    theirs = session_meeting_sync(session_id=_zoom_session(organisation_a).pk)
    assert theirs.sync_state == Session.Sync.SYNCED  # organisation A's token is now cached
    meetings_before = dict(zoom.meetings)

    _account(organisation_b, "a-guess")
    attempt = session_meeting_sync(session_id=_zoom_session(organisation_b).pk)

    assert attempt.sync_state == Session.Sync.FAILED and not attempt.zoom_meeting_id
    assert "not accepted" in attempt.sync_error
    assert zoom.meetings == meetings_before
    assert not ZoomAccount.objects.get(organisation=organisation_b).is_verified


def test_a_cached_token_is_never_handed_to_other_credentials(zoom):
    """Even a client made directly (not through the checked account) cannot borrow a
    token cached for someone else's credentials."""

    def client_of(organisation_id, secret):
        credentials = ZoomCredentials(
            organisation_id=organisation_id,
            account_id=ACCOUNT,
            client_id=CLIENT,
            client_secret=secret,
        )
        return ZoomClient(
            credentials,
            api_base=f"{zoom.url}/v2",
            oauth_url=f"{zoom.url}/oauth/token",
            sleep=lambda seconds: None,
        )

    when = timezone.now() + timedelta(days=3)
    client_of("org-a", SECRET).create_meeting(topic="t", starts_at=when, duration_minutes=60)
    assert len(zoom.meetings) == 1
    for organisation_id, secret in (("org-b", "a-guess"), ("org-a", "a-guess")):
        with pytest.raises(ZoomError, match="refused"):
            client_of(organisation_id, secret).create_meeting(
                topic="t", starts_at=when, duration_minutes=60
            )
    assert len(zoom.meetings) == 1


def test_the_token_cache_key_is_the_organisations_and_holds_no_secret():
    def key(organisation_id, secret):
        credentials = ZoomCredentials(
            organisation_id=organisation_id,
            account_id=ACCOUNT,
            client_id=CLIENT,
            client_secret=secret,
        )
        return ZoomClient(credentials)._token_cache_key

    assert key("org-a", SECRET) != key("org-b", SECRET)
    assert key("org-a", SECRET) != key("org-a", "another-secret")
    assert key("org-a", SECRET) == key("org-a", SECRET)
    assert SECRET not in key("org-a", SECRET)
    assert SECRET not in repr(
        ZoomCredentials(
            organisation_id="o", account_id=ACCOUNT, client_id=CLIENT, client_secret=SECRET
        )
    )


def test_saving_queues_a_check_and_asks_zoom_nothing_during_the_request(
    zoom, client, coordinator_a, organisation_a, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(tasks.check_zoom_account, "delay", queued.append)
    url = reverse("groups:zoom-account", kwargs={"organisation_id": organisation_a.pk})
    sign_in(client, coordinator_a)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"account_id": ACCOUNT, "client_id": CLIENT, "client_secret": SECRET}
        )

    assert response.status_code == 302
    assert zoom.requests == []  # no call to Zoom inside the web request
    account = ZoomAccount.objects.get(organisation=organisation_a)
    assert queued == [account.pk] and not account.is_verified
    assert "checking these settings with Zoom" in client.get(url).content.decode()

    tasks.check_zoom_account(account.pk)  # what the worker runs
    account.refresh_from_db()
    assert account.is_verified and account.checked_at
    assert "Zoom accepted these settings" in client.get(url).content.decode()


def test_saving_with_the_broker_down_saves_and_says_the_check_is_pending(
    zoom, client, coordinator_a, organisation_a, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args):
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    monkeypatch.setattr(tasks.check_zoom_account, "delay", broker_down)
    url = reverse("groups:zoom-account", kwargs={"organisation_id": organisation_a.pk})
    sign_in(client, coordinator_a)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"account_id": ACCOUNT, "client_id": CLIENT, "client_secret": SECRET}
        )

    assert response.status_code == 302
    account = ZoomAccount.objects.get(organisation=organisation_a)
    assert account.credentials.client_secret == SECRET and not account.is_verified
    assert "checking these settings with Zoom" in client.get(url).content.decode()
    # Checked before the first meeting made with them, as the page promises.
    session = _zoom_session(organisation_a)
    assert session_meeting_sync(session_id=session.pk).sync_state == Session.Sync.SYNCED
    account.refresh_from_db()
    assert account.is_verified


def test_credentials_zoom_refuses_are_shown_as_refused_and_never_used(
    zoom, client, coordinator_a, organisation_a
):
    account = _account(organisation_a, "mistyped-secret")
    account = zoom_account_check(account_id=account.pk)
    assert not account.is_verified and account.check_error

    sign_in(client, coordinator_a)
    page = client.get(
        reverse("groups:zoom-account", kwargs={"organisation_id": organisation_a.pk})
    ).content.decode()
    assert "Zoom did not accept these settings" in page

    tokens_before = zoom.tokens_issued
    synced = session_meeting_sync(session_id=_zoom_session(organisation_a).pk)
    assert synced.sync_state == Session.Sync.FAILED and zoom.meetings == {}
    assert zoom.tokens_issued == tokens_before


def test_changing_the_secret_makes_the_credentials_unchecked_again(zoom, organisation_a):
    account = zoom_account_check(account_id=_account(organisation_a, SECRET).pk)
    assert account.is_verified
    account.client_secret = "something-else"
    account.save()
    assert not ZoomAccount.objects.get(pk=account.pk).is_verified


def test_a_check_answered_after_the_credentials_changed_is_dropped(
    zoom, organisation_a, monkeypatch
):
    """A coordinator saves new credentials while the check of the old ones is waiting on
    Zoom: Zoom's yes to the old ones must not mark the new ones accepted."""
    account = _account(organisation_a, SECRET)

    def changed_meanwhile(client_self):
        ZoomAccount.objects.filter(pk=account.pk).update(client_id="someone-elses")

    monkeypatch.setattr(ZoomClient, "check_credentials", changed_meanwhile)
    checked = zoom_account_check(account_id=account.pk)
    assert not checked.is_verified and checked.checked_at is None
