"""The public self-referral: one question per page, all at one address, answers kept until
sent, sent once.

Also the private link that stops all contact.
"""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from portal.notifications.models import MessageLog
from referrals.consent import SELF_REFERRAL_VERSION, statement
from referrals.models import ConsentRecord, Referral, SafeContact, SelfReferralDraft
from referrals.references import display_reference
from referrals.selfreferral import IDLE_LIMIT, STEPS
from tests.factories import OrganisationFactory
from tests.referrals.self_referral import (
    ANSWERS,
    answer,
    draft_row,
    error_beside,
    form_url,
    go_to,
    heading,
    page,
    post,
    question,
    replace_draft,
    send,
    session_key,
    stored_draft,
    submission_key,
)

pytestmark = pytest.mark.django_db

# --- The whole journey -------------------------------------------------------------


def test_the_whole_self_referral_from_first_step_to_confirmation(
    client, organisation_a, django_capture_on_commit_callbacks
):
    # With one organisation accepting referrals, /refer/ goes straight to its one address.
    choose = client.get(reverse("selfreferral:choose"))
    assert choose["Location"] == form_url(organisation_a)
    start = client.get(choose["Location"]).content.decode()
    assert "Exit this page" in start and "Start now" in start
    assert 'name="go" value="relationship"' in start

    first = go_to(client, organisation_a, "relationship")
    assert question(first) == "Question 1 of 9"
    answer(client, organisation_a)
    check = page(client, organisation_a)
    for shown in (
        "Parent or step-parent",
        "They have been released under investigation",
        "Kent",
        "Step-free access, please",
        "Pat Doe",
        "pat@example.org",
        "07911 123456",
        "Weekday mornings",
    ):
        assert shown in check, shown
    agreement = statement(SELF_REFERRAL_VERSION, organisation_name=organisation_a.name).text
    assert html.escape(agreement) in check
    assert check.count('name="change"') == 17

    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, organisation_a)
    assert response.status_code == 303
    assert response["Location"] == form_url(organisation_a)

    referral = Referral.objects.get()
    assert referral.organisation == organisation_a
    assert referral.source == "self" and referral.referred_by is None
    assert referral.full_name == "Pat Doe" and referral.email == "pat@example.org"
    assert referral.phone == "+447911123456"
    assert (referral.relationship, referral.stage) == ("parent", "released_under_investigation")
    assert (referral.children_in_household, referral.support_wanted) == ("yes", "peer_group")
    assert (referral.format_preference, referral.area) == ("either", "Kent")
    assert referral.accessibility_needs == "Step-free access, please"

    safe = SafeContact.objects.get(referral=referral)
    assert safe.safe_channels == ["email"]
    assert safe.safe_times == "Weekday mornings" and safe.name_to_use == "Pat"
    assert not safe.may_name_organisation and not safe.shares_device_with_person
    assert safe.shares_address_with_person

    consent = ConsentRecord.objects.get(referral=referral)
    assert consent.action == "given" and consent.method == "online_form"
    assert consent.statement_version == SELF_REFERRAL_VERSION
    assert (
        consent.statement_text
        == statement(SELF_REFERRAL_VERSION, organisation_name=organisation_a.name).text
    )
    assert consent.scope["channels"] == ["email"]

    # The answers are gone; the session keeps only the referral's id.
    session = client.session
    assert session_key(organisation_a) not in session
    assert not SelfReferralDraft.objects.exists()
    assert session[f"{session_key(organisation_a)}:done"]["referral"] == str(referral.pk)
    assert "Pat Doe" not in str(dict(session.items()))

    # The confirmation is shown at the same address.
    done = page(client, organisation_a)
    assert "Request sent" in done
    assert display_reference(referral.reference) in done
    assert "within 2 working days" in done and "ways you told us are safe" in done
    for number in ("999", "116 123", "0800 1111", "0808 1000 900"):
        assert number in done
    assert reverse("public:get-help-now") in done
    for private in ("Pat Doe", "pat@example.org", "07911", "Kent", "Weekday mornings"):
        assert private not in done
    assert "data-quick-exit" in done

    # The acknowledgement went by the only safe channel, neutrally worded.
    assert len(mail.outbox) == 1


