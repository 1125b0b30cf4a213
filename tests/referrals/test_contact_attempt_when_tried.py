"""A contact attempt is checked against when it happened, not when it was logged: the
form asks "When did you try?" (a date and a time, UK time; empty is now), refuses a time
still to come or one too long ago beside the field, and the safe-contact check then uses
that time."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from portal.notifications.contact_windows import ContactWindows, Window
from referrals.models import ContactAttempt, SafeContactOverride
from tests.conftest import sign_in
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
MONDAY_7PM = datetime(2026, 12, 7, 19, tzinfo=LONDON)
TUESDAY_1030 = datetime(2026, 12, 8, 10, 30, tzinfo=LONDON)
TUESDAY_11AM = datetime(2026, 12, 8, 11, tzinfo=LONDON)
TUESDAY_3PM = datetime(2026, 12, 8, 15, tzinfo=LONDON)


@pytest.fixture
def weekdays_10_to_2(organisation_a):
    """Safe to text only, on weekdays from 10am to 2pm."""
    referral = make_referral(organisation_a, phone="07700 900123", safe_channels=["text"])
    safe = referral.safe_contact
    safe.set_windows(ContactWindows(tuple(Window(d, time(10), time(14)) for d in range(5))))
    safe.save(update_fields=["contact_windows"])
    return referral


def log(client, referral, **fields):
    url = reverse("referrals:contact-attempt", kwargs={"referral_id": referral.pk})
    return client.post(url, {"channel": "text", "outcome": "sent", **fields})


def test_a_7pm_text_logged_next_morning_needs_a_reason(client, weekdays_10_to_2, caseworker_a):
    with time_machine.travel(TUESDAY_1030, tick=False):
        sign_in(client, caseworker_a)
        response = log(client, weekdays_10_to_2, tried_on="2026-12-07", tried_at="19:00")
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_override_reason_error"' in page
    assert not ContactAttempt.objects.exists()


def test_with_a_reason_it_is_kept_at_the_time_it_happened(client, weekdays_10_to_2, caseworker_a):
    with time_machine.travel(TUESDAY_1030, tick=False):
        sign_in(client, caseworker_a)
        response = log(
            client,
            weekdays_10_to_2,
            tried_on="2026-12-07",
            tried_at="19:00",
            override_reason="They texted us first and asked us to reply then",
        )
    assert response.status_code == 302
    assert ContactAttempt.objects.get().made_at == MONDAY_7PM
    override = SafeContactOverride.objects.get()
    assert override.contact_at == MONDAY_7PM and override.unsafe_time


def test_an_11am_text_logged_at_3pm_needs_no_reason(client, weekdays_10_to_2, caseworker_a):
    with time_machine.travel(TUESDAY_3PM, tick=False):
        sign_in(client, caseworker_a)
        response = log(client, weekdays_10_to_2, tried_on="2026-12-08", tried_at="11:00")
    assert response.status_code == 302
    assert ContactAttempt.objects.get().made_at == TUESDAY_11AM
    assert not SafeContactOverride.objects.exists()


def test_left_empty_it_is_now(client, weekdays_10_to_2, caseworker_a):
    with time_machine.travel(TUESDAY_3PM, tick=False):
        sign_in(client, caseworker_a)
        refused = log(client, weekdays_10_to_2, tried_on="", tried_at="")
        assert refused.status_code == 400  # 3pm is outside their times
    with time_machine.travel(TUESDAY_11AM, tick=False):
        assert log(client, weekdays_10_to_2).status_code == 302
    assert ContactAttempt.objects.get().made_at == TUESDAY_11AM


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"tried_on": "2026-12-08", "tried_at": "16:00"}, "tried_at", "has not happened yet"),
        ({"tried_on": "2026-12-09", "tried_at": "11:00"}, "tried_on", "has not happened yet"),
        ({"tried_on": "2026-09-08", "tried_at": "11:00"}, "tried_on", "more than 90 days ago"),
        ({"tried_on": "2026-12-08"}, "tried_at", "Enter the time you tried"),
        ({"tried_at": "11:00"}, "tried_on", "Enter the date you tried"),
        ({"tried_on": "8 December", "tried_at": "11:00"}, "tried_on", "Enter a real date"),
        ({"tried_on": "2026-12-08", "tried_at": "11 o'clock"}, "tried_at", "Enter a time"),
    ],
)
def test_a_time_that_cannot_be_right_is_refused_beside_the_field(
    client, weekdays_10_to_2, caseworker_a, fields, field, message
):
    with time_machine.travel(TUESDAY_3PM, tick=False):
        sign_in(client, caseworker_a)
        response = log(client, weekdays_10_to_2, **fields)
    assert response.status_code == 400
    page = response.content.decode()
    error_starts = page.index(f'id="id_{field}_error"')
    assert message in page[error_starts : error_starts + 400]
    assert not ContactAttempt.objects.exists()


def test_the_page_asks_when_with_the_browsers_own_pickers(client, weekdays_10_to_2, caseworker_a):
    sign_in(client, caseworker_a)
    url = reverse("referrals:detail", kwargs={"referral_id": weekdays_10_to_2.pk})
    page = client.get(url).content.decode()
    form = page[page.index('id="contact-attempt"') : page.index('id="send-message"')]
    assert "When did you try?" in form
    assert 'type="date" name="tried_on"' in form and 'type="time" name="tried_at"' in form
    # Empty, so that a page left open is never logged at the time it was opened.
    assert 'name="tried_on" value=' not in form and 'name="tried_at" value=' not in form
