"""Logging a contact attempt keeps to safe contact: a channel or a time the person did not
say is safe is refused unless the caseworker gives a reason, which is kept, audited and
shown on the timeline. The referral's page shows what is safe beside the form."""

from __future__ import annotations

import re
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from portal.audit.models import AuditEvent
from portal.notifications.contact_windows import ContactWindows, Window
from referrals.models import ContactAttempt, ReferralEvent, SafeContactOverride
from referrals.safe_contact_rules import UnsafeContact
from referrals.services import contact_attempt_record
from tests.conftest import sign_in
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
MONDAY_NOON = datetime(2026, 12, 7, 12, tzinfo=LONDON)
SATURDAY_7PM = datetime(2026, 12, 5, 19, tzinfo=LONDON)


@pytest.fixture
def texts_only(organisation_a):
    """Safe to text only, on weekdays from 10am to 2pm."""
    referral = make_referral(organisation_a, phone="07700 900123", safe_channels=["text"])
    safe = referral.safe_contact
    safe.set_windows(ContactWindows(tuple(Window(d, time(10), time(14)) for d in range(5))))
    safe.save(update_fields=["contact_windows"])
    return referral


def urls(referral) -> dict[str, str]:
    ids = {"referral_id": referral.pk}
    return {
        name: reverse(f"referrals:{name}", kwargs=ids)
        for name in ("detail", "contact-attempt", "timeline")
    }


# --- The service ---------------------------------------------------------------------------


def test_a_call_they_did_not_mark_safe_is_refused_without_a_reason(texts_only, caseworker_a):
    with pytest.raises(UnsafeContact) as refused:
        contact_attempt_record(
            referral=texts_only,
            channel="call",
            outcome="reached",
            note="",
            actor=caseworker_a,
            made_at=MONDAY_NOON,
        )
    assert refused.value.check.unsafe_channel and not refused.value.check.unsafe_time
    assert not ContactAttempt.objects.exists()
    assert not SafeContactOverride.objects.exists()
    texts_only.refresh_from_db()
    assert texts_only.state == "new"  # not moved into contact either


def test_a_text_outside_their_times_is_refused_without_a_reason(texts_only, caseworker_a):
    with pytest.raises(UnsafeContact) as refused:
        contact_attempt_record(
            referral=texts_only,
            channel="text",
            outcome="sent",
            note="",
            actor=caseworker_a,
            made_at=SATURDAY_7PM,
        )
    assert refused.value.check.unsafe_time and not refused.value.check.unsafe_channel
    assert not ContactAttempt.objects.exists()


def test_a_safe_attempt_needs_no_reason_and_records_no_override(texts_only, caseworker_a):
    contact_attempt_record(
        referral=texts_only,
        channel="text",
        outcome="sent",
        note="",
        actor=caseworker_a,
        made_at=MONDAY_NOON,
    )
    assert ContactAttempt.objects.count() == 1
    assert not SafeContactOverride.objects.exists()


def test_with_a_reason_it_is_logged_and_the_override_audited(texts_only, caseworker_a):
    attempt = contact_attempt_record(
        referral=texts_only,
        channel="call",
        outcome="reached",
        note="Spoke briefly",
        actor=caseworker_a,
        made_at=SATURDAY_7PM,
        override_reason="They rang us from a friend's phone and asked us to call back now",
    )
    assert attempt.made_at == SATURDAY_7PM
    override = SafeContactOverride.objects.get()
    assert override.action == SafeContactOverride.Action.CONTACT_ATTEMPT
    assert (override.channel, override.unsafe_channel, override.unsafe_time) == ("call", True, True)
    assert override.reason.startswith("They rang us")
    kinds = list(texts_only.events.order_by("at", "id").values_list("kind", flat=True))
    assert kinds[-3:] == ["safe_contact_overridden", "contact_attempt", "state_changed"]
    changes = AuditEvent.objects.filter(target_id=str(texts_only.pk), action="changed")
    assert {"safe_contact_overridden", "contact_attempt"} <= {e.detail["change"] for e in changes}


def test_the_time_checked_is_now_when_no_time_is_given(texts_only, caseworker_a):
    with time_machine.travel(SATURDAY_7PM, tick=False), pytest.raises(UnsafeContact):
        contact_attempt_record(
            referral=texts_only, channel="text", outcome="sent", note="", actor=caseworker_a
        )


# --- The pages -----------------------------------------------------------------------------


def test_the_page_shows_what_is_safe_beside_the_form(client, texts_only, caseworker_a):
    sign_in(client, caseworker_a)
    page = client.get(urls(texts_only)["detail"]).content.decode()
    form_starts = page.index('id="contact-attempt"')
    beside = page.index('id="safe-beside-contact-attempt"', form_starts)
    assert "Monday to Friday, 10am to 2pm" in page[beside:]
    assert "Text message" in page[beside : beside + 2000]
    assert 'name="override_reason"' in page[form_starts:beside]


def test_refused_on_the_page_with_the_reason_beside_the_field(client, texts_only, caseworker_a):
    with time_machine.travel(MONDAY_NOON, tick=False):
        sign_in(client, caseworker_a)
        response = client.post(
            urls(texts_only)["contact-attempt"], {"channel": "call", "outcome": "reached"}
        )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_override_reason_error"' in page
    assert "They have not said that phone call is safe." in page
    assert "This is not what they said is safe." in page  # beside, in what is safe
    # What was typed is kept, so the caseworker only adds the reason.
    assert re.search(r'name="channel" value="call"[^>]*checked', page)
    assert not ContactAttempt.objects.exists()


def test_logged_with_a_reason_and_shown_on_the_timeline(client, texts_only, caseworker_a):
    with time_machine.travel(MONDAY_NOON, tick=False):
        sign_in(client, caseworker_a)
        response = client.post(
            urls(texts_only)["contact-attempt"],
            {
                "channel": "call",
                "outcome": "reached",
                "override_reason": "They asked us to ring while their partner is at work",
            },
        )
        assert response.status_code == 302
        timeline = client.get(urls(texts_only)["timeline"]).content.decode()
    assert ContactAttempt.objects.get().channel == "call"
    assert "Contacted outside what they said is safe" in timeline
    assert "Logged a contact attempt: by phone call, which they have not said is safe." in timeline
    assert "They asked us to ring while their partner is at work" in timeline
    assert f"Reason given by {caseworker_a}" in timeline


def test_the_timeline_with_overrides_stays_within_its_queries(
    client, texts_only, caseworker_a, django_assert_max_num_queries
):
    for n in range(10):
        contact_attempt_record(
            referral=texts_only,
            channel="call",
            outcome="no_answer",
            note="",
            actor=caseworker_a,
            made_at=MONDAY_NOON,
            override_reason=f"Reason {n}",
        )
    sign_in(client, caseworker_a)
    # The timeline's 8 (tests/referrals/test_triage.py) with its overrides: one more.
    with django_assert_max_num_queries(9):
        page = client.get(urls(texts_only)["timeline"]).content.decode()
    assert all(f"Reason {n}" in page for n in range(10))


def test_another_organisation_cannot_log_or_see(client, texts_only, caseworker_b):
    sign_in(client, caseworker_b)
    response = client.post(
        urls(texts_only)["contact-attempt"],
        {"channel": "call", "outcome": "reached", "override_reason": "x"},
    )
    assert response.status_code == 404
    assert not ContactAttempt.objects.exists()
    assert not ReferralEvent.objects.filter(kind="safe_contact_overridden").exists()
