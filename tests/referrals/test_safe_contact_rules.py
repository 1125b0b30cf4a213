"""The one check of what staff do against what the person said is safe
(``referrals.safe_contact_rules``): channels and times, a group's meetings and way of
meeting, the override with its reason (kept encrypted, on the timeline, audited), the
form's reason field and what is shown beside an action."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from portal.audit.models import AuditEvent
from portal.notifications.contact_windows import ContactWindows, Window
from referrals.forms_contact import ContactAttemptForm
from referrals.models import ReferralEvent, SafeContactOverride
from referrals.safe_contact_rules import (
    MEETINGS_CHECKED,
    Meeting,
    UnsafeContact,
    UnsafeOffer,
    contact_check,
    group_offer_check,
    group_offer_respected,
    moment_in_words,
    override_in_words,
    overrides_shown_on,
    safe_contact_respected,
)
from tests.crypto.test_personal_data_at_rest import canaries_in_the_database
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
WEEKDAYS_10_TO_2 = ContactWindows(tuple(Window(day, time(10), time(14)) for day in range(5)))
# Monday 7 December 2026 and the Saturday before it.
MONDAY_NOON = datetime(2026, 12, 7, 12, tzinfo=LONDON)
MONDAY_10AM = datetime(2026, 12, 7, 10, tzinfo=LONDON)
SATURDAY_7PM = datetime(2026, 12, 5, 19, tzinfo=LONDON)
ACTION = SafeContactOverride.Action.CONTACT_ATTEMPT


def with_windows(referral, windows=WEEKDAYS_10_TO_2):
    safe = referral.safe_contact
    safe.set_windows(windows)
    safe.save(update_fields=["contact_windows"])
    return referral


@pytest.fixture
def texts_only(organisation_a):
    """Safe to text, on weekdays from 10am to 2pm; nothing else."""
    return with_windows(make_referral(organisation_a, phone="07700 900123", safe_channels=["text"]))


# --- The check ---------------------------------------------------------------------------


def test_a_safe_channel_at_a_safe_time_is_safe(texts_only):
    check = contact_check(texts_only, channel="text", at=MONDAY_NOON)
    assert check.safe and check.problems == []
    assert check.next_safe_moment == MONDAY_NOON


def test_an_unsafe_channel_is_named_in_words(texts_only):
    check = contact_check(texts_only, channel="call", at=MONDAY_NOON)
    assert not check.safe and check.unsafe_channel and not check.unsafe_time
    assert check.problems == ["They have not said that phone call is safe."]


def test_an_unsafe_time_says_when_and_what_is_safe(texts_only):
    check = contact_check(texts_only, channel="text", at=SATURDAY_7PM)
    assert check.unsafe_time and not check.unsafe_channel
    assert check.problems == [
        "Saturday 5 December at 7pm is outside the times they said are safe "
        "(Monday to Friday, 10am to 2pm)."
    ]
    assert check.next_safe_moment == MONDAY_10AM
    assert check.next_safe_in_words == "Monday 7 December at 10am"


def test_both_at_once(texts_only):
    check = contact_check(texts_only, channel="call", at=SATURDAY_7PM)
    assert check.unsafe_channel and check.unsafe_time and len(check.problems) == 2


def test_untimed_checks_the_channel_only(texts_only):
    """A pack posted today lands on a day nobody chooses: only the channel counts."""
    assert contact_check(texts_only, channel="text", at=SATURDAY_7PM, timed=False).safe
    assert not contact_check(texts_only, channel="post", at=SATURDAY_7PM, timed=False).safe


def test_no_windows_is_any_time(organisation_a):
    referral = make_referral(organisation_a)
    assert contact_check(referral, channel="email", at=SATURDAY_7PM).safe


def test_the_moment_defaults_to_now(texts_only):
    with time_machine.travel(SATURDAY_7PM, tick=False):
        assert contact_check(texts_only, channel="text").unsafe_time
    with time_machine.travel(MONDAY_NOON, tick=False):
        assert contact_check(texts_only, channel="text").safe


def test_moments_in_words_keep_the_london_clock():
    assert moment_in_words(MONDAY_10AM) == "Monday 7 December at 10am"
    assert moment_in_words(datetime(2026, 7, 1, 13, 30, tzinfo=LONDON)) == (
        "Wednesday 1 July at 1:30pm"
    )
    assert moment_in_words(datetime(2026, 12, 7, 12, 0, 59, tzinfo=LONDON)).endswith("midday")


# --- Refused without a reason, recorded with one -----------------------------------------


def test_a_safe_action_records_nothing(texts_only, caseworker_a):
    assert (
        safe_contact_respected(
            referral=texts_only, action=ACTION, actor=caseworker_a, channel="text", at=MONDAY_NOON
        )
        is None
    )
    assert not SafeContactOverride.objects.exists()


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_an_unsafe_action_without_a_reason_is_refused(texts_only, caseworker_a, reason):
    with pytest.raises(UnsafeContact) as refused:
        safe_contact_respected(
            referral=texts_only,
            action=ACTION,
            actor=caseworker_a,
            channel="call",
            at=MONDAY_NOON,
            override_reason=reason,
        )
    assert refused.value.check.unsafe_channel
    assert "phone call" in str(refused.value)
    assert not SafeContactOverride.objects.exists()
    assert not ReferralEvent.objects.filter(kind="safe_contact_overridden").exists()


def test_with_a_reason_it_is_kept_encrypted_on_the_timeline_and_audited(texts_only, caseworker_a):
    reason = "Canaryreason: they rang us and asked for a call back"
    override = safe_contact_respected(
        referral=texts_only,
        action=ACTION,
        actor=caseworker_a,
        channel="call",
        at=SATURDAY_7PM,
        override_reason=f"  {reason}  ",
    )
    override.refresh_from_db()
    assert override.reason == reason
    assert (override.channel, override.unsafe_channel, override.unsafe_time) == ("call", True, True)
    assert override.contact_at == SATURDAY_7PM and override.actor == caseworker_a
    event = ReferralEvent.objects.get(kind="safe_contact_overridden")
    assert event.actor == caseworker_a
    assert event.detail == {
        "override": str(override.pk),
        "action": "contact_attempt",
        "channel": "call",
        "unsafe_channel": True,
        "unsafe_time": True,
    }
    audit = AuditEvent.objects.get(detail__change="safe_contact_overridden")
    assert audit.target_id == str(texts_only.pk) and audit.actor == caseworker_a
    # The reason is only on the override, encrypted: not in the event, the audit or
    # anywhere else in the database in plain text.
    assert "Canaryreason" not in str(event.detail) + str(audit.detail)
    assert canaries_in_the_database({"reason": "Canaryreason"}) == []


def test_a_very_long_reason_is_kept_to_its_limit(texts_only, caseworker_a):
    override = safe_contact_respected(
        referral=texts_only,
        action=ACTION,
        actor=caseworker_a,
        channel="call",
        at=MONDAY_NOON,
        override_reason="x" * 5000,
    )
    override.refresh_from_db()
    assert len(override.reason) == 1000


# --- A group's meetings and way of meeting -----------------------------------------------


def meeting(start: datetime, minutes: int = 90) -> Meeting:
    return Meeting(starts_at=start, ends_at=start + timedelta(minutes=minutes))


def test_meetings_inside_their_times_and_the_format_they_asked_for_fit(texts_only):
    check = group_offer_check(
        texts_only, meetings=[meeting(MONDAY_10AM), meeting(MONDAY_NOON)], group_format="zoom"
    )
    assert check.fits and check.problems == []


def test_an_evening_meeting_and_one_running_past_the_window_clash(texts_only):
    evening = meeting(datetime(2026, 12, 8, 19, tzinfo=LONDON))
    overruns = meeting(datetime(2026, 12, 9, 13, tzinfo=LONDON))  # 1pm to 2:30pm
    check = group_offer_check(
        texts_only, meetings=[overruns, evening, meeting(MONDAY_10AM)], group_format="zoom"
    )
    assert check.clashes == (evening, overruns)
    assert check.clashes_in_words == [
        "Tuesday 8 December at 7pm to 8:30pm",
        "Wednesday 9 December at 1pm to 2:30pm",
    ]
    assert check.problems == [
        "2 of its coming meetings are outside the times they said are safe "
        "(Monday to Friday, 10am to 2pm):"
    ]


def test_only_the_next_few_meetings_are_checked(texts_only):
    start = datetime(2026, 12, 8, 19, tzinfo=LONDON)
    weekly = [meeting(start + timedelta(weeks=n)) for n in range(MEETINGS_CHECKED + 4)]
    check = group_offer_check(texts_only, meetings=reversed(weekly), group_format="zoom")
    assert len(check.clashes) == MEETINGS_CHECKED and check.clashes[0] == weekly[0]


@pytest.mark.parametrize(
    ("preference", "group_format", "mismatch"),
    [
        ("zoom", "zoom", False),
        ("zoom", "in_person", True),
        ("in_person", "zoom", True),
        ("either", "in_person", False),
        ("either", "zoom", False),
    ],
)
def test_the_way_of_meeting_against_their_preference(
    organisation_a, preference, group_format, mismatch
):
    referral = make_referral(organisation_a, format_preference=preference)
    check = group_offer_check(referral, meetings=[], group_format=group_format)
    assert check.format_mismatch is mismatch and check.fits is not mismatch
    if mismatch:
        assert check.problems[-1].startswith("It meets ")


def test_an_offer_that_does_not_fit_needs_a_reason_and_records_the_first_clash(
    organisation_a, caseworker_a
):
    referral = with_windows(make_referral(organisation_a, format_preference="zoom"))
    evening = meeting(datetime(2026, 12, 8, 19, tzinfo=LONDON))
    arguments = dict(
        referral=referral, actor=caseworker_a, meetings=[evening], group_format="in_person"
    )
    with pytest.raises(UnsafeOffer) as refused:
        group_offer_respected(**arguments)
    assert refused.value.check.format_mismatch and refused.value.check.clashes
    override = group_offer_respected(**arguments, override_reason="Home alone on Tuesdays")
    assert override.action == SafeContactOverride.Action.GROUP_OFFER
    assert (override.channel, override.unsafe_time, override.unsafe_channel) == ("", True, True)
    assert override.contact_at == evening.starts_at
    event = ReferralEvent.objects.get(kind="safe_contact_overridden")
    assert event.detail["meetings_outside"] == 1 and event.detail["group_format"] == "in_person"
    assert override_in_words(override, event.detail) == (
        "Offered a place in a group: a group that meets in person, not as they asked to "
        "meet; first meeting on Tuesday 8 December at 7pm, outside their safe times."
    )


def test_a_fitting_offer_records_nothing(texts_only, caseworker_a):
    assert (
        group_offer_respected(
            referral=texts_only,
            actor=caseworker_a,
            meetings=[meeting(MONDAY_10AM)],
            group_format="zoom",
        )
        is None
    )


# --- Shown afterwards --------------------------------------------------------------------


def test_an_override_in_words(texts_only, caseworker_a):
    override = safe_contact_respected(
        referral=texts_only,
        action=ACTION,
        actor=caseworker_a,
        channel="call",
        at=SATURDAY_7PM,
        override_reason="They asked",
    )
    assert override_in_words(override) == (
        "Logged a contact attempt: by phone call, which they have not said is safe; "
        "on Saturday 5 December at 7pm, outside their safe times."
    )


def test_the_timeline_reads_every_override_in_one_query_and_none_without(texts_only, caseworker_a):
    events = list(ReferralEvent.objects.filter(referral=texts_only))
    with CaptureQueriesContext(connection) as queries:
        overrides_shown_on(events)
    assert len(queries) == 0
    for n in range(5):
        safe_contact_respected(
            referral=texts_only,
            action=ACTION,
            actor=caseworker_a,
            channel="call",
            at=MONDAY_NOON,
            override_reason=f"Reason {n}",
        )
    events = list(ReferralEvent.objects.filter(referral=texts_only).order_by("at", "id"))
    with CaptureQueriesContext(connection) as queries:
        shown = overrides_shown_on(events)
    assert len(queries) == 1
    reasons = [event.override.reason for event in shown if hasattr(event, "override")]
    assert reasons == [f"Reason {n}" for n in range(5)]
    assert all(event.override_words.startswith("Logged") for event in shown[1:])


# --- The form's reason field and the include ---------------------------------------------


def test_the_forms_refusal_sits_beside_the_reason_field(texts_only):
    form = ContactAttemptForm({"channel": "call", "outcome": "reached"})
    assert form.is_valid()
    form.unsafe(UnsafeContact(contact_check(texts_only, channel="call", at=MONDAY_NOON)))
    assert form.errors["override_reason"] == [
        "They have not said that phone call is safe. Give a reason to go ahead anyway, or "
        "choose a safe way or time."
    ]


def test_the_include_shows_what_is_safe_and_a_refusal(texts_only):
    safe = texts_only.safe_contact
    quiet = render_to_string(
        "referrals/includes/safe_contact_beside_action.html", {"safe": safe, "action_id": "x"}
    )
    assert "Text message" in quiet and "Monday to Friday, 10am to 2pm" in quiet
    assert 'id="safe-beside-x"' in quiet and 'role="alert"' not in quiet
    refused = render_to_string(
        "referrals/includes/safe_contact_beside_action.html",
        {
            "safe": safe,
            "check": contact_check(texts_only, channel="text", at=SATURDAY_7PM),
            "override_field": "present",
        },
    )
    assert "This is not what they said is safe." in refused
    assert "Their next safe time is Monday 7 December at 10am." in refused
    assert "give your reason for going ahead" in refused
