"""Safe times on the self-referral: the simple choices become windows the portal keeps,
with plain errors beside the field, kept as typed across the pages and in the encrypted
draft, and said in words on the check page and to staff."""

from __future__ import annotations

import html
from datetime import time

import pytest
from django.http import QueryDict

from portal.notifications.contact_windows import PRESETS, ContactWindows, Window
from referrals.forms import SafeContactStepForm
from referrals.forms_safe_times import parse_clock, typed_safe_times_in_words
from referrals.models import Referral
from tests.referrals.self_referral import (
    ANSWERS,
    answer,
    error_beside,
    go_to,
    page,
    post,
    send,
    stored_draft,
)

pytestmark = pytest.mark.django_db

SAFE = ANSWERS["safe-contact"]


def step_form(**changes) -> SafeContactStepForm:
    return SafeContactStepForm(data={**SAFE, **changes}, email="pat@example.org")


@pytest.mark.parametrize(
    ("choice", "windows"),
    [
        ("any_time", ContactWindows()),
        ("weekday_daytimes", PRESETS["weekday_daytimes"]),
        ("weekday_evenings", PRESETS["weekday_evenings"]),
    ],
)
def test_each_simple_choice_is_its_windows(choice, windows):
    form = step_form(safe_times_choice=choice, safe_days=["sunday"], safe_from="06:00")
    assert form.is_valid(), form.errors
    # Days and times under "Let me choose" are read only when it is chosen.
    assert form.details().windows == windows


def test_let_me_choose_is_the_days_chosen_between_the_times():
    form = step_form(
        safe_times_choice="custom",
        safe_days=["tuesday", "thursday"],
        safe_from="10:00",
        safe_to="2pm",
    )
    assert form.is_valid(), form.errors
    windows = form.details().windows
    assert windows == ContactWindows((Window(1, time(10), time(14)), Window(3, time(10), time(14))))
    assert windows.describe() == "Tuesday, 10am to 2pm; Thursday, 10am to 2pm"


def test_days_and_times_without_a_choice_are_taken_as_let_me_choose():
    form = step_form(safe_times_choice="", safe_days=["monday"], safe_from="9", safe_to="12")
    assert form.is_valid(), form.errors
    assert form.details().windows.describe() == "Monday, 9am to midday"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"safe_times_choice": ""}, "safe_times_choice", "Choose when it is safe to contact you"),
        (
            {"safe_times_choice": "custom", "safe_from": "09:00", "safe_to": "17:00"},
            "safe_days",
            "Choose at least one day.",
        ),
        (
            {"safe_times_choice": "custom", "safe_days": ["monday"], "safe_to": "17:00"},
            "safe_from",
            "Enter the time it becomes safe, like 09:30.",
        ),
        (
            {"safe_times_choice": "custom", "safe_days": ["monday"], "safe_from": "09:00"},
            "safe_to",
            "Enter the time it stops being safe, like 17:00.",
        ),
        (
            {
                "safe_times_choice": "custom",
                "safe_days": ["monday"],
                "safe_from": "17:00",
                "safe_to": "09:00",
            },
            "safe_to",
            "The end time must be later than the start time.",
        ),
        (
            {
                "safe_times_choice": "custom",
                "safe_days": ["monday"],
                "safe_from": "teatime",
                "safe_to": "09:00",
            },
            "safe_from",
            "Enter a time like 09:30 or 17:00.",
        ),
        ({"safe_times_choice": "custom", "safe_days": ["funday"]}, "safe_days", "Choose from"),
        ({"safe_times_choice": "keep"}, "safe_times_choice", "Choose one of the options"),
    ],
)
def test_problems_are_said_plainly_beside_the_field(changes, field, message):
    form = step_form(**changes)
    assert not form.is_valid()
    assert any(message in error for error in form.errors[field]), form.errors


@pytest.mark.parametrize(
    ("typed", "clock"),
    [
        ("09:30", time(9, 30)),
        ("9:30", time(9, 30)),
        ("17.00", time(17)),
        ("9am", time(9)),
        ("5:30 pm", time(17, 30)),
        ("12am", time(0)),
        ("12pm", time(12)),
        ("midday", time(12)),
        ("23:59", time(23, 59)),
        ("24:00", None),
        ("13pm", None),
        ("9:75", None),
        ("soon", None),
        ("", None),
    ],
)
def test_times_are_read_as_people_write_them(typed, clock):
    assert parse_clock(typed) == clock