def test_the_confirmation_uses_the_organisations_first_contact_deadline(client):
    organisation = OrganisationFactory(first_contact_working_days=3)
    answer(client, organisation)
    send(client, organisation)
    assert "within 3 working days" in page(client, organisation)


def test_the_organisation_list_shows_only_those_accepting_referrals(client, organisation_a):
    OrganisationFactory(name="Organisation Open")
    OrganisationFactory(name="Organisation Closed", is_accepting_referrals=False)
    content = client.get(reverse("selfreferral:choose")).content.decode()
    assert "Organisation A" in content and "Organisation Open" in content
    assert "Organisation Closed" not in content


def test_an_organisation_not_accepting_referrals_says_so_kindly(client, organisation_a):
    organisation_a.is_accepting_referrals = False
    organisation_a.save()
    response = client.get(form_url(organisation_a))
    assert response.status_code == 200
    assert "Not taking new requests at the moment" in response.content.decode()
    response = client.post(form_url(organisation_a), {"step": "relationship", "relationship": "x"})
    assert "Not taking new requests at the moment" in response.content.decode()
    assert not client.session.get(session_key(organisation_a))


def test_an_unknown_organisation_or_step_is_not_found_or_changes_nothing(client, organisation_a):
    assert client.get("/refer/no-such-charity/").status_code == 404
    # The questions have no addresses of their own any more.
    assert client.get(form_url(organisation_a) + "stage/").status_code == 404
    post(client, organisation_a, {"step": "no-such-step", "relationship": "parent"})
    post(client, organisation_a, {"go": "no-such-step"})
    post(client, organisation_a, {"change": "no-such-step"})
    post(client, organisation_a, {"unexpected": "x"})
    assert stored_draft(client, organisation_a) == {}
    assert "Start now" in page(client, organisation_a)


@pytest.mark.parametrize(
    "data",
    [
        {"step": "\x00", "relationship": "parent"},
        {"step": ["relationship", "children"], "children_in_household": "yes"},
        {"step": "about-you", "full_name": "\x00" * 10, "email": ["a", "b"]},
        {"go": "x" * 10_000},
        {"go": ["start", "check"]},
        {"change": "\x00"},
        {"change": "start"},
        {"submission_key": ["a" * 32, "b" * 32]},
    ],
)
def test_junk_posted_to_the_one_address_shows_a_page_and_never_an_error(
    client, organisation_a, data
):
    answer(client, organisation_a, until="children")
    post(client, organisation_a, data)
    content = page(client, organisation_a)
    assert question(content) or "Start now" in content


def test_every_page_has_quick_exit_and_a_neutral_heading(client, organisation_a):
    pages = [page(client, organisation_a)]
    for step in STEPS:
        shown = go_to(client, organisation_a, step.slug)
        assert question(shown) == f"Question {STEPS.index(step) + 1} of 9"
        pages.append(shown)
        post(client, organisation_a, {"step": step.slug, **ANSWERS[step.slug]})
    pages.append(page(client, organisation_a))
    for content in pages:
        assert "data-quick-exit" in content
        title = heading(content).lower()
        for word in ("offence", "police", "investigat", "arrest", "crime", "abuse"):
            assert word not in title, title


def back_button(content: str) -> str:
    """Where the page's Back button goes."""
    form = re.search(r'<form[^>]*class="back-form".*?</form>', content, re.S).group(0)
    assert '<button type="submit" class="back-link">Back</button>' in form
    return re.search(r'name="go" value="([^"]+)"', form).group(1)


def test_each_step_shows_a_back_button_and_where_you_are(client, organisation_a):
    answer(client, organisation_a, until="children")
    content = page(client, organisation_a)
    assert question(content) == "Question 3 of 9"
    assert back_button(content) == "stage"
    first = go_to(client, organisation_a, "relationship")
    assert back_button(first) == "start"
    assert "Start now" in go_to(client, organisation_a, "start")
    # Going back keeps the answers, and Start now comes back to the first question.
    assert re.search(r'value="parent"[^>]*checked', go_to(client, organisation_a, "relationship"))


def test_the_agreement_page_shows_the_exact_statement(client, organisation_a):
    answer(client, organisation_a, until="agreement")
    content = page(client, organisation_a)
    text = statement(SELF_REFERRAL_VERSION, organisation_name=organisation_a.name).text
    assert html.escape(text) in content
    assert 'type="checkbox" name="agree"' in content and "I agree" in content


