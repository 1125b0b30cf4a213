"""A failed Zoom update is tried again by itself after 1, 5, 15 and 60 minutes, then
given up and shown; "Try again now" only queues a try (no call to Zoom inside the web
request), for the group's facilitators and the coordinators. Against the local fake of
Zoom's API over real HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from peergroups import tasks
from peergroups.meetings import session_meeting_sync
from peergroups.models import Session, ZoomAccount
from peergroups.services import PeerGroupError
from peergroups.zoom_retry import (
    RETRY_WAITS,
    meeting_syncs_retry,
    next_retry_at,
    session_sync_retry_now,
    sync_error_in_words,
    syncs_due,
)
from portal.audit.models import AuditEvent
from tests.conftest import sign_in
from tests.factories import GroupFactory
from tests.peergroups.fake_zoom import FakeZoom

pytestmark = pytest.mark.django_db

CREATE = ("POST", "/v2/users/me/meetings")


@pytest.fixture
def zoom(settings):
    cache.clear()
    fake = FakeZoom().start()
    settings.ZOOM_API_BASE = f"{fake.url}/v2"
    settings.ZOOM_OAUTH_URL = f"{fake.url}/oauth/token"
    yield fake
    fake.stop()


@pytest.fixture
def session(zoom, organisation_a, facilitator_a):
    ZoomAccount.objects.create(
        organisation=organisation_a, account_id="acct", client_id="client", client_secret="s"
    )
    group = GroupFactory(organisation=organisation_a, format="zoom")
    group.facilitators.add(facilitator_a)
    start = timezone.now() + timedelta(days=3)
    return Session.objects.create(
        group=group, starts_at=start, ends_at=start + timedelta(hours=1), sync_state="pending"
    )


def fresh(session) -> Session:
    return Session.objects.get(pk=session.pk)


def test_the_waits_grow_then_stop():
    now = timezone.now()
    assert [next_retry_at(n, now) - now for n in range(1, 5)] == [
        timedelta(minutes=1),
        timedelta(minutes=5),
        timedelta(minutes=15),
        timedelta(minutes=60),
    ]
    assert next_retry_at(5, now) is None


def test_a_failure_is_tried_again_with_backoff_then_given_up(zoom, session):
    # Zoom refuses five times (a 400 is not retried inside the client).
    zoom.fail_next(*CREATE, 400, times=5)
    started = timezone.now()
    failed = session_meeting_sync(session_id=session.pk)
    assert failed.sync_state == "failed" and failed.sync_attempts == 1
    assert failed.sync_retry_at - started >= RETRY_WAITS[0]

    # Not yet due: nothing is tried.
    assert meeting_syncs_retry() == 0
    moment = started
    for tries, wait in enumerate(RETRY_WAITS, start=2):
        moment += wait + timedelta(seconds=5)
        with time_machine.travel(moment, tick=False):
            assert meeting_syncs_retry() == 1
            after = fresh(session)
        assert after.sync_state == "failed" and after.sync_attempts == tries
    assert after.sync_retry_at is None  # given up after five tries
    with time_machine.travel(moment + timedelta(days=1), tick=False):
        assert meeting_syncs_retry() == 0
    assert len([r for r in zoom.requests if r[:2] == CREATE]) == 5


def test_a_retry_that_works_clears_the_failure(zoom, session):
    zoom.fail_next(*CREATE, 400)
    session_meeting_sync(session_id=session.pk)
    with time_machine.travel(timezone.now() + timedelta(minutes=2), tick=False):
        assert meeting_syncs_retry() == 1
    synced = fresh(session)
    assert synced.sync_state == "synced" and synced.zoom_meeting_id in zoom.meetings
    assert synced.sync_attempts == 0 and synced.sync_retry_at is None and not synced.sync_error


def test_a_new_change_starts_the_count_again(zoom, session):
    zoom.fail_next(*CREATE, 400, times=2)
    Session.objects.filter(pk=session.pk).update(sync_attempts=5, sync_state="failed")
    failed = session_meeting_sync(session_id=session.pk)  # queued by a change, not a retry
    assert failed.sync_attempts == 1 and failed.sync_retry_at is not None


def test_a_claimed_session_is_not_tried_twice_at_once(zoom, session):
    Session.objects.filter(pk=session.pk).update(
        sync_state="failed", sync_attempts=1, sync_retry_at=timezone.now() - timedelta(seconds=1)
    )
    assert syncs_due() == [session.pk]
    assert syncs_due() == []  # the claim's lease pushed the next try on
    assert fresh(session).sync_retry_at > timezone.now() + timedelta(minutes=9)


def test_a_meeting_that_is_over_is_not_tried_again(zoom, session, facilitator_a):
    Session.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(hours=2),
        ends_at=timezone.now() - timedelta(hours=1),
        sync_state="failed",
        sync_attempts=1,
        sync_retry_at=timezone.now() - timedelta(minutes=1),
    )
    assert meeting_syncs_retry() == 0
    assert zoom.requests == []
    with pytest.raises(PeerGroupError, match="meeting is over"):
        session_sync_retry_now(session=fresh(session), actor=facilitator_a)


def test_the_periodic_job_is_scheduled_every_minute():
    job = django_settings.CELERY_BEAT_SCHEDULE["retry-meeting-syncs"]
    assert job["task"] == tasks.retry_meeting_syncs.name and job["schedule"] == 60.0


@pytest.mark.parametrize(
    ("stored", "words"),
    [
        ("Zoom answered 500 to PATCH /meetings/1.", "Zoom had a fault at its end."),
        ("Zoom could not be reached (ConnectionError).", "could not be reached"),
        ("Zoom answered 429 to POST /users/me/meetings.", "busy"),
        ("Zoom answered 404 to PATCH /meetings/1.", "no longer has this meeting"),
        ("Zoom has not accepted the organisation's Zoom settings, so", "Zoom settings"),
        ("Zoom's answer to POST /users/me/meetings has no join_url.", "could not be understood"),
        ("Zoom answered 400 to POST /users/me/meetings.", "Zoom refused the change."),
    ],
)
def test_errors_are_shown_in_plain_words(stored, words):
    assert words in sync_error_in_words(stored)


def test_try_again_now_queues_a_try_and_never_calls_zoom_in_the_request(
    client, zoom, session, facilitator_a, django_capture_on_commit_callbacks, monkeypatch
):
    zoom.fail_next(*CREATE, 400, times=5)
    session_meeting_sync(session_id=session.pk)
    Session.objects.filter(pk=session.pk).update(sync_attempts=5, sync_retry_at=None)
    queued = []
    monkeypatch.setattr(tasks.sync_session_meeting, "delay", lambda *args: queued.append(args))
    sign_in(client, facilitator_a)
    page_url = reverse("groups:session", kwargs={"session_id": session.pk})
    page = client.get(page_url).content.decode()
    assert "Zoom update failed." in page and "Zoom refused the change." in page
    assert "has stopped trying" in page and "Try again now" in page

    asked_before = len(zoom.requests)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("groups:session-zoom-retry", kwargs={"session_id": session.pk})
        )
    assert response.status_code == 302
    assert len(zoom.requests) == asked_before  # nothing asked of Zoom by the request
    assert queued == [(str(session.pk),)]
    pending = fresh(session)
    assert pending.sync_state == "pending" and pending.sync_attempts == 0
    assert AuditEvent.objects.filter(target_id=str(session.pk), actor=facilitator_a).exists()

    # The worker's try fails again: the automatic tries start over.
    tasks.sync_session_meeting(str(session.pk))
    again = fresh(session)
    assert again.sync_attempts == 1 and again.sync_retry_at is not None
    page = client.get(page_url).content.decode()
    assert "will try again by itself at" in page


def test_only_the_groups_facilitators_and_coordinators_may_try_again(
    client, session, caseworker_a, coordinator_a, coordinator_b
):
    Session.objects.filter(pk=session.pk).update(sync_state="failed", sync_error="x")
    with pytest.raises(PeerGroupError, match="facilitators or a coordinator"):
        session_sync_retry_now(session=session, actor=caseworker_a)
    session_sync_retry_now(session=session, actor=coordinator_a)
    assert fresh(session).sync_state == "pending"
    with pytest.raises(PeerGroupError, match="already up to date"):
        Session.objects.filter(pk=session.pk).update(sync_state="synced")
        session_sync_retry_now(session=session, actor=coordinator_a)
    sign_in(client, coordinator_b)
    url = reverse("groups:session-zoom-retry", kwargs={"session_id": session.pk})
    assert client.post(url).status_code == 404
