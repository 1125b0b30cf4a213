"""The public self-referral: one question per page, answers kept until sent, sent once.

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
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from portal.notifications.models import MessageLog
from referrals.consent import SELF_REFERRAL_VERSION, statement
from referrals.models import ConsentRecord, Referral, SafeContact, SelfReferralDraft
from referrals.selfreferral import IDLE_LIMIT, STEPS, draft_key_hash
from referrals.views_public import STEP_RATE, SUBMIT_RATE
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

ANSWERS = {
    "relationship": {"relationship": "parent"},
    "stage": {"stage": "released_under_investigation"},
    "children": {"children_in_household": "yes"},
    "support": {"support_wanted": "peer_group"},
    "meeting": {"format_preference": "either", "area": "Kent"},
    "access-needs": {"accessibility_needs": "Step-free access, please"},
    "about-you": {"full_name": "Pat Doe", "email": "pat@example.org", "phone": "07911 123456"},
    "safe-contact": {
        "safe_channels": ["email"],
        "safe_times": "Weekday mornings",
        "name_to_use": "Pat",
        "may_name_organisation": "no",
        "shares_device_with_person": "no",
        "shares_address_with_person": "yes",
        "postal_address": "",
    },
    "agreement": {"agree": "on"},
}


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def step_url(organisation, step: str, *, change: bool = False) -> str:
    url = reverse("selfreferral:step", kwargs={"slug": organisation.slug, "step": step})
    return url + "?change=1" if change else url


def check_url(organisation) -> str:
    return reverse("selfreferral:check", kwargs={"slug": organisation.slug})


def done_url(organisation) -> str:
    return reverse("selfreferral:done", kwargs={"slug": organisation.slug})


def session_key(organisation) -> str:
    return f"selfreferral:{organisation.slug}"


def draft_row(client, organisation):
    draft_id = client.session.get(session_key(organisation))
    if not isinstance(draft_id, str):
        return None
    return SelfReferralDraft.objects.filter(key_hash=draft_key_hash(draft_id)).first()


def stored_draft(client, organisation) -> dict:
    """The visitor's unsent answers as stored (decrypted), or {} when there are none."""
    row = draft_row(client, organisation)
    return json.loads(row.answers) if row else {}


def replace_draft(client, organisation, data: dict) -> None:
    """Overwrite the stored draft, as a tampered or stale value would."""
    row = draft_row(client, organisation)
    row.answers = json.dumps(data)
    row.save()


def answer(client, organisation, answers=None, *, until: str | None = None, **changes):
    """Answer each page in order, stopping before ``until``; ``changes`` replace a page."""
    answers = {**ANSWERS, **(answers or {}), **changes}
    for step, data in answers.items():
        if step == until:
            return
        response = client.post(step_url(organisation, step), data)
        assert response.status_code == 302, (step, response.content.decode()[:2000])


def submission_key(client, organisation) -> str:
    page = client.get(check_url(organisation))
    assert page.status_code == 200, page.get("Location")
    return re.search(r'name="submission_key" value="([^"]+)"', page.content.decode()).group(1)


def send(client, organisation, **extra):
    key = submission_key(client, organisation)
    return client.post(check_url(organisation), {"submission_key": key, **extra})


def error_beside(content: str, field: str) -> str:
    """The text of the error message shown beside ``field``."""
    match = re.search(
        rf'<div class="error-message" id="id_{field}_error">(.*?)</div>', content, re.S
    )
    assert match, f"no error beside {field}"
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1)))


def heading(content: str) -> str:
    return re.sub(r"<[^>]+>|\s+", " ", re.search(r"<h1>(.*?)</h1>", content, re.S).group(1))


# --- The whole journey -------------------------------------------------------------


def test_the_whole_self_referral_from_first_step_to_confirmation(
    client, organisation_a, django_capture_on_commit_callbacks
):
    # With one organisation accepting referrals, /refer/ goes straight to its start page.
    choose = client.get(reverse("selfreferral:choose"))
    assert choose["Location"] == reverse("selfreferral:start", kwargs={"slug": organisation_a.slug})
    start = client.get(choose["Location"]).content.decode()
    assert "Exit this page" in start and step_url(organisation_a, "relationship") in start

    answer(client, organisation_a)
    check = client.get(check_url(organisation_a)).content.decode()
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
    assert check.count("?change=1") == 17

    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, organisation_a)
    assert response.status_code == 302
    assert response["Location"] == done_url(organisation_a)

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

    done = client.get(done_url(organisation_a)).content.decode()
    assert f"{referral.reference[:4]}-{referral.reference[4:]}" in done
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
    assert "within 3 working days" in client.get(done_url(organisation)).content.decode()