# --- Validation, one page at a time --------------------------------------------------


@pytest.mark.parametrize(
    ("step", "data", "field", "message", "kept"),
    [
        (
            "agreement",
            {},
            "agree",
            "You need to agree before we can contact you. If you'd rather not, you can still "
            "use our get help now page.",
            [],
        ),
        (
            "about-you",
            {"full_name": "Pat Doe", "email": "pat@", "phone": "07911 123456"},
            "email",
            "Enter an email address in the right format, like name@example.com.",
            ['value="Pat Doe"', 'value="pat@"', 'value="07911 123456"'],
        ),
        (
            "about-you",
            {"full_name": "Pat Doe", "email": "pat@example.org", "phone": "+1 202 555 0143"},
            "phone",
            "Enter a UK phone number. We can only call or text UK numbers.",
            ['value="Pat Doe"', 'value="pat@example.org"', 'value="+1 202 555 0143"'],
        ),
        (
            "about-you",
            {"full_name": "Pat Doe", "email": "", "phone": "0770"},
            "phone",
            "Enter a UK phone number, like",
            ['value="Pat Doe"', 'value="0770"'],
        ),
        (
            "about-you",
            {"full_name": "Pat Doe", "email": "", "phone": ""},
            "email",
            "Enter an email address or a UK phone number, or both, so that we can contact you.",
            ['value="Pat Doe"'],
        ),
        (
            "about-you",
            {"full_name": "", "email": "pat@example.org", "phone": ""},
            "full_name",
            "Enter a name.",
            ['value="pat@example.org"'],
        ),
        (
            "about-you",
            {"full_name": "N" * 100_000, "email": "pat@example.org", "phone": ""},
            "full_name",
            "Keep the name to 150 characters or fewer.",
            ['value="pat@example.org"'],
        ),
        (
            "about-you",
            {"full_name": "Pat Doe", "email": "", "phone": "0" * 5000},
            "phone",
            "Keep the phone number to 30 characters or fewer.",
            ['value="Pat Doe"'],
        ),
        ("stage", {"stage": "convicted"}, "stage", "Choose one of the options listed.", []),
        ("relationship", {}, "relationship", "Choose who you are to the person.", []),
        (
            "meeting",
            {"format_preference": "", "area": "Leeds"},
            "format_preference",
            "Choose how you would prefer to meet.",
            ['value="Leeds"'],
        ),
        (
            "meeting",
            {"format_preference": "zoom", "area": "L" * 101},
            "area",
            "Keep this to 100 characters or fewer.",
            ['value="zoom" id="id_format_preference_0" required checked'],
        ),
        (
            "access-needs",
            {"accessibility_needs": "x" * 2001},
            "accessibility_needs",
            "Keep this to 2000 characters or fewer.",
            [],
        ),
        (
            "safe-contact",
            {**ANSWERS["safe-contact"], "safe_channels": []},
            "safe_channels",
            "Choose at least one way that is safe to contact you.",
            ['value="Weekday mornings"'],
        ),
        (
            "safe-contact",
            {**ANSWERS["safe-contact"], "safe_channels": ["carrier_pigeon"]},
            "safe_channels",
            "Choose from the ways listed.",
            ['value="Weekday mornings"'],
        ),
    ],
)
def test_each_step_explains_the_problem_beside_the_field_and_keeps_what_was_typed(
    client, organisation_a, step, data, field, message, kept
):
    answer(client, organisation_a, until=step)
    post(client, organisation_a, {"step": step, **data})
    # Shown after the redirect, and again on a reload, at the same address.
    for _ in range(2):
        content = page(client, organisation_a)
        assert message in error_beside(content, field)
        assert "There is a problem" in content and content.count(message[:30]) >= 2
        assert heading(content) and "<title>Error:" in content
        for value in kept:
            assert value in content, value
    assert step not in stored_draft(client, organisation_a).get("answers", {})


def test_answers_that_did_not_pass_go_once_the_visitor_moves_on(client, organisation_a):
    answer(client, organisation_a, until="meeting")
    post(client, organisation_a, {"step": "meeting", "format_preference": "", "area": "Leeds"})
    assert "Leeds" in json.dumps(stored_draft(client, organisation_a))
    content = go_to(client, organisation_a, "support")
    assert "There is a problem" not in content
    assert "Leeds" not in json.dumps(stored_draft(client, organisation_a))


