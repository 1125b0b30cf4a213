"""A retried referral (the same Idempotency-Key and body) answers with the safe times the
referrer sent, read as on the first answer: never with the times the portal holds now,
which the family or staff may have changed since, and which are not the referrer's to
see."""

from __future__ import annotations

import uuid
from datetime import time

import pytest

from portal.notifications.contact_windows import ContactWindows, Window
from referrals.models import Referral
from tests.api.conftest import referral_body

pytestmark = pytest.mark.django_db
URL = "/api/v1/referrals/"
SENT = [
    {"day": "Wednesday", "from": "14:00", "to": "16:00"},
    {"day": "monday", "from": "9:00", "to": "12:00"},
    {"day": "wednesday", "from": "15:00", "to": "17:30"},  # overlaps the first
]
AS_READ = [
    {"day": "monday", "from": "09:00", "to": "12:00"},
    {"day": "wednesday", "from": "14:00", "to": "17:30"},
]


def send_twice(partner, change_between):
    body = referral_body(**{"safe_contact.safe_windows": SENT})
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    first = partner.post(URL, body, format="json", headers=headers)
    assert first.status_code == 201, first.json()
    change_between(Referral.objects.get())
    again = partner.post(URL, body, format="json", headers=headers)
    assert again.status_code == 201, again.json()
    assert Referral.objects.count() == 1
    return first.json(), again.json()


def test_times_changed_since_are_not_shown_to_the_referrer(partner):
    def family_changes_their_times(referral):
        safe = referral.safe_contact
        safe.set_windows(ContactWindows((Window(5, time(6, 17), time(7, 43)),)))
        safe.save(update_fields=["contact_windows"])

    first, again = send_twice(partner, family_changes_their_times)
    assert first["safe_windows"] == AS_READ
    assert again == first
    assert "06:17" not in str(again)


def test_times_cleared_since_still_answer_what_was_sent(partner):
    def staff_clear_them(referral):
        safe = referral.safe_contact
        safe.set_windows(ContactWindows())
        safe.save(update_fields=["contact_windows"])

    first, again = send_twice(partner, staff_clear_them)
    assert again["safe_windows"] == AS_READ == first["safe_windows"]


def test_a_retry_with_no_windows_answers_none(partner):
    body = referral_body()
    headers = {"Idempotency-Key": str(uuid.uuid4())}
    first = partner.post(URL, body, format="json", headers=headers)
    safe = Referral.objects.get().safe_contact
    safe.set_windows(ContactWindows((Window(0, time(9), time(10)),)))
    safe.save(update_fields=["contact_windows"])
    again = partner.post(URL, body, format="json", headers=headers)
    assert first.json()["safe_windows"] == again.json()["safe_windows"] == []
