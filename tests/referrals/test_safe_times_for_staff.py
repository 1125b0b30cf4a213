"""Staff and safe times: the referral page says them in words, the referral page and the
queue mark a referral whose times are only a note, and the safe-contact page edits the
windows as rows of day, from and to, beside the person's own words."""

from __future__ import annotations

import re
from datetime import time

import pytest
from django.urls import reverse

from portal.notifications.contact_windows import PRESETS, ContactWindows, Window
from referrals.models import ReferralEvent, SafeContact
from referrals.references import display_reference
from tests.conftest import sign_in
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

QUEUE = reverse("referrals:queue")
MARKER = "Only a note: turn it into safe times"


def with_times(referral, *, note: str = "", windows: ContactWindows | None = None):
    safe = SafeContact.objects.get(referral=referral)
    safe.safe_times = note
    safe.set_windows(windows or ContactWindows())
    safe.save()
    return referral


def edit_url(referral) -> str:
    return reverse("referrals:safe-contact", kwargs={"referral_id": referral.pk})


def detail(client, referral) -> str:
    url = reverse("referrals:detail", kwargs={"referral_id": referral.pk})
    return client.get(url).content.decode()


def answers(**rows) -> dict:
    """The page's answers, with ``rows`` as {index: (day, from, to)} out of four rows."""
    data = {
        "safe_channels": ["email"],
        "may_name_organisation": "no",
        "shares_device_with_person": "no",
        "shares_address_with_person": "no",
        "safe_times": "Weekday mornings",
        "windows-TOTAL_FORMS": "4",
        "windows-INITIAL_FORMS": "0",
    }
    for index, (day, starts, ends) in rows.items():
        data |= {
            f"windows-{index}-day": day,
            f"windows-{index}-starts": starts,
            f"windows-{index}-ends": ends,
        }
    return data


def test_the_referral_page_says_the_times_in_words_beside_what_they_said(
    client, organisation_a, caseworker_a
):
    referral = with_times(
        make_referral(organisation_a), note="Weekday mornings", windows=PRESETS["weekday_daytimes"]
    )
    sign_in(client, caseworker_a)
    content = detail(client, referral)
    assert "Monday to Friday, 9am to 5pm" in content
    assert "What they said about times" in content and "Weekday mornings" in content
    assert MARKER not in content


def test_only_a_note_is_marked_on_the_referral_page_and_in_the_queue(
    client, organisation_a, caseworker_a
):
    noted = with_times(make_referral(organisation_a), note="Not when he is home")
    kept = with_times(
        make_referral(organisation_a), note="Evenings", windows=PRESETS["weekday_evenings"]
    )
    silent = make_referral(organisation_a)  # no note, no windows: any time, nothing to do
    sign_in(client, caseworker_a)
    content = detail(client, noted)
    assert MARKER in content and "Any time" in content
    assert MARKER not in detail(client, kept) and MARKER not in detail(client, silent)

    queue = client.get(QUEUE).content.decode()
    rows = {
        reference: row
        for row in re.findall(r"<tr>(.*?)</tr>", queue, re.S)
        for reference in re.findall(r">([A-Z0-9]{4}-[A-Z0-9]{4})</a>", row)
    }
    assert MARKER in rows[display_reference(noted.reference)]
    assert MARKER not in rows[display_reference(kept.reference)]
    assert MARKER not in rows[display_reference(silent.reference)]


@pytest.mark.parametrize("size", [2, 30])
def test_the_marker_costs_the_queue_no_more_queries(
    client, organisation_a, caseworker_a, django_assert_max_num_queries, size
):
    for number in range(size):
        with_times(make_referral(organisation_a), note="Only a note" if number % 2 else "")
    sign_in(client, caseworker_a)
    # The same 8 as test_triage's bound: the marker comes with the page's own query.
    with django_assert_max_num_queries(8):
        response = client.get(QUEUE)
    assert response.content.decode().count(MARKER) == min(size, 25) // 2


def test_staff_see_the_rows_held_their_words_and_empty_rows_to_add(
    client, organisation_a, caseworker_a
):
    windows = ContactWindows((Window(0, time(9), time(12)), Window(2, time(14), time(16, 30))))
    referral = with_times(
        make_referral(organisation_a), note="Mornings, or Wednesday afternoons", windows=windows
    )
    sign_in(client, caseworker_a)
    response = client.get(edit_url(referral))
    content = response.content.decode()
    assert response.status_code == 200
    assert "What they said:" in content and "Mornings, or Wednesday afternoons" in content
    assert "Monday, 9am to midday; Wednesday, 2pm to 4:30pm" in content
    assert 'name="windows-TOTAL_FORMS" value="5"' in content  # two held, three to add
    assert '<option value="monday" selected>' in content
    assert 'name="windows-1-starts" value="14:00"' in content
    assert 'name="windows-1-ends" value="16:30"' in content
    assert 'name="windows-0-DELETE"' in content and 'name="windows-2-DELETE"' not in content