def test_each_safe_channel_needs_its_contact_detail(client, organisation_a):
    answer(
        client,
        organisation_a,
        until="safe-contact",
        **{"about-you": {"full_name": "Pat Doe", "email": "", "phone": "0113 496 0000"}},
    )
    data = {**ANSWERS["safe-contact"], "safe_channels": ["email", "post", "text"]}
    post(client, organisation_a, {"step": "safe-contact", **data})
    content = page(client, organisation_a)
    channels = error_beside(content, "safe_channels")
    assert "You chose email: we need an email address." in channels
    assert "the phone number you gave is not a mobile number" in channels
    assert "You chose post: enter the postal address." in error_beside(content, "postal_address")

    data = {
        **ANSWERS["safe-contact"],
        "safe_channels": ["call", "voicemail", "post"],
        "postal_address": "1 Example Street\nExampletown\nEX1 1EX",
    }
    post(client, organisation_a, {"step": "safe-contact", **data})
    assert question(page(client, organisation_a)) == "Question 9 of 9"


def test_a_phone_channel_needs_a_phone_number(client, organisation_a):
    answer(
        client,
        organisation_a,
        until="safe-contact",
        **{"about-you": {"full_name": "Pat Doe", "email": "pat@example.org", "phone": ""}},
    )
    data = {**ANSWERS["safe-contact"], "safe_channels": ["voicemail"]}
    post(client, organisation_a, {"step": "safe-contact", **data})
    assert "we need a phone number" in error_beside(page(client, organisation_a), "safe_channels")


def test_extra_fields_are_ignored(client, organisation_a):
    post(
        client,
        organisation_a,
        {
            "step": "relationship",
            "relationship": "friend",
            "is_superuser": "1",
            "organisation": "other",
            "state": "x",
        },
    )
    stored = stored_draft(client, organisation_a)["answers"]
    assert stored == {"relationship": {"relationship": "friend"}}


# --- Answers kept, in order, and changed --------------------------------------------


def test_answers_survive_going_back_and_a_reload(client, organisation_a):
    answer(client, organisation_a, until="agreement")
    go_to(client, organisation_a, "about-you")
    for _ in range(2):
        shown = page(client, organisation_a)
        assert 'value="Pat Doe"' in shown and 'value="pat@example.org"' in shown
        assert 'value="07911 123456"' in shown
    shown = go_to(client, organisation_a, "relationship")
    assert re.search(r'value="parent"[^>]*checked', shown)
    shown = go_to(client, organisation_a, "safe-contact")
    assert re.search(r'value="email"[^>]*checked', shown)
    assert "There is a problem" not in shown
    # Going back does not lose the later answers.
    assert question(go_to(client, organisation_a, "agreement")) == "Question 9 of 9"


def test_a_reload_of_the_check_page_keeps_the_same_submission_key(client, organisation_a):
    answer(client, organisation_a)
    assert submission_key(client, organisation_a) == submission_key(client, organisation_a)


def test_a_change_button_saves_and_returns_to_the_check_page(client, organisation_a):
    answer(client, organisation_a)
    shown = go_to(client, organisation_a, "meeting", change=True)
    assert question(shown) == "Question 5 of 9"
    assert back_button(shown) == "check"
    assert "Save and go back to your answers" in shown
    post(
        client,
        organisation_a,
        {"step": "meeting", "format_preference": "zoom", "area": "Leeds"},
    )
    content = page(client, organisation_a)
    assert "Check your answers before sending" in content
    assert "Leeds" in content and "Online, on Zoom" in content


def test_a_change_that_breaks_a_later_answer_is_shown_beside_that_answer(client, organisation_a):
    answer(client, organisation_a)
    go_to(client, organisation_a, "about-you", change=True)
    post(
        client,
        organisation_a,
        {"step": "about-you", "full_name": "Pat Doe", "email": "", "phone": "07911 123456"},
    )
    content = page(client, organisation_a)
    assert question(content) == "Question 8 of 9"
    assert "Save and go back to your answers" in content
    assert "You chose email: we need an email address." in error_beside(content, "safe_channels")


