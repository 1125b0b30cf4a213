"""One reference format everywhere: NW8X-BDR5, stored as it is shown, so every page,
message, register and API answer prints the same thing; and every lookup accepts it as a
person quotes it: any case, with or without the dash, with spaces."""

from __future__ import annotations

import importlib
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from peergroups.models import InitialCallSlot
from peergroups.services import booking_confirm, booking_offer
from portal.notifications.sms import LocmemSmsBackend
from referrals.forms import EraseForm
from referrals.models import Referral
from referrals.notifications import referral_notify
from referrals.references import (
    ALPHABET,
    display_reference,
    new_reference,
    normalise_reference,
)
from referrals.reminders import first_contact_escalations_queue
from referrals.services import referral_assign, referral_transition
from tests.api.conftest import issue_key, key_client, referral_body
from tests.conftest import sign_in
from tests.factories import GroupFactory, session_today
from tests.notifications.delivery import deliver_all
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

ONE_FORM = re.compile(f"[{ALPHABET}]{{4}}-[{ALPHABET}]{{4}}")


def variants(reference: str) -> list[str]:
    """How people quote a reference: from the phone, a screen, a note on paper."""
    characters = reference.replace("-", "")
    return [
        reference,
        reference.lower(),
        characters,
        characters.lower(),
        f" {characters[:4]} {characters[4:]} ",
        f"{characters[:4].lower()} - {characters[4:]}",
        f"{characters[:4]}\u2013{characters[4:]}",  # an en dash, from a word processor
    ]


def shows_the_one_form(content: str, referral: Referral) -> bool:
    """The page shows the reference in the one form, and never its characters run
    together or split another way."""
    characters = referral.reference.replace("-", "")
    return (
        ONE_FORM.fullmatch(referral.reference) is not None
        and referral.reference in content
        and characters not in content
        and f"{characters[:4]} {characters[4:]}" not in content
    )


# --- The form ---------------------------------------------------------------------------


def test_new_references_are_made_in_the_one_form():
    for _ in range(200):
        assert ONE_FORM.fullmatch(new_reference())


@pytest.mark.parametrize("typed", variants("NW8X-BDR5"))
def test_however_a_reference_is_typed_it_is_read_as_the_one_form(typed):
    assert normalise_reference(typed) == "NW8X-BDR5"
    assert display_reference(typed) == "NW8X-BDR5"


@pytest.mark.parametrize("typed", ["", None, "NW8X", "NW8X-BDR", "NW8XBDR55", "x" * 10_000])
def test_anything_else_is_not_a_reference_and_matches_none(typed, organisation_a):
    make_referral(organisation_a)
    normalised = normalise_reference(typed)
    assert ONE_FORM.fullmatch(normalised) is None
    assert not Referral.objects.filter(reference=typed or "").exists()


def test_references_are_stored_in_the_one_form(organisation_a):
    referral = make_referral(organisation_a)
    (stored,) = Referral.objects.filter(pk=referral.pk).values_list("reference", flat=True)
    assert ONE_FORM.fullmatch(stored) and stored == referral.reference


def test_references_made_before_are_given_their_dash_and_still_found(organisation_a):
    """References stored as eight characters by the earlier code get their dash from the
    migration; however the person wrote theirs down, it still finds their referral."""
    referral = make_referral(organisation_a)
    old_form = referral.reference.replace("-", "")
    # The field puts every value it writes in the one form: write the old one raw.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE referrals_referral SET reference = %s WHERE reference = %s",
            [old_form, old_form[:4] + "-" + old_form[4:]],
        )
    assert Referral.objects.filter(reference__startswith=old_form).exists()

    migration = importlib.import_module("referrals.migrations.0016_referral_reference_one_form")
    migration.add_the_dash(apps, None)

    referral.refresh_from_db()
    assert referral.reference == f"{old_form[:4]}-{old_form[4:]}"
    # And back, if the migration is reversed.
    migration.remove_the_dash(apps, None)
    assert Referral.objects.filter(reference__startswith=old_form).exists()
    migration.add_the_dash(apps, None)
    for typed in variants(referral.reference):
        assert Referral.objects.get(reference=typed) == referral


