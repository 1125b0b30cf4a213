"""Coordinators hear once a week about guides past their review date."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail

from portal.notifications.models import MessageLog
from resources.reminders import review_due_digests_queue
from tests.notifications.delivery import deliver_all
from tests.resources.factories import make_resource

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def test_each_coordinator_hears_about_their_own_and_the_librarys_overdue_guides_once_a_week(
    organisation_a, organisation_b, coordinator_a, coordinator_b, caseworker_a
):
    ours = make_resource(
        organisation_a, actor=coordinator_a, title="Our bail guide", review_by=date(2026, 11, 30)
    )
    make_resource(
        organisation_b, actor=coordinator_b, title="Their court guide", review_by=date(2027, 6, 1)
    )
    make_resource(None, title="Library search guide", review_by=date(2026, 12, 5))

    with time_machine.travel(datetime(2026, 11, 30, 8, tzinfo=LONDON)):  # a Monday
        assert review_due_digests_queue() == 0  # due today is not yet overdue

    with time_machine.travel(datetime(2026, 12, 1, 8, tzinfo=LONDON)):
        assert review_due_digests_queue() == 1  # only organisation A has one overdue
        deliver_all()
    [message] = mail.outbox
    assert message.to == [coordinator_a.email]
    assert message.subject == "1 guide due for review"
    assert "Our bail guide (review was due 30 November 2026)" in message.body
    assert caseworker_a.email not in message.to

    with time_machine.travel(datetime(2026, 12, 4, 8, tzinfo=LONDON)):
        assert review_due_digests_queue() == 0  # already told this week

    mail.outbox.clear()
    with time_machine.travel(datetime(2026, 12, 7, 8, tzinfo=LONDON)):  # the next week
        assert review_due_digests_queue() == 2  # the library guide is now overdue too
        deliver_all()
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {coordinator_a.email, coordinator_b.email}
    assert "Our bail guide" in by_recipient[coordinator_a.email].body
    assert "Library search guide" in by_recipient[coordinator_a.email].body
    assert "Our bail guide" not in by_recipient[coordinator_b.email].body
    assert "Their court guide" not in by_recipient[coordinator_b.email].body
    assert by_recipient[coordinator_b.email].subject == "1 guide due for review"

    ours.review_by = date(2027, 12, 1)
    ours.save(update_fields=["review_by"])
    with time_machine.travel(datetime(2026, 12, 14, 8, tzinfo=LONDON)):
        review_due_digests_queue()
        deliver_all()
    assert "Our bail guide" not in mail.outbox[-1].body  # reviewed guides drop off


def test_nothing_overdue_sends_nothing(organisation_a, coordinator_a):
    make_resource(organisation_a, actor=coordinator_a, review_by=date(2027, 6, 1))
    with time_machine.travel(datetime(2026, 12, 7, 8, tzinfo=LONDON)):
        assert review_due_digests_queue() == 0
    assert MessageLog.objects.count() == 0


def test_the_job_is_on_the_schedule_every_monday_morning():
    entry = settings.CELERY_BEAT_SCHEDULE["remind-coordinators-of-reviews"]
    assert entry["task"] == "resources.tasks.remind_coordinators_of_reviews"
    assert entry["schedule"].day_of_week == {1} and entry["schedule"].hour == {8}