def test_staff_turn_a_note_into_safe_times(client, organisation_a, caseworker_a):
    referral = with_times(make_referral(organisation_a), note="Weekday mornings")
    sign_in(client, caseworker_a)
    data = answers(
        **{
            str(day): (name, "09:00", "12:00")
            for day, name in enumerate(["monday", "tuesday", "wednesday", "thursday"])
        }
    )
    data["windows-TOTAL_FORMS"] = "5"
    data |= {"windows-4-day": "friday", "windows-4-starts": "9am", "windows-4-ends": "12pm"}
    response = client.post(edit_url(referral), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    safe = SafeContact.objects.get(referral=referral)
    assert safe.windows.describe() == "Monday to Friday, 9am to midday"
    assert safe.safe_times == "Weekday mornings" and not safe.only_a_note_about_times
    event = ReferralEvent.objects.filter(referral=referral, kind="safe_contact_updated").get()
    assert event.detail["changed"] == ["safe_windows"]
    assert "09:00" not in str(event.detail) and "monday" not in str(event.detail)
    timeline = client.get(reverse("referrals:timeline", kwargs={"referral_id": referral.pk}))
    assert "changed: safe times" in timeline.content.decode()
    assert MARKER not in detail(client, referral)


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        (("", "09:00", "12:00"), "day", "Choose a day."),
        (("monday", "", "12:00"), "starts", "Enter the time it becomes safe, like 09:30."),
        (("monday", "09:00", ""), "ends", "Enter the time it stops being safe, like 17:00."),
        (("monday", "17:00", "09:00"), "ends", "The end time must be later than the start time."),
        (("monday", "nine", "12:00"), "starts", "Enter a time like 09:30 or 17:00."),
        (("someday", "09:00", "12:00"), "day", "Choose a day of the week"),
    ],
)
def test_a_row_that_does_not_pass_is_explained_beside_it(
    client, organisation_a, caseworker_a, row, field, message
):
    referral = with_times(make_referral(organisation_a), windows=PRESETS["weekday_evenings"])
    sign_in(client, caseworker_a)
    response = client.post(edit_url(referral), answers(**{"1": row}))
    assert response.status_code == 400
    content = response.content.decode()
    error = re.search(rf'id="id_windows-1-{field}_error">(.*?)</div>', content, re.S)
    assert error and message in error.group(1)
    assert f'href="#id_windows-1-{field}"' in content  # from the summary at the top
    assert "<title>Error:" in content
    assert SafeContact.objects.get(referral=referral).windows == PRESETS["weekday_evenings"]


def test_a_time_held_is_removed_with_its_box_and_no_rows_is_any_time(
    client, organisation_a, caseworker_a
):
    windows = ContactWindows((Window(0, time(9), time(12)), Window(1, time(9), time(12))))
    referral = with_times(make_referral(organisation_a), windows=windows)
    sign_in(client, caseworker_a)
    data = answers(**{"0": ("monday", "09:00", "12:00"), "1": ("tuesday", "09:00", "12:00")})
    data |= {"windows-INITIAL_FORMS": "2", "windows-1-DELETE": "on"}
    assert client.post(edit_url(referral), data).status_code == 302
    assert SafeContact.objects.get(referral=referral).windows.describe() == "Monday, 9am to midday"
    data = answers()
    assert client.post(edit_url(referral), data).status_code == 302
    assert SafeContact.objects.get(referral=referral).windows.any_time


def test_a_page_opened_before_the_rows_existed_keeps_the_times(
    client, organisation_a, caseworker_a
):
    referral = with_times(make_referral(organisation_a), windows=PRESETS["weekday_daytimes"])
    sign_in(client, caseworker_a)
    data = {k: v for k, v in answers().items() if not k.startswith("windows-")}
    data["name_to_use"] = "Jo"
    assert client.post(edit_url(referral), data).status_code == 302
    safe = SafeContact.objects.get(referral=referral)
    assert safe.name_to_use == "Jo" and safe.windows == PRESETS["weekday_daytimes"]


def test_too_many_rows_are_refused_plainly(client, organisation_a, caseworker_a):
    referral = make_referral(organisation_a)
    sign_in(client, caseworker_a)
    data = answers(
        **{str(n): ("monday", f"{n % 10:02d}:00", f"{n % 10:02d}:30") for n in range(22)}
    )
    data["windows-TOTAL_FORMS"] = "22"
    response = client.post(edit_url(referral), data)
    assert response.status_code == 400
    assert "Give at most 21 safe times." in response.content.decode()