# --- Every lookup accepts it as people quote it ----------------------------------------


def test_every_database_lookup_accepts_a_reference_however_it_is_typed(organisation_a):
    """Even a search written without normalising finds the referral: the field does it."""
    referral = make_referral(organisation_a)
    other = make_referral(organisation_a)
    for typed in variants(referral.reference):
        assert list(Referral.objects.filter(reference=typed)) == [referral], typed
        assert list(Referral.objects.filter(reference__in=[typed])) == [referral], typed
    assert Referral.objects.filter(reference__in=variants(other.reference)).get() == other


def test_the_api_finds_a_referral_by_its_reference_however_it_is_typed(
    organisation_a, police_agency, coordinator_a
):
    client = key_client(issue_key(organisation_a, police_agency, coordinator_a))
    sent = client.post("/api/v1/referrals/", referral_body(), format="json").json()
    assert ONE_FORM.fullmatch(sent["reference"])
    for typed in variants(sent["reference"]):
        response = client.get(f"/api/v1/referrals/{typed}/")
        assert response.status_code == 200, typed
        assert response.json()["reference"] == sent["reference"]


def test_the_queue_finds_a_referral_by_its_reference_whatever_its_status(
    client, organisation_a, organisation_b, caseworker_a, coordinator_a
):
    wanted = make_referral(organisation_a)
    referral_transition(
        referral=wanted, to_state="closed", close_reason="unreachable", actor=coordinator_a
    )
    other = make_referral(organisation_a)
    elsewhere = make_referral(organisation_b)
    sign_in(client, caseworker_a)
    queue = reverse("referrals:queue")
    for typed in variants(wanted.reference):
        page = client.get(queue, {"reference": typed}).content.decode()
        assert shows_the_one_form(page, wanted), typed
        assert other.reference not in page
    page = client.get(queue, {"reference": elsewhere.reference}).content.decode()
    assert elsewhere.reference in page  # quoted back in the "no referral has" line only
    assert "No referral has the reference" in page
    assert reverse("referrals:detail", kwargs={"referral_id": elsewhere.pk}) not in page


def test_the_queue_finds_a_reference_typed_in_full_width_characters(
    client, organisation_a, caseworker_a
):
    """A phone's Japanese or Chinese keyboard types letters and digits full-width
    (\uff2e\uff37\uff18): they are the same characters to the person reading them out."""
    wanted = make_referral(organisation_a)
    full_width = "".join(
        chr(ord(ch) + 0xFEE0) if ch.isalnum() else "\uff0d" for ch in wanted.reference
    )
    assert normalise_reference(full_width) == wanted.reference
    sign_in(client, caseworker_a)
    page = client.get(reverse("referrals:queue"), {"reference": full_width}).content.decode()
    assert shows_the_one_form(page, wanted)
    assert "No referral has the reference" not in page


@pytest.mark.parametrize(
    "typed",
    [
        # No letters or digits: the queue is not quietly listed with the box emptied.
        "---",
        "\U0001f4a5",
        "\u2013 \u2013",
        "%",
        # Anything else that is not a reference.
        "x" * 500,
        "' OR 1=1 --",
        "NW8X'); DROP TABLE referrals_referral;--",
        "a\x00b",
        "ß" * 4,
    ],
)
def test_the_queue_answers_any_other_search_plainly(typed, client, organisation_a, caseworker_a):
    listed = make_referral(organisation_a)
    sign_in(client, caseworker_a)
    response = client.get(reverse("referrals:queue"), {"reference": typed})
    assert response.status_code == 200
    page = response.content.decode()
    assert "No referral has the reference" in page
    assert listed.reference not in page
    assert "0 referrals" in page


def test_the_erasure_confirmation_accepts_the_reference_however_it_is_typed(organisation_a):
    referral = make_referral(organisation_a)
    for typed in variants(referral.reference):
        form = EraseForm({"reference": typed}, reference=referral.reference)
        assert form.is_valid(), (typed, form.errors)
    wrong = EraseForm({"reference": new_reference()}, reference=referral.reference)
    assert not wrong.is_valid()
    assert wrong.errors["reference"] == ["That is not this referral's reference."]


