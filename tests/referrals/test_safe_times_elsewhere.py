"""Safe times wherever else safe contact is given or read: the referrer's page asks them
with the same simple choices, a subject access export says them in words, and
anonymising a referral clears them."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from portal.notifications.contact_windows import PRESETS
from referrals.anonymisation import referrals_anonymise
from referrals.models import Referral, SafeContact
from referrals.subject_access import sar_export
from tests.conftest import sign_in
from tests.referrals.factories import make_referral
from tests.referrals.test_referrer import answers

pytestmark = pytest.mark.django_db

NEW = reverse("referrer:new")


def test_a_referrer_chooses_weekday_daytimes(client, referrer, organisation_a):
    sign_in(client, referrer)
    page = html.unescape(client.get(NEW).content.decode())
    assert "When is it safe to contact them?" in page
    assert "On bank holidays, the organisation uses their Sunday times." in page
    response = client.post(NEW, answers(organisation_a, safe_times_choice="weekday_daytimes"))
    assert response.status_code == 302
    safe = Referral.objects.get().safe_contact
    assert safe.windows == PRESETS["weekday_daytimes"] and safe.safe_times == "After 6pm"


def test_a_referrer_chooses_days_and_times(client, referrer, organisation_a):
    sign_in(client, referrer)
    chosen = answers(
        organisation_a,
        safe_times_choice="custom",
        safe_days=["saturday"],
        safe_from="08:00",
        safe_to="10:00",
    )
    assert client.post(NEW, chosen).status_code == 302
    assert Referral.objects.get().safe_contact.windows.describe() == "Saturday, 8am to 10am"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"safe_times_choice": ""}, "Choose when it is safe to contact them, or 'Any time'."),
        (
            {"safe_times_choice": "custom", "safe_from": "09:00", "safe_to": "10:00"},
            "Choose at least one day.",
        ),
        (
            {
                "safe_times_choice": "custom",
                "safe_days": ["monday"],
                "safe_from": "10:00",
                "safe_to": "09:00",
            },
            "The end time must be later than the start time.",
        ),
    ],
)
def test_a_referrer_is_told_plainly_what_to_change(
    client, referrer, organisation_a, changes, message
):
    sign_in(client, referrer)
    response = client.post(NEW, answers(organisation_a, **changes))
    assert response.status_code == 400
    assert message in html.unescape(response.content.decode())
    assert not Referral.objects.exists()


def test_a_subject_access_export_says_the_times_in_words(organisation_a):
    referral = make_referral(organisation_a)
    safe = SafeContact.objects.get(referral=referral)
    safe.safe_times = "Evenings, after work"
    safe.set_windows(PRESETS["weekday_evenings"])
    safe.save()
    exported = sar_export(referral=Referral.objects.get(pk=referral.pk))["safe_contact"]
    assert exported["safe_times_kept"] == "Monday to Friday, 5pm to 9pm"
    assert exported["safe_times"] == "Evenings, after work"


def test_anonymising_clears_the_windows(organisation_a):
    referral = make_referral(organisation_a)
    safe = SafeContact.objects.get(referral=referral)
    safe.set_windows(PRESETS["weekday_daytimes"])
    safe.save()
    assert referrals_anonymise(referral_ids=[referral.pk]) == 1
    safe = SafeContact.objects.get(referral=referral)
    assert safe.contact_windows == "" and safe.windows.any_time
