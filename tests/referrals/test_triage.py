"""The caseworkers' queue and referral page: scope, actions, audit and bounded queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEvent
from referrals.choices import State
from referrals.models import CaseNote, ContactAttempt, Referral
from referrals.services import case_note_add, contact_attempt_record
from tests.conftest import sign_in
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

QUEUE = reverse("referrals:queue")


def referral_urls(referral):
    ids = {"referral_id": referral.pk}
    return {
        "get": [reverse("referrals:detail", kwargs=ids), reverse("referrals:timeline", kwargs=ids)],
        "post": [
            (reverse("referrals:claim", kwargs=ids), {}),
            (reverse("referrals:assign", kwargs=ids), {"assignee": ""}),
            (reverse("referrals:transition", kwargs=ids), {"to_state": "in_contact"}),
            (
                reverse("referrals:contact-attempt", kwargs=ids),
                {"channel": "call", "outcome": "reached"},
            ),
            (reverse("referrals:note", kwargs=ids), {"body": "from another organisation"}),
            (reverse("referrals:withdraw-consent", kwargs=ids), {"confirm": "yes"}),
        ],
    }


def test_another_organisations_referral_answers_404_on_every_url(
    client, organisation_a, caseworker_b
):
    referral = make_referral(organisation_a)
    sign_in(client, caseworker_b)
    urls = referral_urls(referral)
    for url in urls["get"]:
        assert client.get(url).status_code == 404, url
    for url, data in urls["post"]:
        assert client.post(url, data).status_code == 404, url
    referral.refresh_from_db()
    assert referral.state == State.NEW and referral.assigned_to is None
    assert referral.consent_withdrawn_at is None
    assert not CaseNote.objects.exists() and not ContactAttempt.objects.exists()
    assert referral.reference not in client.get(QUEUE).content.decode()


def test_referrers_cannot_open_caseworker_pages(client, organisation_a, referrer, police_agency):
    referral = make_referral(organisation_a, referrer=referrer, agency=police_agency)
    case_note_add(referral=referral, body="Private note", actor=_staff(organisation_a))
    sign_in(client, referrer)
    for url in referral_urls(referral)["get"]:
        assert client.get(url).status_code == 403  # the staff area is for charity staff
    queue = client.get(QUEUE)
    assert queue.status_code == 403 and "Private note" not in queue.content.decode()


def _staff(organisation):
    from portal.organisations.roles import Role
    from tests.factories import MembershipFactory

    return MembershipFactory(organisation=organisation, role=Role.CASEWORKER).user


def test_the_queue_shows_this_organisations_open_referrals(
    client, organisation_a, organisation_b, caseworker_a
):
    mine = make_referral(organisation_a)
    theirs = make_referral(organisation_b)
    closed = make_referral(organisation_a)
    Referral.objects.filter(pk=closed.pk).update(state=State.CLOSED, closed_at=timezone.now())
    sign_in(client, caseworker_a)
    content = client.get(QUEUE).content.decode()
    assert mine.reference[:4] in content
    assert theirs.reference[:4] not in content
    assert closed.reference[:4] not in content
    assert closed.reference[:4] in client.get(QUEUE + "?state=all").content.decode()


def test_queue_filters(client, organisation_a, caseworker_a):
    overdue = make_referral(organisation_a)
    Referral.objects.filter(pk=overdue.pk).update(
        first_contact_due=timezone.localdate() - timedelta(days=1)
    )
    fresh = make_referral(organisation_a)
    mine = make_referral(organisation_a)
    Referral.objects.filter(pk=mine.pk).update(assigned_to=caseworker_a)
    sign_in(client, caseworker_a)

    def shown(query):
        return {r.pk for r in client.get(QUEUE + query).context["page"].object_list}

    assert shown("?due=overdue") == {overdue.pk}
    assert shown("?assignee=me") == {mine.pk}
    assert shown("?assignee=unassigned") == {overdue.pk, fresh.pk}
    assert shown("?source=professional") == set()
    assert shown("?age=older") == set()
    # Nonsense filters are ignored rather than failing.
    assert len(shown("?state=bogus&due=x&age=y&page=999")) == 3


def test_claim_assign_move_log_note_and_close(client, organisation_a, caseworker_a, facilitator_a):
    referral = make_referral(organisation_a, safe_channels=["email", "call"])
    urls = {
        name: reverse(f"referrals:{name}", kwargs={"referral_id": referral.pk})
        for name in ("claim", "assign", "transition", "contact-attempt", "note", "detail")
    }
    sign_in(client, caseworker_a)
    client.post(urls["claim"])
    referral.refresh_from_db()
    assert referral.assigned_to == caseworker_a
    client.post(urls["assign"], {"assignee": str(facilitator_a.public_id)})
    referral.refresh_from_db()
    assert referral.assigned_to == facilitator_a
    # A colleague's referral now: acting on it, like opening it, asks why first.
    asked = client.post(urls["note"], {"body": "Not saved without a reason."})
    assert "/reason/" in asked["Location"] and not referral.notes.exists()
    client.post(asked["Location"], {"reason": "Handing over to the group's facilitator"})
    client.post(urls["contact-attempt"], {"channel": "call", "outcome": "reached", "note": "ok"})
    client.post(urls["transition"], {"to_state": "assessed"})
    client.post(urls["note"], {"body": "Wants the evening group."})
    response = client.post(urls["transition"], {"to_state": "closed", "close_reason": "declined"})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.state == State.CLOSED and referral.close_reason == "declined"
    kinds = list(referral.events.order_by("at", "id").values_list("kind", flat=True))
    assert kinds == [
        "submitted",
        "assigned",
        "assigned",
        "contact_attempt",
        "state_changed",
        "state_changed",
        "note_added",
        "state_changed",
    ]
    # Closed now: opening it again, in a new sign-in, asks for a reason first.
    client.logout()
    sign_in(client, caseworker_a)
    timeline_url = reverse("referrals:timeline", kwargs={"referral_id": referral.pk})
    asked = client.get(timeline_url)
    assert asked.status_code == 302 and "/reason/?next=" in asked["Location"]
    client.post(asked["Location"], {"reason": "Checking the record after closing it"})
    assert "Note added" in client.get(timeline_url).content.decode()


def test_an_invalid_move_shows_a_clear_error_and_changes_nothing(
    client, organisation_a, caseworker_a
):
    referral = make_referral(organisation_a)
    sign_in(client, caseworker_a)
    url = reverse("referrals:transition", kwargs={"referral_id": referral.pk})
    response = client.post(url, {"to_state": "placed"}, follow=True)
    assert "cannot move to" in response.content.decode()
    response = client.post(url, {"to_state": "closed", "close_reason": "bogus"}, follow=True)
    assert "Choose a reason" in response.content.decode()
    referral.refresh_from_db()
    assert referral.state == State.NEW


def test_bad_form_input_is_explained_beside_the_field(client, organisation_a, caseworker_a):
    referral = make_referral(organisation_a)
    sign_in(client, caseworker_a)
    url = reverse("referrals:contact-attempt", kwargs={"referral_id": referral.pk})
    response = client.post(url, {"channel": "pigeon", "outcome": "", "note": "x" * 3000})
    assert response.status_code == 400
    content = response.content.decode()
    assert "Choose one of the options listed." in content
    assert "Choose what happened." in content
    assert "Keep this to 2000 characters or fewer." in content
    assert not ContactAttempt.objects.exists()


def test_assigning_someone_from_another_organisation_is_refused(
    client, organisation_a, caseworker_a, caseworker_b
):
    referral = make_referral(organisation_a)
    sign_in(client, caseworker_a)
    url = reverse("referrals:assign", kwargs={"referral_id": referral.pk})
    response = client.post(url, {"assignee": str(caseworker_b.public_id)}, follow=True)
    assert "Choose someone from the list." in response.content.decode()
    referral.refresh_from_db()
    assert referral.assigned_to is None


def test_every_view_of_a_referral_is_audited(client, organisation_a, caseworker_a):
    referral = make_referral(organisation_a)
    sign_in(client, caseworker_a)
    client.get(reverse("referrals:detail", kwargs={"referral_id": referral.pk}))
    client.get(reverse("referrals:timeline", kwargs={"referral_id": referral.pk}))
    views = AuditEvent.objects.filter(
        action="viewed", target_id=str(referral.pk), actor=caseworker_a
    )
    assert sorted(views.values_list("detail__page", flat=True)) == ["referral", "timeline"]


def test_the_referral_page_shows_safe_contact_prominently(client, organisation_a, caseworker_a):
    referral = make_referral(organisation_a, safe_channels=["email"])
    referral.safe_contact.shares_device_with_person = True
    referral.safe_contact.save()
    sign_in(client, caseworker_a)
    content = client.get(
        reverse("referrals:detail", kwargs={"referral_id": referral.pk})
    ).content.decode()
    assert content.index("Safe contact") < content.index("About them")
    assert "share a phone or computer" in content


def test_the_referral_page_links_possible_duplicates_both_ways(
    client, organisation_a, organisation_b, caseworker_a
):
    first = make_referral(organisation_a, email="same.person@example.org")
    later = make_referral(organisation_a, email="Same.Person@example.org")
    elsewhere = make_referral(organisation_b, email="same.person@example.org")
    Referral.objects.filter(pk=elsewhere.pk).update(possible_duplicate_of=first)
    sign_in(client, caseworker_a)

    def page(referral):
        url = reverse("referrals:detail", kwargs={"referral_id": referral.pk})
        return client.get(url).content.decode()

    later_page, first_page = page(later), page(first)
    first_url = reverse("referrals:detail", kwargs={"referral_id": first.pk})
    assert f'matches open referral <a href="{first_url}">{first.reference}</a>' in later_page
    assert "Later referral" in first_page and later.reference in first_page
    # Another organisation's referral is never named, even if it points here.
    assert elsewhere.reference not in first_page


def _busy_referral(organisation, staff, notes: int):
    referral = make_referral(organisation, safe_channels=["email", "call"])
    for i in range(notes):
        case_note_add(referral=referral, body=f"note {i}", actor=staff)
        contact_attempt_record(
            referral=referral, channel="call", outcome="no_answer", note="", actor=staff
        )
    return referral


@pytest.mark.parametrize("size", [2, 30])
def test_the_queue_runs_a_bounded_number_of_queries(
    client, organisation_a, caseworker_a, django_assert_max_num_queries, size
):
    for _ in range(size):
        referral = make_referral(organisation_a)
        Referral.objects.filter(pk=referral.pk).update(assigned_to=caseworker_a)
    sign_in(client, caseworker_a)
    # Measured: 8 queries at any size (session, user, device, the person's memberships,
    # read once for scoping and navigation, page, count, staff, the audit row).
    with django_assert_max_num_queries(8):
        assert client.get(QUEUE).status_code == 200


@pytest.mark.parametrize("notes", [1, 25])
def test_the_referral_page_runs_a_bounded_number_of_queries(
    client, organisation_a, caseworker_a, django_assert_max_num_queries, notes
):
    referral = _busy_referral(organisation_a, caseworker_a, notes)
    sign_in(client, caseworker_a)
    url = reverse("referrals:detail", kwargs={"referral_id": referral.pk})
    # Measured: 15 queries whatever the number of notes and attempts (the private links
    # are one; what moves are possible now is one, who they are kept apart from one);
    # the timeline 7.
    with django_assert_max_num_queries(15):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(8):
        assert (
            client.get(
                reverse("referrals:timeline", kwargs={"referral_id": referral.pk})
            ).status_code
            == 200
        )


def test_staff_update_safe_contact_and_bad_input_is_explained(client, organisation_a, caseworker_a):
    referral = make_referral(organisation_a, email="", phone="07700 900222", safe_channels=["call"])
    url = reverse("referrals:safe-contact", kwargs={"referral_id": referral.pk})
    sign_in(client, caseworker_a)
    assert client.get(url).status_code == 200
    answers = {
        "safe_channels": ["email", "post"],
        "may_name_organisation": "no",
        "shares_device_with_person": "yes",
        "shares_address_with_person": "no",
        "name_to_use": "Jo",
    }
    response = client.post(url, answers)
    assert response.status_code == 400
    content = response.content.decode()
    assert "You chose email: we need an email address." in content
    assert "You chose post: enter the postal address." in content
    assert 'value="Jo"' in content
    answers.update(safe_channels=["text", "post"], postal_address="1 High Street\nAB1 2CD")
    assert client.post(url, answers).status_code == 302
    referral.safe_contact.refresh_from_db()
    assert referral.safe_contact.safe_channels == ["text", "post"]
    assert referral.safe_contact.shares_device_with_person
    assert referral.events.filter(kind="safe_contact_updated").exists()