def test_steps_reached_out_of_order_go_to_the_first_unanswered_one(client, organisation_a):
    assert question(go_to(client, organisation_a, "stage")) == "Question 1 of 9"
    post(client, organisation_a, {"step": "relationship", **ANSWERS["relationship"]})
    assert question(go_to(client, organisation_a, "agreement")) == "Question 2 of 9"
    post(client, organisation_a, {"step": "about-you", **ANSWERS["about-you"]})
    assert question(page(client, organisation_a)) == "Question 2 of 9"
    assert question(go_to(client, organisation_a, "check")) == "Question 2 of 9"
    assert "about-you" not in stored_draft(client, organisation_a)["answers"]
    # Nothing sent yet: sending goes back to the first gap, and no confirmation shows.
    client.post(form_url(organisation_a), {"submission_key": "k" * 32})
    assert question(page(client, organisation_a)) == "Question 2 of 9"
    assert not Referral.objects.exists()


def test_answers_left_for_an_hour_are_forgotten(client, organisation_a):
    answer(client, organisation_a, until="agreement")
    with time_machine.travel(timezone.now() + IDLE_LIMIT + timedelta(minutes=1)):
        content = page(client, organisation_a)
    assert "Start now" in content
    assert "we cleared them after an hour" in content
    assert "Pat Doe" not in content
    assert session_key(organisation_a) not in client.session


def test_answers_for_one_organisation_are_not_shown_for_another(client, organisation_a):
    other = OrganisationFactory(name="Organisation Other")
    answer(client, organisation_a, until="agreement")
    assert "Start now" in page(client, other)
    assert question(go_to(client, other, "about-you")) == "Question 1 of 9"


# --- Sending once, and only valid answers --------------------------------------------


def test_a_double_click_creates_one_referral(client, organisation_a):
    answer(client, organisation_a)
    key = submission_key(client, organisation_a)
    first = client.post(form_url(organisation_a), {"submission_key": key})
    second = client.post(form_url(organisation_a), {"submission_key": key})
    assert first["Location"] == second["Location"] == form_url(organisation_a)
    assert Referral.objects.count() == 1
    assert Referral.objects.get().submission_key == key
    assert "Request sent" in page(client, organisation_a)


def test_a_resent_key_after_the_session_was_lost_still_creates_one_referral(client, organisation_a):
    # Two requests racing with the same answers: the service returns the first referral.
    answer(client, organisation_a)
    key = submission_key(client, organisation_a)
    saved = dict(client.session.items())
    row = draft_row(client, organisation_a)
    client.post(form_url(organisation_a), {"submission_key": key})
    row.save(force_insert=True)  # as the second request read it, before the first sent it
    session = client.session
    session.update(saved)
    session.pop(f"{session_key(organisation_a)}:done", None)
    session.save()
    post(client, organisation_a, {"submission_key": key})
    assert Referral.objects.count() == 1
    assert "Request sent" in page(client, organisation_a)


@pytest.mark.parametrize("key", ["", "forged-but-well-formed-key-123", "<script>", "k" * 500])
def test_a_missing_or_forged_submission_key_creates_nothing(client, organisation_a, key):
    answer(client, organisation_a)
    submission_key(client, organisation_a)
    post(client, organisation_a, {"submission_key": key})
    content = page(client, organisation_a)
    assert "Check your answers before sending" in content and "<title>Error:" in content
    assert "Please check your answers and then send them again." in content
    assert not Referral.objects.exists()


def test_a_tampered_stored_draft_is_rejected_at_submit(client, organisation_a):
    answer(client, organisation_a)
    key = submission_key(client, organisation_a)
    draft = stored_draft(client, organisation_a)
    draft["answers"]["stage"] = {"stage": "not-a-stage"}
    replace_draft(client, organisation_a, draft)

    post(client, organisation_a, {"submission_key": key})
    assert not Referral.objects.exists()
    content = page(client, organisation_a)
    assert question(content) == "Question 2 of 9"
    assert "Choose one of the options listed." in error_beside(content, "stage")