def test_the_organisation_list_shows_only_those_accepting_referrals(client, organisation_a):
    OrganisationFactory(name="Organisation Open")
    OrganisationFactory(name="Organisation Closed", is_accepting_referrals=False)
    content = client.get(reverse("selfreferral:choose")).content.decode()
    assert "Organisation A" in content and "Organisation Open" in content
    assert "Organisation Closed" not in content


def test_an_organisation_not_accepting_referrals_says_so_kindly(client, organisation_a):
    organisation_a.is_accepting_referrals = False
    organisation_a.save()
    for url in (
        reverse("selfreferral:start", kwargs={"slug": organisation_a.slug}),
        step_url(organisation_a, "relationship"),
        check_url(organisation_a),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert "Not taking new requests at the moment" in response.content.decode()
    assert client.post(step_url(organisation_a, "relationship"), ANSWERS["relationship"])
    assert not client.session.get(session_key(organisation_a))


def test_an_unknown_organisation_or_step_is_not_found(client, organisation_a):
    assert client.get("/refer/no-such-charity/").status_code == 404
    assert client.get(step_url(organisation_a, "no-such-step")).status_code == 404


def test_every_page_has_quick_exit_and_a_neutral_heading(client, organisation_a):
    start = reverse("selfreferral:start", kwargs={"slug": organisation_a.slug})
    pages = [(start, None), *[(step_url(organisation_a, s.slug), s.slug) for s in STEPS]]
    pages.append((check_url(organisation_a), None))
    for url, step in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        content = response.content.decode()
        assert "data-quick-exit" in content, url
        title = heading(content).lower()
        for word in ("offence", "police", "investigat", "arrest", "crime", "abuse"):
            assert word not in title, (url, title)
        if step:
            client.post(url, ANSWERS[step])


def test_each_step_shows_a_back_link_and_where_you_are(client, organisation_a):
    answer(client, organisation_a, until="children")
    content = client.get(step_url(organisation_a, "children")).content.decode()
    assert "Question 3 of 9" in content
    assert f'href="{step_url(organisation_a, "stage")}" class="back-link"' in content
    first = client.get(step_url(organisation_a, "relationship")).content.decode()
    start = reverse("selfreferral:start", kwargs={"slug": organisation_a.slug})
    assert f'href="{start}" class="back-link"' in first


def test_the_agreement_page_shows_the_exact_statement(client, organisation_a):
    answer(client, organisation_a, until="agreement")
    content = client.get(step_url(organisation_a, "agreement")).content.decode()
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
    response = client.post(step_url(organisation_a, step), data)
    assert response.status_code == 200
    content = response.content.decode()
    assert message in error_beside(content, field)
    assert "There is a problem" in content and content.count(message[:30]) >= 2
    assert heading(content) and "<title>Error:" in content
    for value in kept:
        assert value in content, value
    assert step not in stored_draft(client, organisation_a).get("answers", {})


def test_each_safe_channel_needs_its_contact_detail(client, organisation_a):
    answer(
        client,
        organisation_a,
        until="safe-contact",
        **{"about-you": {"full_name": "Pat Doe", "email": "", "phone": "0113 496 0000"}},
    )
    data = {**ANSWERS["safe-contact"], "safe_channels": ["email", "post", "text"]}
    content = client.post(step_url(organisation_a, "safe-contact"), data).content.decode()
    channels = error_beside(content, "safe_channels")
    assert "You chose email: we need an email address." in channels
    assert "the phone number you gave is not a mobile number" in channels
    assert "You chose post: enter the postal address." in error_beside(content, "postal_address")

    data = {
        **ANSWERS["safe-contact"],
        "safe_channels": ["call", "voicemail", "post"],
        "postal_address": "1 Example Street\nExampletown\nEX1 1EX",
    }
    assert client.post(step_url(organisation_a, "safe-contact"), data).status_code == 302


def test_a_phone_channel_needs_a_phone_number(client, organisation_a):
    answer(
        client,
        organisation_a,
        until="safe-contact",
        **{"about-you": {"full_name": "Pat Doe", "email": "pat@example.org", "phone": ""}},
    )
    data = {**ANSWERS["safe-contact"], "safe_channels": ["voicemail"]}
    content = client.post(step_url(organisation_a, "safe-contact"), data).content.decode()
    assert "we need a phone number" in error_beside(content, "safe_channels")


def test_extra_fields_are_ignored(client, organisation_a):
    response = client.post(
        step_url(organisation_a, "relationship"),
        {"relationship": "friend", "is_superuser": "1", "organisation": "other", "state": "x"},
    )
    assert response.status_code == 302
    stored = stored_draft(client, organisation_a)["answers"]
    assert stored == {"relationship": {"relationship": "friend"}}


# --- Answers kept, in order, and changed --------------------------------------------


def test_answers_survive_the_back_button_and_a_reload(client, organisation_a):
    answer(client, organisation_a, until="agreement")
    for _ in range(2):
        page = client.get(step_url(organisation_a, "about-you")).content.decode()
        assert 'value="Pat Doe"' in page and 'value="pat@example.org"' in page
        assert 'value="07911 123456"' in page
    page = client.get(step_url(organisation_a, "relationship")).content.decode()
    assert re.search(r'value="parent"[^>]*checked', page)
    page = client.get(step_url(organisation_a, "safe-contact")).content.decode()
    assert re.search(r'value="email"[^>]*checked', page)
    assert "There is a problem" not in page
    # Going back does not lose the later answers.
    assert client.get(step_url(organisation_a, "agreement")).status_code == 200


def test_a_reload_of_the_check_page_keeps_the_same_submission_key(client, organisation_a):
    answer(client, organisation_a)
    assert submission_key(client, organisation_a) == submission_key(client, organisation_a)


def test_a_change_link_saves_and_returns_to_the_check_page(client, organisation_a):
    answer(client, organisation_a)
    page = client.get(step_url(organisation_a, "meeting", change=True)).content.decode()
    assert f'href="{check_url(organisation_a)}" class="back-link"' in page
    response = client.post(
        step_url(organisation_a, "meeting", change=True),
        {"format_preference": "zoom", "area": "Leeds"},
    )
    assert response["Location"] == check_url(organisation_a)
    content = client.get(check_url(organisation_a)).content.decode()
    assert "Leeds" in content and "Online, on Zoom" in content


def test_a_change_that_breaks_a_later_answer_is_shown_beside_that_answer(client, organisation_a):
    answer(client, organisation_a)
    client.post(
        step_url(organisation_a, "about-you", change=True),
        {"full_name": "Pat Doe", "email": "", "phone": "07911 123456"},
    )
    response = client.get(check_url(organisation_a))
    assert response["Location"] == step_url(organisation_a, "safe-contact", change=True)
    content = client.get(response["Location"]).content.decode()
    assert "You chose email: we need an email address." in error_beside(content, "safe_channels")


def test_steps_reached_out_of_order_go_to_the_first_unanswered_one(client, organisation_a):
    assert client.get(step_url(organisation_a, "stage"))["Location"] == step_url(
        organisation_a, "relationship"
    )
    client.post(step_url(organisation_a, "relationship"), ANSWERS["relationship"])
    assert client.get(step_url(organisation_a, "agreement"))["Location"] == step_url(
        organisation_a, "stage"
    )
    response = client.post(step_url(organisation_a, "about-you"), ANSWERS["about-you"])
    assert response["Location"] == step_url(organisation_a, "stage")
    assert client.get(check_url(organisation_a))["Location"] == step_url(organisation_a, "stage")
    assert "about-you" not in stored_draft(client, organisation_a)["answers"]
    # Nothing sent yet: the confirmation page goes back to the start.
    assert client.get(done_url(organisation_a))["Location"] == reverse(
        "selfreferral:start", kwargs={"slug": organisation_a.slug}
    )


def test_answers_left_for_an_hour_are_forgotten(client, organisation_a):
    answer(client, organisation_a, until="agreement")
    with time_machine.travel(timezone.now() + IDLE_LIMIT + timedelta(minutes=1)):
        response = client.get(step_url(organisation_a, "about-you"), follow=True)
    content = response.content.decode()
    assert response.redirect_chain[-1][0] == step_url(organisation_a, "relationship")
    assert "we cleared them after an hour" in content
    assert "Pat Doe" not in content
    assert session_key(organisation_a) not in client.session


def test_answers_for_one_organisation_are_not_shown_for_another(client, organisation_a):
    other = OrganisationFactory(name="Organisation Other")
    answer(client, organisation_a, until="agreement")
    response = client.get(step_url(other, "about-you"))
    assert response["Location"] == step_url(other, "relationship")


# --- Sending once, and only valid answers --------------------------------------------


def test_a_double_click_creates_one_referral(client, organisation_a):
    answer(client, organisation_a)
    key = submission_key(client, organisation_a)
    first = client.post(check_url(organisation_a), {"submission_key": key})
    second = client.post(check_url(organisation_a), {"submission_key": key})
    assert first["Location"] == second["Location"] == done_url(organisation_a)
    assert Referral.objects.count() == 1
    assert Referral.objects.get().submission_key == key


def test_a_resent_key_after_the_session_was_lost_still_creates_one_referral(client, organisation_a):
    # Two requests racing with the same answers: the service returns the first referral.
    answer(client, organisation_a)
    key = submission_key(client, organisation_a)
    saved = dict(client.session.items())
    row = draft_row(client, organisation_a)
    client.post(check_url(organisation_a), {"submission_key": key})
    row.save(force_insert=True)  # as the second request read it, before the first sent it
    session = client.session
    session.update(saved)
    session.pop(f"{session_key(organisation_a)}:done", None)
    session.save()
    response = client.post(check_url(organisation_a), {"submission_key": key})
    assert response["Location"] == done_url(organisation_a)
    assert Referral.objects.count() == 1


@pytest.mark.parametrize("key", ["", "forged-but-well-formed-key-123", "<script>", "k" * 500])
def test_a_missing_or_forged_submission_key_creates_nothing(client, organisation_a, key):
    answer(client, organisation_a)
    submission_key(client, organisation_a)
    response = client.post(check_url(organisation_a), {"submission_key": key}, follow=True)
    assert response.redirect_chain[-1][0] == check_url(organisation_a)
    assert "Please check your answers and then send them again." in response.content.decode()
    assert not Referral.objects.exists()


def test_a_tampered_stored_draft_is_rejected_at_submit(client, organisation_a):
    answer(client, organisation_a)
    key = submission_key(client, organisation_a)
    draft = stored_draft(client, organisation_a)
    draft["answers"]["stage"] = {"stage": "not-a-stage"}
    replace_draft(client, organisation_a, draft)

    response = client.post(check_url(organisation_a), {"submission_key": key})
    assert response["Location"] == step_url(organisation_a, "stage", change=True)
    assert not Referral.objects.exists()
    content = client.get(response["Location"]).content.decode()
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
    response = client.post(check_url(organisation_a), {"submission_key": key})
    assert response.status_code == 302
    assert "/check/" not in response["Location"] and "/done/" not in response["Location"]
    assert client.get(response["Location"]).status_code == 200
    assert not Referral.objects.exists()


def test_a_tampered_post_with_a_value_outside_the_choices_is_refused(client, organisation_a):
    answer(client, organisation_a, until="support")
    response = client.post(step_url(organisation_a, "support"), {"support_wanted": "money"})
    assert "Choose one of the options listed." in error_beside(
        response.content.decode(), "support_wanted"
    )


# --- Spam and floods ---------------------------------------------------------------


def test_a_filled_honeypot_on_the_first_step_pretends_success_and_creates_nothing(
    client, organisation_a, django_capture_on_commit_callbacks
):
    page = client.get(step_url(organisation_a, "relationship")).content.decode()
    field = re.search(r'<div class="honeypot" aria-hidden="true">.*?</div>', page, re.S).group(0)
    assert "Leave this empty" in field and 'tabindex="-1"' in field
    assert 'autocomplete="off"' in field

    response = client.post(
        step_url(organisation_a, "relationship"), {"relationship": "friend", "website": "spam"}
    )
    assert response["Location"] == step_url(organisation_a, "stage")
    answer(client, organisation_a, until=None, relationship={"relationship": "friend"})
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, organisation_a)
    assert response["Location"] == done_url(organisation_a)
    done = client.get(done_url(organisation_a)).content.decode()
    assert "Request sent" in done and re.search(r'class="reference">\w{4}-\w{4}<', done)
    assert not Referral.objects.exists()
    assert mail.outbox == []
    assert session_key(organisation_a) not in client.session


