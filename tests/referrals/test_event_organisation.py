"""Each referral event carries its referral's organisation, so the dashboard's recent
activity reads one organisation's latest events from an index of its own."""

import pytest

from portal.staff.dashboards import LIST_LIMIT, caseworker_panel
from referrals.models import ReferralEvent
from referrals.services import case_note_add, referral_assign
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db


def test_every_event_written_has_its_referrals_organisation(organisation_a, caseworker_a):
    referral = make_referral(organisation_a)
    referral_assign(referral=referral, assignee=caseworker_a, actor=caseworker_a)
    case_note_add(referral=referral, body="Called back.", actor=caseworker_a)
    events = ReferralEvent.objects.filter(referral=referral)
    assert events.count() >= 3
    assert set(events.values_list("organisation_id", flat=True)) == {organisation_a.pk}


def test_recent_activity_is_the_organisations_latest_events_only(
    organisation_a, organisation_b, caseworker_a, caseworker_b
):
    ours = [make_referral(organisation_a) for _ in range(LIST_LIMIT + 2)]
    for referral in ours:
        case_note_add(referral=referral, body="A note.", actor=caseworker_a)
    theirs = make_referral(organisation_b)
    case_note_add(referral=theirs, body="Their note.", actor=caseworker_b)

    recent = caseworker_panel(user=caseworker_a).recent
    assert len(recent) == LIST_LIMIT
    assert {event.organisation_id for event in recent} == {organisation_a.pk}
    newest_first = list(
        ReferralEvent.objects.filter(organisation=organisation_a).order_by("-at", "-id")
    )[:LIST_LIMIT]
    assert recent == newest_first
