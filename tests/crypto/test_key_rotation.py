"""Rotating keys re-encrypts every row; then the old key can go and everything still reads."""

from io import StringIO

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command
from django.db import connection

from peergroups.models import Booking
from peergroups.services import booking_confirm, booking_offer
from portal.crypto.keys import lookup_hash
from portal.crypto.rotation import encrypted_columns
from referrals.models import Referral
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

    # Nothing left to do: a second run (or a re-run after an interruption) changes nothing.
    again = StringIO()
    call_command("rotate_encryption_keys", stdout=again)
    assert "re-encrypted 0 values and recomputed 0 lookup hashes" in again.getvalue()
