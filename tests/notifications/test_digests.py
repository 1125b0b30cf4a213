"""Staff digests: overdue first contacts, and tomorrow's meetings for facilitators."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from peergroups.models import Session
from peergroups.reminders import facilitator_digests_queue
from referrals.models import Referral
from referrals.reminders import first_contact_escalations_queue
from referrals.services import contact_attempt_record
from tests.factories import GroupFactory
from tests.notifications.delivery import deliver_all
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def test_overdue_first_contacts_reach_the_assignee_and_coordinators_once_a_day(
    organisation_a, organisation_b, caseworker_a, coordinator_a, coordinator_b
):
    with time_machine.travel(datetime(2026, 12, 1, 9, tzinfo=LONDON)):  # a Tuesday
        late = make_referral(organisation_a)
        reached = make_referral(organisation_a, safe_channels=["email", "call"])
        Referral.objects.filter(pk=late.pk).update(assigned_to=caseworker_a)
        contact_attempt_record(
            referral=reached, channel="call", outcome="reached", note="", actor=caseworker_a
        )
    with time_machine.travel(datetime(2026, 12, 3, 9, tzinfo=LONDON)):
        assert first_contact_escalations_queue() == 0  # due today, not yet overdue
    with time_machine.travel(datetime(2026, 12, 4, 9, tzinfo=LONDON)):
        assert first_contact_escalations_queue() == 2
        assert first_contact_escalations_queue() == 0
        deliver_all()
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == sorted([caseworker_a.email, coordinator_a.email])
    assert late.reference in mail.outbox[0].body and reached.reference not in mail.outbox[0].body
    with time_machine.travel(datetime(2026, 12, 7, 9, tzinfo=LONDON)):
        assert first_contact_escalations_queue() == 2  # a new day, a new digest


def test_facilitators_hear_about_tomorrows_meetings(organisation_a, facilitator_a, caseworker_a):
    group = GroupFactory(organisation=organisation_a, title="Tuesday evening group")
    group.facilitators.add(facilitator_a)
    start = datetime(2026, 12, 8, 19, tzinfo=LONDON)
    Session.objects.create(group=group, starts_at=start, ends_at=start + timedelta(hours=1))
    with time_machine.travel(datetime(2026, 12, 7, 17, tzinfo=LONDON)):
        assert facilitator_digests_queue() == 1
        assert facilitator_digests_queue() == 0
        deliver_all()
    [message] = mail.outbox
    assert message.to == [facilitator_a.email]
    assert message.subject == "Your meetings on Tuesday 8 December"
    assert "7:00 p.m.: Tuesday evening group (0 booked)" in message.body
