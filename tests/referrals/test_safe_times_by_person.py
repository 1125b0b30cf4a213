"""A person changes their safe times on their support page, with the self-referral's
simple choices: the windows change as of today, on the timeline and audited; choosing
nothing keeps them; and a change sent after the page closed lists the times they chose."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.notifications.contact_windows import PRESETS, ContactWindows, Window
from referrals import links
from referrals.models import ReferralEvent, SafeContact
from tests.conftest import sign_in
from tests.private_links import open_place_page
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

CONTACT = "/support/contact/"


def person_with(organisation, *, note: str = "", windows: ContactWindows | None = None):
    referral = make_referral(organisation, phone="07911 123456", safe_channels=["email"])
    safe = SafeContact.objects.get(referral=referral)
    safe.safe_times = note
    safe.set_windows(windows or ContactWindows())
    safe.confirmed_at = timezone.now() - timedelta(days=40)
    safe.save()
    return referral


def change(client, **data):
    return client.post(
        CONTACT, {"safe_channels": ["email"], "safe_times": "", "name_to_use": "", **data}
    )


def page(client) -> str:
    return client.get("/support/").content.decode()


def test_they_choose_weekday_evenings_and_it_is_kept_as_of_today(
    client, organisation_a, caseworker_a
):
    person = person_with(organisation_a)
    open_place_page(client, person)
    shown = page(client)
    assert "When is it safe to contact you?" in shown
    assert 'value="any_time" id="id_safe_times_choice_0" checked' in shown  # as held now
    assert "On bank holidays, we use your Sunday times." in shown

    response = change(client, safe_times_choice="weekday_evenings")
    assert response.status_code == 302
    safe = SafeContact.objects.get(referral=person)
    assert safe.windows == PRESETS["weekday_evenings"]
    assert safe.confirmed_at.date() == timezone.localdate()

    event = ReferralEvent.objects.get(referral=person, kind="safe_contact_updated")
    assert event.detail == {"by": "person", "channels": ["email"], "changed": ["safe_windows"]}
    audit = AuditEvent.objects.get(target_id=str(person.pk), detail__change="safe_contact")
    assert audit.detail["changed"] == ["safe_windows"] and audit.actor is None
    assert "17:00" not in str(audit.detail) and "monday" not in str(event.detail)

    staff = sign_in(Client(), caseworker_a)
    timeline = staff.get(reverse("referrals:timeline", kwargs={"referral_id": person.pk}))
    assert "changed: safe times" in timeline.content.decode()
    detail = staff.get(reverse("referrals:detail", kwargs={"referral_id": person.pk}))
    assert "Monday to Friday, 5pm to 9pm" in detail.content.decode()

    # The page now shows what they chose.
    assert 'value="weekday_evenings" id="id_safe_times_choice_2" checked' in page(client)


def test_they_choose_days_and_times_and_see_them_again(client, organisation_a):
    person = person_with(organisation_a)
    open_place_page(client, person)
    response = change(
        client,
        safe_times_choice="custom",
        safe_days=["monday", "wednesday"],
        safe_from="10:00",
        safe_to="14:00",
    )
    assert response.status_code == 302
    assert SafeContact.objects.get(referral=person).windows.describe() == (
        "Monday, 10am to 2pm; Wednesday, 10am to 2pm"
    )
    shown = page(client)
    assert 'value="custom" id="id_safe_times_choice_3" checked' in shown
    assert 'value="monday" id="id_safe_days_0" checked' in shown
    assert 'name="safe_from" value="10:00"' in shown and 'name="safe_to" value="14:00"' in shown


def test_a_problem_is_shown_beside_the_field_and_nothing_changes(client, organisation_a):
    person = person_with(organisation_a, windows=PRESETS["weekday_daytimes"])
    open_place_page(client, person)
    response = change(
        client, safe_times_choice="custom", safe_days=[], safe_from="14:00", safe_to="10:00"
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "Choose at least one day." in content
    assert "The end time must be later than the start time." in content
    assert SafeContact.objects.get(referral=person).windows == PRESETS["weekday_daytimes"]
    assert not ReferralEvent.objects.filter(kind="safe_contact_updated").exists()


def test_only_a_note_shows_no_choice_and_choosing_nothing_keeps_the_times(client, organisation_a):
    person = person_with(organisation_a, note="Weekday mornings")
    open_place_page(client, person)
    shown = page(client)
    assert (
        'name="safe_times_choice"' in shown
        and "checked" not in shown.split('name="safe_times_choice"')[1].split("</fieldset>")[0]
    )
    # A change of name alone: their times (a note, no windows) stay as they were.
    assert change(client, safe_times="Weekday mornings", name_to_use="Sam").status_code == 302
    safe = SafeContact.objects.get(referral=person)
    assert safe.name_to_use == "Sam" and safe.windows.any_time and safe.only_a_note_about_times
    event = ReferralEvent.objects.get(referral=person, kind="safe_contact_updated")
    assert event.detail["changed"] == ["name_to_use"]


def test_times_staff_set_that_the_choices_cannot_show_can_be_kept(client, organisation_a):
    windows = ContactWindows((Window(0, time(9), time(12)), Window(2, time(14), time(17))))
    person = person_with(organisation_a, windows=windows)
    open_place_page(client, person)
    shown = page(client)
    assert "Keep the times we have: Monday, 9am to midday; Wednesday, 2pm to 5pm" in shown
    assert 'value="keep" id="id_safe_times_choice_4" checked' in shown
    assert change(client, safe_times_choice="keep", name_to_use="Sam").status_code == 302
    assert SafeContact.objects.get(referral=person).windows == windows
    assert change(client, safe_times_choice="any_time", name_to_use="Sam").status_code == 302
    assert SafeContact.objects.get(referral=person).windows.any_time


def test_a_change_sent_after_the_page_closed_lists_the_times_they_chose(client, organisation_a):
    person = person_with(organisation_a)
    open_place_page(client, person)
    later = timezone.now() + links.GRANT_IDLE_LIMIT + timedelta(minutes=1)
    with time_machine.travel(later):
        response = change(
            client,
            safe_times_choice="custom",
            safe_days=["tuesday", "thursday"],
            safe_from="18:00",
            safe_to="20:30",
            safe_times="Not in the school holidays",
        )
    assert response.status_code == 404
    content = response.content.decode()
    assert "What you typed has not been saved" in content
    assert "When it is safe" in content
    assert "Tuesday, 6pm to 8:30pm; Thursday, 6pm to 8:30pm" in content
    assert "Not in the school holidays" in content
    assert SafeContact.objects.get(referral=person).windows.any_time


def test_the_time_fields_are_not_kept_by_a_shared_browser(client, organisation_a):
    open_place_page(client, person_with(organisation_a))
    content = page(client)
    for name in ("safe_from", "safe_to"):
        tag = content.split(f'name="{name}"')[1].split(">")[0]
        assert 'autocomplete="off"' in tag, name