@pytest.mark.parametrize(
    "tamper",
    [
        lambda answers: answers.update({"about-you": "not a dict"}),
        lambda answers: answers["about-you"].update({"full_name": ["a", "list"] * 100}),
        lambda answers: answers["about-you"].update({"email": {"a": "dict"}}),
        lambda answers: answers["safe-contact"].update({"safe_channels": "email"}),
        lambda answers: answers["agreement"].update({"agree": ""}),
        lambda answers: answers["meeting"].update({"area": "x" * 10_000}),
    ],
)
def test_tampered_stored_drafts_of_any_shape_never_create_a_referral(
    client, organisation_a, tamper
):
    answer(client, organisation_a)
    key = submission_key(client, organisation_a)
    draft = stored_draft(client, organisation_a)
    tamper(draft["answers"])
    replace_draft(client, organisation_a, draft)
    post(client, organisation_a, {"submission_key": key})
    content = page(client, organisation_a)
    assert question(content) and "Request sent" not in content
    assert not Referral.objects.exists()


@pytest.mark.parametrize(
    "damage",
    [
        {"at": ["a", "list"]},
        {"at": "no-such-place"},
        {"at": "stage", "changing": "yes"},
        {"unsaved": "not a dict"},
        {"unsaved": {"step": "stage", "answers": ["x"]}},
        {"problem": {"a": "dict"}},
    ],
)
def test_a_damaged_place_in_the_draft_still_shows_a_page(client, organisation_a, damage):
    answer(client, organisation_a, until="children")
    replace_draft(client, organisation_a, {**stored_draft(client, organisation_a), **damage})
    assert question(page(client, organisation_a))


def test_a_tampered_post_with_a_value_outside_the_choices_is_refused(client, organisation_a):
    answer(client, organisation_a, until="support")
    post(client, organisation_a, {"step": "support", "support_wanted": "money"})
    assert "Choose one of the options listed." in error_beside(
        page(client, organisation_a), "support_wanted"
    )


# --- Spam ------------------------------------------------------------------------------


def test_a_filled_honeypot_on_the_first_step_pretends_success_and_creates_nothing(
    client, organisation_a, django_capture_on_commit_callbacks
):
    content = go_to(client, organisation_a, "relationship")
    field = re.search(r'<div class="honeypot" aria-hidden="true">.*?</div>', content, re.S)
    assert "Leave this empty" in field.group(0) and 'tabindex="-1"' in field.group(0)
    assert 'autocomplete="off"' in field.group(0)

    post(client, organisation_a, {"step": "relationship", "relationship": "friend", "website": "x"})
    assert question(page(client, organisation_a)) == "Question 2 of 9"
    answer(client, organisation_a, until=None, relationship={"relationship": "friend"})
    with django_capture_on_commit_callbacks(execute=True):
        send(client, organisation_a)
    done = page(client, organisation_a)
    assert "Request sent" in done and re.search(r'class="reference">\w{4}-\w{4}<', done)
    assert not Referral.objects.exists()
    assert mail.outbox == []
    assert session_key(organisation_a) not in client.session


def test_a_filled_honeypot_on_the_submit_pretends_success_and_creates_nothing(
    client, organisation_a
):
    answer(client, organisation_a)
    assert 'name="website"' in page(client, organisation_a)
    send(client, organisation_a, website="http://spam.example")
    assert "Request sent" in page(client, organisation_a)
    assert not Referral.objects.exists()


# --- The acknowledgement -----------------------------------------------------------


def test_an_email_only_self_referral_gets_one_neutral_acknowledgement(
    client, organisation_a, django_capture_on_commit_callbacks
):
    answer(client, organisation_a)
    with django_capture_on_commit_callbacks(execute=True):
        send(client, organisation_a)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "We have your message"
    assert message.to == ["pat@example.org"]
    body = message.body.lower()
    assert "police" not in body and "investigation" not in body
    assert "/refer/withdraw/" in message.body
    log = MessageLog.objects.get()
    assert (log.channel, log.status) == ("email", "sent")


def test_no_acknowledgement_without_a_safe_email_or_text_channel(
    client, organisation_a, django_capture_on_commit_callbacks
):
    answer(
        client,
        organisation_a,
        **{"safe-contact": {**ANSWERS["safe-contact"], "safe_channels": ["call"]}},
    )
    with django_capture_on_commit_callbacks(execute=True):
        send(client, organisation_a)
    assert Referral.objects.count() == 1
    assert mail.outbox == []
    log = MessageLog.objects.get()
    assert log.status == "refused" and log.template == "referral_received"