def test_what_was_typed_is_said_back_even_when_it_does_not_pass():
    def said(**data):
        query = QueryDict(mutable=True)
        for name, value in data.items():
            query.setlist(name, value if isinstance(value, list) else [value])
        return typed_safe_times_in_words(query)

    assert said(safe_times_choice="weekday_evenings") == "Monday to Friday, 5pm to 9pm"
    assert said(safe_times_choice="any_time") == "Any time"
    assert said() == ""
    unfinished = said(safe_times_choice="custom", safe_days=["monday", "friday"], safe_from="9")
    assert unfinished == "Monday, Friday from 9 to ?"


# --- On the self-referral itself ---------------------------------------------------------


def test_weekday_daytimes_reach_the_referral_and_are_said_in_words(client, organisation_a):
    answer(
        client,
        organisation_a,
        **{"safe-contact": {**SAFE, "safe_times_choice": "weekday_daytimes"}},
    )
    check = html.unescape(page(client, organisation_a))
    assert "Safe days and times" in check
    assert "Monday to Friday, 9am to 5pm" in check
    assert "You also said: Weekday mornings" in check
    send(client, organisation_a)
    safe = Referral.objects.get().safe_contact
    assert safe.windows == PRESETS["weekday_daytimes"]
    assert safe.safe_times == "Weekday mornings" and not safe.only_a_note_about_times


def test_let_me_choose_is_kept_across_the_pages_and_in_the_draft(client, organisation_a):
    chosen = {
        **SAFE,
        "safe_times_choice": "custom",
        "safe_days": ["saturday", "sunday"],
        "safe_from": "10:00",
        "safe_to": "13:30",
    }
    answer(client, organisation_a, until="agreement", **{"safe-contact": chosen})
    kept = stored_draft(client, organisation_a)["answers"]["safe-contact"]
    assert kept["safe_times_choice"] == "custom"
    assert kept["safe_days"] == ["saturday", "sunday"]
    assert (kept["safe_from"], kept["safe_to"]) == ("10:00", "13:30")

    # Back to the question: what they chose is there, as they chose it.
    shown = go_to(client, organisation_a, "safe-contact")
    assert 'value="custom" id="id_safe_times_choice_3" checked' in shown
    assert 'value="saturday" id="id_safe_days_5" checked' in shown
    assert 'value="sunday" id="id_safe_days_6" checked' in shown
    assert 'name="safe_from" value="10:00"' in shown and 'name="safe_to" value="13:30"' in shown

    post(client, organisation_a, {"step": "safe-contact", **chosen})
    post(client, organisation_a, {"step": "agreement", **ANSWERS["agreement"]})
    assert "Saturday and Sunday, 10am to 1:30pm" in page(client, organisation_a)
    send(client, organisation_a)
    windows = Referral.objects.get().safe_contact.windows
    assert windows.describe() == "Saturday and Sunday, 10am to 1:30pm"


def test_a_problem_is_shown_beside_the_field_with_what_was_typed(client, organisation_a):
    answer(client, organisation_a, until="safe-contact")
    typed = {
        **SAFE,
        "safe_times_choice": "custom",
        "safe_days": ["wednesday"],
        "safe_from": "18:00",
        "safe_to": "08:00",
    }
    post(client, organisation_a, {"step": "safe-contact", **typed})
    content = page(client, organisation_a)
    assert "The end time must be later than the start time." in error_beside(content, "safe_to")
    assert "There is a problem" in content and "<title>Error:" in content
    assert 'href="#id_safe_to"' in content  # the summary leads to the field
    assert 'value="wednesday" id="id_safe_days_2" checked' in content
    assert 'name="safe_from" value="18:00"' in content
    # Nothing kept as an answer until it passes.
    assert "safe-contact" not in stored_draft(client, organisation_a).get("answers", {})


def test_the_form_says_bank_holidays_take_their_sunday_times(client, organisation_a):
    answer(client, organisation_a, until="safe-contact")
    content = page(client, organisation_a)
    assert "On bank holidays, we use your Sunday times." in content
    for label in (
        "Any time",
        "Weekday daytimes (Monday to Friday, 9am to 5pm)",
        "Weekday evenings (Monday to Friday, 5pm to 9pm)",
        "Let me choose",
    ):
        assert label in content, label


def test_the_time_fields_are_not_kept_by_a_shared_browser(client, organisation_a):
    answer(client, organisation_a, until="safe-contact")
    content = page(client, organisation_a)
    for name in ("safe_from", "safe_to"):
        tag = content.split(f'name="{name}"')[1].split(">")[0]
        assert 'autocomplete="off"' in tag, name