# --- Every place that shows it shows the one form ---------------------------------------


def test_every_staff_page_and_register_shows_the_one_form(
    client, organisation_a, caseworker_a, coordinator_a, facilitator_a
):
    person = make_referral(organisation_a)
    referral_assign(referral=person, assignee=caseworker_a, actor=caseworker_a)
    group = GroupFactory(organisation=organisation_a)
    group.facilitators.add(facilitator_a)
    # Starting in ten minutes: its register is open (registers open 15 minutes before a
    # meeting), so the facilitator's dashboard lists the people to mark.
    session = session_today(group, minutes_from_now=10)
    booking_confirm(booking=booking_offer(group=group, referral=person, actor=caseworker_a))
    offered = make_referral(organisation_a)
    booking_offer(group=group, referral=offered, actor=caseworker_a)
    start = timezone.now() + timedelta(days=2)
    InitialCallSlot.objects.create(
        organisation=organisation_a,
        facilitator=facilitator_a,
        starts_at=start,
        ends_at=start + timedelta(minutes=30),
        referral=person,
        method=InitialCallSlot.Method.PHONE,
    )
    ids = {"referral_id": person.pk}
    pages = {
        caseworker_a: [
            reverse("referrals:queue"),
            reverse("referrals:detail", kwargs=ids),
            reverse("referrals:timeline", kwargs=ids),
            reverse("referrals:safe-contact", kwargs=ids),
            reverse("staff:dashboard"),
            reverse("groups:detail", kwargs={"group_id": group.pk}),
            reverse("groups:calls"),
        ],
        facilitator_a: [
            reverse("groups:session", kwargs={"session_id": session.pk}),
            reverse("staff:dashboard"),
        ],
        coordinator_a: [reverse("referrals:erase", kwargs=ids)],
    }
    for user, urls in pages.items():
        sign_in(client, user)
        for url in urls:
            response = client.get(url)
            if response.status_code == 302 and "/reason/" in response["Location"]:
                # The reason-for-access page names the referral too.
                gate = client.get(response["Location"])
                assert shows_the_one_form(gate.content.decode(), person), url
                client.post(response["Location"], {"reason": "The person asked me to do this"})
                response = client.get(url)
            assert response.status_code == 200, url
            assert shows_the_one_form(response.content.decode(), person), url
    sign_in(client, caseworker_a)
    group_page = client.get(reverse("groups:detail", kwargs={"group_id": group.pk}))
    assert shows_the_one_form(group_page.content.decode(), offered)


def test_the_referrer_and_the_api_show_the_one_form(
    client, organisation_a, police_agency, referrer, coordinator_a
):
    mine = make_referral(organisation_a, referrer=referrer, agency=police_agency)
    sign_in(client, referrer)
    assert shows_the_one_form(client.get(reverse("referrer:list")).content.decode(), mine)
    api = key_client(issue_key(organisation_a, police_agency, coordinator_a))
    body = api.post("/api/v1/referrals/", referral_body(), format="json").json()
    sent = Referral.objects.get(reference=body["reference"])
    assert body["reference"] == sent.reference and ONE_FORM.fullmatch(body["reference"])


def test_every_message_that_names_a_reference_shows_the_one_form(organisation_a, coordinator_a):
    person = make_referral(organisation_a, phone="07700 900123", safe_channels=["email", "text"])
    mail.outbox.clear()
    LocmemSmsBackend.outbox.clear()
    for channel in ("email", "text"):
        referral_notify(
            referral=person,
            template="referral_received",
            context={"working_days": 2},
            channel=channel,
        )
    (email,) = mail.outbox
    (text,) = LocmemSmsBackend.outbox
    for part in (email.body, email.alternatives[0][0], text["body"]):
        assert shows_the_one_form(part, person), part

    Referral.objects.filter(pk=person.pk).update(
        first_contact_due=timezone.localdate() - timedelta(days=3)
    )
    mail.outbox.clear()
    first_contact_escalations_queue()
    deliver_all()
    (digest,) = [m for m in mail.outbox if coordinator_a.email in m.to]
    assert shows_the_one_form(digest.body, person)
    assert shows_the_one_form(digest.alternatives[0][0], person)
