"""Rotating keys re-encrypts every row; then the old key can go and everything still reads."""

from datetime import timedelta
from io import StringIO

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from peergroups.models import Booking
from peergroups.services import booking_confirm, booking_offer
from portal.crypto import rotation
from portal.crypto.keys import lookup_hash
from portal.crypto.rotation import encrypted_columns
from referrals.models import Referral, SelfReferralDraft
from resources.models import Delivery
from tests.factories import GroupFactory
from tests.referrals.factories import make_referral

pytestmark = pytest.mark.django_db

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def raw_values(model, field: str) -> list[str]:
    column = model._meta.get_field(field).column
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {connection.ops.quote_name(column)} FROM "  # noqa: S608 - names from the schema
            f"{connection.ops.quote_name(model._meta.db_table)}"
        )
        return [value for (value,) in cursor.fetchall() if value]


def test_rotation_moves_every_value_to_the_new_keys(settings, organisation_a, caseworker_a):
    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    settings.LOOKUP_HASH_KEYS = ["old-lookup-key"]
    people = [
        make_referral(organisation_a, phone="07700 900123", area="Northbridge") for _ in range(3)
    ]
    group = GroupFactory(organisation=organisation_a)
    booking_confirm(booking=booking_offer(group=group, referral=people[0], actor=caseworker_a))

    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    settings.LOOKUP_HASH_KEYS = ["new-lookup-key", "old-lookup-key"]
    # Matching still works mid-rotation: a new referral finds the old one by phone.
    during = make_referral(organisation_a, phone="07700 900123", email="")
    assert during.possible_duplicate_of == people[0]

    out = StringIO()
    call_command("rotate_encryption_keys", stdout=out)
    assert "re-encrypted" in out.getvalue() and "Referral: " in out.getvalue()

    settings.FIELD_ENCRYPTION_KEYS = [NEW]  # the old key is gone
    settings.LOOKUP_HASH_KEYS = ["new-lookup-key"]
    old = Fernet(OLD.encode())
    checked = 0
    for column in encrypted_columns():
        for token in raw_values(column.model, column.field):
            with pytest.raises(InvalidToken):
                old.decrypt(token.encode())
            checked += 1
    assert checked >= 12
    for person in Referral.objects.all():
        assert person.area in ("Northbridge", "")
        assert person.phone == "+447700900123"
        assert person.phone_hash == lookup_hash("+447700900123", key=b"new-lookup-key")
        assert person.full_name.startswith("Alex Example")
    assert Booking.objects.get().referral.safe_contact.safe_to_email

    # Search by name still finds them with only the new key: the index was rewritten.
    from referrals.search import person_search_parse

    found = person_search_parse("alex example", organisations=[organisation_a.pk])
    assert Referral.objects.filter(found.condition).count() == Referral.objects.count() == 4

    # Nothing left to do: a second run (or a re-run after an interruption) changes nothing.
    again = StringIO()
    call_command("rotate_encryption_keys", stdout=again)
    assert "re-encrypted 0 values and recomputed 0 lookup hashes" in again.getvalue()


def _answer_the_first_pages(client, organisation) -> None:
    for step, data in (
        ("relationship", {"relationship": "parent"}),
        ("stage", {"stage": "on_bail"}),
        ("children", {"children_in_household": "no"}),
        ("support", {"support_wanted": "peer_group"}),
        ("meeting", {"format_preference": "either", "area": "Rotationton"}),
    ):
        url = reverse("selfreferral:start", kwargs={"slug": organisation.slug})
        assert client.post(url, {"step": step, **data}).status_code == 303, step


def test_rotation_covers_unsent_self_referral_answers_and_pack_titles(
    settings, client, organisation_a, caseworker_a
):
    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    _answer_the_first_pages(client, organisation_a)
    Delivery.objects.create(
        organisation=organisation_a,
        referral=make_referral(organisation_a),
        title="Information for Sam",
        token_hash="0" * 64,
        expires_at=timezone.now() + timedelta(days=7),
        sent_by=caseworker_a,
    )

    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    call_command("rotate_encryption_keys", stdout=StringIO())
    settings.FIELD_ENCRYPTION_KEYS = [NEW]  # the old key is gone

    old = Fernet(OLD.encode())
    for model, field in ((SelfReferralDraft, "answers"), (Delivery, "title")):
        tokens = raw_values(model, field)
        assert tokens
        for token in tokens:
            with pytest.raises(InvalidToken):
                old.decrypt(token.encode())
    # The visitor carries on where they were, with what they typed.
    url = reverse("selfreferral:start", kwargs={"slug": organisation_a.slug})
    client.post(url, {"go": "meeting"})
    assert 'value="Rotationton"' in client.get(url).content.decode()
    assert Delivery.objects.get().title == "Information for Sam"


def test_a_draft_answered_again_during_rotation_keeps_the_new_answers(
    settings, client, organisation_a, monkeypatch
):
    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    _answer_the_first_pages(client, organisation_a)
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    url = reverse("selfreferral:start", kwargs={"slug": organisation_a.slug})
    read_batches = rotation._batches

    def visitor_answers_while_the_batch_is_being_worked(model, columns):
        for rows in read_batches(model, columns):
            if model is SelfReferralDraft:
                client.post(
                    url, {"step": "meeting", "format_preference": "zoom", "area": "Changedton"}
                )
            yield rows

    monkeypatch.setattr(rotation, "_batches", visitor_answers_while_the_batch_is_being_worked)
    out = StringIO()
    call_command("rotate_encryption_keys", stdout=out)
    assert "1 rows changed while they were being checked" in out.getvalue()

    settings.FIELD_ENCRYPTION_KEYS = [NEW]
    client.post(url, {"go": "meeting"})
    page = client.get(url).content.decode()
    assert 'value="Changedton"' in page and "Rotationton" not in page