def test_a_filled_honeypot_on_the_submit_pretends_success_and_creates_nothing(
    client, organisation_a
):
    answer(client, organisation_a)
    assert 'name="website"' in client.get(check_url(organisation_a)).content.decode()
    response = send(client, organisation_a, website="http://spam.example")
    assert response["Location"] == done_url(organisation_a)
    assert client.get(done_url(organisation_a)).status_code == 200
    assert not Referral.objects.exists()


def test_too_many_step_posts_from_one_address_get_the_kind_429_page(client, organisation_a):
    limit = int(STEP_RATE.split("/")[0])
    for _ in range(limit):
        client.post(step_url(organisation_a, "relationship"), ANSWERS["relationship"])
    response = client.post(step_url(organisation_a, "relationship"), ANSWERS["relationship"])
    assert response.status_code == 429
    assert "Please wait a moment" in response.content.decode()
    # Reading pages is not limited, and the answers given so far are kept.
    assert client.get(step_url(organisation_a, "stage")).status_code == 200


def test_too_many_sends_from_one_address_get_the_kind_429_page(client, organisation_a):
    answer(client, organisation_a)
    limit = int(SUBMIT_RATE.split("/")[0])
    for _ in range(limit):
        client.post(check_url(organisation_a), {"submission_key": "forged-key-000000000000"})
    response = client.post(check_url(organisation_a), {"submission_key": "x"})
    assert response.status_code == 429
    assert "Please wait a moment" in response.content.decode()
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
