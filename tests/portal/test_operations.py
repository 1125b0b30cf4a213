"""Housekeeping jobs and the health endpoint."""

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse
from django.utils import timezone

from portal.operations.models import Heartbeat
from portal.operations.tasks import clear_expired_sessions, record_heartbeat

pytestmark = pytest.mark.django_db


def test_health_reports_the_database_and_an_unknown_scheduler_at_first(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok", "scheduler": "unknown"}


def test_health_reports_an_unreachable_broker(client, settings):
    from portal.celery import app

    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:9/0"  # nothing listens there
    try:
        response = client.get(reverse("health"))
    finally:
        app.conf.broker_url = original
    assert response.status_code == 503
    assert response.json()["broker"] == "unavailable"


def test_the_heartbeat_job_makes_the_scheduler_healthy_and_it_goes_stale(client):
    record_heartbeat()
    assert client.get(reverse("health")).json()["scheduler"] == "ok"
    Heartbeat.objects.update(last_seen=timezone.now() - timedelta(minutes=10))
    assert client.get(reverse("health")).json()["scheduler"] == "stale"


def test_expired_sessions_are_cleared():
    old = SessionStore()
    old.set_expiry(-60)
    old.save()
    current = SessionStore()
    current.save()
    assert clear_expired_sessions() == 1
    assert SessionStore().exists(current.session_key)
    assert not SessionStore().exists(old.session_key)


def test_every_scheduled_task_exists():
    from django.conf import settings

    from portal.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry["task"]
