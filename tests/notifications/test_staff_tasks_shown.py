"""A message that could not be sent is a staff task staff see: on the dashboard of
everyone who works on referrals in the organisation (and the coordinator's jobs page),
saying in plain words what was not sent, why, and what to do, linked to the person's
referral; marked done by whoever deals with it, which is audited. Nothing of another
organisation's."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.audit.models import AuditEvent
from portal.notifications.contact_windows import ContactWindows, Window
from portal.notifications.models import StaffTask
from referrals.notifications import referral_notify
from tests.conftest import sign_in
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
DASHBOARD = reverse("staff:dashboard")
WEEKDAYS_10_TO_2 = ContactWindows(tuple(Window(day, time(10), time(14)) for day in range(5)))


def no_safe_time_task(organisation) -> tuple:
    """The issue's Saturday 5pm reminder of a 7pm meeting, for a person safe only on
    weekdays from 10am to 2pm: not sent, a task instead."""
    person = make_referral(organisation)
    person.safe_contact.set_windows(WEEKDAYS_10_TO_2)
    person.safe_contact.save()
    with time_machine.travel(datetime(2026, 11, 28, 17, tzinfo=LONDON), tick=False):
        referral_notify(
            referral=person,
            template="session_cancelled",
            context={"starts_at": datetime(2026, 11, 28, 19, tzinfo=LONDON)},
            needed_by=datetime(2026, 11, 28, 19, tzinfo=LONDON),
        )
    return person, StaffTask.objects.get(record_id=str(person.pk))


def test_a_caseworker_sees_what_was_not_sent_why_and_whose_referral(
    client, organisation_a, organisation_b, caseworker_a
):
    person, _task = no_safe_time_task(organisation_a)
    elsewhere, _ = no_safe_time_task(organisation_b)
    sign_in(client, caseworker_a)
    content = client.get(DASHBOARD).content.decode()
    assert 'Messages that need you <span class="dashboard-card__count">(1)</span>' in content
    assert (
        "The news that a meeting was cancelled was not sent: none of the times they told us "
        "are safe came before it was needed (Saturday 28 November at 7pm). If it still "
        "matters, contact them a safe way, at one of their safe times."
    ) in content
    referral_page = reverse("referrals:detail", kwargs={"referral_id": person.pk})
    assert f'<a href="{referral_page}">{person.reference}</a>' in content
    assert elsewhere.reference not in content


def test_with_nothing_to_do_the_dashboard_says_so(client, caseworker_a):
    sign_in(client, caseworker_a)
    content = client.get(DASHBOARD).content.decode()
    assert 'Messages that need you <span class="dashboard-card__count">(0)</span>' in content
    assert "Nothing needs you." in content


def test_marking_a_task_done_takes_it_off_the_list_and_is_audited(
    client, organisation_a, caseworker_a
):
    _, task = no_safe_time_task(organisation_a)
    sign_in(client, caseworker_a)
    response = client.post(
        reverse("notifications:task-done", kwargs={"task_id": task.pk}),
        {"return_to": "dashboard"},
    )
    assert response.status_code == 302 and response["Location"] == DASHBOARD
    task.refresh_from_db()
    assert task.done_at is not None
    assert "Nothing needs you." in client.get(DASHBOARD).content.decode()
    event = AuditEvent.objects.get(detail__change="staff_task_done")
    assert (event.actor, event.target_id, event.detail["kind"]) == (
        caseworker_a,
        str(task.pk),
        "no_safe_time",
    )


def test_another_organisations_task_cannot_be_marked_done(client, organisation_b, caseworker_a):
    _, task = no_safe_time_task(organisation_b)
    sign_in(client, caseworker_a)
    response = client.post(reverse("notifications:task-done", kwargs={"task_id": task.pk}))
    assert response.status_code == 404
    task.refresh_from_db()
    assert task.done_at is None


def test_the_coordinators_jobs_page_explains_the_task_too(client, organisation_a, coordinator_a):
    person, task = no_safe_time_task(organisation_a)
    sign_in(client, coordinator_a)
    jobs = reverse("notifications:jobs", kwargs={"organisation_id": organisation_a.pk})
    content = client.get(jobs).content.decode()
    assert "none of the times they told us are safe came before it was needed" in content
    assert reverse("referrals:detail", kwargs={"referral_id": person.pk}) in content
    response = client.post(
        reverse("notifications:task-done", kwargs={"task_id": task.pk}), {"return_to": "jobs"}
    )
    assert response["Location"] == jobs


def test_the_tasks_cost_the_same_queries_however_many_there_are(
    client, organisation_a, caseworker_a
):
    no_safe_time_task(organisation_a)
    sign_in(client, caseworker_a)
    client.get(DASHBOARD)
    with CaptureQueriesContext(connection) as few:
        client.get(DASHBOARD)
    for _ in range(12):
        no_safe_time_task(organisation_a)
    with CaptureQueriesContext(connection) as many:
        content = client.get(DASHBOARD).content.decode()
    assert len(many) == len(few)
    assert "5 older ones will appear here as these are done." in content
